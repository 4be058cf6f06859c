// The debrief of a teaching class, live: every room's outcome, per-role
// utilities, distances to the frontier and to Nash, the plot of all rooms
// against the Pareto frontier, and a CSV download. While the rooms
// negotiate the debrief is read again as their events come (streams.js:
// one stream for the class when the server offers it).

import { h, api, guard, fmt, link, replace, notice, STATUS_TEXT } from "./lib.js";
import { createStore } from "./store.js";
import { define } from "./component.js";
import { classStream } from "./streams.js";

// renderClass renders class id into root and returns a cleanup function.
export async function renderClass(root, id, setContext) {
  replace(root, h("div", { class: "debrief", id: "debrief" },
    h("p", { class: "loading", id: "debrief-loading" }, "Scoring every room against its frontier…")));
  let d;
  try {
    d = await api("GET", `/api/classes/${id}/debrief`);
  } catch (e) {
    replace(root, h("section", { class: "card narrow" }, h("h1", {}, "This class cannot be opened"), h("p", {}, e.message), h("p", {}, link("/", "Back to the start page"))));
    throw e;
  }
  setContext(d.class.title);
  const store = createStore({ debrief: d, mode: "", version: 0 });
  let closed = false, timer = null, inflight = false, again = false;
  const reload = async () => {
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    try {
      do {
        again = false;
        const next = await api("GET", `/api/classes/${id}/debrief`);
        if (closed) return;
        store.set((s) => Object.assign({}, s, { debrief: next, version: s.version + 1 }));
      } while (again && !closed);
    } catch (e) {
      guard(async () => { throw e; });
    } finally {
      inflight = false;
    }
  };
  const room = { id, store, reload };
  replace(root, debriefScreen(room));

  // Each room's events re-read the debrief (at most every 1.5 s: it scores
  // every room against its frontier).
  const follow = classStream({
    url: d.stream || "",
    roomIds: d.rooms.map((r) => r.negotiation),
    onChange: () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, 1500);
    },
    onMode: (mode) => store.set({ mode }),
  });
  return () => {
    closed = true;
    clearTimeout(timer);
    follow.close();
    replace(root);
  };
}

const statusBadge = (s) => h("span", { class: ["badge", "st-" + s.replace(/ /g, "-")] }, STATUS_TEXT[s] || s);

const debriefScreen = define("parley-debrief", {
  select: (s) => ({ rooms: s.debrief.rooms.length, started: s.debrief.rooms.filter((r) => r.status !== "not started").length, mode: s.mode }),
  render: (s, el) => {
    const d = s.debrief, id = el.room.id;
    const started = d.rooms.filter((r) => r.status !== "not started").length;
    const start = (btn) => guard(async () => {
      await api("POST", `/api/classes/${id}/start`);
      notice("Every room is open.");
      await el.room.reload();
    }, btn);
    return h("div", { class: "debrief", id: "debrief", "data-rooms": String(d.rooms.length), "data-follow": s.mode },
      h("div", { class: "page-head" },
        h("div", {}, h("h1", { id: "class-title" }, d.class.title), h("p", { class: "muted" }, `${d.rooms.length} rooms · created ${fmt.time(d.class.created)}${d.class.deadline && !d.class.deadline.startsWith("0001") ? ` · deadline ${fmt.time(d.class.deadline)}` : ""}`)),
        h("div", { class: "head-actions" },
          started < d.rooms.length ? h("button", { id: "class-start", class: "primary", onclick: (e) => start(e.currentTarget) }, `Start all rooms (${d.rooms.length - started} waiting)`) : h("span", { class: "badge st-agreed", id: "class-all-started" }, "All rooms started"),
          h("a", { href: `/api/classes/${id}/debrief.csv`, id: "debrief-csv", class: "button", download: `debrief-${id}.csv` }, "Download CSV"))),
      el.child("rooms", roomsTable),
      el.child("plot", debriefPlot));
  },
});

const roomsTable = define("parley-debrief-rooms", {
  select: (s) => ({ rooms: s.debrief.rooms, parties: s.debrief.parties, mean: s.debrief.mean, rate: s.debrief.agreement_rate }),
  render: (s) => {
    const d = s.debrief;
    return h("section", { class: "card", id: "debrief-rooms" },
      h("div", { class: "card-head" }, h("h2", {}, "Rooms"), h("span", { class: "badge", id: "agreement-rate" }, `Agreement rate ${fmt.pct(d.agreement_rate)}`)),
      h("div", { class: "table-scroll" }, h("table", { class: "list debrief-table", id: "debrief-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Status"), h("th", { class: "num" }, "Rounds"),
          d.parties.map((p) => h("th", { class: "num" }, `Utility ${p}`)),
          h("th", { class: "num" }, "Welfare"), h("th", { class: "num", title: "Distance to the Pareto frontier" }, "To frontier"), h("th", { class: "num", title: "Distance to the Nash point" }, "To Nash"), h("th", {}, "People"))),
        h("tbody", {}, d.rooms.map((r) => h("tr", { "data-testid": `room-${r.negotiation}`, "data-status": r.status },
          h("td", {}, link(`/n/${r.negotiation}`, r.title)),
          h("td", {}, statusBadge(r.status)),
          h("td", { class: "num" }, String(r.rounds)),
          r.utilities.map((u) => h("td", { class: "num" }, fmt.num(u, 3))),
          h("td", { class: "num" }, fmt.num(r.welfare, 3)),
          h("td", { class: "num" }, fmt.num(r.distance_pareto, 3)),
          h("td", { class: "num" }, fmt.num(r.distance_nash, 3)),
          h("td", { class: "small" }, Object.entries(r.people || {}).map(([p, n]) => `${p}: ${n}`).join(", ") || h("span", { class: "muted" }, "—"))))),
        h("tfoot", {}, h("tr", {}, h("th", { colspan: 3 }, "Mean"), (d.mean || []).map((u) => h("th", { class: "num" }, fmt.num(u, 3))), h("th", { colspan: 4 }))))),
      h("p", { class: "muted small" }, "Rooms without an agreement count each party's reservation value. The table follows the rooms as they negotiate."));
  },
});

const debriefPlot = define("parley-debrief-plot", {
  // The plot changes with the outcomes: re-read it when they do.
  select: (s) => s.debrief.rooms.map((r) => [r.status, r.utilities]),
  render: (s, el) => h("section", { class: "card" }, h("h2", {}, "Outcomes against the Pareto frontier"),
    h("figure", { class: "dance" }, h("img", { id: "debrief-plot", src: `/api/classes/${el.room.id}/debrief.svg?v=${s.version}`, alt: "Every room's outcome in the utility space of the first two roles, with the Pareto frontier" }))),
});

// The debrief of a teaching class: every room's outcome, per-role
// utilities, distances to the frontier and to Nash, the plot of all rooms
// against the Pareto frontier, and a CSV download.

import { h, api, guard, fmt, link, replace, notice, STATUS_TEXT } from "./lib.js";

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
  const started = d.rooms.filter((r) => r.status !== "not started").length;
  const start = (btn) => guard(async () => {
    await api("POST", `/api/classes/${id}/start`);
    notice("Every room is open.");
    await renderClass(root, id, setContext);
  }, btn);
  const statusBadge = (s) => h("span", { class: ["badge", "st-" + s.replace(/ /g, "-")] }, STATUS_TEXT[s] || s);
  replace(root, h("div", { class: "debrief", id: "debrief", "data-rooms": String(d.rooms.length) },
    h("div", { class: "page-head" },
      h("div", {}, h("h1", { id: "class-title" }, d.class.title), h("p", { class: "muted" }, `${d.rooms.length} rooms · created ${fmt.time(d.class.created)}${d.class.deadline && !d.class.deadline.startsWith("0001") ? ` · deadline ${fmt.time(d.class.deadline)}` : ""}`)),
      h("div", { class: "head-actions" },
        started < d.rooms.length ? h("button", { id: "class-start", class: "primary", onclick: (e) => start(e.currentTarget) }, `Start all rooms (${d.rooms.length - started} waiting)`) : h("span", { class: "badge st-agreed", id: "class-all-started" }, "All rooms started"),
        h("a", { href: `/api/classes/${id}/debrief.csv`, id: "debrief-csv", class: "button", download: `debrief-${id}.csv` }, "Download CSV"))),
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Rooms"), h("span", { class: "badge", id: "agreement-rate" }, `Agreement rate ${fmt.pct(d.agreement_rate)}`)),
      h("div", { class: "table-scroll" }, h("table", { class: "list debrief-table", id: "debrief-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Status"), h("th", { class: "num" }, "Rounds"),
          d.parties.map((p) => h("th", { class: "num" }, `Utility ${p}`)),
          h("th", { class: "num" }, "Welfare"), h("th", { class: "num", title: "Distance to the Pareto frontier" }, "To frontier"), h("th", { class: "num", title: "Distance to the Nash point" }, "To Nash"), h("th", {}, "People"))),
        h("tbody", {}, d.rooms.map((r) => h("tr", { "data-testid": `room-${r.negotiation}` },
          h("td", {}, link(`/n/${r.negotiation}`, r.title)),
          h("td", {}, statusBadge(r.status)),
          h("td", { class: "num" }, String(r.rounds)),
          r.utilities.map((u) => h("td", { class: "num" }, fmt.num(u, 3))),
          h("td", { class: "num" }, fmt.num(r.welfare, 3)),
          h("td", { class: "num" }, fmt.num(r.distance_pareto, 3)),
          h("td", { class: "num" }, fmt.num(r.distance_nash, 3)),
          h("td", { class: "small" }, Object.entries(r.people || {}).map(([p, n]) => `${p}: ${n}`).join(", ") || h("span", { class: "muted" }, "—"))))),
        h("tfoot", {}, h("tr", {}, h("th", { colspan: 3 }, "Mean"), (d.mean || []).map((u) => h("th", { class: "num" }, fmt.num(u, 3))), h("th", { colspan: 4 }))))),
      h("p", { class: "muted small" }, "Rooms without an agreement count each party's reservation value.")),
    h("section", { class: "card" }, h("h2", {}, "Outcomes against the Pareto frontier"),
      h("figure", { class: "dance" }, h("img", { id: "debrief-plot", src: `/api/classes/${id}/debrief.svg?v=${started}`, alt: "Every room's outcome in the utility space of the first two roles, with the Pareto frontier" })))));
}

// Shuttle talks: a mediator's talks with several delegations over a
// multi-deal scenario (docs/multideal.md): one bilateral table per
// delegation, each an ordinary room negotiation, and a combined view that
// only the mediator who created them sees.
//
// On the home page: the list of the mediator's shuttle talks and the form
// that creates them — a built-in multi-deal scenario or a multi-deal file
// (pasted or loaded), the settings every table takes (a mediated protocol,
// what the mediator sees, a deadline) and optional seats, whose invitation
// links are shown once. On /shuttles/{id}: one card per table (its
// delegation, state, current text, and the center's utility if the table
// agreed on it), a link to each table's room (where the mediator drafts
// from the mediator's seat), the center's panel and, once every table has
// ended, the combined agreement with its record hash.
//
// Every figure on the page is the server's (GET /api/shuttles/{id}), shown
// as it was computed there — rounded to three decimals on screen, in full
// in the element's data-value and tooltip — and says what it is: nothing
// is recomputed here.

import { h, api, guard, fmt, link, navigate, replace, notice, showError } from "./lib.js";
import { hasMove, headingOf } from "./protocols.js";
import { createStore } from "./store.js";
import { define } from "./component.js";
import { csvField } from "./class.js";

// POLL_MS is how often the shuttle page re-reads its view when the server
// offers no stream of the shuttle's tables.
export const POLL_MS = 2000;

// STATE_TEXT names a table's state in words.
const STATE_TEXT = {
  waiting: "Not started",
  open: "Negotiating",
  agreed: "Agreed",
  ended: "Ended without agreement",
};
const STATE_BADGE = { waiting: "st-not-started", open: "st-negotiating", agreed: "st-in-force", ended: "st-no-agreement" };

// BASIS_TEXT says in words what decides which packages count as still
// reachable in the center's best.
const BASIS_TEXT = {
  "center-only": "The center's utility only: the delegations' acceptance is not taken into account, since the mediator sees aggregates only (their private figures are not used).",
  "delegations' profiles": "Only packages every delegation accepts under the profile it has saved at its table now (the mediator sees the profiles).",
};

// FOLLOW_TEXT says how the page follows the tables.
const FOLLOW_TEXT = {
  live: "Following the tables live.",
  reconnecting: "Reconnecting to the tables…",
  poll: `Read again every ${POLL_MS / 1000} s.`,
  stopped: "No longer following the tables: reload the page.",
};

const SEES_TEXT = { overlap: "aggregates only (overlap)", full: "the delegations' profiles" };

// figure shows one of the view's numbers: three decimals on screen, the
// number as the server sent it in data-value and the tooltip.
function figure(v, id) {
  if (typeof v !== "number" || !isFinite(v)) return h("span", { class: "muted", id }, "—");
  return h("strong", { class: "figure", id, "data-value": String(v), title: String(v) }, fmt.num(v, 3));
}

// scenarioEntries reads GET /api/shuttles/scenarios: names, or objects
// with a name (and, when the server says so, the center and edges).
function scenarioEntries(list) {
  return (list || []).map((s) => (typeof s === "string" ? { name: s } : s)).filter((s) => s && s.name);
}

// partiesOfFile reads the center's name and the edges, in thread order,
// off a multi-deal file's text, to suggest seats. It is only a suggestion
// for the form: the server reads the file and checks every seat.
export function partiesOfFile(text) {
  const t = String(text || "");
  const edges = [...t.matchAll(/["']?\bedge["']?\s*:\s*["']?([A-Za-z0-9_.-]+)/g)].map((m) => m[1]);
  let center = "";
  const block = t.match(/^["']?center["']?\s*:\s*\{?([\s\S]*?)(?:^\S|$(?![\s\S]))/m);
  if (block) {
    const n = block[1].match(/["']?\bname["']?\s*:\s*["']?([A-Za-z0-9_.-]+)/);
    if (n) center = n[1];
  }
  return edges.length && center ? { center, edges } : null;
}

// shuttleSection returns the home page's "Shuttle talks" cards: the list
// of the mediator's shuttle talks and the form that creates them.
// scenarios is GET /api/shuttles/scenarios, protocols the protocols'
// facts (GET /api/protocols).
export function shuttleSection({ shuttles, scenarios, protocols }) {
  const builtins = scenarioEntries(scenarios);
  const mediated = (protocols || []).filter((p) => p.mediated);
  const preferred = mediated.find((p) => hasMove(p, "draft", "mediator")) || mediated[0];
  const state = { seats: [], list: (shuttles || []).slice(), fileName: "" };

  const listBox = h("div", { id: "shuttles-list-box" });
  const renderList = () => replace(listBox, state.list.length
    ? h("ul", { class: "class-list", id: "shuttles-list" }, state.list.slice().reverse().map((s) => h("li", { "data-testid": `shuttle-${s.id}` },
      link(`/shuttles/${s.id}`, s.title, { "data-id": s.id, id: `shuttles-list-${s.id}` }), h("span", { class: "muted small" }, ` · ${fmt.time(s.created)}`))))
    : h("p", { class: "muted", id: "shuttles-empty" }, "No shuttle talks yet."));
  renderList();

  const fromFile = () => document.getElementById("shuttle-src-file").checked;
  // known is the center and the edges of the chosen scenario, when the
  // page can tell (a file's text, or a built-in the server describes).
  const known = () => {
    if (fromFile()) return partiesOfFile(document.getElementById("shuttle-yaml").value);
    const s = builtins.find((x) => x.name === document.getElementById("shuttle-scenario").value);
    const edges = s && (s.edges || (s.threads || []).map((th) => th.edge || th));
    return s && s.center && edges && edges.length ? { center: typeof s.center === "string" ? s.center : s.center.name, edges } : null;
  };
  const partiesList = h("datalist", { id: "shuttle-parties" });
  const partiesNote = h("p", { class: "muted small", id: "shuttle-parties-note", "aria-live": "polite" });
  const showParties = () => {
    const k = known();
    replace(partiesList, k ? [h("option", { value: k.center }, "the center"), k.edges.map((e, i) => h("option", { value: e }, `table ${i + 1}`))] : []);
    partiesNote.textContent = k
      ? `Tables: ${k.edges.map((e, i) => `${i + 1} — ${e}`).join(", ")}; the center, ${k.center}, sits at every table.`
      : "Each table has two seats: the center's and that table's delegation's (the edge), named as in the scenario. Seats can also be issued later, from each table's page.";
  };

  const seatsBody = h("tbody", { id: "shuttle-seat-rows" });
  const seatsTable = h("table", { class: "list", id: "shuttle-seat-table", hidden: true },
    h("thead", {}, h("tr", {}, h("th", {}, "Table"), h("th", {}, "Party"), h("th", {}, "Person"), h("th", {}, h("span", { class: "visually-hidden" }, "Actions")))),
    seatsBody);
  const renderSeats = () => {
    replace(seatsBody, state.seats.map((st, k) => h("tr", { "data-seat": String(k) },
      h("td", {}, h("label", { class: "visually-hidden", for: `shuttle-seat-table-${k}` }, `Seat ${k + 1}: table`),
        h("input", { type: "number", id: `shuttle-seat-table-${k}`, class: "short-number", min: 1, value: st.table, oninput: (e) => { st.table = Number(e.target.value); } })),
      h("td", {}, h("label", { class: "visually-hidden", for: `shuttle-seat-party-${k}` }, `Seat ${k + 1}: party`),
        h("input", { type: "text", id: `shuttle-seat-party-${k}`, list: "shuttle-parties", value: st.party, maxlength: 100, placeholder: "Party id", oninput: (e) => { st.party = e.target.value.trim(); } })),
      h("td", {}, h("label", { class: "visually-hidden", for: `shuttle-seat-person-${k}` }, `Seat ${k + 1}: person`),
        h("input", { type: "text", id: `shuttle-seat-person-${k}`, value: st.person, maxlength: 100, placeholder: "Person's name", oninput: (e) => { st.person = e.target.value; } })),
      h("td", {}, h("button", { type: "button", class: "small-button subtle", "aria-label": `Remove seat ${k + 1}`, onclick: () => { state.seats.splice(k, 1); renderSeats(); } }, "Remove")))));
    seatsTable.hidden = state.seats.length === 0;
  };
  const seatAll = () => {
    const k = known();
    if (!k) throw new Error("The page cannot read this scenario's parties: add the seats one by one, with the party ids of the scenario.");
    state.seats = k.edges.flatMap((e, i) => [{ table: i + 1, party: k.center, person: "" }, { table: i + 1, party: e, person: "" }]);
    renderSeats();
    notice(`${state.seats.length} seats: the center's and the delegation's at each of ${k.edges.length} tables.`);
  };
  const addSeat = () => {
    state.seats.push({ table: 1, party: "", person: "" });
    renderSeats();
  };

  const toggleSrc = () => {
    document.getElementById("shuttle-builtin-box").hidden = fromFile();
    document.getElementById("shuttle-file-box").hidden = !fromFile();
    showParties();
  };

  const issuedBox = h("div", { id: "shuttle-issued" });
  const create = (btn) => guard(async () => {
    const body = { title: document.getElementById("shuttle-title").value.trim(), settings: {
      protocol: document.getElementById("shuttle-protocol").value,
      mediator_sees: document.getElementById("shuttle-sees").value,
    } };
    const r = Number(document.getElementById("shuttle-rounds").value || 0);
    if (r) body.settings.rounds = r;
    const m = Number(document.getElementById("shuttle-minutes").value || 0);
    if (m) body.settings.minutes = m;
    if (fromFile()) {
      body.yaml = document.getElementById("shuttle-yaml").value;
      body.file_name = state.fileName || "shuttle.yaml";
      if (!body.yaml.trim()) throw new Error("Paste or load a multi-deal file, or choose a built-in scenario.");
    } else {
      body.scenario = document.getElementById("shuttle-scenario").value;
      if (!body.scenario) throw new Error("Choose a built-in multi-deal scenario, or paste a multi-deal file.");
    }
    for (const [k, st] of state.seats.entries()) {
      if (!Number.isInteger(st.table) || st.table < 1) throw new Error(`Seat ${k + 1}: the table is a number from 1.`);
      if (!st.party) throw new Error(`Seat ${k + 1}: name the party (the center's or the table's delegation's id).`);
    }
    body.seats = state.seats.map((st) => ({ room: st.table, party: st.party, person: st.person.trim() }));
    const res = await api("POST", "/api/shuttles", body);
    const s = res.shuttle;
    notice(`“${s.title}” is created.`);
    state.list.push(s);
    renderList();
    state.seats = [];
    renderSeats();
    replace(issuedBox, issuedLinks(s, res.seats || []));
  }, btn);

  const list = h("section", { class: "card", id: "shuttles" }, h("h2", {}, "Shuttle talks"),
    h("p", { class: "muted small" }, "One bilateral table per delegation, and a combined view only you see."),
    listBox);
  const form = h("section", { class: "card", id: "new-shuttle" },
    h("h2", {}, "New shuttle talks"),
    h("p", { class: "muted small" }, "A multi-deal scenario: a center that settles a separate deal with each delegation, and values the deals together. Each table is a negotiation of its own; you draft at each from the mediator's seat."),
    h("form", { class: "stacked", onsubmit: (e) => { e.preventDefault(); create(e.submitter); } },
      h("label", { for: "shuttle-title" }, "Title"),
      h("input", { type: "text", id: "shuttle-title", placeholder: "Defaults to the scenario's name", maxlength: 200 }),
      h("fieldset", { class: "choice" }, h("legend", {}, "Multi-deal scenario"),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "shuttle-src", id: "shuttle-src-builtin", checked: true, onchange: toggleSrc }), " Built-in"),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "shuttle-src", id: "shuttle-src-file", onchange: toggleSrc }), " Multi-deal file (YAML)")),
      h("div", { id: "shuttle-builtin-box" },
        builtins.length
          ? h("select", { id: "shuttle-scenario", "aria-label": "Built-in multi-deal scenario", onchange: showParties }, builtins.map((s) => h("option", { value: s.name }, s.title ? `${s.title} (${s.name})` : s.name)))
          : [h("select", { id: "shuttle-scenario", "aria-label": "Built-in multi-deal scenario", disabled: true }, h("option", { value: "" }, "None available")),
            h("p", { class: "muted small" }, "The server offers no built-in multi-deal scenario: paste a file.")]),
      h("div", { id: "shuttle-file-box", hidden: true },
        h("label", { for: "shuttle-yaml" }, "Multi-deal file"),
        h("textarea", { id: "shuttle-yaml", rows: 8, class: "mono", placeholder: "multideal: 1\nname: my-shuttle\nspaces: ...\ncenter: ...\nthreads: ...", oninput: showParties }),
        h("div", { class: "inline-form" },
          h("label", { for: "shuttle-upload" }, "or load a file"),
          h("input", { type: "file", id: "shuttle-upload", accept: ".yaml,.yml,.json", onchange: (e) => {
            const file = e.target.files[0];
            if (!file) return;
            file.text().then((t) => {
              document.getElementById("shuttle-yaml").value = t;
              state.fileName = file.name;
              showParties();
            }).catch(showError);
          } }))),
      h("div", { class: "grid-2" },
        h("div", {}, h("label", { for: "shuttle-protocol" }, "Protocol at every table"),
          h("select", { id: "shuttle-protocol", "aria-describedby": "shuttle-protocol-about" }, mediated.map((p) => h("option", { value: p.name, selected: p === preferred }, headingOf(p)))),
          h("p", { class: "muted small", id: "shuttle-protocol-about" }, "Mediated protocols only: the mediator sits at every table.")),
        h("div", {}, h("label", { for: "shuttle-sees" }, "The mediator sees"),
          h("select", { id: "shuttle-sees", "aria-describedby": "shuttle-sees-about" },
            h("option", { value: "overlap" }, "Aggregates only (overlap)"),
            h("option", { value: "full" }, "The delegations' profiles (trusted mediator)")),
          h("p", { class: "muted small", id: "shuttle-sees-about" }, "With aggregates only, the center's best is computed from the center's utility alone.")),
        h("div", {}, h("label", { for: "shuttle-rounds" }, "Rounds (0: none)"), h("input", { type: "number", id: "shuttle-rounds", min: 0, max: 10000, value: 0 })),
        h("div", {}, h("label", { for: "shuttle-minutes" }, "Minutes (0: none)"), h("input", { type: "number", id: "shuttle-minutes", min: 0, step: "any", value: 0 }))),
      h("fieldset", { class: "choice seats-box", id: "shuttle-seats" }, h("legend", {}, "Seats (optional)"),
        partiesNote, partiesList,
        h("div", { class: "inline-form" },
          h("button", { type: "button", id: "shuttle-seat-all", onclick: (e) => guard(async () => seatAll(), e.currentTarget) }, "Seat every delegation"),
          h("button", { type: "button", id: "shuttle-seat-add", onclick: addSeat }, "Add a seat")),
        h("div", { class: "table-scroll" }, seatsTable)),
      h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "shuttle-create", class: "primary" }, "Create the shuttle talks"))),
    issuedBox);
  queueMicrotask(() => {
    if (document.getElementById("shuttle-seats")) showParties();
  });
  return [list, form];
}

// joinURL is a seat's invitation link.
const joinURL = (token) => `${location.origin}/join#${token}`;

// shuttleLinksCSV is the invitations of new shuttle talks as CSV: table,
// party, person, link.
export function shuttleLinksCSV(seats) {
  const rows = [["table", "party", "person", "link"]];
  for (const st of seats) rows.push([String(st.room), st.party || "", st.person || "", joinURL(st.token)]);
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

// issuedLinks shows new shuttle talks' invitations, once, with a CSV
// download of them.
function issuedLinks(s, seats) {
  const csvURL = seats.length ? URL.createObjectURL(new Blob([shuttleLinksCSV(seats)], { type: "text/csv;charset=utf-8" })) : "";
  return h("div", { class: "new-link" },
    h("p", {}, h("strong", {}, `Shuttle talks “${s.title}” created. `), link(`/shuttles/${s.id}`, "Open the shuttle page", { id: "shuttle-open" })),
    seats.length
      ? [h("p", { class: "muted small" }, "Invitation links — shown once: copy or download them now, and send each privately to its delegation."),
        h("div", { class: "inline-form" },
          h("a", { href: csvURL, id: "shuttle-links-csv", class: "button", download: `invitations-${s.id}.csv` }, "Download the links (CSV)")),
        h("div", { class: "table-scroll" }, h("table", { class: "list", id: "shuttle-seats-issued" },
          h("thead", {}, h("tr", {}, h("th", {}, "Table"), h("th", {}, "Party"), h("th", {}, "Person"), h("th", {}, "Link"))),
          h("tbody", {}, seats.map((st, k) => h("tr", { "data-table": String(st.room), "data-party": st.party },
            h("td", {}, `Table ${st.room}`),
            h("td", {}, st.party),
            h("td", {}, st.person || ""),
            h("td", {}, h("code", { class: "join-link", id: `shuttle-seat-link-${k}` }, joinURL(st.token))))))))]
      : h("p", { class: "muted small" }, "No seats were issued: invite each table's delegations from that table's page."));
}

// renderShuttle renders shuttle talks id into root and returns a cleanup
// function.
export async function renderShuttle(root, id, setContext) {
  replace(root, h("div", { class: "shuttle", id: "shuttle-loading-box" }, h("p", { class: "loading" }, "Reading the tables…")));
  const path = `/api/shuttles/${encodeURIComponent(id)}`;
  let view;
  try {
    view = await api("GET", path);
  } catch (e) {
    replace(root, h("section", { class: "card narrow", id: "shuttle-missing" }, h("h1", {}, "These shuttle talks cannot be opened"), h("p", {}, e.message), h("p", {}, link("/", "Back to the start page"))));
    throw e;
  }
  setContext(view.title);
  document.title = `${view.title} — Parley`;
  const store = createStore({ view, frameworks: {}, mode: "" });
  let closed = false, inflight = false, again = false;
  let es = null, poll = null, timer = null;
  // stop ends following the tables (the page stays as it is).
  const stop = () => {
    clearInterval(poll);
    poll = null;
    if (es) es.close();
    store.set({ mode: "stopped" });
  };
  const reload = async () => {
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    try {
      do {
        again = false;
        const next = await api("GET", path);
        if (closed) return;
        store.set({ view: next });
      } while (again && !closed);
    } catch (e) {
      if (closed) return;
      showError(e);
      // Signed out, or the talks deleted: reading again would not help.
      if (e.status === 401 || e.status === 404) stop();
    } finally {
      inflight = false;
    }
  };
  const room = { id, store, reload };
  replace(root, shuttleScreen(room));

  // The tables' frameworks, for the points' titles and the options'
  // labels (each table's room view, which the mediator reads anyway).
  Promise.all((view.tables || []).map((t) => api("GET", `/api/negotiations/${encodeURIComponent(t.negotiation)}`)
    .then((v) => [t.negotiation, v.framework]).catch(() => null)))
    .then((fs) => {
      if (!closed) store.set({ frameworks: Object.fromEntries(fs.filter(Boolean)) });
    });

  // Follow the tables: the shuttle's stream (an event "changed" whenever a
  // table moves); if it cannot be opened, re-read the view every POLL_MS.
  const changed = () => {
    if (!timer) timer = setTimeout(() => { timer = null; reload(); }, 300);
  };
  const startPoll = () => {
    if (poll || closed) return;
    store.set({ mode: "poll" });
    poll = setInterval(() => {
      if (document.visibilityState !== "hidden") reload();
    }, POLL_MS);
  };
  if (typeof EventSource !== "undefined") {
    es = new EventSource(`${path}/stream`);
    // Once open, the view is read again (a table may have moved before);
    // from then on, the page is live.
    es.addEventListener("open", () => {
      reload().then(() => {
        if (!closed && es.readyState === EventSource.OPEN) store.set({ mode: "live" });
      });
    });
    for (const kind of ["events", "changed", "message"]) es.addEventListener(kind, changed);
    // The server ends the stream when the sign-in no longer holds.
    es.addEventListener("end", (e) => {
      let err = { message: "Your sign-in ended: sign in again to follow the tables." };
      try {
        err = JSON.parse(e.data).error || err;
      } catch {
        /* keep the general message */
      }
      stop();
      showError(new Error(err.message));
    });
    // The browser reconnects by itself after a dropped connection; a
    // stream it gives up on is replaced by reading the view every POLL_MS.
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) startPoll();
      else if (store.state.mode === "live") store.set({ mode: "reconnecting" });
    });
  } else {
    startPoll();
  }
  return () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(poll);
    if (es) es.close();
    replace(root);
  };
}

// textEntries is a table's text in the order of its framework's points,
// with the points' titles and the options' labels where the framework is
// known: [{point, title, option, label}].
function textEntries(text, fw) {
  const t = text || {};
  if (!fw || !fw.points) return Object.keys(t).sort().map((p) => ({ point: p, title: p, option: t[p], label: t[p] }));
  const out = [];
  for (const pt of fw.points) {
    if (!(pt.id in t)) continue;
    const o = (pt.options || []).find((x) => x.id === t[pt.id]);
    out.push({ point: pt.id, title: pt.title || pt.id, option: t[pt.id], label: o ? o.label || o.id : String(t[pt.id]) });
  }
  for (const p of Object.keys(t)) if (!out.some((e) => e.point === p)) out.push({ point: p, title: p, option: t[p], label: String(t[p]) });
  return out;
}

// textList shows a text (point → option); empty for none.
function textList(text, fw, props) {
  const es = textEntries(text, fw);
  if (!es.length) return h("p", Object.assign({ class: "muted small" }, props || {}), "No point settled yet.");
  return h("ul", Object.assign({ class: "shuttle-text" }, props || {}), es.map((e) => h("li", { "data-point": e.point, "data-option": e.option },
    h("span", { class: "shuttle-point" }, e.title), ": ", h("span", { class: "settled" }, e.label))));
}

const ended = (t) => t.state === "agreed" || t.state === "ended";

const shuttleScreen = define("parley-shuttle", {
  select: (s) => ({ title: s.view.title, created: s.view.created, states: s.view.tables.map((t) => t.state), mode: s.mode }),
  render: (s, el) => {
    const v = s.view, id = el.room.id;
    const waiting = v.tables.filter((t) => t.state === "waiting").length;
    const start = (btn) => guard(async () => {
      await api("POST", `/api/shuttles/${encodeURIComponent(id)}/start`);
      notice("Every table is open.");
      await el.room.reload();
    }, btn);
    const remove = (btn) => {
      if (!confirm(`Delete “${v.title}” and its ${v.tables.length} tables for good? Their invitations, messages and records are removed. This cannot be undone.`)) return;
      guard(async () => {
        await api("DELETE", `/api/shuttles/${encodeURIComponent(id)}`, { confirm: v.title });
        notice(`“${v.title}” is deleted.`);
        navigate("/");
      }, btn);
    };
    return h("div", { class: "shuttle", id: "shuttle", "data-follow": s.mode },
      h("div", { class: "page-head" },
        h("div", {}, h("h1", { id: "shuttle-title" }, v.title),
          h("p", { class: "muted", id: "shuttle-meta" }, `Shuttle talks · ${v.tables.length} tables · scenario ${v.scenario} · center ${centerName(v)} · the mediator sees ${SEES_TEXT[v.mediator_sees] || v.mediator_sees} · created ${fmt.time(v.created)}`),
          h("p", { class: "muted small", id: "shuttle-follow", "aria-live": "polite" }, FOLLOW_TEXT[s.mode] || "")),
        h("div", { class: "head-actions" },
          waiting > 0
            ? h("button", { type: "button", id: "shuttle-start", class: "primary", onclick: (e) => start(e.currentTarget) }, `Start every table (${waiting} waiting)`)
            : h("span", { class: "badge st-agreed", id: "shuttle-all-started" }, "Every table started"),
          h("button", { type: "button", id: "shuttle-delete", class: "danger subtle", onclick: (e) => remove(e.currentTarget) }, "Delete"))),
      h("p", { class: "note small", id: "shuttle-private" }, "Only you see this page. Each delegation sees its own table only, from its invitation; the center's figures use the center utility of the multi-deal scenario as you created these talks."),
      el.child("tables", tablesSection),
      el.child("center", centerSection),
      el.child("combined", combinedSection));
  },
});

// centerName is the center's name.
const centerName = (v) => (v.center && v.center.name) || "the center";

const tablesSection = define("parley-shuttle-tables", {
  select: (s) => ({ tables: s.view.tables, fw: s.frameworks }),
  render: (s, el) => {
    const v = s.view;
    // One table at a time (the seeds' sequence: Russia, then Ukraine, then
    // Europe) or all at once from the page's head.
    const startOne = (t, btn) => guard(async () => {
      await api("POST", `/api/negotiations/${encodeURIComponent(t.negotiation)}/start`);
      notice(`Table ${t.table} (${t.edge}) is open.`);
      await el.room.reload();
    }, btn);
    return h("section", { class: "card", id: "shuttle-tables" },
      h("div", { class: "card-head" }, h("h2", {}, "Tables"),
        h("span", { class: "badge", id: "shuttle-progress", "aria-live": "polite" }, `${v.tables.filter(ended).length} of ${v.tables.length} ended · ${v.tables.filter((t) => t.state === "agreed").length} agreed`)),
      h("p", { class: "muted small" }, "Each table is a negotiation of its own between the center and one delegation: open it to draft the single text from the mediator's seat."),
      h("div", { class: "shuttle-grid" }, v.tables.map((t) => {
        const fw = s.frameworks[t.negotiation];
        const agreed = t.state === "agreed";
        return h("article", { class: "shuttle-table", "data-testid": `table-${t.table}`, "data-state": t.state, "data-negotiation": t.negotiation, "aria-labelledby": `table-head-${t.table}` },
          h("div", { class: "card-head" },
            h("h3", { id: `table-head-${t.table}` }, `Table ${t.table} — ${t.edge}`),
            h("span", { class: ["badge", STATE_BADGE[t.state] || ""], id: `table-state-${t.table}`, "data-state": t.state }, STATE_TEXT[t.state] || t.state)),
          h("p", {}, link(`/n/${t.negotiation}`, `Open table ${t.table}`, { id: `table-open-${t.table}`, "aria-label": `Open table ${t.table}, with ${t.edge}: the room where you draft` }),
            t.state === "waiting" ? [" ", h("button", { type: "button", id: `table-start-${t.table}`, onclick: (e) => startOne(t, e.currentTarget) }, `Start table ${t.table}`)] : null),
          t.state === "open" ? h("p", { class: "small muted", id: `table-round-${t.table}` }, `Round ${t.round}`,
            t.waiting && t.waiting.length ? ` · waiting for ${t.waiting.map((p) => (p === "mediator" ? "you (the mediator)" : p)).join(", ")}` : "") : null,
          h("h4", { class: "shuttle-sub" }, agreed ? "Agreement" : "Current text (settled points)"),
          textList(t.text, fw, { id: `table-text-${t.table}` }),
          h("p", { class: "small", id: `table-complete-${t.table}`, "data-complete": String(!!t.complete) }, t.complete ? "The text settles every point." : "The text does not settle every point yet."),
          h("dl", { class: "facts" },
            h("dt", {}, "The center's utility if this table agreed on this text, the other tables as they stand"),
            h("dd", {}, typeof t.center_if_agreed === "number"
              ? figure(t.center_if_agreed, `table-center-${t.table}`)
              : h("span", { class: "muted", id: `table-center-${t.table}` }, ended(t) && !agreed ? "— (the table has ended)" : t.complete ? "—" : "— (only a complete text is valued)"))));
      })));
  },
});

const centerSection = define("parley-shuttle-center", {
  select: (s) => ({ c: s.view.center, tables: s.view.tables.map((t) => [t.table, t.edge]), fw: s.frameworks }),
  render: (s) => {
    const v = s.view, c = v.center || {};
    const best = c.best || null;
    return h("section", { class: "card", id: "shuttle-center" },
      h("h2", {}, `The center: ${centerName(v)}`),
      h("p", { class: "muted small" }, "Utilities of the center under the center utility of the multi-deal scenario, as you created these talks; a table without agreement counts as no agreement."),
      h("dl", { class: "facts" },
        h("dt", {}, "Reservation value (no agreement at any table)"), h("dd", {}, figure(c.reservation, "center-reservation")),
        h("dt", {}, "Utility of what is agreed now (the tables not agreed count as no agreement)"), h("dd", {}, figure(c.utility, "center-utility")),
        h("dt", {}, "The best still reachable, the agreed tables as they are"), h("dd", {}, best ? figure(best.value, "center-best") : h("span", { class: "muted", id: "center-best" }, "—")),
        h("dt", {}, "What counts as reachable"), h("dd", { id: "center-basis", "data-basis": c.best_basis || "" }, BASIS_TEXT[c.best_basis] || c.best_basis || "—"),
        h("dt", {}, "How it was computed"), h("dd", { id: "center-exact", "data-exact": String(!!c.exact) }, c.exact
          ? "Exact: every combination of packages of the tables not yet agreed was evaluated."
          : "Estimated: the combinations were too many to evaluate all of them; this is the best of a sample, a lower bound of the best.")),
      best && best.texts ? h("details", { id: "center-best-texts" },
        h("summary", {}, "The texts of that best combination"),
        h("ul", { class: "plain-list" }, v.tables.map((t, i) => h("li", { "data-table": String(t.table) },
          h("strong", {}, `Table ${t.table} — ${t.edge}: `),
          best.texts[i] ? textList(best.texts[i], s.frameworks[t.negotiation]) : h("span", { class: "muted" }, "no agreement"))))) : null);
  },
});

const combinedSection = define("parley-shuttle-combined", {
  select: (s) => ({ c: s.view.combined, tables: s.view.tables.map((t) => [t.table, t.edge, t.state]), fw: s.frameworks }),
  render: (s) => {
    const v = s.view, c = v.combined;
    if (!c) {
      return h("section", { class: "card", id: "shuttle-combined", "data-status": "" },
        h("h2", {}, "Combined agreement"),
        h("p", { class: "muted", id: "combined-pending" }, `It is set once every table has ended: ${v.tables.filter(ended).length} of ${v.tables.length} ended so far.`));
    }
    const agreed = c.status === "agreed";
    const hashes = Object.fromEntries((c.tables || []).map((t) => [t.negotiation, t.log_hash]));
    return h("section", { class: "card", id: "shuttle-combined", "data-status": c.status },
      h("div", { class: "card-head" }, h("h2", {}, "Combined agreement"),
        h("span", { class: ["badge", agreed ? "st-in-force" : "st-failed"], id: "combined-status", "data-status": c.status }, agreed ? "Agreed at every table" : "Failed: not every table agreed")),
      h("dl", { class: "facts" },
        h("dt", {}, "The center's utility of the combined outcome"), h("dd", {}, figure(c.center_utility, "combined-utility"))),
      h("h3", {}, "Outcome at each table"),
      h("ul", { class: "plain-list", id: "combined-outcomes" }, v.tables.map((t, i) => {
        const o = (c.outcomes || [])[i];
        return h("li", { "data-table": String(t.table), "data-agreed": String(!!o) },
          h("strong", {}, `Table ${t.table} — ${t.edge}: `),
          o ? textList(o, s.frameworks[t.negotiation]) : h("span", { class: "muted" }, "no agreement"),
          hashes[t.negotiation] ? h("p", { class: "small muted hash-line" }, "Log hash: ", h("code", { class: "hash", "data-table": String(t.table) }, hashes[t.negotiation])) : null);
      })),
      h("p", { class: "small" }, "Record hash (SHA-256 over the scenario's name and every table's log hash, in order): ",
        h("code", { class: "hash", id: "combined-hash" }, c.hash)));
  },
});

// The mediator console: parties and invitations, start, the protocol's
// panels (ui/protocols/NAME.js: for the single text its status per point
// with the replies, the vote and the editor), the overlap heat-map,
// suggested packages, the dance plot, versions, messages and relays, the
// decision rule and ratification tracking. The mediator may also preview
// a party's screen, read-only (in place of the console; the store's
// "preview" names the party).
//
// The console is a layout section: it re-renders when what decides which
// sections are shown changes (the start, the agreement, the status), and
// keeps its sections — each re-rendering on its own data — across.

import { h, api, guard, fmt, notice, partyName, statusOf, bigNumber } from "./lib.js";
import { define } from "./component.js";
import { createStore } from "./store.js";
import { partyScreen, roleBrief } from "./party.js";
import { roomHead, statusBanner, versions, messages, decision, ratification, agreement, framework } from "./common.js";
import { implementationCard } from "./compliance.js";
import { mediatorSeats } from "./seats.js";
import { hasMove, titleOf } from "./protocols.js";
import { panelsOf } from "./protocols/index.js";
import { term, glossaryPanel, SOLUTION_TERMS } from "./glossary.js";

const JUMPS = [["implementation", "Implementation"], ["ratification", "Ratification"], ["agreement", "Agreement"], ["current-text", "Text"], ["draft-editor", "Editor"], ["analysis", "Analysis"], ["versions", "Versions"], ["invites", "Invitations"], ["messages", "Messages"]];

export const mediatorScreen = define("parley-mediator-screen", {
  select: (st) => {
    const v = st.view;
    return { started: v.started, status: statusOf(v), agreed: !!(v.started && v.state && v.state.agreement), plan: !!v.plan, protocol: st.protocol && st.protocol.name, preview: st.preview || null };
  },
  connected: (el) => {
    // The analysis is read when the console opens and again once the
    // talks start (the profiles are fixed then).
    const store = el.room.store;
    loadAnalysis(el.room);
    el.onDisconnect(store.select((s) => s.view.started, () => loadAnalysis(el.room)));
  },
  render: (st, el) => {
    const view = st.view, facts = st.protocol;
    const status = statusOf(view);
    const c = (key, make, props) => el.child(key, make, props);
    if (st.preview) return h("div", { class: "room", id: "preview-room" }, c("preview", previewFrame));
    const main = [], side = [], present = new Set();
    const agreed = view.started && view.state && view.state.agreement;
    const steps = (view.decision.ratification || []).length > 0;
    if (agreed) {
      main.push(c("implementation", implementationCard), c("ratification-main", ratification), c("agreement", agreement));
      if (view.plan) present.add("implementation");
      if (steps) present.add("ratification");
      present.add("agreement");
    }
    panelsOf(facts).mediator.forEach((make, k) => main.push(c(`panel-${facts.name}-${k}`, make)));
    present.add("current-text");
    if (hasMove(facts, "draft", "mediator") && (!view.started || view.state.status === "negotiating")) present.add("draft-editor");
    main.push(c("analysis", analysis));
    present.add("analysis");
    if (hasMove(facts, "draft")) {
      main.push(c("versions", versions));
      present.add("versions");
    }
    main.push(c("framework", framework));

    // A student mediator (view.invited) holds the mediator's seat by
    // invitation: the seats and the start are the instructor's.
    if (view.invited) {
      if (view.brief) main.unshift(c("brief", roleBrief));
    } else {
      side.push(c("invites", mediatorSeats));
      present.add("invites");
    }
    side.push(c("decision", decision));
    if (!agreed) {
      side.push(c("ratification-side", ratification));
      if (steps) present.add("ratification");
    }
    if (view.started) {
      side.push(c("messages", messages, { title: "Messages and relays", relay: true }));
      present.add("messages");
    }
    if (view.started && view.state.status === "negotiating") side.push(c("end", endTalks));
    side.push(glossaryPanel());

    return h("div", { class: "room mediator-room", id: "mediator-console", "data-status": status },
      c("head", roomHead, { subtitle: `${view.invited ? "Mediator console (your seat in this room; the instructor issues the seats and opens the talks)" : "Mediator console"} · scenario ${view.scenario} · protocol ${titleOf(facts)} · the mediator sees ${view.settings.mediator_sees === "full" ? "the parties' profiles" : "aggregates only"}` }),
      c("status", statusBanner),
      h("nav", { class: "jump", "aria-label": "Sections of the console" }, JUMPS.filter(([id]) => present.has(id)).map(([id, label]) => h("a", { href: "#" + id, onclick: (e) => {
        e.preventDefault();
        const t = document.getElementById(id);
        if (t) t.scrollIntoView({ behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth", block: "start" });
      } }, label))),
      h("div", { class: "columns" }, h("div", { class: "col-main" }, main), h("aside", { class: "col-side" }, side)));
  },
});

// endTalks ends the session without agreement.
const endTalks = define("parley-end-talks", {
  select: () => 0,
  render: (st, el) => h("section", { class: "card", id: "end-card" }, h("h2", {}, "End the talks"),
    h("p", { class: "muted small" }, "Ends the session without agreement."),
    h("button", { id: "end-talks", class: "danger subtle", onclick: (e) => {
      if (confirm("End the talks without agreement? This cannot be undone.")) el.room.move({ kind: "end" }, e.currentTarget);
    } }, "End the talks")),
});

// ---------------------------------------------------------------- preview

// previewFrame shows a party's screen as the mediator may see it
// (GET .../preview/{party}): read-only, with the party's profile only when
// the negotiation lets the mediator see the profiles. It follows the talks
// (read again when the console's view moves on).
const previewFrame = define("parley-preview", {
  init: () => ({}),
  select: (s) => ({ party: s.preview, seq: s.view.seq }),
  connected: (el) => {
    window.scrollTo(0, 0);
    // The focus goes to the banner (the button that opened the preview
    // is gone): a keyboard or screen reader user starts there.
    requestAnimationFrame(() => {
      const b = document.getElementById("preview-banner");
      if (b) b.focus({ preventScroll: true });
    });
    el.onDisconnect(() => {
      if (el.local.sub) el.local.sub.room.closed = true;
      el.local.sub = null;
    });
  },
  render: (s, el) => previewOf(s, el),
});

function previewOf(s, el) {
  const view = s.view, party = s.preview, ui = el.local;
  if (!ui.sub || ui.sub.party !== party) {
    if (ui.sub) ui.sub.room.closed = true;
    const store = createStore({ view: null, live: { on: false, text: "Preview" }, protocol: s.protocol });
    const sub = { party, store, screen: null, error: null, seq: -1 };
    sub.room = {
      id: view.id, store, closed: false,
      get view() {
        return store.state.view;
      },
      refresh: () => loadPreview(sub, el),
      move: async () => {
        notice("This is a preview: it makes no moves.");
        return null;
      },
    };
    ui.sub = sub;
  }
  const sub = ui.sub;
  if (sub.seq !== view.seq) {
    sub.seq = view.seq;
    loadPreview(sub, el);
  }
  const v = sub.store.state.view;
  const full = view.settings.mediator_sees === "full";
  // Back on the console, the focus returns to the party's Preview button.
  const exit = () => {
    el.room.store.set({ preview: null });
    requestAnimationFrame(() => {
      const b = document.getElementById(`preview-${party}`);
      if (b) b.focus();
    });
  };
  return [
    h("div", { class: "note", id: "preview-banner", "data-party": party, role: "status", tabindex: "-1" },
      h("strong", {}, `Preview of ${partyName(view, party)}'s screen (read-only). `),
      full ? "It shows the party's profile, as this negotiation lets you see the profiles." : "The party's private numbers (its profile, reservation and utilities) are not shown: this negotiation lets you see aggregates only.",
      " ",
      h("button", { type: "button", id: "preview-exit", class: "small-button", onclick: exit }, "Back to the console")),
    sub.error ? h("p", { class: "error-text", id: "preview-error" }, sub.error) : null,
    v ? (sub.screen = sub.screen || partyScreen(sub.room)) : h("p", { class: "loading" }, "Loading the preview…"),
  ];
}

// loadPreview reads the preview into the preview's own store.
function loadPreview(sub, el) {
  const party = sub.party;
  return api("GET", `/api/negotiations/${sub.room.id}/preview/${encodeURIComponent(party)}`).then((v) => {
    if (sub.room.closed) return;
    const first = !sub.store.state.view;
    sub.error = null;
    sub.store.set({ view: v });
    if (first) el.update();
  }).catch((e) => {
    if (sub.room.closed) return;
    sub.error = `The preview is not available: ${e.message}`;
    el.update();
  });
}

// ---------------------------------------------------------------- analysis

// loadAnalysis reads the analysis into the store (analysis: {loading,
// started, data, error}) unless it is loading or was read for the same
// stage of the talks; force reads it again.
function loadAnalysis(room, force) {
  const store = room.store, view = store.state.view;
  const a = store.state.analysis;
  if (!force && a && (a.loading || a.started === view.started)) return;
  const started = view.started;
  store.set({ analysis: { loading: true, started, data: a ? a.data : null, error: null } });
  api("GET", `/api/negotiations/${view.id}/analysis`).then((data) => {
    if (!room.closed) store.set({ analysis: { loading: false, started, data, error: null } });
  }).catch((e) => {
    if (!room.closed) store.set({ analysis: { loading: false, started, data: null, error: e.message } });
  });
}

// analysis is the areas of overlap: the zone, the suggested packages, the
// heat-map and the dance plot.
const analysis = define("parley-analysis", {
  select: (s) => ({ analysis: s.analysis || null, text: s.view.state && s.view.state.text, current: s.view.state && s.view.state.current, names: s.view.parties }),
  render: (s, el) => analysisSection(s, el.room),
});

function analysisSection(s, room) {
  const view = s.view, a = s.analysis || {};
  const data = a.data;
  const head = h("div", { class: "card-head" }, h("h2", {}, "Areas of overlap"),
    a.loading ? h("span", { class: "badge", id: "analysis-loading" }, "computing…") : null,
    h("button", { type: "button", id: "analysis-refresh", class: "small-button", disabled: !!a.loading, onclick: () => loadAnalysis(room, true) }, "Recompute"));
  if (!data) {
    return h("section", { id: "analysis", class: "card" }, head,
      a.error ? h("p", { class: "error-text", id: "analysis-error" }, `The analysis is not available: ${a.error}`) : h("p", { class: "muted" }, "Computing the agreement zone, the frontier and the suggested packages — this takes a few seconds for a large framework…"));
  }
  const full = data.access === "full";
  const parties = data.parties || [];
  const f = view.framework;
  const text = view.state && view.state.text;
  const zone = h("p", { id: "zone-summary" }, term("zone", "Agreement zone"), ": ", data.zone_exact ? "" : "about ", h("strong", {}, bigNumber(data.zone_size)), " of ", bigNumber(data.outcomes), ` packages (${fmt.pct(data.zone_fraction, 2)}) are acceptable to every party (above its `, term("reservation", "reservation value"), ") and cross no ", term("redline", "red line"), `${data.zone_exact ? "" : " (estimated by sampling)"}.`);
  // Interactions: said when some profile has them (per party only when
  // the mediator sees the profiles), with how exact the frontier is, as
  // the analysis reports it.
  const frontierNote = data.frontier_method ? [" The ", term("frontier", "Pareto frontier"), data.frontier_exact ? " is exact" : " is approximate", ` (${data.frontier_method}).`] : null;
  const interactions = data.interactions
    ? h("p", { id: "analysis-interactions", class: "note", "data-exact": String(!!data.frontier_exact) }, "Some profiles have ", term("interaction", "combinations"), ": an option worth more or less to a party together with another, so a package's worth is not just the sum over its points. The zone and the suggested packages account for them; the heat-map's scores and weights are the points' own parts.",
      full && data.party_interactions ? ` ${parties.map((p, k) => `${partyName(view, p)}: ${data.party_interactions[k] || 0}`).join(", ")}.` : "",
      frontierNote)
    : frontierNote ? h("p", { id: "analysis-frontier", class: "muted small", "data-exact": String(!!data.frontier_exact) }, frontierNote) : null;
  const sugg = h("div", { id: "suggestions", class: "suggestions" }, (data.suggestions || []).map((sg) => {
    const diff = text ? sg.package.filter((l, i) => !(text[i].length === 1 && text[i][0] === l)).length : null;
    return h("div", { class: "suggestion", "data-testid": `suggestion-${sg.name}` },
      h("div", { class: "suggestion-head" }, h("strong", {}, SOLUTION_TERMS[sg.name] ? term(SOLUTION_TERMS[sg.name], sg.name) : sg.name)),
      sg.utilities ? h("table", { class: "mini" }, h("tbody", {}, sg.utilities.map((u, k) => h("tr", {}, h("td", {}, partyName(view, parties[k])), h("td", { class: "num" }, fmt.num(u)))))) : null,
      diff !== null ? h("p", { class: "muted small" }, diff ? `Differs from the current text on ${diff} ${diff === 1 ? "point" : "points"}.` : "Same as the current text.") : null,
      h("details", {}, h("summary", {}, "The package"), h("ul", { class: "lines" }, (sg.lines || []).map((l) => h("li", {}, l)))),
      // The package goes where this protocol's mediator composes: the
      // draft editor, or the proposal form (ui/protocols/shared.js); a
      // protocol where the mediator does neither offers no button.
      hasMove(s.protocol, "draft") ? h("button", { type: "button", id: `use-suggestion-${sg.name}`, class: "small-button", onclick: () => {
        const st = room.store.state.view.state;
        room.store.set({ draft: { text: sg.package.map((l) => [l]), dirty: true, version: st ? st.version : 0 } });
        notice(`The "${sg.name}" package is in the editor: review it and send it as a draft.`);
        focusIn("draft-editor", "draft-send");
      } }, "Use as draft") : hasMove(s.protocol, "propose", "mediator") ? h("button", { type: "button", id: `use-suggestion-${sg.name}`, class: "small-button", onclick: () => {
        room.store.set({ proposal: { package: sg.package.slice(), at: Date.now() } });
        notice(`The "${sg.name}" package is in the proposal form: review it and propose it.`);
        focusIn("propose-form", "propose-submit");
      } }, "Use as proposal") : null);
  }));
  const heat = heatmap(view, data, text);
  const dance = full
    ? h("figure", { id: "dance", class: "dance" }, h("img", { id: "dance-plot", src: `/api/negotiations/${view.id}/dance.svg?v=${view.seq}`, alt: "Negotiation dance: the packages on the table in the utility space of two parties, with the Pareto frontier and the Nash point" }),
      h("figcaption", { class: "muted small" }, "The ", term("dance", "negotiation dance"), ": every complete package put on the table, in the ", term("utility", "utility"), " space of the first two parties, with the ", term("frontier", "Pareto frontier"), " and the ", term("nash", "Nash point"), "."))
    : h("p", { id: "dance-hidden", class: "note" }, "The dance plot shows the parties' utilities; this negotiation's setting lets the mediator see aggregates only, so it is hidden.");
  return h("section", { id: "analysis", class: "card" }, head, zone, interactions,
    h("h3", {}, "Suggested packages"),
    h("p", { class: "help" }, "Fair compromises computed from the profiles: the ", term("nash", "Nash"), " and ", term("kalai", "Kalai–Smorodinsky"), " packages and others, each ", term("pareto", "Pareto-efficient"), ", with what it is worth to each party (its ", term("utility", "utility"), ")."),
    (data.suggestions || []).length ? sugg : h("p", { class: "note", id: "suggestions-empty" }, data.zone_size === 0
      ? ["No suggestion: the ", term("zone", "agreement zone"), " is empty — every package falls below some party's ", term("reservation", "reservation value"), " or crosses a ", term("redline", "red line"), ", so no package is acceptable to all. The talks can still narrow the gap: draft a package and read the responses, or ask the parties whether a reservation value or a red line can move."]
      : "No suggestion could be computed for this scenario."),
    h("h3", {}, "Heat-map of the overlap"),
    h("p", { class: "help" }, full ? "Per option: how often it appears in the agreement zone, and how good it is for each party (its score as a share of the party's best option on the point)." : "Per option: how often it appears in the agreement zone. This setting hides the parties' own figures."),
    heat,
    h("h3", {}, "Negotiation dance"), dance);
}

// focusIn brings the section with the id into view once it has
// re-rendered, and puts the focus on its button (its first field while
// the button is disabled): a keyboard user who chose "Use as draft" is
// where the package went, not left below it.
function focusIn(section, button) {
  requestAnimationFrame(() => {
    const el = document.getElementById(section);
    if (!el) return;
    el.scrollIntoView({ block: "start" });
    const b = document.getElementById(button);
    const target = b && !b.disabled ? b : el.querySelector("input:not([disabled]), select:not([disabled]), button:not([disabled])");
    if (target) target.focus();
  });
}

function heatmap(view, data, text) {
  const full = data.access === "full";
  const parties = data.parties || [];
  const shareCell = (o) => {
    if (o.possible === "no") return h("td", { class: "heat excluded", title: "No package of the zone uses it" }, "excluded");
    const sh = typeof o.share === "number" && isFinite(o.share) ? o.share : 0;
    // Light enough at most for dark text to keep a 4.5:1 contrast.
    const bg = `rgba(46, 125, 80, ${(0.06 + 0.5 * Math.sqrt(sh)).toFixed(3)})`;
    return h("td", { class: "heat", style: `background:${bg}`, title: o.possible === "unknown" ? "Not decided within the search budget" : "" }, o.possible === "unknown" ? "?" : fmt.pct(sh));
  };
  const scoreCell = (v) => h("td", { class: ["heat", "score"], style: `background:rgba(43, 92, 138, ${(0.05 + 0.45 * v).toFixed(3)})` }, fmt.num(v, 2));
  const rows = [];
  data.points.forEach((hp, i) => {
    hp.options.forEach((o, l) => {
      const inText = text && text[i] && text[i].includes(l);
      rows.push(h("tr", { class: [l === 0 ? "group-start" : "", inText ? "in-text" : ""], "data-testid": `heat-${i}-${l}` },
        l === 0 ? h("td", { class: "point-cell", rowspan: hp.options.length }, hp.title,
          full && hp.weights ? h("div", { class: "muted small" }, "weight: ", hp.weights.map((w, k) => `${partyName(view, parties[k])} ${fmt.pct(w)}`).join(" · ")) : null) : null,
        h("td", { class: "opt-cell" }, o.label || o.option, inText ? h("span", { class: "in-text-mark", title: "In the current text" }, " ●") : null),
        shareCell(o),
        full ? (o.scores || []).map(scoreCell) : null));
    });
  });
  return h("div", { class: "heat-wrap", tabindex: 0, role: "region", "aria-label": "Heat-map of the overlap (scrolls)" }, h("table", { id: "heatmap", class: "heatmap", "data-access": data.access },
    h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, "Option"), h("th", {}, "In the zone"), full ? parties.map((p) => h("th", {}, partyName(view, p))) : null)),
    h("tbody", {}, rows)));
}


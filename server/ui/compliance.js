// The compliance dashboard: the implementation of the agreement as the
// plan's status derives it (GET /api/negotiations/{id}/plan): the timeline
// of the phases, the status per party and per commitment, the triggers,
// the reports with their responses (filtered by party, commitment,
// finding, severity and status), the verifier's report form and the
// parties' responses. It is a verifier's only screen; parties, observers
// and the mediator reach it from the room once there is an agreement.
// Every batch of events on the room's stream re-reads the status, and a
// timer re-reads it when the clock alone changes it (Status.next).
//
// The plan's status lives in the room's store (plan: {key, data, error}),
// with the instant asked (at: null for live), the timer's ticks
// (planTick) and the reports' filters (filter); each part of the
// dashboard is a section that selects what it shows of them, so a report
// filed elsewhere leaves the report being written alone.

import { h, s, api, guard, notice, partyName, verifierName, link } from "./lib.js";
import { define } from "./component.js";
import { roomHead, statusBanner } from "./common.js";
import { seatNotice } from "./seats.js";

const STATUSES = ["pending", "due", "fulfilled", "late", "violated", "disputed"];
const SEVERITIES = ["minor", "major", "grave"];
const DAY = 24 * 3600 * 1000;

// utc writes an instant in the plan's clock, UTC.
export function utc(t, withTime = true) {
  if (!t) return "";
  const d = new Date(t);
  if (isNaN(d) || d.getUTCFullYear() < 2) return "";
  const iso = d.toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10);
}

// localInput is an instant as the value of a datetime-local field that
// reads UTC (to the second); fromInput reads such a value back.
function localInput(t) {
  return new Date(t).toISOString().slice(0, 19);
}
function fromInput(v) {
  if (!v) return null;
  const d = new Date(v.length === 16 ? v + ":00Z" : v + "Z");
  return isNaN(d) ? null : d.toISOString();
}

function statusText(c) {
  if (c.status === "due" && c.kind === "continuous") return "in effect";
  return c.status;
}

function statusBadge(c, id) {
  return h("span", { class: ["badge", "cst-" + c.status], id, "data-status": c.status, title: c.reason || null },
    statusText(c), c.late && c.status !== "late" ? " · late" : "");
}

// loadPlan reads the plan's status when the log or the asked instant
// changed, and arms a timer for the next change by the clock alone.
function loadPlan(room) {
  const store = room.store, st = store.state, view = st.view;
  const at = st.at || "";
  const key = `${view.seq}|${at}|${st.planTick || 0}`;
  if ((st.plan && st.plan.key === key) || room.planLoading === key) return;
  room.planLoading = key;
  const q = at ? `?at=${encodeURIComponent(at)}` : "";
  api("GET", `/api/negotiations/${view.id}/plan${q}`).then((data) => {
    if (room.closed) return;
    store.set({ plan: { key, data, error: null } });
    clearTimeout(room.planTimer);
    const next = !at && data.status && data.status.next ? new Date(data.status.next) - Date.now() : null;
    if (next !== null && next < 2 ** 31 - 1) {
      room.planTimer = setTimeout(() => {
        if (!room.closed) store.set({ planTick: (store.state.planTick || 0) + 1 });
      }, Math.max(next, 0) + 500);
    }
  }).catch((e) => {
    if (!room.closed) store.set({ plan: { key, data: store.state.plan ? store.state.plan.data : null, error: e.message } });
  }).finally(() => {
    if (room.planLoading === key) room.planLoading = null;
  });
}

const pvOf = (s) => (s.plan && s.plan.data) || null;

// complianceScreen is the dashboard's layout: which parts are shown
// depends on whether there is an agreement and whether the caller reports.
export const complianceScreen = define("parley-compliance-screen", {
  connected: (el) => {
    const room = el.room, store = room.store;
    loadPlan(room);
    el.onDisconnect(store.select((st) => [st.view.seq, st.at || "", st.planTick || 0], () => loadPlan(room)));
    el.onDisconnect(() => clearTimeout(room.planTimer));
    // The root's data attributes follow every reading (no re-render).
    const mark = () => {
      const pv = pvOf(store.state), r = el.querySelector("#compliance");
      if (!pv || !r) return;
      r.dataset.at = pv.at;
      r.dataset.agreement = String(pv.agreement);
      r.dataset.reports = String((pv.reports || []).length);
    };
    el.onDisconnect(store.subscribe(mark));
    queueMicrotask(mark);
  },
  select: (st) => {
    const pv = pvOf(st);
    return { role: st.view.role, loaded: !!pv, error: !pv && st.plan ? st.plan.error : null, agreement: pv ? !!pv.agreement : null, reporter: pv ? pv.reporter || null : null };
  },
  render: (st, el) => {
    const view = st.view, pv = pvOf(st);
    const c = (key, make, props) => el.child(key, make, props);
    const me = view.role === "verifier" ? view.verifier : view.party;
    const seatName = view.role === "verifier" ? verifierName(view, me) : partyName(view, me);
    const subtitle = view.role === "verifier" ? `Verifier: ${seatName}` : view.role === "mediator" ? "Mediator · implementation of the agreement" : view.role === "observer" ? "Observer · implementation of the agreement" : `Delegation of ${seatName} · implementation of the agreement`;
    const head = [c("head", roomHead, { subtitle }), c("status", statusBanner), c("seat-notice", seatNoticeSection), tabs(view)];
    if (!pv) {
      return h("div", { class: "room compliance", id: "compliance" }, head,
        h("section", { class: "card" }, st.plan && st.plan.error ? h("p", { class: "error-text", id: "plan-error" }, `The implementation status is not available: ${st.plan.error}`) : h("p", { class: "muted", id: "plan-loading" }, "Reading the implementation plan…")));
    }
    const main = [], side = [];
    if (!pv.agreement) {
      main.push(c("no-agreement", noAgreement), c("outline", planOutline));
    } else {
      main.push(c("summary", summary), c("timeline", timeline), c("parties", partiesTable), c("commitments", commitmentsTable), c("reports", reportsSection));
      if (pv.reporter) side.push(c("report-form", reportForm));
      side.push(c("triggers", triggersSection));
    }
    side.push(documentLinks(view));
    side.push(c("verifiers", verifiersSection));
    return h("div", { class: "room compliance", id: "compliance", "data-at": pv.at, "data-agreement": String(pv.agreement), "data-reports": String((pv.reports || []).length) },
      head, h("div", { class: "columns" }, h("div", { class: "col-main" }, main), h("aside", { class: "col-side" }, side)));
  },
});

const seatNoticeSection = define("parley-seat-notice", {
  select: (st) => st.view.seat || null,
  render: (st) => seatNotice(st.view),
});

const noAgreement = define("parley-no-agreement", {
  select: (st) => pvOf(st).reason || "",
  render: (st) => h("section", { class: "card", id: "no-agreement" }, h("h2", {}, "No agreement to implement yet"),
    h("p", {}, pvOf(st).reason || ""),
    h("p", { class: "muted small" }, st.view.role === "verifier" ? "Your seat files reports once the parties have agreed. This page updates by itself." : "The dashboard fills in once the parties agree.")),
});

function tabs(view) {
  if (view.role === "verifier") return null;
  return h("nav", { class: "tabs", id: "room-tabs", "aria-label": "Screens of the negotiation" },
    link(`/n/${view.id}`, "The talks", { id: "tab-talks" }),
    h("span", { class: "tab current", id: "tab-compliance", "aria-current": "page" }, "Implementation"));
}

// ---------------------------------------------------------------- summary

const summary = define("parley-plan-summary", {
  select: (st) => {
    const pv = pvOf(st);
    return { at: pv.at, status: pv.status, session: pv.session_status, asked: st.at || null };
  },
  render: (st, el) => summaryOf(pvOf(st), !st.at, (v) => el.room.store.set({ at: v })),
});

function summaryOf(pv, live, setAt) {
  const stt = pv.status, m = stt.milestones || {};
  const counts = {};
  for (const c of stt.commitments) counts[c.status] = (counts[c.status] || 0) + 1;
  const shift = (days) => setAt(new Date(new Date(pv.at).getTime() + days * DAY).toISOString());
  return h("section", { class: "card", id: "plan-summary" },
    h("div", { class: "card-head" }, h("h2", {}, "Implementation of the agreement"),
      live ? h("span", { class: "badge st-in-force", id: "plan-live" }, "live") : h("span", { class: "badge st-pending-ratification", id: "plan-asof" }, "as of a chosen time")),
    h("dl", { class: "facts" },
      h("dt", {}, "Agreement"), h("dd", { id: "milestone-agreement" }, utc(m.agreement) || "—"),
      h("dt", {}, "Entry into force"), h("dd", { id: "milestone-in-force" }, utc(m.entry_into_force) || (pv.session_status === "failed" ? "ratification failed" : "pending ratification")),
      h("dt", {}, "Status at"), h("dd", { id: "plan-at" }, utc(pv.at), stt.next ? h("span", { class: "muted small" }, ` · next change by the clock: ${utc(stt.next)}`) : null)),
    h("div", { class: "summary-row", id: "status-counts" }, STATUSES.map((k) => h("span", { class: ["badge", "cst-" + k], "data-testid": `count-${k}` }, `${counts[k] || 0} ${k}`)),
      (stt.triggers || []).length ? h("span", { class: "badge cst-violated", id: "count-triggers" }, `${stt.triggers.length} triggered`) : null),
    h("div", { class: "inline-form", id: "at-form" },
      h("label", { for: "compliance-at" }, "Status at (UTC)"),
      h("input", { type: "datetime-local", id: "compliance-at", step: 1, value: localInput(pv.at), onchange: (e) => {
        const v = fromInput(e.target.value);
        if (v) setAt(v);
      } }),
      h("button", { type: "button", class: "small-button", id: "at-minus-30", onclick: () => shift(-30) }, "−30 days"),
      h("button", { type: "button", class: "small-button", id: "at-plus-30", onclick: () => shift(30) }, "+30 days"),
      h("button", { type: "button", class: "small-button", id: "compliance-now", disabled: live, onclick: () => setAt(null) }, "Now")),
    live ? null : h("p", { class: "muted small" }, "Reports recorded after this instant are not counted; a later instant shows what the clock alone would change if nothing more were reported."));
}

// ---------------------------------------------------------------- timeline

// timeline draws the phases and their commitments on one time axis from
// the agreement: a bar per commitment from its start to its deadline
// (continuous ones run on), coloured by status, the violations reported
// as red marks, the triggers, entry into force and the instant shown.
const timeline = define("parley-timeline", {
  select: (st) => {
    const pv = pvOf(st);
    return { at: pv.at, status: pv.status, reports: pv.reports };
  },
  render: (st) => timelineOf(pvOf(st)),
});

function timelineOf(pv) {
  const stt = pv.status, m = stt.milestones || {};
  const t0 = new Date(m.agreement).getTime();
  const at = new Date(pv.at).getTime();
  const byId = Object.fromEntries(stt.commitments.map((c) => [c.id, c]));
  const times = [at, t0 + 30 * DAY];
  for (const c of stt.commitments) for (const k of ["start", "due", "since"]) if (c[k]) times.push(new Date(c[k]).getTime());
  const t1 = Math.max(...times) + 7 * DAY;
  const W = 900, L = 250, R = 16, rowH = 19, headH = 24, top = 30;
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const rows = [];
  for (const ph of stt.phases) {
    const cs = ph.commitments.map((id) => byId[id]).filter(Boolean);
    if (!cs.length) continue;
    rows.push({ phase: ph });
    for (const c of cs) rows.push({ c });
  }
  const H = top + rows.reduce((n, r) => n + (r.phase ? headH : rowH), 0) + 10;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: "timeline", id: "timeline", role: "img", "aria-label": "Timeline of the implementation" });
  // Month ticks from the agreement.
  const span = (t1 - t0) / DAY;
  const step = span > 400 ? 90 : span > 150 ? 30 : span > 50 ? 14 : 7;
  for (let d = 0; t0 + d * DAY <= t1; d += step) {
    const xx = x(t0 + d * DAY);
    svg.append(s("line", { x1: xx, x2: xx, y1: top - 6, y2: H - 6, class: "tl-grid" }),
      s("text", { x: xx, y: top - 10, class: "tl-axis", "text-anchor": "middle", text: d === 0 ? "day 0" : `day ${d}` }));
  }
  const vline = (t, cls, label, dy) => {
    if (!t) return;
    const xx = x(new Date(t).getTime());
    if (xx < L || xx > W - R) return;
    svg.append(s("line", { x1: xx, x2: xx, y1: top - 4, y2: H - 6, class: cls }));
    if (label) svg.append(s("text", { x: xx + 3, y: H - 8 - (dy || 0), class: "tl-label " + cls, text: label }));
  };
  let y = top;
  const violations = (pv.reports || []).filter((r) => r.finding === "violation" && !r.replaced_by);
  for (const r of rows) {
    if (r.phase) {
      const ph = r.phase;
      const g = s("g", { class: "tl-phase", "data-testid": `timeline-phase-${ph.id || "none"}` });
      const name = (ph.title || ph.id || "Other commitments") + (ph.complete ? " ✓" : "");
      g.append(s("title", { text: name }), s("rect", { x: 0, y, width: W, height: headH - 2, class: "tl-phase-band" }),
        s("text", { x: 6, y: y + 15, class: "tl-phase-title", text: trim(name, 36) }));
      if (ph.start) {
        const a = x(new Date(ph.start).getTime()), b = ph.end ? x(new Date(ph.end).getTime()) : W - R;
        g.append(s("rect", { x: a, y: y + 6, width: Math.max(b - a, 2), height: 8, rx: 2, class: "tl-phase-span" }));
      }
      svg.append(g);
      y += headH;
      continue;
    }
    const c = r.c;
    const g = s("g", { class: "tl-row", "data-testid": `timeline-${c.id}`, "data-status": c.status });
    g.append(s("title", { text: `${c.title || c.id}: ${statusText(c)}${c.reason ? " — " + c.reason : ""}` }));
    g.append(s("text", { x: 14, y: y + 13, class: "tl-name", text: trim(c.title || c.id, 38) }));
    const cy = y + 4;
    if (c.start) {
      const a = x(new Date(c.start).getTime());
      let end;
      if (c.status === "fulfilled" && c.since) end = new Date(c.since).getTime();
      else if (c.kind === "continuous") end = Math.max(at, new Date(c.start).getTime());
      else if (c.due) end = new Date(c.due).getTime();
      else end = at;
      const b = x(Math.min(end, t1));
      g.append(s("rect", { x: a, y: cy, width: Math.max(b - a, 3), height: rowH - 8, rx: 3, class: "tl-bar cst-" + c.status }));
      if (c.kind === "continuous") g.append(s("path", { d: `M${b},${cy} l6,${(rowH - 8) / 2} l-6,${(rowH - 8) / 2} z`, class: "tl-bar cst-" + c.status }));
    } else {
      g.append(s("text", { x: L + 4, y: y + 13, class: "tl-pending", text: c.reason ? trim(c.reason, 80) : "pending" }));
    }
    if (c.due && c.kind === "once") {
      const d = x(new Date(c.due).getTime());
      g.append(s("path", { d: `M${d},${cy - 2} v${rowH - 4}`, class: "tl-due" }));
    }
    for (const v of violations.filter((v) => v.commitment === c.id)) {
      const vx = x(new Date(v.when).getTime());
      const mark = s("path", { d: `M${vx},${cy - 2} l4,${(rowH - 4) / 2} l-4,${(rowH - 4) / 2} l-4,${-(rowH - 4) / 2} z`, class: "tl-violation sev-" + v.severity });
      mark.append(s("title", { text: `${v.severity} violation by ${v.party} on ${utc(v.when)} (report ${v.seq})` }));
      g.append(mark);
    }
    svg.append(g);
    y += rowH;
  }
  vline(m.entry_into_force, "tl-inforce", "in force", 10);
  vline(pv.at, "tl-now", utc(pv.at, false));
  return h("section", { class: "card", id: "timeline-card" },
    h("h2", {}, "Timeline of the phases"),
    h("div", { class: "timeline-wrap" }, svg),
    h("p", { class: "legend small" }, STATUSES.map((k) => h("span", { class: "legend-item" }, h("span", { class: ["swatch", "cst-" + k] }), k)),
      h("span", { class: "legend-item" }, h("span", { class: "swatch tl-violation-swatch" }), "violation reported"),
      h("span", { class: "legend-item muted" }, "| deadline · ▸ continuous, runs on")));
}

function trim(t, n) {
  return t.length > n ? t.slice(0, n - 1) + "…" : t;
}

// ---------------------------------------------------------------- tables

const partiesTable = define("parley-party-status", {
  select: (st) => pvOf(st).status.parties,
  render: (st) => partiesTableOf(st.view, pvOf(st)),
});

function partiesTableOf(view, pv) {
  const parties = pv.status.parties || [];
  return h("section", { class: "card", id: "party-status" },
    h("h2", {}, "Status per party"),
    h("div", { class: "table-scroll" }, h("table", { class: "counts-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Party"), STATUSES.map((k) => h("th", { class: "num" }, k)), h("th", { class: "num", title: "standing violation reports attributed to the party" }, "violations"), h("th", {}, "Commitments"))),
      h("tbody", {}, parties.map((r) => h("tr", { "data-testid": `party-status-${r.id}`, "data-violations": String(r.violations) },
        h("td", {}, partyName(view, r.id)),
        STATUSES.map((k) => h("td", { class: ["num", r.counts[k] ? "cst-text-" + k : "muted"] }, String(r.counts[k] || 0))),
        h("td", { class: ["num", r.violations ? "cst-text-violated" : "muted"] }, String(r.violations)),
        h("td", { class: "small muted" }, `${r.commitments.length} owned`)))))));
}

// setFilter sets one of the dashboard's filters (in the store: the
// commitments' and the reports' filters are cleared together).
const setFilter = (store, k, v) => store.set({ filter: Object.assign({}, store.state.filter, { [k]: v }) });

const commitmentsTable = define("parley-commitments", {
  select: (st) => {
    const pv = pvOf(st);
    return { commitments: pv.status.commitments, na: pv.status.not_applicable, plan: pv.plan, filter: st.filter || {} };
  },
  render: (st, el) => commitmentsTableOf(st.view, st.filter || {}, pvOf(st), (k, v) => setFilter(el.room.store, k, v)),
});

function commitmentsTableOf(view, f, pv, set) {
  const plan = pv.plan;
  const defs = Object.fromEntries(plan.commitments.map((c) => [c.id, c]));
  const cs = pv.status.commitments.filter((c) => (!f.party || c.owners.includes(f.party)) && (!f.cstatus || c.status === f.cstatus));
  const na = pv.status.not_applicable || [];
  return h("section", { class: "card", id: "commitments" },
    h("div", { class: "card-head" }, h("h2", {}, "Status per commitment"),
      h("select", { id: "filter-cstatus", "aria-label": "Status", onchange: (e) => set("cstatus", e.target.value) },
        h("option", { value: "" }, "every status"), STATUSES.map((k) => h("option", { value: k, selected: f.cstatus === k }, k)))),
    h("div", { class: "table-scroll" }, h("table", { class: "commitments-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Commitment"), h("th", {}, "Owners"), h("th", {}, "Verifier"), h("th", {}, "Status"), h("th", {}, "Since"), h("th", {}, "Due"), h("th", {}, "Why"))),
      h("tbody", {}, cs.map((c) => h("tr", { "data-testid": `commitment-${c.id}`, "data-status": c.status },
        h("td", { class: "point-cell" }, c.title || c.id, h("div", { class: "muted small" }, `${c.kind}${c.phase ? " · " + phaseTitle(plan, c.phase) : ""}`),
          defs[c.id] && defs[c.id].evidence ? h("details", { class: "small evidence-required" }, h("summary", {}, "evidence required"), h("p", {}, defs[c.id].evidence)) : null),
        h("td", {}, c.owners.map((o) => partyName(view, o)).join(", ")),
        h("td", { class: "small" }, verifierName(view, c.verifier)),
        h("td", {}, statusBadge(c, `cstatus-${c.id}`), c.violations ? h("div", { class: "small cst-text-violated" }, `${c.violations} violation${c.violations > 1 ? "s" : ""}`) : null),
        h("td", { class: "small nowrap", title: utc(c.since) }, utc(c.since, false), c.held_since ? h("div", { class: "muted", title: utc(c.held_since) }, `held since ${utc(c.held_since, false)}`) : null),
        h("td", { class: ["small", "nowrap", c.late ? "cst-text-late" : ""], title: c.due ? utc(c.due) : null }, c.due ? utc(c.due, false) : "—"),
        h("td", { class: "small reason-cell" }, c.reason)))))),
    cs.length === 0 ? h("p", { class: "muted" }, "No commitment matches the filter.") : null,
    na.length ? h("details", { class: "small", id: "not-applicable" }, h("summary", {}, `${na.length} commitments of the plan do not apply to this agreement`),
      h("ul", {}, na.map((n) => h("li", {}, h("strong", {}, n.title || n.id), ": ", n.reason)))) : null);
}

function phaseTitle(plan, id) {
  const p = (plan.phases || []).find((x) => x.id === id);
  return p && p.title ? p.title : id;
}

const triggersSection = define("parley-triggers", {
  select: (st) => ({ triggers: pvOf(st).status.triggers, plan: pvOf(st).plan }),
  render: (st) => triggersOf(st.view, pvOf(st)),
});

function triggersOf(view, pv) {
  const ts = pv.status.triggers || [];
  if (!ts.length) return null;
  const title = (id) => (pv.plan.commitments.find((c) => c.id === id) || {}).title || id;
  return h("section", { class: "card trig", id: "triggers" },
    h("h2", {}, "Triggered consequences"),
    h("ul", { class: "plain" }, ts.map((t) => h("li", { "data-testid": `trigger-${t.commitment}` },
      h("strong", {}, title(t.commitment)), " is owed",
      t.due ? ` by ${utc(t.due)}` : "",
      h("div", { class: "muted small" }, `${t.severity || ""} violation of ${title(t.source)}${t.party ? " by " + partyName(view, t.party) : ""} (report #${t.report}, ${utc(t.at)})`)))));
}

// ---------------------------------------------------------------- reports

function reportStatus(r) {
  if (r.replaced_by) return "replaced";
  if (r.disputed) return "disputed";
  return "standing";
}

const reportsSection = define("parley-reports", {
  init: () => ({ respText: {} }),
  select: (st) => {
    const pv = pvOf(st);
    return { reports: pv.reports, commitments: pv.status.commitments, plan: pv.plan, responder: pv.responder || null, filter: st.filter || {} };
  },
  render: (st, el) => reportsOf(st.view, el.local, st.filter || {}, pvOf(st), el.room),
});

function reportsOf(view, ui, f, pv, room) {
  const reports = pv.reports || [];
  const owners = [];
  for (const c of pv.status.commitments) for (const o of c.owners) if (!owners.includes(o)) owners.push(o);
  const shown = reports.filter((r) => (!f.party || r.party === f.party || (!r.party && (r.owners || []).includes(f.party))) &&
    (!f.commitment || r.commitment === f.commitment) && (!f.finding || r.finding === f.finding) &&
    (!f.severity || r.severity === f.severity) && (!f.rstatus || reportStatus(r) === f.rstatus));
  const set = (k) => (e) => setFilter(room.store, k, e.target.value);
  const sel = (id, k, label, opts) => h("select", { id, "aria-label": label, onchange: set(k) },
    h("option", { value: "" }, label), opts.map(([v, t]) => h("option", { value: v, selected: f[k] === v }, t)));
  const title = (id) => (pv.plan.commitments.find((c) => c.id === id) || {}).title || id;
  return h("section", { class: "card", id: "reports" },
    h("div", { class: "card-head" }, h("h2", {}, "Reports and responses"), h("span", { class: "badge", id: "reports-count" }, `${shown.length} of ${reports.length}`)),
    h("div", { class: "filters", id: "report-filters" },
      sel("filter-party", "party", "every party", owners.map((p) => [p, partyName(view, p)])),
      sel("filter-commitment", "commitment", "every commitment", pv.status.commitments.map((c) => [c.id, trim(c.title || c.id, 40)])),
      sel("filter-finding", "finding", "every finding", [["violation", "violations"], ["compliance", "compliance"], ["fulfilled", "fulfilled"]]),
      sel("filter-severity", "severity", "any severity", SEVERITIES.map((x) => [x, x])),
      sel("filter-status", "rstatus", "any status", [["standing", "standing"], ["disputed", "disputed"], ["replaced", "replaced"]]),
      Object.values(f).some(Boolean) ? h("button", { type: "button", class: "link-button", id: "filter-clear", onclick: () => room.store.set({ filter: {} }) }, "Clear filters") : null),
    shown.length === 0 ? h("p", { class: "muted", id: "reports-empty" }, reports.length ? "No report matches the filters." : "No report yet.") : null,
    h("ol", { class: "reports", id: "report-list" }, shown.slice().reverse().map((r) => reportItem(view, ui, pv, r, title, room.refresh))));
}

function reportItem(view, ui, pv, r, title, refresh) {
  const rs = reportStatus(r);
  const mine = pv.responder && (r.responses || []).some((x) => x.party === pv.responder);
  const canRespond = pv.responder && !mine;
  ui.respText = ui.respText || {};
  const respond = (answer, btn) => guard(async () => {
    const el = document.getElementById(`respond-text-${r.seq}`);
    const text = (el ? el.value : ui.respText[r.seq] || "").trim();
    await api("POST", `/api/negotiations/${view.id}/moves`, { kind: "response", response: { report: r.seq, answer, text } });
    delete ui.respText[r.seq];
    notice(answer === "dispute" ? `You dispute report #${r.seq}.` : `You accept report #${r.seq}.`);
    await refresh();
  }, btn);
  return h("li", { class: ["report", "finding-" + r.finding, "rst-" + rs], "data-testid": `report-${r.seq}`, "data-status": rs, "data-finding": r.finding },
    h("div", { class: "report-head" },
      h("span", { class: ["badge", r.finding === "violation" ? "cst-violated" : r.finding === "fulfilled" ? "cst-fulfilled" : "cst-due"] },
        r.finding === "violation" ? `${r.severity} violation` : r.finding),
      h("strong", {}, " ", title(r.commitment)),
      r.party ? h("span", {}, " by ", partyName(view, r.party)) : null,
      rs !== "standing" ? h("span", { class: ["badge", rs === "disputed" ? "cst-disputed" : "cst-pending"] }, rs === "replaced" ? `replaced by #${r.replaced_by}` : "disputed") : null,
      r.replaces ? h("span", { class: "badge" }, `review of #${r.replaces}`) : null,
      (r.triggered || []).map((tc) => h("span", { class: "badge cst-violated" }, `triggered: ${title(tc)}`)),
      h("span", { class: "muted small report-meta" }, `#${r.seq} · ${verifierName(view, r.verifier)} · filed ${utc(r.filed)}`)),
    h("div", { class: "report-facts small" },
      h("span", {}, h("span", { class: "muted" }, "When: "), utc(r.when)),
      r.place ? h("span", {}, h("span", { class: "muted" }, " · Where: "), r.place) : null),
    r.text ? h("p", { class: "report-text" }, r.text) : null,
    (r.evidence || []).length ? h("ul", { class: "evidence small" }, r.evidence.map((u) => h("li", {}, h("a", { href: u, target: "_blank", rel: "noopener noreferrer nofollow" }, u)))) : null,
    (r.responses || []).length ? h("ul", { class: "responses" }, r.responses.map((x) => h("li", { "data-testid": `response-${r.seq}-${x.party}` },
      h("strong", {}, partyName(view, x.party)), " ", h("span", { class: ["badge", x.answer === "dispute" ? "cst-disputed" : "cst-fulfilled"] }, x.answer === "dispute" ? "disputes" : "accepts"),
      h("span", { class: "muted small" }, ` ${utc(x.time)}`), x.text ? h("div", { class: "small" }, x.text) : null))) : null,
    canRespond ? h("div", { class: "respond-row", id: `respond-${r.seq}` },
      h("input", { type: "text", id: `respond-text-${r.seq}`, maxlength: 4000, placeholder: `Your answer as ${partyName(view, pv.responder)} (optional)`, value: ui.respText[r.seq] || "", oninput: (e) => (ui.respText[r.seq] = e.target.value) }),
      h("button", { type: "button", id: `respond-accept-${r.seq}`, onclick: (e) => respond("accept", e.currentTarget) }, "Accept"),
      r.replaced_by ? null : h("button", { type: "button", class: "danger", id: `respond-dispute-${r.seq}`, onclick: (e) => respond("dispute", e.currentTarget) }, "Dispute")) : null);
}

// ---------------------------------------------------------------- report form

const reportForm = define("parley-report-form", {
  init: () => ({}),
  select: (st) => {
    const pv = pvOf(st);
    return { reporter: pv.reporter, commitments: pv.status.commitments, reports: pv.reports, plan: pv.plan };
  },
  render: (st, el) => reportFormOf(st.view, el.local, pvOf(st), () => el.update(), el.room.refresh),
});

function reportFormOf(view, ui, pv, rerender, refresh) {
  const me = pv.reporter;
  const mineC = pv.status.commitments.filter((c) => c.verifier === me);
  const defs = Object.fromEntries(pv.plan.commitments.map((c) => [c.id, c]));
  const form = (ui.reportForm = ui.reportForm || {});
  if (!form.commitment || !mineC.some((c) => c.id === form.commitment)) form.commitment = mineC.length ? mineC[0].id : "";
  if (!form.finding) form.finding = "violation";
  if (!form.when) form.when = localInput(Date.now());
  const c = mineC.find((x) => x.id === form.commitment);
  const owners = c ? c.owners : [];
  if (!owners.includes(form.party)) form.party = owners[0] || "";
  const standing = (pv.reports || []).filter((r) => r.commitment === form.commitment && !r.replaced_by);
  const keep = (k) => (e) => (form[k] = e.target.value);
  const change = (k) => (e) => {
    form[k] = e.target.value;
    rerender();
  };
  const submit = (btn) => guard(async () => {
    const val = (id) => (document.getElementById(id) || {}).value || "";
    const finding = val("report-finding");
    const when = fromInput(val("report-when"));
    if (!when) throw new Error("Say when the reported fact happened (UTC).");
    const report = { commitment: val("report-commitment"), finding, when };
    if (finding === "violation") {
      report.party = val("report-party");
      report.severity = val("report-severity");
    }
    const place = val("report-place").trim();
    if (place) report.place = place;
    const evidence = val("report-evidence").split(/\s+/).filter(Boolean);
    if (evidence.length) report.evidence = evidence;
    const text = val("report-text").trim();
    if (text) report.text = text;
    const replaces = Number(val("report-replaces"));
    if (replaces) report.replaces = replaces;
    const r = await api("POST", `/api/negotiations/${view.id}/moves`, { kind: "report", report });
    ui.reportForm = { commitment: report.commitment, finding };
    notice(`Report #${r.seq} is in the record.`);
    await refresh();
    rerender();
  }, btn);
  const def = defs[form.commitment];
  return h("section", { class: "card report-card", id: "report-card" },
    h("h2", {}, "File a report"),
    h("p", { class: "muted small" }, `As ${verifierName(view, me)}: your reports go into the tamper-evident record, public to the parties at the table.`),
    mineC.length === 0 ? h("p", { class: "muted" }, "None of the commitments that apply is yours to verify.") :
      h("form", { id: "report-form", class: "stacked", onsubmit: (e) => { e.preventDefault(); submit(e.submitter); } },
        h("label", { for: "report-commitment" }, "Commitment"),
        h("select", { id: "report-commitment", onchange: change("commitment") }, mineC.map((x) => h("option", { value: x.id, selected: x.id === form.commitment }, `${trim(x.title || x.id, 44)} (${statusText(x)})`))),
        def && def.evidence ? h("p", { class: "help small" }, "Evidence required: ", def.evidence) : null,
        h("label", { for: "report-finding" }, "Finding"),
        h("select", { id: "report-finding", onchange: change("finding") },
          h("option", { value: "violation", selected: form.finding === "violation" }, "Violation"),
          h("option", { value: "compliance", selected: form.finding === "compliance" }, "Compliance"),
          c && c.kind === "once" ? h("option", { value: "fulfilled", selected: form.finding === "fulfilled" }, "Fulfilled") : null),
        h("label", { for: "report-when" }, "When it happened (UTC)"),
        h("input", { type: "datetime-local", id: "report-when", step: 1, value: form.when, oninput: keep("when") }),
        form.finding === "violation" ? [
          h("div", { class: "grid-2 tight" },
            h("div", {}, h("label", { for: "report-party" }, "Violated by"),
              h("select", { id: "report-party", onchange: keep("party") }, owners.map((o) => h("option", { value: o, selected: o === form.party }, partyName(view, o))))),
            h("div", {}, h("label", { for: "report-severity" }, "Severity"),
              h("select", { id: "report-severity", onchange: keep("severity") }, SEVERITIES.map((x) => h("option", { value: x, selected: (form.severity || "major") === x }, x)))))] : null,
        h("label", { for: "report-place" }, "Where"),
        h("input", { type: "text", id: "report-place", maxlength: 500, value: form.place || "", placeholder: "e.g. near Huliaipole, 47.66 N 36.26 E", oninput: keep("place") }),
        h("label", { for: "report-evidence" }, "Evidence links (one a line, http or https)"),
        h("textarea", { id: "report-evidence", rows: 2, oninput: keep("evidence"), placeholder: "https://…" }, form.evidence || ""),
        h("label", { for: "report-text" }, "Report"),
        h("textarea", { id: "report-text", rows: 3, oninput: keep("text") }, form.text || ""),
        standing.length ? [h("label", { for: "report-replaces" }, "Replaces (a review of an earlier report)"),
          h("select", { id: "report-replaces", onchange: keep("replaces") }, h("option", { value: "" }, "— a new report —"),
            standing.map((r) => h("option", { value: String(r.seq), selected: String(r.seq) === form.replaces }, `#${r.seq} ${r.finding}${r.severity ? " (" + r.severity + ")" : ""}, ${utc(r.when)}${r.disputed ? ", disputed" : ""}`)))] : null,
        h("div", { class: "form-foot" }, h("button", { type: "submit", id: "report-submit", class: "primary", "data-testid": "file-report" }, "File the report"))));
}

// ---------------------------------------------------------------- side

function documentLinks(view) {
  const base = `/api/negotiations/${view.id}`;
  return h("section", { class: "card", id: "agreement-links" },
    h("h2", {}, "The agreement"),
    h("ul", { class: "plain" },
      h("li", {}, h("a", { href: `${base}/agreement.html`, target: "_blank", rel: "noopener", id: "agreement-html" }, "The agreement text"), h("span", { class: "muted small" }, " (a page)")),
      h("li", {}, h("a", { href: `${base}/agreement.html?print=1`, target: "_blank", rel: "noopener", id: "agreement-print" }, "Print or save as PDF")),
      h("li", {}, h("a", { href: `${base}/agreement.md`, id: "agreement-md", download: `agreement-${view.id}.md` }, "Markdown"))),
    h("p", { class: "muted small" }, "The text as the record shows it to you: assents you may not see are counted, not named."));
}

const verifiersSection = define("parley-verifiers", {
  select: (st) => (pvOf(st) ? pvOf(st).plan.verifiers : null),
  render: (st) => verifiersOf(st.view, pvOf(st)),
});

function verifiersOf(view, pv) {
  const vs = pv.plan.verifiers || [];
  return h("section", { class: "card", id: "verifiers" },
    h("h2", {}, "Verifiers"),
    h("ul", { class: "plain" }, vs.map((v) => h("li", { class: v.id === view.verifier ? "mine" : "" },
      h("strong", {}, v.name || v.id), v.id === view.verifier ? h("span", { class: "badge st-in-force" }, "you") : null,
      v.description ? h("div", { class: "muted small" }, v.description.trim()) : null))));
}

// planOutline lists the plan's phases and commitments before there is an
// agreement (what the plan will ask of whom).
const planOutline = define("parley-plan-outline", {
  select: (st) => pvOf(st).plan,
  render: (st) => planOutlineOf(st.view, pvOf(st)),
});

function planOutlineOf(view, pv) {
  const plan = pv.plan;
  const phases = [...(plan.phases || []), { id: "", title: "Other commitments" }];
  return h("section", { class: "card", id: "plan-outline" },
    h("h2", {}, "The implementation plan"),
    phases.map((ph) => {
      const cs = plan.commitments.filter((c) => (c.phase || "") === ph.id);
      if (!cs.length) return null;
      return [h("h3", {}, ph.title || ph.id), h("ul", { class: "plain" }, cs.map((c) => h("li", {}, h("strong", {}, c.title || c.id),
        h("span", { class: "muted small" }, ` · ${c.owners.map((o) => partyName(view, o)).join(", ")} · verified by ${verifierName(view, c.verifier)}`))))];
    }));
}

// implementationCard is the way from the talks to the dashboard.
export const implementationCard = define("parley-implementation-card", {
  select: (st) => ({ plan: !!st.view.plan, agreement: !!(st.view.state && st.view.state.agreement) }),
  render: (st) => implementationCardOf(st.view),
});

function implementationCardOf(view) {
  if (!view.plan || !view.state || !view.state.agreement) return null;
  return h("section", { class: "card implementation-card", id: "implementation" },
    h("div", { class: "card-head" }, h("h2", {}, "Implementation"), link(`/n/${view.id}/compliance`, "Open the compliance dashboard", { id: "open-compliance", class: "button primary-link" })),
    h("p", { class: "muted small" }, "The commitments of the plan, their status as the verifiers' reports derive it, and your responses to the reports."));
}

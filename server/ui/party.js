// The party screen (and, read-only, the observer's): the framework, the
// party's own profile and its elicitation, the evaluation tool, the
// protocol's panels (ui/protocols/NAME.js: the single text with the
// response form and the vote, offers, proposals, bids), messages,
// ratification and the party's utility over time.
//
// The screen is a layout section: it re-renders when what decides which
// sections are shown changes (the start, the agreement, the status), and
// keeps its sections — each re-rendering on its own data — across.

import { h, api, guard, fmt, packagePicker, pointTitle, optionLabel, partyName, statusOf } from "./lib.js";
import { define } from "./component.js";
import { roomHead, statusBanner, versions, messages, decision, ratification, agreement, framework, utilityChart } from "./common.js";
import { elicitation, profileSummary } from "./elicit.js";
import { compile, bestAllowedPackage, bestPackage, describeInteraction } from "./profile.js";
import { glossaryPanel, term } from "./glossary.js";
import { implementationCard } from "./compliance.js";
import { seatNotice, delegationCard } from "./seats.js";
import { hasMove } from "./protocols.js";
import { panelsOf } from "./protocols/index.js";

export const partyScreen = define("parley-party-screen", {
  select: (st) => {
    const v = st.view;
    return { role: v.role, started: v.started, status: statusOf(v), agreed: !!(v.started && v.state && v.state.agreement), profile: !!v.profile, protocol: st.protocol && st.protocol.name };
  },
  render: (st, el) => {
    const view = st.view, facts = st.protocol;
    const readonly = view.role !== "party";
    const me = view.party;
    const prof = !!view.profile;
    const status = statusOf(view);
    const c = (key, make, props) => el.child(key, make, props);
    const main = [], side = [];
    const agreed = view.started && view.state && view.state.agreement;
    if (agreed) {
      // After the agreement: the way to its implementation, ratification,
      // then the agreed text.
      main.push(c("implementation", implementationCard), c("ratification-main", ratification, { actions: !readonly }), c("agreement", agreement));
    }
    // The role's brief (the seat's own role's only; the scenario's
    // description is in the head): first before the talks, at the side
    // once they run.
    const brief = view.brief ? c("brief", roleBrief) : null;
    if (brief && !view.started) main.push(brief);
    if (!view.started) {
      // A class's locked profiles: the role's profile, read-only (the
      // server refuses a save).
      const locked = !!(view.settings && view.settings.lock_profiles);
      if (prof && !readonly && !locked) main.push(c("elicitation", elicitation));
      else if (prof) main.push(c("profile-before", profileSummary, { title: locked ? `Your role's profile: ${partyName(view, me)} (set for the class; it cannot be changed)` : `Profile of ${partyName(view, me)}` }));
      else main.push(h("section", { class: "card" }, h("p", {}, "The talks have not started yet.")));
    } else {
      panelsOf(facts).party.forEach((make, k) => main.push(c(`panel-${facts.name}-${k}`, make)));
    }
    // A mediator's preview (role "preview") evaluates nothing: /evaluate
    // is the party's own.
    const preview = view.role === "preview";
    if (prof && !preview) main.push(c("evaluate", evaluateTool));
    if (hasMove(facts, "draft")) main.push(c("versions", versions));
    main.push(c("framework", framework));

    if (!preview) side.push(c("seat", seatCard));
    if (brief && view.started) side.push(brief);
    if (prof && view.started) side.push(c("chart", utilityChart));
    if (!agreed) side.push(c("ratification-side", ratification));
    if (view.started) side.push(c("messages", messages, { readonly }));
    if (prof && view.started) side.push(c("profile", profileSummary));
    if (!readonly) side.push(c("delegation", delegationCard));
    side.push(c("decision", decision));
    side.push(glossaryPanel());

    return h("div", { class: "room party-room", id: "party-room", "data-party": me, "data-status": status },
      c("head", roomHead, { subtitle: preview ? `Preview of ${partyName(view, me)}'s screen (read-only)` : readonly ? `Observer of ${partyName(view, me)}` : `Delegation of ${partyName(view, me)}` }),
      c("status", statusBanner),
      h("div", { class: "columns" }, h("div", { class: "col-main" }, main), h("aside", { class: "col-side" }, side)));
  },
});

// roleBrief shows the brief of the viewer's own role (View.brief: the
// server sends a seat its own role's brief only; the scenario's
// description is in the room's head). Exported for the mediator's
// console (a student mediator's brief).
export const roleBrief = define("parley-role-brief", {
  select: (st) => ({ brief: st.view.brief || "", party: st.view.party, role: st.view.role }),
  render: (st) => {
    const view = st.view;
    const who = view.role === "mediator" ? "the mediator" : partyName(view, view.party);
    return h("section", { class: "card brief", id: "role-brief", "aria-labelledby": "role-brief-title" },
      h("h2", { id: "role-brief-title" }, `Your role's brief: ${who}`),
      h("p", { id: "role-brief-text", class: "brief-text" }, view.brief));
  },
});

// seatCard names the seat, tells it when it was re-issued, and who sits
// at the table.
const seatCard = define("parley-seat", {
  select: (st) => {
    const v = st.view;
    return { role: v.role, party: v.party, mediator: v.mediator, negotiators: v.negotiators, parties: v.parties, seat: v.seat };
  },
  render: (st) => {
    const view = st.view, me = view.party;
    const readonly = view.role !== "party";
    return h("section", { class: "card seat", id: "seat" },
      h("h2", {}, readonly ? "Observer" : "Your seat"),
      h("p", { class: "seat-name", id: "seat-party" }, partyName(view, me)),
      readonly ? h("p", { class: "muted small" }, "You watch this seat: you see what it sees, and make no moves.") : null,
      readonly ? null : seatNotice(view),
      h("p", { class: "muted small" }, `Mediator: ${view.mediator ? partyName(view, view.mediator) : "none"} · Parties at the table: ${(view.negotiators || view.parties.filter((p) => p.role === "principal").map((p) => p.id)).map((p) => partyName(view, p)).join(", ")}`));
  },
});

// ---------------------------------------------------------------- evaluate

// evaluateTool rates a package under the party's saved profile (the
// server's /evaluate is the authority).
const evaluateTool = define("parley-evaluate", {
  init: () => ({}),
  select: (s) => {
    const v = s.view, st = v.state || {};
    return { profile: v.profile, started: v.started, agreement: st.agreement, text: st.text, current: st.current };
  },
  render: (s, el) => evaluateOf(s.view, el.local, compile(s.view.framework, s.view.profile), () => el.update()),
});

function evaluateOf(view, ui, t, rerender) {
  const f = view.framework, st = view.state;
  const fromText = () => {
    if (st && st.agreement) return st.agreement.slice();
    if (st && st.text) return st.text.map((a) => a[0]);
    if (st && st.current) return st.current.package.slice();
    // The best package within the party's own red lines (the server's
    // session.BestAllowed computes the same).
    return bestAllowedPackage(t, view.profile) || bestPackage(t);
  };
  if (!ui.evalPkg) ui.evalPkg = fromText();
  const res = ui.evalResult;
  const evaluate = (btn) => guard(async () => {
    ui.evalResult = await api("POST", `/api/negotiations/${view.id}/evaluate`, { package: ui.evalPkg.slice() });
    ui.evalFor = JSON.stringify(ui.evalPkg);
    rerender();
  }, btn);
  let result = null;
  if (res) {
    const rl = res.red_line >= 0 ? (view.profile.red_lines || [])[res.red_line] : null;
    const stale = ui.evalFor !== JSON.stringify(ui.evalPkg);
    result = h("div", { id: "eval-result", class: ["eval-result", res.acceptable ? "ok" : "bad", stale ? "stale" : ""], "data-acceptable": String(res.acceptable) },
      h("div", { class: "eval-figures" },
        h("div", {}, h("span", { class: "figure-label" }, term("worth", "Worth to you")), h("span", { class: "figure-value", id: "eval-utility", "data-utility": String(res.utility), title: `utility ${fmt.num(res.utility, 4)} of a best possible ${fmt.num(res.max, 4)}` }, fmt.pct(res.max > 0 ? res.utility / res.max : 0)), h("span", { class: "figure-label" }, "of your best")),
        h("div", {}, h("span", { class: "figure-label" }, term("reservation", "Reservation")), h("span", { class: "figure-value", title: res.reservation !== undefined ? `utility ${fmt.num(res.reservation, 4)}` : null }, res.reservation !== undefined ? fmt.pct(res.max > 0 ? res.reservation / res.max : 0) : "none"), res.reservation !== undefined ? h("span", { class: "figure-label" }, "of your best") : null),
        h("div", {}, h("span", { class: "figure-label" }, "Verdict"), h("span", { class: ["badge", res.acceptable ? "st-agreed" : "st-objected"], id: "eval-verdict" }, res.acceptable ? "Acceptable" : "Not acceptable"))),
      h("div", { class: "meter" }, h("span", { class: "meter-fill", style: `width:${res.max > 0 ? Math.min(100, (res.utility / res.max) * 100).toFixed(1) : 0}%` }),
        res.reservation !== undefined && res.max > 0 ? h("span", { class: "meter-mark", style: `left:${Math.min(100, (res.reservation / res.max) * 100).toFixed(1)}%`, title: "reservation" }) : null),
      !res.complete ? h("p", { class: "small" }, "The package leaves some points open; open points count 0.") : null,
      interactionBreakdown(view, res),
      rl ? h("p", { class: "redline-hit", id: "eval-redline" }, "Crosses your red line: ", rl.terms.map((tm) => `${pointTitle(f.points[tm.point])}: ${tm.levels.map((l) => optionLabel(f.points[tm.point], l)).join(" or ")}`).join(" + "), rl.reason ? ` — ${rl.reason}` : "") : null,
      stale ? h("p", { class: "muted small" }, "You changed the package since; evaluate again.") : null);
  }
  ui.evalOpen = ui.evalOpen ?? !view.started;
  return h("section", { id: "evaluate", class: "card" },
    h("details", { open: ui.evalOpen, ontoggle: (e) => (ui.evalOpen = e.currentTarget.open) },
      h("summary", {}, h("h2", { class: "inline" }, "Evaluate a package")),
      h("p", { class: "help" }, "Pick an option on every point to see what the package is worth to you under your profile (as saved)."),
      packagePicker(f, ui.evalPkg, { idPrefix: "eval", allowOpen: true, onChange: () => {
        const r = document.getElementById("eval-result");
        if (r) r.classList.toggle("stale", ui.evalFor !== JSON.stringify(ui.evalPkg));
      } }),
      h("div", { class: "form-foot" },
        h("button", { type: "button", id: "eval-from-text", onclick: () => { ui.evalPkg = fromText(); rerender(); } }, st && st.agreement ? "Load the agreement" : st && st.text ? "Load the current text" : "Load my best package"),
        h("button", { type: "button", id: "eval-submit", class: "primary", onclick: (e) => evaluate(e.currentTarget) }, "Evaluate")),
      result));
}

// interactionBreakdown shows, for a profile with interactions, how the
// evaluated package's worth adds up: the sum over the points, each of the
// party's own combinations that applies (label and value), and the total
// (the server's utility, profile.Table.Utility).
function interactionBreakdown(view, res) {
  const f = view.framework;
  const mine = (view.profile && view.profile.interactions) || [];
  const applied = res.interactions || [];
  if (!mine.length && !applied.length) return null;
  const share = (u, signed) => {
    const v = res.max > 0 ? u / res.max : 0;
    return (signed && v >= 0 ? "+" : "") + fmt.pct(v, 1);
  };
  return h("div", { id: "eval-breakdown", class: "eval-breakdown" },
    h("h3", {}, "How it adds up"),
    h("table", { class: "breakdown" }, h("tbody", {},
      h("tr", {}, h("th", { scope: "row" }, "Sum over the points"), h("td", { class: "num", id: "eval-additive", "data-utility": String(res.additive), title: `utility ${fmt.num(res.additive, 4)}` }, share(res.additive))),
      applied.map((a) => {
        const it = mine[a.index];
        return h("tr", { id: `eval-interaction-${a.index}`, class: a.value >= 0 ? "ia-plus" : "ia-minus" },
          h("th", { scope: "row" }, term("interaction", "Combination"), ": ", a.label ? [a.label, " "] : null, it ? h("span", { class: "muted small" }, a.label ? `(${describeInteraction(f, it)})` : describeInteraction(f, it)) : null),
          h("td", { class: "num", "data-value": String(a.value), title: `utility ${a.value >= 0 ? "+" : ""}${fmt.num(a.value, 4)}` }, share(a.value, true)));
      }),
      h("tr", { class: "total" }, h("th", { scope: "row" }, "Total"), h("td", { class: "num", id: "eval-total", "data-utility": String(res.utility), title: `utility ${fmt.num(res.utility, 4)}` }, share(res.utility))))),
    applied.length ? null : h("p", { class: "muted small", id: "eval-no-interaction" }, "None of your combinations applies to this package."));
}

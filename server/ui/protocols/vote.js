// Mediator proposals with votes (protocol vote, GENIUS's mediator
// protocol): the mediator proposes a package, every party votes on it.
//
// Votes come every round here and under amop, so not every vote asks
// first: a "no" keeps the talks going and commits the party to nothing,
// while a "yes" is the vote that can bind it — under amop the offer every
// party accepts is the agreement, under this protocol the proposal every
// party accepts becomes the standing one, the agreement at the deadline.
// A "yes" asks first (confirmYes), naming what the package is worth to
// the party and whether it crosses its own red line or falls below its
// reservation; a "no" is one keystroke.

import { h, fmt } from "../lib.js";
import { compile, utility, crossedRedLine } from "../profile.js";
import { partyPanel, mediatorPanel } from "./shared.js";

// lastResult is the engine's public word on the last vote: "adopted" or
// "rejected" (it does not say who voted how).
const lastResult = (view) => (view.events || []).filter((e) => (e.kind === "adopted" || e.kind === "rejected") && e.note).pop() || null;

// confirmYes asks the party to confirm a yes vote on pkg; binds says what
// the vote commits it to. It returns whether to vote.
export function confirmYes(view, pkg, binds) {
  let rating = "";
  if (view.profile && pkg) {
    const t = compile(view.framework, view.profile);
    const u = utility(t, pkg);
    rating = ` Under your profile it is worth ${fmt.pct(t.max > 0 ? u / t.max : 0)} of your best.`;
    const rl = crossedRedLine(view.profile, pkg);
    if (rl >= 0) rating += " It crosses your own red line" + (view.profile.red_lines[rl].reason ? ` (${view.profile.red_lines[rl].reason})` : "") + ".";
    if (t.hasReservation && u < t.reservation) rating += ` It is below your reservation (${fmt.pct(t.max > 0 ? t.reservation / t.max : 0)}).`;
  }
  return confirm(`Vote yes? ${binds}${rating} A vote cannot be taken back.`);
}

const party = partyPanel("parley-vote-party", (c) => {
  const r = lastResult(c.view);
  const result = r ? h("p", { id: "vote-result", class: r.kind === "adopted" ? "note" : "error-text", role: "status", "data-result": r.kind === "adopted" ? "passed" : "failed", "data-version": String(r.note.version) },
    `Proposal ${r.note.version} was ${r.kind}${r.kind === "adopted" ? ": it is the standing proposal" : ""}.`) : null;
  if (!c.open || !c.state.current || !c.waitingMe) return result;
  const pkg = c.state.current.package;
  return [result, h("div", { class: "vote-buttons", id: "vote-panel" },
    h("p", { class: "muted small" }, "A yes asks you to confirm: if every party says yes, this proposal becomes the standing one — the agreement if the talks end on it. A no commits you to nothing."),
    h("button", { id: "vote-yes", class: "primary", onclick: (e) => {
      if (confirmYes(c.view, pkg, "If every party accepts this proposal, it becomes the standing proposal, and the agreement if no later proposal is adopted before the deadline.")) c.move({ kind: "vote", yes: true }, e.currentTarget);
    } }, "Vote yes…"),
    h("button", { id: "vote-no", class: "danger", onclick: (e) => c.move({ kind: "vote", yes: false }, e.currentTarget) }, "Vote no"))];
}, lastResult);

export default { party: [party], mediator: [mediatorPanel] };

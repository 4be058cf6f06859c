// Mediator proposals with votes (protocol vote, GENIUS's mediator
// protocol): the mediator proposes a package, every party votes on it.

import { h } from "../lib.js";
import { partyPanel, mediatorPanel } from "./shared.js";

// lastResult is the engine's public word on the last vote: "adopted" or
// "rejected" (it does not say who voted how).
const lastResult = (view) => (view.events || []).filter((e) => (e.kind === "adopted" || e.kind === "rejected") && e.note).pop() || null;

const party = partyPanel("parley-vote-party", (c) => {
  const r = lastResult(c.view);
  const result = r ? h("p", { id: "vote-result", class: r.kind === "adopted" ? "note" : "error-text", role: "status", "data-result": r.kind === "adopted" ? "passed" : "failed", "data-version": String(r.note.version) },
    `Proposal ${r.note.version} was ${r.kind}${r.kind === "adopted" ? ": it is the standing proposal" : ""}.`) : null;
  if (!c.open || !c.state.current || !c.waitingMe) return result;
  return [result, h("div", { class: "vote-buttons", id: "vote-panel" },
    h("button", { id: "vote-yes", class: "primary", onclick: (e) => c.move({ kind: "vote", yes: true }, e.currentTarget) }, "Vote yes"),
    h("button", { id: "vote-no", class: "danger", onclick: (e) => c.move({ kind: "vote", yes: false }, e.currentTarget) }, "Vote no"))];
}, lastResult);

export default { party: [party], mediator: [mediatorPanel] };

// Mediator proposals with feedback (protocol feedback): the mediator
// proposes a package, every party says whether it is better, the same or
// worse than the previous one.

import { h } from "../lib.js";
import { partyPanel, mediatorPanel } from "./shared.js";

const party = partyPanel("parley-feedback-party", (c) => {
  if (!c.open || !c.state.current || !c.waitingMe) return null;
  return h("div", { class: "vote-buttons", id: "feedback-panel", role: "group", "aria-label": "Your feedback" }, h("p", {}, "Compared with the previous proposal, this one is:"),
    ["better", "same", "worse"].map((fb) => h("button", { id: `feedback-${fb}`, onclick: (e) => c.move({ kind: "feedback", feedback: fb }, e.currentTarget) }, fb)));
});

export default { party: [party], mediator: [mediatorPanel] };

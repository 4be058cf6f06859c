// Mediator proposals with votes (protocol vote, GENIUS's mediator
// protocol): the mediator proposes a package, every party votes on it.

import { h } from "../lib.js";
import { partyPanel, mediatorPanel } from "./shared.js";

const party = partyPanel("parley-vote-party", (c) => {
  if (!c.open || !c.state.current || !c.waitingMe) return null;
  return h("div", { class: "vote-buttons", id: "vote-panel" },
    h("button", { id: "vote-yes", class: "primary", onclick: (e) => c.move({ kind: "vote", yes: true }, e.currentTarget) }, "Vote yes"),
    h("button", { id: "vote-no", class: "danger", onclick: (e) => c.move({ kind: "vote", yes: false }, e.currentTarget) }, "Vote no"));
});

export default { party: [party], mediator: [mediatorPanel] };

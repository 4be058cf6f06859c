// Stacked alternating offers (protocol sao): the parties take turns; the
// party whose turn it is accepts the offer on the table or makes another.

import { h, partyName } from "../lib.js";
import { partyPanel, mediatorPanel, waitingFor } from "./shared.js";

const party = partyPanel("parley-sao-party", (c) => {
  if (!c.open) return null;
  const cur = c.state.current;
  if (!c.myTurn) return waitingFor(c.view, [c.state.turn]);
  return [
    cur && cur.by !== c.me ? h("div", { class: "form-foot" }, h("button", { id: "accept-offer", class: "primary", onclick: (e) => {
      if (confirm(`Accept the offer of ${partyName(c.view, cur.by)}? It becomes the agreement; this cannot be undone.`)) c.move({ kind: "accept" }, e.currentTarget);
    } }, "Accept the offer on the table…")) : null,
    c.offerForm(cur ? "Or make a counter-offer" : "Make the first offer"),
  ];
});

export default { party: [party], mediator: [mediatorPanel] };

// Alternating multiple offers (protocol amop): every party puts an offer
// on the table in turn, then the parties vote on each offer of the round.

import { h, partyName } from "../lib.js";
import { partyPanel, mediatorPanel, showPkg, waitingFor } from "./shared.js";

const party = partyPanel("parley-amop-party", (c) => {
  if (!c.open) return null;
  const st = c.state, f = c.view.framework;
  const out = [];
  if ((st.table || []).length) out.push(h("div", { id: "amop-table" }, h("h3", {}, "Offers of this round"), st.table.map((o, k) => h("div", { class: "subpanel" }, h("strong", {}, `${k + 1}. by ${partyName(c.view, o.by)}`), showPkg(f, o.package)))));
  if (!st.vote_on && c.myTurn) out.push(c.offerForm("Your offer for this round"));
  else if (st.vote_on && c.myTurn) out.push(h("div", { class: "vote-buttons", id: "vote-panel" }, h("p", {}, `Vote on offer ${st.vote_on}:`),
    h("button", { id: "vote-yes", class: "primary", onclick: (e) => c.move({ kind: "vote", yes: true, ref: st.vote_on }, e.currentTarget) }, "Yes"),
    h("button", { id: "vote-no", class: "danger", onclick: (e) => c.move({ kind: "vote", yes: false, ref: st.vote_on }, e.currentTarget) }, "No")));
  else out.push(waitingFor(c.view, [st.turn]));
  return out;
});

export default { party: [party], mediator: [mediatorPanel] };

// Alternating multiple offers (protocol amop): every party puts an offer
// on the table in turn, then the parties vote on each offer of the round.
// A yes vote asks first (the offer every party accepts is the agreement;
// see vote.js's confirmYes); a no does not.

import { h, partyName } from "../lib.js";
import { partyPanel, mediatorPanel, showPkg, waitingFor } from "./shared.js";
import { confirmYes } from "./vote.js";

const party = partyPanel("parley-amop-party", (c) => {
  if (!c.open) return null;
  const st = c.state, f = c.view.framework;
  const out = [];
  if ((st.table || []).length) out.push(h("div", { id: "amop-table" }, h("h3", {}, "Offers of this round"), st.table.map((o, k) => h("div", { class: "subpanel" }, h("strong", {}, `${k + 1}. by ${partyName(c.view, o.by)}`), showPkg(f, o.package)))));
  if (!st.vote_on && c.myTurn) out.push(c.offerForm("Your offer for this round"));
  else if (st.vote_on && c.myTurn) {
    const o = (st.table || [])[st.vote_on - 1];
    out.push(h("div", { class: "vote-buttons", id: "vote-panel" }, h("p", {}, `Vote on offer ${st.vote_on}${o ? ` by ${partyName(c.view, o.by)}` : ""}:`),
      h("p", { class: "muted small" }, "A yes asks you to confirm: the first offer every party accepts is the agreement. A no commits you to nothing."),
      h("button", { id: "vote-yes", class: "primary", onclick: (e) => {
        if (confirmYes(c.view, o && o.package, `If every party accepts offer ${st.vote_on}, it is the agreement and the talks end.`)) c.move({ kind: "vote", yes: true, ref: st.vote_on }, e.currentTarget);
      } }, "Yes…"),
      h("button", { id: "vote-no", class: "danger", onclick: (e) => c.move({ kind: "vote", yes: false, ref: st.vote_on }, e.currentTarget) }, "No")));
  } else out.push(waitingFor(c.view, [st.turn]));
  return out;
});

export default { party: [party], mediator: [mediatorPanel] };

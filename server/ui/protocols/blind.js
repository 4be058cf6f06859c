// Blind bidding (protocol blind): every party bids, in secret, the
// packages it would accept; only the overlap of all bids is revealed.

import { h, optionLabel, packagePicker } from "../lib.js";
import { partyPanel, mediatorPanel } from "./shared.js";

const overlaps = (view) => (view.events || []).filter((e) => e.kind === "overlap" && e.note);

const party = partyPanel("parley-blind-party", (c) => {
  if (!c.open) return null;
  const st = c.state, f = c.view.framework, local = c.local;
  local.bid = local.bid || [];
  const out = [];
  if (c.waitingMe) {
    out.push(h("div", { id: "bid-form" }, h("h3", {}, "Your secret bid"),
      h("p", { class: "help" }, "List the packages you would accept. Nobody — not even the mediator — sees your bid; only the overlap of all bids is revealed."),
      packagePicker(f, local.offer, { idPrefix: "bid-pick" }),
      h("div", { class: "form-foot" }, h("button", { type: "button", id: "bid-add", onclick: () => {
        const k = JSON.stringify(local.offer);
        if (!local.bid.some((p) => JSON.stringify(p) === k)) local.bid.push(local.offer.slice());
        c.update();
      } }, "Add this package to my bid")),
      h("ol", { id: "bid-list" }, local.bid.map((p, k) => h("li", {}, p.map((l, i) => optionLabel(f.points[i], l)).join(" · "), " ",
        h("button", { type: "button", class: "link-button", onclick: () => { local.bid.splice(k, 1); c.update(); } }, "remove")))),
      h("button", { id: "bid-submit", class: "primary", disabled: !local.bid.length, onclick: (e) => c.move({ kind: "bid", packages: local.bid.slice() }, e.currentTarget, () => (local.bid = [])) }, `Submit my bid (${local.bid.length} packages)`)));
  } else if ((st.my_bids || []).length) out.push(h("p", { id: "bid-sent" }, `Your bid of ${st.my_bids.length} packages is in; waiting for the others.`));
  const ov = overlaps(c.view);
  if (ov.length) out.push(h("div", { id: "overlaps" }, h("h3", {}, "Revealed overlaps"), ov.map((e) => h("p", {}, `Round ${e.round}: ${e.note.count || 0} packages in common.`))));
  return out;
}, overlaps);

export default { party: [party], mediator: [mediatorPanel] };

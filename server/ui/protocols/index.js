// The protocols' panels, one file per protocol: each exports
// { party: [sections], mediator: [sections] }, the sections of the main
// column of the party screen and of the mediator console while the talks
// run. panelsOf picks them by the protocol's facts (its name); a protocol
// without a file of its own gets the generic panels, which show the
// package on the table and what the facts say the mediator may do.

import sao from "./sao.js";
import amop from "./amop.js";
import singleText from "./single-text.js";
import vote from "./vote.js";
import feedback from "./feedback.js";
import blind from "./blind.js";
import { partyPanel, mediatorPanel } from "./shared.js";

export const PANELS = { sao, amop, "single-text": singleText, vote, feedback, blind };

const generic = { party: [partyPanel("parley-generic-party", () => null)], mediator: [mediatorPanel] };

export function panelsOf(facts) {
  return (facts && Object.hasOwn(PANELS, facts.name) && PANELS[facts.name]) || generic;
}

// The protocols' facts, as the server states them (GET /api/protocols),
// read once per page and cached:
//
//   { name, title, description, mediated, turn_based, mediator_optional,
//     needs_deadline, moves: [{ kind, by }] }
//
// The screens ask these facts what a protocol is like (whose turn it is,
// whether the mediator drafts a text or proposes packages, which moves
// exist) instead of comparing protocol names; each protocol's own panels
// live in ui/protocols/NAME.js (see protocols/index.js).

import { api } from "./lib.js";

let cache = null;

// loadProtocols returns the list of protocols' facts (one request per page).
export function loadProtocols() {
  if (!cache) {
    cache = api("GET", "/api/protocols").catch((e) => {
      cache = null;
      throw e;
    });
  }
  return cache;
}

// factsFor returns the facts of protocol name, or the least that can be
// said of a protocol the server did not describe.
export function factsFor(list, name) {
  return (list || []).find((p) => p.name === name) || { name, title: name, description: "", moves: [] };
}

// hasMove tells whether the protocol has a move of kind, made by by (any
// seat when by is omitted; "mediator" or "parties" as the facts say).
export function hasMove(facts, kind, by) {
  return !!facts && (facts.moves || []).some((m) => m.kind === kind && (!by || m.by === by));
}

// titleOf is the protocol's title (a lowercase noun phrase, "single
// negotiating text"), or its name; headingOf capitalises it.
export function titleOf(facts) {
  return facts ? facts.title || facts.name : "";
}

export function headingOf(facts) {
  const t = titleOf(facts);
  return t.charAt(0).toUpperCase() + t.slice(1);
}

#!/usr/bin/env python3
"""Replay in NegMAS alone a negotiation that NegMAS negotiators played through Parley.

    python3 adapters/negmas/negmas_direct.py RECORD.jsonl [RECORD.jsonl ...]

RECORD.jsonl is what `parley_negmas.py --record RECORD.jsonl --record-init`
wrote while every party of one Parley session (`parley run`) was a NegMAS
negotiator served by the adapter. This script builds the same outcome space
and ufuns (parley_negmas.build), puts the same negotiator classes with the same
parameters in one plain `negmas.sao.SAOMechanism` (n_steps = Parley's round
deadline) and runs it, then prints one JSON object: the offers as
[round, party index, package] (round = NegMAS step + 1), the agreement as a
package and the round it was reached in (one line per RECORD file). Compare with Parley's session log:
an adapter that makes NegMAS negotiators behave as in NegMAS gives the same.
Needs a round deadline (a wall-time one is not reproducible).
"""

import importlib
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the adapter
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parley_negmas as pn  # noqa: E402


def main(argv):
    if not argv:
        sys.exit(__doc__.split("\n\n")[1])
    for path in argv:
        print(json.dumps(replay(path)), flush=True)


def replay(path):
    """NegMAS's own run of the session recorded in path."""
    NM = pn.load()
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    records = [r for r in records if "init" in r]
    records.sort(key=lambda r: r["self"])
    if not records or [r["self"] for r in records] != list(range(records[0]["init"]["parties"])):
        sys.exit("negmas_direct: want one --record-init record for every party of one session, got parties %s"
                 % [r["self"] for r in records])
    first = records[0]["init"]
    rounds = int((first.get("deadline") or {}).get("rounds") or 0)
    if not rounds:
        sys.exit("negmas_direct: the session had no round deadline")
    offers = []  # [round, negotiator id, outcome], from every round's new offers

    class Recording(NM["SAOMechanism"]):
        def __call__(self, state, action=None):
            result = super().__call__(state, action)
            offers.extend([result.state.step + 1, nid, o] for nid, o in result.state.new_offers if o is not None)
            return result

    mech = Recording(outcome_space=pn.build(first, records[0].get("discount", "parley"))[2], n_steps=rounds)
    built = []
    for r in records:
        values, index, os_, ufun, agent_ufun = pn.build(r["init"], r.get("discount", "parley"))
        mod, _, name = r["spec"]["class"].rpartition(".")
        cls = getattr(importlib.import_module(mod), name)
        neg = cls(name="party%d" % r["self"], **r["spec"]["params"])
        if not mech.add(neg, preferences=agent_ufun):
            sys.exit("negmas_direct: NegMAS refused party %d" % r["self"])
        built.append((values, index))
    state = mech.run()
    ids = list(mech.negotiator_ids)
    index = built[0][1]

    def package(outcome):
        return [idx[v] for idx, v in zip(index, outcome)]

    out = {"offers": [[r, ids.index(nid), package(o)] for r, nid, o in offers], "agreement": package(state.agreement) if state.agreement is not None else None,
           "round": state.step if state.agreement is not None else None,
           "steps": state.step, "timedout": state.timedout, "broken": state.broken}
    return out


if __name__ == "__main__":
    main(sys.argv[1:])

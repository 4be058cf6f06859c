#!/usr/bin/env python3
"""Run NegMAS's own SAOMechanism for pairings of its built-in negotiators on
GENIUS domains and print the results as JSON, for Parley's conformance test
(agent/negmas_conformance_test.go) and docs/negmas-conformance.md.

NegMAS (AGPL) is not part of Parley: it is imported from the shared copy
(PYTHONPATH=<shared>/thirdparty/negmas/stubs:<shared>/thirdparty/negmas/src).
This script only calls it.

Usage:
    negmas_runs.py --domains DIR [--domains DIR ...] --profiles A,B [...]
                   --agents boulware-tb,linear-tb,... --steps 100 [--trace]

--domains and --profiles go in pairs (the i-th --profiles names the two
profile files, without .xml, of the i-th domain, first proposer first).
Every ordered pairing of --agents (including an agent with itself) is run on
every domain. Output: one JSON object {"runs": [...]} with, per negotiation,
the domain, the two agents, the agreement as issue values (null when none),
the 0-based step of the agreement (or of the last step run), and the wall
time of SAOMechanism.run() in seconds.

Settings that make NegMAS deterministic and comparable with Parley:
  * discount ignored (Scenario.from_genius_folder(ignore_discount=True)); the
    domains used have none anyway;
  * GENIUS discrete evaluations divided by the issue's maximum evaluation (as
    GENIUS and Parley do; NegMAS's reader does not), by rebuilding each
    LinearAdditiveUtilityFunction with TableFun values e/max;
  * n_steps = --steps, no time limit (relative time = (step+1)/(n_steps+1));
  * the time-based, aspiration and naive tit-for-tat negotiators with
    stochastic=False (their default: worst_in, no sampling);
  * MiCRO repeats its last new offer instead of a random earlier one when it
    does not concede (MiCROOfferingPolicy.sample_sent draws with
    random.choice); --random-micro keeps NegMAS's random choice;
  * outcomes of equal utility keep NegMAS's enumeration order (first issue
    slowest) in its presorting inverse utility function: NegMAS sorts with
    numpy.argsort's default (unstable) kind, whose order of ties depends on
    numpy's implementation, so the script gives that module a numpy whose
    argsort is stable; --numpy-ties keeps numpy's own order.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


class _StableNumpy:
    """numpy, with a stable argsort (see --numpy-ties)."""

    def __init__(self, np):
        self._np = np

    def argsort(self, a, *args, **kwargs):
        kwargs.setdefault("kind", "stable")
        return self._np.argsort(a, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._np, name)


def stable_ties() -> None:
    import numpy

    import negmas.preferences.inv_ufun.presorting as presorting

    presorting.np = _StableNumpy(numpy)


def read(folder: str):
    from negmas.inout import Scenario

    s = Scenario.from_genius_folder(folder, ignore_discount=True)
    if s is None:
        raise SystemExit(f"NegMAS cannot read {folder}")
    return s


def load(folder: str, names: list[str], s=None):
    """The outcome space and fresh utility functions of the named profiles
    (fresh for every negotiation: NegMAS caches state in a ufun, e.g. the
    inverse that NaiveTitForTatNegotiator walks with next_worse)."""
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    if s is None:
        s = read(folder)
    by_name = {u.name: u for u in s.ufuns}
    out = []
    for n in names:
        if n not in by_name:
            raise SystemExit(f"{folder}: no profile {n} (have {sorted(by_name)})")
        u = by_name[n]
        if not isinstance(u, LinearAdditiveUtilityFunction):
            raise SystemExit(f"{folder}/{n}: not linear additive")
        values = []
        for vf in u.values:
            if isinstance(vf, TableFun):
                m = max(vf.mapping.values())
                values.append(TableFun({k: v / m for k, v in vf.mapping.items()}) if m > 0 else vf)
            else:
                raise SystemExit(f"{folder}/{n}: issue function {type(vf).__name__} is not a table")
        out.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights=list(u.weights),
                outcome_space=s.outcome_space,
                reserved_value=u.reserved_value,
                name=n,
            )
        )
    return s.outcome_space, out


def make(agent: str, random_micro: bool):
    from negmas.gb.components.offering import MiCROOfferingPolicy
    from negmas.sao.negotiators import (
        AspirationNegotiator,
        BoulwareTBNegotiator,
        ConcederTBNegotiator,
        LinearTBNegotiator,
        MiCRONegotiator,
        NaiveTitForTatNegotiator,
    )

    class LastOfferMiCRO(MiCROOfferingPolicy):
        """MiCRO repeating its last new offer (deterministic)."""

        def sample_sent(self):
            return self.best_offer_so_far()

    if agent == "boulware-tb":
        return BoulwareTBNegotiator()
    if agent == "linear-tb":
        return LinearTBNegotiator()
    if agent == "conceder-tb":
        return ConcederTBNegotiator()
    if agent == "naive-tft":
        return NaiveTitForTatNegotiator()
    if agent == "micro":
        return MiCRONegotiator() if random_micro else MiCRONegotiator(offering=LastOfferMiCRO())
    if agent == "aspiration":
        return AspirationNegotiator()
    raise SystemExit(f"unknown agent {agent}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--domains", action="append", required=True)
    p.add_argument("--profiles", action="append", required=True)
    p.add_argument("--agents", required=True)
    p.add_argument("--pairs", default="", help="comma-separated a/b pairs instead of every pairing")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--trace", action="store_true", help="include every offer")
    p.add_argument("--random-micro", action="store_true")
    p.add_argument("--numpy-ties", action="store_true", help="numpy's own order of equal utilities")
    a = p.parse_args()
    if not a.numpy_ties:
        stable_ties()
    if len(a.domains) != len(a.profiles):
        raise SystemExit("--domains and --profiles go in pairs")

    from negmas.sao import SAOMechanism

    agents = a.agents.split(",")
    pairs = [tuple(x.split("/")) for x in a.pairs.split(",")] if a.pairs else [(x, y) for x in agents for y in agents]
    runs = []
    for folder, names in zip(a.domains, a.profiles):
        scenario = read(folder)
        for x, y in pairs:
            os_, ufuns = load(folder, names.split(","), scenario)
            m = SAOMechanism(outcome_space=os_, n_steps=a.steps, time_limit=None)
            m.add(make(x, a.random_micro), ufun=ufuns[0])
            m.add(make(y, a.random_micro), ufun=ufuns[1])
            t0 = time.perf_counter()
            m.run()
            dt = time.perf_counter() - t0
            st = m.state
            trace = m.full_trace
            last = trace[-1].step if trace else -1
            r = {
                "domain": Path(folder).name,
                "a": x,
                "b": y,
                "agreement": None if st.agreement is None else [str(v) for v in st.agreement],
                "step": last,
                "state_step": st.step,
                "broken": bool(st.broken),
                "timedout": bool(st.timedout),
                "seconds": dt,
            }
            if st.agreement is not None:
                r["utilities"] = [float(u(st.agreement)) for u in ufuns]
            if a.trace:
                r["trace"] = [
                    [e.step, 0 if e.negotiator == m.negotiators[0].id else 1, [str(v) for v in e.offer] if e.offer else None, e.state]
                    for e in trace
                ]
            runs.append(r)
    json.dump({"steps": a.steps, "runs": runs}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""Runs anl2025 for Parley's multideal conformance tests and prints JSON.

Usage:
  anl2025_driver.py eval FOLDER
      every combination of thread outcomes (None included), the center
      utility of each, as anl2025's center ufun gives it.
  anl2025_driver.py run FOLDER CENTER EDGE[,EDGE...] NSTEPS SEED [REPEAT]
      anl2025.runner.run_session with the given agent types; Python's random
      is seeded with SEED when the threads start (SAOMechanism.runall), so
      the randomised tie draws of the built-ins can be replayed. REPEAT runs
      time the session (seconds_per_session, the scenario load excluded).
  anl2025_driver.py batch JSON
      several runs in one process: JSON is a list of objects with keys
      folder, center, edges (a list), nsteps, seed, repeat; prints a list.
"""
import itertools
import json
import random
import sys
import time
from pathlib import Path

from negmas.sao import SAOMechanism

from anl2025.scenario import MultidealScenario
from anl2025.runner import run_session


def enumerate_space(os):
    return [tuple(o) for o in os.enumerate()]


def jsonable(o):
    if o is None:
        return None
    return [str(v) for v in o]


def edge_order(s):
    return [u.name for u in s.edge_ufuns]


def do_eval(folder):
    s = MultidealScenario.from_folder(Path(folder))
    c = s.center_ufun
    spaces = [[None] + enumerate_space(os) for os in c.outcome_spaces]
    rows = []
    for combo in itertools.product(*spaces):
        rows.append(dict(outcomes=[jsonable(o) for o in combo], value=float(c(combo))))
    print(json.dumps(dict(edges=edge_order(s), rows=rows)))


_SEED = [0]
_ORIG = SAOMechanism.runall


def _seeded(*args, **kwargs):
    random.seed(_SEED[0])
    return _ORIG(*args, **kwargs)


SAOMechanism.runall = staticmethod(_seeded)


def do_run(folder, center, edges, nsteps, seed, repeat):
    _SEED[0] = seed
    results = []
    elapsed = 0.0
    for _ in range(repeat):
        s = MultidealScenario.from_folder(Path(folder))
        start = time.perf_counter()
        r = run_session(
            s,
            center_type=center,
            edge_types=edges,
            nsteps=nsteps,
            output=None,
            verbose=False,
        )
        elapsed += time.perf_counter() - start
        if r.run_error:
            raise SystemExit(r.run_error)
        results = dict(
            edges=edge_order(s),
            agreements=[jsonable(a) for a in r.agreements],
            center_utility=r.center_utility,
            edge_utilities=r.edge_utilities,
            steps=[m.state.step for m in r.mechanisms],
        )
    results["seconds_per_session"] = elapsed / repeat
    return results


if __name__ == "__main__":
    if sys.argv[1] == "eval":
        do_eval(sys.argv[2])
    elif sys.argv[1] == "batch":
        out = []
        for c in json.loads(sys.argv[2]):
            out.append(
                do_run(c["folder"], c["center"], c["edges"], c["nsteps"], c["seed"], c.get("repeat", 1))
            )
        print(json.dumps(out))
    else:
        print(json.dumps(do_run(
            sys.argv[2],
            sys.argv[3],
            sys.argv[4].split(","),
            int(sys.argv[5]),
            int(sys.argv[6]),
            int(sys.argv[7]) if len(sys.argv) > 7 else 1,
        )))

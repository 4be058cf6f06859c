"""Runs anl2025 for Parley's multideal conformance tests and prints JSON.

Usage:
  anl2025_driver.py eval FOLDER
      every combination of thread outcomes (None included), the center
      utility of each, as anl2025's center ufun gives it.
  anl2025_driver.py run FOLDER CENTER EDGE[,EDGE...] NSTEPS SEED [REPEAT]
      anl2025.runner.run_session with the given agent types; Python's random
      is seeded with SEED when the threads start (SAOMechanism.runall), and
      numpy's global RandomState with SEED mod 2**32, so the randomised tie
      draws of the built-ins and Random2025's offers can be replayed. REPEAT runs
      time the session (seconds_per_session, the scenario load excluded).
  anl2025_driver.py batch JSON
      several runs in one process: JSON is a list of objects with keys
      folder, center, edges (a list), nsteps, seed, repeat; prints a list.
  anl2025_driver.py geval FOLDER WSEED [SIDE_RV]
      eval for a folder whose LinearCombinationCenterUFun has no saved
      weights (the GENIUS-derived ones): numpy's global RandomState is seeded
      with WSEED before MultidealScenario.from_folder draws them, and the
      edges are re-paired to the center's outcome spaces (see paired);
      SIDE_RV replaces the reserved values of the center's side ufuns
      (saved as -inf; genius.py, which made them, sets 0).
      Values are printed as repr() strings (they may be -inf or nan).
  anl2025_driver.py gbatch JSON
      batch for such folders: each object also has wseed and side_rv
      (null to keep the saved values); numpy's global
      RandomState is seeded with wseed before the load and with
      seed mod 2**32 where random is seeded (Random2025 samples offers
      through numpy). Utilities are repr() strings; each run also gives, per
      thread, whether the mechanism stopped on a negotiator's exception; a
      session anl2025 could not run gives only run_error.
  anl2025_driver.py nprand SEED[,SEED...] N K...
      per seed, np.random.seed(SEED); N values of np.random.rand(), then one
      np.random.randint(0, k, size=1) per K: the streams Parley replays.
"""
import contextlib
import itertools
import json
import random

import numpy as np
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
_NPSEED = [None]
_ORIG = SAOMechanism.runall


def _seeded(*args, **kwargs):
    random.seed(_SEED[0])
    if _NPSEED[0] is not None:
        np.random.seed(_NPSEED[0])
    return _ORIG(*args, **kwargs)


SAOMechanism.runall = staticmethod(_seeded)


def do_run(folder, center, edges, nsteps, seed, repeat):
    _SEED[0] = seed
    _NPSEED[0] = abs(seed) % 2**32  # Random2025 samples offers through numpy
    results = []
    elapsed = 0.0
    for _ in range(repeat):
        s = MultidealScenario.from_folder(Path(folder))
        start = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # anl2025 prints its failures
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
            _NPSEED[0] = None
            return dict(run_error=str(r.run_error))
        results = dict(
            edges=edge_order(s),
            agreements=[jsonable(a) for a in r.agreements],
            center_utility=r.center_utility,
            edge_utilities=r.edge_utilities,
            steps=[m.state.step for m in r.mechanisms],
        )
    _NPSEED[0] = None
    results["seconds_per_session"] = elapsed / repeat
    return results


def same_space(a, b):
    return [(i.name, [str(v) for v in i.values]) for i in a.issues] == [
        (i.name, [str(v) for v in i.values]) for i in b.issues
    ]


def paired(s):
    """Re-pairs the edges with the center's outcome spaces when the listed
    (glob) order does not match them, as Parley's importer does: anl2025
    pairs edge i with the center's side i, which fails with a KeyError when
    they are about different issues."""
    spaces = s.center_ufun.outcome_spaces
    edges = list(s.edge_ufuns)
    if all(same_space(e.outcome_space, o) for e, o in zip(edges, spaces)):
        return s
    out = []
    for o in spaces:
        for k, e in enumerate(edges):
            if e is not None and same_space(e.outcome_space, o):
                out.append(e)
                edges[k] = None
                break
        else:
            return s
    return MultidealScenario(
        center_ufun=s.center_ufun,
        edge_ufuns=tuple(out),
        side_ufuns=s.side_ufuns,
        name=s.name,
        code_files=s.code_files,
    )


def load_genius(folder, wseed, side_rv=None):
    np.random.seed(wseed)
    s = paired(MultidealScenario.from_folder(Path(folder)))
    if side_rv is not None:
        for u in s.center_ufun.ufuns:
            u.reserved_value = side_rv
    return s


def do_geval(folder, wseed, side_rv):
    s = load_genius(folder, wseed, side_rv)
    c = s.center_ufun
    spaces = [[None] + enumerate_space(os) for os in c.outcome_spaces]
    rows = []
    for combo in itertools.product(*spaces):
        rows.append(dict(outcomes=[jsonable(o) for o in combo], value=repr(float(c(combo)))))
    print(json.dumps(dict(edges=edge_order(s), weights=list(c._weights), rows=rows)))


def do_grun(c):
    _SEED[0] = c["seed"]
    _NPSEED[0] = abs(c["seed"]) % 2**32
    elapsed = 0.0
    repeat = c.get("repeat", 1)
    for _ in range(repeat):
        s = load_genius(c["folder"], c["wseed"], c.get("side_rv"))
        start = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # anl2025 prints its failures
            r = run_session(
                s,
                center_type=c["center"],
                edge_types=c["edges"],
                nsteps=c["nsteps"],
                output=None,
                verbose=False,
            )
        elapsed += time.perf_counter() - start
        if r.run_error:
            _NPSEED[0] = None
            return dict(run_error=str(r.run_error))
        res = dict(
            edges=edge_order(s),
            agreements=[jsonable(a) for a in r.agreements],
            center_utility=repr(float(r.center_utility)),
            edge_utilities=[repr(float(u)) for u in r.edge_utilities],
            steps=[m.state.step for m in r.mechanisms],
            errors=[bool(m.state.has_error) for m in r.mechanisms],
        )
    _NPSEED[0] = None
    res["seconds_per_session"] = elapsed / repeat
    return res


def do_nprand(seeds, n, ks):
    out = []
    for seed in seeds:
        np.random.seed(seed)
        rand = [float(np.random.rand()) for _ in range(n)]
        ints = [int(np.random.randint(0, k, size=1)[0]) for k in ks]
        out.append(dict(rand=rand, ints=ints))
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "eval":
        do_eval(sys.argv[2])
    elif sys.argv[1] == "geval":
        do_geval(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "gbatch":
        print(json.dumps([do_grun(c) for c in json.loads(sys.argv[2])]))
    elif sys.argv[1] == "nprand":
        do_nprand([int(x) for x in sys.argv[2].split(",")], int(sys.argv[3]), [int(k) for k in sys.argv[4:]])
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

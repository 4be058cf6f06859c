"""Runs anl2025's Tournament for Parley's multideal tournament tests; prints JSON.

Usage:
  anl2025_tournament.py SEED NSTEPS NREPS AGENT[,AGENT...] FOLDER [FOLDER...]

Runs anl2025.tournament.Tournament(...).run(n_repetitions=NREPS, n_jobs=None,
center_multiplier=None, edge_multiplier=1) (anl2025_tournament's
multipliers), serially, with three isolations so that a run is a function of
SEED alone, as Parley's is:
  * the assignment stream: Python's random is seeded with SEED before the
    run, and the draws NegMAS makes while building negotiators inside
    assign_scenario (16 for each negotiator's unique name, one for each
    issue it deep-copies) are undone (the state is saved and restored), so
    only the league's shuffles and choices consume it;
  * the sessions: random is seeded with (SEED*1000003 + run_index) mod 2**62
    when a session's threads start (SAOMechanism.runall), instead of
    continuing the process's shared stream;
  * the center's state: each session gets its own copy of the scenario, as
    it does when anl2025 runs sessions in worker processes (n_jobs >= 0, the
    default: sessions run on pickled copies, the parent's scenario is never
    changed). Run serially on one shared
    scenario, the center negotiator's set_expected_outcome leaves the
    previous session's agreements in CenterUFun._expected, and the next
    session's center then counts them for threads it did not agree on
    (CenterUFun.__call__ uses expected outcomes by default).
The 10-second sleep Tournament.run makes before scoring is skipped.
Prints the sessions (in run order), the final scores, and the wall time.
"""
import copy
import json
import random
import sys
import time
from pathlib import Path

from negmas.sao import SAOMechanism

import anl2025.tournament as T
from anl2025.runner import RunParams
from anl2025.scenario import MultidealScenario

_SEED = [0]
_BASE = [0]
_ORIG_RUNALL = SAOMechanism.runall


def _seeded_runall(*args, **kwargs):
    random.seed(_SEED[0])
    return _ORIG_RUNALL(*args, **kwargs)


SAOMechanism.runall = staticmethod(_seeded_runall)

_ORIG_ASSIGN = T.assign_scenario


def _isolated_assign(*args, **kwargs):
    st = random.getstate()
    try:
        kwargs["scenario"] = copy.deepcopy(kwargs["scenario"])
        return _ORIG_ASSIGN(*args, **kwargs)
    finally:
        random.setstate(st)


T.assign_scenario = _isolated_assign

_ORIG_SESSION = T.run_session


def _seeded_session(job, *args, **kwargs):
    _SEED[0] = (_BASE[0] * 1000003 + job.run_index) % (1 << 62)
    return _ORIG_SESSION(job, *args, **kwargs)


T.run_session = _seeded_session
T.sleep = lambda _: None  # Tournament.run sleeps 10 s before scoring; not timed


def name(full):
    return full.split(".")[-1]


def main():
    seed, nsteps, nreps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    agents = ["anl2025.negotiator." + a for a in sys.argv[4].split(",")]
    scenarios = tuple(MultidealScenario.from_folder(Path(f)) for f in sys.argv[5:])
    t = T.Tournament(
        competitors=tuple(agents),
        scenarios=scenarios,
        run_params=RunParams(nsteps=nsteps),
    )
    _BASE[0] = seed
    random.seed(seed)
    start = time.perf_counter()
    out = sys.stdout
    sys.stdout = sys.stderr  # the tournament prints progress
    try:
        r = t.run(n_repetitions=nreps, n_jobs=None, center_multiplier=None, edge_multiplier=1)
    finally:
        sys.stdout = out
    elapsed = time.perf_counter() - start
    sessions = []
    for info in r.session_results:
        res = info.results
        sessions.append(dict(
            scenario=info.scenario_name,
            repetition=info.repetition,
            rotation=info.rotation,
            center=name(info.center_type_name),
            edges=[name(e) for e in info.edge_type_names],
            agreements=[None if a is None else [str(v) for v in a] for a in res.agreements],
            center_utility=res.center_utility,
            edge_utilities=list(res.edge_utilities),
            error=res.run_error,
        ))
    print(json.dumps(dict(
        sessions=sessions,
        final_scores=r.final_scores,
        final_scoresC=r.final_scoresC,
        final_scoresE=r.final_scoresE,
        raw_scores=r.raw_scores,
        center_count=r.center_count,
        edge_count=r.edge_count,
        weighted_average=r.weighted_average,
        unweighted_average=r.unweighted_average,
        seconds=elapsed,
    )))


if __name__ == "__main__":
    main()

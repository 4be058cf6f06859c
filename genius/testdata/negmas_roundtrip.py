"""Round trips between Parley's GENIUS/GeniusWeb files and NegMAS (tests only).

Run by genius/negmas_test.go once per test run: it reads a JSON job file
(argv[1]) and prints one JSON object on standard output. NegMAS itself is
imported from the shared third-party copy given on PYTHONPATH; nothing of it
is copied here.

Job:
  {"read":  [{"name", "format": "genius"|"geniusweb", "domain", "profiles": [...],
              "outcomes": [[value, ...], ...]}],
   "write": [{"name", "source", "out", "n", "seed"}]}

"read" loads Parley-written files with NegMAS's own readers
(Scenario.from_genius_files / from_geniusweb_files, as from_*_folder does)
and evaluates the given outcomes with each profile. "write" loads a GENIUS
folder with Scenario.from_genius_folder, writes it with to_genius_folder to
"out", and evaluates n random outcomes with the ufuns written.

Result:
  {"read":  [{"name", "error", "utilities": [[u, ...] per profile], "reserved": [...]}],
   "write": [{"name", "error", "profiles": [stem, ...], "outcomes": [[v, ...]],
              "utilities": [[...] per profile], "reserved": [...]}]}
"""

import json
import math
import random
import sys
import traceback
import warnings
from pathlib import Path

warnings.simplefilter("ignore")


def num(x):
    """A float for JSON: None for NaN or infinities."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return x


def read_case(c):
    from negmas.inout import Scenario

    if c["format"] == "genius":
        s = Scenario.from_genius_files(
            domain=Path(c["domain"]),
            ufuns=[Path(p) for p in c["profiles"]],
            ignore_discount=True,
            safe_parsing=True,
        )
    else:
        s = Scenario.from_geniusweb_files(
            domain=Path(c["domain"]),
            ufuns=[Path(p) for p in c["profiles"]],
            ignore_discount=True,
            safe_parsing=True,
        )
    if s is None:
        raise ValueError("NegMAS returned no scenario")
    utils, reserved = [], []
    for u in s.ufuns:
        utils.append([num(u(tuple(o))) for o in c["outcomes"]])
        reserved.append(num(u.reserved_value))
    return {"utilities": utils, "reserved": reserved}


def plain(v):
    """An outcome value as JSON: str, int or float."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int) or (hasattr(v, "is_integer") and type(v).__name__.startswith("int")):
        return int(v)
    return float(v)


def write_case(c):
    from negmas.inout import Scenario

    skipped = []
    try:
        s = Scenario.from_genius_folder(Path(c["source"]), ignore_discount=True)
    except Exception as e:
        # The folder as a whole fails (a profile NegMAS cannot read): keep
        # the profiles it reads one by one.
        from negmas.inout import find_domain_and_utility_files_xml

        domain, ufuns = find_domain_and_utility_files_xml(c["source"])
        if domain is None:
            raise
        ok = []
        for u in ufuns:
            try:
                Scenario.from_genius_files(domain=Path(domain), ufuns=[Path(u)], ignore_discount=True)
                ok.append(Path(u))
            except Exception as e2:
                skipped.append(f"{Path(u).name}: {e2.__class__.__name__}: {e2}")
        if not ok:
            raise
        s = Scenario.from_genius_files(domain=Path(domain), ufuns=ok, ignore_discount=True, name=Path(c["source"]).name)
    if s is None:
        raise ValueError("NegMAS returned no scenario")
    out = Path(c["out"])
    s.to_genius_folder(out)
    rng = random.Random(c["seed"])
    issues = s.outcome_space.issues
    outcomes = []
    for _ in range(c["n"]):
        o = []
        for iss in issues:
            if iss.is_continuous():
                o.append(rng.uniform(iss.min_value, iss.max_value))
            else:
                vals = list(iss.all)
                o.append(vals[rng.randrange(len(vals))])
        outcomes.append(tuple(o))
    names, utils, reserved = [], [], []
    for u in s.ufuns:
        names.append(u.name.replace("\\", "/").split("/")[-1])
        utils.append([num(u(o)) for o in outcomes])
        reserved.append(num(u.reserved_value))
    return {
        "profiles": names,
        "outcomes": [[plain(v) for v in o] for o in outcomes],
        "utilities": utils,
        "reserved": reserved,
        "skipped": skipped,
    }


def run(cases, fn):
    out = []
    for c in cases:
        r = {"name": c["name"], "error": ""}
        try:
            r.update(fn(c))
        except Exception as e:  # reported per case, the test decides
            r["error"] = f"{e.__class__.__name__}: {e}"
            r["trace"] = traceback.format_exc(limit=3)
        out.append(r)
    return out


def main():
    with open(sys.argv[1]) as fh:
        job = json.load(fh)
    res = {
        "read": run(job.get("read") or [], read_case),
        "write": run(job.get("write") or [], write_case),
    }
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Whole-process benchmark of `parley run` (issue 19): this checkout against a
# previous revision, side by side, and NegMAS's SAOMechanism on the same
# domains with equivalent time-based agents.
#
#   r8x6       random 2-party domain, 8 points × 6 options (1.68M packages;
#              scripts/gen-r8x6.go), boulware vs conceder, 1000 rounds
#   r4p20x3    random 4-party domain, 20 points × 3 options (3.5·10⁹
#              packages; generated below, seed 1), boulware vs 3 conceders,
#              1000 rounds
#   miami-2025 the built-in scenario, parley run's defaults
#
# Usage: scripts/bench-negmas-run.sh [runs] [previous-revision]
#   runs                 runs of each parley command (default 20; NegMAS: 3)
#   previous-revision    default HEAD (the committed code, against the
#                        working tree)
#
# The new binary runs twice: with the frontier cache off (PARLEY_CACHE_DIR=
# off: every run computes the exact frontier, as the first run on a domain
# does) and with a cache folder filled by a first run (warm). hyperfine runs
# the commands of each domain alternately in one invocation, so that they
# see the same machine; the machine is shared, so the script prints the
# load averages and hyperfine's user+system CPU times too. NegMAS needs
# python3 and ../shared/thirdparty/negmas (skipped when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
prev=${2:-HEAD}
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "building $prev and this checkout ..." >&2
mkdir "$tmp/old"
git archive "$prev" | tar -x -C "$tmp/old"
(cd "$tmp/old" && go build -o "$tmp/parley-old" ./cmd/parley)
go build -o "$tmp/parley-new" ./cmd/parley
go run scripts/gen-r8x6.go >"$tmp/r8x6.yaml"

cat >"$tmp/negmas_run.py" <<'PY'
"""gen POINTS LEVELS PARTIES SEED: print a random additive Parley scenario.
run SCENARIO.yaml ROUNDS: run it under NegMAS's SAOMechanism (Boulware TB
for the first party, Conceder TB for the others)."""
import random
import sys
import time


def gen(points, levels, parties, seed):
    rng = random.Random(seed)
    out = ["parley: 1", f"name: r{parties}p{points}x{levels}",
           f'title: "Random additive domain, {points} points × {levels} options, {parties} parties"',
           "", "points:"]
    for k in range(points):
        out += [f"  - id: p{k}", "    options:"] + [f"      - id: o{l}" for l in range(levels)]
    out += ["", "parties:"]
    for j in range(parties):
        w = [rng.random() for _ in range(points)]
        s = [[rng.random() for _ in range(levels)] for _ in range(points)]
        out += [f"  - id: party{j}", "    role: principal", "    profile:", "      weights:"]
        out += [f"        p{k}: {w[k] / sum(w)!r}" for k in range(points)]
        out.append("      scores:")
        for k in range(points):
            out.append(f"        p{k}:")
            out += [f"          o{l}: {s[k][l]!r}" for l in range(levels)]
    print("\n".join(out))


def run(path, rounds):
    t0 = time.perf_counter()
    import yaml
    from negmas.outcomes import make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator, SAOMechanism

    sc = yaml.safe_load(open(path))
    issues = [make_issue([o["id"] for o in p["options"]], name=p["id"]) for p in sc["points"]]
    mech = SAOMechanism(issues=issues, n_steps=rounds)
    for j, party in enumerate(sc["parties"]):
        pr = party["profile"]
        ufun = LinearAdditiveUtilityFunction(
            values={pid: dict(sc_) for pid, sc_ in pr["scores"].items()},
            weights=dict(pr["weights"]), issues=issues)
        kind = BoulwareTBNegotiator if j == 0 else ConcederTBNegotiator
        mech.add(kind(id=party["id"], name=party["id"]), preferences=ufun)
    t1 = time.perf_counter()
    state = mech.run()
    t2 = time.perf_counter()
    print(f"agreement={state.agreement} step={state.step} setup={t1 - t0:.3f}s run={t2 - t1:.3f}s",
          file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(*map(int, sys.argv[2:6]))
    else:
        run(sys.argv[2], int(sys.argv[3]))
PY
python3 "$tmp/negmas_run.py" gen 20 3 4 1 >"$tmp/r4p20x3.yaml"

declare -A args
args[r8x6]="$tmp/r8x6.yaml --rounds 1000 --agent party0=boulware --agent party1=conceder -q"
args[r4p20x3]="$tmp/r4p20x3.yaml --rounds 1000 --agent party0=boulware --agent party1=conceder --agent party2=conceder --agent party3=conceder -q"
args[miami]="miami-2025 -q"

negmas=""
for d in ../shared/thirdparty/negmas /work/shared/thirdparty/negmas; do
	if [[ -d $d/src && -x /usr/bin/python3 ]]; then negmas=$(cd "$d" && pwd); break; fi
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
for dom in r8x6 r4p20x3 miami; do
	a=${args[$dom]}
	# Same outcome from both binaries (the log's times and hashes aside).
	"$tmp/parley-old" run ${a% -q} --json >"$tmp/$dom-old.json"
	PARLEY_CACHE_DIR=off "$tmp/parley-new" run ${a% -q} --json >"$tmp/$dom-new.json"
	if ! python3 - "$tmp/$dom-old.json" "$tmp/$dom-new.json" <<'PY'; then
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["status", "rounds", "events", "agreement", "utilities", "distance_pareto", "distance_nash", "welfare"]
sys.exit(0 if all(a.get(k) == b.get(k) for k in keys) else 1)
PY
		echo "note: $dom: the two binaries report different outcomes (diff $tmp/$dom-old.json $tmp/$dom-new.json)" >&2
	fi
	mkdir -p "$tmp/cache-$dom"
	PARLEY_CACHE_DIR="$tmp/cache-$dom" "$tmp/parley-new" run $a >/dev/null # fill the cache
	echo "== $dom"
	hyperfine -N --style basic --warmup 2 --runs "$runs" \
		-n "old" "env $tmp/parley-old run $a" \
		-n "new, no cache" "env PARLEY_CACHE_DIR=off $tmp/parley-new run $a" \
		-n "new, warm cache" "env PARLEY_CACHE_DIR=$tmp/cache-$dom $tmp/parley-new run $a" |
		grep -E '^ *(Time|Range)|^[a-z]|faster'
	if [[ -n $negmas && $dom != miami ]]; then
		hyperfine -N --style basic --runs 3 \
			-n "NegMAS" "env PYTHONPATH=$negmas/stubs:$negmas/src /usr/bin/python3 $tmp/negmas_run.py run $tmp/$dom.yaml 1000" |
			grep -E '^ *(Time|Range)|^[A-Za-z]'
	fi
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

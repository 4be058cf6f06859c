#!/usr/bin/env bash
# Process-level startup benchmark: the wall time of whole parley processes,
# this checkout against a previous release, side by side.
#
#   parley --help                 nothing but starting up
#   parley analyze r8x6.yaml      the random 8 points × 6 options two-party
#                                 domain of analysis's BenchmarkFrontier2p8x6
#                                 (scripts/gen-r8x6.go), whole report
#
# Usage: scripts/bench-startup.sh [runs] [previous-revision]
#   runs                 runs of each command (default 50)
#   previous-revision    git revision of the previous release (default
#                        a01be24, the last commit before issue 14)
#
# Both binaries are built into a temporary folder: the previous release
# from `git archive` of its revision (the checkout is never modified), this
# one from the working tree. Uses hyperfine (Debian: apt-get install
# hyperfine) when it is installed, and otherwise a shell loop; either way it
# prints the median and the minimum of each command, the old and the new
# run alternately so that both see the same machine. The machine is shared:
# look at the load averages printed before and after. Figures in
# docs/benchmarks.md ("Startup") come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
prev=${2:-a01be24}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "building the previous release ($prev) and this checkout ..." >&2
mkdir "$tmp/old"
git archive "$prev" | tar -x -C "$tmp/old"
(cd "$tmp/old" && go build -o "$tmp/parley-old" ./cmd/parley)
go build -o "$tmp/parley-new" ./cmd/parley
go run scripts/gen-r8x6.go >"$tmp/r8x6.yaml"
for b in old new; do
	# Both must give the same analysis of r8x6.
	"$tmp/parley-$b" analyze "$tmp/r8x6.yaml" --json >"$tmp/$b.json"
done
if ! cmp -s "$tmp/old.json" "$tmp/new.json"; then
	echo "note: the two releases report r8x6 differently (diff $tmp/old.json $tmp/new.json)" >&2
fi

# The floor: a Go program that only prints a line, the least any Go
# process costs on this machine at this load.
mkdir "$tmp/floor"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hi\\n") }\n' >"$tmp/floor/main.go"
(cd "$tmp/floor" && GO111MODULE=off GOFLAGS= go build -o "$tmp/floor-bin" main.go)

names=("old --help" "new --help" "old analyze r8x6" "new analyze r8x6" "floor (Go hello)")
cmds=("$tmp/parley-old --help" "$tmp/parley-new --help"
	"$tmp/parley-old analyze $tmp/r8x6.yaml" "$tmp/parley-new analyze $tmp/r8x6.yaml"
	"$tmp/floor-bin")

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
declare -a median minimum cpu
if command -v hyperfine >/dev/null; then
	echo "tool: $(hyperfine --version), $runs runs each, 5 warm-up runs"
	# One hyperfine per pair, so that old and new run in the same minute.
	# The floor with the first pair.
	for pair in 0 2; do
		floor=()
		if ((pair == 0)); then floor=(-n "${names[4]}" "${cmds[4]}"); fi
		hyperfine -N --style none --warmup 5 --runs "$runs" \
			--export-json "$tmp/h$pair.json" \
			-n "${names[$pair]}" "${cmds[$pair]}" \
			-n "${names[$pair+1]}" "${cmds[$pair+1]}" "${floor[@]}" >/dev/null
		mapfile -t med < <(grep -o '"median": [0-9.e-]*' "$tmp/h$pair.json" | cut -d' ' -f2)
		mapfile -t mn < <(grep -o '"min": [0-9.e-]*' "$tmp/h$pair.json" | cut -d' ' -f2)
		mapfile -t us < <(grep -o '"user": [0-9.e-]*' "$tmp/h$pair.json" | cut -d' ' -f2)
		mapfile -t sy < <(grep -o '"system": [0-9.e-]*' "$tmp/h$pair.json" | cut -d' ' -f2)
		for k in 0 1 2; do
			if ((k == 2)); then
				((pair == 0)) || continue
				k2=4
			else
				k2=$((pair + k))
			fi
			median[k2]=$(awk -v s="${med[$k]}" 'BEGIN { printf "%.1f", s * 1000 }')
			minimum[k2]=$(awk -v s="${mn[$k]}" 'BEGIN { printf "%.1f", s * 1000 }')
			cpu[k2]=$(awk -v u="${us[$k]}" -v s="${sy[$k]}" 'BEGIN { printf "%.1f", (u + s) * 1000 }')
		done
	done
else
	echo "tool: shell loop (hyperfine not installed), $runs runs each, 5 warm-up runs"
	for i in 0 1 2 3 4; do : >"$tmp/t$i"; done
	for r in $(seq -5 "$runs"); do
		for i in 0 1 2 3 4; do
			start=$(date +%s%N)
			${cmds[$i]} >/dev/null 2>&1
			end=$(date +%s%N)
			if ((r > 0)); then echo $(((end - start) / 1000)) >>"$tmp/t$i"; fi
		done
	done
	for i in 0 1 2 3 4; do
		sort -n "$tmp/t$i" >"$tmp/s$i"
		n=$(wc -l <"$tmp/s$i")
		median[i]=$(awk -v m=$(((n + 1) / 2)) 'NR == m { printf "%.1f", $1 / 1000 }' "$tmp/s$i")
		minimum[i]=$(awk 'NR == 1 { printf "%.1f", $1 / 1000 }' "$tmp/s$i")
		cpu[i]="n/a"
	done
fi
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# cpu: mean user + system time of a process, which a loaded machine
# inflates less than the wall time.
printf '%-20s %12s %12s %12s\n' "command" "median ms" "min ms" "cpu ms"
for i in 0 1 2 3 4; do
	printf '%-20s %12s %12s %12s\n' "${names[$i]}" "${median[$i]}" "${minimum[$i]}" "${cpu[$i]}"
done

# The inits of the module's packages (GODEBUG=inittrace=1): the most
# expensive one and the total, in each binary.
echo
for b in old new; do
	GODEBUG=inittrace=1 "$tmp/parley-$b" --help 2>&1 >/dev/null |
		awk -v b="$b" '$1 == "init" && $2 ~ /^github.com\/parley-negotiation\// {
			t += $5; if ($5 > m) { m = $5; p = $2 }
		} $1 == "init" { all += $5 }
		END { printf "%s: package inits %.1f ms (the module'"'"'s %.1f ms; largest %s %.1f ms)\n", b, all, t, p, m }'
done

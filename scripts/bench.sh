#!/usr/bin/env bash
# Runs the engine benchmarks (not part of the default test run) and prints
# benchstat medians. Usage: scripts/bench.sh [count] [bench-regexp]
# Figures in docs/benchmarks.md come from this script on the 2-core CI machine.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
pattern=${2:-.}
out=$(mktemp)
go test -run '^$' -bench "$pattern" -count "$count" -benchtime 1s \
  ./profile ./analysis ./agent ./session ./plot | tee "$out"
echo
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20250813145418-2d6a6ffde3b0 "$out" 2>/dev/null || \
  go run golang.org/x/perf/cmd/benchstat@latest "$out"

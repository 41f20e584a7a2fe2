#!/usr/bin/env bash
# Sample where a training step's CPU time goes with Linux `perf` (when installed):
#   bash bench/perf_step.sh <arch> <side> <batch> [threads] [steps]
# Runs bench/step_profile.ts, records its timed steps with `perf record -g` (software clock),
# and prints bench/perf_breakdown.py's CPU milliseconds per step by class (kernels, eager
# runtime, binding, JavaScript). A cross-check of step_profile's wall-clock breakdown that does
# not depend on how loaded the machine is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch=$1 side=$2 batch=$3 threads=${4:-2} steps=${5:-4}
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# (from the scratch folder: V8 leaves its log files in the working directory)
cd "$out"
deno run -A --config "$ROOT/deno.json" --v8-flags=--perf-basic-prof "$ROOT/bench/step_profile.ts" \
  "$arch" "$side" "$batch" "$threads" "$steps" >"$out/profile.json" 2>"$out/profile.err" &
child=$!
until grep -q "timed steps begin" "$out/profile.err"; do
  kill -0 $child 2>/dev/null || { cat "$out/profile.err" >&2; exit 1; }
  sleep 0.2
done
pid=$(grep -o "pid [0-9]*" "$out/profile.err" | head -1 | cut -d' ' -f2)
perf record -e cpu-clock -F 997 -g -p "$pid" -o "$out/perf.data" 2>/dev/null &
recorder=$!
until grep -q "timed steps end" "$out/profile.err"; do
  kill -0 $child 2>/dev/null || break
  sleep 0.1
done
kill -INT $recorder
wait $recorder || true
wait $child
grep -v "^\[" "$out/profile.err" >&2 || true
cat "$out/profile.json"
perf script -i "$out/perf.data" -F tid,ip,sym,dso 2>/dev/null >"$out/perf.txt"
python3 "$ROOT/bench/perf_breakdown.py" "$out/perf.txt" 997 "$steps" "$pid"
rm -f "/tmp/perf-$pid.map"

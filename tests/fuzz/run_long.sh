#!/bin/sh
# Runs every fuzz target for longer than the test suite does, one after another, and prints the
# executions each ran. Usage (after cmake --workflow --preset fuzz): tests/fuzz/run_long.sh [SECONDS_EACH]
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-600}
build=build-fuzz
for target in zip pickle safetensors sharded legacy freezelist checkpoint; do
    "$build/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict=tests/fuzz/pickle.dict -artifact_prefix="$build/fuzz-artifacts/$target-" \
        "$build/fuzz-corpus/$target" "$build/fuzz-seeds/$target" 2>&1 |
        awk -v t="$target" '/stat::number_of_executed_units/ {print t ": " $2 " executions"} /ERROR|SUMMARY/ {print t ": " $0}'
done

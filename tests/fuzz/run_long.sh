#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every fuzz target for longer than the test suite does, one after another, and prints the
# executions each ran and how many a second. Usage (after cmake --workflow --preset fuzz): tests/fuzz/run_long.sh [SECONDS_EACH]
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-600}
build=build-fuzz
# As the test suite runs them (tests/fuzz/CMakeLists.txt): the seeds were made for this -max_len.
max_len=$(sed -n 's/^CKPT_FUZZ_MAX_LEN:STRING=//p' "$build/CMakeCache.txt")
for target in zip pickle safetensors sharded legacy freezelist checkpoint keyrules tar; do
    "$build/bin/fuzz_$target" -max_total_time="$seconds" -max_len="${max_len:-65536}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict=tests/fuzz/pickle.dict -artifact_prefix="$build/fuzz-artifacts/$target-" \
        "$build/fuzz-corpus/$target" "$build/fuzz-seeds/$target" 2>&1 |
        awk -v t="$target" '/stat::number_of_executed_units/ {n = $2} /stat::average_exec_per_sec/ {print t ": " n " executions, " $2 "/s"} /ERROR|SUMMARY/ {print t ": " $0}'
done

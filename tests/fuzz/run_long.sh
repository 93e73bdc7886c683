#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs fuzz targets for longer than the test suite does, one after another: each until it has made
# RUNS executions or SECONDS have passed, whichever comes first. Prints per target the executions,
# executions per second, wall time, corpus size afterwards and any crash.
# Usage (after cmake --workflow --preset fuzz): tests/fuzz/run_long.sh [SECONDS_EACH] [RUNS_EACH] [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-600}
runs=${2:-10000000}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-zip pickle safetensors sharded legacy freezelist checkpoint keyrules tar folder}
build=build-fuzz
# As the test suite runs them (tests/fuzz/CMakeLists.txt): the seeds were made for this -max_len.
max_len=$(sed -n 's/^CKPT_FUZZ_MAX_LEN:STRING=//p' "$build/CMakeCache.txt")
mkdir -p "$build/fuzz-artifacts"
for target in $targets; do
    mkdir -p "$build/fuzz-corpus/$target"
    start=$(date +%s)
    "$build/bin/fuzz_$target" -max_total_time="$seconds" -runs="$runs" -max_len="${max_len:-65536}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict=tests/fuzz/pickle.dict -artifact_prefix="$build/fuzz-artifacts/$target-" \
        "$build/fuzz-corpus/$target" "$build/fuzz-seeds/$target" >"$build/fuzz-long-$target.log" 2>&1 || true
    end=$(date +%s)
    corpus=$(find "$build/fuzz-corpus/$target" -type f | wc -l)
    awk -v t="$target" -v s="$((end - start))" -v c="$corpus" '
        /stat::number_of_executed_units/ {n = $2}
        /stat::average_exec_per_sec/ {r = $2}
        /ERROR: libFuzzer|SUMMARY: .*Sanitizer|deadly signal|Test unit written/ {print t ": " $0; bad = 1}
        END {print t ": " n " executions, " r "/s, " s " s, corpus " c " files" (bad ? ", FAILED" : ", 0 crashes")}' \
        "$build/fuzz-long-$target.log"
done

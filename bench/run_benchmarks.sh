#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates the benchmark checkpoints (about 15 GB, under build/bench-data, never committed; the folder
# benchmark needs about 25 GB more while it runs) and prints each table with its ratio against the baselines
# measured in the same run: Python (/usr/bin/python3), `cp` for saving, `cat` for the read limit.
# BENCH_10GB=1 adds a pair of 10 GB checkpoints (20 GB of disk) to the statistics and diff tables.
# BENCH_FOLDERS=0 leaves out the folder benchmark (its 12 GB of DCP and ZeRO-3 folders).
# Run from the repository root after building:  bench/run_benchmarks.sh
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DATA=${BENCH_DATA:-$BUILD/bench-data}
/usr/bin/python3 bench/make_bench_data.py "$DATA" > /dev/null
TEN=""
[ "${BENCH_10GB:-0}" = 1 ] && TEN="$DATA/state_dict_10gb.pt"
"$BUILD/bin/bench_inspect" "$BUILD/bin/ckpt" /usr/bin/python3 "$DATA/state_dict_1gb.pt" "$DATA/state_dict_100k.pt" \
    "$DATA/state_dict_1gb_deflated.pt" "$DATA/one_tensor_1gb.pt"
echo
"$BUILD/bin/bench_stats" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_stats.py "$DATA/state_dict_1gb.pt" "$DATA/one_tensor_1gb.pt" $TEN
echo
"$BUILD/bin/bench_save" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_save.py "$DATA/state_dict_1gb.pt" "$DATA"
echo
"$BUILD/bin/bench_diff" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_diff.py "$DATA/state_dict_1gb.pt" "$DATA/state_dict_1gb_finetuned.pt"
echo
if [ -n "$TEN" ]; then
    "$BUILD/bin/bench_diff" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_diff.py "$DATA/state_dict_10gb.pt" "$DATA/state_dict_10gb_finetuned.pt"
    echo
fi
"$BUILD/bin/bench_transplant" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_transplant.py "$DATA/state_dict_1gb.pt" \
    "$DATA/state_dict_1gb_finetuned.pt" "$DATA" "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt"
echo
if [ "${BENCH_FOLDERS:-1}" != 0 ]; then
    /usr/bin/python3 bench/make_folder_bench_data.py "$DATA" > /dev/null
    "$BUILD/bin/bench_folders" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_folders.py "$DATA" "$DATA/dcp_10gb" "$DATA/zero3_2gb"
fi
if [ -x "$BUILD/bin/bench_gui" ]; then
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_gui" "$DATA/state_dict_100k.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_diff_gui" "$DATA/state_dict_1gb.pt" "$DATA/state_dict_1gb_finetuned.pt" \
        "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_stats_gui" "$DATA/state_dict_1gb.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_gui_close" "$DATA/one_tensor_1gb.pt" "$DATA/state_dict_100k.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_transplant_gui" "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt" 2>/dev/null
fi

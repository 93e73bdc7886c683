#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates the benchmark checkpoints (about 15 GB, under build/bench-data, never committed; the folder
# benchmark needs about 25 GB more while it runs) and prints
# the listing benchmark table. Run from the repository root after building:  bench/run_benchmarks.sh
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DATA=${BENCH_DATA:-$BUILD/bench-data}
/usr/bin/python3 bench/make_bench_data.py "$DATA" > /dev/null
"$BUILD/bin/bench_inspect" "$BUILD/bin/ckpt" /usr/bin/python3 "$DATA/state_dict_1gb.pt" "$DATA/state_dict_100k.pt" \
    "$DATA/state_dict_1gb_deflated.pt"
echo
"$BUILD/bin/bench_diff" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_diff.py "$DATA/state_dict_1gb.pt" "$DATA/state_dict_1gb_finetuned.pt"
echo
"$BUILD/bin/bench_transplant" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_transplant.py "$DATA/state_dict_1gb.pt" \
    "$DATA/state_dict_1gb_finetuned.pt" "$DATA" "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt"
echo
/usr/bin/python3 bench/make_folder_bench_data.py "$DATA" > /dev/null
"$BUILD/bin/bench_folders" "$BUILD/bin/ckpt" /usr/bin/python3 bench/bench_folders.py "$DATA" "$DATA/dcp_10gb" "$DATA/zero3_2gb"
if [ -x "$BUILD/bin/bench_gui" ]; then
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_gui" "$DATA/state_dict_100k.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_diff_gui" "$DATA/state_dict_1gb.pt" "$DATA/state_dict_1gb_finetuned.pt" \
        "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_gui_close" "$DATA/one_tensor_1gb.pt" "$DATA/state_dict_100k.pt" 2>/dev/null
    echo
    QT_QPA_PLATFORM=offscreen "$BUILD/bin/bench_transplant_gui" "$DATA/state_dict_100k.pt" "$DATA/state_dict_100k_finetuned.pt" 2>/dev/null
fi

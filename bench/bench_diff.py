# SPDX-License-Identifier: MIT
"""The Python baseline for `ckpt diff`: torch.load both files, then the same metrics per pair.
Run with /usr/bin/python3:  bench_diff.py A B   (prints the seconds it took)"""

import sys
import time

import torch

start = time.perf_counter()
a = torch.load(sys.argv[1])
b = torch.load(sys.argv[2])
for name, x in a.items():
    y = b.get(name)
    if y is None or y.shape != x.shape:
        continue
    if torch.equal(x, y):
        continue
    d = (x - y).abs()
    d.max().item()
    d.mean().item()
    (d.norm() / x.norm()).item()
    torch.nn.functional.cosine_similarity(x.flatten(), y.flatten(), dim=0).item()
    (d > 0).float().mean().item()
print("%.3f" % (time.perf_counter() - start))

# SPDX-License-Identifier: MIT
"""The Python baseline for `ckpt inspect --stats`: torch.load, then per tensor what the statistics columns
show - mean, std, min and max over the finite values, and the NaN, +inf, -inf and zero counts - in float64
as ckpt computes them. Run with /usr/bin/python3:  bench_stats.py FILE   (prints the seconds it took)"""

import sys
import time

import torch

start = time.perf_counter()
sd = torch.load(sys.argv[1])
for name, t in sd.items():
    x = t.detach().reshape(-1).to(torch.float64)
    finite = torch.isfinite(x)
    v = x[finite]
    if v.numel():
        v.mean().item()
        v.std().item()
        v.min().item()
        v.max().item()
    torch.isnan(x).sum().item()
    torch.isposinf(x).sum().item()
    torch.isneginf(x).sum().item()
    (x == 0).sum().item()
print("%.3f" % (time.perf_counter() - start))

# SPDX-License-Identifier: MIT
"""The Python baseline for `ckpt save IN OUT`: torch.load, then torch.save, with an fsync as ckpt does.
Run with /usr/bin/python3:  bench_save.py IN OUT   (prints the seconds it took)"""

import os
import sys
import time

import torch

start = time.perf_counter()
sd = torch.load(sys.argv[1])
with open(sys.argv[2], "wb") as f:
    torch.save(sd, f)
    f.flush()
    os.fsync(f.fileno())
print("%.3f" % (time.perf_counter() - start))

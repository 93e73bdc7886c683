# SPDX-License-Identifier: MIT
"""The Python baseline for `ckpt transplant`: the seed's template on state_dicts (torch.load both, keep the
pretrained tensors whose name and shape match, update the target's state_dict, torch.save it).
Run with /usr/bin/python3:  bench_transplant.py SOURCE TARGET OUT   (prints the seconds it took)"""

import sys
import time

import torch

start = time.perf_counter()
pretrained = torch.load(sys.argv[1])
own = torch.load(sys.argv[2])
matched = {k: v for k, v in pretrained.items() if k in own and v.shape == own[k].shape}
own.update(matched)
torch.save(own, sys.argv[3])
print("%.3f" % (time.perf_counter() - start))

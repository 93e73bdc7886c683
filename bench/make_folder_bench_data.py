# SPDX-License-Identifier: MIT
"""Generates the folder benchmark checkpoints (never committed). Run with /usr/bin/python3:
    make_folder_bench_data.py OUTDIR
writes OUTDIR/dcp_10gb/ (a torch.distributed.checkpoint folder of 10 GiB over 4 ranks: 40 float32 tensors of
8192 x 8192, even ones sharded by rows and odd ones by columns, as FSDP2 and tensor parallelism shard them;
written by the same dcp.save replay as the test fixtures, tests/fixtures/make_dcp_fixtures.py) and
OUTDIR/zero3_2gb/ (a DeepSpeed ZeRO-3 root of 2 GiB of fp32 master weights over 4 ranks: 64 parameters of
2048 x 4096 plus a few odd-sized ones, so that the ranks' partitions carry padding; the stand-in classes and
torch.save of tests/fixtures/make_deepspeed_fixtures.py). Existing folders are kept."""

import collections
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))

import torch  # noqa: E402

import make_dcp_fixtures as dcp  # noqa: E402
import make_deepspeed_fixtures as ds  # noqa: E402

WORLD = 4


def dcp_10gb(folder):
    torch.manual_seed(0)
    ranks = [{"model": {}} for _ in range(WORLD)]
    for i in range(40):
        full = torch.randn(8192, 8192)
        dim = i % 2
        for r, piece in enumerate(full.chunk(WORLD, dim)):
            offsets = [r * full.shape[dim] // WORLD if d == dim else 0 for d in range(2)]
            ranks[r]["model"]["layers.%d.%s.weight" % (i // 4, ("q", "k", "v", "o")[i % 4])] = dcp.Sharded(
                piece.clone(memory_format=torch.contiguous_format), offsets, list(full.shape))
        del full
    ranks[0]["step"] = 1000
    for r in range(1, WORLD):
        ranks[r]["step"] = 1000
    dcp.dcp_save(ranks, folder, "new", folder)


def zero3_2gb(root):
    torch.manual_seed(0)
    shapes = collections.OrderedDict(("layers.%d.weight" % i, (2048, 4096)) for i in range(64))
    shapes.update((("norm.weight", (4097,)), ("head.bias", (1001,))))  # numel not divisible by 4: padding
    cfg = ds.ds_config(3, WORLD, torch.bfloat16, None)
    flats = [[] for _ in range(WORLD)]
    parts = [[] for _ in range(WORLD)]
    for name, shape in shapes.items():
        master = torch.randn(shape)
        for r in range(WORLD):
            parts[r].append(ds.zero3_slice(master, r, WORLD, ds.SENTINEL).clone())
        del master
    for r in range(WORLD):
        flats[r] = [ds.Ds3FlatTensor(torch.cat(parts[r]).requires_grad_(True), "0_%d" % (len(shapes) - 1))]
    del parts
    files = {}
    optim_name = "bf16_zero_pp_rank_%d_mp_rank_00_optim_states.pt"
    for r in range(WORLD):
        files[optim_name % r] = ({"optimizer_state_dict": {
            "zero_stage": ds.ZeroStageEnum.weights, "loss_scaler": ds.scaler(ds.LossScaler, cur_scale=1.0, dynamic=False),
            "dynamic_loss_scale": False, "overflow": False, "partition_count": WORLD,
            "optimizer_state_dict": {"state": {}, "param_groups": [{"lr": 1e-4, "params": [0]}]},
            "fp32_flat_groups": flats[r]}, "ds_config": cfg, "ds_version": "0.16.5"}, "cuda:%d" % r, (), False)
        # Parameters above the persistence threshold are empty in the module: their partitions hold the data.
        module = collections.OrderedDict((n, torch.empty(0, dtype=torch.bfloat16)) for n in shapes)
        state = {"module": module, "buffer_names": [], "optimizer": None,
                 "param_shapes": [collections.OrderedDict((n, torch.Size(s)) for n, s in shapes.items())],
                 "frozen_param_shapes": collections.OrderedDict(), "shared_params": {},
                 "frozen_param_fragments": collections.OrderedDict(), "lr_scheduler": None,
                 "data_sampler": None, "random_ltd": None, "sparse_tensor_module_names": set(), "skipped_steps": 0,
                 "global_steps": 1000, "global_samples": 8000, "dp_world_size": WORLD, "mp_world_size": 1,
                 "ds_config": cfg, "ds_version": "0.16.5"}
        files["zero_pp_rank_%d_mp_rank_00_model_states.pt" % r] = (state, "cuda:%d" % r, (), False)
    ds.write_root(root, files, enum_pickle=ds.enum_by_value)
    assert math.isclose(sum(math.prod(s) for s in shapes.values()) * 4 / 2 ** 30, 2.0, rel_tol=0.01)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    if not os.path.exists(os.path.join(out, "dcp_10gb")):
        dcp_10gb(os.path.join(out, "dcp_10gb"))
    if not os.path.exists(os.path.join(out, "zero3_2gb")):
        zero3_2gb(os.path.join(out, "zero3_2gb"))


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: MIT
"""Generates the benchmark checkpoints (never committed). Run with /usr/bin/python3:
    make_bench_data.py OUTDIR
writes OUTDIR/state_dict_1gb.pt (400 float32 tensors, 1 GiB), OUTDIR/state_dict_1gb_finetuned.pt (the
same with every other tensor changed a little), OUTDIR/state_dict_100k.pt (100,000 small tensors named
like a mixture-of-experts model) and OUTDIR/state_dict_100k_finetuned.pt (a third of those changed, some
removed, added and reshaped) and OUTDIR/state_dict_1gb_deflated.pt (state_dict_1gb.pt re-packed with every
record deflate-compressed, as zip tools and TorchSharp write them) and OUTDIR/one_tensor_1gb.pt (a single
float32 tensor of 1 GiB, an embedding table's size). Existing files are kept.

With BENCH_10GB=1 in the environment (they take 20 GB of disk and 10 GB of memory while made) it also
writes OUTDIR/state_dict_10gb.pt (1,000 float32 tensors of 10 MiB) and OUTDIR/state_dict_10gb_finetuned.pt
(every other tensor changed a little)."""

import os
import sys

import torch


def one_gib(path):
    torch.manual_seed(0)
    per_tensor = (1 << 30) // 4 // 400  # float32 elements
    rows = 512
    cols = per_tensor // rows
    sd = {}
    for i in range(400):
        sd["layers.%d.%s.weight" % (i // 4, ("q", "k", "v", "o")[i % 4])] = torch.randn(rows, cols)
    torch.save(sd, path)


def ten_gib(path, finetuned=False):
    """Made tensor by tensor from seeds, so that the fine-tuned copy needs no load of the first."""
    sd = {}
    for i in range(1000):
        g = torch.Generator().manual_seed(i)
        t = torch.randn(1024, 2560, generator=g)
        if finetuned and i % 2 == 0:
            t.add_(torch.randn(1024, 2560, generator=g), alpha=1e-3)
        sd["layers.%d.%s.weight" % (i // 4, ("q", "k", "v", "o")[i % 4])] = t
    torch.save(sd, path)


def one_tensor(path):
    torch.manual_seed(0)
    torch.save({"embed.weight": torch.randn(262144, 1024)}, path)


def hundred_k(path):
    torch.manual_seed(0)
    sd = {}
    i = 0
    layer = 0
    while i < 100_000:
        for expert in range(64):
            for w in ("w1", "w2", "w3"):
                if i < 100_000:
                    sd["model.layers.%d.mlp.experts.%d.%s.weight" % (layer, expert, w)] = torch.randn(4, 4)
                    i += 1
        for n in ("input_layernorm.weight", "post_attention_layernorm.weight"):
            if i < 100_000:
                sd["model.layers.%d.%s" % (layer, n)] = torch.ones(4)
                i += 1
        layer += 1
    assert len(sd) == 100_000
    torch.save(sd, path)


def fine_tuned(path, base):
    """The 1 GiB state_dict after "fine-tuning": half of the tensors changed a little, half untouched."""
    torch.manual_seed(1)
    sd = torch.load(base)
    for i, (k, v) in enumerate(sd.items()):
        if i % 2 == 0:
            v.add_(torch.randn_like(v), alpha=1e-3)
    torch.save(sd, path)


def fine_tuned_100k(path, base):
    torch.manual_seed(2)
    sd = torch.load(base)
    out = {}
    for i, (k, v) in enumerate(sd.items()):
        if i % 1000 == 999:
            continue  # removed
        if i % 5000 == 1:
            v = torch.randn(8, 2)  # reshaped
        elif i % 3 == 0:
            v = v + 1e-2 * torch.randn_like(v)
        out[k] = v
    for j in range(50):
        out["model.extra_head.%d.weight" % j] = torch.randn(4, 4)
    torch.save(out, path)


def deflated(path, base):
    import zipfile
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, make in (("state_dict_1gb.pt", one_gib), ("state_dict_100k.pt", hundred_k),
                       ("state_dict_1gb_finetuned.pt", lambda p: fine_tuned(p, os.path.join(out, "state_dict_1gb.pt"))),
                       ("state_dict_100k_finetuned.pt", lambda p: fine_tuned_100k(p, os.path.join(out, "state_dict_100k.pt"))),
                       ("state_dict_1gb_deflated.pt", lambda p: deflated(p, os.path.join(out, "state_dict_1gb.pt"))),
                       ("one_tensor_1gb.pt", one_tensor)) + ((
                       ("state_dict_10gb.pt", ten_gib),
                       ("state_dict_10gb_finetuned.pt", lambda p: ten_gib(p, finetuned=True))) if os.environ.get("BENCH_10GB") == "1" else ()):
        path = os.path.join(out, name)
        if not os.path.exists(path):
            make(path + ".tmp")
            os.replace(path + ".tmp", path)
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: MIT
"""Seed corpora for the fuzz targets from the files in the repository and, when given, the generated test
fixtures (torch.save / torch.jit.save output). Usage: make_seeds.py [--max-len N] SOURCE_DIR OUT_DIR [FIXTURE_DIR]
writes OUT_DIR/<target>/ for each fuzz target; N is the -max_len the targets run with (default 65536).
Needs torch (the Python that makes the fixtures) for two small seeds of its own."""

import glob
import io
import os
import shutil
import sys
import zipfile

args = sys.argv[1:]
max_len = 65536
if args[:1] == ["--max-len"]:
    max_len, args = int(args[1]), args[2:]
src, out = args[0], args[1]
files = sorted(glob.glob(os.path.join(src, "tests/data/realworld/*")) + glob.glob(os.path.join(src, "tests/data/malformed/*"))
               + glob.glob(os.path.join(src, "resources/examples/*.pt")))
if len(args) > 2:
    files += sorted(glob.glob(os.path.join(args[2], "*")) + glob.glob(os.path.join(args[2], "*", "*")))
# The corpus's own scripts and tables are no input to any reader.
files = [f for f in files if os.path.isfile(f) and not f.endswith((".md", ".expected.json", ".py", ".tsv"))]


def put(target, name, data):
    # libFuzzer cuts every seed to -max_len, and a seed over it costs each execution its size (the copy, the
    # memory file, the instrumented scans). A zip, safetensors or tar file cut short loses the directory or
    # the data its header points to, so those are left out: the files over the cap are checkpoints whose
    # tensors are large, not whose structure is new (smaller files of the same libraries and formats remain,
    # a big zip's data.pkl still seeds the pickle target, and small_dtypes() stands in for dtypes.pt). A
    # pickle is read from its start, and a legacy torch.save file is a stream of pickles before its
    # storages, so those keep their first max_len bytes.
    if len(data) > max_len:
        if not (data[:1] == b"\x80" or data[:4] == b"L119"):
            return
        data = data[:max_len]
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


for target in ("zip", "pickle", "safetensors", "sharded", "legacy", "freezelist", "checkpoint", "keyrules", "tar", "folder"):
    shutil.rmtree(os.path.join(out, target), ignore_errors=True)
    os.makedirs(os.path.join(out, target))
def seed_file(name, data):
    put("checkpoint", name, data)
    if data.startswith(b"PK\x03\x04"):
        put("zip", name, data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for info in z.infolist():
                    if info.filename.endswith(".pkl"):
                        put("pickle", name + "." + os.path.basename(info.filename), z.read(info.filename))
        except Exception:  # noqa: BLE001 - the malformed corpus breaks zipfile in every way; skip those
            pass
    elif data[:1] == b"\x80" or data[:1] == b"L":
        put("legacy", name, data)
        put("pickle", name, data)
    if data[257:262] == b"ustar" or data[:2] == b"\x1f\x8b" or name.endswith((".tar", ".tar.gz", ".gz")):
        put("tar", name, data)
    if name.endswith(".safetensors") or (len(data) > 9 and data[8:9] == b"{"):
        put("safetensors", name, data)
    if name.endswith(".json"):
        put("sharded", name, data)
        put("freezelist", name, data)


def small_dtypes():
    """The fixture dtypes.pt is over the cap only for its one 256x256 tensor, and it is the only seed with
    bool, uint8, int8, int16, int32 and complex storages. The same dtypes in tensors of six elements, as
    torch.save writes them in the zip and the legacy format, keep those storage classes in the seeds."""
    import torch  # the CKPT_PYTHON that made the fixtures

    dtypes = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64, torch.complex128, torch.bool,
              torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
    values = {str(d).removeprefix("torch."): torch.arange(6).reshape(2, 3).to(d) for d in dtypes}
    values["scalar_0d"] = torch.tensor(3.5)
    values["empty_0x3"] = torch.zeros(0, 3)
    for suffix, zip_format in (("zip", True), ("legacy", False)):
        buffer = io.BytesIO()
        torch.save(values, buffer, _use_new_zipfile_serialization=zip_format)
        yield "small_dtypes_%s.pt" % suffix, buffer.getvalue()


for path in files:
    with open(path, "rb") as f:
        seed_file(os.path.basename(path), f.read())
for name, data in small_dtypes():
    seed_file(name, data)
put("sharded", "index.json", b'{"metadata": {"total_size": 8}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors"}}')
for path in glob.glob(os.path.join(src, "resources/examples/*.json")):
    with open(path, "rb") as f:
        put("freezelist", os.path.basename(path), f.read())
put("freezelist", "list.txt", b"# frozen\nstem.weight\nblocks.0.conv1.weight\n")
put("freezelist", "array.json", b'["stem.weight", "stem.bias"]')
# keyrules: pattern line, replacement line, name lines.
for i, seed in enumerate([
        b"^layer(\\d)\\.\nstage\\1.\nlayer1.0.conv1.weight\nlayer2.1.bn.running_mean\nfc.bias",
        b"*a*a*a*b\n$&$$\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\na.a.a.a.b",
        b"(s)\\.(s)\n$2:$1\ns.s.s.s.s.s.s.s\ns.",
        b"x*\n-\n\xc3\xa9\xe5\xb1\x82.\xe6\x9d\x83\xe9\x87\x8d\nabc",
        b"[!a-c]?.[]]*\n\\1\nd\xc3\xa9.]x\n\xff\xfe.bad",
        b"module\\.\n\nmodule.encoder.layers.10.attn.in_proj_weight\nmodule.fc.weight",
]):
    put("keyrules", "seed%d.txt" % i, seed)


# fuzz_folder: each DCP and DeepSpeed fixture folder packed as its records ([name index][length][data]), the
# names as tests/fuzz/fuzz_folder.cpp lists them.
FOLDER_NAMES = [".metadata", "__0_0.distcp", "__1_0.distcp", "__2_0.distcp", "latest",
                "global_step7/mp_rank_00_model_states.pt"] + \
    ["global_step7/zero_pp_rank_%d_mp_rank_00_model_states.pt" % r for r in range(3)] + \
    ["global_step7/bf16_zero_pp_rank_%d_mp_rank_00_optim_states.pt" % r for r in range(3)] + \
    ["global_step7/zero_pp_rank_%d_mp_rank_00_optim_states.pt" % r for r in range(2)]
if len(args) > 2:
    import struct
    for root in sorted(glob.glob(os.path.join(args[2], "dcp", "dcp_*")) + glob.glob(os.path.join(args[2], "deepspeed", "ds_*"))):
        if not os.path.isdir(root):
            continue
        packed = b""
        for index, name in enumerate(FOLDER_NAMES):
            path = os.path.join(root, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    data = f.read()
                packed += struct.pack("<BI", index, len(data)) + data
        if packed:
            put("folder", os.path.basename(root), packed)

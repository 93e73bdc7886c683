"""Seed corpora for the fuzz targets from the files in the repository and, when given, the generated test
fixtures (torch.save / torch.jit.save output). Usage: make_seeds.py SOURCE_DIR OUT_DIR [FIXTURE_DIR]
writes OUT_DIR/<target>/ for each fuzz target."""

import glob
import os
import shutil
import sys
import zipfile

src, out = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(src, "tests/data/realworld/*")) + glob.glob(os.path.join(src, "tests/data/malformed/*"))
               + glob.glob(os.path.join(src, "resources/examples/*.pt")))
if len(sys.argv) > 3:
    files += sorted(glob.glob(os.path.join(sys.argv[3], "*")) + glob.glob(os.path.join(sys.argv[3], "*", "*")))
files = [f for f in files if os.path.isfile(f) and not f.endswith((".md", ".expected.json")) and os.path.getsize(f) < 4 << 20]


def put(target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


for target in ("zip", "pickle", "safetensors", "sharded", "legacy", "freezelist", "checkpoint", "keyrules"):
    shutil.rmtree(os.path.join(out, target), ignore_errors=True)
    os.makedirs(os.path.join(out, target))
for path in files:
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    put("checkpoint", name, data)
    if data.startswith(b"PK\x03\x04"):
        put("zip", name, data)
        try:
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    if info.filename.endswith(".pkl"):
                        put("pickle", name + "." + os.path.basename(info.filename), z.read(info.filename))
        except Exception:  # noqa: BLE001 - the malformed corpus breaks zipfile in every way; skip those
            pass
    elif data[:1] == b"\x80" or data[:1] == b"L":
        put("legacy", name, data)
        put("pickle", name, data)
    if name.endswith(".safetensors") or (len(data) > 9 and data[8:9] == b"{"):
        put("safetensors", name, data)
    if name.endswith(".json"):
        put("sharded", name, data)
        put("freezelist", name, data)
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

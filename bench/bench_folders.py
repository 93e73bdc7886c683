# SPDX-License-Identifier: MIT
"""The Python baseline of bench_folders: a torch.distributed.checkpoint or DeepSpeed folder put together
with the sources' own algorithm (DCP's FileSystemReader + dcp_to_torch_save: each blob read at its byte range
and torch.load'ed, then copied into the whole tensor; DeepSpeed's zero_to_fp32.py: torch.load of every rank
file, then the partitions concatenated), as tests/fixtures re-implement them. Run with /usr/bin/python3:
    bench_folders.py list DIR            put the state together and print every name, shape and dtype
    bench_folders.py list-metadata DIR   DCP only: print the same from .metadata alone (no tensor read)
    bench_folders.py consolidate DIR OUT put it together and torch.save it to OUT
    bench_folders.py diff DIR FILE       put it together, torch.load FILE, compare every tensor exactly
"""

import io
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))

import torch  # noqa: E402

import make_dcp_fixtures as dcp  # noqa: E402
import make_deepspeed_fixtures as ds  # noqa: E402


def read_dcp(folder):
    md, _ = dcp.load_metadata(folder)
    files, sd = {}, {}

    def blob(index):
        info = md.storage_data[index]
        f = files.get(info.relative_path) or files.setdefault(info.relative_path, open(os.path.join(folder, info.relative_path), "rb"))
        f.seek(info.offset)
        return f.read(info.length)

    for fqn, entry in md.state_dict_metadata.items():
        path = tuple(md.planner_data.get(fqn, (fqn,)))
        if not isinstance(entry, dcp.TensorStorageMetadata):
            dcp.set_element(sd, path, dcp.load_plain(blob(dcp.MetadataIndex(fqn))))
            continue
        full = torch.empty(entry.size, dtype=entry.properties.dtype)
        for chunk in entry.chunks:
            part = torch.load(io.BytesIO(blob(dcp.MetadataIndex(fqn, chunk.offsets))), map_location="cpu", weights_only=True)
            full[tuple(slice(o, o + s) for o, s in zip(chunk.offsets, chunk.sizes))].copy_(part)
        dcp.set_element(sd, path, full)
    return sd


def read_folder(folder):
    if os.path.exists(os.path.join(folder, ".metadata")):
        dcp.install("new")
        return read_dcp(folder)
    return ds.consolidate(folder)[0]


def tensors(obj, prefix=""):
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from tensors(v, "%s/%s" % (prefix, k) if prefix else str(k))


def main(argv):
    cmd, folder = argv[1], argv[2]
    if cmd == "list":
        for name, t in tensors(read_folder(folder)):
            print(name, list(t.shape), t.dtype)
    elif cmd == "list-metadata":
        dcp.install("new")
        md, _ = dcp.load_metadata(folder)
        for fqn, entry in md.state_dict_metadata.items():
            if isinstance(entry, dcp.TensorStorageMetadata):
                print(fqn, list(entry.size), entry.properties.dtype)
    elif cmd == "consolidate":
        torch.save(read_folder(folder), argv[3])
    elif cmd == "diff":
        a = dict(tensors(read_folder(folder)))
        b = dict(tensors(torch.load(argv[3], map_location="cpu", weights_only=True)))
        same = sum(1 for n in a if n in b and a[n].dtype == b[n].dtype and a[n].shape == b[n].shape and torch.equal(a[n], b[n]))
        print("%d of %d identical" % (same, len(a)))
        return 0 if same == len(a) == len(b) else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

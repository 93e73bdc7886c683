#!/usr/bin/python3
"""Generates the malformed-input corpus for Checkpoint Studio's readers.

Run with Debian's interpreter (no third-party modules are needed):

    /usr/bin/python3 tests/data/malformed/make_corpus.py

Every file is rebuilt from scratch next to this script, together with corpus.tsv:

    <file name> TAB <expected ckpt::ErrorKind name, or "ok"> TAB <one-line description>

The output is deterministic: pickles are written opcode by opcode, ZIP archives use a fixed
date_time, tar members a fixed mtime/owner, gzip streams mtime=0, random bytes a fixed seed.
Large but repetitive pickles (deep nesting, many MARKs, huge stacks) are stored deflated inside
the ZIP archive so that every file stays below 64 KiB.

SAFETY: several files reference os.system / builtins.exec with a command that would create
/tmp/ckpt_studio_pwned_sentinel. Never load this corpus with pickle.load / torch.load.
"""

import gzip
import io
import json
import os
import random
import struct
import sys
import tarfile
import warnings
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.basename(__file__)
MAX_FILE = 64 * 1024
SENTINEL = "/tmp/ckpt_studio_pwned_sentinel"

ROWS = []  # (name, expected, description)
KINDS = {"ok", "NotFound", "Truncated", "Malformed", "LimitExceeded", "Unsupported", "UnknownFormat"}


def emit(name, expected, description, data, listed=True):
    """Writes one corpus file; listed=False for helper files (shards) that are not opened directly."""
    assert expected in KINDS, expected
    assert "\t" not in description and "\n" not in description, name
    assert "/" not in name and name not in (SCRIPT, "corpus.tsv"), name
    assert len(data) < MAX_FILE, "%s is %d bytes" % (name, len(data))
    assert all(r[0] != name for r in ROWS), "duplicate row " + name
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    if listed:
        ROWS.append((name, expected, description))


# ----------------------------------------------------------------------------------------------
# Pickle assembler (hand-written opcodes, so malformed streams are exactly what we intend)
# ----------------------------------------------------------------------------------------------

P2 = b"\x80\x02"  # PROTO 2, what torch.save uses


def U(s):
    """BINUNICODE"""
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def I(n):
    """The smallest integer opcode for n (BININT1 / BININT2 / BININT / LONG1)."""
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if 0 <= n < 65536:
        return b"M" + struct.pack("<H", n)
    if -(2 ** 31) <= n < 2 ** 31:
        return b"J" + struct.pack("<i", n)
    nb = (n.bit_length() + 8) // 8
    return b"\x8a" + bytes([nb]) + n.to_bytes(nb, "little", signed=True)


def G(module, name):
    """GLOBAL"""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def T(*parts):
    """MARK ... TUPLE"""
    return b"(" + b"".join(parts) + b"t"


def ints(values):
    return T(*[I(v) for v in values])


def storage_pid(key="0", cls="FloatStorage", numel=4, location="cpu"):
    """A torch.save (zip) persistent id: ('storage', torch.<cls>, key, location, numel) BINPERSID."""
    return T(U("storage"), G("torch", cls), U(key), U(location), I(numel)) + b"Q"


def legacy_pid(key="0", cls="FloatStorage", numel=4, location="cpu"):
    """A legacy persistent id: ('storage', cls, key, location, numel, view_metadata=None)."""
    return T(U("storage"), G("torch", cls), U(key), U(location), I(numel), b"N") + b"Q"


def tensor(pid=None, offset=b"K\x00", size=b"(K\x04t", stride=b"(K\x01t"):
    """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).
    Arguments are raw opcode bytes so that callers can put anything there."""
    if pid is None:
        pid = storage_pid()
    return (G("torch._utils", "_rebuild_tensor_v2")
            + T(pid, offset, size, stride, b"\x89", G("collections", "OrderedDict") + b")R")
            + b"R")


def tensor_v(offset=0, size=(4,), stride=(1,), pid=None):
    return tensor(pid, I(offset), ints(size), ints(stride))


def state_dict(*items, proto=P2):
    """{name: value, ...} from (name, value-opcodes) pairs."""
    body = b"".join(U(k) + v + b"s" for k, v in items)
    return proto + b"}" + body + b"."


def nn_module(params=b"", children=b""):
    """A pickled nn.Module as torch.save(model) writes it: mymodels.Net.__new__() + BUILD with
    {'_parameters': {...}, '_buffers': {}, '_modules': {...}}; params/children are key/value opcodes."""
    def d(items):
        return b"}" + (b"(" + items + b"u" if items else b"")
    return (G("mymodels", "Net") + b")\x81" + b"}("
            + U("training") + b"\x88" + U("_parameters") + d(params) + U("_buffers") + b"}" + U("_modules") + d(children)
            + b"ub")


def script_module(attrs):
    """A TorchScript module object: __torch__.Net.__new__() + BUILD with {'training': True, **attrs}."""
    return G("__torch__", "Net") + b")\x81" + b"}(" + U("training") + b"\x88" + attrs + b"ub"


def memo_put(i):
    return b"r" + struct.pack("<I", i)


def memo_get(i):
    return b"j" + struct.pack("<I", i)


def module_dag(levels, make):
    """Level 0 holds the tensor; level i holds level i-1 twice (as 'a' and 'b'). Leaves the top level on the stack."""
    out = make(U("w") + tensor(), leaf=True)
    for i in range(levels):
        out += memo_put(i) + b"0" + make(U("a") + memo_get(i) + U("b") + memo_get(i), leaf=False)
    return out


FLOATS4 = struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
GOOD_PICKLE = state_dict(("w", tensor()))

# ----------------------------------------------------------------------------------------------
# ZIP (torch.save >= 1.6 layout) helpers
# ----------------------------------------------------------------------------------------------

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def make_zip(entries, deflate=()):
    """entries: [(name, bytes)] written in order with zipfile; names in deflate are compressed."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the deliberate duplicate names
        with zipfile.ZipFile(buf, "w") as z:
            for name, data in entries:
                zi = zipfile.ZipInfo(name, date_time=FIXED_DATE)
                zi.create_system = 3
                zi.external_attr = 0o644 << 16
                zi.compress_type = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
                z.writestr(zi, data, compress_type=zi.compress_type, compresslevel=9 if name in deflate else None)
    return buf.getvalue()


def torch_zip(name, pkl, records=None, extra=(), deflate_pickle=False, byteorder=b"little"):
    """A torch.save-style archive: <name>/data.pkl, <name>/byteorder, <name>/data/<key>..., <name>/version."""
    if records is None:
        records = {"0": FLOATS4}
    entries = [(name + "/data.pkl", pkl)]
    if byteorder is not None:
        entries.append((name + "/byteorder", byteorder))
    for key, data in records.items():
        entries.append((name + "/data/" + key, data))
    entries.append((name + "/version", b"3\n"))
    entries.extend(extra)
    return make_zip(entries, deflate={name + "/data.pkl"} if deflate_pickle else ())


def zip_layout(data):
    """Offsets of the EOCD record and of every central directory entry: (eocd, [(name, offset)])."""
    eocd = data.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    entries = []
    pos = cd_offset
    for _ in range(count):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        entries.append((data[pos + 46:pos + 46 + n].decode(), pos))
        pos += 46 + n + m + k
    return eocd, cd_offset, entries


def central_entry(data, name):
    return dict(zip_layout(data)[2])[name]


def patch(data, offset, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


# ----------------------------------------------------------------------------------------------
# Legacy torch.save (< 1.6) helpers
# ----------------------------------------------------------------------------------------------

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C


def pyint_pickle(n):
    """A protocol-2 pickle of an integer, as pickle.dumps(n, 2) writes it (LONG1 for big ones)."""
    return P2 + I(n) + b"."


SYS_INFO_LE = P2 + b"}" + U("protocol_version") + I(1001) + b"s" + U("little_endian") + b"\x88s" \
    + U("type_sizes") + b"}" + U("short") + I(2) + b"s" + U("int") + I(4) + b"s" + U("long") + I(8) + b"ss."
SYS_INFO_BE = SYS_INFO_LE.replace(U("little_endian") + b"\x88", U("little_endian") + b"\x89")


def legacy_stream(magic=MAGIC_NUMBER, protocol=1001, sys_info=SYS_INFO_LE, main=None, keys=("0",),
                  storages=None):
    """magic, protocol, sys_info, main pickle, storage key list, then per key: u64 count + bytes."""
    if main is None:
        main = state_dict(("w", tensor(legacy_pid())))
    if storages is None:
        storages = [struct.pack("<Q", 4) + FLOATS4]
    key_list = P2 + b"]" + (b"(" + b"".join(U(k) for k in keys) + b"e" if keys else b"") + b"."
    return pyint_pickle(magic) + pyint_pickle(protocol) + sys_info + main + key_list + b"".join(storages)


def tar_bytes(members):
    """A deterministic ustar archive of [(name, bytes)]."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 0
            ti.mode = 0o644
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            t.addfile(ti, io.BytesIO(data))
        end = t.offset  # end of the last member; tarfile pads the archive to 10 KiB records on close
    return buf.getvalue()[:end + 1024]  # keep the two zero end-of-archive blocks, drop the record padding


def legacy_tar(storage_numel=4, storage_data=FLOATS4, pickle_member=None):
    """The pre-2018 tar layout: sys_info, pickle, tensors, storages members."""
    storages = (P2 + I(1) + b"."  # storage count
                + P2 + T(I(1000), U("cpu"), G("torch", "FloatStorage")) + b"."  # (key, location, type)
                + struct.pack("<Q", storage_numel) + storage_data
                + P2 + b"]."  # storage views
                )
    tensors = (P2 + I(1) + b"."
               + P2 + T(I(2000), I(1000), G("torch", "FloatTensor")) + b"."  # (key, storage key, type)
               + struct.pack("<II", 1, 0) + struct.pack("<Q", 4) + struct.pack("<Q", 1) + struct.pack("<Q", 0))
    if pickle_member is None:
        pickle_member = P2 + b"}" + U("w") + U("2000") + b"Qs."  # {'w': persistent id '2000' (tensor key)}
    return tar_bytes([("sys_info", SYS_INFO_LE), ("pickle", pickle_member), ("tensors", tensors),
                      ("storages", storages)])


def tar_header_offset(data, name):
    pos = 0
    while pos + 512 <= len(data):
        header = data[pos:pos + 512]
        if header == bytes(512):
            break
        n = header[:100].rstrip(b"\0").decode()
        size = int(header[124:136].rstrip(b"\0 ") or b"0", 8)
        if n == name:
            return pos
        pos += 512 + (size + 511) // 512 * 512
    raise KeyError(name)


def tar_set_field(data, header_pos, offset, raw, fix_checksum=True):
    b = bytearray(data)
    b[header_pos + offset:header_pos + offset + len(raw)] = raw
    if fix_checksum:
        h = b[header_pos:header_pos + 512]
        h[148:156] = b" " * 8
        b[header_pos + 148:header_pos + 156] = b"%06o\0 " % sum(h)
    return bytes(b)


# ----------------------------------------------------------------------------------------------
# safetensors helpers
# ----------------------------------------------------------------------------------------------


def safetensors(header, data, pad=True):
    """header: a dict (serialised compactly) or raw JSON text."""
    text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    hb = text.encode()
    if pad:
        hb += b" " * (-len(hb) % 8)
    return struct.pack("<Q", len(hb)) + hb + data


def st_tensor(dtype="F32", shape=(4,), begin=0, end=16):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": [begin, end]}


# ----------------------------------------------------------------------------------------------
# The corpus
# ----------------------------------------------------------------------------------------------


def detection_rows():
    emit("empty.pt", "Truncated", "empty file (0 bytes)", b"")
    emit("plain_text.pt", "UnknownFormat", "plain ASCII text with a .pt extension",
         b"this is not a checkpoint, just some text\n")
    emit("readme_like.pth", "UnknownFormat", "a Markdown README saved under a checkpoint name",
         b"# ResNet-18 weights\n\nDownload the checkpoint from the releases page and load it with\n"
         b"`torch.load('resnet18.pth')`.\n\n| epoch | top-1 |\n|-------|-------|\n| 90    | 69.8  |\n")
    emit("git_lfs_pointer.bin", "UnknownFormat", "a Git LFS pointer file instead of the real weights",
         b"version https://git-lfs.github.com/spec/v1\n"
         b"oid sha256:4d7a21bc8e2f1b1f9c3a6b0e6f2e8a2d4c1b0a9f8e7d6c5b4a39281706f5e4d3\nsize 46830571\n")
    emit("html_error_page.pt", "UnknownFormat", "an HTML 404 page saved by a failed download",
         b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
         b"<body><h1>Not Found</h1></body></html>\n")
    rnd = random.Random(20240611)
    noise = bytes([0x42]) + bytes(rnd.getrandbits(8) for _ in range(1023))
    emit("random_bytes.bin", "UnknownFormat", "1 KiB of seeded random bytes", noise)
    emit("pickle_not_torch.pkl", "UnknownFormat", "a plain protocol-2 pickle of a dict (no torch magic number)",
         P2 + b"}" + U("a") + I(1) + b"s.")
    emit("json_no_weight_map.json", "UnknownFormat", "a JSON object without weight_map (a config.json)",
         b'{"model_type": "bert", "hidden_size": 768}\n')
    emit("zip_magic_only.pt", "Truncated", "ZIP local header magic followed by 6 bytes (no room for an EOCD)",
         b"PK\x03\x04" + bytes(6))


def zip_container_rows():
    good = torch_zip("baseline", GOOD_PICKLE)
    emit("zip_ok.pt", "ok", "control: valid torch.save zip archive, one float32 tensor 'w' of 4 elements", good)

    eocd, cd_offset, entries = zip_layout(good)
    data_offset = dict(entries)["baseline/data/0"]
    emit("zip_cut_in_data.pt", "Truncated", "valid archive cut inside the first entry's data (no central dir, no EOCD)",
         good[:60])
    emit("zip_cut_before_central_dir.pt", "Truncated", "valid archive cut exactly where the central directory starts",
         good[:cd_offset])
    emit("zip_cut_in_central_dir.pt", "Truncated", "valid archive cut in the middle of the central directory",
         good[:data_offset + 20])
    emit("zip_cut_in_eocd.pt", "Truncated", "valid archive with the last 10 bytes of the EOCD record cut off",
         good[:-10])

    emit("zip_cd_offset_beyond_file.pt", "Malformed", "EOCD central directory offset points past the end of the file",
         patch(good, eocd + 16, "<I", len(good) + 4096))
    emit("zip_cd_size_beyond_file.pt", "Malformed", "EOCD central directory size runs past the EOCD record",
         patch(good, eocd + 12, "<I", 0x7FFFFFFF))
    emit("zip_entry_count_too_large.pt", "Malformed",
         "EOCD claims 1000 entries, more than the central directory size can hold",
         patch(good, eocd + 8, "<HH", 1000, 1000))
    emit("zip_multivolume.pt", "Unsupported", "EOCD says this is disk 1 of a multi-volume archive",
         patch(good, eocd + 4, "<HH", 1, 1))

    cde = dict(entries)
    emit("zip_entry_past_central_dir.pt", "Malformed",
         "central directory says data/0 holds 16 MiB (stored), running past the central directory",
         patch(good, cde["baseline/data/0"] + 20, "<II", 0x1000000, 0x1000000))
    local = struct.unpack_from("<I", good, cde["baseline/data/0"] + 42)[0]
    emit("zip_local_extra_past_end.pt", "Malformed",
         "local header of data/0 claims a 65535-byte extra field, pushing its data past the end of the file",
         patch(good, local + 28, "<H", 0xFFFF))
    emit("zip_local_header_bad_sig.pt", "Malformed", "central directory points data.pkl at bytes without a local header signature",
         patch(good, cde["baseline/data.pkl"] + 42, "<I", 8))
    emit("zip_stored_size_mismatch.pt", "Malformed",
         "stored (uncompressed) entry data/0 with compressed size 16 but uncompressed size 20",
         patch(good, cde["baseline/data/0"] + 24, "<I", 20))
    flags = struct.unpack_from("<H", good, cde["baseline/data.pkl"] + 8)[0]
    emit("zip_encrypted_flag.pt", "Unsupported", "central directory marks data.pkl as encrypted (flag bit 0)",
         patch(good, cde["baseline/data.pkl"] + 8, "<H", flags | 1))

    emit("zip_duplicate_entry.pt", "Malformed", "two central directory entries named baseline/data/0",
         torch_zip("baseline", GOOD_PICKLE, extra=[("baseline/data/0", FLOATS4)]))
    emit("zip_no_data_pkl.pt", "UnknownFormat", "a ZIP archive of text files without any <prefix>/data.pkl",
         make_zip([("docs/readme.txt", b"hello\n"), ("docs/data.txt", b"1 2 3\n")]))
    emit("zip_data_pkl_at_root.pt", "UnknownFormat", "data.pkl at the archive root (no record folder), not a torch archive",
         make_zip([("data.pkl", GOOD_PICKLE), ("data/0", FLOATS4)]))
    emit("zip_byteorder_big.pt", "Unsupported", "byteorder record says 'big'",
         torch_zip("baseline", GOOD_PICKLE, byteorder=b"big"))
    emit("zip_byteorder_garbage.pt", "Malformed", "byteorder record is neither 'little' nor 'big'",
         torch_zip("baseline", GOOD_PICKLE, byteorder=b"middle"))

    # zip64 end-of-central-directory locator that points nowhere
    b = bytearray(good)
    locator = struct.pack("<IIQI", 0x07064B50, 0, 0xFFFFFFFFFF, 1)
    b[eocd:eocd] = locator
    emit("zip64_locator_bad_offset.pt", "Malformed", "zip64 EOCD locator whose record offset lies outside the file", bytes(b))

    # deflated storage records: torch.load reads them (zip tools and TorchSharp write them), so do we,
    # inflated into a temporary file; what a hostile one can do is bounded and checked
    deflated = make_zip([("baseline/data.pkl", GOOD_PICKLE), ("baseline/data/0", FLOATS4)], deflate={"baseline/data/0"})
    emit("zip_storage_record_deflated.pt", "ok", "storage record data/0 is deflate-compressed (torch.load reads it)", deflated)
    _eocd, _cd, entries = zip_layout(deflated)
    record_cd = dict(entries)["baseline/data/0"]
    local = struct.unpack_from("<I", deflated, record_cd + 42)[0]
    b = bytearray(deflated)
    struct.pack_into("<I", b, record_cd + 16, struct.unpack_from("<I", deflated, record_cd + 16)[0] ^ 1)
    emit("zip_deflated_record_bad_crc.pt", "Malformed", "deflated data/0 whose CRC-32 in the directory does not match", bytes(b))
    b = bytearray(deflated)
    n = struct.unpack_from("<H", deflated, local + 26)[0] + struct.unpack_from("<H", deflated, local + 28)[0]
    data_at = local + 30 + n
    b[data_at] ^= 0xFF  # the first deflate block header: no longer a valid stream
    emit("zip_deflated_record_corrupt.pt", "Malformed", "deflated data/0 whose compressed bytes are corrupt", bytes(b))
    bomb_pkl = state_dict(("w", tensor_v(size=(1 << 40,), pid=T(U("storage"), G("torch", "FloatStorage"), U("0"), U("cpu"),
                                                                I(1 << 40)) + b"Q")))
    bomb = make_zip([("baseline/data.pkl", bomb_pkl), ("baseline/data/0", b"\0" * 4096)], deflate={"baseline/data/0"})
    _eocd, _cd, entries = zip_layout(bomb)
    b = bytearray(bomb)
    struct.pack_into("<I", b, dict(entries)["baseline/data/0"] + 24, 0xFFFFFFF0)
    emit("zip_deflated_record_bomb.pt", "Malformed", "deflated data/0 declares 4 GiB but its pid declares 4 TiB (size check first)", bytes(b))


def zip_storage_rows():
    emit("zip_storage_record_missing.pt", "Malformed", "persistent id names key '0' but the archive has no data/0 record",
         torch_zip("archive", GOOD_PICKLE, records={}))
    emit("zip_storage_record_short.pt", "Malformed", "data/0 holds 12 bytes but the pid declares 4 float32 (16 bytes)",
         torch_zip("archive", GOOD_PICKLE, records={"0": FLOATS4[:12]}))
    emit("zip_storage_record_long.pt", "Malformed", "data/0 holds 20 bytes but the pid declares 4 float32 (16 bytes)",
         torch_zip("archive", GOOD_PICKLE, records={"0": FLOATS4 + b"\0" * 4}))
    emit("zip_pid_wrong_length.pt", "Malformed", "persistent id is a 4-tuple (numel missing)",
         torch_zip("archive", state_dict(("w", tensor(T(U("storage"), G("torch", "FloatStorage"), U("0"), U("cpu")) + b"Q")))))
    emit("zip_pid_not_storage.pt", "Malformed", "persistent id tuple starts with 'module' instead of 'storage'",
         torch_zip("archive", state_dict(("w", tensor(T(U("module"), G("torch", "FloatStorage"), U("0"), U("cpu"), I(4)) + b"Q")))))
    emit("zip_pid_unknown_storage_class.pt", "Malformed", "persistent id names torch.FancyStorage, not a storage class",
         torch_zip("archive", state_dict(("w", tensor(storage_pid(cls="FancyStorage"))))))
    emit("zip_pid_os_system_class.pt", "Malformed", "persistent id puts os.system where the storage class goes",
         torch_zip("archive", state_dict(("w", tensor(T(U("storage"), G("os", "system"), U("0"), U("cpu"), I(4)) + b"Q")))))
    emit("zip_pid_negative_numel.pt", "Malformed", "persistent id declares -4 elements",
         torch_zip("archive", state_dict(("w", tensor(storage_pid(numel=-4))))))
    emit("zip_pid_key_not_str.pt", "Malformed", "persistent id key is an int, not a str",
         torch_zip("archive", state_dict(("w", tensor(T(U("storage"), G("torch", "FloatStorage"), I(0), U("cpu"), I(4)) + b"Q")))))
    emit("zip_storage_two_types.pt", "Malformed", "key '0' referenced once as FloatStorage (4) and once as DoubleStorage (2)",
         torch_zip("archive", state_dict(("a", tensor()), ("b", tensor(storage_pid(cls="DoubleStorage", numel=2), size=ints([2]))))))
    emit("zip_pid_numel_overflow.pt", "Malformed", "persistent id declares 2^62 float32 elements (byte size overflows 64 bits)",
         torch_zip("archive", state_dict(("w", tensor(storage_pid(numel=2 ** 62))))))


def zip_tensor_rows():
    def one(name, expected, description, t):
        emit(name, expected, description, torch_zip("archive", state_dict(("w", t))))

    one("tensor_offset_oob.pt", "Malformed", "view offset 2 with size (4,) stride (1,) on a 4-element storage",
        tensor_v(offset=2))
    one("tensor_stride_oob.pt", "Malformed", "view size (4,) stride (2,) reaches element 6 of a 4-element storage",
        tensor_v(stride=(2,)))
    one("tensor_2d_stride_oob.pt", "Malformed", "view size (2,2) stride (3,1) reaches element 4 of a 4-element storage",
        tensor_v(size=(2, 2), stride=(3, 1)))
    one("tensor_negative_stride.pt", "Malformed", "stride (-1,)", tensor_v(stride=(-1,)))
    one("tensor_negative_offset.pt", "Malformed", "storage offset -1", tensor_v(offset=-1))
    one("tensor_negative_size.pt", "Malformed", "size (-4,)", tensor_v(size=(-4,)))
    one("tensor_size_stride_mismatch.pt", "Malformed", "size (2,2) with stride (1,): different lengths",
        tensor_v(size=(2, 2), stride=(1,)))
    one("tensor_65_dims.pt", "LimitExceeded", "tensor with 65 dimensions of size 1",
        tensor_v(size=(1,) * 65, stride=(1,) * 65))
    one("tensor_numel_overflow.pt", "Malformed", "size (2^32, 2^32, 2) with zero strides: element count overflows 64 bits",
        tensor_v(size=(2 ** 32, 2 ** 32, 2), stride=(0, 0, 0)))
    one("tensor_extent_overflow.pt", "Malformed", "size (4,) stride (2^63-1,): last element index overflows 64 bits",
        tensor_v(size=(4,), stride=(2 ** 63 - 1,)))
    one("tensor_string_size.pt", "Malformed", "_rebuild_tensor_v2 with the str '4' as size",
        tensor(size=U("4")))
    one("tensor_string_in_size.pt", "Malformed", "_rebuild_tensor_v2 with size ('4',)",
        tensor(size=T(U("4"))))
    one("tensor_float_offset.pt", "Malformed", "_rebuild_tensor_v2 with a float storage offset",
        tensor(offset=b"G" + struct.pack(">d", 1.5)))
    one("tensor_storage_not_storage.pt", "Malformed", "_rebuild_tensor_v2 whose storage argument is None",
        tensor(pid=b"N"))
    one("tensor_too_few_args.pt", "Malformed", "_rebuild_tensor_v2 called with 3 arguments",
        G("torch._utils", "_rebuild_tensor_v2") + T(storage_pid(), I(0), ints([4])) + b"R")
    one("tensor_empty_wild_offset.pt", "ok", "size (0,) with storage offset 1000: no elements, so any offset is allowed",
        tensor_v(offset=1000, size=(0,)))
    one("tensor_zero_stride.pt", "ok", "size (1000,) stride (0,) on a 4-element storage (broadcast view)",
        tensor_v(size=(1000,), stride=(0,)))
    one("tensor_64_dims.pt", "ok", "tensor with exactly 64 dimensions of size 1 (the limit)",
        tensor_v(size=(1,) * 64, stride=(1,) * 64))


def zip_pickle_rows():
    def pk(name, expected, description, pkl, records=None, deflate=False):
        emit(name, expected, description, torch_zip("archive", pkl, records=records if records is not None else {},
                                                      deflate_pickle=deflate))

    w = ("w", tensor())
    rec = {"0": FLOATS4}

    pk("pkl_empty.pt", "Truncated", "data.pkl is an empty record", b"")
    # Issue 13: a name segment (dict key, or the text between '.' / '/') is bounded to 64 KiB.
    # (Deflated data.pkl: the files stay under MAX_FILE.)
    pk("pkl_key_segment_over_64kib.pt", "LimitExceeded", "a state_dict key 'x.' + 65,537 'a's (a name segment over 64 KiB)",
       state_dict(("x." + "a" * 65537, tensor())), records=rec, deflate=True)
    pk("pkl_key_50000_segments.pt", "ok", "a state_dict key of 50,000 one-letter segments (99,999 bytes, each segment short)",
       state_dict((".".join(["s"] * 50000), tensor())), records=rec, deflate=True)
    pk("pkl_stack_underflow.pt", "Malformed", "TUPLE2 with a single item on the stack", P2 + b"N\x86.")
    pk("pkl_pop_through_mark.pt", "Malformed", "APPEND right after MARK (pops below the mark)", P2 + b"](Na.")
    pk("pkl_mark_underflow.pt", "Malformed", "TUPLE without any MARK", P2 + b"NNt.")
    pk("pkl_stop_empty_stack.pt", "Malformed", "STOP right after PROTO", P2 + b".")
    pk("pkl_memo_read_before_write.pt", "Malformed", "BINGET 7 with an empty memo", P2 + b"h\x07.")
    pk("pkl_memo_huge_index.pt", "ok",
       "LONG_BINPUT / LONG_BINGET with memo indices 2^32-1 and 2^32-2 (sparse memo)",
       P2 + b"}r\xff\xff\xff\xff" + U("w") + tensor() + b"r\xfe\xff\xff\xff" + b"s"
       + U("w_again") + b"j\xfe\xff\xff\xff" + b"s" + U("self") + b"j\xff\xff\xff\xff" + b"s.", rec)
    pk("pkl_long4_2gib.pt", "Truncated", "LONG4 claiming 2^31-1 bytes with 2 bytes present",
       P2 + b"\x8b" + struct.pack("<i", 0x7FFFFFFF) + b"\x01\x02.")
    pk("pkl_long4_negative.pt", "Malformed", "LONG4 with a negative length", P2 + b"\x8b" + struct.pack("<i", -5) + b".")
    pk("pkl_long4_5000_bytes.pt", "LimitExceeded", "LONG4 integer of 5000 bytes (limit 4096)",
       P2 + b"\x8b" + struct.pack("<i", 5000) + b"\x01" * 5000 + b".")
    pk("pkl_decimal_5000_digits.pt", "LimitExceeded", "protocol-0 LONG literal with 5000 decimal digits (limit 4096)",
       b"L" + b"9" * 5000 + b"L\n.")
    pk("pkl_binunicode_past_end.pt", "Truncated", "BINUNICODE claiming 1000 bytes with 3 present",
       P2 + b"X" + struct.pack("<I", 1000) + b"abc")
    pk("pkl_binbytes8_huge.pt", "Truncated", "BINBYTES8 claiming 2^63 bytes",
       b"\x80\x04\x8e" + struct.pack("<Q", 2 ** 63) + b"abc.")
    pk("pkl_frame_past_end.pt", "Truncated", "protocol-4 FRAME longer than the data",
       b"\x80\x04\x95" + struct.pack("<Q", 1000) + b"N.")
    pk("pkl_text_no_newline.pt", "Truncated", "GLOBAL whose module name has no terminating newline",
       P2 + b"ctorch")
    pk("pkl_missing_stop.pt", "Truncated", "valid state dict pickle without its final STOP", GOOD_PICKLE[:-1], rec)
    pk("pkl_unknown_opcode.pt", "Malformed", "opcode 0xff (not a pickle opcode)", P2 + b"N\xff.")
    pk("pkl_ext1.pt", "Unsupported", "EXT1 extension registry code", P2 + b"\x82\x01.")
    pk("pkl_ext4.pt", "Unsupported", "EXT4 extension registry code", P2 + b"\x84\x01\x00\x00\x00.")
    pk("pkl_protocol_6.pt", "Unsupported", "PROTO 6 (newer than pickle protocol 5)", b"\x80\x06N.")
    pk("pkl_next_buffer.pt", "Unsupported", "protocol-5 NEXT_BUFFER (out-of-band buffer)", b"\x80\x05\x97.")
    pk("pkl_stack_global_int.pt", "Malformed", "STACK_GLOBAL with integer operands", b"\x80\x04K\x01K\x02\x93.")
    pk("pkl_reduce_args_not_tuple.pt", "Malformed", "REDUCE whose argument is a list, not a tuple",
       P2 + G("collections", "OrderedDict") + b"]R.")
    pk("pkl_dict_odd_items.pt", "Malformed", "DICT with an odd number of items between MARK and DICT", P2 + b"(K\x01d.")
    pk("pkl_persid_bad_type.pt", "Malformed", "BINPERSID with a plain string persistent id", P2 + U("0") + b"Q.")

    # Limits. These pickles are large but repetitive: data.pkl is stored deflated.
    deep = 100_000
    pk("pkl_deep_list_100k.pt", "LimitExceeded",
       "100,000 nested lists built with EMPTY_LIST/APPEND (walker depth limit 512); data.pkl deflated",
       P2 + b"]" * deep + b"a" * (deep - 1) + b".", deflate=True)
    pk("pkl_deep_tuple_100k.pt", "LimitExceeded",
       "100,000 nested 1-tuples built with TUPLE1 around a real tensor; data.pkl deflated",
       P2 + tensor() + b"\x85" * deep + b".", rec, deflate=True)
    pk("pkl_70000_marks.pt", "LimitExceeded", "70,000 open MARKs (limit 65,536); data.pkl deflated",
       P2 + b"(" * 70_000 + b"N.", deflate=True)
    pk("pkl_stack_1m.pt", "LimitExceeded", "1,048,600 NONEs on the stack (limit 1,048,576); data.pkl deflated",
       P2 + b"N" * ((1 << 20) + 24) + b".", deflate=True)
    pk("pkl_object_bomb.pt", "LimitExceeded",
       "4.2 million TUPLE1 opcodes (more objects than 2,000,000 + pickle_bytes/2); data.pkl deflated",
       P2 + b"N" + b"\x85" * 4_200_000 + b".", deflate=True)
    pk("pkl_self_list.pt", "ok", "a list that contains itself (cycle) next to a real tensor",
       state_dict(w, ("loop", b"]q\x00h\x00a")), rec)
    pk("pkl_self_dict.pt", "ok", "a dict that contains itself under 'me' next to a real tensor",
       P2 + b"}q\x00" + U("w") + tensor() + b"s" + U("me") + b"h\x00s.", rec)
    pk("pkl_dag_bomb.pt", "LimitExceeded",
       "40 levels of a tuple holding the previous level twice, real tensor at the bottom (2^40 paths)",
       state_dict(("w", tensor() + b"2\x86" * 40)), rec)
    pk("pkl_dag_small.pt", "ok", "10 levels of a tuple holding the previous level twice (1024 paths to one tensor)",
       state_dict(("w", tensor() + b"2\x86" * 10)), rec)

    def nn_level(items, leaf):
        return nn_module(params=items) if leaf else nn_module(children=items)

    pk("pkl_module_dag_bomb.pt", "LimitExceeded",
       "40 levels of nn.Module objects whose _modules hold the previous level twice; tensor parameter at the bottom",
       P2 + module_dag(40, nn_level) + b".", rec)
    pk("pkl_module_dag_small.pt", "ok",
       "10 levels of nn.Module objects whose _modules hold the previous level twice (1024 parameter names)",
       P2 + module_dag(10, nn_level) + b".", rec)
    pk("pkl_module_cycle.pt", "ok", "an nn.Module (with a tensor parameter) whose _modules contains the module itself",
       P2 + G("mymodels", "Net") + b")\x81q\x00}(" + U("training") + b"\x88" + U("_parameters") + b"}" + U("w")
       + tensor() + b"s" + U("_buffers") + b"}" + U("_modules") + b"}" + U("me") + b"h\x00s" + b"ub.", rec)
    emit("ts_module_dag_bomb.pt", "LimitExceeded",
         "TorchScript archive: 40 levels of __torch__ module objects holding the previous level twice as attributes a, b",
         torch_zip("archive", P2 + module_dag(40, lambda items, leaf: script_module(items)) + b".", rec,
                   extra=[("archive/constants.pkl", P2 + b").")]))

    # Code-execution attempts: must open as inert objects, never run anything.
    cmd = "touch " + SENTINEL
    pk("pkl_os_system.pt", "ok",
       "GLOBAL os.system REDUCE ('touch " + SENTINEL + "',): must stay an inert object",
       state_dict(w, ("payload", G("os", "system") + U(cmd) + b"\x85R")), rec)
    pk("pkl_posix_system_root.pt", "ok",
       "the whole pickle is posix.system('touch " + SENTINEL + "'): an inert root object",
       P2 + G("posix", "system") + U(cmd) + b"\x85R.")
    code = "open('%s', 'w').write('pwned')" % SENTINEL
    body = (b"\x8c\x08builtins\x94" + b"0" + b"\x8c\x04exec\x94" + b"0"
            + b"}" + U("w") + tensor() + b"s" + U("payload") + b"h\x00h\x01\x93" + U(code) + b"\x85Rs.")
    pk("pkl_stack_global_exec.pt", "ok",
       "protocol 4: STACK_GLOBAL builtins.exec from memoised strings, REDUCE with code creating the sentinel file",
       b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body, rec)
    pk("pkl_inst_os_system.pt", "ok", "protocol 0: INST os.system with the sentinel command (inert object)",
       b"(S'" + cmd.encode() + b"'\nios\nsystem\n.")
    pk("pkl_builtins_eval_build.pt", "ok", "builtins.eval REDUCE then BUILD with a state dict (inert object)",
       state_dict(w, ("x", G("builtins", "eval") + U("__import__('os').system('" + cmd + "')") + b"\x85R"
                      + b"}" + U("k") + I(1) + b"sb")), rec)


def legacy_rows():
    emit("legacy_ok.pt", "ok", "control: valid legacy (< 1.6) torch.save stream, one float32 tensor", legacy_stream())
    emit("legacy_bad_magic.pt", "UnknownFormat", "legacy stream whose first LONG1 is not the torch magic number",
         legacy_stream(magic=0x1950A86A20F9469CFC6D))
    emit("legacy_protocol_1000.pt", "Unsupported", "legacy stream with protocol version 1000 (expects 1001)",
         legacy_stream(protocol=1000))
    emit("legacy_big_endian.pt", "Unsupported", "legacy stream whose sys_info says little_endian False",
         legacy_stream(sys_info=SYS_INFO_BE))
    emit("legacy_storage_count_mismatch.pt", "Malformed", "storage '0' has element count 5 in the file, pid says 4",
         legacy_stream(storages=[struct.pack("<Q", 5) + FLOATS4]))
    emit("legacy_storage_truncated.pt", "Truncated", "storage '0' data cut after 8 of 16 bytes",
         legacy_stream(storages=[struct.pack("<Q", 4) + FLOATS4[:8]]))
    emit("legacy_storage_count_missing.pt", "Truncated", "file ends right after the storage key list (no element count)",
         legacy_stream(storages=[]))
    emit("legacy_key_without_pid.pt", "Malformed", "storage key list names '1', which no persistent id referenced",
         legacy_stream(keys=("0", "1"), storages=[struct.pack("<Q", 4) + FLOATS4, struct.pack("<Q", 4) + FLOATS4]))
    emit("legacy_storage_without_data.pt", "Malformed", "a pid references storage '0' but the key list is empty",
         legacy_stream(keys=(), storages=[]))
    main_start = len(pyint_pickle(MAGIC_NUMBER) + pyint_pickle(1001) + SYS_INFO_LE)
    emit("legacy_main_pickle_truncated.pt", "Truncated", "legacy stream cut 40 bytes into the main pickle",
         legacy_stream()[:main_start + 40])
    emit("legacy_view_past_root.pt", "Malformed", "storage view (offset 2, size 4) reaches past its 4-element root",
         legacy_stream(main=state_dict(("w", tensor(T(U("storage"), G("torch", "FloatStorage"), U("0"), U("cpu"), I(4),
                                                     T(U("v"), I(2), I(4))) + b"Q")))))
    emit("legacy_text_magic_only.pt", "Truncated", "protocol-0 pickle of the magic number and nothing else",
         b"L%dL\n." % MAGIC_NUMBER)


def legacy_tar_rows():
    good = legacy_tar()
    emit("legacy_tar_ok.tar", "ok", "control: valid legacy tar checkpoint (sys_info, pickle, tensors, storages)", good)
    pos = tar_header_offset(good, "pickle")
    emit("legacy_tar_bad_checksum.tar", "Malformed", "tar header of member 'pickle' with a wrong checksum",
         tar_set_field(good, pos, 148, b"0000000\0", fix_checksum=False))
    pos = tar_header_offset(good, "storages")
    emit("legacy_tar_member_past_end.tar", "Truncated", "member 'storages' claims 8 GiB (header checksum valid)",
         tar_set_field(good, pos, 124, b"77777777777\0"))
    emit("legacy_tar_cut.tar", "Truncated", "legacy tar cut inside the data of member 'storages'",
         good[:pos + 512 + 40])
    emit("legacy_tar_storage_cut.tar", "Truncated", "'storages' member says 1000 elements but holds 4",
         legacy_tar(storage_numel=1000))
    emit("legacy_tar_unknown_object.tar", "Malformed", "pickle member refers to tensor key '2001' that the archive lacks",
         legacy_tar(pickle_member=P2 + b"}" + U("w") + U("2001") + b"Qs."))
    inner = torch_zip("archive", GOOD_PICKLE)
    emit("tar_zip_member_ok.tar", "ok", "control: a tar archive whose member model.pt is a valid torch zip",
         tar_bytes([("model.pt", inner)]))
    nested = inner
    for _ in range(4):
        nested = tar_bytes([("model.pt", nested)])
    emit("tar_nested_4_levels.tar", "LimitExceeded", "tar in tar in tar in tar (each member model.pt) around a valid torch zip",
         nested)
    emit("tar_gzip_member.tar", "Unsupported", "a tar archive whose member model.pt is a gzip stream",
         tar_bytes([("model.pt", gzip.compress(inner, compresslevel=9, mtime=0))]))
    emit("tar_no_checkpoint.tar", "UnknownFormat", "a tar archive of text files without any checkpoint member",
         tar_bytes([("notes.txt", b"nothing to see\n")]))


def safetensors_rows():
    ok = safetensors({"__metadata__": {"format": "pt"}, "w": st_tensor()}, FLOATS4)
    emit("safetensors_ok.safetensors", "ok", "control: valid safetensors, one F32 tensor 'w' (also the shard of sharded_*.json)", ok)

    emit("st_header_over_100mb.safetensors", "LimitExceeded", "header length 200,000,000 (limit 100 MB), file is 9 bytes",
         struct.pack("<Q", 200_000_000) + b"{")
    emit("st_header_past_end.safetensors", "Truncated", "header length 1000 with 24 header bytes present",
         struct.pack("<Q", 1000) + b'{"w":{"dtype":"F32",    ')
    emit("st_json_syntax.safetensors", "Malformed", "header JSON ends in the middle of an object",
         safetensors('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]', FLOATS4))
    emit("st_json_trailing_comma.safetensors", "Malformed", "header JSON with a trailing comma",
         safetensors('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},}', FLOATS4))
    emit("st_duplicate_key.safetensors", "Malformed", "header JSON names tensor 'w' twice",
         safetensors('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},'
                     '"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', FLOATS4))
    emit("st_json_too_deep.safetensors", "LimitExceeded", "__metadata__ value nested 100 arrays deep (limit 64)",
         safetensors('{"__metadata__":{"x":' + "[" * 100 + "]" * 100 + '},"w":'
                     + json.dumps(st_tensor(), separators=(",", ":")) + "}", FLOATS4))
    emit("st_unknown_dtype.safetensors", "Unsupported", "dtype 'F42'", safetensors({"w": st_tensor("F42")}, FLOATS4))
    emit("st_shape_negative.safetensors", "Malformed", "shape [-4]", safetensors({"w": st_tensor(shape=(-4,))}, FLOATS4))
    emit("st_shape_string.safetensors", "Malformed", "shape ['4']", safetensors({"w": st_tensor(shape=("4",))}, FLOATS4))
    emit("st_shape_float.safetensors", "Malformed", "shape [4.5]", safetensors({"w": st_tensor(shape=(4.5,))}, FLOATS4))
    emit("st_shape_huge_int.safetensors", "Malformed", "shape [10^30] (does not fit 64 bits)",
         safetensors('{"w":{"dtype":"F32","shape":[1000000000000000000000000000000],"data_offsets":[0,16]}}', FLOATS4))
    emit("st_shape_65_dims.safetensors", "LimitExceeded", "shape with 65 entries of 1",
         safetensors({"w": st_tensor(shape=(1,) * 65, end=4)}, FLOATS4[:4]))
    emit("st_numel_overflow.safetensors", "Malformed", "shape [2^32, 2^32, 2]: element count overflows 64 bits",
         safetensors({"w": st_tensor(shape=(2 ** 32, 2 ** 32, 2))}, FLOATS4))
    emit("st_size_mismatch.safetensors", "Malformed", "F32 shape [4] needs 16 bytes but data_offsets span 12",
         safetensors({"w": st_tensor(end=12)}, FLOATS4[:12]))
    emit("st_offsets_reversed.safetensors", "Malformed", "data_offsets [16, 0] (end before begin)",
         safetensors({"w": st_tensor(begin=16, end=0)}, FLOATS4))
    emit("st_offsets_negative.safetensors", "Malformed", "data_offsets [-16, 0]",
         safetensors({"w": st_tensor(begin=-16, end=0)}, FLOATS4))
    emit("st_entry_not_object.safetensors", "Malformed", "tensor entry 'w' is the number 5", safetensors({"w": 5}, b""))
    emit("st_missing_offsets.safetensors", "Malformed", "tensor entry without data_offsets",
         safetensors({"w": {"dtype": "F32", "shape": [4]}}, FLOATS4))
    emit("st_gap.safetensors", "Malformed", "tensors at [0,8] and [12,20]: a 4-byte gap",
         safetensors({"a": st_tensor(shape=(2,), begin=0, end=8), "b": st_tensor(shape=(2,), begin=12, end=20)},
                     FLOATS4 + FLOATS4[:4]))
    emit("st_overlap.safetensors", "Malformed", "tensors at [0,8] and [4,12]: overlapping",
         safetensors({"a": st_tensor(shape=(2,), begin=0, end=8), "b": st_tensor(shape=(2,), begin=4, end=12)},
                     FLOATS4[:12]))
    emit("st_not_from_zero.safetensors", "Malformed", "the only tensor starts at byte 4 of the data section",
         safetensors({"w": st_tensor(shape=(3,), begin=4, end=16)}, FLOATS4))
    emit("st_data_short.safetensors", "Truncated", "offsets describe 16 bytes, the data section holds 8",
         safetensors({"w": st_tensor()}, FLOATS4[:8]))
    emit("st_data_trailing.safetensors", "Malformed", "offsets describe 16 bytes, the data section holds 24",
         safetensors({"w": st_tensor()}, FLOATS4 + b"\0" * 8))
    emit("st_metadata_not_string.safetensors", "Malformed", "__metadata__ value 'epoch' is the number 3",
         safetensors({"__metadata__": {"epoch": 3}, "w": st_tensor()}, FLOATS4))
    emit("st_metadata_not_object.safetensors", "Malformed", "__metadata__ is a list",
         safetensors({"__metadata__": ["pt"], "w": st_tensor()}, FLOATS4))
    emit("st_empty_header_ok.safetensors", "ok", "header '{}' padded with spaces and no data (zero tensors)",
         safetensors("{}", b""))


def sharded_rows():
    shard = "safetensors_ok.safetensors"

    def index(weight_map):
        return json.dumps({"metadata": {"total_size": 16}, "weight_map": weight_map}, indent=1).encode() + b"\n"

    emit("sharded_ok.index.json", "ok", "control: sharded index naming tensor 'w' in safetensors_ok.safetensors",
         index({"w": shard}))
    emit("sharded_dotdot.index.json", "Malformed", "weight_map value '../malformed/safetensors_ok.safetensors'",
         index({"w": "../malformed/" + shard}))
    emit("sharded_absolute.index.json", "Malformed", "weight_map value '/etc/passwd' (absolute path)",
         index({"w": "/etc/passwd"}))
    emit("sharded_backslash.index.json", "Malformed", "weight_map value with a backslash ('sub\\\\shard.safetensors')",
         index({"w": "sub\\" + shard}))
    emit("sharded_dot_component.index.json", "Malformed", "weight_map value './safetensors_ok.safetensors'",
         index({"w": "./" + shard}))
    emit("sharded_empty_component.index.json", "Malformed", "weight_map value 'a//safetensors_ok.safetensors'",
         index({"w": "a//" + shard}))
    emit("sharded_empty_name.index.json", "Malformed", "weight_map value ''", index({"w": ""}))
    emit("sharded_missing_shard.index.json", "NotFound", "shard 'model-00002-of-00002.safetensors' does not exist",
         index({"w": "model-00002-of-00002.safetensors"}))
    emit("sharded_tensor_missing.index.json", "Malformed", "index lists tensor 'missing' that the shard lacks",
         index({"w": shard, "missing": shard}))
    emit("sharded_shard_is_index.index.json", "Malformed", "the shard named by the index is itself an index (sharded_ok.index.json)",
         index({"w": "sharded_ok.index.json"}))
    emit("sharded_self_reference.index.json", "Malformed", "the index names itself as its shard",
         index({"w": "sharded_self_reference.index.json"}))
    emit("sharded_value_not_string.index.json", "Malformed", "weight_map value is a number", index({"w": 1}))
    emit("sharded_bad_json.index.json", "Malformed", "index JSON cut in the middle",
         b'{"weight_map": {"w": "safetensors_ok.safetens')


def gzip_rows():
    def gz(data):
        return gzip.compress(data, compresslevel=9, mtime=0)

    emit("gzip_ok.tar.gz", "ok", "control: gzip of the valid legacy tar checkpoint", gz(legacy_tar()))
    good = gz(legacy_tar())
    # a valid gzip header followed by a deflate block of the reserved type 3
    emit("gzip_corrupt.tar.gz", "Malformed", "gzip header followed by a deflate block of reserved type 3",
         good[:10] + b"\x07\xff\xff\xff" + bytes(16))
    emit("gzip_bad_crc.tar.gz", "Malformed", "gzip of the legacy tar with a wrong CRC-32 in the trailer",
         good[:-8] + struct.pack("<I", (struct.unpack("<I", good[-8:-4])[0] ^ 0xFFFFFFFF)) + good[-4:])
    emit("gzip_truncated.tar.gz", "Truncated", "gzip of the legacy tar cut to half its length", good[:len(good) // 2])
    emit("gzip_header_only.gz", "Truncated", "just the 10-byte gzip header", good[:10])
    emit("gzip_not_checkpoint.gz", "UnknownFormat", "gzip of plain text", gz(b"hello, world\n" * 40))
    emit("gzip_of_gzip.tar.gz.gz", "UnknownFormat", "gzip of the gzipped legacy tar (only one gzip layer is unpacked)",
         gz(good))
    emit("gzip_bomb.tar.gz", "LimitExceeded",
         "gzip of 8 MiB of zero bytes; tested with a 1 MiB unpack limit (default limits: UnknownFormat)",
         gz(bytes(8 << 20)))


def review_rows():
    """Inputs a code review found to exhaust memory or time before they were bounded."""
    # A stride-0 view of 4e10 elements over one stored float: lists fine; statistics are refused.
    emit("zip_broadcast_view.pt", "ok", "a (200000, 200000) stride-0 view of a single stored element",
         torch_zip("archive", state_dict(("w", tensor(storage_pid(numel=1), I(0), ints((200000, 200000)), ints((0, 0))))),
                   records={"0": FLOATS4[:4]}))
    # An empty tensor may carry any storage offset; 2**62 must not overflow offset*itemsize anywhere.
    emit("zip_empty_tensor_huge_offset.pt", "ok", "an empty tensor with storage offset 2**62 (PyTorch writes such files)",
         torch_zip("archive", state_dict(("w", tensor(storage_pid(numel=1), I(2 ** 62), ints((0,)), ints((1,))))),
                   records={"0": FLOATS4[:4]}))
    # Dict keys that are tuples sharing their items 4 ways over 15 levels (4**15 leaves if expanded).
    pkl = P2 + b"}" + U("a") + b"\x85q\x000"
    for i in range(1, 16):
        pkl += b"(" + (b"h" + bytes([i - 1])) * 4 + b"tq" + bytes([i]) + b"0"
    pkl += b"(h\x0fK\x01" + U("b") + b"K\x02u."
    emit("pkl_shared_tuple_keys.pt", "ok", "dict keys made of tuples that share their items (4**15 leaves if expanded)",
         torch_zip("archive", pkl, records={}))
    # Memo indices that keep doubling: a dense memo would grow to 2**28 slots.
    pkl, size = P2 + b"N", 0
    while 2 * size + 1023 < (1 << 28):
        pkl += b"r" + struct.pack("<I", 2 * size + 1023)
        size = 2 * size + 1024
    emit("pkl_memo_doubling_indices.pt", "ok", "LONG_BINPUT indices that double each time (up to 2**28)",
         torch_zip("archive", pkl + b"0}.", records={}))
    # One 32 KiB string referenced 20,000 times next to a tensor: 640 MB if every entry copied it.
    pkl = P2 + b"(" + tensor_v() + U("s" * 32768) + b"q\x01" + b"h\x01" * 19999 + b"l."
    emit("pkl_shared_long_string.pt", "ok", "a 32 KiB string shared 20,000 times beside a tensor",
         torch_zip("archive", pkl, deflate_pickle=True))
    # A safetensors shape with 10,000 entries: rejected while parsing, before it is built.
    emit("st_shape_10000_dims.safetensors", "LimitExceeded", "a shape array of 10,000 zeros (JSON amplification)",
         safetensors('{"w":{"dtype":"F32","shape":[' + ",".join(["0"] * 10000) + '],"data_offsets":[0,0]}}', b""))
    emit("st_stride_overflow.safetensors", "Malformed", "shape [0, 2**40, 2**40]: no elements, but strides overflow",
         safetensors({"w": st_tensor(shape=(0, 2 ** 40, 2 ** 40), begin=0, end=0)}, b""))
    # A deflated data.pkl whose directory claims 1 GiB: memory follows what inflates, not the claim.
    data = torch_zip("archive", state_dict(("w", tensor_v())), deflate_pickle=True)
    cd = central_entry(data, "archive/data.pkl")
    local = struct.unpack_from("<I", data, cd + 42)[0]
    data = patch(data, cd + 24, "<I", (1 << 30) - 1)
    data = patch(data, local + 22, "<I", (1 << 30) - 1)
    emit("zip_deflated_pkl_claims_1gib.pt", "Malformed", "a deflated data.pkl whose declared size is 1 GiB",
         data)


def main():
    for name in os.listdir(HERE):
        if name != SCRIPT and os.path.isfile(os.path.join(HERE, name)):
            os.remove(os.path.join(HERE, name))
    detection_rows()
    zip_container_rows()
    zip_storage_rows()
    zip_tensor_rows()
    zip_pickle_rows()
    legacy_rows()
    legacy_tar_rows()
    safetensors_rows()
    sharded_rows()
    gzip_rows()
    review_rows()
    with open(os.path.join(HERE, "corpus.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for row in ROWS:
            f.write("\t".join(row) + "\n")
    print("wrote %d rows to %s" % (len(ROWS), os.path.join(HERE, "corpus.tsv")))


if __name__ == "__main__":
    sys.exit(main())

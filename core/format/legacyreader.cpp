// SPDX-License-Identifier: MIT
// Legacy torch.save files (PyTorch < 1.6): a stream of pickles followed by raw storages, and the
// older tar variant with sys_info / pickle / storages / tensors members.
#include "bytereader.h"
#include "error.h"
#include "mappedfile.h"
#include "pickle/opcodescan.h"
#include "readers.h"
#include "tararchive.h"

#include <unordered_map>

namespace ckpt::detail {

using namespace pickle;

namespace {

constexpr std::uint8_t kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}; // 0x1950a86a20f9469cfc6c LE

bool isMagicNumber(const Value *v)
{
    if (!v || v->kind != Kind::BigInt)
        return false;
    auto bytes = static_cast<const BigIntValue *>(v)->bytes;
    while (bytes.size() > sizeof(kMagic) && bytes.back() == '\0')
        bytes.remove_suffix(1);
    return bytes.size() == sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0;
}

std::string keyString(const Value *v)
{
    if (isStr(v))
        return std::string(strOf(v));
    if (v && v->kind == Kind::Int)
        return std::to_string(static_cast<const IntValue *>(v)->v);
    fail(ErrorKind::Malformed, "storage key is neither a string nor an integer");
}

const GlobalValue &storageClass(const Value *v)
{
    const auto *cls = asGlobal(v);
    if (!cls || cls->known != KnownGlobal::StorageClass)
        fail(ErrorKind::Malformed, "unknown storage type" + (cls ? " " + cls->qualifiedName() : std::string()));
    return *cls;
}

std::uint64_t nonNegative(const Value *v, const char *what)
{
    if (!v || v->kind != Kind::Int || static_cast<const IntValue *>(v)->v < 0)
        fail(ErrorKind::Malformed, std::string(what) + " is not a non-negative integer");
    return static_cast<std::uint64_t>(static_cast<const IntValue *>(v)->v);
}

// Legacy files are a stream of pickles with raw data between them; this reads them in turn.
class PickleStream
{
public:
    PickleStream(std::span<const std::byte> bytes, std::string context)
        : m_reader(bytes, "legacy checkpoint")
        , m_bytes(bytes)
        , m_context(std::move(context))
    { }

    Value *next(PickleMachine &vm, const char *what)
    {
        std::size_t used = 0;
        const std::size_t start = m_reader.pos();
        try {
            Value *v = vm.load(m_bytes.subspan(start), &used);
            m_reader.seek(start + used);
            return v;
        } catch (const Error &e) {
            throw e.withContext(m_context + what + " (at byte " + std::to_string(start) + ")");
        }
    }

    ByteReader &reader() { return m_reader; }

private:
    ByteReader m_reader;
    std::span<const std::byte> m_bytes;
    std::string m_context;
};

void resolveView(StorageValue *view)
{
    const StorageValue *root = view->root;
    const std::uint64_t end = checkedAdd(view->rootOffset, view->numel, "storage view end");
    if (end > root->numel)
        fail(ErrorKind::Malformed, "storage view '" + std::string(view->key) + "' reaches past its root storage");
    const std::size_t item = dtypeItemSize(view->dtype);
    view->bytes = root->bytes.subspan(static_cast<std::size_t>(view->rootOffset * item), static_cast<std::size_t>(view->numel * item));
    view->resolved = true;
}

} // namespace

bool looksLikeLegacyPickle(std::span<const std::byte> bytes)
{
    // The first pickle is the magic number: 0x80 <proto> 0x8a 0x0a ..., or "L1195...L\n" in protocol 0/1.
    // Protocol 4+ may put a FRAME (0x95 + 8-byte length) after PROTO.
    if (bytes.size() < 4)
        return false;
    if (std::to_integer<unsigned>(bytes[0]) == 0x80) {
        std::size_t pos = 2;
        if (bytes.size() > pos + 9 && std::to_integer<unsigned>(bytes[pos]) == 0x95)
            pos += 9;
        return bytes.size() > pos && std::to_integer<unsigned>(bytes[pos]) == 0x8a;
    }
    return asChars(bytes.first(4)) == "L119";
}

namespace {
// The five pickles before the storages (magic number, protocol, sys_info, the main pickle, the storage keys),
// copied with pread: read in place, their last page would map the first storage's bytes (see MappedFile).
// Where they end is found by walking opcodes over a growing copy of the file's start. Pickles that do not
// end within kMaxCopy bytes (or do not end at all: a broken file) are read in place, as before.
std::span<const std::byte> picklesBeforeStorages(const Source &src, pickle::Arena &arena)
{
    constexpr std::size_t kMaxCopy = 64u << 20;
    std::size_t size = std::min<std::size_t>(src.bytes.size(), 1u << 20);
    for (;;) {
        std::vector<std::byte> copy = copyBytes(src.file.get(), src.bytes.first(size));
        std::size_t end = 0;
        int complete = 0;
        for (; complete < 5; ++complete) {
            const OpcodeScan scan = scanOpcodes(std::span<const std::byte>(copy).subspan(end));
            if (!scan.complete)
                break;
            end += scan.end;
        }
        if (complete == 5)
            return arena.adopt(std::move(copy));
        if (size == src.bytes.size() || size >= kMaxCopy)
            return src.bytes;
        size = std::min<std::size_t>(src.bytes.size(), 4 * size);
    }
}
} // namespace

void readLegacyPickle(const Source &src, RawCheckpoint &out, const ReadLimits &limits)
{
    out.format = Format::TorchLegacy;
    out.arena = makeArena(src.bytes.size(), limits);
    const std::span<const std::byte> pickles = picklesBeforeStorages(src, *out.arena);
    PickleStream stream(pickles, "");
    auto next = [&](PickleMachine &vm, const char *what) { return stream.next(vm, what); };

    PickleMachine header(*out.arena, nullptr);
    if (!isMagicNumber(next(header, "magic number")))
        fail(ErrorKind::UnknownFormat, "a pickle file, but not a torch.save checkpoint (no torch magic number)");
    const Value *protocol = next(header, "protocol version");
    if (!protocol || protocol->kind != Kind::Int || static_cast<const IntValue *>(protocol)->v != 1001)
        fail(ErrorKind::Unsupported, "unknown legacy serialization protocol version");
    if (const auto *sysInfo = asDict(next(header, "sys_info"))) {
        const Value *le = sysInfo->get("little_endian");
        if (le && le->kind == Kind::Bool && !static_cast<const BoolValue *>(le)->v)
            fail(ErrorKind::Unsupported, "big-endian legacy checkpoint");
    }

    std::unordered_map<std::string, StorageValue *> byKey;
    std::vector<StorageValue *> views;
    auto loader = [&](Value *pid) -> Value * {
        const auto *t = asTuple(pid);
        if (!t || t->items.empty() || !(isStr(t->items[0]) || t->items[0]->kind == Kind::Bytes))
            fail(ErrorKind::Malformed, "persistent id is not a tuple starting with a type name");
        const auto typeName = static_cast<const StringValue *>(t->items[0])->s;
        if (typeName == "module") {
            if (t->items.size() < 2)
                fail(ErrorKind::Malformed, "module persistent id without a class");
            return t->items[1]; // the module's class; its source text is not needed
        }
        if (typeName != "storage" || t->items.size() != 6)
            fail(ErrorKind::Malformed, "unknown persistent id type '" + std::string(typeName.substr(0, 40)) + "'");
        const GlobalValue &cls = storageClass(t->items[1]);
        const std::string key = keyString(t->items[2]);
        const std::uint64_t numel = nonNegative(t->items[4], "storage size");
        StorageValue *&root = byKey[key];
        if (!root) {
            root = newStorage(out);
            root->key = out.arena->copy(key);
            root->location = isStr(t->items[3]) ? strOf(t->items[3]) : std::string_view("cpu");
            root->dtype = cls.storageDtype;
            root->numel = numel;
        } else if (root->dtype != cls.storageDtype || root->numel != numel) {
            fail(ErrorKind::Malformed, "storage '" + key + "' is referenced with two different types or sizes");
        }
        const Value *view = t->items[5];
        if (view->kind == Kind::None)
            return root;
        const auto *vt = asTuple(view);
        if (!vt || vt->items.size() != 3)
            fail(ErrorKind::Malformed, "storage view metadata is not (key, offset, size)");
        const std::string viewKey = keyString(vt->items[0]);
        StorageValue *&v = byKey["view:" + viewKey];
        if (!v) {
            v = newStorage(out);
            v->key = out.arena->copy(viewKey);
            v->location = root->location;
            v->dtype = root->dtype;
            v->root = root;
            v->rootOffset = nonNegative(vt->items[1], "storage view offset");
            v->numel = nonNegative(vt->items[2], "storage view size");
            views.push_back(v);
        }
        return v;
    };
    PickleLimits mainLimits;
    mainLimits.progress = limits.progress;
    PickleMachine vm(*out.arena, loader, mainLimits);
    out.root = next(vm, "main pickle");
    out.pickleProtocol = vm.protocol();
    out.globals = header.globals();
    for (auto &g : out.globals)
        g.record = "legacy header pickle";
    for (auto g : vm.globals()) {
        g.record = "legacy main pickle";
        out.globals.push_back(std::move(g));
    }

    PickleMachine keysVm(*out.arena, nullptr);
    const Value *keys = next(keysVm, "storage key list");
    if (!keys || keys->kind != Kind::List)
        fail(ErrorKind::Malformed, "the storage key list is not a list");

    // Then each storage in key-list order: an 8-byte element count (copied, not read in place) and the raw elements.
    ByteReader r(src.bytes, "legacy checkpoint");
    r.seek(stream.reader().pos());
    for (const Value *k : static_cast<const SequenceValue *>(keys)->items) {
        const std::string key = keyString(k);
        const auto it = byKey.find(key);
        if (it == byKey.end())
            fail(ErrorKind::Malformed, "storage '" + key + "' has data but no tensor refers to it");
        StorageValue *s = it->second;
        r.need(8);
        std::byte countBytes[8];
        copyBytes(src.file.get(), src.bytes.subspan(r.pos(), 8), countBytes);
        r.seek(r.pos() + 8);
        const std::uint64_t count = loadLE<std::uint64_t>(countBytes);
        if (count != s->numel)
            fail(ErrorKind::Malformed,
                "storage '" + key + "' has " + std::to_string(count) + " elements in the file, " + std::to_string(s->numel) + " expected");
        const std::uint64_t nbytes = checkedMul(count, dtypeItemSize(s->dtype), "storage size");
        if (nbytes > r.remaining())
            fail(ErrorKind::Truncated,
                "storage '" + key + "' needs " + std::to_string(nbytes) + " bytes, only " + std::to_string(r.remaining()) + " left in the file");
        s->bytes = r.take(static_cast<std::size_t>(nbytes));
        s->resolved = true;
    }
    for (StorageValue *v : views) {
        if (!v->root->resolved)
            fail(ErrorKind::Malformed, "storage '" + std::string(v->root->key) + "' has no data in the file");
        resolveView(v);
    }
    for (const auto &[key, s] : byKey)
        if (!s->resolved)
            fail(ErrorKind::Malformed, "storage '" + std::string(s->key) + "' has no data in the file");
}

void readLegacyTar(const Source &src, RawCheckpoint &out, const ReadLimits &limits)
{
    out.format = Format::TorchLegacy;
    const TarArchive tar(src.bytes);
    const TarMember *storages = tar.find("storages");
    const TarMember *pickleMember = tar.find("pickle");
    if (!storages || !pickleMember)
        fail(ErrorKind::Malformed, "legacy tar checkpoint without 'storages' and 'pickle' members");
    out.arena = makeArena(src.bytes.size(), limits);

    std::unordered_map<std::string, Value *> objects; // storages and tensors by key
    std::unordered_map<std::string, StorageValue *> storageByKey;

    {
        PickleStream stream(storages->data, "tar member 'storages', ");
        ByteReader &r = stream.reader();
        PickleMachine vm(*out.arena, nullptr);
        auto next = [&](const char *what) { return stream.next(vm, what); };
        const std::uint64_t count = nonNegative(next("storage count"), "storage count");
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto *args = asTuple(next("storage header"));
            if (!args || args->items.size() != 3)
                fail(ErrorKind::Malformed, "tar storage header is not (key, location, type)");
            const std::string key = keyString(args->items[0]);
            const GlobalValue &cls = storageClass(args->items[2]);
            StorageValue *s = newStorage(out);
            s->key = out.arena->copy(key);
            s->location = isStr(args->items[1]) ? strOf(args->items[1]) : std::string_view("cpu");
            s->dtype = cls.storageDtype;
            s->numel = r.u64();
            const std::uint64_t nbytes = checkedMul(s->numel, dtypeItemSize(s->dtype), "storage size");
            if (nbytes > r.remaining())
                fail(ErrorKind::Truncated, "tar storage '" + key + "' is cut off");
            s->bytes = r.take(static_cast<std::size_t>(nbytes));
            s->resolved = true;
            objects[key] = s;
            storageByKey[key] = s;
        }
        if (r.atEnd()) {
            out.notes.push_back("the tar 'storages' member has no storage-view list (written by a tool other than torch.save)");
        } else {
            const auto *views = next("storage view list");
            if (!views || views->kind != Kind::List)
                fail(ErrorKind::Malformed, "tar storage view list is not a list");
            for (const Value *item : static_cast<const SequenceValue *>(views)->items) {
                const auto *v = asTuple(item);
                if (!v || v->items.size() != 4)
                    fail(ErrorKind::Malformed, "tar storage view is not (target, root, offset, size)");
                const auto root = storageByKey.find(keyString(v->items[1]));
                if (root == storageByKey.end())
                    fail(ErrorKind::Malformed, "tar storage view of an unknown storage");
                StorageValue *s = newStorage(out);
                const std::string key = keyString(v->items[0]);
                s->key = out.arena->copy(key);
                s->location = root->second->location;
                s->dtype = root->second->dtype;
                s->root = root->second;
                s->rootOffset = nonNegative(v->items[2], "storage view offset");
                s->numel = nonNegative(v->items[3], "storage view size");
                resolveView(s);
                objects[key] = s;
            }
        }
    }

    if (const TarMember *tensors = tar.find("tensors")) {
        PickleStream stream(tensors->data, "tar member 'tensors', ");
        ByteReader &r = stream.reader();
        PickleMachine vm(*out.arena, nullptr);
        auto next = [&](const char *what) { return stream.next(vm, what); };
        const std::uint64_t count = nonNegative(next("tensor count"), "tensor count");
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto *args = asTuple(next("tensor header"));
            if (!args || args->items.size() != 3)
                fail(ErrorKind::Malformed, "tar tensor header is not (key, storage, type)");
            const auto storage = objects.find(keyString(args->items[1]));
            if (storage == objects.end() || storage->second->kind != Kind::Storage)
                fail(ErrorKind::Malformed, "tar tensor refers to an unknown storage");
            const std::uint32_t ndim = r.u32();
            r.u32(); // legacy encoding stored ndim as 8 bytes
            if (ndim > 64)
                fail(ErrorKind::LimitExceeded, "tar tensor with " + std::to_string(ndim) + " dimensions");
            auto *t = out.arena->makeTensor();
            t->origin = TensorOrigin::Raw;
            t->storage = static_cast<StorageValue *>(storage->second);
            t->dtype = t->storage->dtype;
            auto shape = out.arena->ints(ndim);
            auto stride = out.arena->ints(ndim);
            for (auto &d : shape)
                d = static_cast<std::int64_t>(r.u64());
            for (auto &d : stride)
                d = static_cast<std::int64_t>(r.u64());
            t->storageOffset = static_cast<std::int64_t>(r.u64());
            t->shape = shape;
            t->stride = stride;
            for (std::size_t d = 0; d < ndim; ++d)
                if (shape[d] < 0 || stride[d] < 0)
                    fail(ErrorKind::Malformed, "tar tensor with a negative size or stride");
            if (t->storageOffset < 0)
                fail(ErrorKind::Malformed, "tar tensor with a negative storage offset");
            objects[keyString(args->items[0])] = t;
        }
    } else {
        out.notes.push_back("the tar checkpoint has no 'tensors' member; tensors are rebuilt from the pickle");
    }

    auto loader = [&](Value *pid) -> Value * {
        if (const auto *t = asTuple(pid)) {
            if (!t->items.empty() && isStr(t->items[0]) && strOf(t->items[0]) == "storage" && t->items.size() >= 3) {
                // Non-standard: a ('storage', type, key, ...) tuple in place of the storage.
                const auto it = storageByKey.find(keyString(t->items[2]));
                if (it == storageByKey.end())
                    fail(ErrorKind::Malformed, "pickle refers to storage '" + keyString(t->items[2]) + "' that the archive lacks");
                return it->second;
            }
            if (t->items.empty())
                fail(ErrorKind::Malformed, "empty persistent id");
            return t->items[0]; // (module class, source file, source)
        }
        const auto it = objects.find(keyString(pid));
        if (it == objects.end())
            fail(ErrorKind::Malformed, "pickle refers to object '" + keyString(pid) + "' that the archive lacks");
        return it->second;
    };
    PickleLimits mainLimits;
    mainLimits.progress = limits.progress;
    PickleMachine vm(*out.arena, loader, mainLimits);
    try {
        out.root = vm.load(pickleMember->data);
    } catch (const Error &e) {
        throw e.withContext("tar member 'pickle'");
    }
    out.pickleProtocol = vm.protocol();
    out.globals = vm.globals();
    for (auto &g : out.globals)
        g.record = "tar member 'pickle'";
}

} // namespace ckpt::detail

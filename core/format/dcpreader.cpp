// SPDX-License-Identifier: MIT
// torch.distributed.checkpoint folders: .metadata (a plain pickle of DCP's Metadata) says where each
// tensor's chunks lie in the ranks' __<rank>_<n>.distcp files; every chunk, and every non-tensor value,
// is a complete torch.save zip at a byte range of its file. The folder opens as the nested state dict
// that dcp_to_torch_save would write, with each tensor whole.
#include "assembly.h"
#include "error.h"
#include "namelimit.h"
#include "readers.h"
#include "pickle/opcodescan.h"
#include "ziparchive.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include <sys/stat.h>

namespace ckpt::detail {

using namespace pickle;

bool isDcpFolder(const std::string &dir)
{
    struct stat st
    { };
    return ::stat((dir + "/.metadata").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

namespace {

std::string className(const ObjectValue &o)
{
    const GlobalValue *g = o.classGlobal();
    return g ? std::string(g->module) + "." + std::string(g->name) : std::string("an object");
}

// The dataclass o of DCP's class name (torch.distributed.checkpoint.* or the 2.0-2.3 _shard module), or an error.
const ObjectValue &expectObject(const Value *v, std::string_view name, const std::string &where)
{
    const ObjectValue *o = asObject(v);
    const GlobalValue *g = o ? o->classGlobal() : nullptr;
    if (!g || g->name != name || g->module.substr(0, 17) != "torch.distributed")
        fail(ErrorKind::Malformed, where + " is " + (o ? className(*o) : std::string("not an object")) + ", not DCP's " + std::string(name));
    return *o;
}

const Value *field(const ObjectValue &o, std::string_view name)
{
    const DictValue *state = o.stateDict();
    return state ? state->get(name) : nullptr;
}

std::int64_t intOf(const Value *v, const std::string &where)
{
    if (!v || v->kind != Kind::Int)
        fail(ErrorKind::Malformed, where + " is not an integer");
    return static_cast<const IntValue *>(v)->v;
}

std::string shapeText(const std::vector<std::int64_t> &s)
{
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

struct StorageInfo
{
    std::string file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct Chunk
{
    std::vector<std::int64_t> offsets, sizes;
    StorageInfo where;
    const TensorValue *value = nullptr; // the chunk as its blob holds it
};

struct TensorEntry
{
    std::string fqn;
    DType dtype = DType::Float32;
    bool requiresGrad = false;
    std::vector<std::int64_t> size;
    std::vector<Chunk> chunks;
};

std::uint64_t volume(const std::vector<std::int64_t> &sizes)
{
    return elementCount(sizes, "a tensor of shape " + shapeText(sizes));
}

// Chunks must tile the tensor exactly: each inside it, no two overlapping, and together all of it.
void checkTiling(const TensorEntry &t)
{
    const std::size_t dims = t.size.size();
    std::uint64_t covered = 0;
    for (const Chunk &c : t.chunks) {
        if (c.offsets.size() != dims || c.sizes.size() != dims)
            fail(ErrorKind::Malformed, "tensor '" + t.fqn + "' of shape " + shapeText(t.size) + " has a chunk of rank " + std::to_string(c.sizes.size()));
        for (std::size_t d = 0; d < dims; ++d)
            if (c.offsets[d] + c.sizes[d] > t.size[d])
                fail(ErrorKind::Malformed,
                    "tensor '" + t.fqn + "' of shape " + shapeText(t.size) + ": its chunk at offsets " + shapeText(c.offsets) + " of size " + shapeText(c.sizes)
                        + " reaches outside it");
        covered += volume(c.sizes);
    }
    // Pairwise: chunk counts are a few per rank.
    for (std::size_t i = 0; i < t.chunks.size(); ++i)
        for (std::size_t j = i + 1; j < t.chunks.size(); ++j) {
            const Chunk &a = t.chunks[i], &b = t.chunks[j];
            bool overlap = volume(a.sizes) > 0 && volume(b.sizes) > 0;
            for (std::size_t d = 0; d < dims && overlap; ++d)
                overlap = a.offsets[d] < b.offsets[d] + b.sizes[d] && b.offsets[d] < a.offsets[d] + a.sizes[d];
            if (overlap)
                fail(ErrorKind::Malformed,
                    "tensor '" + t.fqn + "': its chunks at offsets " + shapeText(a.offsets) + " (" + a.where.file + ") and " + shapeText(b.offsets) + " ("
                        + b.where.file + ") overlap");
        }
    if (covered != volume(t.size))
        fail(ErrorKind::Malformed,
            "tensor '" + t.fqn + "' of shape " + shapeText(t.size) + ": its chunks cover " + std::to_string(covered) + " of its "
                + std::to_string(volume(t.size)) + " elements, leaving a hole");
}

// Copies the part of chunk c (any strides) that falls in bytes [begin, begin + out.size()) of the row-major
// whole tensor of shape full. Only the rows of dimension 0 that reach into the range are walked, so a writer
// streaming a large tensor block by block does not walk it all for every block.
void fillFromChunk(const Chunk &c, const std::vector<std::int64_t> &full, std::size_t item, std::uint64_t begin, std::span<std::byte> out)
{
    const TensorValue &v = *c.value;
    const std::size_t dims = full.size();
    const std::uint64_t end = begin + out.size();
    const std::byte *src = v.storage->bytes.data();
    // Copies the bytes of [to, to + n) that lie in the range, reading them from from.
    auto put = [&](std::uint64_t to, const std::byte *from, std::uint64_t n) {
        const std::uint64_t lo = std::max(to, begin), hi = std::min(to + n, end);
        if (lo < hi)
            std::memcpy(out.data() + (lo - begin), from + (lo - to), hi - lo);
    };
    if (dims == 0) {
        put(0, src + static_cast<std::size_t>(v.storageOffset) * item, item);
        return;
    }
    if (volume(c.sizes) == 0)
        return;
    std::vector<std::uint64_t> fullStride(dims, 1);
    for (std::size_t d = dims - 1; d > 0; --d)
        fullStride[d - 1] = fullStride[d] * static_cast<std::uint64_t>(full[d]);
    const std::uint64_t rowBytes = fullStride[0] * item;
    // The chunk's rows (dimension 0) that reach into [begin, end).
    const auto firstRow = static_cast<std::int64_t>(begin / rowBytes), lastRow = static_cast<std::int64_t>((end + rowBytes - 1) / rowBytes);
    const std::int64_t from0 = std::max(firstRow, c.offsets[0]) - c.offsets[0], to0 = std::min(lastRow, c.offsets[0] + c.sizes[0]) - c.offsets[0];
    if (from0 >= to0)
        return;
    const std::int64_t run = c.sizes[dims - 1];
    const bool dense = v.stride[dims - 1] == 1 || run == 1;
    std::vector<std::int64_t> index(dims, 0); // over the chunk's dims but the last
    index[0] = dims > 1 ? from0 : 0;
    for (;;) {
        std::int64_t from = v.storageOffset;
        std::uint64_t to = 0;
        for (std::size_t d = 0; d < dims; ++d) {
            from += index[d] * v.stride[d];
            to += static_cast<std::uint64_t>(c.offsets[d] + index[d]) * fullStride[d];
        }
        if (dense)
            put(to * item, src + static_cast<std::size_t>(from) * item, static_cast<std::uint64_t>(run) * item);
        else
            for (std::int64_t k = 0; k < run; ++k)
                put((to + static_cast<std::uint64_t>(k)) * item, src + static_cast<std::size_t>(from + k * v.stride[dims - 1]) * item, item);
        std::size_t d = dims - 1;
        while (d > 0) {
            if (++index[d - 1] < (d - 1 == 0 ? to0 : c.sizes[d - 1]))
                break;
            index[d - 1] = 0;
            --d;
        }
        if (d == 0)
            return;
    }
}

class DcpReader
{
public:
    DcpReader(const std::string &dir, RawCheckpoint &out, const ReadLimits &limits)
        : m_dir(dir)
        , m_out(out)
        , m_limits(limits)
    { }

    void read()
    {
        const auto metadata = MappedFile::open(m_dir + "/.metadata");
        m_out.files.push_back(metadata);
        m_out.arena = makeArena(metadata->size(), m_limits);
        PickleMachine vm(*m_out.arena, nullptr, PickleLimits{.progress = m_limits.progress});
        const Value *root = nullptr;
        try {
            root = vm.load(metadata->bytes());
        } catch (const Error &e) {
            throw e.withContext(".metadata");
        }
        m_out.pickleProtocol = vm.protocol();
        for (auto g : vm.globals()) {
            g.record = ".metadata";
            m_out.globals.push_back(std::move(g));
        }
        const ObjectValue &md = expectObject(root, "Metadata", ".metadata");
        const DictValue *entries = asDict(field(md, "state_dict_metadata"));
        if (!entries)
            fail(ErrorKind::Malformed, ".metadata has no state_dict_metadata dict");
        readStorageData(asDict(field(md, "storage_data")));
        const DictValue *planner = asDict(field(md, "planner_data"));
        if (const Value *version = field(md, "version"); isStr(version))
            m_version = strOf(version);

        std::vector<TensorEntry> tensors;
        std::vector<std::pair<std::string, const Value *>> values; // fqn -> the value, in .metadata's order
        for (const auto &[key, entry] : entries->items) {
            if (!isStr(key))
                fail(ErrorKind::Malformed, ".metadata has a state_dict_metadata key that is not a string");
            std::string fqn(strOf(key));
            checkNameSegments(fqn, "DCP entry");
            const ObjectValue *o = asObject(entry);
            const GlobalValue *g = o ? o->classGlobal() : nullptr;
            if (g && g->name == "BytesStorageMetadata") {
                values.emplace_back(fqn, readBytesEntry(fqn));
                continue;
            }
            tensors.push_back(readTensorEntry(fqn, expectObject(entry, "TensorStorageMetadata", "the entry of '" + fqn + "'")));
            values.emplace_back(fqn, nullptr);
        }
        assemble(tensors);
        std::size_t t = 0;
        auto *tree = m_out.arena->makeDict(DictFlavor::Plain);
        for (auto &[fqn, value] : values) {
            const Value *v = value ? value : m_assembled[t++];
            place(tree, fqn, keyPath(planner, fqn), const_cast<Value *>(v));
        }
        m_out.root = tree;
        m_out.format = Format::Dcp;
        std::set<std::string> ranks;
        for (const auto &[name, file] : m_files)
            if (name.size() > 2 && name.compare(0, 2, "__") == 0)
                ranks.insert(name.substr(2, name.find('_', 2) - 2));
        m_out.worldSize = static_cast<int>(ranks.size());
        m_out.notes.push_back("torch.distributed.checkpoint folder: " + std::to_string(tensors.size()) + " tensors in " + std::to_string(m_chunkCount)
            + " chunks over " + std::to_string(m_files.size()) + " data files from " + std::to_string(ranks.size()) + " ranks");
        m_out.formatVersion = m_version;
    }

private:
    void readStorageData(const DictValue *storage)
    {
        if (!storage)
            fail(ErrorKind::Malformed, ".metadata has no storage_data dict");
        for (const auto &[key, value] : storage->items) {
            const ObjectValue &index = expectObject(key, "MetadataIndex", "a storage_data key");
            const Value *fqn = field(index, "fqn");
            if (!isStr(fqn))
                fail(ErrorKind::Malformed, "a storage_data key has no fqn");
            const Value *offset = field(index, "offset");
            const std::string where = "storage_data of '" + std::string(strOf(fqn)) + "'";
            std::vector<std::int64_t> offsets = !offset || offset->kind == Kind::None ? std::vector<std::int64_t>{} : intsOf(offset, where + " offset");
            const ObjectValue &info = expectObject(value, "_StorageInfo", where);
            const Value *path = field(info, "relative_path");
            if (!isStr(path))
                fail(ErrorKind::Malformed, where + " has no relative_path");
            StorageInfo s{std::string(strOf(path)), 0, 0};
            checkRelativeFileName(s.file, "DCP data file");
            const std::int64_t at = intOf(field(info, "offset"), where + " offset"), length = intOf(field(info, "length"), where + " length");
            if (at < 0 || length <= 0)
                fail(ErrorKind::Malformed, where + " has a negative offset or an empty length");
            s.offset = static_cast<std::uint64_t>(at);
            s.length = static_cast<std::uint64_t>(length);
            m_storage[{std::string(strOf(fqn)), offsets}] = std::move(s);
        }
    }

    const StorageInfo &storageOf(const std::string &fqn, const std::vector<std::int64_t> &offsets)
    {
        const auto it = m_storage.find({fqn, offsets});
        if (it == m_storage.end())
            fail(ErrorKind::Malformed,
                "'" + fqn + "'" + (offsets.empty() ? std::string() : " at offsets " + shapeText(offsets)) + " has no place in storage_data");
        return it->second;
    }

    std::shared_ptr<const MappedFile> dataFile(const std::string &name)
    {
        auto &file = m_files[name];
        if (!file) {
            try {
                file = MappedFile::open(m_dir + "/" + name);
            } catch (const Error &e) {
                throw Error(e.kind(), "data file " + name + " that .metadata refers to: " + e.detail());
            }
            m_out.files.push_back(file);
        }
        return file;
    }

    // Reads the torch.save zip at where's byte range; its values live in a part of their own.
    const Value *readBlob(const StorageInfo &where, const std::string &what)
    {
        const auto file = dataFile(where.file);
        if (where.offset > file->size() || where.length > file->size() - where.offset)
            fail(ErrorKind::Truncated,
                what + " lies at bytes " + std::to_string(where.offset) + "-" + std::to_string(where.offset + where.length) + " of " + where.file
                    + ", which has " + std::to_string(file->size()));
        auto part = std::make_unique<RawCheckpoint>();
        const std::string name = where.file + "@" + std::to_string(where.offset);
        part->path = m_dir + "/" + name;
        part->files.push_back(file);
        try {
            readSource(Source{file, file->bytes().subspan(where.offset, where.length), name, m_dir}, *part, m_limits, 1);
        } catch (const Error &e) {
            throw Error(e.kind(), what + " (" + name + "): " + e.detail());
        }
        if (part->format != Format::TorchZip)
            fail(ErrorKind::Malformed, what + " (" + name + ") is not a torch.save zip");
        return adoptPart(m_out, std::move(part), name);
    }

    // A non-tensor value is normally torch.save'd; a BytesIO the user stored is kept as it is. Those bytes
    // are shown as bytes, and when they are a pickle its globals still go to the safety report.
    const Value *readBytesEntry(const std::string &fqn)
    {
        const StorageInfo &where = storageOf(fqn, {});
        const std::string what = "the value of '" + fqn + "'";
        const auto file = dataFile(where.file);
        if (where.offset <= file->size() && where.length <= file->size() - where.offset) {
            const auto bytes = file->bytes().subspan(where.offset, where.length);
            // Its first bytes copied: they may share a page with tensor chunks (see MappedFile).
            if (!ZipArchive::looksLikeZip(copyBytes(file.get(), bytes.first(std::min<std::size_t>(bytes.size(), 4))))) {
                const std::string name = where.file + "@" + std::to_string(where.offset);
                const std::string record = name + " (" + what + ", a raw pickle)";
                if (!bytes.empty() && bytes[0] == std::byte{0x80})
                    for (auto g : scanOpcodes(bytes).globals) {
                        g.record = record;
                        m_out.globals.push_back(std::move(g));
                    }
                m_out.notes.push_back(what + " is not a torch.save zip (" + name + "): shown as its " + std::to_string(bytes.size()) + " bytes");
                return m_out.arena->make<StringValue>(Kind::Bytes, std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
            }
        }
        return readBlob(where, what);
    }

    TensorEntry readTensorEntry(const std::string &fqn, const ObjectValue &md)
    {
        TensorEntry t;
        t.fqn = fqn;
        const std::string where = "tensor '" + fqn + "'";
        const ObjectValue &props = expectObject(field(md, "properties"), "TensorProperties", where + " properties");
        // TensorProperties.__getstate__: (dtype, layout, requires_grad, memory_format, pin_memory).
        const Value *dtype = nullptr;
        if (const SequenceValue *state = asTuple(props.state); state && !state->items.empty()) {
            dtype = state->items[0];
            if (state->items.size() > 2 && state->items[2]->kind == Kind::Bool)
                t.requiresGrad = static_cast<const BoolValue *>(state->items[2])->v;
        } else {
            dtype = field(props, "dtype");
        }
        const GlobalValue *g = asGlobal(dtype);
        if (!g || g->known != KnownGlobal::TorchDtype)
            fail(ErrorKind::Malformed, where + " has no torch dtype in its properties");
        t.dtype = g->storageDtype;
        t.size = intsOf(field(md, "size"), where + " size");
        volume(t.size);
        const Value *chunks = field(md, "chunks");
        if (!chunks || chunks->kind != Kind::List)
            fail(ErrorKind::Malformed, where + " has no list of chunks");
        for (const Value *c : static_cast<const SequenceValue *>(chunks)->items) {
            const ObjectValue &chunk = expectObject(c, "ChunkStorageMetadata", where + " chunk");
            Chunk k;
            k.offsets = intsOf(field(chunk, "offsets"), where + " chunk offsets");
            k.sizes = intsOf(field(chunk, "sizes"), where + " chunk sizes");
            k.where = storageOf(fqn, k.offsets);
            t.chunks.push_back(std::move(k));
        }
        if (t.chunks.empty() && volume(t.size) > 0)
            fail(ErrorKind::Malformed, where + " of shape " + shapeText(t.size) + " has no chunks");
        checkTiling(t);
        for (Chunk &k : t.chunks) {
            const std::string what = where + " chunk at offsets " + shapeText(k.offsets);
            k.value = asTensor(readBlob(k.where, what));
            if (!k.value)
                fail(ErrorKind::Malformed, what + " (" + k.where.file + ") holds no tensor");
            if (k.value->dtype != t.dtype)
                fail(ErrorKind::Malformed,
                    what + " is " + std::string(dtypeName(k.value->dtype)) + ", not " + std::string(dtypeName(t.dtype)) + " as .metadata says");
            if (!std::equal(k.value->shape.begin(), k.value->shape.end(), k.sizes.begin(), k.sizes.end()))
                fail(ErrorKind::Malformed,
                    what + " holds a tensor of shape " + shapeText({k.value->shape.begin(), k.value->shape.end()}) + ", not " + shapeText(k.sizes));
            validateTensorBounds(*k.value, what + ": ");
            ++m_chunkCount;
        }
        return t;
    }

    // A tensor in one chunk is that chunk's tensor, in place; one in several is put together from its chunks
    // when it is read (deferredTensor): opening reads no tensor bytes.
    void assemble(const std::vector<TensorEntry> &tensors)
    {
        for (const TensorEntry &t : tensors) {
            TensorValue *v = nullptr;
            if (t.chunks.size() == 1) {
                v = m_out.arena->makeTensor(*t.chunks.front().value);
            } else {
                const std::size_t item = dtypeItemSize(t.dtype);
                std::vector<std::span<const std::byte>> sources = slabsInOrder(t, item);
                const bool slabs = !sources.empty();
                if (!slabs)
                    for (const Chunk &c : t.chunks)
                        sources.push_back(c.value->storage->bytes);
                v = deferredTensor(
                    m_out, t.dtype, t.size, "tensor '" + t.fqn + "' of " + m_dir,
                    [chunks = t.chunks, size = t.size, item](std::uint64_t offset, std::span<std::byte> out) {
                        for (const Chunk &c : chunks)
                            fillFromChunk(c, size, item, offset, out);
                    },
                    std::move(sources), slabs);
            }
            v->requiresGrad = t.requiresGrad;
            m_out.layouts[v] = layoutText(t);
            m_assembled.push_back(v);
        }
    }

    // When the chunks are slabs of whole rows (sharded along dimension 0, as FSDP shards), each dense: their
    // bytes in row order, which laid end to end are the tensor's. Otherwise empty.
    static std::vector<std::span<const std::byte>> slabsInOrder(const TensorEntry &t, std::size_t item)
    {
        if (t.size.empty())
            return {};
        std::vector<const Chunk *> order;
        for (const Chunk &c : t.chunks) {
            for (std::size_t d = 1; d < t.size.size(); ++d)
                if (c.offsets[d] != 0 || c.sizes[d] != t.size[d])
                    return {};
            std::int64_t step = 1; // row-major strides, dimensions of size 1 aside
            for (std::size_t d = t.size.size(); d-- > 0;) {
                if (c.value->shape[d] != 1 && c.value->stride[d] != step)
                    return {};
                step *= c.value->shape[d];
            }
            order.push_back(&c);
        }
        std::sort(order.begin(), order.end(), [](const Chunk *a, const Chunk *b) { return a->offsets[0] < b->offsets[0]; });
        std::vector<std::span<const std::byte>> spans;
        spans.reserve(order.size());
        for (const Chunk *c : order)
            spans.push_back(c->value->storage->bytes.subspan(static_cast<std::size_t>(c->value->storageOffset) * item, volume(c->sizes) * item));
        return spans;
    }

    static std::string layoutText(const TensorEntry &t)
    {
        std::string text = t.chunks.size() == 1 ? std::string("1 chunk") : std::to_string(t.chunks.size()) + " chunks";
        for (std::size_t i = 0; i < t.chunks.size() && i < 8; ++i) {
            const Chunk &c = t.chunks[i];
            text += (i ? "; " : ": ") + shapeText(c.sizes) + " at offsets " + shapeText(c.offsets) + " in " + c.where.file;
        }
        return text + (t.chunks.size() > 8 ? "; ..." : "");
    }

    // planner_data: fqn -> the path of keys in the nested state dict (strings, or ints for list items).
    static const SequenceValue *keyPath(const DictValue *planner, const std::string &fqn)
    {
        if (!planner)
            return nullptr;
        const Value *path = planner->get(fqn);
        return path && (path->kind == Kind::Tuple || path->kind == Kind::List) ? static_cast<const SequenceValue *>(path) : nullptr;
    }

    void place(DictValue *tree, const std::string &fqn, const SequenceValue *path, Value *value)
    {
        if (!path || path->items.empty()) {
            tree->items.emplace_back(m_out.arena->make<StringValue>(Kind::Str, m_out.arena->copy(fqn)), value);
            return;
        }
        Value *container = tree;
        for (std::size_t i = 0; i < path->items.size(); ++i) {
            Value *key = path->items[i];
            const bool last = i + 1 == path->items.size();
            const bool nextIsIndex = !last && path->items[i + 1]->kind == Kind::Int;
            auto make = [&]() -> Value * {
                return last ? value : nextIsIndex ? static_cast<Value *>(m_out.arena->makeSequence(Kind::List)) : m_out.arena->makeDict(DictFlavor::Plain);
            };
            if (container->kind == Kind::Dict && isStr(key)) {
                auto *d = static_cast<DictValue *>(container);
                Value *found = nullptr;
                for (auto &[k, v] : d->items)
                    if (isStr(k) && strOf(k) == strOf(key))
                        found = v;
                if (!found || last) {
                    found = make();
                    d->items.emplace_back(key, found);
                }
                container = found;
            } else if (container->kind == Kind::List && key->kind == Kind::Int) {
                auto *l = static_cast<SequenceValue *>(container);
                const std::int64_t index = static_cast<IntValue *>(key)->v;
                if (index < 0 || index > 1'000'000)
                    fail(ErrorKind::Malformed, "planner_data of '" + fqn + "' has the list index " + std::to_string(index));
                while (l->items.size() <= static_cast<std::size_t>(index))
                    l->items.push_back(m_out.arena->none());
                if (last || l->items[static_cast<std::size_t>(index)]->kind == Kind::None)
                    l->items[static_cast<std::size_t>(index)] = make();
                container = l->items[static_cast<std::size_t>(index)];
            } else {
                fail(ErrorKind::Malformed, "planner_data of '" + fqn + "' does not fit the entries before it");
            }
        }
    }

    std::string m_dir;
    RawCheckpoint &m_out;
    const ReadLimits &m_limits;
    std::map<std::pair<std::string, std::vector<std::int64_t>>, StorageInfo> m_storage;
    std::map<std::string, std::shared_ptr<const MappedFile>> m_files;
    std::vector<const Value *> m_assembled;
    std::size_t m_chunkCount = 0;
    std::string m_version;
};

} // namespace

void readDcpFolder(const std::string &dir, RawCheckpoint &out, const ReadLimits &limits)
{
    DcpReader(dir, out, limits).read();
}

} // namespace ckpt::detail

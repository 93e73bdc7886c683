// SPDX-License-Identifier: MIT
// Content detection and the shared checks that run after any reader.
#include "bytereader.h"
#include "error.h"
#include "gzipfile.h"
#include "mappedfile.h"
#include "readers.h"
#include "tararchive.h"
#include "ziparchive.h"

#include <algorithm>

#include <sys/stat.h>

namespace ckpt {

std::string_view formatName(Format f)
{
    switch (f) {
    case Format::TorchZip: return "torch-zip";
    case Format::TorchLegacy: return "torch-legacy";
    case Format::TorchScript: return "torchscript";
    case Format::Safetensors: return "safetensors";
    case Format::Sharded: return "sharded";
    case Format::Dcp: return "dcp";
    case Format::DeepSpeed: return "deepspeed";
    }
    return "unknown";
}

RawCheckpoint::RawCheckpoint() = default;
RawCheckpoint::~RawCheckpoint() = default;
RawCheckpoint::RawCheckpoint(RawCheckpoint &&) noexcept = default;
RawCheckpoint &RawCheckpoint::operator=(RawCheckpoint &&) noexcept = default;

namespace detail {

using namespace pickle;

std::unique_ptr<Arena> makeArena(std::uint64_t pickleBytes, const ReadLimits &limits)
{
    return std::make_unique<Arena>(limits.baseObjects + static_cast<std::size_t>(pickleBytes / 2));
}

void validateTensorBounds(const TensorValue &t, std::string_view where)
{
    const StorageValue *s = t.storage;
    if (!s || !s->resolved)
        fail(ErrorKind::Malformed, std::string(where) + "a tensor refers to a storage that has no data");
    if (t.dtype != s->dtype)
        fail(ErrorKind::Malformed, std::string(where) + "a tensor's dtype differs from its storage's");
    const auto offset = static_cast<std::uint64_t>(t.storageOffset);
    bool empty = false;
    std::uint64_t last = offset;
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
        if (t.shape[d] == 0)
            empty = true;
        else
            last = checkedAdd(
                last, checkedMul(static_cast<std::uint64_t>(t.shape[d] - 1), static_cast<std::uint64_t>(t.stride[d]), "tensor extent"), "tensor extent");
    }
    if (empty)
        return; // PyTorch allows any offset/stride for tensors without elements
    if (last >= s->numel)
        fail(ErrorKind::Malformed,
            std::string(where) + "a tensor view (offset " + std::to_string(offset) + ", last element " + std::to_string(last) + ") reaches past its storage '"
                + std::string(s->key) + "' of " + std::to_string(s->numel) + " elements");
}

namespace {

// The checkpoint inside a tar archive that isn't itself a legacy torch tar (e.g. AllenNLP's model.tar.gz).
const TarMember *pickCheckpointMember(const TarArchive &tar)
{
    static constexpr std::string_view kPreferred[] = {"weights.th", "best.th", "model.pt", "model.pth", "pytorch_model.bin", "model.safetensors"};
    for (const auto name : kPreferred)
        for (const auto &m : tar.members())
            if (m.isRegularFile && (m.name == name || m.name.ends_with("/" + std::string(name))))
                return &m;
    for (const auto &m : tar.members()) {
        if (!m.isRegularFile)
            continue;
        if (ZipArchive::looksLikeZip(m.data) || looksLikeSafetensors(m.data) || looksLikeLegacyPickle(m.data))
            return &m;
    }
    return nullptr;
}

std::string hexPrefix(std::span<const std::byte> bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i) {
        if (i)
            s.push_back(' ');
        const auto b = std::to_integer<unsigned>(bytes[i]);
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
    }
    return s;
}

} // namespace

std::uint64_t unpackBudget(const ReadLimits &limits, std::uint64_t packedSize)
{
    const std::uint64_t ratio = packedSize > UINT64_MAX / limits.maxGzipRatio ? UINT64_MAX : limits.maxGzipRatio * packedSize;
    return std::min(limits.maxGzipOutput, std::max(limits.maxGzipOutputFloor, ratio));
}

void readSource(const Source &src, RawCheckpoint &out, const ReadLimits &limits, int nesting)
{
    if (nesting > 3)
        fail(ErrorKind::LimitExceeded, "archives nested more than three levels deep");
    if (src.bytes.empty())
        fail(ErrorKind::Truncated, "the file is empty");
    // Detection looks at a copy of the first bytes (every looksLike* reads at most 4 KiB): touching the
    // mapping would make a large folio of tensor bytes resident (see MappedFile).
    const std::vector<std::byte> head = copyBytes(src.file.get(), src.bytes.first(std::min<std::size_t>(src.bytes.size(), 4096)));
    const std::span<const std::byte> bytes(head);

    if (looksLikeGzip(bytes)) {
        if (src.bytes.size() != src.file->size())
            fail(ErrorKind::Unsupported, "a gzip stream inside an archive");
        auto unpacked = inflateGzipToTemporary(*src.file, unpackBudget(limits, src.bytes.size()), limits.progress);
        out.files.push_back(unpacked);
        Source inner{unpacked, unpacked->bytes(), src.name, src.directory};
        const std::vector<std::byte> innerHead = copyBytes(unpacked.get(), inner.bytes.first(std::min<std::size_t>(inner.bytes.size(), 4096)));
        if (!TarArchive::looksLikeTar(innerHead) && !ZipArchive::looksLikeZip(innerHead) && !looksLikeLegacyPickle(innerHead)
            && !looksLikeSafetensors(innerHead))
            fail(ErrorKind::UnknownFormat, "a gzip file whose content is not a checkpoint or a tar archive");
        readSource(inner, out, limits, nesting + 1);
        return;
    }
    if (ZipArchive::looksLikeZip(bytes)) {
        readTorchZip(src, out, limits);
        return;
    }
    if (looksLikeSafetensors(bytes)) {
        readSafetensors(src, out, limits);
        return;
    }
    if (TarArchive::looksLikeTar(bytes)) {
        const TarArchive tar(src.bytes);
        if (tar.find("pickle") && tar.find("storages")) {
            readLegacyTar(src, out, limits);
            return;
        }
        const TarMember *member = pickCheckpointMember(tar);
        if (!member)
            fail(ErrorKind::UnknownFormat, "a tar archive without a checkpoint inside");
        Source inner{src.file, member->data, member->name, src.directory};
        out.member = member->name;
        out.notes.push_back("opened archive member '" + member->name + "'");
        try {
            readSource(inner, out, limits, nesting + 1);
        } catch (const Error &e) {
            throw e.withContext("archive member '" + inner.name + "'");
        }
        return;
    }
    if (looksLikeLegacyPickle(bytes)) {
        readLegacyPickle(src, out, limits);
        return;
    }
    if (looksLikeJsonObject(bytes)) {
        readSharded(src, out, limits, nesting);
        return;
    }
    fail(ErrorKind::UnknownFormat, "not a PyTorch checkpoint: the content matches no known format (first bytes: " + hexPrefix(bytes) + ")");
}

pickle::Value *adoptPart(RawCheckpoint &out, std::unique_ptr<RawCheckpoint> part, const std::string &record)
{
    for (auto *s : part->storages) {
        s->id = static_cast<std::uint32_t>(out.storages.size());
        out.storages.push_back(s);
    }
    for (auto g : part->globals) {
        g.record = record + ": " + g.record;
        out.globals.push_back(std::move(g));
    }
    pickle::Value *root = part->root;
    out.parts.push_back(std::move(part));
    return root;
}

} // namespace detail

namespace {
void validateAll(const RawCheckpoint &raw)
{
    for (const auto *t : raw.arena->tensors())
        detail::validateTensorBounds(*t, "");
    for (const auto &part : raw.parts)
        validateAll(*part);
}
} // namespace

namespace {
// A Hugging Face model folder holds its checkpoint under well-known names; open that.
std::string checkpointInFolder(const std::string &dir, RawCheckpoint &out)
{
    static constexpr const char *kNames[] = {"model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin"};
    for (const char *name : kNames) {
        std::string candidate = dir + "/" + name;
        struct stat st
        { };
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            out.notes.push_back(std::string("opened ") + name + " in the folder");
            return candidate;
        }
    }
    fail(ErrorKind::NotAFile,
        "is a folder without model.safetensors(.index.json), pytorch_model.bin(.index.json), a torch.distributed.checkpoint .metadata or DeepSpeed's latest / "
        "model states in it");
}
} // namespace

RawCheckpoint readCheckpoint(const std::string &path, const ReadLimits &limits)
{
    RawCheckpoint out;
    out.path = path;
    try {
        struct stat st
        { };
        const bool folder = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        if (folder && detail::isDcpFolder(path)) {
            detail::readDcpFolder(path, out, limits);
            validateAll(out);
            return out;
        }
        // DeepSpeed: its root, a tag folder, or the root's `latest` file.
        const auto nameStart = path.rfind('/');
        const bool latest = !folder && path.substr(nameStart == std::string::npos ? 0 : nameStart + 1) == "latest";
        if ((folder && detail::isDeepSpeedFolder(path)) || latest) {
            detail::readDeepSpeedFolder(latest ? (nameStart == std::string::npos ? std::string(".") : path.substr(0, nameStart)) : path, out, limits);
            validateAll(out);
            return out;
        }
        const std::string filePath = folder ? checkpointInFolder(path, out) : path;
        auto file = MappedFile::open(filePath);
        out.files.push_back(file);
        const auto slash = filePath.rfind('/');
        const std::string dir = slash == std::string::npos ? std::string(".") : slash == 0 ? std::string("/") : filePath.substr(0, slash);
        detail::Source src{file, file->bytes(), filePath, dir};
        detail::readSource(src, out, limits, 0);
        if (!out.root)
            fail(ErrorKind::Malformed, "the file holds no value");
        validateAll(out);
    } catch (const Error &e) {
        throw e.withFile(path);
    }
    return out;
}

} // namespace ckpt

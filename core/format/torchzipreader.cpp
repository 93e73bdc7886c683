// SPDX-License-Identifier: MIT
// torch.save zip archives (PyTorch >= 1.6) and TorchScript archives (torch.jit.save).
#include "bytereader.h"
#include "error.h"
#include "readers.h"
#include "mappedfile.h"
#include "temporaryfile.h"
#include "ziparchive.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace ckpt::detail {

using namespace pickle;

namespace {

// The archive's records live under one folder; PyTorch names it after the file (archive/, mnist/ ...).
std::string findRecordPrefix(const ZipArchive &zip)
{
    for (const auto &e : zip.entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string_view::npos && e.name.substr(slash + 1) == "data.pkl" && e.name.find('/', slash + 1) == std::string_view::npos)
            return std::string(e.name.substr(0, slash + 1));
    }
    fail(ErrorKind::UnknownFormat, "a ZIP archive without a data.pkl record: not a PyTorch checkpoint");
}

// A metadata record (data.pkl, version, code), copied: read in place, its pages would map tensor bytes
// around it (see MappedFile). Values parsed from it point into the copy, which the arena keeps.
std::span<const std::byte> recordBytes(const ZipArchive &zip, const ZipEntry &e, RawCheckpoint &out, const ReadLimits &limits)
{
    if (e.method != 0)
        return out.arena->adopt(zip.read(e, limits.maxInflatedRecord));
    // Straight into the arena, without a zero-filled buffer first: a data.pkl can be tens of megabytes.
    const auto size = static_cast<std::size_t>(e.uncompressedSize);
    auto *place = static_cast<std::byte *>(out.arena->resource()->allocate(std::max<std::size_t>(size, 1), 1));
    zip.copyStored(e, {place, size});
    return {place, size};
}

std::string trimmed(std::span<const std::byte> b)
{
    std::string s(asChars(b).substr(0, 64));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

// Storage records that zip tools or non-Python writers deflated (torch.load reads them): inflated into one
// unlinked temporary file, 64-byte aligned as torch.save aligns them, and mapped, so that every later step
// (statistics, diff, save) sees ordinary mapped bytes. The total is bounded like a gzip's. Records inflate
// in parallel (zlib is single-threaded), each into its own place, and the compressed pages are released
// behind, so memory stays small whatever the file's size.
void inflateRecords(const ZipArchive &zip, const std::vector<std::pair<StorageValue *, const ZipEntry *>> &pending, const Source &src, RawCheckpoint &out,
    const ReadLimits &limits)
{
    const std::uint64_t budget = unpackBudget(limits, src.bytes.size());
    std::uint64_t total = 0;
    std::vector<std::uint64_t> offsets;
    offsets.reserve(pending.size());
    for (const auto &[s, e] : pending) {
        offsets.push_back(total);
        total = checkedAdd(total, (e->uncompressedSize + 63) / 64 * 64, "inflated record size");
        if (total > budget)
            fail(ErrorKind::LimitExceeded, "deflated tensor records would unpack to more than " + std::to_string(budget) + " bytes (a decompression bomb?)");
    }
    if (total == 0)
        return; // only empty records: their spans stay empty
    const int fd = makeTemporaryFile();
    // Records inflate straight into a shared mapping of the file (no copy through write calls); the pages
    // written are dropped from this process behind each record and stay in the page cache.
    void *place = MAP_FAILED;
    if (::ftruncate(fd, static_cast<off_t>(total)) != 0
        || (place = ::mmap(nullptr, static_cast<std::size_t>(total), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        ::close(fd);
        fail(ErrorKind::Io, std::string("cannot make a temporary file for the inflated records: ") + std::strerror(errno));
    }
    auto *base = static_cast<std::byte *>(place);
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr firstError;
    std::mutex errorMutex;
    auto work = [&](bool reports) {
        try {
            for (std::size_t i = next++; i < pending.size() && !stop; i = next++) {
                const ZipEntry &e = *pending[i].second;
                const std::span<std::byte> into(base + offsets[i], static_cast<std::size_t>(e.uncompressedSize));
                try {
                    zip.inflateInto(e, into);
                } catch (const Error &err) {
                    throw err.withContext("storage record '" + std::string(e.name) + "'");
                }
                releasePages(into);
                releasePages(src.bytes.subspan(static_cast<std::size_t>(zip.dataOffset(e)), static_cast<std::size_t>(e.compressedSize)));
                done += e.uncompressedSize;
                if (reports && limits.progress)
                    limits.progress->update(static_cast<double>(done) / static_cast<double>(total)); // may throw Cancelled
            }
        } catch (...) {
            stop = true;
            const std::lock_guard lock(errorMutex);
            if (!firstError)
                firstError = std::current_exception();
        }
    };
    const unsigned helpers = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()) - 1, pending.size() - 1);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < helpers; ++t) {
        try {
            threads.emplace_back(work, false);
        } catch (const std::system_error &) {
            break; // no thread to spare (memory or thread limit): fewer helpers share the records
        }
    }
    work(true); // this thread reports progress and sees cancellation
    for (auto &t : threads)
        t.join();
    ::munmap(place, static_cast<std::size_t>(total));
    if (firstError) {
        ::close(fd);
        std::rethrow_exception(firstError);
    }
    auto mapped = MappedFile::adopt(fd, src.name + " (inflated records)");
    out.files.push_back(mapped);
    for (std::size_t i = 0; i < pending.size(); ++i) {
        StorageValue *s = pending[i].first;
        s->bytes = mapped->bytes().subspan(static_cast<std::size_t>(offsets[i]), static_cast<std::size_t>(pending[i].second->uncompressedSize));
    }
    out.notes.push_back(std::to_string(pending.size()) + " deflate-compressed tensor record" + (pending.size() == 1 ? "" : "s") + " inflated ("
        + std::to_string(total) + " bytes); a save writes them stored");
}

} // namespace

pickle::StorageValue *newStorage(RawCheckpoint &out)
{
    auto *s = out.arena->make<StorageValue>();
    s->id = static_cast<std::uint32_t>(out.storages.size());
    out.storages.push_back(s);
    return s;
}

void readTorchZip(const Source &src, RawCheckpoint &out, const ReadLimits &limits)
{
    const ZipArchive zip(src.bytes, src.file.get());
    const std::string prefix = findRecordPrefix(zip);
    out.archiveName = prefix.substr(0, prefix.size() - 1);

    bool torchScript = zip.find(prefix + "constants.pkl") != nullptr;
    for (const auto &e : zip.entries()) {
        if (e.name.starts_with(prefix + "code/")) {
            torchScript = true;
            break;
        }
    }
    out.format = torchScript ? Format::TorchScript : Format::TorchZip;
    out.arena = makeArena(zip.find(prefix + "data.pkl")->uncompressedSize, limits);

    if (const ZipEntry *order = zip.find(prefix + "byteorder")) {
        const auto value = trimmed(recordBytes(zip, *order, out, limits));
        if (value == "big")
            fail(ErrorKind::Unsupported, "big-endian checkpoint (byteorder record says 'big')");
        if (value != "little")
            fail(ErrorKind::Malformed, "byteorder record is neither 'little' nor 'big'");
    }
    const ZipEntry *version = zip.find(prefix + "version");
    if (!version)
        version = zip.find(prefix + ".data/version");
    if (version)
        out.formatVersion = trimmed(recordBytes(zip, *version, out, limits));

    const ZipEntry *pklEntry = zip.find(prefix + "data.pkl");
    auto pkl = recordBytes(zip, *pklEntry, out, limits);

    if (torchScript) {
        const std::string codePrefix = prefix + "code/";
        std::uint64_t codeBytes = 0;
        for (const auto &e : zip.entries()) {
            if (!e.name.starts_with(codePrefix) || !e.name.ends_with(".py"))
                continue;
            codeBytes = checkedAdd(codeBytes, e.uncompressedSize, "TorchScript code size");
            if (codeBytes > limits.maxInflatedRecord)
                fail(ErrorKind::LimitExceeded, "TorchScript code/ records are larger than the limit");
            const auto text = recordBytes(zip, e, out, limits);
            out.schema.addSource(TorchScriptSchema::modulePathForRecord(e.name.substr(prefix.size())), asChars(text));
        }
    }

    // Storages are records data/<key>; the same key always yields the same storage (shared views).
    std::vector<StorageValue *> byEntry(zip.entries().size(), nullptr);
    std::vector<std::pair<StorageValue *, const ZipEntry *>> deflated;
    const std::string dataPrefix = prefix + "data/";
    std::string recordName = dataPrefix;
    auto loader = [&](Value *pid) -> Value * {
        const auto *t = asTuple(pid);
        if (!t || t->items.size() != 5 || !isStr(t->items[0]) || strOf(t->items[0]) != "storage")
            fail(ErrorKind::Malformed, "persistent id is not a ('storage', type, key, location, numel) tuple");
        const auto *cls = asGlobal(t->items[1]);
        if (!cls || cls->known != KnownGlobal::StorageClass)
            fail(ErrorKind::Malformed, "persistent id names an unknown storage type" + (cls ? std::string(" ") + cls->qualifiedName() : std::string()));
        if (!isStr(t->items[2]) || !isStr(t->items[3]) || t->items[4]->kind != Kind::Int)
            fail(ErrorKind::Malformed, "persistent id has a key, location or size of the wrong type");
        const auto key = strOf(t->items[2]);
        const auto numel = static_cast<const IntValue *>(t->items[4])->v;
        if (numel < 0)
            fail(ErrorKind::Malformed, "storage '" + std::string(key) + "' has a negative size");
        recordName.resize(dataPrefix.size());
        recordName.append(key);
        const ZipEntry *record = zip.find(recordName);
        if (!record)
            fail(ErrorKind::Malformed, "storage record '" + recordName + "' is missing");
        StorageValue *&known = byEntry[static_cast<std::size_t>(record - zip.entries().data())];
        if (known) {
            if (known->dtype != cls->storageDtype || known->numel != static_cast<std::uint64_t>(numel))
                fail(ErrorKind::Malformed, "storage '" + std::string(key) + "' is referenced with two different types or sizes");
            return known;
        }
        const std::uint64_t nbytes = checkedMul(static_cast<std::uint64_t>(numel), dtypeItemSize(cls->storageDtype), "storage size");
        if (record->uncompressedSize != nbytes)
            fail(ErrorKind::Malformed,
                "storage '" + std::string(key) + "' declares " + std::to_string(numel) + " " + std::string(dtypeName(cls->storageDtype)) + " elements ("
                    + std::to_string(nbytes) + " bytes) but its record holds " + std::to_string(record->uncompressedSize) + " bytes");
        StorageValue *s = newStorage(out);
        s->key = key;
        s->location = strOf(t->items[3]);
        s->dtype = cls->storageDtype;
        s->numel = static_cast<std::uint64_t>(numel);
        if (record->method == 0)
            s->bytes = zip.storedData(*record);
        else if (record->method == 8)
            deflated.emplace_back(s, record); // inflated once the pickle is read
        else
            fail(ErrorKind::Unsupported,
                "storage record '" + recordName + "' uses compression method " + std::to_string(record->method) + " (only stored and deflate are read)");
        s->resolved = true;
        known = s;
        return s;
    };

    PickleLimits pickleLimits;
    pickleLimits.progress = limits.progress;
    PickleMachine vm(*out.arena, loader, pickleLimits);
    try {
        out.root = vm.load(pkl);
    } catch (const Error &e) {
        throw e.withContext(std::string(pklEntry->name));
    }
    if (!deflated.empty())
        inflateRecords(zip, deflated, src, out, limits);
    out.pickleProtocol = vm.protocol();
    out.globals = vm.globals();
    for (auto &g : out.globals)
        g.record = std::string(pklEntry->name);
}

} // namespace ckpt::detail

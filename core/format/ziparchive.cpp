// SPDX-License-Identifier: MIT
#include "ziparchive.h"

#include "bytereader.h"
#include "error.h"
#include "hashsort.h"
#include "mappedfile.h"

#include <zlib.h>

#include <algorithm>
#include <functional>

namespace ckpt {

namespace {
constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kZip64EocdSig = 0x06064b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::size_t kEocdSize = 22;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kZip64EocdSize = 56;
// Local headers are read in windows of at most this many bytes: one pread covers every header inside it,
// so 100,000 small records cost a few hundred reads rather than 100,000.
constexpr std::size_t kHeaderWindow = std::size_t{256} * 1024;
} // namespace

namespace {
void requireDeflate(const ZipEntry &e)
{
    if (e.method != 8)
        fail(ErrorKind::Unsupported, "ZIP entry '" + std::string(e.name) + "' uses compression method " + std::to_string(e.method));
}
} // namespace

bool ZipArchive::looksLikeZip(std::span<const std::byte> bytes)
{
    return bytes.size() >= 4 && loadLE<std::uint32_t>(bytes.data()) == kLocalSig;
}

ZipArchive::ZipArchive(std::span<const std::byte> bytes, const MappedFile *file)
    : m_bytes(bytes)
    , m_file(file)
{
    try {
        parseCentralDirectory();
        readLocalHeaders();
    } catch (const Error &e) {
        throw e.withContext("ZIP archive");
    }
}

void ZipArchive::copyOut(std::uint64_t offset, std::span<std::byte> out) const
{
    // Callers check the range against m_bytes first.
    copyBytes(m_file, m_bytes.subspan(static_cast<std::size_t>(offset), out.size()), out.data());
}

const ZipEntry *ZipArchive::find(std::string_view name) const
{
    for (std::size_t i = m_next; i < m_next + 2 && i < m_entries.size(); ++i) {
        if (m_entries[i].name == name) {
            m_next = i + 1;
            return &m_entries[i];
        }
    }
    const std::uint64_t h = std::hash<std::string_view>{}(name);
    auto it = std::lower_bound(m_byHash.begin(), m_byHash.end(), std::make_pair(h, std::uint32_t{0}));
    for (; it != m_byHash.end() && it->first == h; ++it) {
        if (m_entries[it->second].name == name) {
            m_next = it->second + 1;
            return &m_entries[it->second];
        }
    }
    return nullptr;
}

void ZipArchive::parseCentralDirectory()
{
    const std::size_t size = m_bytes.size();
    if (size < kEocdSize)
        fail(ErrorKind::Truncated, "too short to hold an end-of-central-directory record");

    // The EOCD record sits at the end, followed by a comment of at most 64 KiB, and may follow a zip64
    // locator: all of that is in the file's tail, copied once.
    const std::size_t tailSize = std::min<std::size_t>(size, kEocdSize + 0xFFFF + kZip64LocatorSize);
    const std::size_t tailStart = size - tailSize;
    std::vector<std::byte> tail(tailSize);
    copyOut(tailStart, tail);
    std::size_t eocd = std::string_view::npos; // in the tail
    const std::size_t lowest = tailSize >= kEocdSize + 0xFFFF ? tailSize - kEocdSize - 0xFFFF : 0;
    for (std::size_t pos = tailSize - kEocdSize + 1; pos-- > lowest;) {
        if (loadLE<std::uint32_t>(tail.data() + pos) == kEocdSig) {
            const std::uint16_t commentLen = loadLE<std::uint16_t>(tail.data() + pos + 20);
            if (pos + kEocdSize + commentLen <= tailSize) {
                eocd = pos;
                break;
            }
        }
    }
    if (eocd == std::string_view::npos)
        fail(ErrorKind::Truncated, "no end-of-central-directory record (the file is cut off or not a ZIP archive)");

    ByteReader r(tail, "end-of-central-directory record");
    r.seek(eocd + 4);
    const std::uint16_t diskNo = r.u16();
    const std::uint16_t cdDisk = r.u16();
    std::uint64_t entriesOnDisk = r.u16();
    std::uint64_t totalEntries = r.u16();
    std::uint64_t cdSize = r.u32();
    std::uint64_t cdOffset = r.u32();
    if (diskNo != 0 || cdDisk != 0 || entriesOnDisk != totalEntries)
        fail(ErrorKind::Unsupported, "multi-volume ZIP archives are not supported");

    std::size_t cdLimit = tailStart + eocd; // the central directory must end before the EOCD
    if (eocd >= kZip64LocatorSize && loadLE<std::uint32_t>(tail.data() + eocd - kZip64LocatorSize) == kZip64LocatorSig) {
        ByteReader loc(tail, "zip64 locator");
        loc.seek(eocd - kZip64LocatorSize + 8);
        const std::uint64_t zip64EocdOffset = loc.u64();
        const std::size_t locator = tailStart + eocd - kZip64LocatorSize;
        if (zip64EocdOffset > locator || locator - zip64EocdOffset < kZip64EocdSize)
            fail(ErrorKind::Malformed, "zip64 end-of-central-directory offset out of bounds");
        std::byte record[kZip64EocdSize];
        copyOut(zip64EocdOffset, record);
        ByteReader z(record, "zip64 end-of-central-directory record");
        if (z.u32() != kZip64EocdSig)
            fail(ErrorKind::Malformed, "bad zip64 end-of-central-directory signature");
        z.u64(); // record size
        z.u16(); // version made by
        z.u16(); // version needed
        if (z.u32() != 0 || z.u32() != 0)
            fail(ErrorKind::Unsupported, "multi-volume ZIP archives are not supported");
        entriesOnDisk = z.u64();
        totalEntries = z.u64();
        if (entriesOnDisk != totalEntries) // the zip64 record has its own counts; one disk means they agree
            fail(ErrorKind::Unsupported, "multi-volume ZIP archives are not supported");
        cdSize = z.u64();
        cdOffset = z.u64();
        cdLimit = zip64EocdOffset;
    }

    if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset)
        fail(ErrorKind::Malformed, "central directory (offset " + std::to_string(cdOffset) + ", size " + std::to_string(cdSize) + ") lies outside the file");
    if (totalEntries > 0xFFFFFFFFu)
        fail(ErrorKind::LimitExceeded, "more than 2^32 ZIP entries");
    if (totalEntries > cdSize / kCentralHeaderSize)
        fail(ErrorKind::Malformed, "central directory claims " + std::to_string(totalEntries) + " entries, more than its size can hold");

    m_entries.reserve(static_cast<std::size_t>(totalEntries));
    m_byHash.reserve(static_cast<std::size_t>(totalEntries));
    // A copy: entries' names point into it, and the mapping stays untouched.
    m_directory.reset(new std::byte[static_cast<std::size_t>(cdSize)]);
    const std::span<std::byte> directory(m_directory.get(), static_cast<std::size_t>(cdSize));
    copyOut(cdOffset, directory);
    ByteReader cd(directory, "central directory");
    for (std::uint64_t i = 0; i < totalEntries; ++i) {
        if (cd.u32() != kCentralSig)
            fail(ErrorKind::Malformed, "bad central directory entry signature at entry " + std::to_string(i));
        ZipEntry e;
        cd.u16(); // version made by
        cd.u16(); // version needed
        e.flags = cd.u16();
        e.method = cd.u16();
        cd.u16(); // time
        cd.u16(); // date
        e.crc32 = cd.u32();
        e.compressedSize = cd.u32();
        e.uncompressedSize = cd.u32();
        const std::uint16_t nameLen = cd.u16();
        const std::uint16_t extraLen = cd.u16();
        const std::uint16_t commentLen = cd.u16();
        const std::uint16_t disk = cd.u16();
        cd.u16(); // internal attributes
        cd.u32(); // external attributes
        e.localHeaderOffset = cd.u32();
        e.name = asChars(cd.take(nameLen));
        auto extra = cd.take(extraLen);
        cd.take(commentLen);

        // Zip64 extended information replaces the fields that are saturated in the fixed header.
        ByteReader ex(extra, "zip64 extra field");
        while (ex.remaining() >= 4) {
            const std::uint16_t id = ex.u16();
            const std::uint16_t len = ex.u16();
            auto body = ex.take(len);
            if (id != 0x0001)
                continue;
            ByteReader z(body, "zip64 extra field");
            if (e.uncompressedSize == 0xFFFFFFFFu)
                e.uncompressedSize = z.u64();
            if (e.compressedSize == 0xFFFFFFFFu)
                e.compressedSize = z.u64();
            if (e.localHeaderOffset == 0xFFFFFFFFu)
                e.localHeaderOffset = z.u64();
        }
        if (disk != 0 && disk != 0xFFFF)
            fail(ErrorKind::Unsupported, "multi-volume ZIP archives are not supported");
        if (e.flags & 0x1)
            fail(ErrorKind::Unsupported, "encrypted ZIP entry '" + std::string(e.name) + "'");
        if (e.localHeaderOffset > cdOffset || e.compressedSize > cdOffset - e.localHeaderOffset)
            fail(ErrorKind::Malformed, "ZIP entry '" + std::string(e.name) + "' lies outside the file data");
        if (e.method == 0 && e.compressedSize != e.uncompressedSize)
            fail(ErrorKind::Malformed, "stored ZIP entry '" + std::string(e.name) + "' has different packed and unpacked sizes");
        m_byHash.emplace_back(std::hash<std::string_view>{}(e.name), static_cast<std::uint32_t>(m_entries.size()));
        m_entries.push_back(e);
    }
    sortHashIndex(m_byHash);
    for (std::size_t a = 0; a < m_byHash.size();) {
        std::size_t b = a + 1;
        while (b < m_byHash.size() && m_byHash[b].first == m_byHash[a].first)
            ++b;
        for (std::size_t i = a; i < b; ++i)
            for (std::size_t j = i + 1; j < b; ++j)
                if (m_entries[m_byHash[i].second].name == m_entries[m_byHash[j].second].name)
                    fail(ErrorKind::Malformed, "duplicate ZIP entry '" + std::string(m_entries[m_byHash[j].second].name) + "'");
        a = b;
    }
}

void ZipArchive::readLocalHeaders()
{
    // In file order, so that neighbouring headers share a window.
    std::vector<std::uint32_t> order(m_entries.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<std::uint32_t>(i);
    const auto byOffset = [this](std::uint32_t a, std::uint32_t b) { return m_entries[a].localHeaderOffset < m_entries[b].localHeaderOffset; };
    if (!std::is_sorted(order.begin(), order.end(), byOffset)) // the usual case: the directory lists them so
        std::sort(order.begin(), order.end(), byOffset);
    m_dataStarts.resize(m_entries.size());
    std::vector<std::byte> window;
    std::uint64_t windowStart = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const ZipEntry &e = m_entries[order[k]];
        DataStart &start = m_dataStarts[order[k]];
        const std::uint64_t at = e.localHeaderOffset;
        if (at > m_bytes.size() || m_bytes.size() - at < kLocalHeaderSize) {
            start.state = LocalHeader::Truncated;
            continue;
        }
        if (at < windowStart || at + kLocalHeaderSize > windowStart + window.size()) {
            // A new window from this header to the last following header that fits in kHeaderWindow.
            std::uint64_t end = at + kLocalHeaderSize;
            for (std::size_t j = k + 1; j < order.size(); ++j) {
                const std::uint64_t next = m_entries[order[j]].localHeaderOffset;
                if (next > m_bytes.size() - kLocalHeaderSize || next + kLocalHeaderSize - at > kHeaderWindow)
                    break;
                end = next + kLocalHeaderSize;
            }
            windowStart = at;
            window.resize(static_cast<std::size_t>(end - at));
            copyOut(at, window);
        }
        const std::byte *header = window.data() + (at - windowStart);
        if (loadLE<std::uint32_t>(header) != kLocalSig) {
            start.state = LocalHeader::BadSignature;
            continue;
        }
        const std::uint16_t nameLen = loadLE<std::uint16_t>(header + 26);
        const std::uint16_t extraLen = loadLE<std::uint16_t>(header + 28);
        start.offset = at + kLocalHeaderSize + nameLen + extraLen;
        if (start.offset > m_bytes.size() || e.compressedSize > m_bytes.size() - start.offset)
            start.state = LocalHeader::DataOutside;
    }
}

std::uint64_t ZipArchive::dataOffset(const ZipEntry &e) const
{
    const DataStart &start = m_dataStarts[static_cast<std::size_t>(&e - m_entries.data())];
    switch (start.state) {
    case LocalHeader::Ok: return start.offset;
    case LocalHeader::Truncated:
        fail(ErrorKind::Truncated,
            "ZIP local header of entry '" + std::string(e.name) + "' at offset " + std::to_string(e.localHeaderOffset) + " ends early: the file has "
                + std::to_string(m_bytes.size()) + " bytes");
    case LocalHeader::BadSignature: fail(ErrorKind::Malformed, "bad local header signature for ZIP entry '" + std::string(e.name) + "'");
    case LocalHeader::DataOutside: break;
    }
    fail(ErrorKind::Malformed, "data of ZIP entry '" + std::string(e.name) + "' lies outside the file");
}

std::span<const std::byte> ZipArchive::storedData(const ZipEntry &e) const
{
    if (e.method != 0)
        fail(ErrorKind::Unsupported,
            "ZIP entry '" + std::string(e.name) + "' is compressed (method " + std::to_string(e.method) + "); tensor records must be stored");
    return m_bytes.subspan(static_cast<std::size_t>(dataOffset(e)), static_cast<std::size_t>(e.compressedSize));
}

void ZipArchive::copyStored(const ZipEntry &e, std::span<std::byte> out) const
{
    if (e.method != 0 || out.size() != e.compressedSize) // stored: compressedSize == uncompressedSize (checked)
        fail(ErrorKind::Malformed, "ZIP entry '" + std::string(e.name) + "' is not stored, or copied into a place of the wrong size");
    copyOut(dataOffset(e), out);
}

std::vector<std::byte> ZipArchive::read(const ZipEntry &e, std::uint64_t maxSize) const
{
    if (e.uncompressedSize > maxSize)
        fail(ErrorKind::LimitExceeded,
            "ZIP entry '" + std::string(e.name) + "' is " + std::to_string(e.uncompressedSize) + " bytes, above the limit of " + std::to_string(maxSize));
    if (e.method == 0) {
        std::vector<std::byte> out(static_cast<std::size_t>(e.uncompressedSize));
        copyStored(e, out);
        return out;
    }
    requireDeflate(e);
    // Grow the output as data actually inflates: the declared size is only an upper bound until the end.
    std::vector<std::byte> out;
    const auto sink = [&out](std::span<const std::byte> chunk) { out.insert(out.end(), chunk.begin(), chunk.end()); };
    std::vector<std::byte> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(e.uncompressedSize + 1, 1u << 20)));
    const auto window = [&](std::uint64_t) { return std::span<std::byte>(buffer); };
    // Deflate never grows data by more than a few bytes per 16 KiB block: a record whose packed size passes
    // that bound (a hostile one) is inflated from the mapping rather than copied whole first.
    if (e.compressedSize <= e.uncompressedSize + e.uncompressedSize / 64 + 1024) {
        std::vector<std::byte> packed(static_cast<std::size_t>(e.compressedSize));
        copyOut(dataOffset(e), packed);
        inflateEntry(e, packed, window, sink);
    } else {
        inflateEntry(e, m_bytes.subspan(static_cast<std::size_t>(dataOffset(e)), static_cast<std::size_t>(e.compressedSize)), window, sink);
    }
    return out;
}

void ZipArchive::inflate(const ZipEntry &e, const std::function<void(std::span<const std::byte>)> &sink) const
{
    requireDeflate(e);
    std::vector<std::byte> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(e.uncompressedSize + 1, 1u << 20)));
    inflateEntry(
        e, packedData(e), [&](std::uint64_t) { return std::span<std::byte>(buffer); }, sink);
}

void ZipArchive::inflateInto(const ZipEntry &e, std::span<std::byte> out) const
{
    if (out.size() != e.uncompressedSize)
        fail(ErrorKind::Malformed, "ZIP entry '" + std::string(e.name) + "' is inflated into a place of the wrong size");
    requireDeflate(e);
    std::byte beyond[1]; // where bytes past the declared size would land: enough to tell the entry lies
    inflateEntry(
        e, packedData(e),
        [&](std::uint64_t produced) { return produced < out.size() ? out.subspan(static_cast<std::size_t>(produced)) : std::span<std::byte>(beyond); },
        [](std::span<const std::byte>) {});
}

std::span<const std::byte> ZipArchive::packedData(const ZipEntry &e) const
{
    return m_bytes.subspan(static_cast<std::size_t>(dataOffset(e)), static_cast<std::size_t>(e.compressedSize));
}

void ZipArchive::inflateEntry(const ZipEntry &e, std::span<const std::byte> packed, const std::function<std::span<std::byte>(std::uint64_t)> &window,
    const std::function<void(std::span<const std::byte>)> &sink) const
{
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        fail(ErrorKind::Io, "zlib initialisation failed");
    std::uint64_t produced = 0;
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
    std::size_t inLeft = packed.size();
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(packed.data()));
    int rc = Z_OK;
    try {
        while (rc == Z_OK) {
            if (zs.avail_in == 0 && inLeft > 0) {
                zs.avail_in = static_cast<uInt>(std::min<std::size_t>(inLeft, 1u << 30));
                inLeft -= zs.avail_in;
            }
            const std::span<std::byte> out = window(produced);
            zs.next_out = reinterpret_cast<Bytef *>(out.data());
            zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), 1u << 30));
            const uInt offered = zs.avail_out;
            rc = ::inflate(&zs, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END)
                break;
            const std::size_t n = offered - zs.avail_out;
            if (n == 0 && rc == Z_OK && zs.avail_in == 0 && inLeft == 0)
                break; // the stream ends early: reported below
            produced += n;
            // One chunk beyond the declared size is enough to know the entry lies about it.
            if (produced > e.uncompressedSize)
                break;
            crc = static_cast<std::uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef *>(out.data()), n));
            sink({out.data(), n});
        }
    } catch (...) {
        inflateEnd(&zs);
        throw;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || produced != e.uncompressedSize)
        fail(ErrorKind::Malformed, "ZIP entry '" + std::string(e.name) + "' does not inflate to its declared size");
    if (crc != e.crc32)
        fail(ErrorKind::Malformed, "ZIP entry '" + std::string(e.name) + "' fails its CRC-32 check after inflating");
}

} // namespace ckpt

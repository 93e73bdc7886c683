// SPDX-License-Identifier: MIT
// Reads the central directory of a ZIP archive and hands out entries' bytes (stored: zero-copy, in place).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ckpt {

class MappedFile;

struct ZipEntry
{
    std::string_view name; // points into the archive's copy of its central directory
    std::uint64_t compressedSize = 0;
    std::uint64_t uncompressedSize = 0;
    std::uint64_t localHeaderOffset = 0;
    std::uint32_t crc32 = 0;
    std::uint16_t method = 0; // 0 stored, 8 deflate
    std::uint16_t flags = 0;
};

class ZipArchive
{
public:
    // Parses the end-of-central-directory record (zip64 too), all entries and their local headers; throws
    // ckpt::Error. When file maps bytes, that metadata is read with pread() and the mapping is touched only
    // where an entry's data is asked for (storedData, read, inflate).
    explicit ZipArchive(std::span<const std::byte> bytes, const MappedFile *file = nullptr);
    ZipArchive(const ZipArchive &) = delete; // entries' names point into m_directory
    ZipArchive &operator=(const ZipArchive &) = delete;

    const std::vector<ZipEntry> &entries() const { return m_entries; }
    // Lookup by name. Records are usually asked for in archive order, so the entry after the last
    // one found is tried first; otherwise a binary search over name hashes. Not thread-safe.
    const ZipEntry *find(std::string_view name) const;

    // Offset of the entry's data in the archive (from its local header, checked when the archive was read).
    std::uint64_t dataOffset(const ZipEntry &e) const;
    // The bytes of a stored entry, in place. Unsupported for compressed entries.
    std::span<const std::byte> storedData(const ZipEntry &e) const;
    // Copies a stored entry's bytes into out, which has its size (pread when a file maps the archive).
    void copyStored(const ZipEntry &e, std::span<std::byte> out) const;
    // The bytes of any entry (stored or deflated), copied; Limit error above maxSize.
    std::vector<std::byte> read(const ZipEntry &e, std::uint64_t maxSize) const;
    // Inflates a deflated entry chunk by chunk into sink, so that large records never sit in memory whole.
    // Throws ckpt::Error when the data is corrupt, ends early, passes its declared size or fails its CRC.
    void inflate(const ZipEntry &e, const std::function<void(std::span<const std::byte>)> &sink) const;
    // Inflates a deflated entry straight into out, which must be uncompressedSize bytes; the same checks.
    void inflateInto(const ZipEntry &e, std::span<std::byte> out) const;

    static bool looksLikeZip(std::span<const std::byte> bytes);

private:
    // Where a local header says an entry's data starts, or why it cannot be used (thrown when asked for).
    enum class LocalHeader : std::uint8_t { Ok, Truncated, BadSignature, DataOutside };
    struct DataStart
    {
        std::uint64_t offset = 0;
        LocalHeader state = LocalHeader::Ok;
    };

    void parseCentralDirectory();
    void readLocalHeaders();
    // Copies len bytes at offset of the archive into out (pread when a file maps them).
    void copyOut(std::uint64_t offset, std::span<std::byte> out) const;
    // window(produced) says where the next inflated bytes go; sink sees each chunk once written there.
    void inflateEntry(const ZipEntry &e, std::span<const std::byte> packed, const std::function<std::span<std::byte>(std::uint64_t)> &window,
        const std::function<void(std::span<const std::byte>)> &sink) const;
    // The entry's packed bytes in place.
    std::span<const std::byte> packedData(const ZipEntry &e) const;

    std::span<const std::byte> m_bytes;
    const MappedFile *m_file = nullptr;
    std::unique_ptr<std::byte[]> m_directory; // the central directory, copied (not zero-filled first: megabytes)
    std::vector<ZipEntry> m_entries;
    std::vector<DataStart> m_dataStarts; // per entry
    std::vector<std::pair<std::uint64_t, std::uint32_t>> m_byHash; // (hash of name, entry index), sorted
    mutable std::size_t m_next = 0;
};

} // namespace ckpt

// SPDX-License-Identifier: MIT
// A read-only memory mapping of a whole file: readers look at tensor bytes in place and never copy a file.
// Metadata (headers, directories, pickles) is read with pread() instead: on kernels whose page cache holds
// large folios, touching one byte of a mapping makes up to 2 MB of it resident in the process, so a listing
// that touched each record's header through the mapping would map most of a large file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

class MappedFile
{
public:
    // Throws ckpt::Error (NotFound, NotAFile, PermissionDenied, Io) naming the path.
    static std::shared_ptr<const MappedFile> open(const std::string &path);
    // Maps an already open descriptor (e.g. an unlinked temporary file); takes ownership of fd.
    static std::shared_ptr<const MappedFile> adopt(int fd, const std::string &displayName);

    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::string &path() const { return m_path; }
    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    const std::byte *data() const { return m_data; }
    std::uint64_t size() const { return m_size; }

    // True when range lies inside this mapping (then copy() can read it without touching the mapping).
    bool contains(std::span<const std::byte> range) const;
    // Copies out.size() bytes from offset of the file into out with pread; the mapping is not touched.
    // Throws ckpt::Error (Truncated past the end of the file, Io when the read fails) naming the file.
    void copy(std::uint64_t offset, std::span<std::byte> out) const;
    // The open descriptor of the mapped file (-1 for none), for copies the kernel makes (copy_file_range).
    int descriptor() const { return m_fd; }

private:
    MappedFile() = default;
    void mapDescriptor(int fd);

    std::string m_path;
    int m_fd = -1; // kept open for copy()
    const std::byte *m_data = nullptr;
    std::size_t m_size = 0;
};

// Drops the whole pages of bytes (inside a mapping) from this process once it is done with them, so that
// streaming through large files keeps memory bounded; they stay in the page cache and map again when touched.
// Ranges under a megabyte are left alone: not worth a system call.
void releasePages(std::span<const std::byte> bytes);

// Copies range (bytes inside file's mapping, or any bytes in memory when file is null or does not hold them)
// into out, which has range.size() bytes: through pread when the file holds them, so that reading metadata
// never makes tensor pages resident.
void copyBytes(const MappedFile *file, std::span<const std::byte> range, std::byte *out);
// The same into a new buffer.
std::vector<std::byte> copyBytes(const MappedFile *file, std::span<const std::byte> range);

} // namespace ckpt

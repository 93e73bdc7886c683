// SPDX-License-Identifier: MIT
// A read-only memory mapping of a whole file: readers look at bytes in place and never copy a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

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

private:
    MappedFile() = default;
    void mapDescriptor(int fd);

    std::string m_path;
    const std::byte *m_data = nullptr;
    std::size_t m_size = 0;
};

// Drops the whole pages of bytes (inside a mapping) from this process once it is done with them, so that
// streaming through large files keeps memory bounded; they stay in the page cache and map again when touched.
// Ranges under a megabyte are left alone: not worth a system call.
void releasePages(std::span<const std::byte> bytes);

} // namespace ckpt

// SPDX-License-Identifier: MIT
#include "mappedfile.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ckpt {

namespace {
ErrorKind kindForErrno(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR: return ErrorKind::NotFound;
    case EACCES:
    case EPERM: return ErrorKind::PermissionDenied;
    case EISDIR: return ErrorKind::NotAFile;
    default: return ErrorKind::Io;
    }
}

std::string describe(int err, const char *what)
{
    return std::string(what) + ": " + std::strerror(err);
}
} // namespace

std::shared_ptr<const MappedFile> MappedFile::open(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw Error(kindForErrno(err), describe(err, "cannot open"), path);
    }
    return adopt(fd, path);
}

std::shared_ptr<const MappedFile> MappedFile::adopt(int fd, const std::string &displayName)
{
    std::shared_ptr<MappedFile> file(new MappedFile);
    file->m_path = displayName;
    try {
        file->mapDescriptor(fd);
    } catch (const Error &e) {
        ::close(fd);
        throw e.withFile(displayName);
    }
    file->m_fd = fd;
    return file;
}

void MappedFile::mapDescriptor(int fd)
{
    struct stat st
    { };
    if (::fstat(fd, &st) != 0)
        fail(kindForErrno(errno), describe(errno, "cannot stat"));
    if (S_ISDIR(st.st_mode))
        fail(ErrorKind::NotAFile, "is a directory, not a checkpoint file");
    if (!S_ISREG(st.st_mode))
        fail(ErrorKind::NotAFile, "is not a regular file");
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size == 0)
        return; // mmap of zero bytes fails; an empty span is the right answer
    void *p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        fail(ErrorKind::Io, describe(errno, "cannot map file into memory"));
    m_data = static_cast<const std::byte *>(p);
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<std::byte *>(m_data), m_size);
    if (m_fd >= 0)
        ::close(m_fd);
}

bool MappedFile::contains(std::span<const std::byte> range) const
{
    // Compared as addresses: a span from another buffer is never inside [m_data, m_data + m_size).
    const auto begin = reinterpret_cast<std::uintptr_t>(m_data);
    const auto at = reinterpret_cast<std::uintptr_t>(range.data());
    return m_data && at >= begin && at - begin <= m_size && range.size() <= m_size - (at - begin);
}

void MappedFile::copy(std::uint64_t offset, std::span<std::byte> out) const
{
    if (offset > m_size || out.size() > m_size - offset)
        throw Error(ErrorKind::Truncated,
            "read of " + std::to_string(out.size()) + " bytes at offset " + std::to_string(offset) + " is past the end of the file (" + std::to_string(m_size)
                + " bytes)",
            m_path);
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) // 0: the file shrank after it was opened
            throw Error(ErrorKind::Io, n < 0 ? describe(errno, "cannot read") : std::string("cannot read: the file became shorter while open"), m_path);
        done += static_cast<std::size_t>(n);
    }
}

void releasePages(std::span<const std::byte> bytes)
{
    if (bytes.size() < (1u << 20))
        return;
    // Only whole pages inside the span: rounded by offsets from its start, not by casting integers back to pointers.
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    auto *data = const_cast<std::byte *>(bytes.data());
    const std::size_t misalign = reinterpret_cast<std::uintptr_t>(data) & (page - 1);
    const std::size_t head = misalign ? page - misalign : 0;
    const std::size_t tail = (misalign + bytes.size()) & (page - 1);
    if (bytes.size() > head + tail)
        ::madvise(data + head, bytes.size() - head - tail, MADV_DONTNEED);
}

void copyBytes(const MappedFile *file, std::span<const std::byte> range, std::byte *out)
{
    if (range.empty())
        return;
    if (file && file->contains(range))
        file->copy(static_cast<std::uint64_t>(range.data() - file->data()), {out, range.size()});
    else
        std::memcpy(out, range.data(), range.size());
}

std::vector<std::byte> copyBytes(const MappedFile *file, std::span<const std::byte> range)
{
    std::vector<std::byte> out(range.size());
    copyBytes(file, range, out.data());
    return out;
}

} // namespace ckpt

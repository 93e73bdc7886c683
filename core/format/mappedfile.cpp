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
    ::close(fd); // the mapping keeps the file alive
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

} // namespace ckpt

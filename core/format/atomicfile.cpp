// SPDX-License-Identifier: MIT
#include "atomicfile.h"

#include "error.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace ckpt {

namespace {
constexpr std::size_t kBufferSize = 4u << 20;

std::string folderOf(const std::string &path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

[[noreturn]] void failWrite(int err, const std::string &what)
{
    switch (err) {
    case ENOSPC: fail(ErrorKind::Io, what + ": the disk is full");
    case EDQUOT: fail(ErrorKind::Io, what + ": the disk quota is exhausted");
    case EFBIG: fail(ErrorKind::Io, what + ": the file size limit was reached");
    case EACCES:
    case EPERM: fail(ErrorKind::PermissionDenied, what + ": permission denied");
    case EROFS: fail(ErrorKind::PermissionDenied, what + ": the file system is read-only");
    case ENOENT: fail(ErrorKind::NotFound, what + ": the folder does not exist");
    default: fail(ErrorKind::Io, what + ": " + std::strerror(err));
    }
}

// Creates path (its last six characters replaced by random ones until the name is new) with the given
// mode, less the umask (and as a folder's default ACL says), as open(2) applies them to any new file.
int createUnique(std::string &path, mode_t mode)
{
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
        for (std::size_t i = path.size() - 6; i < path.size(); ++i)
            path[i] = kChars[random() % (sizeof kChars - 1)];
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}
} // namespace

AtomicFile::AtomicFile(std::string target)
    : m_target(std::move(target))
{
    try {
        struct stat st
        { };
        if (::stat(m_target.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            fail(ErrorKind::NotAFile, "is a folder; give a file name to write");
        const std::string folder = folderOf(m_target);
        const auto slash = m_target.rfind('/');
        const std::string base = slash == std::string::npos ? m_target : m_target.substr(slash + 1);
        m_temporary = folder + "/." + base + ".partial-XXXXXX";
        // Over an existing file the new content stays private (0600) until commit() gives it the old file's
        // mode and owner; a new file is created as any program creates one: 0666 less the umask.
        const bool replacing = ::stat(m_target.c_str(), &st) == 0 && S_ISREG(st.st_mode);
        m_fd = createUnique(m_temporary, replacing ? 0600 : 0666);
        if (m_fd < 0)
            failWrite(errno, "cannot create a file in " + folder);
    } catch (const Error &e) {
        throw e.withFile(m_target);
    }
    try {
        m_buffer.reserve(kBufferSize);
    } catch (...) { // out of memory: no destructor runs, so the temporary file goes here
        ::close(m_fd);
        ::unlink(m_temporary.c_str());
        throw;
    }
}

AtomicFile::~AtomicFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed && !m_temporary.empty())
        ::unlink(m_temporary.c_str());
}

void AtomicFile::flushBuffer()
{
    writeThrough(m_buffer);
    m_buffer.clear();
}

void AtomicFile::writeThrough(std::span<const std::byte> data, std::optional<std::uint64_t> at)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = at ? ::pwrite(m_fd, data.data() + done, data.size() - done, static_cast<off_t>(*at + done))
                             : ::write(m_fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            try {
                failWrite(err, "cannot write");
            } catch (const Error &e) {
                throw e.withFile(m_target);
            }
        }
        done += static_cast<std::size_t>(n);
    }
    if (!at) {
        m_flushed += data.size();
        startWriteback();
    }
}

// Starts the disk writing the bytes written so far, every 32 MiB, without waiting for it: the device works
// while the next records are copied, and the fsync at the end has little left to wait for (it used to be
// a third of a 1 GB save). Dirty pages are also bounded. The fsync stays what makes the file durable.
void AtomicFile::startWriteback()
{
    constexpr std::uint64_t kWritebackStep = 32u << 20;
    if (m_flushed - m_writebackFrom < kWritebackStep)
        return;
    ::sync_file_range(m_fd, static_cast<off_t>(m_writebackFrom), static_cast<off_t>(m_flushed - m_writebackFrom), SYNC_FILE_RANGE_WRITE);
    m_writebackFrom = m_flushed;
}

void AtomicFile::write(std::span<const std::byte> data)
{
    m_written += data.size();
    if (data.size() >= kBufferSize) { // tensor records: straight from where they are, not copied through the buffer
        flushBuffer();
        writeThrough(data);
        return;
    }
    while (!data.empty()) {
        const std::size_t room = kBufferSize - m_buffer.size();
        const std::size_t n = std::min(room, data.size());
        m_buffer.insert(m_buffer.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (m_buffer.size() == kBufferSize)
            flushBuffer();
    }
}

bool AtomicFile::copyFrom(int fd, std::uint64_t offset, std::uint64_t size)
{
    if (fd < 0)
        return false;
    flushBuffer();
    auto from = static_cast<off64_t>(offset);
    std::uint64_t done = 0;
    while (done < size) {
        const ssize_t n = ::copy_file_range(fd, &from, m_fd, nullptr, static_cast<std::size_t>(std::min<std::uint64_t>(size - done, 1ull << 30)), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            if (done == 0 && (err == EXDEV || err == ENOSYS || err == EOPNOTSUPP || err == EINVAL || err == EBADF || err == EPERM))
                return false; // the caller writes the bytes instead
            try {
                failWrite(err, "cannot write");
            } catch (const Error &e) {
                throw e.withFile(m_target);
            }
        }
        if (n == 0) // the source ended early (truncated under us)
            fail(ErrorKind::Io, "cannot copy: the source file ended early (" + m_target + ")");
        done += static_cast<std::uint64_t>(n);
    }
    m_written += size;
    m_flushed += size;
    startWriteback();
    return true;
}

void AtomicFile::writeAt(std::uint64_t offset, std::span<const std::byte> data)
{
    if (offset + data.size() > m_written)
        fail(ErrorKind::Io, "cannot rewrite bytes that were never written (" + m_target + ")");
    flushBuffer();
    writeThrough(data, offset);
}

void AtomicFile::finish()
{
    flushBuffer();
    if (::fsync(m_fd) != 0) {
        const int err = errno;
        try {
            failWrite(err, "cannot flush to disk");
        } catch (const Error &e) {
            throw e.withFile(m_target);
        }
    }
}

void AtomicFile::adoptTargetMetadata()
{
    struct stat target
    { };
    if (::stat(m_target.c_str(), &target) != 0 || !S_ISREG(target.st_mode))
        return; // a new file keeps the mode it was created with
    // The descriptor, unless a writer that reopened the temporary file by name (LibTorch) replaced it.
    int fd = m_fd;
    int reopened = -1;
    struct stat mine
    {
    }, named{};
    if (::fstat(m_fd, &mine) != 0 || ::lstat(m_temporary.c_str(), &named) != 0)
        return;
    if (mine.st_dev != named.st_dev || mine.st_ino != named.st_ino) {
        reopened = ::open(m_temporary.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (reopened < 0 || ::fstat(reopened, &mine) != 0) {
            if (reopened >= 0)
                ::close(reopened);
            return;
        }
        fd = reopened;
    }
    mode_t mode = target.st_mode & 07777;
    if (mine.st_uid != target.st_uid || mine.st_gid != target.st_gid) {
        // Root can give the file back to its owner; anyone else at least its group, if they are a member.
        const bool owner = ::fchown(fd, target.st_uid, target.st_gid) == 0;
        const bool group = owner || ::fchown(fd, static_cast<uid_t>(-1), target.st_gid) == 0;
        if (!owner && mine.st_uid != target.st_uid)
            mode &= ~static_cast<mode_t>(S_ISUID);
        if (!group && mine.st_gid != target.st_gid)
            mode &= ~static_cast<mode_t>(S_ISGID);
    }
    ::fchmod(fd, mode); // after fchown, which may clear set-user-ID bits
    if (reopened >= 0)
        ::close(reopened);
}

void AtomicFile::commit()
{
    adoptTargetMetadata();
    if (::rename(m_temporary.c_str(), m_target.c_str()) != 0) {
        const int err = errno;
        try {
            failWrite(err, "cannot replace the file");
        } catch (const Error &e) {
            throw e.withFile(m_target);
        }
    }
    m_committed = true;
    ::close(m_fd);
    m_fd = -1;
    const int dir = ::open(folderOf(m_target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) { // make the rename itself durable
        ::fsync(dir);
        ::close(dir);
    }
}

void writeFileAtomically(const std::string &path, std::string_view content)
{
    AtomicFile f(path);
    f.write(content);
    f.finish();
    f.commit();
}

void checkNotAnInput(const std::string &target, const std::vector<std::string> &inputs, bool force)
{
    struct stat t
    { };
    if (::stat(target.c_str(), &t) != 0)
        return; // nothing there yet
    for (const auto &input : inputs) {
        struct stat s
        { };
        if (::stat(input.c_str(), &s) == 0 && s.st_dev == t.st_dev && s.st_ino == t.st_ino && !force)
            throw Error(ErrorKind::PermissionDenied,
                "is the checkpoint being read" + (input == target ? std::string() : " (" + input + ")")
                    + "; refusing to overwrite it (use --force to replace it)",
                target);
    }
}

} // namespace ckpt

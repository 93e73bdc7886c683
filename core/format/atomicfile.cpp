#include "atomicfile.h"

#include "error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
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
} // namespace

AtomicFile::AtomicFile(std::string target)
    : m_target(std::move(target))
{
    try {
        struct stat st {};
        if (::stat(m_target.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            fail(ErrorKind::NotAFile, "is a folder; give a file name to write");
        const std::string folder = folderOf(m_target);
        const auto slash = m_target.rfind('/');
        const std::string base = slash == std::string::npos ? m_target : m_target.substr(slash + 1);
        m_temporary = folder + "/." + base + ".partial-XXXXXX";
        m_fd = ::mkostemp(m_temporary.data(), O_CLOEXEC);
        if (m_fd < 0)
            failWrite(errno, "cannot create a file in " + folder);
        ::fchmod(m_fd, 0644);
        m_buffer.reserve(kBufferSize);
    } catch (const Error &e) {
        throw e.withFile(m_target);
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
    std::size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
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
    m_buffer.clear();
}

void AtomicFile::write(std::span<const std::byte> data)
{
    m_written += data.size();
    while (!data.empty()) {
        const std::size_t room = kBufferSize - m_buffer.size();
        const std::size_t n = std::min(room, data.size());
        m_buffer.insert(m_buffer.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (m_buffer.size() == kBufferSize)
            flushBuffer();
    }
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

void AtomicFile::commit()
{
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
    struct stat t {};
    if (::stat(target.c_str(), &t) != 0)
        return; // nothing there yet
    for (const auto &input : inputs) {
        struct stat s {};
        if (::stat(input.c_str(), &s) == 0 && s.st_dev == t.st_dev && s.st_ino == t.st_ino && !force)
            throw Error(ErrorKind::PermissionDenied,
                        "is the checkpoint being read" + (input == target ? std::string() : " (" + input + ")")
                            + "; refusing to overwrite it (use --force to replace it)",
                        target);
    }
}

} // namespace ckpt

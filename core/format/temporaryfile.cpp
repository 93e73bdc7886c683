// SPDX-License-Identifier: MIT
#include "temporaryfile.h"

#include "error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace ckpt {

int makeTemporaryFile()
{
    const char *dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/checkpoint-studio-XXXXXX";
#ifdef O_TMPFILE
    const int fd = ::open(tmpl.substr(0, tmpl.rfind('/')).c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    const int fd2 = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd2 < 0)
        fail(ErrorKind::Io, std::string("cannot create a temporary file to unpack into: ") + std::strerror(errno));
    ::unlink(tmpl.c_str());
    return fd2;
}

void writeAllToTemporary(int fd, const void *data, std::size_t n)
{
    const auto *p = static_cast<const unsigned char *>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            fail(ErrorKind::Io, std::string("cannot write unpacked data to a temporary file: ") + std::strerror(errno));
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

} // namespace ckpt

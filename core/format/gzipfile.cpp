// SPDX-License-Identifier: MIT
#include "gzipfile.h"

#include "error.h"
#include "temporaryfile.h"

#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>

namespace ckpt {

bool looksLikeGzip(std::span<const std::byte> bytes)
{
    return bytes.size() >= 3 && bytes[0] == std::byte{0x1f} && bytes[1] == std::byte{0x8b} && bytes[2] == std::byte{8};
}

std::shared_ptr<const MappedFile> inflateGzipToTemporary(const MappedFile &source, std::uint64_t maxOutput, const Progress *progress)
{
    const int fd = makeTemporaryFile();
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        ::close(fd);
        fail(ErrorKind::Io, "zlib initialisation failed");
    }
    // Not zero-filled: zlib writes it before anything reads it, and zeroing 1 MiB is most of the work for a
    // small file.
    constexpr std::size_t kBuffer = 1 << 20;
    const auto buffer = std::make_unique_for_overwrite<unsigned char[]>(kBuffer);
    std::uint64_t total = 0;
    auto in = source.bytes();
    try {
        zs.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(in.data()));
        std::size_t inLeft = in.size();
        int rc = Z_OK;
        while (rc != Z_STREAM_END) {
            if (zs.avail_in == 0) {
                if (inLeft == 0)
                    fail(ErrorKind::Truncated, "gzip stream ends early");
                zs.avail_in = static_cast<uInt>(std::min<std::size_t>(inLeft, 1u << 30));
                inLeft -= zs.avail_in;
            }
            zs.next_out = buffer.get();
            zs.avail_out = static_cast<uInt>(kBuffer);
            rc = inflate(&zs, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END)
                fail(ErrorKind::Malformed, std::string("gzip data is corrupt") + (zs.msg ? std::string(": ") + zs.msg : ""));
            const std::size_t produced = kBuffer - zs.avail_out;
            total += produced;
            if (total > maxOutput)
                fail(ErrorKind::LimitExceeded, "gzip data unpacks to more than " + std::to_string(maxOutput) + " bytes (a decompression bomb?)");
            writeAllToTemporary(fd, buffer.get(), produced);
            if (progress)
                progress->update(0.5 * static_cast<double>(in.size() - inLeft - zs.avail_in) / static_cast<double>(in.size()));
        }
    } catch (...) {
        inflateEnd(&zs);
        ::close(fd);
        throw;
    }
    inflateEnd(&zs);
    return MappedFile::adopt(fd, source.path());
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Tar archives: the member list (ustar, GNU long names, PAX headers, base-256 sizes), the legacy torch.save
// tar (sys_info, pickle, tensors, storages members), and a .tar or .tar.gz holding a checkpoint as a member,
// which readSource picks and reads in turn (nested at most three levels).
#include "format/gzipfile.h"
#include "format/tararchive.h"
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    try {
        const ckpt::TarArchive tar(bytes);
        for (const auto &m : tar.members())
            if (!tar.find(m.name))
                std::abort(); // every member listed must be found by its name
    } catch (const ckpt::Error &) { }
    return runReader(data, size, [](const ckpt::detail::Source &src, ckpt::RawCheckpoint &out, const ckpt::ReadLimits &limits) {
        // As the application opens them, so that the gzip layer and the choice of member are fuzzed too. An
        // input whose first header fails tar detection still goes through the legacy tar reader, which
        // parses every header and reports what is wrong with it.
        if (ckpt::looksLikeGzip(src.bytes) || ckpt::TarArchive::looksLikeTar(src.bytes))
            ckpt::detail::readSource(src, out, limits, 0);
        else
            ckpt::detail::readLegacyTar(src, out, limits);
    });
}

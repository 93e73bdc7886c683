// SPDX-License-Identifier: MIT
// The zip directory reader (end of central directory, zip64, entries) and the torch.save zip reader on top.
#include "fuzzsupport.h"
#include "format/ziparchive.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    try {
        const ckpt::ZipArchive zip(std::span<const std::byte>(reinterpret_cast<const std::byte *>(data), size));
        for (const auto &e : zip.entries()) {
            (void)zip.storedData(e);
            (void)zip.find(e.name);
        }
    } catch (const ckpt::Error &) { }
    return runReader(data, size, ckpt::detail::readTorchZip);
}

// SPDX-License-Identifier: MIT
// Freeze-list importers: frozen_layers.json objects and lists, and text lists.
#include "format/error.h"
#include "freezelist.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    try {
        (void)ckpt::parseFreezeList(std::string_view(reinterpret_cast<const char *>(data), size));
    } catch (const ckpt::Error &) { }
    return 0;
}

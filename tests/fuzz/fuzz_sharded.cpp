// SPDX-License-Identifier: MIT
// A sharded checkpoint's *.index.json (weight_map, shard names confined to the folder).
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return runReader(data, size,
        [](const ckpt::detail::Source &src, ckpt::RawCheckpoint &out, const ckpt::ReadLimits &limits) { ckpt::detail::readSharded(src, out, limits, 0); });
}

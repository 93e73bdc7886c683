// SPDX-License-Identifier: MIT
// Any file as the application sees it: content detection, then whichever reader it picks (zip, legacy,
// tar, safetensors, sharded index), the checkpoint model and the safety report.
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return runReader(data, size,
        [](const ckpt::detail::Source &src, ckpt::RawCheckpoint &out, const ckpt::ReadLimits &limits) { ckpt::detail::readSource(src, out, limits, 0); });
}

// SPDX-License-Identifier: MIT
// The safetensors header (JSON, offsets, dtypes, shapes) and tensors built from it.
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return runReader(data, size, ckpt::detail::readSafetensors);
}

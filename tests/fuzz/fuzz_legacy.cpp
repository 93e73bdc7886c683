// SPDX-License-Identifier: MIT
// The legacy (pre-1.6) torch.save format: magic, protocol, sys_info, the object, storage keys and data.
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return runReader(data, size, ckpt::detail::readLegacyPickle);
}

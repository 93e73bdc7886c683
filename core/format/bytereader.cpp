// SPDX-License-Identifier: MIT
#include "bytereader.h"

#include <limits>

namespace ckpt {

std::uint64_t checkedAdd(std::uint64_t a, std::uint64_t b, const char *what)
{
    if (a > std::numeric_limits<std::uint64_t>::max() - b)
        fail(ErrorKind::Malformed, std::string(what) + " overflows 64 bits");
    return a + b;
}

std::uint64_t checkedMul(std::uint64_t a, std::uint64_t b, const char *what)
{
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        fail(ErrorKind::Malformed, std::string(what) + " overflows 64 bits");
    return a * b;
}

} // namespace ckpt

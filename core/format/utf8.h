// SPDX-License-Identifier: MIT
// UTF-8 encoding and validation shared by the JSON reader, the pickle VM and the JSON writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ckpt::utf8 {

void append(std::string &out, std::uint32_t codePoint);
// Length of the well-formed sequence at s[0] (1 for ASCII), or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t sequenceLength(std::string_view s);
bool isValid(std::string_view s);

} // namespace ckpt::utf8

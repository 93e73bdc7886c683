// SPDX-License-Identifier: MIT
// The bound on a tensor name from a file: no segment of it (a dict key, or the text between two '.' or '/')
// may be longer than 64 KiB. Whole names can be longer (deep nesting, many segments); the code after the
// readers (patterns, tree building, output) is linear in them.
#pragma once

#include "error.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace ckpt {

inline constexpr std::size_t kMaxNameSegment = 64u << 10;

// Throws ckpt::Error(LimitExceeded) when a segment of name is longer than kMaxNameSegment bytes; what says
// which name it is ("safetensors tensor", "weight_map entry", "tensor").
inline void checkNameSegments(std::string_view name, std::string_view what)
{
    std::size_t run = 0;
    for (const char c : name) {
        run = (c == '.' || c == '/') ? 0 : run + 1;
        if (run > kMaxNameSegment) {
            std::size_t cut = 40;
            while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80)
                --cut; // not inside a UTF-8 character
            fail(ErrorKind::LimitExceeded,
                std::string(what) + " name '" + std::string(name.substr(0, cut)) + "...' (" + std::to_string(name.size())
                    + " bytes) has a segment longer than 64 KiB");
        }
    }
}

} // namespace ckpt

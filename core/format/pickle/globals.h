// SPDX-License-Identifier: MIT
// The allowlist: which module.name globals the reader understands, and what they mean.
#pragma once

#include "value.h"

#include <string_view>
#include <utility>

namespace ckpt::pickle {

struct GlobalMeaning
{
    KnownGlobal known = KnownGlobal::Unknown;
    DType storageDtype = DType::UInt8;
};

// Python 2 module names as Python 3's unpickler maps them (fix_imports): __builtin__ -> builtins ...
std::string_view canonicalModule(std::string_view module);

GlobalMeaning lookupGlobal(std::string_view module, std::string_view name);

} // namespace ckpt::pickle

// `ckpt inspect` output: the human table with its summary, and the machine-readable JSON.
#pragma once

#include "checkpoint.h"

#include <string>

namespace ckpt {

std::string inspectText(const Checkpoint &c);
std::string inspectJson(const Checkpoint &c);

// 1234567 -> "1,234,567"
std::string groupThousands(std::uint64_t n);
// 1536 -> "1.5 KiB"
std::string humanBytes(std::uint64_t n);
// [64, 3, 7, 7]
std::string shapeText(std::span<const std::int64_t> shape);

} // namespace ckpt

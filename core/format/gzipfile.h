// SPDX-License-Identifier: MIT
// Inflates a gzip file into an unlinked temporary file and maps it, so large archives never sit in RAM.
#pragma once

#include "mappedfile.h"
#include "progress.h"

#include <cstdint>
#include <memory>

namespace ckpt {

bool looksLikeGzip(std::span<const std::byte> bytes);

// Throws ckpt::Error: Malformed on bad data, LimitExceeded when the output would pass maxOutput bytes.
std::shared_ptr<const MappedFile> inflateGzipToTemporary(const MappedFile &source, std::uint64_t maxOutput, const Progress *progress = nullptr);

} // namespace ckpt

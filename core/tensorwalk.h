// SPDX-License-Identifier: MIT
// Walks a checkpoint's value tree in torch.load order, naming tensors and collecting the other entries.
#pragma once

#include "checkpoint.h"

namespace ckpt {

struct WalkLimits
{
    std::size_t maxDepth = 512;
    // Shared sub-objects can make a small pickle expand enormously (a DAG bomb): the walk may visit
    // at most min(maxVisits, baseVisits + visitsPerObject * objects in the file) paths.
    std::size_t maxVisits = 50'000'000;
    std::size_t baseVisits = 1'000'000;
    std::size_t visitsPerObject = 4;
    // Names and entry values are copies; a long string shared many times must not multiply memory.
    std::size_t maxOutputBytes = 256u << 20;
    std::size_t maxPathBytes = 16u << 20;
    std::size_t maxEntryValue = 1024; // longer scalar strings are shown cut (and no longer exact)
    const Progress *progress = nullptr; // polled for cancellation
};

void walkCheckpoint(
    const RawCheckpoint &raw, const ModelState &modelState, std::vector<TensorInfo> &tensors, std::vector<Entry> &entries, const WalkLimits &limits = {});

} // namespace ckpt

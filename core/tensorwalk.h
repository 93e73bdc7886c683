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
};

void walkCheckpoint(const RawCheckpoint &raw, const ModelState &modelState, std::vector<TensorInfo> &tensors,
                    std::vector<Entry> &entries, const WalkLimits &limits = {});

} // namespace ckpt

// Walks a checkpoint's value tree in torch.load order, naming tensors and collecting the other entries.
#pragma once

#include "checkpoint.h"

namespace ckpt {

struct WalkLimits
{
    std::size_t maxDepth = 512;
    std::size_t maxVisits = 20'000'000; // shared sub-objects can make a small pickle expand enormously
};

void walkCheckpoint(const RawCheckpoint &raw, const ModelState &modelState, std::vector<TensorInfo> &tensors,
                    std::vector<Entry> &entries, const WalkLimits &limits = {});

} // namespace ckpt

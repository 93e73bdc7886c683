// SPDX-License-Identifier: MIT
// `ckpt inspect` output: the human table with its summary, and the machine-readable JSON.
#pragma once

#include "checkpoint.h"
#include "tensormath.h"

#include <string>
#include <vector>

namespace ckpt {

class FreezeState;

struct InspectOptions
{
    const std::vector<TensorStatistics> *stats = nullptr; // one per tensor: adds the statistics columns
    const FreezeState *freeze = nullptr; // decides "trainable"; else the flags the file stores
    std::string freezeNote; // how the freeze state came about, shown in the summary
};

std::string inspectText(const Checkpoint &c, const InspectOptions &options = {});
std::string inspectJson(const Checkpoint &c, const InspectOptions &options = {});

// Statistics of every tensor of c, in order. progress (optional) gets the fraction of tensor bytes done
// and can cancel (ckpt::Error Cancelled).
std::vector<TensorStatistics> computeStatistics(const Checkpoint &c, const Progress *progress = nullptr);

// 1234567 -> "1,234,567"
std::string groupThousands(std::uint64_t n);
// 1536 -> "1.5 KiB"
std::string humanBytes(std::uint64_t n);
// [64, 3, 7, 7]
std::string shapeText(std::span<const std::int64_t> shape);

} // namespace ckpt

// SPDX-License-Identifier: MIT
// `ckpt inspect` output: the human table with its summary, and the machine-readable JSON.
#pragma once

#include "checkpoint.h"
#include "tensormath.h"

#include <functional>
#include <string>
#include <string_view>
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

// The same text handed to sink in blocks of about a megabyte, in order: 100,000 tensors make 27 MB of JSON,
// which then never sits in memory whole and reaches stdout while the rest is written.
using TextSink = std::function<void(std::string_view)>;
void inspectText(const Checkpoint &c, const InspectOptions &options, const TextSink &sink);
void inspectJson(const Checkpoint &c, const InspectOptions &options, const TextSink &sink);

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

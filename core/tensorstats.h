// SPDX-License-Identifier: MIT
// Statistics, histograms and first values of tensors, read in one pass over the bytes in cache-sized blocks,
// in parallel over blocks and tensors, with pages released behind the scan and no LibTorch: the dtypes the
// block kernels do not read (complex, float8) go to the LibTorch plugin.
#pragma once

#include "elementsource.h"
#include "format/progress.h"
#include "tensormath.h"

#include <cstddef>
#include <span>
#include <vector>

namespace ckpt {

TensorStatistics statisticsOf(const ElementSource &source);
// Every source's statistics, in order. progress (optional) gets the fraction of bytes done and can cancel
// (ckpt::Error Cancelled); it is called from worker threads, one at a time.
std::vector<TensorStatistics> statisticsOf(std::span<const ElementSource> sources, const Progress *progress = nullptr);

// Counts of finite values over [stats.min, stats.max] (stats of the same source); empty counts when there
// is nothing finite or the dtype is unsupported. A constant tensor fills the first bin, as torch.histc does.
Histogram histogramOf(const ElementSource &source, int bins, const TensorStatistics &stats);
// Finite values binned over [lo, hi] as torch.histc bins them (values outside are not counted).
Histogram histogramInRangeOf(const ElementSource &source, int bins, double lo, double hi);
// The first n elements in row-major order as doubles (complex: real parts; quantized: stored integers).
std::vector<double> firstValuesOf(const ElementSource &source, std::size_t n);

} // namespace ckpt

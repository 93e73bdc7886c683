// SPDX-License-Identifier: MIT
// Statistics, histogram and first values of one tensor, computed off the GUI thread by the block kernels
// (core/tensorstats.h).
#pragma once

#include "tensormath.h"

#include <QFuture>
#include <QString>

#include <memory>
#include <vector>

namespace ckpt {
class Checkpoint;
}

struct TensorSummary
{
    int tensor = -1;
    ckpt::TensorStatistics stats;
    ckpt::Histogram histogram;
    std::vector<double> firstValues;
    QString error; // the plugin could not be loaded, or the computation failed
};

QFuture<TensorSummary> summarizeTensor(std::shared_ptr<const ckpt::Checkpoint> checkpoint, int tensor, int bins = 50, std::size_t values = 64);

// SPDX-License-Identifier: MIT
// The running sums behind the diff's pair metrics, shared by the C++ kernel (tensorcompare.cpp) and the
// LibTorch plugin (complex and float8 tensors), so that both define the metrics the same way.
#pragma once

#include "tensormath.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ckpt {

struct PairSums
{
    double sumAbs = 0, sumSq = 0, sumA2 = 0, sumB2 = 0, sumAB = 0, maxAbs = 0;
    std::uint64_t changed = 0;
    bool sawNan = false;

    void add(double x, double y, double atol)
    {
        const double d = std::abs(x - y);
        if (std::isnan(d)) {
            sawNan = true;
        } else {
            maxAbs = std::max(maxAbs, d);
            changed += d > atol;
        }
        sumAbs += d;
        sumSq += d * d;
        sumA2 += x * x;
        sumB2 += y * y;
        sumAB += x * y;
    }

    void merge(const PairSums &o)
    {
        sumAbs += o.sumAbs;
        sumSq += o.sumSq;
        sumA2 += o.sumA2;
        sumB2 += o.sumB2;
        sumAB += o.sumAB;
        maxAbs = std::max(maxAbs, o.maxAbs);
        changed += o.changed;
        sawNan = sawNan || o.sawNan;
    }

    // The metrics over count elements. relL2: inf when only a is zero; cosine: 1 when both are zero.
    PairMetrics metrics(std::uint64_t count) const
    {
        PairMetrics m;
        m.count = count;
        m.changed = changed;
        m.maxAbs = sawNan ? std::numeric_limits<double>::quiet_NaN() : maxAbs;
        m.meanAbs = count ? sumAbs / static_cast<double>(count) : 0.0;
        const double normA = std::sqrt(sumA2), normB = std::sqrt(sumB2), normD = std::sqrt(sumSq);
        m.relL2 = normA > 0 ? normD / normA : (normD > 0 ? std::numeric_limits<double>::infinity() : 0.0);
        m.cosine = (normA > 0 && normB > 0) ? sumAB / (normA * normB) : (normA == 0 && normB == 0 ? 1.0 : 0.0);
        m.valid = true;
        return m;
    }
};

} // namespace ckpt

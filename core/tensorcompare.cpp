// SPDX-License-Identifier: MIT
#include "tensorcompare.h"

#include "elementreaders.h"
#include "pairsums.h"
#include "parallelwork.h"

#include "tensordata.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ckpt {

namespace {

using Sums = PairSums;

template<typename A, typename B>
Sums sumRange(const std::byte *a, const std::byte *b, std::size_t begin, std::size_t end, double atol, bool toFloat32)
{
    Sums s;
    for (std::size_t i = begin; i < end; ++i) {
        double x = A::get(a, i);
        double y = B::get(b, i);
        if (toFloat32) {
            x = static_cast<float>(x);
            y = static_cast<float>(y);
        }
        s.add(x, y, atol);
    }
    return s;
}

using RangeFn = Sums (*)(const std::byte *, const std::byte *, std::size_t, std::size_t, double, bool);

RangeFn kernelFor(DType a, DType b)
{
    RangeFn fn = nullptr;
    elements::dispatch(a, [&](auto ra) { elements::dispatch(b, [&](auto rb) { fn = &sumRange<decltype(ra), decltype(rb)>; }); });
    return fn;
}

} // namespace

std::optional<PairMetrics> compareTensors(const pickle::TensorValue &a, const pickle::TensorValue &b, double atol, bool castToFloat32)
{
    const RangeFn fn = kernelFor(a.dtype, b.dtype);
    if (!fn)
        return std::nullopt;
    PairMetrics m;
    const std::size_t n = static_cast<std::size_t>(a.numel());
    if (n != b.numel()) {
        m.unsupportedReason = "different element counts";
        return m;
    }
    m.count = n;
    // Contiguous tensors are read in place; other layouts are gathered first (views are small).
    std::vector<std::byte> gatheredA, gatheredB;
    const std::byte *pa = nullptr, *pb = nullptr;
    if (isContiguous(a)) {
        pa = contiguousSpan(a).data();
    } else {
        gatheredA = contiguousBytes(a);
        pa = gatheredA.data();
    }
    if (isContiguous(b)) {
        pb = contiguousSpan(b).data();
    } else {
        gatheredB = contiguousBytes(b);
        pb = gatheredB.data();
    }
    // Large tensors are split over the cores in ranges of 1M elements; small ones don't pay for threads.
    constexpr std::size_t kRange = std::size_t(1) << 20;
    const std::size_t ranges = (n + kRange - 1) / kRange;
    std::vector<Sums> partial(ranges);
    parallelFor(ranges, [&](std::size_t r) { partial[r] = fn(pa, pb, r * kRange, std::min(n, (r + 1) * kRange), atol, castToFloat32); });
    Sums total;
    for (const auto &p : partial)
        total.merge(p);
    return total.metrics(n);
}

} // namespace ckpt

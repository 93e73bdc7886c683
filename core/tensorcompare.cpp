// SPDX-License-Identifier: MIT
#include "tensorcompare.h"

#include "elementreaders.h"
#include "lanes.h"
#include "pairsums.h"
#include "parallelwork.h"

#include "tensordata.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
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

// Same-dtype pairs (nearly all of a diff) in four lanes; lane j takes elements i + j and the lanes merge in
// order, so results do not depend on the machine.
template<typename R, bool ToFloat32>
CKPT_KERNEL Sums sumSameBody(const std::byte *a, const std::byte *b, std::size_t begin, std::size_t end, double atol)
{
    using namespace lanes;
    const Vec zero{}, tolerance = zero + atol;
    Vec sumAbs = zero, sumSq = zero, sumA2 = zero, sumB2 = zero, sumAB = zero, maxAbs = zero;
    Mask changed{}, sawNan{};
    const std::size_t whole = begin + (end - begin) / kLanes * kLanes;
    for (std::size_t i = begin; i < whole; i += kLanes) {
        Vec x = load<R>(a, i), y = load<R>(b, i);
        if constexpr (ToFloat32) {
            x = roundToFloat32(x);
            y = roundToFloat32(y);
        }
        const Vec d = lanes::abs(x - y);
        sawNan |= d != d;
        maxAbs = select(d > maxAbs, d, maxAbs); // false for NaN: PairSums::add leaves it out too
        changed -= d > tolerance; // a true lane is -1
        sumAbs += d;
        sumSq += d * d;
        sumA2 += x * x;
        sumB2 += y * y;
        sumAB += x * y;
    }
    Sums total;
    for (std::size_t j = 0; j < kLanes; ++j) {
        Sums lane;
        lane.sumAbs = sumAbs[j];
        lane.sumSq = sumSq[j];
        lane.sumA2 = sumA2[j];
        lane.sumB2 = sumB2[j];
        lane.sumAB = sumAB[j];
        lane.maxAbs = maxAbs[j];
        lane.changed = static_cast<std::uint64_t>(changed[j]);
        lane.sawNan = sawNan[j] != 0;
        total.merge(lane);
    }
    total.merge(sumRange<R, R>(a, b, whole, end, atol, ToFloat32));
    return total;
}

template<typename R, bool ToFloat32>
[[gnu::target("avx2")]] Sums sumSameAvx2(const std::byte *a, const std::byte *b, std::size_t begin, std::size_t end, double atol)
{
    return sumSameBody<R, ToFloat32>(a, b, begin, end, atol);
}

template<typename R, bool ToFloat32>
Sums sumSameBaseline(const std::byte *a, const std::byte *b, std::size_t begin, std::size_t end, double atol)
{
    return sumSameBody<R, ToFloat32>(a, b, begin, end, atol);
}

template<typename R>
Sums sumSame(const std::byte *a, const std::byte *b, std::size_t begin, std::size_t end, double atol, bool toFloat32)
{
    if (lanes::hasAvx2())
        return toFloat32 ? sumSameAvx2<R, true>(a, b, begin, end, atol) : sumSameAvx2<R, false>(a, b, begin, end, atol);
    return toFloat32 ? sumSameBaseline<R, true>(a, b, begin, end, atol) : sumSameBaseline<R, false>(a, b, begin, end, atol);
}

using RangeFn = Sums (*)(const std::byte *, const std::byte *, std::size_t, std::size_t, double, bool);

RangeFn kernelFor(DType a, DType b)
{
    RangeFn fn = nullptr;
    elements::dispatch(a, [&](auto ra) {
        elements::dispatch(b, [&](auto rb) {
            if constexpr (std::is_same_v<decltype(ra), decltype(rb)>)
                fn = &sumSame<decltype(ra)>;
            else
                fn = &sumRange<decltype(ra), decltype(rb)>;
        });
    });
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

// SPDX-License-Identifier: MIT
#include "tensorcompare.h"

#include "pairsums.h"

#include "tensordata.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>
#include <thread>
#include <vector>

namespace ckpt {

namespace {

using Sums = PairSums;

// Element readers: raw little-endian bytes to double.
struct F64
{
    static double get(const std::byte *p, std::size_t i)
    {
        double v;
        std::memcpy(&v, p + 8 * i, 8);
        return v;
    }
};
struct F32
{
    static double get(const std::byte *p, std::size_t i)
    {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        return v;
    }
};
struct F16
{
    static double get(const std::byte *p, std::size_t i)
    {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        return halfToFloat(v);
    }
};
struct BF16
{
    static double get(const std::byte *p, std::size_t i)
    {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        return bfloat16ToFloat(v);
    }
};
template<typename T>
struct Int
{
    static double get(const std::byte *p, std::size_t i)
    {
        T v;
        std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
        return static_cast<double>(v);
    }
};

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

template<typename A>
RangeFn withB(DType b)
{
    switch (b) {
    case DType::Float64: return &sumRange<A, F64>;
    case DType::Float32: return &sumRange<A, F32>;
    case DType::Float16: return &sumRange<A, F16>;
    case DType::BFloat16: return &sumRange<A, BF16>;
    case DType::Int64: return &sumRange<A, Int<std::int64_t>>;
    case DType::Int32:
    case DType::QInt32: return &sumRange<A, Int<std::int32_t>>;
    case DType::Int16: return &sumRange<A, Int<std::int16_t>>;
    case DType::Int8:
    case DType::QInt8: return &sumRange<A, Int<std::int8_t>>;
    case DType::UInt8:
    case DType::QUInt8:
    case DType::Bool: return &sumRange<A, Int<std::uint8_t>>;
    case DType::UInt16: return &sumRange<A, Int<std::uint16_t>>;
    case DType::UInt32: return &sumRange<A, Int<std::uint32_t>>;
    case DType::UInt64: return &sumRange<A, Int<std::uint64_t>>;
    default: return nullptr;
    }
}

RangeFn kernelFor(DType a, DType b)
{
    switch (a) {
    case DType::Float64: return withB<F64>(b);
    case DType::Float32: return withB<F32>(b);
    case DType::Float16: return withB<F16>(b);
    case DType::BFloat16: return withB<BF16>(b);
    case DType::Int64: return withB<Int<std::int64_t>>(b);
    case DType::Int32:
    case DType::QInt32: return withB<Int<std::int32_t>>(b);
    case DType::Int16: return withB<Int<std::int16_t>>(b);
    case DType::Int8:
    case DType::QInt8: return withB<Int<std::int8_t>>(b);
    case DType::UInt8:
    case DType::QUInt8:
    case DType::Bool: return withB<Int<std::uint8_t>>(b);
    case DType::UInt16: return withB<Int<std::uint16_t>>(b);
    case DType::UInt32: return withB<Int<std::uint32_t>>(b);
    case DType::UInt64: return withB<Int<std::uint64_t>>(b);
    default: return nullptr;
    }
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
    Sums total;
    if (n > 0) {
        // Large tensors are split over the cores; small ones don't pay for threads.
        const std::size_t threads = n < (1u << 20) ? 1 : std::max(1u, std::thread::hardware_concurrency());
        std::vector<Sums> partial(threads);
        std::vector<std::thread> pool;
        const std::size_t step = (n + threads - 1) / threads;
        for (std::size_t t = 1; t < threads; ++t) {
            auto part = [&, t] { partial[t] = fn(pa, pb, t * step, std::min(n, (t + 1) * step), atol, castToFloat32); };
            try {
                pool.emplace_back(part);
            } catch (const std::system_error &) {
                part(); // no thread to spare (memory or thread limit): this one computes the part
            }
        }
        partial[0] = fn(pa, pb, 0, std::min(n, step), atol, castToFloat32);
        for (auto &th : pool)
            th.join();
        for (const auto &p : partial)
            total.merge(p);
    }
    return total.metrics(n);
}

} // namespace ckpt

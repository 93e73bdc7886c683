// SPDX-License-Identifier: MIT
// Element decoders from raw little-endian bytes to double, inline so that the block kernels of the diff
// (tensorcompare.cpp) and of the statistics (tensorstats.cpp) vectorise, and one dispatch over dtypes.
#pragma once

#include "format/dtype.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ckpt::elements {

struct F64
{
    static constexpr bool kFloating = true;
    static double get(const std::byte *p, std::size_t i)
    {
        double v;
        std::memcpy(&v, p + 8 * i, 8);
        return v;
    }
};

struct F32
{
    static constexpr bool kFloating = true;
    static double get(const std::byte *p, std::size_t i)
    {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        return v;
    }
};

// IEEE half: the same numbers as halfToFloat (format/dtype.cpp), without its loop, so it stays branch-light.
struct F16
{
    static constexpr bool kFloating = true;
    static double get(const std::byte *p, std::size_t i)
    {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
        const std::uint32_t rest = h & 0x7fffu;
        if (rest >= 0x7c00u) // inf / nan
            return std::bit_cast<float>(sign | 0x7f800000u | ((rest & 0x3ffu) << 13));
        if (rest >= 0x400u) // normal: rebias the exponent (15 -> 127)
            return std::bit_cast<float>(sign | ((rest + (112u << 10)) << 13));
        // zero and subnormals: exactly mantissa * 2^-24
        const double magnitude = static_cast<double>(rest) * (1.0 / 16777216.0);
        return sign ? -magnitude : magnitude;
    }
};

struct BF16
{
    static constexpr bool kFloating = true;
    static double get(const std::byte *p, std::size_t i)
    {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        return std::bit_cast<float>(static_cast<std::uint32_t>(v) << 16);
    }
};

template<typename T>
struct Int
{
    static constexpr bool kFloating = false;
    static double get(const std::byte *p, std::size_t i)
    {
        T v;
        std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
        return static_cast<double>(v);
    }
};

// Calls f(Reader{}) with the decoder of t and returns true; false (f not called) for dtypes these decoders do
// not read: complex, float8 and the sub-byte types. Quantized dtypes read as their stored integers.
template<typename F>
bool dispatch(DType t, F &&f)
{
    switch (t) {
    case DType::Float64: f(F64{}); return true;
    case DType::Float32: f(F32{}); return true;
    case DType::Float16: f(F16{}); return true;
    case DType::BFloat16: f(BF16{}); return true;
    case DType::Int64: f(Int<std::int64_t>{}); return true;
    case DType::Int32:
    case DType::QInt32: f(Int<std::int32_t>{}); return true;
    case DType::Int16: f(Int<std::int16_t>{}); return true;
    case DType::Int8:
    case DType::QInt8: f(Int<std::int8_t>{}); return true;
    case DType::UInt8:
    case DType::QUInt8:
    case DType::Bool: f(Int<std::uint8_t>{}); return true;
    case DType::UInt16: f(Int<std::uint16_t>{}); return true;
    case DType::UInt32: f(Int<std::uint32_t>{}); return true;
    case DType::UInt64: f(Int<std::uint64_t>{}); return true;
    default: return false;
    }
}

} // namespace ckpt::elements

// SPDX-License-Identifier: MIT
#include "dtype.h"

#include <bit>

#include <array>

namespace ckpt {

namespace {
struct DTypeInfo
{
    DType type;
    std::string_view name;
    std::size_t itemSize;
    std::string_view storageClass;
    std::string_view safetensors;
};

constexpr std::array kInfo{
    DTypeInfo{DType::Float64, "float64", 8, "DoubleStorage", "F64"},
    DTypeInfo{DType::Float32, "float32", 4, "FloatStorage", "F32"},
    DTypeInfo{DType::Float16, "float16", 2, "HalfStorage", "F16"},
    DTypeInfo{DType::BFloat16, "bfloat16", 2, "BFloat16Storage", "BF16"},
    DTypeInfo{DType::Int64, "int64", 8, "LongStorage", "I64"},
    DTypeInfo{DType::Int32, "int32", 4, "IntStorage", "I32"},
    DTypeInfo{DType::Int16, "int16", 2, "ShortStorage", "I16"},
    DTypeInfo{DType::Int8, "int8", 1, "CharStorage", "I8"},
    DTypeInfo{DType::UInt8, "uint8", 1, "ByteStorage", "U8"},
    DTypeInfo{DType::UInt16, "uint16", 2, "UInt16Storage", "U16"},
    DTypeInfo{DType::UInt32, "uint32", 4, "UInt32Storage", "U32"},
    DTypeInfo{DType::UInt64, "uint64", 8, "UInt64Storage", "U64"},
    DTypeInfo{DType::Bool, "bool", 1, "BoolStorage", "BOOL"},
    DTypeInfo{DType::Complex32, "complex32", 4, "ComplexHalfStorage", ""},
    DTypeInfo{DType::Complex64, "complex64", 8, "ComplexFloatStorage", "C64"},
    DTypeInfo{DType::Complex128, "complex128", 16, "ComplexDoubleStorage", ""},
    DTypeInfo{DType::QInt8, "qint8", 1, "QInt8Storage", ""},
    DTypeInfo{DType::QUInt8, "quint8", 1, "QUInt8Storage", ""},
    DTypeInfo{DType::QInt32, "qint32", 4, "QInt32Storage", ""},
    DTypeInfo{DType::QUInt4x2, "quint4x2", 1, "QUInt4x2Storage", ""},
    DTypeInfo{DType::QUInt2x4, "quint2x4", 1, "QUInt2x4Storage", ""},
    DTypeInfo{DType::Float8E5M2, "float8_e5m2", 1, "Float8_e5m2Storage", "F8_E5M2"},
    DTypeInfo{DType::Float8E4M3FN, "float8_e4m3fn", 1, "Float8_e4m3fnStorage", "F8_E4M3"},
    DTypeInfo{DType::Float8E5M2FNUZ, "float8_e5m2fnuz", 1, "Float8_e5m2fnuzStorage", ""},
    DTypeInfo{DType::Float8E4M3FNUZ, "float8_e4m3fnuz", 1, "Float8_e4m3fnuzStorage", ""},
};

const DTypeInfo &info(DType t)
{
    for (const auto &i : kInfo)
        if (i.type == t)
            return i;
    return kInfo[1];
}
} // namespace

std::string_view dtypeName(DType t)
{
    return info(t).name;
}
std::size_t dtypeItemSize(DType t)
{
    return info(t).itemSize;
}

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const auto &i : kInfo)
        if (i.name == name)
            return i.type;
    return std::nullopt;
}

bool dtypeIsFloatingPoint(DType t)
{
    switch (t) {
    case DType::Float64:
    case DType::Float32:
    case DType::Float16:
    case DType::BFloat16:
    case DType::Float8E5M2:
    case DType::Float8E4M3FN:
    case DType::Float8E5M2FNUZ:
    case DType::Float8E4M3FNUZ: return true;
    default: return false;
    }
}

bool dtypeIsComplex(DType t)
{
    return t == DType::Complex32 || t == DType::Complex64 || t == DType::Complex128;
}

bool dtypeIsQuantized(DType t)
{
    return t == DType::QInt8 || t == DType::QUInt8 || t == DType::QInt32 || t == DType::QUInt4x2 || t == DType::QUInt2x4;
}

std::optional<DType> dtypeFromStorageClass(std::string_view className)
{
    for (const auto &i : kInfo)
        if (i.storageClass == className)
            return i.type;
    return std::nullopt;
}

std::string_view storageClassName(DType t)
{
    return info(t).storageClass;
}

std::optional<DType> dtypeFromSafetensors(std::string_view name)
{
    for (const auto &i : kInfo)
        if (!i.safetensors.empty() && i.safetensors == name)
            return i.type;
    return std::nullopt;
}

std::string_view safetensorsName(DType t)
{
    return info(t).safetensors;
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1F;
    std::uint32_t mantissa = h & 0x3FF;
    std::uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13); // inf / nan
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign; // +-0
    } else {
        // subnormal: normalise
        int e = -1;
        do {
            ++e;
            mantissa <<= 1;
        } while ((mantissa & 0x400) == 0);
        bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mantissa & 0x3FF) << 13);
    }
    return std::bit_cast<float>(bits);
}

float bfloat16ToFloat(std::uint16_t b)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Tensor element types with PyTorch's names, sizes, and the names other formats use for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ckpt {

enum class DType : std::uint8_t {
    Float64,
    Float32,
    Float16,
    BFloat16,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Bool,
    Complex32,
    Complex64,
    Complex128,
    QInt8,
    QUInt8,
    QInt32,
    QUInt4x2,
    QUInt2x4,
    Float8E5M2,
    Float8E4M3FN,
    Float8E5M2FNUZ,
    Float8E4M3FNUZ,
};

// PyTorch's name without "torch." (float32, bfloat16, qint8 ...).
std::string_view dtypeName(DType t);
std::optional<DType> dtypeFromName(std::string_view torchName);
std::size_t dtypeItemSize(DType t);
// IEEE half and bfloat16 to float, exactly (subnormals, infinities and NaN included).
float halfToFloat(std::uint16_t h);
float bfloat16ToFloat(std::uint16_t b);

bool dtypeIsFloatingPoint(DType t); // float / bfloat / float8 (what requires_grad allows, with complex)
bool dtypeIsComplex(DType t);
bool dtypeIsQuantized(DType t);

// torch.<X>Storage class names (FloatStorage, BFloat16Storage ...); also torch.cuda.<X>Storage.
std::optional<DType> dtypeFromStorageClass(std::string_view className);
std::string_view storageClassName(DType t);
// safetensors header dtype strings (F32, BF16, BOOL ...).
std::optional<DType> dtypeFromSafetensors(std::string_view name);
std::string_view safetensorsName(DType t); // empty when safetensors has no code for it

} // namespace ckpt

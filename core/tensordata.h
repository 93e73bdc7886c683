// SPDX-License-Identifier: MIT
// Reads a tensor's elements out of the mapped file in logical (row-major) order.
#pragma once

#include "format/pickle/value.h"

#include <cstddef>
#include <span>
#include <vector>

namespace ckpt {

// Copies numel * itemsize bytes; out must be that large. Bounds were checked when the file was read.
void copyContiguous(const pickle::TensorValue &t, std::span<std::byte> out);
std::vector<std::byte> contiguousBytes(const pickle::TensorValue &t);
// True when the elements are one dense run in the storage (zero-copy access is possible).
bool isContiguous(const pickle::TensorValue &t);
// The dense run of a contiguous tensor, in place.
std::span<const std::byte> contiguousSpan(const pickle::TensorValue &t);

} // namespace ckpt

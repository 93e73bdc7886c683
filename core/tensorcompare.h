// SPDX-License-Identifier: MIT
// The diff's pair metrics computed in one pass over the mapped bytes, in parallel, with double
// accumulators: the same numbers LibTorch gives, without paying its start-up for every diff.
#pragma once

#include "tensormath.h"

#include <optional>

namespace ckpt {

// nullopt for element types this kernel does not read (complex, float8); use TensorMath::compare then.
// a and b must have the same number of elements. castToFloat32: round both to float32 first.
std::optional<PairMetrics> compareTensors(const pickle::TensorValue &a, const pickle::TensorValue &b, double atol, bool castToFloat32);

} // namespace ckpt

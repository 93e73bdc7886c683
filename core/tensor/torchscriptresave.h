// SPDX-License-Identifier: MIT
// TorchScript re-saving through torch::jit (its own translation unit: the JIT headers are the slowest to build).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ckpt::torchscript {

// copies: state_dict name (parameter or buffer) -> values copied in with the tensor's dtype, as
// load_state_dict does; each name must exist and have the same shape.
void resave(const std::string &input, const std::string &output, const std::vector<std::pair<std::string, bool>> &requiresGrad,
    std::optional<at::ScalarType> dtype, const std::vector<std::pair<std::string, at::Tensor>> &copies);

} // namespace ckpt::torchscript

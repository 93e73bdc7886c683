// TorchScript re-saving through torch::jit (its own translation unit: the JIT headers are the slowest to build).
#pragma once

#include <c10/core/ScalarType.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ckpt::torchscript {

void resave(const std::string &input, const std::string &output, const std::vector<std::pair<std::string, bool>> &requiresGrad,
            std::optional<at::ScalarType> dtype);

} // namespace ckpt::torchscript

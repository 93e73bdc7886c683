// SPDX-License-Identifier: MIT
#include "torchscriptresave.h"

#include "format/error.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <unordered_map>

namespace ckpt::torchscript {

namespace {
std::string shapeText(at::IntArrayRef sizes)
{
    return c10::str(sizes);
}
} // namespace

void resave(const std::string &input, const std::string &output, const std::vector<std::pair<std::string, bool>> &requiresGrad,
    std::optional<at::ScalarType> dtype, const std::vector<std::pair<std::string, at::Tensor>> &copies)
{
    try {
        // The archive was read and validated by our own reader before it gets here.
        torch::jit::Module module = torch::jit::load(input, c10::Device(c10::kCPU));
        if (!copies.empty()) {
            // Parameters and buffers by state_dict name; the copy writes into the module's own tensors, so
            // a tensor shared by two names gets the values once for each, last one winning, as in PyTorch.
            std::unordered_map<std::string, at::Tensor> slots;
            for (const auto &p : module.named_parameters(true))
                slots.emplace(p.name, p.value);
            for (const auto &b : module.named_buffers(true))
                slots.emplace(b.name, b.value);
            at::NoGradGuard noGrad;
            for (const auto &[name, values] : copies) {
                const auto it = slots.find(name);
                if (it == slots.end())
                    throw Error(ErrorKind::Malformed, "the TorchScript module has no parameter or buffer '" + name + "'");
                if (it->second.sizes() != values.sizes())
                    throw Error(ErrorKind::Malformed,
                        "'" + name + "' has shape " + shapeText(it->second.sizes()) + " in the TorchScript module, not " + shapeText(values.sizes()));
                it->second.copy_(values);
            }
        }
        if (dtype)
            module.to(*dtype); // floating parameters and buffers only, as nn.Module.to(dtype)
        std::unordered_map<std::string, bool> wanted(requiresGrad.begin(), requiresGrad.end());
        std::size_t applied = 0;
        for (const auto &p : module.named_parameters(true)) {
            const auto it = wanted.find(p.name);
            if (it == wanted.end())
                continue;
            p.value.set_requires_grad(it->second);
            ++applied;
        }
        if (applied != wanted.size())
            throw Error(ErrorKind::Malformed,
                "the TorchScript module has " + std::to_string(applied) + " of the " + std::to_string(wanted.size()) + " parameters named in the freeze list");
        module.save(output);
    } catch (const c10::Error &e) {
        throw Error(ErrorKind::Io, std::string("LibTorch could not re-save the TorchScript archive: ") + e.what_without_backtrace());
    }
}

} // namespace ckpt::torchscript

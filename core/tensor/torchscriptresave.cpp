#include "torchscriptresave.h"

#include "format/error.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <unordered_map>

namespace ckpt::torchscript {

void resave(const std::string &input, const std::string &output, const std::vector<std::pair<std::string, bool>> &requiresGrad,
            std::optional<at::ScalarType> dtype)
{
    try {
        // The archive was read and validated by our own reader before it gets here.
        torch::jit::Module module = torch::jit::load(input, c10::Device(c10::kCPU));
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
            throw Error(ErrorKind::Malformed, "the TorchScript module has " + std::to_string(applied) + " of the "
                                                  + std::to_string(wanted.size()) + " parameters named in the freeze list");
        module.save(output);
    } catch (const c10::Error &e) {
        throw Error(ErrorKind::Io, std::string("LibTorch could not re-save the TorchScript archive: ") + e.what_without_backtrace());
    }
}

} // namespace ckpt::torchscript

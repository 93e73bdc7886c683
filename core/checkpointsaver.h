// Saving a checkpoint, untouched or edited: torch.save zip (weights_only-loadable when the content
// allows), safetensors, or TorchScript through LibTorch. Always atomic and verified before it replaces anything.
#pragma once

#include "checkpoint.h"
#include "keyrules.h"

#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct SaveOptions
{
    bool modelOnly = false;                 // write only the model state, as a state_dict
    std::vector<std::string> dropGlobs;     // model-state names to leave out
    KeyRules keyRules;                      // applied to model-state names (prefix, then regex renames)
    std::optional<DType> dtype;             // float16 / bfloat16 / float32 / float64: floating model-state tensors
    std::optional<std::vector<std::string>> frozenNames; // default: the checkpoint's initial freeze state
    bool storeFreeze = false;               // parameters written as nn.Parameter(requires_grad = not frozen)
    bool force = false;                     // allow replacing the input file
    const Progress *progress = nullptr;     // optional: bytes written so far, and cancellation
};

struct SaveResult
{
    Format format = Format::TorchZip;
    std::size_t tensors = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> notes;
};

// Throws ckpt::Error naming the target; on failure nothing is left at the target or beside it.
SaveResult saveCheckpoint(const Checkpoint &source, const std::string &target, const SaveOptions &options);

} // namespace ckpt

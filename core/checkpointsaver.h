// SPDX-License-Identifier: MIT
// Saving a checkpoint, untouched or edited: torch.save zip (weights_only-loadable when the content
// allows), safetensors, or TorchScript through LibTorch. Always atomic and verified before it replaces anything.
#pragma once

#include "checkpoint.h"
#include "keyrules.h"

#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// A tensor whose values are replaced when the checkpoint is written (a transplant): into is a model-state
// tensor of the checkpoint being saved, from any tensor of the same shape that outlives the save. The
// values are cast to into's dtype and written into its place, as load_state_dict's copy_ does, so a
// storage shared with other tensors stays shared.
struct TensorCopy
{
    const TensorInfo *into = nullptr;
    const pickle::TensorValue *from = nullptr;
};

struct SaveOptions
{
    bool modelOnly = false; // write only the model state, as a state_dict
    std::vector<std::string> dropGlobs; // model-state names to leave out
    KeyRules keyRules; // applied to model-state names (prefix, then regex renames)
    std::optional<DType> dtype; // float16 / bfloat16 / float32 / float64: floating model-state tensors
    std::optional<std::vector<std::string>> frozenNames; // default: the checkpoint's initial freeze state
    bool storeFreeze = false; // parameters written as nn.Parameter(requires_grad = not frozen)
    std::vector<TensorCopy> copies; // values replaced on writing (not together with dtype)
    bool force = false; // allow replacing the input file
    // Above 0: the model state in Hugging Face-style shards of at most this many bytes each (a larger tensor
    // gets a shard of its own), named from the target (model-00001-of-00003.safetensors) beside
    // TARGET.index.json. A model state that fits in one shard is written to the target as one file.
    std::uint64_t maxShardSize = 0;
    const Progress *progress = nullptr; // optional: bytes written so far, and cancellation
};

struct SaveResult
{
    Format format = Format::TorchZip;
    std::size_t tensors = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> notes;
    std::vector<std::string> files; // what was written: the target, or the shards and then the index
};

// A bare state_dict: every tensor at the top level, nothing else. It is its own model state, and fits in
// safetensors and in shards without --model-only.
bool isBareStateDict(const Checkpoint &checkpoint);

// "5GB" (10^9), "500MiB" (2^20), "4096" (bytes): the sizes Hugging Face's max_shard_size accepts, bytes not
// bits. Throws ckpt::Error(Malformed) naming the text.
std::uint64_t parseByteSize(std::string_view text);

// Throws ckpt::Error naming the target; on failure nothing is left at the target or beside it.
SaveResult saveCheckpoint(const Checkpoint &source, const std::string &target, const SaveOptions &options);

} // namespace ckpt

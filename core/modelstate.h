// SPDX-License-Identifier: MIT
// Finding the model's state inside a checkpoint and recognising pickled nn.Modules.
#pragma once

#include "checkpoint.h"

#include <string>
#include <vector>

namespace ckpt {

// Keys tried in order at the top level (DESIGN.md), then the largest name -> tensor map found there.
ModelState findModelState(const RawCheckpoint &raw);

// The model state at a path of dict keys joined with '/' ("" = the top level). Throws ckpt::Error(Malformed)
// naming the path when nothing is there or it is not a state_dict, a pickled module or a TorchScript module.
ModelState modelStateAt(const RawCheckpoint &raw, const std::string &path);

// Every place a model state could be named: "" when the top level is one, then each top-level entry that
// is a state_dict or a module, in file order.
std::vector<std::string> modelStateCandidates(const RawCheckpoint &raw);

// A pickled torch.nn.Module: an object whose state has _parameters, _buffers and _modules.
bool isPickledModule(const pickle::Value *v);
// A TorchScript module object (a __torch__ class the archive's code declares as a Module).
bool isTorchScriptModule(const pickle::Value *v, const TorchScriptSchema &schema);
// A dict of str -> tensor (a state_dict).
bool isStateDict(const pickle::Value *v);

// Where the file doesn't say, whether a tensor of the model state is a buffer rather than a parameter.
// Eager-mode quantized modules keep 'scale' and 'zero_point' as one-element buffers.
bool looksLikeBuffer(std::string_view modelName, DType dtype, std::uint64_t numel = 2);

} // namespace ckpt

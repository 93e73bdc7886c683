// SPDX-License-Identifier: MIT
// Which tensors of a plain state_dict are parameters, told by the optimizer state saved beside it: an
// optimizer keeps one state entry per parameter, in named_parameters() order, and buffers have none.
#pragma once

#include "checkpoint.h"

#include <vector>

namespace ckpt {

// Where the file does not say (a state_dict of plain tensors) and exactly one optimizer state with a
// shape for every parameter sits beside the model state, marks the model-state tensors that line up with
// those shapes, in order, as parameters and the others as buffers. Changes nothing unless all line up.
void refineParametersFromOptimizer(const RawCheckpoint &raw, const ModelState &model, std::vector<TensorInfo> &tensors);

} // namespace ckpt

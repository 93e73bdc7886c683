// SPDX-License-Identifier: MIT
// Tensors that a folder stores in pieces (chunks of torch.distributed.checkpoint, partitions of DeepSpeed
// ZeRO) are not put together when the folder opens: listing reads no tensor bytes. A writer streams their
// row-major bytes from the pieces block by block; anything else that reads them gets the whole, put
// together once into an unlinked temporary file, so memory stays bounded by what is being copied.
#pragma once

#include "rawcheckpoint.h"

#include <functional>

namespace ckpt::detail {

// Writes bytes [offset, offset + out.size()) of a tensor's row-major whole, from its pieces.
using FillBytes = std::function<void(std::uint64_t offset, std::span<std::byte> out)>;

// A new row-major tensor of dtype and shape whose bytes fill makes on demand (pickle::DeferredBytes).
// sources are the mapped spans fill reads, whose pages are released with the tensor's; when sourcesAreWhole,
// they are its bytes end to end, and writers copy them as they are. name says what it is in errors.
pickle::TensorValue *deferredTensor(RawCheckpoint &out, DType dtype, std::span<const std::int64_t> shape, std::string name, FillBytes fill,
    std::vector<std::span<const std::byte>> sources, bool sourcesAreWhole);

// Gives v this shape with row-major strides (its storage offset stays).
void setContiguousShape(RawCheckpoint &out, pickle::TensorValue &v, std::span<const std::int64_t> shape);

// A torch.Size, tuple or list of non-negative integers (a shape, chunk offsets ...); throws naming where.
std::vector<std::int64_t> intsOf(const pickle::Value *v, const std::string &where);

// The element count of shape; throws ckpt::Error(LimitExceeded) on overflow, naming what.
std::uint64_t elementCount(std::span<const std::int64_t> shape, const std::string &what);

} // namespace ckpt::detail

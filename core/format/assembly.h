// SPDX-License-Identifier: MIT
// Tensors that a folder stores in pieces (chunks of torch.distributed.checkpoint, partitions of DeepSpeed
// ZeRO) are put together once, in one unlinked temporary file that is then mapped read-only, so that each
// has contiguous bytes like any other tensor and memory stays bounded by what is being copied.
#pragma once

#include "rawcheckpoint.h"

#include <functional>

namespace ckpt::detail {

class Assembly
{
public:
    // Room for a tensor of this many bytes; returns where it starts (64-byte aligned).
    std::uint64_t reserve(std::uint64_t bytes);
    bool empty() const { return m_size == 0; }
    // Maps the file writable, lets fill write into it (releasing pages as it goes is its business), then maps
    // it read-only and keeps it in out.files. Returns that mapping (null when nothing was reserved).
    std::shared_ptr<const MappedFile> build(RawCheckpoint &out, const std::string &name, const std::function<void(std::byte *base)> &fill);

private:
    std::uint64_t m_size = 0;
};

// Gives v this shape with row-major strides (its storage offset stays).
void setContiguousShape(RawCheckpoint &out, pickle::TensorValue &v, std::span<const std::int64_t> shape);

// A new row-major tensor of dtype and shape over bytes (a resolved storage of its own).
pickle::TensorValue *contiguousTensor(RawCheckpoint &out, DType dtype, std::span<const std::int64_t> shape, std::span<const std::byte> bytes);

// A torch.Size, tuple or list of non-negative integers (a shape, chunk offsets ...); throws naming where.
std::vector<std::int64_t> intsOf(const pickle::Value *v, const std::string &where);

// The element count of shape; throws ckpt::Error(LimitExceeded) on overflow, naming what.
std::uint64_t elementCount(std::span<const std::int64_t> shape, const std::string &what);

} // namespace ckpt::detail

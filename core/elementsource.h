// SPDX-License-Identifier: MIT
// A tensor's elements in row-major order, handed out block by block: in place from the mapping when the
// tensor is dense, else gathered (strided views) or filled from the pieces (deferred storages) into a
// caller's buffer, so that a pass over all elements never needs a temporary the size of the tensor.
#pragma once

#include "format/dtype.h"
#include "format/pickle/value.h"
#include "tensormath.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ckpt {

class ElementSource
{
public:
    // Over a tensor read from a file; a deferred storage is read from its pieces, never put together.
    static ElementSource of(const pickle::TensorValue &t);
    // Over elements in memory (e.g. the dequantized values of StatisticsInput).
    explicit ElementSource(const TensorView &view);
    // No elements: a placeholder.
    ElementSource() = default;

    DType dtype() const { return m_dtype; }
    std::uint64_t count() const { return m_count; }
    std::size_t itemSize() const { return m_item; }
    // count over the elements stored: more than a few logical elements per stored one is a broadcast view.
    bool isBroadcast() const;
    std::uint64_t storedElements() const { return m_storageElements; }
    // A view for LibTorch (dtypes the block kernels do not read); puts a deferred storage together.
    TensorView view() const;

    // Elements [first, first + n), row-major: in place when they are dense in memory, else copied into
    // scratch (resized as needed). Throws ckpt::Error when the pieces of a deferred storage cannot be read.
    std::span<const std::byte> read(std::uint64_t first, std::uint64_t n, std::vector<std::byte> &scratch) const;
    // Lets this process drop the pages of a block read in place (they stay in the page cache).
    void releaseBehind(std::span<const std::byte> block) const;

private:
    void gather(std::uint64_t first, std::uint64_t n, std::byte *out) const;

    DType m_dtype = DType::Float32;
    std::size_t m_item = 4;
    std::uint64_t m_count = 0;
    std::uint64_t m_storageElements = 0;
    bool m_dense = false;
    const std::byte *m_base = nullptr; // element 0 of the view, in memory (not for deferred)
    const pickle::DeferredBytes *m_deferred = nullptr; // dense view over a deferred storage
    std::uint64_t m_deferredOffset = 0; // bytes
    std::vector<std::int64_t> m_shape, m_stride;
    const pickle::TensorValue *m_tensor = nullptr; // when made by of()
};

} // namespace ckpt

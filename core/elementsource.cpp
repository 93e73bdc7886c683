// SPDX-License-Identifier: MIT
#include "elementsource.h"

#include "format/error.h"
#include "format/mappedfile.h"

#include <cstring>

namespace ckpt {

namespace {

bool denseLayout(std::span<const std::int64_t> shape, std::span<const std::int64_t> stride)
{
    std::int64_t expected = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
        if (shape[d] == 1)
            continue;
        if (stride[d] != expected)
            return false;
        expected *= shape[d];
    }
    return true;
}

std::uint64_t elementCount(std::span<const std::int64_t> shape)
{
    std::uint64_t n = 1;
    for (const auto d : shape)
        n *= static_cast<std::uint64_t>(d);
    return n;
}

} // namespace

ElementSource::ElementSource(const TensorView &view)
    : m_dtype(view.dtype)
    , m_item(dtypeItemSize(view.dtype))
    , m_count(elementCount(view.shape))
    , m_storageElements(view.storageElements)
    , m_dense(denseLayout(view.shape, view.stride))
    , m_base(view.base)
    , m_shape(view.shape.begin(), view.shape.end())
    , m_stride(view.stride.begin(), view.stride.end())
{ }

ElementSource ElementSource::of(const pickle::TensorValue &t)
{
    if (t.numel() > 0 && t.storage->deferred && denseLayout(t.shape, t.stride)) {
        ElementSource s;
        s.m_dtype = t.dtype;
        s.m_item = dtypeItemSize(t.dtype);
        s.m_count = t.numel();
        s.m_storageElements = t.storage->numel - static_cast<std::uint64_t>(t.storageOffset);
        s.m_dense = true;
        s.m_deferred = t.storage->deferred;
        s.m_deferredOffset = static_cast<std::uint64_t>(t.storageOffset) * s.m_item;
        s.m_shape.assign(t.shape.begin(), t.shape.end());
        s.m_stride.assign(t.stride.begin(), t.stride.end());
        s.m_tensor = &t;
        return s;
    }
    // Strided views of deferred storages are rare (a transposed shard): they read the put-together whole.
    ElementSource s(TensorView::of(t));
    s.m_tensor = &t;
    return s;
}

TensorView ElementSource::view() const
{
    if (m_tensor)
        return TensorView::of(*m_tensor);
    TensorView v;
    v.base = m_base;
    v.dtype = m_dtype;
    v.shape = m_shape;
    v.stride = m_stride;
    v.storageElements = m_storageElements;
    return v;
}

bool ElementSource::isBroadcast() const
{
    return m_count > (std::uint64_t(1) << 24) && m_count / 8 > m_storageElements;
}

std::span<const std::byte> ElementSource::read(std::uint64_t first, std::uint64_t n, std::vector<std::byte> &scratch) const
{
    const std::size_t bytes = static_cast<std::size_t>(n) * m_item;
    if (m_dense && !m_deferred)
        return {m_base + first * m_item, bytes};
    scratch.resize(bytes);
    if (m_deferred)
        m_deferred->fill(m_deferredOffset + first * m_item, scratch);
    else
        gather(first, n, scratch.data());
    return {scratch.data(), bytes};
}

void ElementSource::releaseBehind(std::span<const std::byte> block) const
{
    if (m_dense && !m_deferred)
        releasePages(block);
}

void ElementSource::gather(std::uint64_t first, std::uint64_t n, std::byte *out) const
{
    // The multi-index of element `first`, then an odometer with the innermost dimension as the run.
    const std::size_t ndim = m_shape.size();
    std::vector<std::int64_t> index(ndim, 0);
    std::uint64_t rest = first;
    for (std::size_t d = ndim; d-- > 0;) {
        const auto extent = static_cast<std::uint64_t>(m_shape[d]);
        index[d] = static_cast<std::int64_t>(rest % extent);
        rest /= extent;
    }
    const auto item = static_cast<std::int64_t>(m_item);
    while (n > 0) {
        std::int64_t offset = 0;
        for (std::size_t d = 0; d + 1 < ndim; ++d)
            offset += index[d] * m_stride[d];
        const std::int64_t inner = ndim ? m_shape[ndim - 1] : 1;
        const std::int64_t innerStride = ndim ? m_stride[ndim - 1] : 0;
        std::int64_t i = ndim ? index[ndim - 1] : 0;
        for (; i < inner && n > 0; ++i, --n) {
            std::memcpy(out, m_base + (offset + i * innerStride) * item, m_item);
            out += m_item;
        }
        if (ndim == 0)
            break;
        index[ndim - 1] = 0;
        std::size_t d = ndim - 1;
        for (;;) {
            if (d == 0)
                return;
            --d;
            if (++index[d] < m_shape[d])
                break;
            index[d] = 0;
        }
    }
}

} // namespace ckpt

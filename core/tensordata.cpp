// SPDX-License-Identifier: MIT
#include "tensordata.h"

#include "format/error.h"

#include <cstring>

namespace ckpt {

using namespace pickle;

bool isContiguous(const TensorValue &t)
{
    std::int64_t expected = 1;
    for (std::size_t d = t.shape.size(); d-- > 0;) {
        if (t.shape[d] == 1)
            continue;
        if (t.stride[d] != expected)
            return false;
        expected *= t.shape[d];
    }
    return true;
}

std::span<const std::byte> contiguousSpan(const TensorValue &t)
{
    const std::size_t item = dtypeItemSize(t.dtype);
    const std::size_t n = static_cast<std::size_t>(t.numel());
    if (n == 0)
        return {};
    return t.storage->data().subspan(static_cast<std::size_t>(t.storageOffset) * item, n * item);
}

void copyContiguous(const TensorValue &t, std::span<std::byte> out)
{
    const std::size_t item = dtypeItemSize(t.dtype);
    const std::size_t n = static_cast<std::size_t>(t.numel());
    if (out.size() != n * item)
        fail(ErrorKind::Malformed, "output buffer has the wrong size for the tensor");
    if (n == 0)
        return;
    if (isContiguous(t)) {
        const auto src = contiguousSpan(t);
        std::memcpy(out.data(), src.data(), src.size());
        return;
    }
    // Walk the index space with the innermost dimension as the copy run.
    const std::size_t ndim = t.shape.size();
    std::vector<std::int64_t> index(ndim, 0);
    const std::byte *base = t.storage->data().data();
    const std::int64_t innerSize = t.shape[ndim - 1];
    const std::int64_t innerStride = t.stride[ndim - 1];
    std::byte *dst = out.data();
    for (;;) {
        std::int64_t offset = t.storageOffset;
        for (std::size_t d = 0; d + 1 < ndim; ++d)
            offset += index[d] * t.stride[d];
        if (innerStride == 1) {
            std::memcpy(dst, base + offset * static_cast<std::int64_t>(item), static_cast<std::size_t>(innerSize) * item);
            dst += static_cast<std::size_t>(innerSize) * item;
        } else {
            for (std::int64_t i = 0; i < innerSize; ++i) {
                std::memcpy(dst, base + (offset + i * innerStride) * static_cast<std::int64_t>(item), item);
                dst += item;
            }
        }
        std::size_t d = ndim - 1;
        for (;;) {
            if (d == 0)
                return;
            --d;
            if (++index[d] < t.shape[d])
                break;
            index[d] = 0;
        }
    }
}

std::vector<std::byte> contiguousBytes(const TensorValue &t)
{
    const std::uint64_t nbytes = t.numel() * dtypeItemSize(t.dtype);
    if (nbytes > (std::uint64_t(64) << 20) && nbytes / 8 > t.storage->numel * dtypeItemSize(t.storage->dtype))
        fail(ErrorKind::LimitExceeded,
            "a broadcast view would expand " + std::to_string(t.storage->numel * dtypeItemSize(t.storage->dtype)) + " stored bytes to "
                + std::to_string(nbytes));
    std::vector<std::byte> out(static_cast<std::size_t>(t.numel()) * dtypeItemSize(t.dtype));
    copyContiguous(t, out);
    return out;
}

} // namespace ckpt

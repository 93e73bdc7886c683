// SPDX-License-Identifier: MIT
#include "quantization.h"

#include "tensordata.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ckpt {

using namespace pickle;

namespace {

std::optional<double> number(const Value *v)
{
    if (!v)
        return std::nullopt;
    switch (v->kind) {
    case Kind::Float: return static_cast<const FloatValue *>(v)->v;
    case Kind::Int: return static_cast<double>(static_cast<const IntValue *>(v)->v);
    case Kind::Bool: return static_cast<const BoolValue *>(v)->v ? 1.0 : 0.0;
    default: return std::nullopt;
    }
}

// The elements of a small 1-D parameter tensor (per-channel scales: float64; zero points: int64 or float).
std::optional<std::vector<double>> elements(const Value *v)
{
    const TensorValue *t = asTensor(v);
    if (!t || t->shape.size() != 1 || !t->storage)
        return std::nullopt;
    const std::vector<std::byte> bytes = contiguousBytes(*t);
    const std::size_t n = static_cast<std::size_t>(t->numel());
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (t->dtype) {
        case DType::Float64: {
            double d;
            std::memcpy(&d, bytes.data() + 8 * i, 8);
            out[i] = d;
            break;
        }
        case DType::Float32: {
            float f;
            std::memcpy(&f, bytes.data() + 4 * i, 4);
            out[i] = f;
            break;
        }
        case DType::Int64: {
            std::int64_t k;
            std::memcpy(&k, bytes.data() + 8 * i, 8);
            out[i] = static_cast<double>(k);
            break;
        }
        case DType::Int32: {
            std::int32_t k;
            std::memcpy(&k, bytes.data() + 4 * i, 4);
            out[i] = k;
            break;
        }
        default: return std::nullopt;
        }
    }
    return out;
}

std::string shortNumber(double d)
{
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 6); // locale-free
    return std::string(buf, r.ptr);
}

} // namespace

std::optional<QuantizationInfo> quantizationOf(const TensorValue &t)
{
    if (t.origin != TensorOrigin::QTensor || !dtypeIsQuantized(t.dtype))
        return std::nullopt;
    const SequenceValue *q = asTuple(t.quantizer);
    if (!q || q->items.empty())
        return std::nullopt;
    const GlobalValue *scheme = asGlobal(q->items[0]);
    if (!scheme)
        return std::nullopt;
    QuantizationInfo info;
    info.scheme = std::string(scheme->name);
    const auto &a = q->items;
    if (info.scheme == "per_tensor_affine" || info.scheme == "per_tensor_symmetric") {
        const auto scale = a.size() == 3 ? number(a[1]) : std::nullopt;
        const auto zero = a.size() == 3 ? number(a[2]) : std::nullopt;
        if (!scale || !zero)
            return std::nullopt;
        info.scale = *scale;
        info.zeroPoint = *zero;
        return info;
    }
    if (info.scheme.starts_with("per_channel")) {
        if (a.size() != 4)
            return std::nullopt;
        auto scales = elements(a[1]);
        auto zeros = elements(a[2]);
        const auto axis = number(a[3]);
        if (!scales || !zeros || !axis || *axis < 0 || *axis >= static_cast<double>(t.shape.size()))
            return std::nullopt;
        info.axis = static_cast<std::int64_t>(*axis);
        const auto channels = static_cast<std::size_t>(t.shape[static_cast<std::size_t>(info.axis)]);
        if (scales->size() != channels || zeros->size() != channels)
            return std::nullopt;
        info.scales = std::move(*scales);
        info.zeroPoints = std::move(*zeros);
        return info;
    }
    return std::nullopt;
}

std::string quantizationText(const QuantizationInfo &q)
{
    if (!q.perChannel())
        return q.scheme + ", scale " + shortNumber(q.scale) + ", zero point " + shortNumber(q.zeroPoint);
    auto range = [](const std::vector<double> &v) {
        if (v.empty())
            return std::string("none");
        double lo = v.front(), hi = v.front();
        for (const double d : v) {
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        return lo == hi ? shortNumber(lo) : shortNumber(lo) + " to " + shortNumber(hi);
    };
    return q.scheme + ", axis " + std::to_string(q.axis) + ", " + std::to_string(q.scales.size()) + " scales " + range(q.scales) + ", zero points "
        + range(q.zeroPoints);
}

StatisticsInput::StatisticsInput(const TensorValue &t)
    : m_view(TensorView::of(t))
{
    const auto q = quantizationOf(t);
    if (!q || (t.dtype != DType::QInt8 && t.dtype != DType::QUInt8 && t.dtype != DType::QInt32))
        return;
    const std::vector<std::byte> raw = contiguousBytes(t);
    const std::size_t n = static_cast<std::size_t>(t.numel());
    m_values.resize(n);
    // Elements of one channel repeat in runs of `inner`, the product of the sizes after the axis.
    std::size_t inner = 1;
    if (q->perChannel())
        for (std::size_t d = static_cast<std::size_t>(q->axis) + 1; d < t.shape.size(); ++d)
            inner *= static_cast<std::size_t>(t.shape[d]);
    const std::size_t channels = q->perChannel() ? q->scales.size() : 1;
    for (std::size_t i = 0; i < n; ++i) {
        double stored = 0;
        switch (t.dtype) {
        case DType::QInt8: stored = static_cast<std::int8_t>(raw[i]); break;
        case DType::QUInt8: stored = static_cast<std::uint8_t>(raw[i]); break;
        default: {
            std::int32_t k;
            std::memcpy(&k, raw.data() + 4 * i, 4);
            stored = k;
            break;
        }
        }
        const std::size_t c = q->perChannel() ? (i / inner) % channels : 0;
        const double scale = q->perChannel() ? q->scales[c] : q->scale;
        const double zero = q->perChannel() ? q->zeroPoints[c] : q->zeroPoint;
        m_values[i] = static_cast<float>((stored - zero) * scale);
    }
    m_stride.resize(t.shape.size());
    std::int64_t step = 1;
    for (std::size_t d = t.shape.size(); d-- > 0;) {
        m_stride[d] = step;
        step *= std::max<std::int64_t>(t.shape[d], 1);
    }
    m_view.base = reinterpret_cast<const std::byte *>(m_values.data());
    m_view.dtype = DType::Float32;
    m_view.shape = t.shape;
    m_view.stride = m_stride;
    m_view.storageElements = n;
    m_dequantized = true;
}

} // namespace ckpt

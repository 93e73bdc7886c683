// SPDX-License-Identifier: MIT
// The LibTorch implementation of TensorMath: tensors are at::from_blob views over the mapped bytes.
#include "tensormath.h"

#include "format/error.h"
#include "pairsums.h"
#include "torchscriptresave.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace {

using ckpt::DType;

std::optional<at::ScalarType> scalarType(DType t)
{
    switch (t) {
    case DType::Float64: return at::kDouble;
    case DType::Float32: return at::kFloat;
    case DType::Float16: return at::kHalf;
    case DType::BFloat16: return at::kBFloat16;
    case DType::Int64: return at::kLong;
    case DType::Int32: return at::kInt;
    case DType::Int16: return at::kShort;
    case DType::Int8: return at::kChar;
    case DType::UInt8: return at::kByte;
    case DType::Bool: return at::kBool;
    case DType::Complex32: return at::kComplexHalf;
    case DType::Complex64: return at::kComplexFloat;
    case DType::Complex128: return at::kComplexDouble;
    // Quantized tensors: statistics of the stored integers (what int_repr() shows).
    case DType::QInt8: return at::kChar;
    case DType::QUInt8: return at::kByte;
    case DType::QInt32: return at::kInt;
    default: return std::nullopt; // uint16/32/64 and float8 are not in LibTorch 1.13
    }
}

// A tensor over a view's bytes (the mapping for sources: from_blob never writes through them).
at::Tensor tensorOver(const ckpt::TensorView &view)
{
    const auto type = scalarType(view.dtype);
    if (!type || ckpt::dtypeIsQuantized(view.dtype))
        throw ckpt::Error(ckpt::ErrorKind::Unsupported, "LibTorch 1.13 cannot copy " + std::string(ckpt::dtypeName(view.dtype)) + " tensors");
    std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
    std::vector<int64_t> stride(view.stride.begin(), view.stride.end());
    return at::from_blob(const_cast<std::byte *>(view.base), shape, stride, at::TensorOptions().dtype(*type));
}

// load_state_dict's param.copy_(input_param): the same shape, cast to the destination's dtype.
void copyTensor(const at::Tensor &to, const at::Tensor &from)
{
    if (to.sizes() != from.sizes())
        throw ckpt::Error(ckpt::ErrorKind::Malformed, "cannot copy a tensor of shape " + c10::str(from.sizes()) + " into one of shape " + c10::str(to.sizes()));
    if (to.numel() > 0)
        to.copy_(from);
}

// Chan et al.'s pairwise merge of (count, mean, M2) so chunks combine without cancellation.
struct Moments
{
    double n = 0, mean = 0, m2 = 0;
    void merge(double nb, double meanb, double m2b)
    {
        if (nb == 0)
            return;
        const double total = n + nb;
        const double delta = meanb - mean;
        mean += delta * nb / total;
        m2 += m2b + delta * delta * n * nb / total;
        n = total;
    }
};

class TorchTensorMath final : public ckpt::TensorMath
{
public:
    ckpt::TensorStatistics statistics(const ckpt::TensorView &view) const override
    {
        ckpt::TensorStatistics s;
        const auto type = scalarType(view.dtype);
        if (!type) {
            s.unsupportedReason = "LibTorch 1.13 has no " + std::string(ckpt::dtypeName(view.dtype)) + " type";
            return s;
        }
        std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
        std::vector<int64_t> stride(view.stride.begin(), view.stride.end());
        s.count = 1;
        for (auto d : shape)
            s.count *= static_cast<std::uint64_t>(d);
        if (s.count > (std::uint64_t(1) << 24) && s.count / 8 > view.storageElements) {
            // An expanded (stride 0) view: billions of logical elements over a few stored ones.
            s.unsupportedReason = "a broadcast view of " + std::to_string(s.count) + " elements over " + std::to_string(view.storageElements) + " stored ones";
            return s;
        }
        s.valid = true;
        if (s.count == 0)
            return s;
        try {
            accumulate(view, shape, stride, *type, s);
        } catch (const std::exception &e) { // c10::Error (and bad_alloc) must not cross the plugin boundary
            s = {};
            s.unsupportedReason = std::string("LibTorch failed: ") + e.what();
        }
        return s;
    }

    using Sums = ckpt::PairSums;

    // Element i of a contiguous tensor as a double (complex: its magnitude), optionally rounded to
    // float32 first as Tensor.to(torch.float32) would.
    template<typename T>
    static double element(const T *data, int64_t i, bool toFloat32)
    {
        double v;
        if constexpr (std::is_same_v<T, c10::complex<float>> || std::is_same_v<T, c10::complex<double>> || std::is_same_v<T, c10::complex<c10::Half>>)
            v = static_cast<double>(std::abs(static_cast<c10::complex<double>>(data[i])));
        else
            v = static_cast<double>(data[i]);
        return toFloat32 ? static_cast<double>(static_cast<float>(v)) : v;
    }

    template<typename A, typename B>
    static void sumRange(const A *a, const B *b, int64_t begin, int64_t end, double atol, bool toFloat32, Sums &s)
    {
        for (int64_t i = begin; i < end; ++i)
            s.add(element(a, i, toFloat32), element(b, i, toFloat32), atol);
    }

    static Sums accumulatePair(const at::Tensor &a, const at::Tensor &b, int64_t begin, int64_t end, double atol, bool toFloat32)
    {
        Sums s;
        // Two nested dispatches cover every pairing (same dtype, or dtype-changed like float32 vs float16).
        AT_DISPATCH_ALL_TYPES_AND_COMPLEX_AND3(at::kHalf, at::kBFloat16, at::kBool, a.scalar_type(), "compare_a", [&] {
            using TA = scalar_t;
            const TA *pa = a.data_ptr<TA>();
            AT_DISPATCH_ALL_TYPES_AND_COMPLEX_AND3(at::kHalf, at::kBFloat16, at::kBool, b.scalar_type(), "compare_b",
                [&] { sumRange(pa, b.data_ptr<scalar_t>(), begin, end, atol, toFloat32, s); });
        });
        return s;
    }

    // Runs f over float64 chunks of 4M elements (complex: magnitudes), so temporaries stay bounded.
    template<typename F>
    static void forEachChunk(const at::Tensor &flat, F &&f)
    {
        constexpr int64_t kChunk = 1 << 22;
        for (int64_t start = 0; start < flat.numel(); start += kChunk) {
            at::Tensor chunk = flat.narrow(0, start, std::min(kChunk, flat.numel() - start));
            f(chunk.is_complex() ? chunk.abs().to(at::kDouble) : chunk.to(at::kDouble));
        }
    }

    static void addCounts(ckpt::Histogram &h, const at::Tensor &histc)
    {
        const at::Tensor counts = histc.to(at::kLong).contiguous();
        const auto *c = counts.data_ptr<int64_t>();
        for (std::size_t i = 0; i < h.counts.size(); ++i)
            h.counts[i] += static_cast<std::uint64_t>(c[i]);
    }

    // The tensor as a 1-D view over the mapped bytes (a copy only for non-contiguous layouts).
    static at::Tensor flatView(const ckpt::TensorView &view)
    {
        std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
        std::vector<int64_t> stride(view.stride.begin(), view.stride.end());
        const at::Tensor t = at::from_blob(const_cast<std::byte *>(view.base), shape, stride, at::TensorOptions().dtype(*scalarType(view.dtype)));
        return t.is_contiguous() ? t.view({-1}) : t.reshape({-1});
    }

    static void accumulate(
        const ckpt::TensorView &view, const std::vector<int64_t> &shape, const std::vector<int64_t> &stride, at::ScalarType type, ckpt::TensorStatistics &s)
    {
        at::NoGradGuard noGrad;
        // The mapping is read-only; from_blob never writes and every op below makes new tensors.
        const at::Tensor t = at::from_blob(const_cast<std::byte *>(view.base), shape, stride, at::TensorOptions().dtype(type));
        const at::Tensor flat = t.is_contiguous() ? t.view({-1}) : t.reshape({-1});
        constexpr int64_t kChunk = 1 << 22; // bounded temporaries: 4M elements as float64 = 32 MB
        Moments moments;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int64_t start = 0; start < flat.numel(); start += kChunk) {
            at::Tensor chunk = flat.narrow(0, start, std::min(kChunk, flat.numel() - start));
            chunk = chunk.is_complex() ? chunk.abs().to(at::kDouble) : chunk.to(at::kDouble);
            const at::Tensor finite = at::isfinite(chunk);
            const double nFinite = static_cast<double>(finite.sum().item<int64_t>());
            s.nan += static_cast<std::uint64_t>(at::isnan(chunk).sum().item<int64_t>());
            s.posInf += static_cast<std::uint64_t>(at::isposinf(chunk).sum().item<int64_t>());
            s.negInf += static_cast<std::uint64_t>(at::isneginf(chunk).sum().item<int64_t>());
            s.zeros += static_cast<std::uint64_t>(chunk.eq(0).sum().item<int64_t>());
            if (nFinite == 0)
                continue;
            const at::Tensor values = at::where(finite, chunk, at::zeros({}, chunk.options()));
            const double mean = values.sum().item<double>() / nFinite;
            const double m2 = at::where(finite, (chunk - mean).square(), at::zeros({}, chunk.options())).sum().item<double>();
            moments.merge(nFinite, mean, m2);
            const auto inf = std::numeric_limits<double>::infinity();
            lo = std::min(lo, at::where(finite, chunk, at::full({}, inf, chunk.options())).min().item<double>());
            hi = std::max(hi, at::where(finite, chunk, at::full({}, -inf, chunk.options())).max().item<double>());
        }
        s.finite = static_cast<std::uint64_t>(moments.n);
        if (s.finite > 0) {
            s.mean = moments.mean;
            s.std = s.finite > 1 ? std::sqrt(moments.m2 / (moments.n - 1)) : std::nan("");
            s.min = lo;
            s.max = hi;
        }
    }

    ckpt::Histogram histogram(const ckpt::TensorView &view, int bins) const override
    {
        ckpt::Histogram h;
        const ckpt::TensorStatistics s = statistics(view);
        if (!s.valid || s.finite == 0 || bins <= 0)
            return h;
        h.min = s.min;
        h.max = s.max;
        h.counts.assign(static_cast<std::size_t>(bins), 0);
        try {
            at::NoGradGuard noGrad;
            const double hi = s.max > s.min ? s.max : s.min + 1; // a constant tensor fills the first bin
            forEachChunk(flatView(view), [&](const at::Tensor &chunk) {
                const at::Tensor finite = chunk.masked_select(at::isfinite(chunk));
                addCounts(h, at::histc(finite, bins, s.min, hi));
            });
        } catch (const std::exception &) {
            h.counts.clear();
        }
        return h;
    }

    ckpt::Histogram histogramInRange(const ckpt::TensorView &view, int bins, double lo, double hi) const override
    {
        ckpt::Histogram h;
        if (!scalarType(view.dtype) || bins <= 0 || !(hi >= lo))
            return h;
        h.min = lo;
        h.max = hi > lo ? hi : lo + 1;
        h.counts.assign(static_cast<std::size_t>(bins), 0);
        try {
            at::NoGradGuard noGrad;
            forEachChunk(flatView(view), [&](const at::Tensor &chunk) {
                const at::Tensor finite = chunk.masked_select(at::isfinite(chunk));
                addCounts(h, at::histc(finite, bins, h.min, h.max));
            });
        } catch (const std::exception &) {
            h.counts.clear();
        }
        return h;
    }

    ckpt::PairMetrics compare(const ckpt::TensorView &a, const ckpt::TensorView &b, double atol, bool castToFloat32) const override
    {
        ckpt::PairMetrics m;
        if (!scalarType(a.dtype) || !scalarType(b.dtype)) {
            m.unsupportedReason = "LibTorch 1.13 has no " + std::string(ckpt::dtypeName(scalarType(a.dtype) ? b.dtype : a.dtype)) + " type";
            return m;
        }
        try {
            at::NoGradGuard noGrad;
            // One pass over both tensors with double accumulators, split over LibTorch's thread pool.
            // Non-contiguous views are copied to contiguous ones first (views are small in practice).
            const at::Tensor fa = flatView(a).contiguous();
            const at::Tensor fb = flatView(b).contiguous();
            if (fa.numel() != fb.numel()) {
                m.unsupportedReason = "different element counts";
                return m;
            }
            const int64_t n = fa.numel();
            m.count = static_cast<std::uint64_t>(n);
            constexpr int64_t kGrain = 1 << 16;
            const int64_t parts = std::max<int64_t>(1, (n + kGrain - 1) / kGrain);
            std::vector<Sums> partial(static_cast<std::size_t>(parts));
            at::parallel_for(0, parts, 1, [&](int64_t first, int64_t last) {
                for (int64_t p = first; p < last; ++p) {
                    const int64_t begin = p * kGrain;
                    const int64_t end = std::min(n, begin + kGrain);
                    partial[static_cast<std::size_t>(p)] = accumulatePair(fa, fb, begin, end, atol, castToFloat32);
                }
            });
            Sums total;
            for (const Sums &p : partial)
                total.merge(p);
            m = total.metrics(static_cast<std::uint64_t>(n));
        } catch (const std::exception &e) {
            m = {};
            m.unsupportedReason = std::string("LibTorch failed: ") + e.what();
        }
        return m;
    }

    ckpt::Histogram differenceHistogram(const ckpt::TensorView &a, const ckpt::TensorView &b, int bins) const override
    {
        ckpt::Histogram h;
        if (!scalarType(a.dtype) || !scalarType(b.dtype) || bins <= 0)
            return h;
        try {
            at::NoGradGuard noGrad;
            const at::Tensor fa = flatView(a);
            const at::Tensor fb = flatView(b);
            if (fa.numel() != fb.numel() || fa.numel() == 0)
                return h;
            const at::Tensor d = (fa.to(at::kDouble) - fb.to(at::kDouble));
            const at::Tensor finite = d.masked_select(at::isfinite(d));
            if (finite.numel() == 0)
                return h;
            h.min = finite.min().item<double>();
            h.max = finite.max().item<double>();
            if (!(h.max > h.min))
                h.max = h.min + 1;
            h.counts.assign(static_cast<std::size_t>(bins), 0);
            addCounts(h, at::histc(finite, bins, h.min, h.max));
        } catch (const std::exception &) {
            h.counts.clear();
        }
        return h;
    }

    std::vector<double> firstValues(const ckpt::TensorView &view, std::size_t n) const override
    {
        std::vector<double> out;
        if (!scalarType(view.dtype))
            return out;
        try {
            at::NoGradGuard noGrad;
            const at::Tensor flat = flatView(view);
            const int64_t count = std::min<int64_t>(static_cast<int64_t>(n), flat.numel());
            at::Tensor head = flat.narrow(0, 0, count);
            head = (head.is_complex() ? at::real(head) : head).to(at::kDouble).contiguous();
            out.assign(head.data_ptr<double>(), head.data_ptr<double>() + count);
        } catch (const std::exception &) {
            out.clear();
        }
        return out;
    }

    std::vector<std::byte> convert(const ckpt::TensorView &view, ckpt::DType to) const override
    {
        const auto from = scalarType(view.dtype);
        const auto target = scalarType(to);
        if (!from || !target)
            throw ckpt::Error(ckpt::ErrorKind::Unsupported,
                "LibTorch 1.13 cannot convert " + std::string(ckpt::dtypeName(view.dtype)) + " to " + std::string(ckpt::dtypeName(to)));
        try {
            at::NoGradGuard noGrad;
            std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
            std::vector<int64_t> stride(view.stride.begin(), view.stride.end());
            std::uint64_t count = 1;
            for (auto d : shape)
                count *= static_cast<std::uint64_t>(d);
            std::vector<std::byte> out(count * ckpt::dtypeItemSize(to));
            if (count == 0)
                return out;
            const at::Tensor src = at::from_blob(const_cast<std::byte *>(view.base), shape, stride, at::TensorOptions().dtype(*from));
            // Write straight into the result: a contiguous tensor over our buffer, filled by copy_ (Tensor.to's kernel).
            at::Tensor dst = at::from_blob(out.data(), shape, at::TensorOptions().dtype(*target));
            dst.copy_(src);
            return out;
        } catch (const c10::Error &e) {
            throw ckpt::Error(ckpt::ErrorKind::Io, std::string("LibTorch failed to convert a tensor: ") + e.what_without_backtrace());
        }
    }

    void copyInto(const ckpt::TensorView &to, const ckpt::TensorView &from) const override
    {
        try {
            at::NoGradGuard noGrad;
            copyTensor(tensorOver(to), tensorOver(from));
        } catch (const c10::Error &e) {
            throw ckpt::Error(ckpt::ErrorKind::Io, std::string("LibTorch failed to copy a tensor: ") + e.what_without_backtrace());
        }
    }

    void resaveTorchScript(const std::string &input, const std::string &output, const ckpt::TorchScriptEdits &edits) const override
    {
        std::optional<at::ScalarType> target;
        if (edits.dtype) {
            target = scalarType(*edits.dtype);
            if (!target)
                throw ckpt::Error(ckpt::ErrorKind::Unsupported, "LibTorch 1.13 has no " + std::string(ckpt::dtypeName(*edits.dtype)));
        }
        std::vector<std::pair<std::string, at::Tensor>> copies;
        for (const auto &[name, view] : edits.copies)
            copies.emplace_back(name, tensorOver(view));
        ckpt::torchscript::resave(input, output, edits.requiresGrad, target, copies);
    }

    std::string libtorchVersion() const override { return TORCH_VERSION; }
};

} // namespace

extern "C" __attribute__((visibility("default"))) ckpt::TensorMath *ckpt_create_tensor_math()
{
    static TorchTensorMath instance;
    return &instance;
}

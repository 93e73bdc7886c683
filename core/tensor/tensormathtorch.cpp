// The LibTorch implementation of TensorMath: tensors are at::from_blob views over the mapped bytes.
#include "tensormath.h"

#include "format/error.h"
#include "torchscriptresave.h"

#include <ATen/ATen.h>
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
            s.unsupportedReason = "a broadcast view of " + std::to_string(s.count) + " elements over "
                                  + std::to_string(view.storageElements) + " stored ones";
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

    // The tensor as a 1-D view over the mapped bytes (a copy only for non-contiguous layouts).
    static at::Tensor flatView(const ckpt::TensorView &view)
    {
        std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
        std::vector<int64_t> stride(view.stride.begin(), view.stride.end());
        const at::Tensor t = at::from_blob(const_cast<std::byte *>(view.base), shape, stride,
                                           at::TensorOptions().dtype(*scalarType(view.dtype)));
        return t.is_contiguous() ? t.view({-1}) : t.reshape({-1});
    }

    static void accumulate(const ckpt::TensorView &view, const std::vector<int64_t> &shape, const std::vector<int64_t> &stride,
                           at::ScalarType type, ckpt::TensorStatistics &s)
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
            const at::Tensor flat = flatView(view);
            constexpr int64_t kChunk = 1 << 22;
            const double hi = s.max > s.min ? s.max : s.min + 1; // a constant tensor fills the first bin
            for (int64_t start = 0; start < flat.numel(); start += kChunk) {
                at::Tensor chunk = flat.narrow(0, start, std::min(kChunk, flat.numel() - start));
                chunk = chunk.is_complex() ? chunk.abs().to(at::kDouble) : chunk.to(at::kDouble);
                const at::Tensor finite = chunk.masked_select(at::isfinite(chunk));
                const at::Tensor counts = at::histc(finite, bins, s.min, hi).to(at::kLong);
                const auto *c = counts.data_ptr<int64_t>();
                for (int b = 0; b < bins; ++b)
                    h.counts[static_cast<std::size_t>(b)] += static_cast<std::uint64_t>(c[b]);
            }
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
            throw ckpt::Error(ckpt::ErrorKind::Unsupported, "LibTorch 1.13 cannot convert " + std::string(ckpt::dtypeName(view.dtype))
                                                               + " to " + std::string(ckpt::dtypeName(to)));
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

    void resaveTorchScript(const std::string &input, const std::string &output,
                           const std::vector<std::pair<std::string, bool>> &requiresGrad,
                           std::optional<ckpt::DType> dtype) const override
    {
        std::optional<at::ScalarType> target;
        if (dtype) {
            target = scalarType(*dtype);
            if (!target)
                throw ckpt::Error(ckpt::ErrorKind::Unsupported, "LibTorch 1.13 has no " + std::string(ckpt::dtypeName(*dtype)));
        }
        ckpt::torchscript::resave(input, output, requiresGrad, target);
    }

    std::string libtorchVersion() const override { return TORCH_VERSION; }
};

} // namespace

extern "C" __attribute__((visibility("default"))) ckpt::TensorMath *ckpt_create_tensor_math()
{
    static TorchTensorMath instance;
    return &instance;
}

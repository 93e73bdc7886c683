// SPDX-License-Identifier: MIT
// Tensor math over the mapped bytes, done by LibTorch in a plugin (core/tensor) that is loaded on first
// use: a process that links LibTorch spends seconds and ~160 MB starting, which listing never pays.
#pragma once

#include "format/dtype.h"
#include "format/pickle/value.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>
#include <span>
#include <string>

namespace ckpt {

// The elements of one tensor, in place: base points at element 0 of the view.
struct TensorView
{
    const std::byte *base = nullptr;
    DType dtype = DType::Float32;
    std::span<const std::int64_t> shape;
    std::span<const std::int64_t> stride;
    std::uint64_t storageElements = 0; // elements from base to the end of the storage

    static TensorView of(const pickle::TensorValue &t);
};

// Summary statistics over the finite values (complex tensors: over their magnitudes; quantized: the
// stored integers). NaN and infinities are counted, not included.
struct TensorStatistics
{
    bool valid = false;
    std::string unsupportedReason; // set when !valid
    std::uint64_t count = 0; // elements
    std::uint64_t finite = 0;
    std::uint64_t nan = 0;
    std::uint64_t posInf = 0;
    std::uint64_t negInf = 0;
    std::uint64_t zeros = 0;
    double mean = 0, std = 0, min = 0, max = 0; // std: unbiased, like torch.std
    bool dequantized = false; // over a quantized tensor's dequantized values (StatisticsInput)
};

// Counts of finite values in equal-width bins over [min, max] (complex: magnitudes).
struct Histogram
{
    double min = 0, max = 0;
    std::vector<std::uint64_t> counts;
};

// How two tensors of the same shape differ (both as float64; dtype-changed pairs as float32 first).
struct PairMetrics
{
    bool valid = false;
    std::string unsupportedReason;
    std::uint64_t count = 0; // elements compared
    std::uint64_t changed = 0; // elements with |a - b| > atol
    double maxAbs = 0, meanAbs = 0;
    double relL2 = 0; // ||a - b|| / ||a||  (0 when both are zero, inf when only a is)
    double cosine = 1; // a.b / (||a|| ||b||)  (1 when both are zero)
    double changedFraction() const { return count ? static_cast<double>(changed) / static_cast<double>(count) : 0.0; }
};

// What re-saving a TorchScript archive changes.
struct TorchScriptEdits
{
    std::vector<std::pair<std::string, bool>> requiresGrad; // per parameter name; names not listed keep theirs
    std::optional<DType> dtype; // floating parameters and buffers, as nn.Module.to(dtype)
    // state_dict name -> new values, copied in as load_state_dict does (cast to the tensor's dtype).
    std::vector<std::pair<std::string, TensorView>> copies;
};

class TensorMath
{
public:
    virtual ~TensorMath() = default;
    virtual TensorStatistics statistics(const TensorView &t) const = 0;
    // Empty counts when there is nothing finite to count or the dtype is unsupported.
    virtual Histogram histogram(const TensorView &t, int bins) const = 0;
    // The first n elements in row-major order as doubles (complex: real parts; quantized: stored integers).
    virtual std::vector<double> firstValues(const TensorView &t, std::size_t n) const = 0;
    // Finite values binned over [lo, hi] (values outside are not counted).
    virtual Histogram histogramInRange(const TensorView &t, int bins, double lo, double hi) const = 0;
    // a and b must have the same shape. castToFloat32: round both to float32 first (dtype-changed pairs).
    virtual PairMetrics compare(const TensorView &a, const TensorView &b, double atol, bool castToFloat32) const = 0;
    // Histogram of a - b over its finite range.
    virtual Histogram differenceHistogram(const TensorView &a, const TensorView &b, int bins) const = 0;
    // The elements converted to another floating dtype with PyTorch's rounding (Tensor.to), contiguous.
    // Throws ckpt::Error(Unsupported) for dtypes LibTorch 1.13 lacks.
    virtual std::vector<std::byte> convert(const TensorView &t, DType to) const = 0;
    // Writes from's elements into to's places, cast as Tensor.copy_ casts (to.base must be writable memory
    // of to.storageElements elements). Throws ckpt::Error(Unsupported) for dtypes LibTorch 1.13 lacks.
    virtual void copyInto(const TensorView &to, const TensorView &from) const = 0;
    // Loads a TorchScript archive with torch::jit::load, applies the edits and saves it to output.
    virtual void resaveTorchScript(const std::string &input, const std::string &output, const TorchScriptEdits &edits) const = 0;
    virtual std::string libtorchVersion() const = 0;
};

// Loads the plugin once (thread-safe); throws ckpt::Error(Unsupported) naming what failed to load.
const TensorMath &tensorMath();

} // namespace ckpt

// The plugin's entry point.
extern "C" ckpt::TensorMath *ckpt_create_tensor_math();

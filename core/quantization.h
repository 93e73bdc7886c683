// SPDX-License-Identifier: MIT
// Eager-mode quantized tensors (torch._utils._rebuild_qtensor): their quantizer parameters, and their
// values dequantized, so that statistics describe the numbers the model computes with.
#pragma once

#include "format/pickle/value.h"
#include "tensormath.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct QuantizationInfo
{
    std::string scheme; // per_tensor_affine, per_channel_affine, per_channel_affine_float_qparams ...
    double scale = 0; // per tensor
    double zeroPoint = 0; // per tensor
    std::int64_t axis = -1; // per channel
    std::vector<double> scales; // per channel, one per slice along axis
    std::vector<double> zeroPoints;
    bool perChannel() const { return axis >= 0; }
};

// The quantizer of a tensor read through _rebuild_qtensor; nullopt for other tensors and for quantizers
// whose parameters are not what PyTorch writes (then statistics stay on the stored integers).
std::optional<QuantizationInfo> quantizationOf(const pickle::TensorValue &t);

// One line for people: "per_channel_affine, axis 0, scales 0.0012 ... 0.0031, zero points 0".
std::string quantizationText(const QuantizationInfo &q);

// What statistics and histograms look at: the tensor itself, or the dequantized values of a quantized
// tensor ((q - zero_point) * scale, per channel where the scheme says so) as contiguous float32.
class StatisticsInput
{
public:
    explicit StatisticsInput(const pickle::TensorValue &t);
    const TensorView &view() const { return m_view; }
    bool dequantized() const { return m_dequantized; }

private:
    std::vector<float> m_values;
    std::vector<std::int64_t> m_stride;
    TensorView m_view;
    bool m_dequantized = false;
};

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Four doubles per vector register for the block kernels (statistics, diff): GCC does not vectorise
// floating-point reductions by itself without reordering them, so the kernels spell out their lanes with
// these. A kernel body is written once, CKPT_KERNEL (always inlined), and compiled twice: into an AVX2
// function and a baseline one (two SSE2 halves per vector), chosen at run time by hasAvx2(). Both do the
// same arithmetic in the same order, so results do not depend on the machine.
#pragma once

#include "elementreaders.h"

#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#define CKPT_KERNEL [[gnu::always_inline]] inline

namespace ckpt::lanes {

using Vec = double __attribute__((vector_size(32)));
using Mask = std::int64_t __attribute__((vector_size(32)));
constexpr std::size_t kLanes = 4;

inline bool hasAvx2()
{
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
}

// Elements i .. i + 3 as doubles.
template<typename R>
CKPT_KERNEL Vec load(const std::byte *p, std::size_t i)
{
    if constexpr (std::is_same_v<R, elements::F32>) {
        using Floats = float __attribute__((vector_size(16)));
        Floats f;
        std::memcpy(&f, p + 4 * i, sizeof f);
        return __builtin_convertvector(f, Vec);
    } else {
        return Vec{R::get(p, i), R::get(p, i + 1), R::get(p, i + 2), R::get(p, i + 3)};
    }
}

// All ones where x is finite (a compare on the magnitude, so it vectorises); integers always are.
template<typename R>
CKPT_KERNEL Mask finiteMask(Vec x)
{
    if constexpr (R::kFloating) {
        const Vec magnitude = reinterpret_cast<Vec>(reinterpret_cast<Mask>(x) & std::numeric_limits<std::int64_t>::max());
        return magnitude <= DBL_MAX; // false for NaN and both infinities
    } else {
        return Mask{} == 0;
    }
}

CKPT_KERNEL Vec select(Mask m, Vec yes, Vec no)
{
    return reinterpret_cast<Vec>((m & reinterpret_cast<Mask>(yes)) | (~m & reinterpret_cast<Mask>(no)));
}

CKPT_KERNEL Vec abs(Vec x)
{
    return reinterpret_cast<Vec>(reinterpret_cast<Mask>(x) & std::numeric_limits<std::int64_t>::max());
}

// x rounded to float32 and back, as Tensor.to(torch.float32) would round it.
CKPT_KERNEL Vec roundToFloat32(Vec x)
{
    using Floats = float __attribute__((vector_size(16)));
    return __builtin_convertvector(__builtin_convertvector(x, Floats), Vec);
}

} // namespace ckpt::lanes

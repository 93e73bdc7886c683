// SPDX-License-Identifier: MIT
#include "crc32.h"

#include <zlib.h>

#include <algorithm>
#include <future>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#define CKPT_CRC_PCLMUL 1
#endif

namespace ckpt {

namespace {

// zlib's crc32 takes at most 4 GiB at a time.
std::uint32_t zlibUpdate(std::uint32_t crc, std::span<const std::byte> data)
{
    uLong c = crc;
    while (!data.empty()) {
        const auto n = static_cast<uInt>(std::min<std::size_t>(data.size(), 1u << 30));
        c = crc32(c, reinterpret_cast<const Bytef *>(data.data()), n);
        data = data.subspan(n);
    }
    return static_cast<std::uint32_t>(c);
}

#ifdef CKPT_CRC_PCLMUL
// The folding constants of the reflected polynomial 0xEDB88320, x^k mod P(x) bit-reflected and shifted left by
// one, as in Intel's paper: fold 512 bits (four lanes), fold 128 bits, fold 96 to 64 bits, and the Barrett pair
// (P(x) and floor(x^64 / P(x))).
alignas(16) constexpr std::uint64_t kFold512[2] = {0x0154442bd4, 0x01c6e41596};
alignas(16) constexpr std::uint64_t kFold128[2] = {0x01751997d0, 0x00ccaa009e};
alignas(16) constexpr std::uint64_t kFold64[2] = {0x0163cd6124, 0};
alignas(16) constexpr std::uint64_t kBarrett[2] = {0x01db710641, 0x01f7011641};

[[gnu::target("pclmul,sse4.1")]] inline __m128i load(const std::byte *at)
{
    return _mm_loadu_si128(reinterpret_cast<const __m128i *>(at));
}

// Multiplies the two halves of x by the two constants of k and adds (xors) the products to next.
[[gnu::target("pclmul,sse4.1")]] inline __m128i fold(__m128i x, __m128i k, __m128i next)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

// state: the running register (the CRC complemented); n >= 64 and a multiple of 16. Returns the new register.
[[gnu::target("pclmul,sse4.1")]] std::uint32_t foldPclmul(std::uint32_t state, const std::byte *p, std::size_t n)
{
    __m128i x1 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(state)));
    __m128i x2 = load(p + 16), x3 = load(p + 32), x4 = load(p + 48);
    p += 64;
    n -= 64;
    // Four independent lanes hide the multiplier's latency.
    const __m128i k512 = _mm_load_si128(reinterpret_cast<const __m128i *>(kFold512));
    for (; n >= 64; p += 64, n -= 64) {
        x1 = fold(x1, k512, load(p));
        x2 = fold(x2, k512, load(p + 16));
        x3 = fold(x3, k512, load(p + 32));
        x4 = fold(x4, k512, load(p + 48));
    }
    const __m128i k128 = _mm_load_si128(reinterpret_cast<const __m128i *>(kFold128));
    x1 = fold(x1, k128, x2);
    x1 = fold(x1, k128, x3);
    x1 = fold(x1, k128, x4);
    for (; n >= 16; p += 16, n -= 16)
        x1 = fold(x1, k128, load(p));
    // 128 bits to 64, then Barrett reduction to 32.
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i x = _mm_xor_si128(_mm_clmulepi64_si128(x1, k128, 0x10), _mm_srli_si128(x1, 8));
    const __m128i k64 = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(kFold64));
    x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), k64, 0x00), _mm_srli_si128(x, 4));
    const __m128i barrett = _mm_load_si128(reinterpret_cast<const __m128i *>(kBarrett));
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    return static_cast<std::uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t), 1));
}

bool hasPclmul()
{
    static const bool has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    return has;
}
#endif

} // namespace

std::uint32_t crc32Update(std::uint32_t crc, std::span<const std::byte> data)
{
#ifdef CKPT_CRC_PCLMUL
    if (data.size() >= 64 && hasPclmul()) {
        const std::size_t folded = data.size() & ~std::size_t(15);
        crc = ~foldPclmul(~crc, data.data(), folded);
        data = data.subspan(folded);
    }
#endif
    return zlibUpdate(crc, data);
}

std::uint32_t crc32Combine(std::uint32_t crcA, std::uint32_t crcB, std::uint64_t lengthB)
{
    return static_cast<std::uint32_t>(crc32_combine64(crcA, crcB, static_cast<z_off64_t>(lengthB)));
}

std::uint32_t crc32Of(std::span<const std::byte> data)
{
    constexpr std::size_t kParallelFrom = 32u << 20;
    const std::size_t parts = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
    if (data.size() < kParallelFrom || parts == 1)
        return crc32Update(0, data);
    const std::size_t step = (data.size() + parts - 1) / parts;
    std::vector<std::future<std::uint32_t>> futures;
    for (std::size_t at = step; at < data.size(); at += step)
        futures.push_back(std::async(std::launch::async, [part = data.subspan(at, std::min(step, data.size() - at))] { return crc32Update(0, part); }));
    std::uint32_t crc = crc32Update(0, data.first(step));
    for (std::size_t i = 0; i < futures.size(); ++i) {
        const std::size_t at = step * (i + 1);
        crc = crc32Combine(crc, futures[i].get(), std::min(step, data.size() - at));
    }
    return crc;
}

} // namespace ckpt

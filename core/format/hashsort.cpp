// SPDX-License-Identifier: MIT
#include "hashsort.h"

#include <algorithm>
#include <array>

namespace ckpt {

namespace {
constexpr int kDigitBits = 16;
constexpr std::size_t kBuckets = std::size_t(1) << kDigitBits;
// Below this, the comparisons cost less than clearing the counts.
constexpr std::size_t kRadixFrom = 8192;
} // namespace

void sortHashIndex(std::vector<HashIndex> &v)
{
    if (v.size() < kRadixFrom) {
        std::sort(v.begin(), v.end());
        return;
    }
    // Least significant digit first, each pass stable: the index's two digits, then the hash's four.
    std::vector<HashIndex> scratch(v.size());
    std::vector<std::uint32_t> counts(kBuckets);
    auto pass = [&](auto digitOf) {
        std::fill(counts.begin(), counts.end(), 0);
        for (const HashIndex &x : v)
            ++counts[digitOf(x)];
        if (counts[digitOf(v.front())] == v.size())
            return; // every element has this digit: nothing moves
        std::uint32_t sum = 0;
        for (auto &c : counts)
            sum += std::exchange(c, sum);
        for (const HashIndex &x : v)
            scratch[counts[digitOf(x)]++] = x;
        v.swap(scratch);
    };
    for (int shift = 0; shift < 32; shift += kDigitBits)
        pass([shift](const HashIndex &x) { return (x.second >> shift) & (kBuckets - 1); });
    for (int shift = 0; shift < 64; shift += kDigitBits)
        pass([shift](const HashIndex &x) { return static_cast<std::size_t>(x.first >> shift) & (kBuckets - 1); });
}

} // namespace ckpt

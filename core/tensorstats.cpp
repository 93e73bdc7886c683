// SPDX-License-Identifier: MIT
#include "tensorstats.h"

#include "elementreaders.h"
#include "lanes.h"
#include "parallelwork.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <type_traits>

namespace ckpt {

namespace {

// Elements per block: 16K float32 are 64 KB, so the second pass over a block (the squared deviations
// around its mean) reads from the core's cache, not from memory.
constexpr std::size_t kBlock = 16384;
// Bytes per work item: large enough that threads rarely meet at the counter, small enough to balance two
// cores over a few big tensors and to release pages behind the scan as it goes.
constexpr std::size_t kItemBytes = std::size_t(8) << 20;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Chan et al.'s pairwise merge of (count, mean, M2), so blocks combine without cancellation.
struct Accumulator
{
    double n = 0, mean = 0, m2 = 0;
    double min = kInf, max = -kInf;
    std::uint64_t nan = 0, posInf = 0, negInf = 0, zeros = 0;

    void merge(const Accumulator &o)
    {
        nan += o.nan;
        posInf += o.posInf;
        negInf += o.negInf;
        zeros += o.zeros;
        min = std::min(min, o.min);
        max = std::max(max, o.max);
        if (o.n == 0)
            return;
        const double total = n + o.n;
        const double delta = o.mean - mean;
        mean += delta * o.n / total;
        m2 += o.m2 + delta * delta * n * o.n / total;
        n = total;
    }
};

using namespace lanes;

// Two passes over one block that sits in cache: count, sum, min, max and zeros, then the squared
// deviations around the block's mean (as exact as a two-pass algorithm, at the memory cost of one pass).
// Lane j takes elements i + j: a fixed order, so results do not depend on the machine.
template<typename R>
CKPT_KERNEL Accumulator blockStatisticsBody(const std::byte *p, std::size_t n)
{
    const Vec zero{}, inf = zero + kInf;
    Vec sum = zero, lo = inf, hi = -inf;
    Mask count{}, zeros{}; // minus the number of finite values and of zeros (a true lane is -1)
    const std::size_t whole = n - n % kLanes;
    for (std::size_t i = 0; i < whole; i += kLanes) {
        const Vec x = load<R>(p, i);
        const Mask f = finiteMask<R>(x);
        sum += select(f, x, zero);
        count += f;
        zeros += x == 0.0;
        lo = select(f & (x < lo), x, lo);
        hi = select(f & (x > hi), x, hi);
    }
    double s = 0;
    std::int64_t finite = 0, z = 0;
    Accumulator a;
    for (std::size_t j = 0; j < kLanes; ++j) {
        s += sum[j];
        finite -= count[j];
        z -= zeros[j];
        a.min = std::min(a.min, lo[j]);
        a.max = std::max(a.max, hi[j]);
    }
    for (std::size_t i = whole; i < n; ++i) {
        const double x = R::get(p, i);
        const bool f = std::abs(x) <= DBL_MAX;
        s += f ? x : 0.0;
        finite += f;
        z += x == 0.0;
        a.min = (f && x < a.min) ? x : a.min;
        a.max = (f && x > a.max) ? x : a.max;
    }
    a.n = static_cast<double>(finite);
    a.zeros = static_cast<std::uint64_t>(z);
    if (static_cast<std::size_t>(finite) < n) { // rare: a block with NaN or infinities is counted element by element
        for (std::size_t i = 0; i < n; ++i) {
            const double x = R::get(p, i);
            a.nan += std::isnan(x);
            a.posInf += x == kInf;
            a.negInf += x == -kInf;
        }
    }
    if (finite == 0)
        return a;
    a.mean = s / a.n;
    Vec m2 = zero;
    const Vec mean = zero + a.mean;
    for (std::size_t i = 0; i < whole; i += kLanes) {
        const Vec x = load<R>(p, i);
        const Vec d = x - mean;
        m2 += select(finiteMask<R>(x), d * d, zero);
    }
    for (std::size_t j = 0; j < kLanes; ++j)
        a.m2 += m2[j];
    for (std::size_t i = whole; i < n; ++i) {
        const double x = R::get(p, i);
        const double d = x - a.mean;
        a.m2 += std::abs(x) <= DBL_MAX ? d * d : 0.0;
    }
    return a;
}

template<typename R>
[[gnu::target("avx2")]] Accumulator blockStatisticsAvx2(const std::byte *p, std::size_t n)
{
    return blockStatisticsBody<R>(p, n);
}

template<typename R>
Accumulator blockStatisticsBaseline(const std::byte *p, std::size_t n)
{
    return blockStatisticsBody<R>(p, n);
}

template<typename R>
Accumulator blockStatistics(const std::byte *p, std::size_t n)
{
    return hasAvx2() ? blockStatisticsAvx2<R>(p, n) : blockStatisticsBaseline<R>(p, n);
}

template<typename R>
Accumulator statisticsOfBytes(std::span<const std::byte> bytes, std::size_t item)
{
    Accumulator total;
    const std::size_t n = bytes.size() / item;
    for (std::size_t first = 0; first < n; first += kBlock)
        total.merge(blockStatistics<R>(bytes.data() + first * item, std::min(kBlock, n - first)));
    return total;
}

// torch.histc's binning (aten/src/ATen/native/cpu/HistogramKernel.cpp, linear interpolation): the bin is
// (x - lo) * bins / (hi - lo), truncated; x == hi goes to the last bin; values outside [lo, hi] and NaN are left out.
template<typename R>
void binBytes(std::span<const std::byte> bytes, std::size_t item, double lo, double hi, std::vector<std::uint64_t> &counts)
{
    const std::size_t n = bytes.size() / item;
    const auto bins = static_cast<std::int64_t>(counts.size());
    const double width = hi - lo;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = R::get(bytes.data(), i);
        if (!(x >= lo && x <= hi))
            continue;
        auto bin = static_cast<std::int64_t>((x - lo) * static_cast<double>(bins) / width);
        bin = std::clamp<std::int64_t>(bin, 0, bins - 1);
        ++counts[static_cast<std::size_t>(bin)];
    }
}

// One item: a run of whole blocks of one source.
struct Item
{
    std::size_t source = 0;
    std::uint64_t first = 0, count = 0;
};

std::vector<Item> itemsOf(std::span<const ElementSource> sources, const std::vector<bool> &wanted)
{
    std::vector<Item> items;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        if (!wanted[s])
            continue;
        const std::uint64_t perItem = std::max<std::uint64_t>(kBlock, (kItemBytes / sources[s].itemSize()) / kBlock * kBlock);
        for (std::uint64_t first = 0; first < sources[s].count(); first += perItem)
            items.push_back({s, first, std::min(perItem, sources[s].count() - first)});
    }
    return items;
}

// Reports bytes done from worker threads, one call at a time, and lets Cancel stop them.
class SharedProgress
{
public:
    SharedProgress(const Progress *progress, std::uint64_t total)
        : m_progress(progress)
        , m_total(total)
    { }
    void add(std::uint64_t bytes)
    {
        m_done.fetch_add(bytes);
        if (!m_progress)
            return;
        const std::lock_guard lock(m_mutex); // read under the lock, so that reports never go backwards
        const std::uint64_t done = m_done.load();
        m_progress->update(m_total ? static_cast<double>(done) / static_cast<double>(m_total) : 1.0);
    }

private:
    const Progress *m_progress;
    std::uint64_t m_total;
    std::atomic<std::uint64_t> m_done{0};
    std::mutex m_mutex;
};

} // namespace

std::vector<TensorStatistics> statisticsOf(std::span<const ElementSource> sources, const Progress *progress)
{
    std::vector<TensorStatistics> out(sources.size());
    std::vector<bool> native(sources.size(), false);
    std::uint64_t totalBytes = 0;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const ElementSource &src = sources[s];
        TensorStatistics &st = out[s];
        st.count = src.count();
        if (src.isBroadcast()) {
            // An expanded (stride 0) view: billions of logical elements over a few stored ones.
            st.unsupportedReason
                = "a broadcast view of " + std::to_string(src.count()) + " elements over " + std::to_string(src.storedElements()) + " stored ones";
            continue;
        }
        native[s] = elements::dispatch(src.dtype(), [](auto) {});
        if (native[s])
            totalBytes += src.count() * src.itemSize();
    }
    const std::vector<Item> items = itemsOf(sources, native);
    std::vector<Accumulator> partial(items.size());
    SharedProgress shared(progress, totalBytes);
    if (progress)
        progress->update(0);
    parallelFor(items.size(), [&](std::size_t i) {
        const Item &it = items[i];
        const ElementSource &src = sources[it.source];
        thread_local std::vector<std::byte> scratch;
        const std::span<const std::byte> bytes = src.read(it.first, it.count, scratch);
        elements::dispatch(src.dtype(), [&](auto reader) { partial[i] = statisticsOfBytes<decltype(reader)>(bytes, src.itemSize()); });
        src.releaseBehind(bytes);
        shared.add(bytes.size());
    });
    std::vector<Accumulator> merged(sources.size());
    for (std::size_t i = 0; i < items.size(); ++i)
        merged[items[i].source].merge(partial[i]);
    for (std::size_t s = 0; s < sources.size(); ++s) {
        TensorStatistics &st = out[s];
        if (!native[s]) {
            if (st.unsupportedReason.empty())
                st = tensorMath().statistics(sources[s].view()); // complex and float8: LibTorch, or why not
            continue;
        }
        const Accumulator &a = merged[s];
        st.valid = true;
        st.finite = static_cast<std::uint64_t>(a.n);
        st.nan = a.nan;
        st.posInf = a.posInf;
        st.negInf = a.negInf;
        st.zeros = a.zeros;
        if (st.finite > 0) {
            st.mean = a.mean;
            st.std = st.finite > 1 ? std::sqrt(a.m2 / (a.n - 1)) : std::nan("");
            st.min = a.min;
            st.max = a.max;
        }
    }
    if (progress)
        progress->update(1);
    return out;
}

TensorStatistics statisticsOf(const ElementSource &source)
{
    return statisticsOf(std::span<const ElementSource>(&source, 1)).front();
}

Histogram histogramInRangeOf(const ElementSource &source, int bins, double lo, double hi)
{
    Histogram h;
    if (bins <= 0 || !(hi >= lo) || source.isBroadcast())
        return h;
    if (!elements::dispatch(source.dtype(), [](auto) {}))
        return tensorMath().histogramInRange(source.view(), bins, lo, hi);
    h.min = lo;
    h.max = hi > lo ? hi : lo + 1;
    h.counts.assign(static_cast<std::size_t>(bins), 0);
    const std::vector<Item> items = itemsOf(std::span<const ElementSource>(&source, 1), {true});
    std::vector<std::vector<std::uint64_t>> partial(items.size());
    parallelFor(items.size(), [&](std::size_t i) {
        thread_local std::vector<std::byte> scratch;
        const std::span<const std::byte> bytes = source.read(items[i].first, items[i].count, scratch);
        partial[i].assign(h.counts.size(), 0);
        elements::dispatch(source.dtype(), [&](auto reader) { binBytes<decltype(reader)>(bytes, source.itemSize(), h.min, h.max, partial[i]); });
        source.releaseBehind(bytes);
    });
    for (const auto &p : partial)
        for (std::size_t b = 0; b < p.size(); ++b)
            h.counts[b] += p[b];
    return h;
}

Histogram histogramOf(const ElementSource &source, int bins, const TensorStatistics &stats)
{
    if (!stats.valid || stats.finite == 0 || bins <= 0)
        return {};
    Histogram h = histogramInRangeOf(source, bins, stats.min, stats.max);
    h.max = stats.max; // the range shown; a constant tensor was binned over [min, min + 1]
    return h;
}

std::vector<double> firstValuesOf(const ElementSource &source, std::size_t n)
{
    const std::uint64_t count = std::min<std::uint64_t>(n, source.count());
    std::vector<double> out;
    if (!elements::dispatch(source.dtype(), [](auto) {}))
        return tensorMath().firstValues(source.view(), n);
    std::vector<std::byte> scratch;
    const std::span<const std::byte> bytes = source.read(0, count, scratch);
    out.resize(static_cast<std::size_t>(count));
    elements::dispatch(source.dtype(), [&](auto reader) {
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = decltype(reader)::get(bytes.data(), i);
    });
    return out;
}

} // namespace ckpt

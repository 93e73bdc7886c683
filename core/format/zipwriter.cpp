// SPDX-License-Identifier: MIT
#include "zipwriter.h"

#include <zlib.h>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ckpt {

namespace {
constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;

// zlib's crc32 takes at most 4 GiB at a time.
uLong crc32Update(uLong crc, std::span<const std::byte> data)
{
    while (!data.empty()) {
        const auto n = static_cast<uInt>(std::min<std::size_t>(data.size(), 1u << 30));
        crc = crc32(crc, reinterpret_cast<const Bytef *>(data.data()), n);
        data = data.subspan(n);
    }
    return crc;
}

// Large spans are split over the cores and the parts' CRCs combined (zlib's crc32_combine): the CRC runs at
// about 3.5 GB/s on one core, slower than a copy to the page cache.
constexpr std::size_t kParallelFrom = 32u << 20;

uLong crc32Parallel(uLong crc, std::span<const std::byte> data)
{
    const std::size_t parts = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
    if (data.size() < kParallelFrom || parts == 1)
        return crc32Update(crc, data);
    const std::size_t step = (data.size() + parts - 1) / parts;
    std::vector<std::future<uLong>> futures;
    for (std::size_t at = step; at < data.size(); at += step)
        futures.push_back(
            std::async(std::launch::async, [part = data.subspan(at, std::min(step, data.size() - at))] { return crc32Update(crc32(0, nullptr, 0), part); }));
    crc = crc32Update(crc, data.first(step));
    for (std::size_t i = 0; i < futures.size(); ++i) {
        const std::size_t at = step * (i + 1);
        crc = crc32_combine(crc, futures[i].get(), static_cast<z_off_t>(std::min(step, data.size() - at)));
    }
    return crc;
}
} // namespace

std::uint32_t crc32Of(std::span<const std::byte> data)
{
    return static_cast<std::uint32_t>(crc32Parallel(crc32(0, nullptr, 0), data));
}

ZipWriter::ZipWriter(Sink sink, Patch patch)
    : m_sink(std::move(sink))
    , m_patch(std::move(patch))
{ }

void ZipWriter::put(const void *data, std::size_t n)
{
    m_sink({static_cast<const std::byte *>(data), n});
    m_offset += n;
}

void ZipWriter::addRecord(std::string_view name, std::span<const std::byte> data)
{
    const std::uint32_t crc = crc32Of(data);
    putLocalHeader(name, data.size(), crc);
    put(data.data(), data.size());
}

void ZipWriter::addRecord(std::string_view name, std::uint64_t size, const Producer &produce)
{
    uLong crc = crc32(0, nullptr, 0);
    std::uint64_t produced = 0;
    if (!m_patch)
        throw std::logic_error("a streamed zip record needs a writer that can patch its header");
    const std::uint64_t headerAt = m_offset;
    putLocalHeader(name, size, 0);
    produce([&](std::span<const std::byte> data) {
        // The CRC on another core while this one writes the same bytes.
        std::future<uLong> part = std::async(std::launch::async, [data] { return crc32Parallel(crc32(0, nullptr, 0), data); });
        try {
            put(data.data(), data.size());
        } catch (...) {
            part.wait();
            throw;
        }
        crc = crc32_combine(crc, part.get(), static_cast<z_off_t>(data.size()));
        produced += data.size();
    });
    if (produced != size)
        throw std::logic_error("a streamed zip record produced another size than it announced");
    const auto value = static_cast<std::uint32_t>(crc);
    m_patch(headerAt + 14, {reinterpret_cast<const std::byte *>(&value), 4}); // the local header's CRC field
    m_entries.back().crc = value;
}

void ZipWriter::putLocalHeader(std::string_view name, std::uint64_t size, std::uint32_t crc)
{
    const bool zip64 = size >= kMax32 || m_offset >= kMax32;
    const std::size_t zip64Extra = zip64 ? 4 + 16 : 0;
    // PyTorch pads the local header's extra field ("FB" block) so that the data starts 64-byte aligned.
    const std::uint64_t headerEnd = m_offset + 30 + name.size() + zip64Extra + 4;
    const std::size_t padding = static_cast<std::size_t>((kAlignment - headerEnd % kAlignment) % kAlignment);
    const std::uint64_t localOffset = m_offset;
    le<std::uint32_t>(0x04034b50);
    le<std::uint16_t>(zip64 ? 45 : 20);
    le<std::uint16_t>(0); // flags
    le<std::uint16_t>(0); // stored
    le<std::uint16_t>(0); // time
    le<std::uint16_t>(33); // date: 1980-01-01
    le<std::uint32_t>(crc);
    le<std::uint32_t>(zip64 ? kMax32 : static_cast<std::uint32_t>(size));
    le<std::uint32_t>(zip64 ? kMax32 : static_cast<std::uint32_t>(size));
    le<std::uint16_t>(static_cast<std::uint16_t>(name.size()));
    le<std::uint16_t>(static_cast<std::uint16_t>(zip64Extra + 4 + padding));
    put(name.data(), name.size());
    if (zip64) {
        le<std::uint16_t>(0x0001);
        le<std::uint16_t>(16);
        le<std::uint64_t>(size);
        le<std::uint64_t>(size);
    }
    le<std::uint16_t>(0x4246); // "FB"
    le<std::uint16_t>(static_cast<std::uint16_t>(padding));
    static constexpr std::byte kZeros[64] = {};
    put(kZeros, padding);
    m_entries.push_back({std::string(name), localOffset, size, crc});
}

void ZipWriter::finish()
{
    const std::uint64_t cdStart = m_offset;
    for (const auto &e : m_entries) {
        const bool sizes64 = e.size >= kMax32;
        const bool offset64 = e.offset >= kMax32;
        const std::uint16_t extraLen = (sizes64 || offset64) ? static_cast<std::uint16_t>(4 + (sizes64 ? 16 : 0) + (offset64 ? 8 : 0)) : 0;
        le<std::uint32_t>(0x02014b50);
        le<std::uint16_t>(extraLen ? 45 : 20); // made by
        le<std::uint16_t>(extraLen ? 45 : 20); // needed
        le<std::uint16_t>(0);
        le<std::uint16_t>(0);
        le<std::uint16_t>(0);
        le<std::uint16_t>(33);
        le<std::uint32_t>(e.crc);
        le<std::uint32_t>(sizes64 ? kMax32 : static_cast<std::uint32_t>(e.size));
        le<std::uint32_t>(sizes64 ? kMax32 : static_cast<std::uint32_t>(e.size));
        le<std::uint16_t>(static_cast<std::uint16_t>(e.name.size()));
        le<std::uint16_t>(extraLen);
        le<std::uint16_t>(0); // comment
        le<std::uint16_t>(0); // disk
        le<std::uint16_t>(0); // internal attributes
        le<std::uint32_t>(0); // external attributes
        le<std::uint32_t>(offset64 ? kMax32 : static_cast<std::uint32_t>(e.offset));
        put(e.name.data(), e.name.size());
        if (extraLen) {
            le<std::uint16_t>(0x0001);
            le<std::uint16_t>(static_cast<std::uint16_t>(extraLen - 4));
            if (sizes64) {
                le<std::uint64_t>(e.size);
                le<std::uint64_t>(e.size);
            }
            if (offset64)
                le<std::uint64_t>(e.offset);
        }
    }
    const std::uint64_t cdSize = m_offset - cdStart;
    const bool zip64 = m_entries.size() >= 0xFFFF || cdStart >= kMax32 || cdSize >= kMax32;
    if (zip64) {
        const std::uint64_t zip64Eocd = m_offset;
        le<std::uint32_t>(0x06064b50);
        le<std::uint64_t>(44);
        le<std::uint16_t>(45);
        le<std::uint16_t>(45);
        le<std::uint32_t>(0);
        le<std::uint32_t>(0);
        le<std::uint64_t>(m_entries.size());
        le<std::uint64_t>(m_entries.size());
        le<std::uint64_t>(cdSize);
        le<std::uint64_t>(cdStart);
        le<std::uint32_t>(0x07064b50);
        le<std::uint32_t>(0);
        le<std::uint64_t>(zip64Eocd);
        le<std::uint32_t>(1);
    }
    le<std::uint32_t>(0x06054b50);
    le<std::uint16_t>(0);
    le<std::uint16_t>(0);
    le<std::uint16_t>(zip64 ? 0xFFFF : static_cast<std::uint16_t>(m_entries.size()));
    le<std::uint16_t>(zip64 ? 0xFFFF : static_cast<std::uint16_t>(m_entries.size()));
    le<std::uint32_t>(zip64 ? kMax32 : static_cast<std::uint32_t>(cdSize));
    le<std::uint32_t>(zip64 ? kMax32 : static_cast<std::uint32_t>(cdStart));
    le<std::uint16_t>(0);
}

} // namespace ckpt

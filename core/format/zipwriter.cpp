// SPDX-License-Identifier: MIT
#include "zipwriter.h"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <vector>

namespace ckpt {

namespace {
constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;
} // namespace

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
    std::uint32_t crc = 0;
    std::uint64_t produced = 0;
    if (!m_patch)
        throw std::logic_error("a streamed zip record needs a writer that can patch its header");
    const std::uint64_t headerAt = m_offset;
    putLocalHeader(name, size, 0);
    produce([&](std::span<const std::byte> data) {
        // The CRC on another core while this one writes the same bytes.
        std::future<std::uint32_t> part = std::async(std::launch::async, [data] { return crc32Of(data); });
        try {
            put(data.data(), data.size());
        } catch (...) {
            part.wait();
            throw;
        }
        crc = crc32Combine(crc, part.get(), data.size());
        produced += data.size();
    });
    if (produced != size)
        throw std::logic_error("a streamed zip record produced another size than it announced");
    m_patch(headerAt + 14, {reinterpret_cast<const std::byte *>(&crc), 4}); // the local header's CRC field
    m_entries.back().crc = crc;
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

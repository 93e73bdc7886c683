// SPDX-License-Identifier: MIT
// Writes a ZIP_STORED archive the way torch.save does: records 64-byte aligned, zip64 when needed.
#pragma once

#include "crc32.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

class ZipWriter
{
public:
    using Sink = std::function<void(std::span<const std::byte>)>;
    // Writes over bytes the sink already took, at an offset from the start.
    using Patch = std::function<void(std::uint64_t offset, std::span<const std::byte>)>;
    explicit ZipWriter(Sink sink, Patch patch = {});

    void addRecord(std::string_view name, std::span<const std::byte> data);
    void addRecord(std::string_view name, std::string_view text) { addRecord(name, {reinterpret_cast<const std::byte *>(text.data()), text.size()}); }
    // A record of size bytes that is nowhere whole: produce hands its bytes to the sink it is given, in order,
    // in any number of spans, once. The local header's CRC is written afterwards, through the Patch (required).
    using Producer = std::function<void(const Sink &)>;
    void addRecord(std::string_view name, std::uint64_t size, const Producer &produce);
    // Writes the central directory and the end records; the sink then holds a complete archive.
    void finish();

    static constexpr std::uint64_t kAlignment = 64;

    struct Record
    {
        std::string name;
        std::uint64_t offset, size; // offset: of the local header
        std::uint32_t crc; // computed over the bytes as they went out
    };
    // What was written, for checking the archive's directory against it afterwards.
    const std::vector<Record> &records() const { return m_entries; }

private:
    void putLocalHeader(std::string_view name, std::uint64_t size, std::uint32_t crc);
    void put(const void *data, std::size_t n);
    template<typename T>
    void le(T v)
    {
        put(&v, sizeof v);
    }

    Sink m_sink;
    Patch m_patch;
    std::uint64_t m_offset = 0;
    std::vector<Record> m_entries;
};

} // namespace ckpt

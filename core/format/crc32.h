// SPDX-License-Identifier: MIT
// The CRC-32 that ZIP records carry (zlib's), computed by carry-less multiplication (PCLMULQDQ folding, after
// Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ") where the CPU has it, else by zlib:
// the CRC must keep up with a copy through the page cache, and zlib's table method runs at about 3.5 GB/s.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ckpt {

// Extends crc (of the bytes before; 0 to start) over data, as zlib's crc32() does.
std::uint32_t crc32Update(std::uint32_t crc, std::span<const std::byte> data);
// The CRC of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine).
std::uint32_t crc32Combine(std::uint32_t crcA, std::uint32_t crcB, std::uint64_t lengthB);
// The CRC of data; spans over 32 MiB are split over the cores and the parts combined.
std::uint32_t crc32Of(std::span<const std::byte> data);

} // namespace ckpt

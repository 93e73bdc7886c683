// SPDX-License-Identifier: MIT
// Bounds-checked little-endian reads over a byte span; every overrun is a Truncated error.
#pragma once

#include "error.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace ckpt {

inline std::string_view asChars(std::span<const std::byte> b)
{
    return {reinterpret_cast<const char *>(b.data()), b.size()};
}

// a + b and a * b with overflow reported as a Malformed error naming what was computed.
std::uint64_t checkedAdd(std::uint64_t a, std::uint64_t b, const char *what);
std::uint64_t checkedMul(std::uint64_t a, std::uint64_t b, const char *what);

template<typename T>
T loadLE(const std::byte *p)
{
    T v{};
    std::memcpy(&v, p, sizeof(T)); // all supported hosts are little endian (checked in CMake)
    return v;
}

class ByteReader
{
public:
    explicit ByteReader(std::span<const std::byte> data, const char *what = "data")
        : m_data(data)
        , m_what(what)
    { }

    std::size_t pos() const { return m_pos; }
    std::size_t size() const { return m_data.size(); }
    std::size_t remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos >= m_data.size(); }
    void seek(std::size_t pos)
    {
        if (pos > m_data.size())
            fail(ErrorKind::Truncated,
                std::string(m_what) + " offset " + std::to_string(pos) + " is past the end (" + std::to_string(m_data.size()) + " bytes)");
        m_pos = pos;
    }

    void need(std::size_t n) const
    {
        if (n > remaining())
            fail(ErrorKind::Truncated,
                std::string(m_what) + " ends early: need " + std::to_string(n) + " bytes at offset " + std::to_string(m_pos) + ", "
                    + std::to_string(remaining()) + " left");
    }

    std::span<const std::byte> take(std::size_t n)
    {
        need(n);
        auto s = m_data.subspan(m_pos, n);
        m_pos += n;
        return s;
    }

    template<typename T>
    T read()
    {
        need(sizeof(T));
        T v = loadLE<T>(m_data.data() + m_pos);
        m_pos += sizeof(T);
        return v;
    }

    std::uint8_t u8() { return read<std::uint8_t>(); }
    std::uint16_t u16() { return read<std::uint16_t>(); }
    std::uint32_t u32() { return read<std::uint32_t>(); }
    std::uint64_t u64() { return read<std::uint64_t>(); }

private:
    std::span<const std::byte> m_data;
    const char *m_what;
    std::size_t m_pos = 0;
};

} // namespace ckpt

// SPDX-License-Identifier: MIT
#include "tararchive.h"

#include "bytereader.h"
#include "error.h"

#include <algorithm>
#include <charconv>

namespace ckpt {

namespace {
constexpr std::size_t kBlock = 512;

std::string_view field(std::span<const std::byte> header, std::size_t offset, std::size_t len)
{
    auto s = asChars(header.subspan(offset, len));
    const auto nul = s.find('\0');
    return nul == std::string_view::npos ? s : s.substr(0, nul);
}

// Octal (space/NUL padded) or GNU base-256 number.
std::uint64_t number(std::span<const std::byte> header, std::size_t offset, std::size_t len, const char *what)
{
    auto raw = header.subspan(offset, len);
    if (std::to_integer<unsigned>(raw[0]) & 0x80) {
        std::uint64_t v = 0;
        for (std::size_t i = 1; i < len; ++i) {
            if (v >> 56)
                fail(ErrorKind::Malformed, std::string("tar ") + what + " does not fit in 64 bits");
            v = (v << 8) | std::to_integer<unsigned>(raw[i]);
        }
        return v;
    }
    auto s = asChars(raw);
    std::size_t b = 0;
    while (b < s.size() && s[b] == ' ')
        ++b;
    std::size_t e = b;
    while (e < s.size() && s[e] >= '0' && s[e] <= '7')
        ++e;
    for (std::size_t i = e; i < s.size(); ++i)
        if (s[i] != ' ' && s[i] != '\0')
            fail(ErrorKind::Malformed, std::string("tar ") + what + " field is not an octal number");
    std::uint64_t v = 0;
    if (e > b) {
        const auto res = std::from_chars(s.data() + b, s.data() + e, v, 8);
        if (res.ec != std::errc())
            fail(ErrorKind::Malformed, std::string("tar ") + what + " field is out of range");
    }
    return v;
}

bool checksumOk(std::span<const std::byte> header)
{
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
        sum += (i >= 148 && i < 156) ? ' ' : std::to_integer<unsigned>(header[i]);
    try {
        return number(header, 148, 8, "checksum") == sum;
    } catch (const Error &) {
        return false;
    }
}

bool allZero(std::span<const std::byte> block)
{
    return std::all_of(block.begin(), block.end(), [](std::byte b) { return b == std::byte{0}; });
}

// PAX records: "<len> <key>=<value>\n"
void applyPax(std::string_view records, std::string &path, std::uint64_t &size, bool &hasSize)
{
    while (!records.empty()) {
        const auto sp = records.find(' ');
        std::uint64_t len = 0;
        if (sp == std::string_view::npos || std::from_chars(records.data(), records.data() + sp, len).ec != std::errc() || len <= sp + 1
            || len > records.size())
            fail(ErrorKind::Malformed, "invalid PAX extended header record");
        auto rec = records.substr(sp + 1, len - sp - 2); // without trailing newline
        records.remove_prefix(len);
        const auto eq = rec.find('=');
        if (eq == std::string_view::npos)
            continue;
        const auto key = rec.substr(0, eq);
        const auto value = rec.substr(eq + 1);
        if (key == "path") {
            path = value;
        } else if (key == "size") {
            if (std::from_chars(value.data(), value.data() + value.size(), size).ec != std::errc())
                fail(ErrorKind::Malformed, "invalid PAX size");
            hasSize = true;
        }
    }
}
} // namespace

bool TarArchive::looksLikeTar(std::span<const std::byte> bytes)
{
    if (bytes.size() < kBlock)
        return false;
    auto header = bytes.first(kBlock);
    const auto magic = asChars(header.subspan(257, 5));
    return magic == "ustar" || (checksumOk(header) && !allZero(header));
}

TarArchive::TarArchive(std::span<const std::byte> bytes)
{
    std::size_t pos = 0;
    std::string pendingPath;
    std::uint64_t pendingSize = 0;
    bool pendingHasSize = false;
    while (pos + kBlock <= bytes.size()) {
        auto header = bytes.subspan(pos, kBlock);
        if (allZero(header))
            break;
        if (!checksumOk(header))
            fail(ErrorKind::Malformed, "tar header checksum mismatch at offset " + std::to_string(pos));
        std::uint64_t size = number(header, 124, 12, "size");
        if (pendingHasSize)
            size = pendingSize;
        const char type = static_cast<char>(header[156]);
        const std::size_t dataPos = pos + kBlock;
        if (size > bytes.size() - dataPos)
            fail(ErrorKind::Truncated,
                "tar member at offset " + std::to_string(pos) + " claims " + std::to_string(size) + " bytes, more than the archive holds");
        auto data = bytes.subspan(dataPos, static_cast<std::size_t>(size));
        const std::uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;

        if (type == 'x' || type == 'g') {
            if (type == 'x')
                applyPax(asChars(data), pendingPath, pendingSize, pendingHasSize);
        } else if (type == 'L') {
            pendingPath = std::string(field(data, 0, data.size()));
        } else {
            std::string name;
            if (!pendingPath.empty()) {
                name = pendingPath;
            } else {
                const auto prefix = field(header, 345, 155);
                const bool ustar = asChars(header.subspan(257, 5)) == "ustar";
                name = (ustar && !prefix.empty()) ? std::string(prefix) + "/" + std::string(field(header, 0, 100)) : std::string(field(header, 0, 100));
            }
            while (name.starts_with("./"))
                name.erase(0, 2);
            m_members.push_back({std::move(name), data, type == '0' || type == '\0' || type == '7'});
            pendingPath.clear();
            pendingHasSize = false;
        }
        if (padded > bytes.size() - dataPos)
            pos = bytes.size();
        else
            pos = dataPos + static_cast<std::size_t>(padded);
    }
}

const TarMember *TarArchive::find(std::string_view name) const
{
    for (const auto &m : m_members)
        if (m.name == name)
            return &m;
    return nullptr;
}

} // namespace ckpt

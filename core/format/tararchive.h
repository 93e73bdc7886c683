// SPDX-License-Identifier: MIT
// Lists the members of a POSIX / GNU / PAX tar archive held in memory, in place.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

struct TarMember
{
    std::string name;
    std::span<const std::byte> data;
    bool isRegularFile = true;
};

class TarArchive
{
public:
    explicit TarArchive(std::span<const std::byte> bytes); // throws ckpt::Error
    const std::vector<TarMember> &members() const { return m_members; }
    const TarMember *find(std::string_view name) const;

    static bool looksLikeTar(std::span<const std::byte> bytes);

private:
    std::vector<TarMember> m_members;
};

} // namespace ckpt

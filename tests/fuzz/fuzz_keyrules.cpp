// SPDX-License-Identifier: MIT
// User patterns x names from files (issue 13): globs, RE2 searches and key-rule renames over arbitrary names,
// also long ones. Input: line 1 a pattern (glob and regex), line 2 a replacement, every further line a name.
// Besides crashes, checks what must hold: a pattern without wildcards matches itself, '*' matches all.
#include "format/error.h"
#include "keyrules.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= in.size() && lines.size() < 18;) {
        const std::size_t nl = in.find('\n', at);
        lines.emplace_back(in.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
        if (nl == std::string_view::npos)
            break;
        at = nl + 1;
    }
    const std::string pattern = lines.empty() ? std::string() : lines[0];
    const std::string replacement = lines.size() > 1 ? lines[1] : std::string();
    std::vector<std::string> names(lines.begin() + std::min<std::size_t>(lines.size(), 2), lines.end());
    // Long names: the first two repeated to about 1 KiB (long names of 200,000 characters are in tst_hostilenames).
    // Not longer: a pattern that matches the empty string (x*) puts the replacement between every two
    // characters, and $` or $' in it copies the rest of the name each time, so the work grows with the
    // square of the name's length; at 4 KiB such inputs took 10-20 ms each.
    for (std::size_t i = 0; i < 2 && i < names.size(); ++i)
        if (!names[i].empty() && names[i].size() < 256) {
            std::string longName;
            while (longName.size() < (1u << 10))
                longName += names[i];
            names.push_back(std::move(longName));
        }

    if (pattern.find_first_of("*?[") == std::string::npos && !ckpt::globMatch(pattern, pattern))
        std::abort(); // a literal glob matches itself
    for (const auto &n : names) {
        (void)ckpt::globMatch(pattern, n);
        if (!ckpt::globMatch("*", n))
            std::abort();
    }
    try {
        const ckpt::Regex re(pattern);
        for (const auto &n : names) {
            (void)re.search(n);
            (void)re.replace(n, replacement);
        }
    } catch (const ckpt::Error &) { }
    try {
        ckpt::KeyRules rules;
        rules.stripPrefixes.push_back(replacement.substr(0, 4));
        rules.renames.push_back(ckpt::RenameRule::parse(pattern + "=" + replacement));
        (void)ckpt::applyKeyRules(rules, names);
    } catch (const ckpt::Error &) { }
    return 0;
}

// SPDX-License-Identifier: MIT
#include "keyrules.h"

#include "format/error.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <type_traits>
#include <unordered_map>

namespace ckpt {

namespace {

// Characters of a glob pattern or name: ASCII text is matched byte by byte; anything else is decoded to code
// points first, an invalid byte standing for itself (U+DC80 + byte, Python's surrogateescape).
std::u32string decodeUtf8(std::string_view s)
{
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0, min = 0;
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        if ((b & 0xE0) == 0xC0) {
            len = 2, cp = b & 0x1F, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3, cp = b & 0x0F, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4, cp = b & 0x07, min = 0x10000;
        }
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            ok = (c & 0xC0) == 0x80;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(cp);
            i += len;
        } else {
            out.push_back(0xDC00 + b);
            ++i;
        }
    }
    return out;
}

bool isAscii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The classic greedy-star matcher: on a mismatch only the last '*' takes one more character, so there is no
// recursion and at most O(pattern x name) steps ('*a*a*a*b' against a long 'aaaa...' stays fast).
template<typename Text>
bool globMatchChars(const Text &pattern, const Text &name)
{
    using Char = typename Text::value_type;
    auto code = [](Char c) { return static_cast<char32_t>(static_cast<std::make_unsigned_t<Char>>(c)); };
    constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t p = 0, n = 0, starP = npos, starN = 0;
    auto classMatches = [&](std::size_t &pp, char32_t c) -> std::optional<bool> {
        // pattern[pp] == '['; on success pp points past ']'
        std::size_t i = pp + 1;
        bool negate = false;
        if (i < pattern.size() && code(pattern[i]) == U'!') {
            negate = true;
            ++i;
        }
        bool matched = false;
        bool first = true;
        while (i < pattern.size() && (first || code(pattern[i]) != U']')) {
            first = false;
            const char32_t lo = code(pattern[i]);
            char32_t hi = lo;
            if (i + 2 < pattern.size() && code(pattern[i + 1]) == U'-' && code(pattern[i + 2]) != U']') {
                hi = code(pattern[i + 2]);
                i += 3;
            } else {
                ++i;
            }
            if (lo <= c && c <= hi)
                matched = true;
        }
        if (i >= pattern.size())
            return std::nullopt; // no closing ']': the '[' is literal
        pp = i + 1;
        return matched != negate;
    };
    while (n < name.size()) {
        if (p < pattern.size() && code(pattern[p]) == U'*') {
            starP = p++;
            starN = n;
            continue;
        }
        if (p < pattern.size()) {
            const char32_t pc = code(pattern[p]);
            if (pc == U'?') {
                ++p;
                ++n;
                continue;
            }
            if (pc == U'[') {
                std::size_t pp = p;
                const auto m = classMatches(pp, code(name[n]));
                if (m.has_value()) {
                    if (*m) {
                        p = pp;
                        ++n;
                        continue;
                    }
                } else if (code(name[n]) == U'[') {
                    ++p;
                    ++n;
                    continue;
                }
            } else if (pc == code(name[n])) {
                ++p;
                ++n;
                continue;
            }
        }
        if (starP == npos)
            return false;
        p = starP + 1;
        n = ++starN;
    }
    while (p < pattern.size() && code(pattern[p]) == U'*')
        ++p;
    return p == pattern.size();
}

// The length of the UTF-8 character starting at s[i] (1 for a byte that does not start a valid one).
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
    if (i + len > s.size())
        return 1;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 1;
    return len;
}

} // namespace

bool globMatch(std::string_view pattern, std::string_view name)
{
    if (isAscii(pattern) && isAscii(name))
        return globMatchChars(pattern, name);
    return globMatchChars(decodeUtf8(pattern), decodeUtf8(name));
}

Regex::Regex(const std::string &pattern)
    : m_pattern(pattern)
{
    RE2::Options options; // UTF-8, leftmost-first like ECMAScript / Python
    options.set_log_errors(false);
    auto re = std::make_shared<const RE2>(pattern, options);
    if (!re->ok())
        fail(ErrorKind::Malformed, "invalid regular expression '" + pattern + "': " + re->error());
    m_regex = std::move(re);
}

bool Regex::search(const std::string &name) const
{
    return RE2::PartialMatch(name, *m_regex);
}

std::string Regex::replace(const std::string &name, const std::string &replacement) const
{
    const RE2 &re = *m_regex;
    const int groups = re.NumberOfCapturingGroups() + 1;
    // The replacement, as std::regex_replace formats it (ECMAScript rules), read once into pieces rather
    // than again for every match: a pattern that matches the empty string matches at every character.
    // Python-style \1 group references are accepted as well as $1.
    struct Piece
    {
        enum Kind : std::uint8_t { Text, Group, Before, After };
        Kind kind;
        std::size_t group = 0;
        std::string text;
    };
    std::vector<Piece> pieces;
    auto text = [&pieces](char c) {
        if (pieces.empty() || pieces.back().kind != Piece::Text)
            pieces.push_back({Piece::Text});
        pieces.back().text += c;
    };
    std::string fmt;
    for (std::size_t i = 0; i < replacement.size(); ++i) {
        if (replacement[i] == '\\' && i + 1 < replacement.size() && std::isdigit(static_cast<unsigned char>(replacement[i + 1]))) {
            fmt += '$';
            continue;
        }
        fmt += replacement[i];
    }
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '$' || i + 1 == fmt.size()) {
            text(fmt[i]);
            continue;
        }
        const char c = fmt[i + 1];
        if (c == '$') {
            text('$');
            ++i;
        } else if (c == '&') {
            pieces.push_back({Piece::Group, 0});
            ++i;
        } else if (c == '`') {
            pieces.push_back({Piece::Before});
            ++i;
        } else if (c == '\'') {
            pieces.push_back({Piece::After});
            ++i;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t g = static_cast<std::size_t>(c - '0');
            ++i;
            if (i + 1 < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i + 1]))) {
                g = g * 10 + static_cast<std::size_t>(fmt[i + 1] - '0');
                ++i;
            }
            if (g < static_cast<std::size_t>(groups))
                pieces.push_back({Piece::Group, g});
        } else {
            text('$');
        }
    }

    std::vector<re2::StringPiece> m(static_cast<std::size_t>(groups));
    const re2::StringPiece subject(name);
    std::string out;
    std::size_t copied = 0; // name[0, copied) is in out
    std::size_t from = 0; // where the next search starts
    while (from <= name.size() && re.Match(subject, from, name.size(), RE2::UNANCHORED, m.data(), groups)) {
        const std::size_t begin = static_cast<std::size_t>(m[0].data() - name.data());
        const std::size_t end = begin + m[0].size();
        out.append(name, copied, begin - copied);
        for (const Piece &p : pieces) {
            switch (p.kind) {
            case Piece::Text: out += p.text; break;
            case Piece::Group:
                if (m[p.group].data() != nullptr)
                    out.append(m[p.group].data(), m[p.group].size());
                break;
            case Piece::Before: out.append(name, copied, begin - copied); break;
            case Piece::After: out.append(name, end, std::string::npos); break;
            }
        }
        copied = end;
        if (begin == end) {
            // An empty match: the next search starts one character later (so "x*" puts the replacement between
            // characters, as re.sub does), that character kept as it is.
            if (end == name.size())
                break;
            from = end + utf8Length(name, end);
        } else {
            from = end;
        }
    }
    out.append(name, copied, std::string::npos);
    return out;
}

RenameRule RenameRule::parse(const std::string &spec)
{
    const auto eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0)
        fail(ErrorKind::Malformed, "rename '" + spec + "' is not REGEX=REPLACEMENT");
    return RenameRule{Regex(spec.substr(0, eq)), spec.substr(eq + 1)};
}

std::string KeyRules::apply(const std::string &key) const
{
    std::string k = key;
    for (const auto &p : stripPrefixes)
        if (!p.empty() && k.starts_with(p))
            k.erase(0, p.size());
    k = addPrefix + k;
    for (const auto &r : renames)
        k = r.from.replace(k, r.to);
    return k;
}

std::optional<PrefixSuggestion> suggestPrefix(const std::vector<std::string_view> &onlyA, const std::vector<std::string_view> &onlyB)
{
    if (onlyA.empty() || onlyB.empty())
        return std::nullopt;
    // Candidates: the leading segment (with its separator) of each unpaired name on the side that would
    // be stripped; the one that pairs most wins.
    auto best = [](const std::vector<std::string_view> &from, const std::vector<std::string_view> &to, bool sideA) {
        std::unordered_map<std::string_view, std::size_t> targets;
        for (const auto n : to)
            targets.emplace(n, 0);
        std::unordered_map<std::string_view, std::size_t> pairs;
        for (const auto n : from) {
            const auto cut = n.find_first_of("./");
            if (cut == std::string_view::npos)
                continue;
            if (targets.count(n.substr(cut + 1)))
                ++pairs[n.substr(0, cut + 1)];
        }
        PrefixSuggestion s;
        s.sideA = sideA;
        for (const auto &[prefix, count] : pairs)
            if (count > s.wouldPair || (count == s.wouldPair && prefix < s.prefix)) {
                s.prefix = std::string(prefix);
                s.wouldPair = count;
            }
        return s;
    };
    PrefixSuggestion a = best(onlyA, onlyB, true), b = best(onlyB, onlyA, false);
    PrefixSuggestion &s = b.wouldPair > a.wouldPair ? b : a;
    // Worth saying only when it pairs at least half of the smaller unpaired side.
    if (s.wouldPair == 0 || s.wouldPair * 2 < std::min(onlyA.size(), onlyB.size()))
        return std::nullopt;
    return s;
}

std::vector<std::string> applyKeyRules(const KeyRules &rules, const std::vector<std::string> &keys)
{
    std::vector<std::string> out;
    out.reserve(keys.size());
    if (rules.empty())
        return keys; // names of one dict: nothing can collide
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(keys.size());
    std::string collisions;
    int reported = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        out.push_back(rules.apply(keys[i]));
        const auto [it, inserted] = seen.emplace(out.back(), i);
        if (!inserted && reported < 5) {
            collisions += (reported ? "; " : "") + std::string("'") + keys[it->second] + "' and '" + keys[i] + "' both become '" + out.back() + "'";
            ++reported;
        }
    }
    if (!collisions.empty())
        fail(ErrorKind::Malformed, "the key rules map two keys to one name, nothing was written: " + collisions);
    return out;
}

} // namespace ckpt

#include "keyrules.h"

#include "format/error.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>

namespace ckpt {

bool globMatch(std::string_view pattern, std::string_view name)
{
    // Iterative matcher with backtracking to the last '*': linear in practice, no recursion.
    std::size_t p = 0, n = 0, starP = std::string_view::npos, starN = 0;
    auto classMatches = [&](std::size_t &pp, char c) -> std::optional<bool> {
        // pattern[pp] == '['; on success pp points past ']'
        std::size_t i = pp + 1;
        bool negate = false;
        if (i < pattern.size() && (pattern[i] == '!')) {
            negate = true;
            ++i;
        }
        bool matched = false;
        bool first = true;
        while (i < pattern.size() && (first || pattern[i] != ']')) {
            first = false;
            char lo = pattern[i];
            char hi = lo;
            if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
                hi = pattern[i + 2];
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
        if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starN = n;
            continue;
        }
        if (p < pattern.size()) {
            if (pattern[p] == '?') {
                ++p;
                ++n;
                continue;
            }
            if (pattern[p] == '[') {
                std::size_t pp = p;
                const auto m = classMatches(pp, name[n]);
                if (m.has_value()) {
                    if (*m) {
                        p = pp;
                        ++n;
                        continue;
                    }
                } else if (name[n] == '[') {
                    ++p;
                    ++n;
                    continue;
                }
            } else if (pattern[p] == name[n]) {
                ++p;
                ++n;
                continue;
            }
        }
        if (starP == std::string_view::npos)
            return false;
        p = starP + 1;
        n = ++starN;
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

Regex::Regex(const std::string &pattern)
    : m_pattern(pattern)
{
    try {
        m_regex = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error &e) {
        fail(ErrorKind::Malformed, "invalid regular expression '" + pattern + "': " + e.what());
    }
}

bool Regex::search(const std::string &name) const
{
    return std::regex_search(name, m_regex);
}

std::string Regex::replace(const std::string &name, const std::string &replacement) const
{
    // Python-style \1 group references are accepted as well as $1.
    std::string fmt;
    for (std::size_t i = 0; i < replacement.size(); ++i) {
        if (replacement[i] == '\\' && i + 1 < replacement.size() && std::isdigit(static_cast<unsigned char>(replacement[i + 1]))) {
            fmt += '$';
            continue;
        }
        fmt += replacement[i];
    }
    return std::regex_replace(name, m_regex, fmt);
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
            collisions += (reported ? "; " : "") + std::string("'") + keys[it->second] + "' and '" + keys[i] + "' both become '"
                          + out.back() + "'";
            ++reported;
        }
    }
    if (!collisions.empty())
        fail(ErrorKind::Malformed, "the key rules map two keys to one name, nothing was written: " + collisions);
    return out;
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Name matching and key rewriting shared by freeze lists, saving and transplanting:
// fnmatch-style globs, regex renames applied in order, prefix strip/add, and collision checks.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace ckpt {

// fnmatch semantics as Python's fnmatch.fnmatchcase: '*' and '?' also match '.', [seq], [!seq]; '?' and a
// class match one UTF-8 character (a byte that is not valid UTF-8 counts as one character). No recursion and
// no exponential backtracking: O(pattern x name) at worst, whatever a hostile name looks like.
bool globMatch(std::string_view pattern, std::string_view name);

// A compiled regular expression in RE2 syntax (Perl/Python-like, without backreferences or lookaround), UTF-8.
// Linear time in the name and no recursion, so names of any length from a hostile file are safe. Throws
// ckpt::Error(Malformed) naming the pattern when it is invalid. Copies share the compiled program.
class Regex
{
public:
    explicit Regex(const std::string &pattern);
    bool search(const std::string &name) const; // like Python's re.search
    // Every non-overlapping match replaced (re.sub). In the replacement $1..$99 and \1..\9 are groups, $& the
    // match, $` and $' the text before and after it, $$ a '$' (std::regex_replace's ECMAScript format).
    std::string replace(const std::string &name, const std::string &replacement) const;
    const std::string &pattern() const { return m_pattern; }

private:
    std::string m_pattern;
    std::shared_ptr<const re2::RE2> m_regex;
};

struct RenameRule
{
    Regex from;
    std::string to;
    // "REGEX=REPL" as given on the command line (the last '=' that is not escaped separates them).
    static RenameRule parse(const std::string &spec);
};

struct KeyRules
{
    std::vector<std::string> stripPrefixes; // each removed when the key starts with it, in order
    std::string addPrefix;
    std::vector<RenameRule> renames; // applied in order after the prefix rules

    bool empty() const { return stripPrefixes.empty() && addPrefix.empty() && renames.empty(); }
    std::string apply(const std::string &key) const;
};

// When the unpaired names of one side carry a prefix the other side lacks (module. from DataParallel), the
// prefix that would pair most of them if it were stripped from that side.
struct PrefixSuggestion
{
    bool sideA = true; // strip from A (else from B)
    std::string prefix;
    std::size_t wouldPair = 0;
};
// Said only when it would pair at least half of the smaller side.
std::optional<PrefixSuggestion> suggestPrefix(const std::vector<std::string_view> &onlyA, const std::vector<std::string_view> &onlyB);

// Applies rules to every key; throws ckpt::Error(Malformed) naming the keys that would collide.
std::vector<std::string> applyKeyRules(const KeyRules &rules, const std::vector<std::string> &keys);

} // namespace ckpt

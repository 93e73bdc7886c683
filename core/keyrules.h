// Name matching and key rewriting shared by freeze lists, saving and transplanting:
// fnmatch-style globs, regex renames applied in order, prefix strip/add, and collision checks.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// fnmatch semantics as Python's fnmatch.fnmatchcase: '*' and '?' also match '.', [seq], [!seq].
bool globMatch(std::string_view pattern, std::string_view name);

// A compiled regular expression (ECMAScript syntax); throws ckpt::Error(Malformed) naming the pattern.
class Regex
{
public:
    explicit Regex(const std::string &pattern);
    bool search(const std::string &name) const; // like Python's re.search
    std::string replace(const std::string &name, const std::string &replacement) const; // re.sub, $1 / \1 groups
    const std::string &pattern() const { return m_pattern; }

private:
    std::string m_pattern;
    std::regex m_regex;
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
    std::vector<RenameRule> renames;        // applied in order after the prefix rules

    bool empty() const { return stripPrefixes.empty() && addPrefix.empty() && renames.empty(); }
    std::string apply(const std::string &key) const;
};

// When the unpaired names of one side carry a prefix the other side lacks (module. from DataParallel), the
// prefix that would pair most of them if it were stripped from that side.
struct PrefixSuggestion
{
    bool sideA = true;       // strip from A (else from B)
    std::string prefix;
    std::size_t wouldPair = 0;
};
// Said only when it would pair at least half of the smaller side.
std::optional<PrefixSuggestion> suggestPrefix(const std::vector<std::string_view> &onlyA, const std::vector<std::string_view> &onlyB);

// Applies rules to every key; throws ckpt::Error(Malformed) naming the keys that would collide.
std::vector<std::string> applyKeyRules(const KeyRules &rules, const std::vector<std::string> &keys);

} // namespace ckpt

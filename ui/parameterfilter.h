// SPDX-License-Identifier: MIT
// Which tensors a filter pattern matches: a glob (text without wildcards matches anywhere in the
// name) or a regular expression searched in the name.
#pragma once

#include <QString>

#include <memory>
#include <string>

namespace ckpt {
class Regex;
}

class ParameterFilter
{
public:
    enum class Mode { Glob, Regex };

    ParameterFilter();
    ~ParameterFilter();
    ParameterFilter(ParameterFilter &&) noexcept;
    ParameterFilter &operator=(ParameterFilter &&) noexcept;

    // Returns an error message for an invalid regular expression (the filter is then unchanged).
    QString set(const QString &pattern, Mode mode);
    bool isEmpty() const { return m_pattern.isEmpty(); }
    QString pattern() const { return m_pattern; }
    Mode mode() const { return m_mode; }
    bool matches(const std::string &name) const;

private:
    std::string effectiveGlob() const;

    QString m_pattern;
    Mode m_mode = Mode::Glob;
    std::string m_glob;
    std::unique_ptr<ckpt::Regex> m_regex;
};

// SPDX-License-Identifier: MIT
#include "parameterfilter.h"

#include "format/error.h"
#include "keyrules.h"

ParameterFilter::ParameterFilter() = default;
ParameterFilter::~ParameterFilter() = default;
ParameterFilter::ParameterFilter(ParameterFilter &&) noexcept = default;
ParameterFilter &ParameterFilter::operator=(ParameterFilter &&) noexcept = default;

QString ParameterFilter::set(const QString &pattern, Mode mode)
{
    std::unique_ptr<ckpt::Regex> regex;
    if (mode == Mode::Regex && !pattern.isEmpty()) {
        try {
            regex = std::make_unique<ckpt::Regex>(pattern.toStdString());
        } catch (const ckpt::Error &e) {
            return QString::fromStdString(e.detail());
        }
    }
    m_pattern = pattern;
    m_mode = mode;
    m_regex = std::move(regex);
    m_glob = effectiveGlob();
    return {};
}

std::string ParameterFilter::effectiveGlob() const
{
    std::string p = m_pattern.toStdString();
    if (p.find_first_of("*?[") == std::string::npos)
        return "*" + p + "*"; // typing "conv" finds every conv
    return p;
}

bool ParameterFilter::matches(const std::string &name) const
{
    if (m_pattern.isEmpty())
        return true;
    if (m_mode == Mode::Regex)
        return m_regex && m_regex->search(name);
    return ckpt::globMatch(m_glob, name);
}

// SPDX-License-Identifier: MIT
#include "jsonwriter.h"

#include "utf8.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace ckpt::json {

namespace {
constexpr char kHex[] = "0123456789abcdef";

void appendU(std::string &out, std::uint32_t unit)
{
    const char e[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF], kHex[(unit >> 4) & 0xF], kHex[unit & 0xF]};
    out.append(e, sizeof e);
}

// Bytes that go out as they are, per escaping: a table lookup per byte keeps the common case (long runs
// of plain name characters) one bulk append.
struct PlainTable
{
    bool utf8[256]{};
    bool ascii[256]{};
    constexpr PlainTable()
    {
        for (int c = 0x20; c < 0x7F; ++c)
            utf8[c] = ascii[c] = c != '"' && c != '\\';
        utf8[0x7F] = true; // json.dump escapes DEL; JSON itself does not require it
    }
};
constexpr PlainTable kPlain;
} // namespace

void appendQuoted(std::string &out, std::string_view s, Escape escape)
{
    out.push_back('"');
    const bool *plain = escape == Escape::Utf8 ? kPlain.utf8 : kPlain.ascii;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t run = i;
        while (run < s.size() && plain[static_cast<unsigned char>(s[run])])
            ++run;
        out.append(s.data() + i, run - i);
        i = run;
        if (i == s.size())
            break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default: appendU(out, c); // other controls, and DEL in json.dump's ASCII mode
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8::sequenceLength(s.substr(i));
        if (n == 0) {
            if (escape == Escape::Ascii)
                appendU(out, 0xFFFD);
            else
                out += "\\ufffd";
            ++i;
            continue;
        }
        if (escape == Escape::Utf8) {
            out.append(s.data() + i, n);
        } else {
            std::uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            for (std::size_t k = 1; k < n; ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
            if (cp >= 0x10000) { // a surrogate pair, as json.dump writes astral characters
                cp -= 0x10000;
                appendU(out, 0xD800 + (cp >> 10));
                cp = 0xDC00 + (cp & 0x3FF);
            }
            appendU(out, cp);
        }
        i += n;
    }
    out.push_back('"');
}

void appendNumber(std::string &out, double d)
{
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[32];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
}

std::string quote(std::string_view s, Escape escape)
{
    std::string out;
    out.reserve(s.size() + 2);
    appendQuoted(out, s, escape);
    return out;
}

std::string number(double d)
{
    std::string out;
    appendNumber(out, d);
    return out;
}

void Writer::indent(std::size_t depth)
{
    m_out.push_back('\n');
    m_out.append(2 * depth, ' ');
}

void Writer::separator(Frame &f)
{
    if (f.layout == Layout::Lines) {
        if (!f.empty)
            m_out.push_back(',');
        indent(m_stack.size());
    } else if (!f.empty) {
        m_out += ", ";
    }
    f.empty = false;
}

void Writer::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_stack.empty()) {
        assert(!m_stack.back().object && "a value in an object needs a key");
        separator(m_stack.back());
    }
}

Writer &Writer::key(std::string_view k)
{
    assert(!m_stack.empty() && m_stack.back().object && !m_afterKey);
    Frame &f = m_stack.back();
    m_afterKey = true;
    // Keys are nearly always the program's own short names: separator, quotes and colon in one append.
    constexpr std::size_t kShort = 64;
    const bool *plain = m_escape == Escape::Utf8 ? kPlain.utf8 : kPlain.ascii;
    if (f.layout == Layout::Inline && k.size() <= kShort && std::all_of(k.begin(), k.end(), [plain](char c) { return plain[static_cast<unsigned char>(c)]; })) {
        char buf[kShort + 6];
        char *p = buf;
        if (!f.empty) {
            *p++ = ',';
            *p++ = ' ';
        }
        f.empty = false;
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        *p++ = ' ';
        m_out.append(buf, static_cast<std::size_t>(p - buf));
        return *this;
    }
    separator(f);
    appendQuoted(m_out, k, m_escape);
    m_out += ": ";
    return *this;
}

Writer &Writer::beginObject(Layout layout)
{
    beforeValue();
    m_out.push_back('{');
    m_stack.push_back({layout, true, true});
    return *this;
}

Writer &Writer::beginArray(Layout layout)
{
    beforeValue();
    m_out.push_back('[');
    m_stack.push_back({layout, false, true});
    return *this;
}

Writer &Writer::end()
{
    assert(!m_stack.empty() && !m_afterKey);
    const Frame f = m_stack.back();
    m_stack.pop_back();
    if (f.layout == Layout::Lines && !f.empty)
        indent(m_stack.size());
    m_out.push_back(f.object ? '}' : ']');
    return *this;
}

Writer &Writer::string(std::string_view s)
{
    beforeValue();
    appendQuoted(m_out, s, m_escape);
    return *this;
}

Writer &Writer::boolean(bool b)
{
    beforeValue();
    m_out += b ? "true" : "false";
    return *this;
}

Writer &Writer::null()
{
    beforeValue();
    m_out += "null";
    return *this;
}

Writer &Writer::number(double d)
{
    beforeValue();
    appendNumber(m_out, d);
    return *this;
}

} // namespace ckpt::json

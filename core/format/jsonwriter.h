// SPDX-License-Identifier: MIT
// The one JSON writer behind every JSON the tools print or save: separators, escaping and numbers in one
// place, so the output is valid JSON in any locale and a name from a hostile file cannot break it.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt::json {

// How strings are escaped. Utf8 keeps valid UTF-8 as it is; Ascii writes every non-ASCII character (and
// DEL) as \uXXXX, as Python's json.dump does by default (frozen_layers.json must match it byte for byte).
// Both replace invalid UTF-8 by U+FFFD.
enum class Escape : std::uint8_t { Utf8, Ascii };

// A container on one line ({"a": 1, "b": 2}) or one member per line, indented by two spaces per level.
enum class Layout : std::uint8_t { Inline, Lines };

// Appends a string literal, with quotes.
void appendQuoted(std::string &out, std::string_view s, Escape escape = Escape::Utf8);
// Appends the shortest form that reads back as the same double (std::to_chars: never the locale's
// decimal comma); null when not finite, which JSON cannot spell.
void appendNumber(std::string &out, double d);

// Streams values into a string. Misuse (a key outside an object, an unbalanced end) is a programming
// error and asserts.
class Writer
{
public:
    explicit Writer(std::string &out, Escape escape = Escape::Utf8)
        : m_out(out)
        , m_escape(escape)
    { }

    Writer &beginObject(Layout layout = Layout::Inline);
    Writer &beginArray(Layout layout = Layout::Inline);
    Writer &end();

    Writer &key(std::string_view k);
    Writer &string(std::string_view s);
    Writer &boolean(bool b);
    Writer &null();
    Writer &number(double d);
    template<std::integral T>
    Writer &integer(T v)
    {
        beforeValue();
        char buf[24];
        m_out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
        return *this;
    }
    // An array of integers, on one line (shapes, strides): written straight out, 100,000 tensors have two each.
    template<typename Range>
    Writer &integers(const Range &values)
    {
        beforeValue();
        m_out.push_back('[');
        bool first = true;
        for (const auto v : values) {
            char buf[26];
            char *p = buf;
            if (!first) {
                *p++ = ',';
                *p++ = ' ';
            }
            first = false;
            m_out.append(buf, std::to_chars(p, buf + sizeof buf, v).ptr);
        }
        m_out.push_back(']');
        return *this;
    }

    // True when every container is closed.
    bool complete() const { return m_stack.empty(); }

private:
    struct Frame
    {
        Layout layout;
        bool object;
        bool empty;
    };
    void beforeValue();
    void separator(Frame &f);
    void indent(std::size_t depth);

    std::string &m_out;
    std::vector<Frame> m_stack;
    Escape m_escape;
    bool m_afterKey = false;
};

// A JSON string literal, with quotes.
std::string quote(std::string_view s, Escape escape = Escape::Utf8);

// A JSON number, shortest form that reads back as the same double, whatever the locale; null when not finite.
std::string number(double d);

} // namespace ckpt::json

// SPDX-License-Identifier: MIT
#include "json.h"

#include "error.h"
#include "utf8.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

namespace ckpt::json {

const std::string &Value::string() const
{
    static const std::string empty;
    const auto *s = std::get_if<std::string>(&m_payload);
    return s ? *s : empty;
}

const Value::Array &Value::array() const
{
    static const Array empty;
    const auto *a = std::get_if<Array>(&m_payload);
    return a ? *a : empty;
}

const Value::Object &Value::object() const
{
    static const Object empty;
    const auto *o = std::get_if<Object>(&m_payload);
    return o ? *o : empty;
}

const Value *Value::find(std::string_view key) const
{
    for (const auto &[k, v] : object())
        if (k == key)
            return &v;
    return nullptr;
}

class Parser
{
public:
    Parser(std::string_view text, const Limits &limits)
        : m_text(text)
        , m_limits(limits)
    { }

    Value parseDocument()
    {
        skipWhitespace();
        Value v = parseValue(0);
        skipWhitespace();
        if (m_pos != m_text.size())
            error("unexpected data after the JSON value");
        return v;
    }

private:
    [[noreturn]] void error(const std::string &what) const { fail(ErrorKind::Malformed, "invalid JSON at byte " + std::to_string(m_pos) + ": " + what); }

    void skipWhitespace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    char peek() const
    {
        if (m_pos >= m_text.size())
            error("unexpected end of input");
        return m_text[m_pos];
    }

    void expectLiteral(std::string_view lit)
    {
        if (m_text.substr(m_pos, lit.size()) != lit)
            error("invalid literal");
        m_pos += lit.size();
    }

    Value parseValue(std::size_t depth)
    {
        if (depth > m_limits.maxDepth)
            fail(ErrorKind::LimitExceeded, "JSON nesting deeper than " + std::to_string(m_limits.maxDepth) + " levels at byte " + std::to_string(m_pos));
        Value v;
        switch (peek()) {
        case '{': parseObject(v, depth); break;
        case '[': parseArray(v, depth); break;
        case '"':
            v.type = Value::Type::String;
            v.m_payload = parseString();
            break;
        case 't':
            expectLiteral("true");
            v.type = Value::Type::Bool;
            v.boolean = true;
            break;
        case 'f':
            expectLiteral("false");
            v.type = Value::Type::Bool;
            break;
        case 'n': expectLiteral("null"); break;
        default: parseNumber(v); break;
        }
        return v;
    }

    void parseObject(Value &v, std::size_t depth)
    {
        v.type = Value::Type::Object;
        auto &members = v.m_payload.emplace<Value::Object>();
        ++m_pos; // {
        skipWhitespace();
        if (peek() == '}') {
            ++m_pos;
            return;
        }
        std::unordered_set<std::string> seen;
        for (;;) {
            skipWhitespace();
            if (peek() != '"')
                error("expected a string key");
            std::string key = parseString();
            if (!seen.insert(key).second)
                error("duplicate key \"" + key + "\"");
            skipWhitespace();
            if (peek() != ':')
                error("expected ':'");
            ++m_pos;
            skipWhitespace();
            Value member = parseValue(depth + 1);
            members.emplace_back(std::move(key), std::move(member));
            skipWhitespace();
            const char c = peek();
            ++m_pos;
            if (c == '}')
                return;
            if (c != ',')
                error("expected ',' or '}'");
        }
    }

    void parseArray(Value &v, std::size_t depth)
    {
        v.type = Value::Type::Array;
        auto &items = v.m_payload.emplace<Value::Array>();
        ++m_pos; // [
        skipWhitespace();
        if (peek() == ']') {
            ++m_pos;
            return;
        }
        for (;;) {
            skipWhitespace();
            if (items.size() >= m_limits.maxArrayLength)
                fail(ErrorKind::LimitExceeded, "JSON array longer than " + std::to_string(m_limits.maxArrayLength) + " items at byte " + std::to_string(m_pos));
            items.push_back(parseValue(depth + 1));
            skipWhitespace();
            const char c = peek();
            ++m_pos;
            if (c == ']')
                return;
            if (c != ',')
                error("expected ',' or ']'");
        }
    }

    std::uint32_t parseHex4()
    {
        if (m_text.size() - m_pos < 4)
            error("truncated \\u escape");
        std::uint32_t cp = 0;
        const auto *first = m_text.data() + m_pos;
        const auto res = std::from_chars(first, first + 4, cp, 16);
        if (res.ec != std::errc() || res.ptr != first + 4)
            error("invalid \\u escape");
        m_pos += 4;
        return cp;
    }

    std::string parseString()
    {
        ++m_pos; // opening quote
        std::string out;
        for (;;) {
            if (m_pos >= m_text.size())
                error("unterminated string");
            const auto c = static_cast<unsigned char>(m_text[m_pos]);
            if (c == '"') {
                ++m_pos;
                return out;
            }
            if (c < 0x20)
                error("control character in string");
            if (c == '\\') {
                ++m_pos;
                const char e = peek();
                ++m_pos;
                switch (e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    std::uint32_t cp = parseHex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (m_text.substr(m_pos, 2) != "\\u")
                            error("unpaired surrogate");
                        m_pos += 2;
                        const std::uint32_t lo = parseHex4();
                        if (lo < 0xDC00 || lo > 0xDFFF)
                            error("invalid surrogate pair");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        error("unpaired surrogate");
                    }
                    utf8::append(out, cp);
                    break;
                }
                default: error("invalid escape");
                }
                continue;
            }
            if (c < 0x80) {
                out.push_back(static_cast<char>(c));
                ++m_pos;
                continue;
            }
            const std::size_t n = utf8::sequenceLength(m_text.substr(m_pos));
            if (n == 0)
                error("invalid UTF-8 in string");
            out.append(m_text.substr(m_pos, n));
            m_pos += n;
        }
    }

    void parseNumber(Value &v)
    {
        const std::size_t start = m_pos;
        auto digitAt = [&](std::size_t i) { return i < m_text.size() && m_text[i] >= '0' && m_text[i] <= '9'; };
        if (m_pos < m_text.size() && m_text[m_pos] == '-')
            ++m_pos;
        if (!digitAt(m_pos))
            error("invalid value");
        if (m_text[m_pos] == '0') {
            ++m_pos;
        } else {
            while (digitAt(m_pos))
                ++m_pos;
        }
        bool integral = true;
        if (m_pos < m_text.size() && m_text[m_pos] == '.') {
            integral = false;
            ++m_pos;
            if (!digitAt(m_pos))
                error("invalid number");
            while (digitAt(m_pos))
                ++m_pos;
        }
        if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            integral = false;
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-'))
                ++m_pos;
            if (!digitAt(m_pos))
                error("invalid number");
            while (digitAt(m_pos))
                ++m_pos;
        }
        const char *first = m_text.data() + start;
        const char *last = m_text.data() + m_pos;
        v.type = Value::Type::Number;
        if (integral) {
            const auto res = std::from_chars(first, last, v.integer);
            v.isInteger = res.ec == std::errc() && res.ptr == last;
        }
        const auto res = std::from_chars(first, last, v.number);
        if (res.ec != std::errc() && res.ec != std::errc::result_out_of_range)
            error("invalid number");
        if (v.isInteger)
            v.number = static_cast<double>(v.integer);
    }

    std::string_view m_text;
    const Limits &m_limits;
    std::size_t m_pos = 0;
};

Value parse(std::string_view text, const Limits &limits)
{
    return Parser(text, limits).parseDocument();
}

} // namespace ckpt::json

namespace ckpt {

namespace {
std::string formatWith(double v, std::chars_format format, int precision)
{
    if (std::isnan(v))
        return std::signbit(v) ? "-nan" : "nan";
    if (std::isinf(v))
        return v < 0 ? "-inf" : "inf";
    char buf[400]; // %.Nf of 1e308 needs 309 digits before the point
    const auto r = std::to_chars(buf, buf + sizeof buf, v, format, precision);
    return std::string(buf, r.ptr);
}
} // namespace

std::string formatGeneral(double v, int precision)
{
    return formatWith(v, std::chars_format::general, precision);
}

std::string formatFixed(double v, int decimals)
{
    return formatWith(v, std::chars_format::fixed, decimals);
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
#include "pyrepr.h"

#include "../bytereader.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace ckpt::pickle {

namespace {

std::string qualified(const GlobalValue *g)
{
    if (g->module == "builtins")
        return std::string(g->name);
    return g->qualifiedName();
}

// numpy's short type codes ('<f8', 'i4', 'b1') to numpy type names.
std::string numpyTypeForCode(std::string_view code)
{
    while (!code.empty() && (code[0] == '<' || code[0] == '>' || code[0] == '|' || code[0] == '='))
        code.remove_prefix(1);
    static constexpr std::pair<std::string_view, std::string_view> kCodes[] = {
        {"f8", "float64"},
        {"f4", "float32"},
        {"f2", "float16"},
        {"i8", "int64"},
        {"i4", "int32"},
        {"i2", "int16"},
        {"i1", "int8"},
        {"u8", "uint64"},
        {"u4", "uint32"},
        {"u2", "uint16"},
        {"u1", "uint8"},
        {"b1", "bool_"},
        {"c8", "complex64"},
        {"c16", "complex128"},
        {"O8", "object_"},
    };
    for (const auto &[c, n] : kCodes)
        if (c == code)
            return std::string(n);
    if (!code.empty() && code[0] == 'U')
        return "str_";
    if (!code.empty() && code[0] == 'S')
        return "bytes_";
    return std::string(code);
}

// The dtype code of a numpy.dtype(...) object value.
std::optional<std::string_view> numpyDtypeCode(const Value *v)
{
    const auto *o = asObject(v);
    const auto *g = o ? asGlobal(o->callable) : nullptr;
    const auto *a = o ? asTuple(o->args) : nullptr;
    if (!g || g->known != KnownGlobal::NumpyDtype || !a || a->items.empty() || !isStr(a->items[0]))
        return std::nullopt;
    return strOf(a->items[0]);
}

// Byte order of a numpy.dtype object, from its BUILD state (version, '<'/'>'/'|', ...).
bool numpyLittleEndian(const Value *dtype)
{
    const auto *o = asObject(dtype);
    const auto *st = o ? asTuple(o->state) : nullptr;
    if (st && st->items.size() > 1 && isStr(st->items[1]))
        return strOf(st->items[1]) != ">";
    return true;
}

std::string quoteStr(std::string_view s)
{
    const char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
    std::string out(1, q);
    for (const char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == q) {
                out += std::string("\\") + q;
            } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\x";
                out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
                out.push_back(kHex[c & 15]);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back(q);
    return out;
}

std::string bytesRepr(std::string_view s, char prefix = 'b')
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(1, prefix);
    out += "'";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\' || c == '\'') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c >= 0x20 && c < 0x7f) {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
        if (out.size() > 400)
            break;
    }
    out += "'";
    return out;
}

class Repr
{
public:
    explicit Repr(std::size_t limit)
        : m_limit(limit)
    { }
    std::string result() { return m_out.size() > m_limit ? m_out.substr(0, m_limit) + "..." : m_out; }

    void value(const Value *v, int depth)
    {
        if (full())
            return;
        if (depth > 6) {
            m_out += "...";
            return;
        }
        switch (v->kind) {
        case Kind::None: m_out += "None"; return;
        case Kind::Bool: m_out += static_cast<const BoolValue *>(v)->v ? "True" : "False"; return;
        case Kind::Int: m_out += std::to_string(static_cast<const IntValue *>(v)->v); return;
        case Kind::BigInt: m_out += bigIntDecimal(static_cast<const BigIntValue *>(v)->bytes); return;
        case Kind::Float: m_out += pythonFloatRepr(static_cast<const FloatValue *>(v)->v); return;
        case Kind::Complex: {
            // Python prints complex parts without a trailing ".0" and drops a +0 real part.
            const auto *c = static_cast<const ComplexValue *>(v);
            auto part = [](double d) {
                std::string s = pythonFloatRepr(d);
                if (s.ends_with(".0"))
                    s.resize(s.size() - 2);
                return s;
            };
            if (c->re == 0 && !std::signbit(c->re)) {
                m_out += part(c->im) + "j";
                return;
            }
            const std::string im = part(c->im);
            m_out += "(" + part(c->re) + (im[0] == '-' ? "" : "+") + im + "j)";
            return;
        }
        case Kind::Str: m_out += quoteStr(strOf(v).substr(0, m_limit)); return;
        case Kind::Bytes: m_out += bytesRepr(static_cast<const StringValue *>(v)->s); return;
        case Kind::ByteArray: m_out += "bytearray(" + bytesRepr(static_cast<const StringValue *>(v)->s) + ")"; return;
        case Kind::List: sequence(static_cast<const SequenceValue *>(v)->items, "[", "]", depth); return;
        case Kind::Tuple: {
            const auto &items = static_cast<const SequenceValue *>(v)->items;
            sequence(items, "(", items.size() == 1 ? ",)" : ")", depth);
            return;
        }
        case Kind::Set:
        case Kind::FrozenSet: {
            const auto &items = static_cast<const SequenceValue *>(v)->items;
            const bool frozen = v->kind == Kind::FrozenSet;
            if (items.empty()) {
                m_out += frozen ? "frozenset()" : "set()";
                return;
            }
            if (frozen)
                m_out += "frozenset(";
            sequence(items, "{", "}", depth);
            if (frozen)
                m_out += ")";
            return;
        }
        case Kind::Dict: mapping(static_cast<const DictValue *>(v)->items, depth); return;
        case Kind::Global: {
            const auto *g = static_cast<const GlobalValue *>(v);
            m_out += g->known == KnownGlobal::TorchDtype ? "torch." + std::string(g->name) : "<class '" + g->qualifiedName() + "'>";
            return;
        }
        case Kind::Storage: {
            const auto *s = static_cast<const StorageValue *>(v);
            m_out += "storage(dtype=" + std::string(dtypeName(s->dtype)) + ", numel=" + std::to_string(s->numel) + ")";
            return;
        }
        case Kind::Tensor: {
            const auto *t = static_cast<const TensorValue *>(v);
            m_out += t->isParameter ? "Parameter(shape=[" : "tensor(shape=[";
            for (std::size_t i = 0; i < t->shape.size(); ++i)
                m_out += (i ? ", " : "") + std::to_string(t->shape[i]);
            m_out += "], dtype=" + std::string(dtypeName(t->dtype)) + ")";
            return;
        }
        case Kind::Object: object(static_cast<const ObjectValue *>(v), depth); return;
        }
    }

private:
    bool full() const { return m_out.size() > m_limit; }

    void sequence(const std::pmr::vector<Value *> &items, const char *open, const char *close, int depth)
    {
        m_out += open;
        for (std::size_t i = 0; i < items.size() && !full(); ++i) {
            if (i)
                m_out += ", ";
            value(items[i], depth + 1);
        }
        m_out += close;
    }

    void mapping(const std::pmr::vector<std::pair<Value *, Value *>> &items, int depth)
    {
        m_out += "{";
        for (std::size_t i = 0; i < items.size() && !full(); ++i) {
            if (i)
                m_out += ", ";
            value(items[i].first, depth + 1);
            m_out += ": ";
            value(items[i].second, depth + 1);
        }
        m_out += "}";
    }

    void object(const ObjectValue *o, int depth)
    {
        const GlobalValue *g = asGlobal(o->callable);
        const auto *args = asTuple(o->args);
        const KnownGlobal known = g ? g->known : KnownGlobal::Unknown;
        if (known == KnownGlobal::TorchSize && args && args->items.size() == 1) {
            m_out += "torch.Size(";
            value(args->items[0], depth + 1);
            m_out += ")";
            return;
        }
        if (known == KnownGlobal::TorchDevice && args) {
            m_out += "device(";
            for (std::size_t i = 0; i < args->items.size(); ++i) {
                if (i)
                    m_out += ", ";
                value(args->items[i], depth + 1);
            }
            m_out += ")";
            return;
        }
        if (known == KnownGlobal::NumpyScalar) {
            numpyScalar(o);
            return;
        }
        if (known == KnownGlobal::NumpyReconstruct) {
            numpyArray(o);
            return;
        }
        const GlobalValue *cls = o->classGlobal();
        std::string name = cls ? std::string(cls->name) : "object";
        if (const auto *state = o->stateDict(); state && o->dictItems.empty()) {
            m_out += name + "(";
            bool first = true;
            for (const auto &[k, v] : state->items) {
                if (full())
                    break;
                if (!first)
                    m_out += ", ";
                first = false;
                // A key that is no string is shown by this same repr: its depth and length count against
                // the budget (a fresh repr per key let nested object keys recurse without bound).
                if (isStr(k))
                    m_out += strOf(k);
                else
                    value(k, depth + 1);
                m_out += "=";
                value(v, depth + 1);
            }
            m_out += ")";
            return;
        }
        if (!o->dictItems.empty()) {
            m_out += name + "(";
            mapping(o->dictItems, depth);
            m_out += ")";
            return;
        }
        if (!o->listItems.empty()) {
            m_out += name + "(";
            sequence(o->listItems, "[", "]", depth);
            m_out += ")";
            return;
        }
        if (o->how == Construction::Reduce && args) {
            m_out += name;
            sequence(args->items, "(", ")", depth);
            return;
        }
        m_out += "<" + (cls ? qualified(cls) : std::string("object")) + " object>";
    }

    void numpyScalar(const ObjectValue *o)
    {
        const auto *args = asTuple(o->args);
        if (!args || args->items.size() != 2 || args->items[1]->kind != Kind::Bytes) {
            m_out += "<numpy scalar>";
            return;
        }
        const auto code = numpyDtypeCode(args->items[0]);
        const auto raw = static_cast<const StringValue *>(args->items[1])->s;
        const std::string type = code ? numpyTypeForCode(*code) : std::string("?");
        auto fits = [&](std::size_t n) { return raw.size() == n && numpyLittleEndian(args->items[0]); };
        if (type == "float64" && fits(8)) {
            double d;
            std::memcpy(&d, raw.data(), 8);
            m_out += pythonFloatRepr(d);
        } else if (type == "float32" && fits(4)) {
            float f;
            std::memcpy(&f, raw.data(), 4);
            m_out += pythonFloatRepr(static_cast<double>(f));
        } else if (type == "int64" && fits(8)) {
            std::int64_t i;
            std::memcpy(&i, raw.data(), 8);
            m_out += std::to_string(i);
        } else if (type == "int32" && fits(4)) {
            std::int32_t i;
            std::memcpy(&i, raw.data(), 4);
            m_out += std::to_string(i);
        } else if (type == "bool_" && raw.size() == 1) {
            m_out += raw[0] ? "True" : "False";
        } else {
            m_out += "numpy." + type + "(" + bytesRepr(raw) + ")";
        }
    }

    void numpyArray(const ObjectValue *o)
    {
        // BUILD state: (version, shape, dtype, is_fortran, data)
        const auto *st = asTuple(o->state);
        if (!st || st->items.size() != 5) {
            m_out += "array(...)";
            return;
        }
        m_out += "array(shape=";
        value(st->items[1], 0);
        const auto code = numpyDtypeCode(st->items[2]);
        m_out += ", dtype=" + (code ? numpyTypeForCode(*code) : std::string("?")) + ")";
    }

    std::size_t m_limit;
    std::string m_out;
};

} // namespace

std::string pythonFloatRepr(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d < 0 ? "-inf" : "inf";
    if (d == 0)
        return std::signbit(d) ? "-0.0" : "0.0";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
    std::string out;
    if (s[0] == '-') {
        out.push_back('-');
        s.remove_prefix(1);
    }
    const auto e = s.find('e');
    std::string digits;
    for (const char c : s.substr(0, e))
        if (c != '.')
            digits.push_back(c);
    int exp = 0;
    std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp);
    if (exp < -4 || exp >= 16) {
        out += digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        const int a = exp < 0 ? -exp : exp;
        out += std::string("e") + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + std::to_string(a);
        return out;
    }
    const int point = exp + 1;
    const int n = static_cast<int>(digits.size());
    if (point <= 0)
        out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    else if (point >= n)
        out += digits + std::string(static_cast<std::size_t>(point - n), '0') + ".0";
    else
        out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
    return out;
}

std::string bigIntDecimal(std::string_view le)
{
    if (le.size() > 512)
        return "<integer of " + std::to_string(le.size()) + " bytes>";
    std::vector<unsigned char> mag(le.begin(), le.end());
    const bool negative = !mag.empty() && (mag.back() & 0x80);
    if (negative) { // two's complement -> magnitude
        unsigned carry = 1;
        for (auto &b : mag) {
            const unsigned x = static_cast<unsigned char>(~b) + carry;
            b = static_cast<unsigned char>(x & 0xFF);
            carry = x >> 8;
        }
    }
    std::string digits;
    while (!mag.empty()) {
        unsigned rem = 0;
        for (std::size_t i = mag.size(); i-- > 0;) {
            const unsigned cur = (rem << 8) | mag[i];
            mag[i] = static_cast<unsigned char>(cur / 10);
            rem = cur % 10;
        }
        digits.push_back(static_cast<char>('0' + rem));
        while (!mag.empty() && mag.back() == 0)
            mag.pop_back();
    }
    if (digits.empty())
        digits = "0";
    if (negative)
        digits.push_back('-');
    return {digits.rbegin(), digits.rend()};
}

std::string pythonTypeName(const Value *v)
{
    switch (v->kind) {
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int:
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::Complex: return "complex";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::ByteArray: return "bytearray";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Set: return "set";
    case Kind::FrozenSet: return "frozenset";
    case Kind::Dict:
        switch (static_cast<const DictValue *>(v)->flavor) {
        case DictFlavor::Ordered: return "collections.OrderedDict";
        case DictFlavor::Default: return "collections.defaultdict";
        case DictFlavor::Plain: return "dict";
        }
        return "dict";
    case Kind::Global: return static_cast<const GlobalValue *>(v)->known == KnownGlobal::TorchDtype ? "torch.dtype" : "type";
    case Kind::Storage: return "torch.storage.TypedStorage";
    case Kind::Tensor: return static_cast<const TensorValue *>(v)->isParameter ? "torch.nn.parameter.Parameter" : "torch.Tensor";
    case Kind::Object: {
        const auto *o = static_cast<const ObjectValue *>(v);
        const auto *g = asGlobal(o->callable);
        if (g && g->known == KnownGlobal::NumpyScalar) {
            const auto *a = asTuple(o->args);
            const auto code = a && !a->items.empty() ? numpyDtypeCode(a->items[0]) : std::nullopt;
            return "numpy." + (code ? numpyTypeForCode(*code) : std::string("generic"));
        }
        if (g && g->known == KnownGlobal::NumpyDtype)
            return "numpy.dtype";
        const GlobalValue *cls = o->classGlobal();
        return cls ? qualified(cls) : "object";
    }
    }
    return "object";
}

std::string keySegment(const Value *key)
{
    switch (key->kind) {
    case Kind::Str: return std::string(strOf(key));
    case Kind::Int: return std::to_string(static_cast<const IntValue *>(key)->v);
    case Kind::Bool: return static_cast<const BoolValue *>(key)->v ? "True" : "False";
    case Kind::None: return "None";
    case Kind::Float: return pythonFloatRepr(static_cast<const FloatValue *>(key)->v);
    case Kind::BigInt: return bigIntDecimal(static_cast<const BigIntValue *>(key)->bytes);
    default: return shortRepr(key, 200);
    }
}

std::optional<std::string> scalarText(const Value *v)
{
    switch (v->kind) {
    case Kind::None:
    case Kind::Bool:
    case Kind::Int:
    case Kind::BigInt:
    case Kind::Float: return keySegment(v);
    case Kind::Str: return std::string(strOf(v));
    default: return std::nullopt;
    }
}

std::string shortRepr(const Value *v, std::size_t maxLength)
{
    Repr r(maxLength);
    r.value(v, 0);
    return r.result();
}

} // namespace ckpt::pickle

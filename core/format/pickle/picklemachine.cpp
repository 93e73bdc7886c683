// SPDX-License-Identifier: MIT
#include "picklemachine.h"

#include "../bytereader.h"
#include "../error.h"
#include "../hashsort.h"
#include "../utf8.h"
#include "globals.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>

namespace ckpt::pickle {

namespace {

enum Op : unsigned char {
    MARK = '(',
    STOP = '.',
    POP = '0',
    POP_MARK = '1',
    DUP = '2',
    FLOAT = 'F',
    INT = 'I',
    BININT = 'J',
    BININT1 = 'K',
    LONG = 'L',
    BININT2 = 'M',
    NONE = 'N',
    PERSID = 'P',
    BINPERSID = 'Q',
    REDUCE = 'R',
    STRING = 'S',
    BINSTRING = 'T',
    SHORT_BINSTRING = 'U',
    UNICODE = 'V',
    BINUNICODE = 'X',
    APPEND = 'a',
    BUILD = 'b',
    GLOBAL = 'c',
    DICT = 'd',
    EMPTY_DICT = '}',
    APPENDS = 'e',
    GET = 'g',
    BINGET = 'h',
    INST = 'i',
    LONG_BINGET = 'j',
    LIST = 'l',
    EMPTY_LIST = ']',
    OBJ = 'o',
    PUT = 'p',
    BINPUT = 'q',
    LONG_BINPUT = 'r',
    SETITEM = 's',
    TUPLE = 't',
    EMPTY_TUPLE = ')',
    SETITEMS = 'u',
    BINFLOAT = 'G',
    PROTO = 0x80,
    NEWOBJ = 0x81,
    EXT1 = 0x82,
    EXT2 = 0x83,
    EXT4 = 0x84,
    TUPLE1 = 0x85,
    TUPLE2 = 0x86,
    TUPLE3 = 0x87,
    NEWTRUE = 0x88,
    NEWFALSE = 0x89,
    LONG1 = 0x8a,
    LONG4 = 0x8b,
    BINBYTES = 'B',
    SHORT_BINBYTES = 'C',
    SHORT_BINUNICODE = 0x8c,
    BINUNICODE8 = 0x8d,
    BINBYTES8 = 0x8e,
    EMPTY_SET = 0x8f,
    ADDITEMS = 0x90,
    FROZENSET = 0x91,
    NEWOBJ_EX = 0x92,
    STACK_GLOBAL = 0x93,
    MEMOIZE = 0x94,
    FRAME = 0x95,
    BYTEARRAY8 = 0x96,
    NEXT_BUFFER = 0x97,
    READONLY_BUFFER = 0x98,
};

// A key for dict de-duplication that follows Python equality for the hashable scalars pickles use.
// budget bounds the work on tuples that share their items (which would otherwise expand exponentially).
std::optional<std::string> hashKey(const Value *v, int *budget)
{
    if (--*budget < 0)
        return std::nullopt;
    switch (v->kind) {
    case Kind::Str: return "s" + std::string(strOf(v));
    case Kind::Bytes: return "b" + std::string(static_cast<const StringValue *>(v)->s);
    case Kind::Int: return "i" + std::to_string(static_cast<const IntValue *>(v)->v);
    case Kind::Bool: return std::string(static_cast<const BoolValue *>(v)->v ? "i1" : "i0");
    case Kind::BigInt: return "I" + std::string(static_cast<const BigIntValue *>(v)->bytes);
    case Kind::None: return std::string("n");
    case Kind::Float: {
        const double d = static_cast<const FloatValue *>(v)->v;
        // The range check comes first: converting a double outside int64's range is undefined behaviour
        // (found by fuzz_legacy: a dict key of 3.7e236).
        if (d > -9.2e18 && d < 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
            return "i" + std::to_string(static_cast<std::int64_t>(d));
        return "f" + std::to_string(std::bit_cast<std::uint64_t>(d));
    }
    case Kind::Global: {
        const auto *g = static_cast<const GlobalValue *>(v);
        return "g" + g->qualifiedName();
    }
    case Kind::Tuple: {
        std::string k = "t(";
        for (const Value *item : static_cast<const SequenceValue *>(v)->items) {
            auto sub = hashKey(item, budget);
            if (!sub)
                return std::nullopt;
            k += std::to_string(sub->size()) + ":" + *sub;
        }
        return k + ")";
    }
    default: return std::nullopt; // identity semantics: never equal to another key
    }
}

std::optional<std::string> hashKey(const Value *v)
{
    int budget = 256; // keys larger than this are treated by identity
    return hashKey(v, &budget);
}

} // namespace

PickleMachine::PickleMachine(Arena &arena, PersistentLoader loader, PickleLimits limits)
    : m_arena(arena)
    , m_loader(std::move(loader))
    , m_limits(limits)
{ }

void PickleMachine::malformed(const std::string &what) const
{
    fail(ErrorKind::Malformed, what);
}

Value *PickleMachine::load(std::span<const std::byte> data, std::size_t *consumed)
{
    m_data = data;
    m_pos = 0;
    m_stack.clear();
    m_marks.clear();
    m_memoDense.clear();
    m_memoSparse.clear();
    m_memoCount = 0;
    m_filledDicts.clear();
    try {
        run();
    } catch (const Error &e) {
        throw e.withContext("pickle opcode at byte " + std::to_string(m_opStart));
    }
    for (DictValue *d : m_filledDicts)
        removeDuplicateKeys(d);
    for (GlobalReference &g : m_globals)
        if (canonicalModule(g.module) == "builtins" && g.name == "getattr") {
            g.getattrTargets = m_getattrTargets;
            g.getattrIrregular = m_getattrIrregular;
        }
    if (consumed)
        *consumed = m_pos;
    Value *result = m_stack.back();
    m_stack.clear();
    m_memoDense.clear();
    m_memoSparse.clear();
    m_filledDicts.clear();
    return result;
}

void PickleMachine::memoPut(std::uint64_t index, Value *v)
{
    if (index < m_memoDense.size()) {
        if (!m_memoDense[index])
            ++m_memoCount;
        m_memoDense[index] = v;
        return;
    }
    if (index == m_memoDense.size()) { // the pickle module numbers its memo 0, 1, 2 ...
        m_memoDense.push_back(v);
        ++m_memoCount;
        return;
    }
    if (m_memoSparse.insert_or_assign(index, v).second)
        ++m_memoCount;
}

Value *PickleMachine::memoGet(std::uint64_t index) const
{
    if (index < m_memoDense.size() && m_memoDense[index])
        return m_memoDense[index];
    const auto it = m_memoSparse.find(index);
    if (it == m_memoSparse.end())
        malformed("memo entry " + std::to_string(index) + " is read before it is written");
    return it->second;
}

std::string_view PickleMachine::readLine()
{
    const auto rest = asChars(m_data.subspan(m_pos));
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos)
        fail(ErrorKind::Truncated, "pickle ends inside a text argument (no newline)");
    m_pos += nl + 1;
    auto line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

std::span<const std::byte> PickleMachine::readBytes(std::uint64_t n)
{
    if (n > m_data.size() - m_pos)
        fail(ErrorKind::Truncated,
            "pickle ends early: an argument of " + std::to_string(n) + " bytes has only " + std::to_string(m_data.size() - m_pos) + " left");
    auto s = m_data.subspan(m_pos, static_cast<std::size_t>(n));
    m_pos += static_cast<std::size_t>(n);
    return s;
}

template<typename T>
T PickleMachine::readLE()
{
    return loadLE<T>(readBytes(sizeof(T)).data());
}

void PickleMachine::push(Value *v)
{
    if (m_stack.size() >= m_limits.maxStack)
        fail(ErrorKind::LimitExceeded, "pickle stack grows beyond " + std::to_string(m_limits.maxStack) + " entries");
    m_stack.push_back(v);
}

Value *PickleMachine::pop()
{
    const std::size_t fence = m_marks.empty() ? 0 : m_marks.back();
    if (m_stack.size() <= fence)
        malformed("stack underflow");
    Value *v = m_stack.back();
    m_stack.pop_back();
    return v;
}

Value *&PickleMachine::top()
{
    const std::size_t fence = m_marks.empty() ? 0 : m_marks.back();
    if (m_stack.size() <= fence)
        malformed("stack underflow");
    return m_stack.back();
}

const std::vector<Value *> &PickleMachine::popMark()
{
    if (m_marks.empty())
        malformed("mark underflow: no MARK before this opcode");
    const std::size_t mark = m_marks.back();
    m_marks.pop_back();
    m_marked.assign(m_stack.begin() + static_cast<std::ptrdiff_t>(mark), m_stack.end());
    m_stack.resize(mark);
    return m_marked;
}

Value *PickleMachine::makeTuple(std::span<Value *const> items)
{
    auto *t = m_arena.makeSequence(Kind::Tuple);
    t->items.assign(items.begin(), items.end());
    return t;
}

Value *PickleMachine::decodeDecimalInt(std::string_view digits)
{
    if (!digits.empty() && digits.back() == 'L')
        digits.remove_suffix(1);
    bool negative = false;
    std::string_view body = digits;
    if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
        negative = body[0] == '-';
        body.remove_prefix(1);
    }
    if (body.empty() || body.find_first_not_of("0123456789") != std::string_view::npos)
        malformed("invalid integer literal '" + std::string(digits.substr(0, 40)) + "'");
    std::int64_t v = 0;
    const auto res = std::from_chars(digits.data() + (digits[0] == '+' ? 1 : 0), digits.data() + digits.size(), v);
    if (res.ec == std::errc() && res.ptr == digits.data() + digits.size())
        return m_arena.makeInt(v);
    if (body.size() > m_limits.maxBigIntBytes)
        fail(ErrorKind::LimitExceeded, "integer literal with more than " + std::to_string(m_limits.maxBigIntBytes) + " digits");
    // Arbitrary precision: magnitude in base 256, little endian, then two's complement.
    std::vector<unsigned char> mag;
    for (const char ch : body) {
        unsigned carry = static_cast<unsigned>(ch - '0');
        for (auto &b : mag) {
            const unsigned x = b * 10u + carry;
            b = static_cast<unsigned char>(x & 0xFF);
            carry = x >> 8;
        }
        while (carry) {
            mag.push_back(static_cast<unsigned char>(carry & 0xFF));
            carry >>= 8;
        }
    }
    mag.push_back(0); // room for the sign bit
    if (negative) {
        unsigned carry = 1;
        for (auto &b : mag) {
            const unsigned x = static_cast<unsigned char>(~b) + carry;
            b = static_cast<unsigned char>(x & 0xFF);
            carry = x >> 8;
        }
    }
    return m_arena.make<BigIntValue>(m_arena.copy({reinterpret_cast<const char *>(mag.data()), mag.size()}));
}

Value *PickleMachine::decodeLongBytes(std::span<const std::byte> le)
{
    if (le.empty())
        return m_arena.makeInt(0);
    if (le.size() <= 8) {
        std::uint64_t u = 0;
        for (std::size_t i = 0; i < le.size(); ++i)
            u |= static_cast<std::uint64_t>(std::to_integer<unsigned>(le[i])) << (8 * i);
        if (le.size() < 8 && (std::to_integer<unsigned>(le.back()) & 0x80))
            u |= ~std::uint64_t{0} << (8 * le.size()); // sign extend
        return m_arena.makeInt(static_cast<std::int64_t>(u));
    }
    if (le.size() > m_limits.maxBigIntBytes)
        fail(ErrorKind::LimitExceeded, "integer of " + std::to_string(le.size()) + " bytes is above the limit");
    return m_arena.make<BigIntValue>(asChars(le));
}

// Python 2 str: torch.load decodes it as UTF-8; bytes that aren't valid UTF-8 stay bytes.
Value *PickleMachine::decodePy2String(std::string_view raw)
{
    return m_arena.make<StringValue>(utf8::isValid(raw) ? Kind::Str : Kind::Bytes, raw);
}

Value *PickleMachine::decodeRawUnicodeEscape(std::string_view raw)
{
    if (raw.find('\\') == std::string_view::npos && utf8::isValid(raw)) {
        bool ascii = true;
        for (const char c : raw)
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        if (ascii)
            return m_arena.make<StringValue>(Kind::Str, raw);
    }
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == 'u' || raw[i + 1] == 'U')) {
            const std::size_t n = raw[i + 1] == 'u' ? 4 : 8;
            std::uint32_t cp = 0;
            if (i + 2 + n > raw.size() || std::from_chars(raw.data() + i + 2, raw.data() + i + 2 + n, cp, 16).ptr != raw.data() + i + 2 + n || cp > 0x10FFFF)
                malformed("invalid \\u escape in UNICODE argument");
            utf8::append(out, cp);
            i += 1 + n;
        } else {
            utf8::append(out, c); // raw-unicode-escape: other bytes are latin-1
        }
    }
    return m_arena.make<StringValue>(Kind::Str, m_arena.copy(out));
}

Value *PickleMachine::decodeQuotedString(std::string_view line)
{
    if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"'))
        malformed("the STRING opcode argument must be quoted");
    line = line.substr(1, line.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c != '\\' || i + 1 >= line.size()) {
            out.push_back(c);
            continue;
        }
        c = line[++i];
        switch (c) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'v': out.push_back('\v'); break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        case '\n': break;
        case 'x': {
            unsigned v = 0;
            if (i + 2 >= line.size() || std::from_chars(line.data() + i + 1, line.data() + i + 3, v, 16).ptr != line.data() + i + 3)
                malformed("invalid \\x escape in STRING argument");
            out.push_back(static_cast<char>(v));
            i += 2;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = static_cast<unsigned>(c - '0');
                for (int k = 0; k < 2 && i + 1 < line.size() && line[i + 1] >= '0' && line[i + 1] <= '7'; ++k)
                    v = v * 8 + static_cast<unsigned>(line[++i] - '0');
                out.push_back(static_cast<char>(v & 0xFF));
            } else {
                out.push_back('\\');
                out.push_back(c);
            }
        }
    }
    return decodePy2String(m_arena.copy(out));
}

Value *PickleMachine::makeGlobal(std::string_view module, std::string_view name, bool viaStack)
{
    m_globals.push_back({std::string(module), std::string(name), m_opStart, viaStack});
    const GlobalMeaning meaning = lookupGlobal(module, name);
    auto *g = m_arena.make<GlobalValue>(canonicalModule(module), name, meaning.known);
    g->storageDtype = meaning.storageDtype;
    return g;
}

void PickleMachine::setItem(Value *target, Value *key, Value *value)
{
    if (target->kind == Kind::Object) {
        static_cast<ObjectValue *>(target)->dictItems.emplace_back(key, value);
        return;
    }
    if (target->kind != Kind::Dict)
        malformed("SETITEM applied to a value that is not a dict");
    auto *d = static_cast<DictValue *>(target);
    // Repeated keys are resolved once the pickle ends (removeDuplicateKeys): nothing reads a dict
    // by key while the pickle runs, so the result is the same and the common case stays cheap.
    if (d->items.size() == 1)
        m_filledDicts.push_back(d);
    d->items.emplace_back(key, value);
}

// Python dict semantics for keys seen twice: one entry, at the first position, with the last value.
void PickleMachine::removeDuplicateKeys(DictValue *d)
{
    auto &items = d->items;
    const std::size_t n = items.size();
    if (n < 2)
        return;
    // Cheap hashes first; full keys only for the (rare) colliding pairs.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> hashes;
    hashes.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Value *k = items[i].first;
        std::uint64_t h;
        if (k->kind == Kind::Str)
            h = std::hash<std::string_view>{}(strOf(k));
        else if (k->kind == Kind::Int)
            h = std::hash<std::int64_t>{}(static_cast<const IntValue *>(k)->v) ^ 0x9e3779b97f4a7c15ull;
        else if (k->kind == Kind::Bool)
            h = std::hash<std::int64_t>{}(static_cast<const BoolValue *>(k)->v ? 1 : 0) ^ 0x9e3779b97f4a7c15ull;
        else if (const auto full = hashKey(k); full && (*full)[0] == 'i') // a float equal to an int
            h = std::hash<std::int64_t>{}(std::stoll(full->substr(1))) ^ 0x9e3779b97f4a7c15ull;
        else if (auto full = hashKey(k))
            h = std::hash<std::string>{}(*full) ^ 0x51ed27ull;
        else
            continue; // compared by identity: never equal to another key
        if (k->kind == Kind::Str)
            h ^= 0x7f4a7c159e3779b9ull;
        hashes.emplace_back(h, static_cast<std::uint32_t>(i));
    }
    sortHashIndex(hashes);
    std::vector<bool> removed;
    for (std::size_t a = 0; a < hashes.size();) {
        std::size_t b = a + 1;
        while (b < hashes.size() && hashes[b].first == hashes[a].first)
            ++b;
        for (std::size_t i = a; i + 1 < b; ++i) {
            const std::uint32_t first = hashes[i].second;
            if (!removed.empty() && removed[first])
                continue;
            const auto firstKey = hashKey(items[first].first);
            for (std::size_t j = i + 1; j < b; ++j) {
                const std::uint32_t later = hashes[j].second;
                if ((!removed.empty() && removed[later]) || hashKey(items[later].first) != firstKey)
                    continue;
                if (removed.empty())
                    removed.assign(n, false);
                removed[later] = true;
                items[first].second = items[later].second; // sorted by index within equal hashes: later wins
            }
        }
        a = b;
    }
    if (removed.empty())
        return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (!removed[i])
            items[out++] = items[i];
    items.resize(out);
}

void PickleMachine::appendItem(Value *target, Value *item)
{
    if (target->kind == Kind::List) {
        static_cast<SequenceValue *>(target)->items.push_back(item);
        return;
    }
    if (target->kind == Kind::Object) {
        static_cast<ObjectValue *>(target)->listItems.push_back(item);
        return;
    }
    malformed("APPEND applied to a value that is not a list");
}

void PickleMachine::run()
{
    std::uint32_t tick = 0;
    for (;;) {
        if (m_limits.progress && ++tick % 65536 == 0)
            m_limits.progress->update(static_cast<double>(m_pos) / static_cast<double>(m_data.size()));
        m_opStart = m_pos;
        if (m_pos >= m_data.size())
            fail(ErrorKind::Truncated, "pickle ends without a STOP opcode");
        const auto op = std::to_integer<unsigned char>(m_data[m_pos++]);
        switch (op) {
        case PROTO: {
            m_protocol = readLE<std::uint8_t>();
            if (m_protocol > 5)
                fail(ErrorKind::Unsupported, "pickle protocol " + std::to_string(m_protocol));
            break;
        }
        case FRAME: {
            const auto n = readLE<std::uint64_t>();
            if (n > m_data.size() - m_pos)
                fail(ErrorKind::Truncated, "pickle frame of " + std::to_string(n) + " bytes is longer than the data");
            break;
        }
        case STOP:
            if (!m_marks.empty() && m_stack.size() <= m_marks.back())
                malformed("STOP with an empty stack");
            if (m_stack.empty())
                malformed("STOP with an empty stack");
            return;
        case MARK:
            if (m_marks.size() >= m_limits.maxMarks)
                fail(ErrorKind::LimitExceeded, "more than " + std::to_string(m_limits.maxMarks) + " nested MARKs");
            m_marks.push_back(m_stack.size());
            break;
        case POP:
            if (!m_marks.empty() && m_marks.back() == m_stack.size())
                m_marks.pop_back();
            else
                pop();
            break;
        case POP_MARK: popMark(); break;
        case DUP: {
            Value *v = top();
            push(v);
            break;
        }
        case NONE: push(m_arena.none()); break;
        case NEWTRUE: push(m_arena.boolean(true)); break;
        case NEWFALSE: push(m_arena.boolean(false)); break;
        case INT: {
            const auto line = readLine();
            if (line == "01")
                push(m_arena.boolean(true));
            else if (line == "00")
                push(m_arena.boolean(false));
            else
                push(decodeDecimalInt(line));
            break;
        }
        case BININT: push(m_arena.makeInt(readLE<std::int32_t>())); break;
        case BININT1: push(m_arena.makeInt(readLE<std::uint8_t>())); break;
        case BININT2: push(m_arena.makeInt(readLE<std::uint16_t>())); break;
        case LONG: push(decodeDecimalInt(readLine())); break;
        case LONG1: {
            const auto n = readLE<std::uint8_t>();
            push(decodeLongBytes(readBytes(n)));
            break;
        }
        case LONG4: {
            const auto n = readLE<std::int32_t>();
            if (n < 0)
                malformed("LONG4 with a negative length");
            push(decodeLongBytes(readBytes(static_cast<std::uint64_t>(n))));
            break;
        }
        case FLOAT: {
            const auto line = readLine();
            double d = 0;
            const auto res = std::from_chars(line.data(), line.data() + line.size(), d);
            if (res.ec != std::errc() || res.ptr != line.data() + line.size())
                malformed("invalid FLOAT literal");
            push(m_arena.make<FloatValue>(d));
            break;
        }
        case BINFLOAT: {
            auto raw = readLE<std::uint64_t>();
            push(m_arena.make<FloatValue>(std::bit_cast<double>(__builtin_bswap64(raw))));
            break;
        }
        case STRING: push(decodeQuotedString(readLine())); break;
        case BINSTRING: {
            const auto n = readLE<std::int32_t>();
            if (n < 0)
                malformed("BINSTRING with a negative length");
            push(decodePy2String(asChars(readBytes(static_cast<std::uint64_t>(n)))));
            break;
        }
        case SHORT_BINSTRING: push(decodePy2String(asChars(readBytes(readLE<std::uint8_t>())))); break;
        case UNICODE: push(decodeRawUnicodeEscape(readLine())); break;
        case BINUNICODE: push(m_arena.make<StringValue>(Kind::Str, asChars(readBytes(readLE<std::uint32_t>())))); break;
        case SHORT_BINUNICODE: push(m_arena.make<StringValue>(Kind::Str, asChars(readBytes(readLE<std::uint8_t>())))); break;
        case BINUNICODE8: push(m_arena.make<StringValue>(Kind::Str, asChars(readBytes(readLE<std::uint64_t>())))); break;
        case BINBYTES: push(m_arena.make<StringValue>(Kind::Bytes, asChars(readBytes(readLE<std::uint32_t>())))); break;
        case SHORT_BINBYTES: push(m_arena.make<StringValue>(Kind::Bytes, asChars(readBytes(readLE<std::uint8_t>())))); break;
        case BINBYTES8: push(m_arena.make<StringValue>(Kind::Bytes, asChars(readBytes(readLE<std::uint64_t>())))); break;
        case BYTEARRAY8: push(m_arena.make<StringValue>(Kind::ByteArray, asChars(readBytes(readLE<std::uint64_t>())))); break;
        case EMPTY_LIST: push(m_arena.makeSequence(Kind::List)); break;
        case EMPTY_TUPLE: push(m_arena.makeSequence(Kind::Tuple)); break;
        case EMPTY_DICT: push(m_arena.makeDict(DictFlavor::Plain)); break;
        case EMPTY_SET: push(m_arena.makeSequence(Kind::Set)); break;
        case LIST: {
            const auto &items = popMark();
            auto *l = m_arena.makeSequence(Kind::List);
            l->items.assign(items.begin(), items.end());
            push(l);
            break;
        }
        case TUPLE: {
            const auto &items = popMark();
            push(makeTuple(items));
            break;
        }
        case TUPLE1:
        case TUPLE2:
        case TUPLE3: {
            const std::size_t n = op - TUPLE1 + 1;
            Value *items[3];
            for (std::size_t i = n; i-- > 0;)
                items[i] = pop();
            push(makeTuple({items, n}));
            break;
        }
        case FROZENSET: {
            const auto &items = popMark();
            auto *s = m_arena.makeSequence(Kind::FrozenSet);
            s->items.assign(items.begin(), items.end());
            push(s);
            break;
        }
        case DICT: {
            const auto &items = popMark();
            if (items.size() % 2)
                malformed("DICT with an odd number of items");
            auto *d = m_arena.makeDict(DictFlavor::Plain);
            for (std::size_t i = 0; i < items.size(); i += 2)
                setItem(d, items[i], items[i + 1]);
            push(d);
            break;
        }
        case APPEND: {
            Value *item = pop();
            appendItem(top(), item);
            break;
        }
        case APPENDS: {
            const auto &items = popMark();
            Value *target = top();
            for (Value *item : items)
                appendItem(target, item);
            break;
        }
        case SETITEM: {
            Value *value = pop();
            Value *key = pop();
            setItem(top(), key, value);
            break;
        }
        case SETITEMS: {
            const auto &items = popMark();
            if (items.size() % 2)
                malformed("SETITEMS with an odd number of items");
            Value *target = top();
            for (std::size_t i = 0; i < items.size(); i += 2)
                setItem(target, items[i], items[i + 1]);
            break;
        }
        case ADDITEMS: {
            const auto &items = popMark();
            Value *target = top();
            if (target->kind != Kind::Set)
                malformed("ADDITEMS applied to a value that is not a set");
            auto &dst = static_cast<SequenceValue *>(target)->items;
            dst.insert(dst.end(), items.begin(), items.end());
            break;
        }
        case GLOBAL: {
            const auto module = readLine();
            const auto name = readLine();
            push(makeGlobal(module, name, false));
            break;
        }
        case STACK_GLOBAL: {
            Value *name = pop();
            Value *module = pop();
            if (!isStr(name) || !isStr(module))
                malformed("STACK_GLOBAL operands are not strings");
            push(makeGlobal(strOf(module), strOf(name), true));
            break;
        }
        case REDUCE: {
            Value *args = pop();
            Value *callable = pop();
            push(reduce(callable, args));
            break;
        }
        case NEWOBJ: {
            Value *args = pop();
            Value *cls = pop();
            if (args->kind != Kind::Tuple)
                malformed("NEWOBJ arguments are not a tuple");
            push(newObject(cls, args, nullptr, Construction::NewObj));
            break;
        }
        case NEWOBJ_EX: {
            Value *kwargs = pop();
            Value *args = pop();
            Value *cls = pop();
            if (args->kind != Kind::Tuple || kwargs->kind != Kind::Dict)
                malformed("NEWOBJ_EX arguments are not a tuple and a dict");
            push(newObject(cls, args, kwargs, Construction::NewObjEx));
            break;
        }
        case INST: {
            const auto module = readLine();
            const auto name = readLine();
            const auto &items = popMark();
            Value *cls = makeGlobal(module, name, false);
            push(newObject(cls, makeTuple(items), nullptr, Construction::Inst));
            break;
        }
        case OBJ: {
            const auto &items = popMark();
            if (items.empty())
                malformed("OBJ without a class");
            push(newObject(items[0], makeTuple(std::span<Value *const>(items).subspan(1)), nullptr, Construction::Obj));
            break;
        }
        case BUILD: {
            Value *state = pop();
            build(top(), state);
            break;
        }
        case PERSID:
        case BINPERSID: {
            Value *pid = op == PERSID ? m_arena.make<StringValue>(Kind::Str, readLine()) : pop();
            if (!m_loader)
                malformed("persistent id in a pickle that cannot have one");
            push(m_loader(pid));
            break;
        }
        case PUT: {
            std::uint64_t idx = 0;
            const auto line = readLine();
            if (std::from_chars(line.data(), line.data() + line.size(), idx).ec != std::errc())
                malformed("invalid PUT index");
            memoPut(idx, top());
            break;
        }
        case BINPUT: memoPut(readLE<std::uint8_t>(), top()); break;
        case LONG_BINPUT: memoPut(readLE<std::uint32_t>(), top()); break;
        case MEMOIZE: memoPut(m_memoCount, top()); break;
        case GET:
        case BINGET:
        case LONG_BINGET: {
            std::uint64_t idx = 0;
            if (op == GET) {
                const auto line = readLine();
                if (std::from_chars(line.data(), line.data() + line.size(), idx).ec != std::errc())
                    malformed("invalid GET index");
            } else {
                idx = op == BINGET ? readLE<std::uint8_t>() : readLE<std::uint32_t>();
            }
            push(memoGet(idx));
            break;
        }
        case EXT1:
        case EXT2:
        case EXT4: fail(ErrorKind::Unsupported, "pickle extension registry codes (EXT1/2/4) are not supported");
        case NEXT_BUFFER: fail(ErrorKind::Unsupported, "out-of-band pickle buffers are not supported");
        case READONLY_BUFFER: top(); break;
        default: {
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex = "0x";
            hex.push_back(kHex[op >> 4]);
            hex.push_back(kHex[op & 15]);
            malformed("unknown pickle opcode " + hex);
        }
        }
    }
}

} // namespace ckpt::pickle

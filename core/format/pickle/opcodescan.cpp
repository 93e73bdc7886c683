// SPDX-License-Identifier: MIT
#include "opcodescan.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace ckpt::pickle {

namespace {
class Walker
{
public:
    explicit Walker(std::span<const std::byte> data)
        : m_data(data)
    { }

    OpcodeScan run()
    {
        OpcodeScan out;
        try {
            while (m_pos < m_data.size()) {
                const std::size_t start = m_pos;
                const auto op = static_cast<unsigned char>(m_data[m_pos++]);
                if (op == '.') {
                    out.firstUse[op] = std::min(out.firstUse[op], start);
                    out.complete = true;
                    break;
                }
                step(op, start, out);
                out.firstUse[op] = std::min(out.firstUse[op], start); // only opcodes that were read whole
            }
            if (!out.complete && out.error.empty())
                out.error = "the pickle ends without STOP";
        } catch (const std::string &e) {
            out.error = e;
        }
        out.end = m_pos;
        return out;
    }

private:
    std::span<const std::byte> bytes(std::size_t n)
    {
        if (n > m_data.size() - m_pos)
            throw std::string("an argument runs past the end at byte ") + std::to_string(m_pos);
        const auto s = m_data.subspan(m_pos, n);
        m_pos += n;
        return s;
    }
    std::uint64_t le(std::size_t n)
    {
        std::uint64_t v = 0;
        const auto b = bytes(n);
        for (std::size_t i = n; i-- > 0;)
            v = (v << 8) | static_cast<unsigned char>(b[i]);
        return v;
    }
    // Strings are views of the pickle: a memoised string fetched again and again (BINGET) must not be
    // copied each time, or a small pickle that fetches one long string many times costs gigabytes.
    std::string_view line()
    {
        const std::size_t start = m_pos;
        while (m_pos < m_data.size() && m_data[m_pos] != std::byte{'\n'})
            ++m_pos;
        if (m_pos >= m_data.size())
            throw std::string("a line argument has no end at byte ") + std::to_string(start);
        const std::string_view s(reinterpret_cast<const char *>(m_data.data() + start), m_pos - start);
        ++m_pos;
        return s;
    }
    std::string_view text(std::uint64_t n)
    {
        const auto b = bytes(n);
        return {reinterpret_cast<const char *>(b.data()), b.size()};
    }
    std::uint64_t lineNumber() { return std::strtoull(std::string(line()).c_str(), nullptr, 10); }
    void pushString(std::string_view s)
    {
        m_strings.push_back(s);
        m_lastWasString = true;
    }
    // Only strings matter here; other values still take their memo index.
    void remember(std::uint64_t index, bool isString)
    {
        m_keys.insert(index);
        if (isString)
            m_memo[index] = m_strings.back();
        else
            m_memo.erase(index);
    }

    void step(unsigned char op, std::size_t start, OpcodeScan &out)
    {
        const bool wasString = m_lastWasString;
        m_lastWasString = false;
        switch (op) {
        // strings: remembered for STACK_GLOBAL and the memo
        case 'S': {
            std::string_view s = line();
            if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"'))
                s = s.substr(1, s.size() - 2);
            pushString(s);
            return;
        }
        case 'V': pushString(line()); return;
        case 'T':
        case 'X': pushString(text(le(4))); return;
        case 'U':
        case 0x8c: pushString(text(le(1))); return;
        case 0x8d: pushString(text(le(8))); return;
        // the memo
        case 0x94: remember(m_keys.size(), wasString); return; // MEMOIZE: the next index is len(memo)
        case 'q':
        case 'r':
        case 'p': remember(op == 'q' ? le(1) : op == 'r' ? le(4) : lineNumber(), wasString); return;
        case 'h':
        case 'j':
        case 'g': {
            const std::uint64_t i = op == 'h' ? le(1) : op == 'j' ? le(4) : lineNumber();
            if (const auto it = m_memo.find(i); it != m_memo.end())
                pushString(it->second);
            return;
        }
        case '0':
            if (wasString && !m_strings.empty())
                m_strings.pop_back();
            return;
        // globals
        case 'c':
        case 'i': {
            std::string module(line());
            std::string name(line());
            out.globals.push_back({std::move(module), std::move(name), start, false, {}});
            return;
        }
        case 0x93:
            if (m_strings.size() >= 2)
                out.globals.push_back({std::string(m_strings[m_strings.size() - 2]), std::string(m_strings.back()), start, true, {}});
            else
                out.globals.push_back({"?", "?", start, true, {}}); // built some other way: still a global
            return;
        // everything else only needs its argument skipped
        case 'K':
        case 0x80:
        case 0x82: bytes(1); return;
        case 'M':
        case 0x83: bytes(2); return;
        case 'J':
        case 0x84: bytes(4); return;
        case 'G':
        case 0x95: bytes(8); return;
        case 'C':
        case 0x8a: bytes(le(1)); return;
        case 'B':
        case 0x8b: bytes(le(4)); return;
        case 0x8e:
        case 0x96: bytes(le(8)); return;
        case 'I':
        case 'L':
        case 'F':
        case 'P': line(); return;
        case '(':
        case '1':
        case '2':
        case 'N':
        case 'a':
        case 'b':
        case 'd':
        case '}':
        case 'e':
        case 'l':
        case ']':
        case 'o':
        case 'R':
        case 's':
        case 't':
        case ')':
        case 'u':
        case 'Q':
        case 0x81:
        case 0x85:
        case 0x86:
        case 0x87:
        case 0x88:
        case 0x89:
        case 0x8f:
        case 0x90:
        case 0x91:
        case 0x92:
        case 0x97:
        case 0x98: return;
        default: throw std::string("unknown opcode ") + std::to_string(op) + " at byte " + std::to_string(start);
        }
    }

    std::span<const std::byte> m_data;
    std::size_t m_pos = 0;
    std::vector<std::string_view> m_strings;
    std::unordered_map<std::uint64_t, std::string_view> m_memo;
    std::unordered_set<std::uint64_t> m_keys;
    bool m_lastWasString = false;
};
} // namespace

OpcodeScan scanOpcodes(std::span<const std::byte> data)
{
    return Walker(data).run();
}

} // namespace ckpt::pickle

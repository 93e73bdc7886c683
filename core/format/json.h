// SPDX-License-Identifier: MIT
// A small strict JSON reader (ordered objects, duplicate keys rejected, depth-limited); jsonwriter.h writes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ckpt::json {

class Value
{
public:
    enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<Value>;
    using Object = std::vector<std::pair<std::string, Value>>; // in document order

    Type type = Type::Null;
    bool boolean = false;
    bool isInteger = false; // the literal had no fraction/exponent and fits in int64
    double number = 0.0;
    std::int64_t integer = 0; // valid when isInteger

    bool isNull() const { return type == Type::Null; }
    bool isString() const { return type == Type::String; }
    bool isObject() const { return type == Type::Object; }
    bool isArray() const { return type == Type::Array; }
    // Empty when the value is of another type.
    const std::string &string() const;
    const Array &array() const;
    const Object &object() const;
    // First member with that key, or nullptr (objects never hold duplicates).
    const Value *find(std::string_view key) const;

private:
    friend class Parser;
    // One payload for strings and containers keeps a value at 64 bytes (headers can be 100 MB).
    std::variant<std::monostate, std::string, Array, Object> m_payload;
};

struct Limits
{
    std::size_t maxDepth = 64;
    std::size_t maxArrayLength = std::size_t(-1); // LimitExceeded beyond (safetensors shapes: 64)
};

// Throws ckpt::Error(Malformed) with the byte offset of the problem.
Value parse(std::string_view text, const Limits &limits = {});

} // namespace ckpt::json

namespace ckpt {
// printf's "%.<precision>g" and "%.<decimals>f" as the C locale writes them, whatever the process's locale
// (QCoreApplication sets LC_NUMERIC from the environment, and de_DE would write 0,5). Not finite: nan, inf, -inf.
std::string formatGeneral(double v, int precision);
std::string formatFixed(double v, int decimals);
} // namespace ckpt

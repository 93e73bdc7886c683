// A small strict JSON reader (ordered objects, duplicate keys rejected, depth-limited) and string quoting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ckpt::json {

class Value
{
public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    Type type = Type::Null;
    bool boolean = false;
    double number = 0.0;
    bool isInteger = false;   // the literal had no fraction/exponent and fits in int64
    std::int64_t integer = 0; // valid when isInteger
    std::string string;
    std::vector<Value> array;
    std::vector<std::pair<std::string, Value>> object; // in document order

    bool isNull() const { return type == Type::Null; }
    bool isString() const { return type == Type::String; }
    bool isObject() const { return type == Type::Object; }
    bool isArray() const { return type == Type::Array; }
    // First member with that key, or nullptr (objects never hold duplicates).
    const Value *find(std::string_view key) const;
};

struct Limits
{
    std::size_t maxDepth = 64;
};

// Throws ckpt::Error(Malformed) with the byte offset of the problem.
Value parse(std::string_view text, const Limits &limits = {});

// A JSON string literal, with quotes. Invalid UTF-8 bytes are replaced by U+FFFD.
std::string quote(std::string_view s);

} // namespace ckpt::json

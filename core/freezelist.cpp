#include "freezelist.h"

#include "format/error.h"
#include "format/json.h"
#include "format/mappedfile.h"
#include "format/utf8.h"
#include "freezestate.h"
#include "inspectreport.h"

#include <cstdio>

namespace ckpt {

FreezeListFormat freezeListFormatFor(std::string_view path)
{
    if (path.ends_with(".json"))
        return FreezeListFormat::Json;
    if (path.ends_with(".py"))
        return FreezeListFormat::Python;
    return FreezeListFormat::Text;
}

std::string pythonJsonQuote(std::string_view s)
{
    std::string out = "\"";
    char buf[16];
    for (std::size_t i = 0; i < s.size();) {
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
            default:
                if (c < 0x20 || c == 0x7F) { // json.dump escapes all but ' ' to '~' (DEL included)
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8::sequenceLength(s.substr(i));
        std::uint32_t cp = 0xFFFD;
        if (n > 1) {
            cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            for (std::size_t k = 1; k < n; ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        }
        i += n ? n : 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            std::snprintf(buf, sizeof buf, "\\u%04x", 0xD800 + (cp >> 10));
            out += buf;
            cp = 0xDC00 + (cp & 0x3FF);
        }
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
        out += buf;
    }
    return out + "\"";
}

std::string freezeListJson(const std::vector<std::string> &frozenNames)
{
    std::string out = "{";
    for (std::size_t i = 0; i < frozenNames.size(); ++i)
        out += (i ? ", " : "") + pythonJsonQuote(frozenNames[i]) + ": 0";
    return out + "}";
}

std::string freezeListText(const std::vector<std::string> &frozenNames)
{
    std::string out;
    for (const auto &n : frozenNames)
        out += n + "\n";
    return out;
}

std::string freezeListPython(const FreezeState &state, std::string_view sourceDescription)
{
    const auto names = state.frozenNames();
    std::string out;
    out += "# Freeze list written by Checkpoint Studio for " + std::string(sourceDescription) + ".\n";
    out += "# " + std::to_string(names.size()) + " of " + std::to_string(state.parameters().size()) + " parameters frozen ("
           + groupThousands(state.frozenElements()) + " of " + groupThousands(state.totalElements()) + " values).\n";
    out += "import torch\n\n";
    out += "FROZEN = {\n";
    for (const auto &n : names)
        out += "    " + pythonJsonQuote(n) + ",\n";
    out += "}\n\n\n";
    out += "def apply_freeze(model):\n"
           "    \"\"\"Sets requires_grad=False on the frozen parameters and True on all others.\"\"\"\n"
           "    known = set()\n"
           "    for name, param in model.named_parameters():\n"
           "        param.requires_grad = name not in FROZEN\n"
           "        known.add(name)\n"
           "    missing = FROZEN - known\n"
           "    if missing:\n"
           "        raise KeyError(\"frozen parameters not in this model: %s\" % sorted(missing)[:5])\n\n\n"
           "def trainable_parameters(model):\n"
           "    \"\"\"What the optimizer should see: only the parameters that still train.\"\"\"\n"
           "    return filter(lambda p: p.requires_grad, model.parameters())\n\n\n"
           "# apply_freeze(model)\n"
           "# optimizer = torch.optim.AdamW(trainable_parameters(model), lr=1e-4)\n";
    return out;
}

std::string formatFreezeList(const FreezeState &state, FreezeListFormat format, std::string_view sourceDescription)
{
    switch (format) {
    case FreezeListFormat::Json: return freezeListJson(state.frozenNames());
    case FreezeListFormat::Text: return freezeListText(state.frozenNames());
    case FreezeListFormat::Python: return freezeListPython(state, sourceDescription);
    }
    return {};
}

std::vector<std::string> parseFreezeList(std::string_view content)
{
    std::size_t first = 0;
    while (first < content.size() && (content[first] == ' ' || content[first] == '\n' || content[first] == '\r' || content[first] == '\t'))
        ++first;
    std::vector<std::string> names;
    if (first < content.size() && (content[first] == '{' || content[first] == '[')) {
        const json::Value v = json::parse(content);
        if (v.isObject()) {
            for (const auto &[k, value] : v.object())
                names.push_back(k);
        } else {
            for (const auto &item : v.array()) {
                if (!item.isString())
                    fail(ErrorKind::Malformed, "a JSON freeze list must hold names (strings)");
                names.push_back(item.string());
            }
        }
        return names;
    }
    while (!content.empty()) {
        const auto nl = content.find('\n');
        std::string_view line = content.substr(0, nl);
        content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (line.empty() || line.front() == '#')
            continue;
        names.emplace_back(line);
    }
    return names;
}

std::vector<std::string> readFreezeList(const std::string &path)
{
    try {
        const auto file = MappedFile::open(path);
        if (file->size() > (64u << 20))
            fail(ErrorKind::LimitExceeded, "a freeze list larger than 64 MiB");
        const auto bytes = file->bytes();
        return parseFreezeList({reinterpret_cast<const char *>(bytes.data()), bytes.size()});
    } catch (const Error &e) {
        throw e.withFile(path);
    }
}

} // namespace ckpt

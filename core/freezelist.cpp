// SPDX-License-Identifier: MIT
#include "freezelist.h"

#include "format/error.h"
#include "format/json.h"
#include "format/jsonwriter.h"
#include "format/mappedfile.h"
#include "freezestate.h"
#include "inspectreport.h"

#include <sys/stat.h>

namespace ckpt {

FreezeListFormat freezeListFormatFor(std::string_view path)
{
    if (path.ends_with(".json"))
        return FreezeListFormat::Json;
    if (path.ends_with(".py"))
        return FreezeListFormat::Python;
    return FreezeListFormat::Text;
}

std::string freezeListJson(const std::vector<std::string> &frozenNames)
{
    // json.dump(d, f) with its defaults: ensure_ascii, ", " and ": ", no newline at the end.
    std::string out;
    json::Writer w(out, json::Escape::Ascii);
    w.beginObject();
    for (const auto &name : frozenNames)
        w.key(name).integer(0);
    w.end();
    return out;
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
        out += "    " + json::quote(n, json::Escape::Ascii) + ",\n";
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

std::string formatFreezeList(const FreezeState &state, FreezeListFormat format, std::string_view sourceDescription, const std::vector<std::string> &foreign)
{
    std::vector<std::string> names = state.frozenNames();
    names.insert(names.end(), foreign.begin(), foreign.end());
    switch (format) {
    case FreezeListFormat::Json: return freezeListJson(names);
    case FreezeListFormat::Text: return freezeListText(names);
    case FreezeListFormat::Python: return freezeListPython(state, sourceDescription);
    }
    return {};
}

std::vector<std::string> foreignFreezeNames(const std::string &path, const FreezeState &state)
{
    struct stat st
    { };
    if (::stat(path.c_str(), &st) != 0)
        return {};
    std::vector<std::string> foreign;
    for (auto &name : readFreezeList(path))
        if (state.indexOf(name) == std::string::npos)
            foreign.push_back(std::move(name));
    return foreign;
}

namespace {
// The FROZEN = {...} set of freezeListPython's snippet: one JSON-quoted name per line (JSON's ASCII string
// literals are Python string literals too).
std::vector<std::string> parsePythonFreezeList(std::string_view content)
{
    const std::string_view open = "\nFROZEN = {\n";
    const auto start = content.find(open);
    if (start == std::string_view::npos)
        fail(ErrorKind::Malformed, "is Python without the FROZEN = {...} set that Checkpoint Studio's snippet has");
    std::vector<std::string> names;
    std::size_t pos = start + open.size();
    for (std::size_t line = 1;; ++line) {
        const auto nl = content.find('\n', pos);
        if (nl == std::string_view::npos)
            fail(ErrorKind::Malformed, "the FROZEN set is not closed by a '}' line");
        std::string_view text = content.substr(pos, nl - pos);
        pos = nl + 1;
        while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == ','))
            text.remove_suffix(1);
        while (!text.empty() && text.front() == ' ')
            text.remove_prefix(1);
        if (text == "}")
            return names;
        if (text.empty())
            continue;
        json::Value v;
        try {
            v = json::parse(text);
        } catch (const Error &) {
            v = {};
        }
        if (!v.isString())
            fail(ErrorKind::Malformed, "line " + std::to_string(line) + " of the FROZEN set is not one quoted name");
        names.push_back(v.string());
    }
}

bool looksLikePython(std::string_view content)
{
    for (const std::string_view marker : {"\nimport ", "\nfrom ", "\ndef ", "\nFROZEN = {"})
        if (content.find(marker) != std::string_view::npos)
            return true;
    return content.starts_with("import ") || content.starts_with("from ") || content.starts_with("def ");
}
} // namespace

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
    if (looksLikePython(content))
        return parsePythonFreezeList(content);
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

// SPDX-License-Identifier: MIT
#include "torchscriptschema.h"

namespace ckpt {

namespace {
std::vector<std::string> quotedItems(std::string_view list)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = list.find('"', pos)) != std::string_view::npos) {
        const auto end = list.find('"', pos + 1);
        if (end == std::string_view::npos)
            break;
        out.emplace_back(list.substr(pos + 1, end - pos - 1));
        pos = end + 1;
    }
    return out;
}
} // namespace

std::string TorchScriptSchema::modulePathForRecord(std::string_view path)
{
    const auto code = path.find("code/");
    if (code == std::string_view::npos || !path.ends_with(".py"))
        return {};
    std::string module(path.substr(code + 5, path.size() - code - 5 - 3));
    for (auto &c : module)
        if (c == '/')
            c = '.';
    return module;
}

void TorchScriptSchema::addSource(std::string_view modulePath, std::string_view source)
{
    TorchScriptClass *current = nullptr;
    while (!source.empty()) {
        const auto nl = source.find('\n');
        std::string_view line = source.substr(0, nl);
        source = nl == std::string_view::npos ? std::string_view{} : source.substr(nl + 1);

        if (line.starts_with("class ")) {
            // class Conv2d(Module):
            const auto paren = line.find('(');
            const auto close = line.find(')');
            const auto nameEnd = paren == std::string_view::npos ? line.find(':') : paren;
            if (nameEnd == std::string_view::npos) {
                current = nullptr;
                continue;
            }
            const std::string name(line.substr(6, nameEnd - 6));
            current = &m_classes[std::string(modulePath) + "." + name];
            current->isModule = paren != std::string_view::npos && close != std::string_view::npos && line.substr(paren + 1, close - paren - 1) == "Module";
            continue;
        }
        if (!line.starts_with("  ")) {
            if (!line.empty() && line[0] != ' ')
                current = nullptr; // a top-level def or statement ends the class
            continue;
        }
        if (!current)
            continue;
        const auto body = line.substr(2);
        if (body.starts_with("__parameters__ = "))
            current->parameters = quotedItems(body);
        else if (body.starts_with("__buffers__ = "))
            current->buffers = quotedItems(body);
    }
}

const TorchScriptClass *TorchScriptSchema::find(std::string_view qualifiedName) const
{
    const auto it = m_classes.find(std::string(qualifiedName));
    return it == m_classes.end() ? nullptr : &it->second;
}

} // namespace ckpt

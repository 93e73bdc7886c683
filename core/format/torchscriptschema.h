// SPDX-License-Identifier: MIT
// Which attributes of a TorchScript class are parameters and buffers, read from the archive's code/ files.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ckpt {

struct TorchScriptClass
{
    bool isModule = false;
    std::vector<std::string> parameters;
    std::vector<std::string> buffers;
};

class TorchScriptSchema
{
public:
    // Adds the classes defined in one code file; modulePath is e.g. "__torch__.torch.nn.modules.conv".
    void addSource(std::string_view modulePath, std::string_view source);
    const TorchScriptClass *find(std::string_view qualifiedName) const;
    bool empty() const { return m_classes.empty(); }

    // "code/__torch__/torch/nn/modules/conv.py" -> "__torch__.torch.nn.modules.conv"; empty if not code.
    static std::string modulePathForRecord(std::string_view pathInArchive);

private:
    std::unordered_map<std::string, TorchScriptClass> m_classes;
};

} // namespace ckpt

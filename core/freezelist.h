// Freeze lists on disk: frozen_layers.json in the seed's format, plain text lists, and a Python snippet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

class FreezeState;

enum class FreezeListFormat { Json, Text, Python };

// Chooses by extension: .json, .py, anything else text.
FreezeListFormat freezeListFormatFor(std::string_view path);

// frozen_layers.json exactly as the seed's json.dump({name: 0, ...}) writes it.
std::string freezeListJson(const std::vector<std::string> &frozenNames);
// One name per line.
std::string freezeListText(const std::vector<std::string> &frozenNames);
// Applies the freeze to a model and builds the optimizer over the trainable parameters only.
std::string freezeListPython(const FreezeState &state, std::string_view sourceDescription);
std::string formatFreezeList(const FreezeState &state, FreezeListFormat format, std::string_view sourceDescription);

// Accepts a JSON object {"name": 0, ...} (keys are the names), a JSON list of names, or text with one
// name per line ('#' comments and blank lines ignored). Throws ckpt::Error naming the file.
std::vector<std::string> parseFreezeList(std::string_view content);
std::vector<std::string> readFreezeList(const std::string &path);

// Python's json.dumps string quoting (ensure_ascii): non-ASCII as \uXXXX, surrogate pairs above U+FFFF.
std::string pythonJsonQuote(std::string_view s);

} // namespace ckpt

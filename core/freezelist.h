// SPDX-License-Identifier: MIT
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
// foreign: names of other checkpoints kept in the list (see foreignFreezeNames), after this one's; JSON and
// text only (the Python snippet applies to one model).
std::string formatFreezeList(
    const FreezeState &state, FreezeListFormat format, std::string_view sourceDescription, const std::vector<std::string> &foreign = {});

// What writing state's list over the freeze list at path must keep: its names that are no parameter of
// state's checkpoint. One frozen_layers.json often serves several checkpoints in a folder; a save for one
// must not drop another's decisions. Empty when path does not exist; throws ckpt::Error (naming the file)
// when it exists but is not a freeze list, so that nothing overwrites what cannot be read back.
std::vector<std::string> foreignFreezeNames(const std::string &path, const FreezeState &state);

// Accepts a JSON object {"name": 0, ...} (keys are the names), a JSON list of names, the Python snippet
// freezeListPython writes (its FROZEN set), or text with one name per line ('#' comments and blank lines
// ignored). Other Python is refused rather than read as names. Throws ckpt::Error naming the file.
std::vector<std::string> parseFreezeList(std::string_view content);
std::vector<std::string> readFreezeList(const std::string &path);

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Sharded checkpoints: model.safetensors.index.json / pytorch_model.bin.index.json name a shard per tensor.
#include "bytereader.h"
#include "error.h"
#include "json.h"
#include "namelimit.h"
#include "readers.h"

#include <unordered_map>

namespace ckpt::detail {

using namespace pickle;

bool looksLikeJsonObject(std::span<const std::byte> bytes)
{
    for (const std::byte b : bytes.first(std::min<std::size_t>(bytes.size(), 4096))) {
        const char c = static_cast<char>(b);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        return c == '{';
    }
    return false;
}

// File names come from the file: only plain relative paths inside the folder are allowed.
void checkRelativeFileName(const std::string &name, std::string_view what)
{
    if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos || name.find('\0') != std::string::npos)
        fail(ErrorKind::Malformed, std::string(what) + " name '" + name + "' is not a relative path");
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto slash = name.find('/', start);
        const auto part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == ".." || part == "." || part.empty())
            fail(ErrorKind::Malformed, std::string(what) + " name '" + name + "' leaves its folder");
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
}

namespace {

// The flat name -> tensor map of a shard (its top level, which is what HF writes).
const DictValue &shardTensors(const RawCheckpoint &shard, const std::string &file)
{
    const auto *d = asDict(shard.root);
    if (!d)
        fail(ErrorKind::Malformed, "shard '" + file + "' is not a name -> tensor map");
    return *d;
}

} // namespace

void readSharded(const Source &src, RawCheckpoint &out, const ReadLimits &limits, int nesting)
{
    if (nesting > 0)
        fail(ErrorKind::Malformed, "a shard of a sharded checkpoint is itself an index");
    if (src.bytes.size() > limits.maxIndexJson)
        fail(ErrorKind::LimitExceeded, "index JSON of " + std::to_string(src.bytes.size()) + " bytes is above the limit");
    json::Value index;
    try {
        index = json::parse(asChars(src.bytes));
    } catch (const Error &e) {
        throw e.withContext("index JSON");
    }
    const json::Value *weightMap = index.isObject() ? index.find("weight_map") : nullptr;
    if (!weightMap || !weightMap->isObject())
        fail(ErrorKind::UnknownFormat, "a JSON file without a \"weight_map\" object: not a sharded checkpoint index");
    out.format = Format::Sharded;
    out.arena = makeArena(weightMap->object().size() * 8, limits);

    std::unordered_map<std::string, std::pair<RawCheckpoint *, std::unordered_map<std::string_view, Value *>>> shards;
    auto *root = out.arena->makeDict(DictFlavor::Plain);
    root->items.reserve(weightMap->object().size());
    for (const auto &[name, fileValue] : weightMap->object()) {
        checkNameSegments(name, "weight_map entry");
        if (!fileValue.isString())
            fail(ErrorKind::Malformed, "weight_map entry for '" + name + "' is not a file name");
        const std::string &file = fileValue.string();
        auto it = shards.find(file);
        if (it == shards.end()) {
            checkRelativeFileName(file, "shard file");
            const std::string path = src.directory.empty() ? file : src.directory + "/" + file;
            auto part = std::make_unique<RawCheckpoint>();
            try {
                auto mapped = MappedFile::open(path);
                Source shardSource{mapped, mapped->bytes(), path, src.directory};
                part->path = path;
                part->files.push_back(mapped);
                readSource(shardSource, *part, limits, nesting + 1);
            } catch (const Error &e) {
                // Reported against the index the user opened, naming the shard and where it was looked for.
                // NOLINTNEXTLINE(performance-inefficient-string-concatenation): thrown once
                throw Error(e.kind(), "shard '" + file + "' (" + path + "): " + e.detail());
            }
            std::unordered_map<std::string_view, Value *> byName;
            for (const auto &[k, v] : shardTensors(*part, file).items)
                if (isStr(k))
                    byName.emplace(strOf(k), v);
            out.notes.push_back("shard " + file + ": " + std::string(formatName(part->format)));
            it = shards.emplace(file, std::make_pair(part.get(), std::move(byName))).first;
            adoptPart(out, std::move(part), file);
        }
        const auto found = it->second.second.find(name);
        if (found == it->second.second.end() || found->second->kind != Kind::Tensor)
            // NOLINTNEXTLINE(performance-inefficient-string-concatenation): thrown once
            fail(ErrorKind::Malformed, "shard '" + file + "' has no tensor '" + name + "' that the index lists");
        root->items.emplace_back(out.arena->make<StringValue>(Kind::Str, out.arena->copy(name)), found->second);
    }
    out.root = root;
}

} // namespace ckpt::detail

// SPDX-License-Identifier: MIT
// What a format reader produces: the value tree of a checkpoint file, its storages and provenance.
#pragma once

#include "mappedfile.h"
#include "pickle/picklemachine.h"
#include "pickle/value.h"
#include "progress.h"
#include "torchscriptschema.h"

#include <memory>
#include <set>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

namespace ckpt {

enum class Format { TorchZip, TorchLegacy, TorchScript, Safetensors, Sharded, Dcp, DeepSpeed };

// "torch-zip", "torch-legacy", "torchscript", "safetensors", "sharded", "dcp", "deepspeed"
std::string_view formatName(Format f);

struct ReadLimits
{
    std::uint64_t maxInflatedRecord = 1ull << 30; // a compressed data.pkl / code record
    std::uint64_t maxSafetensorsHeader = 100'000'000; // the reference implementation's MAX_HEADER_SIZE
    std::uint64_t maxIndexJson = 64ull << 20;
    std::uint64_t maxGzipOutputFloor = 256ull << 20; // unpacked .tar.gz may be max(floor, ratio*size)
    std::uint64_t maxGzipRatio = 32;
    std::uint64_t maxGzipOutput = 64ull << 30;
    std::size_t baseObjects = 2'000'000; // pickle objects allowed: base + bytes / 2
    const Progress *progress = nullptr; // optional: reports, and stops the read when cancelled
};

struct RawCheckpoint
{
    Format format = Format::TorchZip;
    std::string path;
    std::vector<std::shared_ptr<const MappedFile>> files; // keep the mapped bytes alive
    std::unique_ptr<pickle::Arena> arena;
    pickle::Value *root = nullptr;
    std::vector<pickle::StorageValue *> storages; // all storages, ids are their index here
    std::vector<pickle::GlobalReference> globals;
    int pickleProtocol = -1;
    std::string archiveName; // zip: the record prefix; tar.gz: the member that was opened
    std::string member; // tar / tar.gz: the archive member that holds the checkpoint
    std::string formatVersion; // zip: the 'version' record
    TorchScriptSchema schema; // TorchScript: classes from code/
    std::vector<std::pair<std::string, std::string>> metadata; // safetensors __metadata__
    std::vector<std::string> notes; // things the user should know about how the file was read
    std::vector<std::unique_ptr<RawCheckpoint>> parts; // sharded: one per shard file; dcp: one per chunk or value
    int worldSize = 0; // dcp, deepspeed: the ranks that wrote the folder
    int zeroStage = -1; // deepspeed: 1, 2 or 3
    std::int64_t step = -1; // deepspeed: global_steps
    std::set<std::string> frozenNames; // deepspeed: the parameters it kept frozen (frozen_param_shapes)
    // dcp, deepspeed: where each tensor was put together from ("2 chunks: __0_0.distcp at [0, 0] ...").
    std::unordered_map<const pickle::TensorValue *, std::string> layouts;
    std::vector<std::unique_ptr<pickle::DeferredBytes>> deferred; // dcp, deepspeed: tensors put together on use

    RawCheckpoint();
    ~RawCheckpoint();
    RawCheckpoint(RawCheckpoint &&) noexcept;
    RawCheckpoint &operator=(RawCheckpoint &&) noexcept;
};

// Detects the format from the content and reads the file. Throws ckpt::Error naming the file.
RawCheckpoint readCheckpoint(const std::string &path, const ReadLimits &limits = {});

} // namespace ckpt

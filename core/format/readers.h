// SPDX-License-Identifier: MIT
// Internal entry points of the per-format readers, called by readCheckpoint() after content detection.
#pragma once

#include "rawcheckpoint.h"

#include <span>

namespace ckpt::detail {

// Bytes to read plus the mapping that keeps them alive (a whole file, or a member inside a tar).
struct Source
{
    std::shared_ptr<const MappedFile> file;
    std::span<const std::byte> bytes;
    std::string name; // for messages and notes
    std::string directory; // folder of the file on disk (sharded indexes resolve shards there)
};

void readSource(const Source &src, RawCheckpoint &out, const ReadLimits &limits, int nesting);

void readTorchZip(const Source &src, RawCheckpoint &out, const ReadLimits &limits);
void readLegacyPickle(const Source &src, RawCheckpoint &out, const ReadLimits &limits);
void readLegacyTar(const Source &src, RawCheckpoint &out, const ReadLimits &limits);
void readSafetensors(const Source &src, RawCheckpoint &out, const ReadLimits &limits);
void readSharded(const Source &src, RawCheckpoint &out, const ReadLimits &limits, int nesting);
// A torch.distributed.checkpoint folder: one with a .metadata file.
bool isDcpFolder(const std::string &dir);
void readDcpFolder(const std::string &dir, RawCheckpoint &out, const ReadLimits &limits);
// A DeepSpeed checkpoint: a root with `latest`, or a tag folder with model states in it.
bool isDeepSpeedFolder(const std::string &dir);
void readDeepSpeedFolder(const std::string &dir, RawCheckpoint &out, const ReadLimits &limits);

// Throws unless name is a plain relative path inside its folder (no "..", no absolute path); what names it.
void checkRelativeFileName(const std::string &name, std::string_view what);

bool looksLikeSafetensors(std::span<const std::byte> bytes);
bool looksLikeLegacyPickle(std::span<const std::byte> bytes);
bool looksLikeJsonObject(std::span<const std::byte> bytes);

// How much a compressed input of packedSize bytes may unpack to (gzip files, deflated zip records):
// max(floor, ratio x packed size), capped.
std::uint64_t unpackBudget(const ReadLimits &limits, std::uint64_t packedSize);

std::unique_ptr<pickle::Arena> makeArena(std::uint64_t pickleBytes, const ReadLimits &limits);
pickle::StorageValue *newStorage(RawCheckpoint &out);
// Makes part (a file read on its own: a shard, a DCP chunk, a DeepSpeed rank file) one of out's parts: its
// storages numbered among out's, its globals reported under record. Returns its root value.
pickle::Value *adoptPart(RawCheckpoint &out, std::unique_ptr<RawCheckpoint> part, const std::string &record);
// Checks every tensor's view against its storage: offset + sum((size-1)*stride) < numel.
void validateTensorBounds(const pickle::TensorValue &t, std::string_view where);

} // namespace ckpt::detail

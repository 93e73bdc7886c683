// What every fuzz target shares: the bytes as a reader Source, and a checkpoint built from a raw read
// (naming, model state, safety report), so that each format's output also goes through the model layer.
#pragma once

#include "checkpoint.h"
#include "format/error.h"
#include "format/readers.h"
#include "safetyreport.h"

#include "format/mappedfile.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

// The input as a mapped file, as the application reads files (the gzip path unpacks from the file itself).
inline ckpt::detail::Source fuzzSource(const std::uint8_t *data, std::size_t size)
{
    const int fd = ::memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0 || ::write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort(); // the harness itself failed, not the code under test
    ckpt::detail::Source src;
    src.file = ckpt::MappedFile::adopt(fd, "fuzz input");
    src.bytes = src.file->bytes();
    src.name = "fuzz input";
    src.directory = "/nonexistent-fuzz-directory"; // sharded indexes find no shards, as intended
    return src;
}

// Small limits keep each run fast; the readers must enforce them, not crash on them.
inline ckpt::ReadLimits fuzzLimits()
{
    ckpt::ReadLimits limits;
    limits.maxInflatedRecord = 16u << 20;
    limits.maxIndexJson = 1u << 20;
    limits.maxGzipOutputFloor = 16u << 20;
    limits.maxGzipOutput = 16u << 20;
    limits.baseObjects = 100'000;
    return limits;
}

// A reader's result through the rest of the pipeline. Errors are the expected outcome for most inputs.
inline void exerciseCheckpoint(ckpt::RawCheckpoint raw)
{
    (void)ckpt::safetyReport(raw);
    const ckpt::Checkpoint c(std::move(raw));
    for (const auto &t : c.tensors())
        (void)t.nbytes();
}

template<typename Read>
int runReader(const std::uint8_t *data, std::size_t size, Read read)
{
    try {
        ckpt::RawCheckpoint raw;
        const ckpt::detail::Source src = fuzzSource(data, size);
        raw.files.push_back(src.file); // names and tensors point into the mapping, as readCheckpoint keeps it
        read(src, raw, fuzzLimits());
        exerciseCheckpoint(std::move(raw));
    } catch (const ckpt::Error &) {
    }
    return 0;
}

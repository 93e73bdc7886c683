// SPDX-License-Identifier: MIT
// What every fuzz target shares: the bytes as a reader Source, and a checkpoint built from a raw read
// (naming, model state, safety report), so that each format's output also goes through the model layer.
#pragma once

#include "checkpoint.h"
#include "format/error.h"
#include "format/readers.h"
#include "modelstate.h"
#include "optimizerparams.h"
#include "safetyreport.h"
#include "tensorwalk.h"

#include "format/mappedfile.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

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

// Small limits keep each run fast; the readers must enforce them, not crash on them. Each limit below is one
// that lets a small input cost a lot: a deflated record or a gzip stream unpacks up to a thousand times its
// size, and the pickle VM may build baseObjects + half the pickle's bytes objects (a deflated data.pkl of a
// few hundred bytes made 100,000 nested lists, 30 ms under ASan). A deflated record may be as large as an
// input can be, and no larger.
inline ckpt::ReadLimits fuzzLimits()
{
    ckpt::ReadLimits limits;
    limits.maxInflatedRecord = 64u << 10;
    limits.maxIndexJson = 1u << 20;
    limits.maxGzipOutputFloor = 256u << 10;
    limits.maxGzipOutput = 2u << 20;
    limits.baseObjects = 20'000;
    return limits;
}

// The walk's limits are what made the DAG-bomb seeds (tests/data/malformed/*dag_bomb*) cost 2-4 s per
// execution: with the defaults it names up to 1,000,000 paths (plus 4 per object) before it gives up, and
// every path is built by instrumented code under ASan, a few microseconds each. 5,000 paths plus one per
// object still reach every kind of value and the limit itself, and keep a walk no dearer than building the
// objects was. The depth limit stays as the product has it, since deep nesting is what overflows stacks.
inline ckpt::WalkLimits fuzzWalkLimits()
{
    ckpt::WalkLimits limits;
    limits.baseVisits = 5'000;
    limits.visitsPerObject = 1;
    limits.maxOutputBytes = 256u << 10;
    limits.maxPathBytes = 1u << 20;
    return limits;
}

// A reader's result through the rest of the pipeline: the safety report, then what the Checkpoint
// constructor does (model state, walk, parameters told from the optimizer state), with the walk's limits
// above, which that constructor does not take. Errors are the expected outcome for most inputs.
inline void exerciseCheckpoint(const ckpt::RawCheckpoint &raw)
{
    (void)ckpt::safetyReport(raw);
    const ckpt::ModelState model = ckpt::findModelState(raw);
    std::vector<ckpt::TensorInfo> tensors;
    std::vector<ckpt::Entry> entries;
    ckpt::walkCheckpoint(raw, model, tensors, entries, fuzzWalkLimits());
    ckpt::refineParametersFromOptimizer(raw, model, tensors);
    for (const auto &t : tensors)
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
        exerciseCheckpoint(raw);
    } catch (const ckpt::Error &) { }
    return 0;
}

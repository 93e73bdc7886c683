// Comparing two checkpoints tensor by tensor: pairing by name, classifying each pair, and measuring
// how changed pairs differ. Tensors are streamed from the mapped files one pair at a time.
#pragma once

#include "checkpoint.h"
#include "keyrules.h"
#include "tensormath.h"

#include <string>
#include <vector>

namespace ckpt {

enum class DiffStatus { OnlyA, OnlyB, Shape, DType, Identical, Changed };

// "only_a", "only_b", "shape", "dtype", "identical", "changed"
std::string_view diffStatusName(DiffStatus s);

struct DiffEntry
{
    std::string name;                // after the prefix rules
    DiffStatus status = DiffStatus::Identical;
    const TensorInfo *a = nullptr;   // null when only in B
    const TensorInfo *b = nullptr;   // null when only in A
    PairMetrics metrics;             // valid for changed and dtype-changed pairs
};

struct DiffOptions
{
    bool all = false;          // every tensor by its full path; default: the two model states
    KeyRules rulesA, rulesB;   // applied to names before pairing (strip module. from A ...)
    double atol = 0.0;         // |a - b| above this counts as a changed element
    const Progress *progress = nullptr;
};

struct ModuleChange
{
    std::string module;        // first segment of the name (layer1, blocks ...)
    std::uint64_t parameters = 0;
    double weightedRelL2 = 0;  // sum(numel * rel_l2) / sum(numel) over its compared pairs
};

struct DiffSummary
{
    std::size_t counts[6] = {};          // indexed by DiffStatus
    std::vector<std::size_t> mostChanged; // entry indices by rel_l2, largest first (at most 10)
    std::vector<ModuleChange> modules;    // in model order
    std::uint64_t comparedBytes = 0;      // bytes of both sides that were read
    bool identical() const;               // nothing but identical pairs
};

struct DiffResult
{
    std::vector<DiffEntry> entries; // A's order, then what only B has in B's order
    DiffSummary summary;
};

// Throws ckpt::Error (Cancelled when progress says so; Unsupported when LibTorch is missing and needed).
DiffResult diffCheckpoints(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options = {});

// The --json document and a CSV table (one row per pair), shared by ckpt diff and the diff window.
std::string diffJson(const DiffResult &diff, const Checkpoint &a, const Checkpoint &b);
std::string diffCsv(const DiffResult &diff);

} // namespace ckpt

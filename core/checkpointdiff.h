// SPDX-License-Identifier: MIT
// Comparing two checkpoints tensor by tensor: pairing by name, classifying each pair, and measuring
// how changed pairs differ. Tensors are streamed from the mapped files one pair at a time.
#pragma once

#include "checkpoint.h"
#include "keyrules.h"
#include "tensormath.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

enum class DiffStatus { OnlyA, OnlyB, Shape, DType, Identical, Changed };

// "only_a", "only_b", "shape", "dtype", "identical", "changed"
std::string_view diffStatusName(DiffStatus s);

struct DiffEntry
{
    std::string name; // after the prefix rules
    DiffStatus status = DiffStatus::Identical;
    const TensorInfo *a = nullptr; // null when only in B
    const TensorInfo *b = nullptr; // null when only in A
    PairMetrics metrics; // valid for changed and dtype-changed pairs
};

struct DiffOptions
{
    bool all = false; // every tensor by its full path; default: the two model states
    KeyRules rulesA, rulesB; // applied to names before pairing (strip module. from A ...)
    double atol = 0.0; // |a - b| above this counts as a changed element
    const Progress *progress = nullptr;
};

// The parameter-weighted mean relative change of a set of pairs: identical pairs count as 0, pairs
// without finite metrics (shape changed, missing, unsupported dtype) are left out.
struct ChangeAccumulator
{
    std::uint64_t parameters = 0;
    double weighted = 0; // sum(numel * rel_l2)

    void add(const DiffEntry &e);
    void add(const ChangeAccumulator &other)
    {
        parameters += other.parameters;
        weighted += other.weighted;
    }
    double mean() const { return parameters ? weighted / static_cast<double>(parameters) : 0.0; }
};

struct ModuleChange
{
    std::string module; // leading segments of the names (layer1, blocks.0 ...)
    std::uint64_t parameters = 0;
    double weightedRelL2 = 0; // sum(numel * rel_l2) / sum(numel) over its compared pairs
    std::vector<std::size_t> entries; // every entry under the module, compared or not
};

struct DiffSummary
{
    std::size_t counts[6] = {}; // indexed by DiffStatus
    std::vector<std::size_t> mostChanged; // entry indices by rel_l2, largest first (at most 10)
    std::vector<ModuleChange> modules; // in model order
    std::uint64_t comparedBytes = 0; // bytes of both sides that were read
    bool identical() const; // nothing but identical pairs
};

struct DiffResult
{
    std::vector<DiffEntry> entries; // A's order, then what only B has in B's order
    DiffSummary summary;
};

// Throws ckpt::Error (Cancelled when progress says so; Unsupported when LibTorch is missing and needed).
DiffResult diffCheckpoints(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options = {});

// The name's segments, split at '.' and '/' (model_state/blocks.0.weight: model_state, blocks, 0, weight).
std::vector<std::string_view> diffNameSegments(std::string_view name);

// Parameter-weighted mean relative change per module, in model order (identical pairs count as 0, pairs
// without metrics are left out of the mean). depth > 0: modules named by the first depth segments
// (1: top-level modules, as in the summary); depth 0: the module that owns each tensor (one per layer).
std::vector<ModuleChange> moduleChanges(const DiffResult &diff, int depth);

// The prefix rule that would pair most of what is only in A with what is only in B (see keyrules.h).
std::optional<PrefixSuggestion> suggestPrefix(const DiffResult &diff);

// The --json document and a CSV table (one row per pair), shared by ckpt diff and the diff window.
std::string diffJson(const DiffResult &diff, const Checkpoint &a, const Checkpoint &b);
std::string diffCsv(const DiffResult &diff);

} // namespace ckpt

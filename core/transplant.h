// SPDX-License-Identifier: MIT
// Copying the weights of a pretrained checkpoint into another model's checkpoint where names (after key
// rules) and shapes match: the load report before anything is written, and writing the result.
#pragma once

#include "checkpoint.h"
#include "checkpointsaver.h"
#include "keyrules.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// Applied to the source's model-state names in this order: key rules (strip / add prefix, regex renames),
// then include / exclude globs on the renamed names, then "the first N" of what is left, in source order.
struct TransplantRules
{
    KeyRules keys;
    std::vector<std::string> include; // empty: everything
    std::vector<std::string> exclude;
    std::optional<std::size_t> first;

    bool empty() const { return keys.empty() && include.empty() && exclude.empty() && !first; }
};

enum class TransplantStatus { Copied, ShapeMismatch, Missing, Unexpected, Skipped };
constexpr std::size_t kTransplantStatusCount = 5;

// "copied", "shape_mismatch", "missing", "unexpected", "skipped"
std::string_view transplantStatusName(TransplantStatus s);

struct TransplantEntry
{
    TransplantStatus status = TransplantStatus::Copied;
    std::string name; // the target's name; for unexpected and skipped the source's after the rules
    const TensorInfo *source = nullptr; // null when missing
    const TensorInfo *target = nullptr; // null when unexpected or skipped
    std::string reason; // why it was skipped, not copied, or missing

    bool renamed() const { return source && source->modelName != name; }
    bool cast() const { return status == TransplantStatus::Copied && source->dtype() != target->dtype(); }
};

struct TransplantReport
{
    // The target's model state in its order (copied, shape mismatch, missing), then the source's
    // unexpected and skipped tensors in source order.
    std::vector<TransplantEntry> entries;
    std::size_t tensors[kTransplantStatusCount] = {};
    std::uint64_t elements[kTransplantStatusCount] = {}; // the target's for copied / mismatched / missing, else the source's
    std::size_t casts = 0; // copied with a dtype cast to the target's
    // A prefix rule that would match most unexpected with missing names: sideA strips it from the source
    // names, otherwise it is added to them.
    std::optional<PrefixSuggestion> suggestion;

    std::size_t count(TransplantStatus s) const { return tensors[static_cast<std::size_t>(s)]; }
};

// Throws ckpt::Error when a side has no model state or the rules are invalid (colliding renames).
TransplantReport planTransplant(const Checkpoint &source, const Checkpoint &target, const TransplantRules &rules);

// {"copied": [...], "shape_mismatch": [{"name", "source_shape", "target_shape"}], "missing": [...],
//  "unexpected": [...], "skipped": [{"name", "reason"}], "dtype_cast": [...], "renamed": {...}, "totals": {...}}
std::string transplantJson(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target);

// A frozen_layers.json written with the result: freezing the target's parameters that were copied
// (fine-tune the rest), or the rest.
enum class TransplantFreeze { None, Copied, Rest };
struct TransplantFreezeList
{
    TransplantFreeze which = TransplantFreeze::None;
    std::string path;
};

struct TransplantResult
{
    SaveResult saved;
    std::size_t frozenParameters = 0; // in the freeze list, when one was written
};

// Writes the target with the copied tensors' values replaced (cast to the target's dtypes), in the target's
// format, through saveCheckpoint (atomic, verified), then the freeze list if asked. options.copies is filled
// from the report; options.progress reports and cancels the write as it does for saveCheckpoint. Throws
// ckpt::Error when nothing was copied, or when the freeze list's path is one of the inputs or the output: then
// nothing is written.
TransplantResult writeTransplant(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target, const std::string &output,
    SaveOptions options = {}, const TransplantFreezeList &freezeList = {});

} // namespace ckpt

// SPDX-License-Identifier: MIT
#include "transplant.h"

#include "format/atomicfile.h"
#include "format/error.h"
#include "format/jsonwriter.h"
#include "freezelist.h"
#include "freezestate.h"
#include "inspectreport.h"

#include <algorithm>
#include <unordered_map>

namespace ckpt {

std::string_view transplantStatusName(TransplantStatus s)
{
    switch (s) {
    case TransplantStatus::Copied: return "copied";
    case TransplantStatus::ShapeMismatch: return "shape_mismatch";
    case TransplantStatus::Missing: return "missing";
    case TransplantStatus::Unexpected: return "unexpected";
    case TransplantStatus::Skipped: return "skipped";
    }
    return "copied";
}

namespace {

std::vector<const TensorInfo *> modelTensors(const Checkpoint &c, const char *side)
{
    if (!c.modelState().found())
        fail(ErrorKind::Unsupported, std::string("no model state was found in the ") + side + " checkpoint (" + c.path() + "); name where it is");
    std::vector<const TensorInfo *> out;
    for (const auto &t : c.tensors())
        if (t.inModelState)
            out.push_back(&t);
    return out;
}

// Why a source tensor is left out by the globs or the first-N rule; "" when it is offered.
std::string skipReason(const TransplantRules &rules, const std::string &name, std::size_t offeredSoFar)
{
    if (!rules.include.empty() && std::none_of(rules.include.begin(), rules.include.end(), [&](const std::string &g) { return globMatch(g, name); }))
        return "matches no include pattern";
    for (const auto &g : rules.exclude)
        if (globMatch(g, name))
            return "excluded by '" + g + "'";
    if (rules.first && offeredSoFar >= *rules.first)
        return "after the first " + std::to_string(*rules.first);
    return {};
}

} // namespace

TransplantReport planTransplant(const Checkpoint &source, const Checkpoint &target, const TransplantRules &rules)
{
    const auto sources = modelTensors(source, "source");
    const auto targets = modelTensors(target, "target");
    std::vector<std::string> sourceNames;
    sourceNames.reserve(sources.size());
    for (const TensorInfo *t : sources)
        sourceNames.push_back(t->modelName);
    const std::vector<std::string> renamed = applyKeyRules(rules.keys, sourceNames);

    // What the source offers after the rules, by name; what the rules leave out, with the reason.
    std::unordered_map<std::string_view, std::size_t> offered; // renamed name -> source index
    std::unordered_map<std::string_view, std::size_t> skipped;
    offered.reserve(sources.size());
    std::vector<std::string> reasons(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) {
        reasons[i] = skipReason(rules, renamed[i], offered.size());
        (reasons[i].empty() ? offered : skipped).emplace(renamed[i], i);
    }

    TransplantReport report;
    report.entries.reserve(targets.size() + sources.size());
    std::vector<bool> used(sources.size(), false);
    auto add = [&](TransplantEntry e, std::uint64_t elements) {
        const auto s = static_cast<std::size_t>(e.status);
        ++report.tensors[s];
        report.elements[s] += elements;
        report.entries.push_back(std::move(e));
    };
    for (const TensorInfo *t : targets) {
        TransplantEntry e;
        e.name = t->modelName;
        e.target = t;
        if (const auto it = offered.find(t->modelName); it != offered.end()) {
            const TensorInfo *s = sources[it->second];
            used[it->second] = true;
            e.source = s;
            if (!std::equal(s->shape().begin(), s->shape().end(), t->shape().begin(), t->shape().end())) {
                e.status = TransplantStatus::ShapeMismatch;
                e.reason = "source " + shapeText(s->shape()) + ", target " + shapeText(t->shape());
            } else if (dtypeIsQuantized(s->dtype()) || dtypeIsQuantized(t->dtype())) {
                e.status = TransplantStatus::ShapeMismatch;
                e.reason = "quantized tensors are not copied";
            } else {
                e.status = TransplantStatus::Copied;
                if (s->dtype() != t->dtype()) {
                    e.reason = "cast " + std::string(dtypeName(s->dtype())) + " to " + std::string(dtypeName(t->dtype()));
                    ++report.casts;
                }
            }
        } else {
            e.status = TransplantStatus::Missing;
            if (const auto sk = skipped.find(t->modelName); sk != skipped.end())
                e.reason = "the source's '" + sources[sk->second]->modelName + "' is left out: " + reasons[sk->second];
            else
                e.reason = "not in the source";
        }
        add(std::move(e), t->numel());
    }
    std::vector<std::string_view> unexpectedNames, missingNames;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (used[i] || !reasons[i].empty())
            continue;
        TransplantEntry e;
        e.status = TransplantStatus::Unexpected;
        e.name = renamed[i];
        e.source = sources[i];
        e.reason = "not in the target";
        unexpectedNames.push_back(renamed[i]);
        add(std::move(e), sources[i]->numel());
    }
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (reasons[i].empty())
            continue;
        TransplantEntry e;
        e.status = TransplantStatus::Skipped;
        e.name = renamed[i];
        e.source = sources[i];
        e.reason = reasons[i];
        add(std::move(e), sources[i]->numel());
    }
    for (const auto &e : report.entries)
        if (e.status == TransplantStatus::Missing)
            missingNames.push_back(e.name);
    report.suggestion = suggestPrefix(unexpectedNames, missingNames);
    return report;
}

std::string transplantJson(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target)
{
    using S = TransplantStatus;
    using json::Layout;
    std::string out;
    json::Writer w(out);
    w.beginObject(Layout::Lines);
    w.key("source").string(source.path());
    w.key("source_model_state").string(source.modelState().path);
    w.key("target").string(target.path());
    w.key("target_model_state").string(target.modelState().path);
    auto names = [&](const char *key, S status, bool sourceNames) {
        w.key(key).beginArray(Layout::Lines);
        for (const auto &e : report.entries)
            if (e.status == status)
                w.string(sourceNames ? e.source->modelName : e.name);
        w.end();
    };
    names("copied", S::Copied, false);
    w.key("shape_mismatch").beginArray(Layout::Lines);
    for (const auto &e : report.entries) {
        if (e.status != S::ShapeMismatch)
            continue;
        w.beginObject().key("name").string(e.name).key("source_shape").integers(e.source->shape()).key("target_shape").integers(e.target->shape());
        if (e.renamed())
            w.key("source").string(e.source->modelName);
        w.end();
    }
    w.end();
    names("missing", S::Missing, false);
    names("unexpected", S::Unexpected, true);
    w.key("skipped").beginArray(Layout::Lines);
    for (const auto &e : report.entries)
        if (e.status == S::Skipped)
            w.beginObject().key("name").string(e.source->modelName).key("reason").string(e.reason).end();
    w.end();
    w.key("dtype_cast").beginArray(Layout::Lines);
    for (const auto &e : report.entries)
        if (e.cast())
            w.beginObject()
                .key("name")
                .string(e.name)
                .key("source_dtype")
                .string(dtypeName(e.source->dtype()))
                .key("target_dtype")
                .string(dtypeName(e.target->dtype()))
                .end();
    w.end();
    w.key("renamed").beginObject(Layout::Lines);
    for (const auto &e : report.entries)
        if (e.status == S::Copied && e.renamed())
            w.key(e.name).string(e.source->modelName);
    w.end();
    w.key("totals").beginObject();
    for (std::size_t s = 0; s < kTransplantStatusCount; ++s)
        w.key(transplantStatusName(static_cast<S>(s)))
            .beginObject()
            .key("tensors")
            .integer(report.tensors[s])
            .key("elements")
            .integer(report.elements[s])
            .end();
    w.end();
    w.end();
    out += '\n';
    return out;
}

namespace {
std::vector<std::string> freezeNames(const TransplantReport &report, const Checkpoint &target, TransplantFreeze which)
{
    FreezeState state(target);
    for (const auto &e : report.entries)
        if (e.status == TransplantStatus::Copied)
            if (const std::size_t i = state.parameterIndexOf(*e.target); i != std::string::npos)
                state.setFrozen(i, true); // buffers are not parameters: nothing to freeze
    if (which == TransplantFreeze::Rest)
        state.invert();
    return state.frozenNames();
}
} // namespace

TransplantResult writeTransplant(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target, const std::string &output,
    SaveOptions options, const TransplantFreezeList &freezeList)
{
    options.copies.clear();
    for (const auto &e : report.entries)
        if (e.status == TransplantStatus::Copied)
            options.copies.push_back({e.target, e.source->value});
    if (options.copies.empty())
        fail(ErrorKind::Malformed, "no tensor matches by name and shape, so nothing was copied and " + output + " was not written");
    const bool withFreezeList = freezeList.which != TransplantFreeze::None;
    if (withFreezeList)
        checkNotAnInput(freezeList.path, {source.path(), target.path(), output}, false);
    TransplantResult result;
    result.saved = saveCheckpoint(target, output, options);
    const std::size_t n = options.copies.size();
    result.saved.notes.insert(result.saved.notes.begin(), "copied " + std::to_string(n) + (n == 1 ? " tensor" : " tensors") + " from the source");
    if (withFreezeList) {
        const auto names = freezeNames(report, target, freezeList.which);
        writeFileAtomically(freezeList.path, freezeListJson(names));
        result.frozenParameters = names.size();
    }
    return result;
}

} // namespace ckpt

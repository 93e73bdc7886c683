#include "transplant.h"

#include "format/atomicfile.h"
#include "format/error.h"
#include "format/json.h"
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
        fail(ErrorKind::Unsupported, std::string("no model state was found in the ") + side + " checkpoint (" + c.path()
                                         + "); name where it is");
    std::vector<const TensorInfo *> out;
    for (const auto &t : c.tensors())
        if (t.inModelState)
            out.push_back(&t);
    return out;
}

// Why a source tensor is left out by the globs or the first-N rule; "" when it is offered.
std::string skipReason(const TransplantRules &rules, const std::string &name, std::size_t offeredSoFar)
{
    if (!rules.include.empty()
        && std::none_of(rules.include.begin(), rules.include.end(), [&](const std::string &g) { return globMatch(g, name); }))
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

namespace {

std::string nameList(const TransplantReport &report, TransplantStatus status, bool sourceNames)
{
    std::string s = "[";
    bool first = true;
    for (const auto &e : report.entries) {
        if (e.status != status)
            continue;
        s += std::string(first ? "\n    " : ",\n    ") + json::quote(sourceNames ? e.source->modelName : e.name);
        first = false;
    }
    return s + (first ? "]" : "\n  ]");
}

} // namespace

std::string transplantJson(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target)
{
    using S = TransplantStatus;
    std::string out = "{\n";
    out += "  \"source\": " + json::quote(source.path()) + ",\n";
    out += "  \"source_model_state\": " + json::quote(source.modelState().path) + ",\n";
    out += "  \"target\": " + json::quote(target.path()) + ",\n";
    out += "  \"target_model_state\": " + json::quote(target.modelState().path) + ",\n";
    out += "  \"copied\": " + nameList(report, S::Copied, false) + ",\n";
    std::string mismatch, casts, renamed, skipped;
    for (const auto &e : report.entries) {
        if (e.status == S::ShapeMismatch)
            mismatch += std::string(mismatch.empty() ? "\n    " : ",\n    ") + "{\"name\": " + json::quote(e.name)
                        + ", \"source_shape\": " + shapeText(e.source->shape()) + ", \"target_shape\": " + shapeText(e.target->shape())
                        + (e.renamed() ? ", \"source\": " + json::quote(e.source->modelName) : std::string()) + "}";
        if (e.cast())
            casts += std::string(casts.empty() ? "\n    " : ",\n    ") + "{\"name\": " + json::quote(e.name) + ", \"source_dtype\": \""
                     + std::string(dtypeName(e.source->dtype())) + "\", \"target_dtype\": \"" + std::string(dtypeName(e.target->dtype()))
                     + "\"}";
        if (e.status == S::Copied && e.renamed())
            renamed += std::string(renamed.empty() ? "\n    " : ",\n    ") + json::quote(e.name) + ": " + json::quote(e.source->modelName);
        if (e.status == S::Skipped)
            skipped += std::string(skipped.empty() ? "\n    " : ",\n    ") + "{\"name\": " + json::quote(e.source->modelName)
                       + ", \"reason\": " + json::quote(e.reason) + "}";
    }
    auto block = [](const std::string &items, char open, char close) {
        return items.empty() ? std::string{open, close} : std::string(1, open) + items + "\n  " + close;
    };
    out += "  \"shape_mismatch\": " + block(mismatch, '[', ']') + ",\n";
    out += "  \"missing\": " + nameList(report, S::Missing, false) + ",\n";
    out += "  \"unexpected\": " + nameList(report, S::Unexpected, true) + ",\n";
    out += "  \"skipped\": " + block(skipped, '[', ']') + ",\n";
    out += "  \"dtype_cast\": " + block(casts, '[', ']') + ",\n";
    out += "  \"renamed\": " + block(renamed, '{', '}') + ",\n";
    out += "  \"totals\": {";
    for (std::size_t s = 0; s < kTransplantStatusCount; ++s)
        out += std::string(s ? ", " : "") + "\"" + std::string(transplantStatusName(static_cast<S>(s))) + "\": {\"tensors\": "
               + std::to_string(report.tensors[s]) + ", \"elements\": " + std::to_string(report.elements[s]) + "}";
    out += "}\n}\n";
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

TransplantResult writeTransplant(const TransplantReport &report, const Checkpoint &source, const Checkpoint &target,
                                 const std::string &output, SaveOptions options, const TransplantFreezeList &freezeList)
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

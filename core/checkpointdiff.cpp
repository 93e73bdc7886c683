// SPDX-License-Identifier: MIT
#include "checkpointdiff.h"

#include "parallelwork.h"

#include "format/error.h"
#include "format/mappedfile.h"
#include "format/json.h"
#include "format/jsonwriter.h"
#include "inspectreport.h"
#include "tensorcompare.h"
#include "tensordata.h"

#include <algorithm>
#include <mutex>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace ckpt {

std::string_view diffStatusName(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return "only_a";
    case DiffStatus::OnlyB: return "only_b";
    case DiffStatus::Shape: return "shape";
    case DiffStatus::DType: return "dtype";
    case DiffStatus::Identical: return "identical";
    case DiffStatus::Changed: return "changed";
    }
    return "changed";
}

bool DiffSummary::identical() const
{
    return counts[static_cast<int>(DiffStatus::Identical)] == counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[5];
}

namespace {

struct Named
{
    std::string name;
    const TensorInfo *tensor;
};

std::vector<Named> namesOf(const Checkpoint &c, bool all, const KeyRules &rules)
{
    // The model state when there is one (so a bare state_dict pairs with a training checkpoint's
    // model_state), else every tensor by its full path.
    const bool model = !all && c.modelState().found();
    std::vector<Named> out;
    for (const auto &t : c.tensors()) {
        if (model && !t.inModelState)
            continue;
        out.push_back({rules.apply(model ? t.modelName : t.name), &t});
    }
    return out;
}

bool sameBytes(const TensorInfo &a, const TensorInfo &b)
{
    if (a.dtype() != b.dtype() || !std::equal(a.shape().begin(), a.shape().end(), b.shape().begin(), b.shape().end()))
        return false;
    const pickle::DeferredBytes *da = a.value->storage->deferred, *db = b.value->storage->deferred;
    if ((da || db) && isContiguous(*a.value) && isContiguous(*b.value)) {
        // A folder's tensor in pieces is compared block by block as it is put together, never whole: diffing
        // a folder against its consolidation needs no room for either.
        const std::uint64_t size = a.nbytes();
        constexpr std::uint64_t kBlock = 8ull << 20;
        std::vector<std::byte> bufferA(da ? std::min(size, kBlock) : 0), bufferB(db ? std::min(size, kBlock) : 0);
        const std::span<const std::byte> spanA = da ? std::span<const std::byte>() : contiguousSpan(*a.value);
        const std::span<const std::byte> spanB = db ? std::span<const std::byte>() : contiguousSpan(*b.value);
        for (std::uint64_t at = 0; at < size; at += kBlock) {
            const std::size_t n = static_cast<std::size_t>(std::min(kBlock, size - at));
            const std::uint64_t fromA = static_cast<std::uint64_t>(a.value->storageOffset) * dtypeItemSize(a.dtype()) + at;
            const std::uint64_t fromB = static_cast<std::uint64_t>(b.value->storageOffset) * dtypeItemSize(b.dtype()) + at;
            if (da)
                da->fill(fromA, std::span<std::byte>(bufferA.data(), n));
            if (db)
                db->fill(fromB, std::span<std::byte>(bufferB.data(), n));
            if (std::memcmp(da ? bufferA.data() : spanA.data() + at, db ? bufferB.data() : spanB.data() + at, n) != 0)
                return false;
        }
        return true;
    }
    if (isContiguous(*a.value) && isContiguous(*b.value)) {
        const auto sa = contiguousSpan(*a.value);
        const auto sb = contiguousSpan(*b.value);
        return sa.size() == sb.size() && (sa.empty() || std::memcmp(sa.data(), sb.data(), sa.size()) == 0);
    }
    return contiguousBytes(*a.value) == contiguousBytes(*b.value);
}

// A diff of two large files never has both resident: each pair's pages go once compared.
void release(const TensorInfo &t)
{
    if (const pickle::DeferredBytes *d = t.value->storage->deferred)
        d->releasePages();
    else if (isContiguous(*t.value))
        releasePages(contiguousSpan(*t.value));
}

} // namespace

DiffResult diffCheckpoints(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options)
{
    const std::vector<Named> left = namesOf(a, options.all, options.rulesA);
    const std::vector<Named> right = namesOf(b, options.all, options.rulesB);
    std::unordered_map<std::string_view, std::size_t> rightIndex;
    rightIndex.reserve(right.size());
    for (std::size_t i = 0; i < right.size(); ++i)
        rightIndex.emplace(right[i].name, i);

    DiffResult result;
    std::vector<bool> matched(right.size(), false);
    for (const Named &l : left) {
        DiffEntry e;
        e.name = l.name;
        e.a = l.tensor;
        if (const auto it = rightIndex.find(l.name); it != rightIndex.end() && !matched[it->second]) {
            matched[it->second] = true;
            e.b = right[it->second].tensor;
        }
        result.entries.push_back(std::move(e));
    }
    for (std::size_t i = 0; i < right.size(); ++i)
        if (!matched[i])
            result.entries.push_back({right[i].name, DiffStatus::OnlyB, nullptr, right[i].tensor, {}});

    std::uint64_t total = 0;
    for (const auto &e : result.entries)
        if (e.a && e.b)
            total += e.a->nbytes() + e.b->nbytes();
    // Pairs are compared on all cores at once (each pair's own work is split further when it is large), so
    // that memcmp of identical pairs and the metrics of changed ones both run at memory speed.
    std::vector<std::size_t> pairs;
    for (std::size_t i = 0; i < result.entries.size(); ++i) {
        DiffEntry &e = result.entries[i];
        if (!e.b)
            e.status = DiffStatus::OnlyA;
        else if (e.a)
            pairs.push_back(i);
    }
    std::mutex progressMutex;
    std::uint64_t done = 0;
    if (options.progress)
        options.progress->update(0.0);
    parallelFor(pairs.size(), [&](std::size_t k) {
        DiffEntry &e = result.entries[pairs[k]];
        if (!std::equal(e.a->shape().begin(), e.a->shape().end(), e.b->shape().begin(), e.b->shape().end())) {
            e.status = DiffStatus::Shape;
        } else {
            const bool dtypeChanged = e.a->dtype() != e.b->dtype();
            if (!dtypeChanged && sameBytes(*e.a, *e.b)) {
                e.status = DiffStatus::Identical; // the fast path: no float math
            } else {
                e.status = dtypeChanged ? DiffStatus::DType : DiffStatus::Changed;
                if (auto fast = compareTensors(*e.a->value, *e.b->value, options.atol, dtypeChanged))
                    e.metrics = *fast;
                else // complex and float8 tensors: LibTorch, loaded only now
                    e.metrics = tensorMath().compare(TensorView::of(*e.a->value), TensorView::of(*e.b->value), options.atol, dtypeChanged);
            }
            release(*e.a);
            release(*e.b);
        }
        const std::lock_guard lock(progressMutex); // reports one at a time, never going back
        done += e.a->nbytes() + e.b->nbytes();
        if (options.progress)
            options.progress->update(total ? static_cast<double>(done) / static_cast<double>(total) : 0.0);
    });
    for (const std::size_t i : pairs)
        if (result.entries[i].status != DiffStatus::Shape)
            result.summary.comparedBytes += result.entries[i].a->nbytes() + result.entries[i].b->nbytes();
    if (options.progress)
        options.progress->update(1.0);

    // Summary: counts, the most changed pairs, and per top-level module the weighted mean change.
    DiffSummary &s = result.summary;
    std::vector<std::size_t> changed;
    for (std::size_t i = 0; i < result.entries.size(); ++i) {
        const DiffEntry &e = result.entries[i];
        ++s.counts[static_cast<int>(e.status)];
        if ((e.status == DiffStatus::Changed || e.status == DiffStatus::DType) && e.metrics.valid)
            changed.push_back(i);
    }
    std::stable_sort(changed.begin(), changed.end(), [&](std::size_t x, std::size_t y) {
        const double rx = result.entries[x].metrics.relL2, ry = result.entries[y].metrics.relL2;
        return (std::isnan(ry) ? -1.0 : ry) < (std::isnan(rx) ? -1.0 : rx);
    });
    changed.resize(std::min<std::size_t>(changed.size(), 10));
    s.mostChanged = std::move(changed);
    for (auto &m : moduleChanges(result, 1))
        if (m.parameters > 0) // modules with nothing compared (only in one side) have no mean to show
            s.modules.push_back(std::move(m));
    return result;
}

std::vector<std::string_view> diffNameSegments(std::string_view name)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i)
        if (i == name.size() || name[i] == '.' || name[i] == '/') {
            out.push_back(name.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

namespace {
// The first depth segments of name (depth 0: all but the last), with their separators.
std::string_view modulePrefix(std::string_view name, int depth)
{
    std::size_t cuts = 0, lastCut = std::string_view::npos;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (name[i] == '.' || name[i] == '/') {
            lastCut = i;
            if (depth > 0 && ++cuts == static_cast<std::size_t>(depth))
                return name.substr(0, i);
        }
    if (depth == 0 && lastCut != std::string_view::npos)
        return name.substr(0, lastCut);
    return name;
}
} // namespace

void ChangeAccumulator::add(const DiffEntry &e)
{
    const bool measured = (e.status == DiffStatus::Changed || e.status == DiffStatus::DType) && e.metrics.valid && std::isfinite(e.metrics.relL2);
    if (e.status != DiffStatus::Identical && !measured)
        return;
    const std::uint64_t n = e.a->numel();
    parameters += n;
    weighted += measured ? static_cast<double>(n) * e.metrics.relL2 : 0.0;
}

std::vector<ModuleChange> moduleChanges(const DiffResult &diff, int depth)
{
    std::vector<ModuleChange> out;
    std::vector<ChangeAccumulator> change;
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < diff.entries.size(); ++i) {
        const DiffEntry &e = diff.entries[i];
        const std::string_view m = modulePrefix(e.name, depth);
        auto [it, inserted] = index.emplace(m, out.size());
        if (inserted) {
            out.push_back({std::string(m), 0, 0.0, {}});
            change.emplace_back();
        }
        out[it->second].entries.push_back(i);
        change[it->second].add(e);
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        out[k].parameters = change[k].parameters;
        out[k].weightedRelL2 = change[k].mean();
    }
    return out;
}

std::optional<PrefixSuggestion> suggestPrefix(const DiffResult &diff)
{
    std::vector<std::string_view> onlyA, onlyB;
    for (const auto &e : diff.entries) {
        if (e.status == DiffStatus::OnlyA)
            onlyA.push_back(e.name);
        else if (e.status == DiffStatus::OnlyB)
            onlyB.push_back(e.name);
    }
    return suggestPrefix(onlyA, onlyB);
}

namespace { } // namespace

std::string diffJson(const DiffResult &diff, const Checkpoint &a, const Checkpoint &b)
{
    using json::Layout;
    std::string out;
    out.reserve(1024 + diff.entries.size() * 300);
    json::Writer w(out);
    w.beginObject(Layout::Lines);
    w.key("a").string(a.path());
    w.key("b").string(b.path());
    auto shape = [&w](const TensorInfo *t) { t ? w.integers(t->shape()) : w.null(); };
    auto dtype = [&w](const TensorInfo *t) { t ? w.string(dtypeName(t->dtype())) : w.null(); };
    w.key("entries").beginArray(Layout::Lines);
    for (const auto &e : diff.entries) {
        w.beginObject();
        w.key("name").string(e.name).key("status").string(diffStatusName(e.status));
        w.key("shape_a");
        shape(e.a);
        w.key("shape_b");
        shape(e.b);
        w.key("dtype_a");
        dtype(e.a);
        w.key("dtype_b");
        dtype(e.b);
        // Identical pairs are never compared as numbers; their metrics are known.
        const bool metrics = e.metrics.valid;
        const bool identical = e.status == DiffStatus::Identical;
        auto metric = [&](const char *key, double value, double whenIdentical) {
            w.key(key);
            metrics ? w.number(value) : identical ? w.number(whenIdentical) : w.null();
        };
        metric("max_abs", e.metrics.maxAbs, 0);
        metric("mean_abs", e.metrics.meanAbs, 0);
        metric("rel_l2", e.metrics.relL2, 0);
        metric("cosine", e.metrics.cosine, 1);
        metric("changed_fraction", e.metrics.changedFraction(), 0);
        if (!metrics && !e.metrics.unsupportedReason.empty())
            w.key("note").string(e.metrics.unsupportedReason);
        w.end();
    }
    w.end();
    const DiffSummary &s = diff.summary;
    w.key("summary").beginObject(Layout::Lines);
    for (int k = 0; k < 6; ++k)
        w.key(diffStatusName(static_cast<DiffStatus>(k))).integer(s.counts[k]);
    w.key("identical_overall").boolean(s.identical());
    w.key("compared_bytes").integer(s.comparedBytes);
    w.key("most_changed").beginArray();
    for (const std::size_t i : s.mostChanged)
        w.beginObject().key("name").string(diff.entries[i].name).key("rel_l2").number(diff.entries[i].metrics.relL2).end();
    w.end();
    w.key("modules").beginArray();
    for (const auto &m : s.modules)
        w.beginObject().key("module").string(m.module).key("parameters").integer(m.parameters).key("weighted_rel_l2").number(m.weightedRelL2).end();
    w.end();
    w.end();
    w.end();
    out += '\n';
    return out;
}

std::string diffCsv(const DiffResult &diff)
{
    auto field = [](const std::string &s) {
        if (s.find_first_of(",\"\n") == std::string::npos)
            return s;
        std::string q = "\"";
        for (const char c : s)
            q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    auto num = [](double v) { return formatGeneral(v, 9); };
    std::string out = "name,status,shape_a,shape_b,dtype_a,dtype_b,max_abs,mean_abs,rel_l2,cosine,changed_fraction\n";
    for (const auto &e : diff.entries) {
        out += field(e.name) + "," + std::string(diffStatusName(e.status)) + ",";
        out += (e.a ? field(shapeText(e.a->shape())) : "") + "," + (e.b ? field(shapeText(e.b->shape())) : "") + ",";
        out += (e.a ? std::string(dtypeName(e.a->dtype())) : "") + "," + (e.b ? std::string(dtypeName(e.b->dtype())) : "");
        if (e.metrics.valid)
            out += "," + num(e.metrics.maxAbs) + "," + num(e.metrics.meanAbs) + "," + num(e.metrics.relL2) + "," + num(e.metrics.cosine) + ","
                + num(e.metrics.changedFraction());
        else if (e.status == DiffStatus::Identical)
            out += ",0,0,0,1,0";
        else
            out += ",,,,,";
        out += "\n";
    }
    return out;
}

} // namespace ckpt

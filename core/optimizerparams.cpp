// SPDX-License-Identifier: MIT
#include "optimizerparams.h"

#include "modelstate.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace ckpt {

using namespace pickle;

namespace {

const DictValue *asOptimizerState(const Value *v)
{
    const DictValue *d = asDict(v);
    return d && asDict(d->get("state")) && d->get("param_groups") ? d : nullptr;
}

// The one optimizer state at the top level: {'state', 'param_groups'} under any key, or the single item of
// a list of them (Lightning's optimizer_states). Several optimizers (a GAN's) are left alone.
const DictValue *findOptimizer(const Value *root)
{
    const DictValue *top = asDict(root);
    if (!top)
        return nullptr;
    const DictValue *found = nullptr;
    int count = 0;
    for (const auto &[k, v] : top->items) {
        const DictValue *o = asOptimizerState(v);
        if (!o && v->kind == Kind::List) {
            const auto &items = static_cast<const SequenceValue *>(v)->items;
            for (const Value *item : items)
                if (const DictValue *inner = asOptimizerState(item)) {
                    o = inner;
                    count += items.size() == 1 ? 0 : 2; // more than one optimizer
                }
        }
        if (o) {
            found = o;
            ++count;
        }
    }
    return count == 1 ? found : nullptr;
}

const Value *stateOf(const DictValue &state, std::int64_t id)
{
    for (const auto &[k, v] : state.items)
        if (k->kind == Kind::Int && static_cast<const IntValue *>(k)->v == id)
            return v;
    return nullptr;
}

// The shape of each parameter the optimizer holds, in order; nullopt when one has no state with a shape.
std::optional<std::vector<std::span<const std::int64_t>>> parameterShapes(const DictValue &optimizer)
{
    const DictValue &state = *asDict(optimizer.get("state"));
    const Value *groups = optimizer.get("param_groups");
    if (groups->kind != Kind::List)
        return std::nullopt;
    static constexpr std::array<std::string_view, 5> kPerParameter{"exp_avg", "momentum_buffer", "square_avg", "sum", "exp_avg_sq"};
    std::vector<std::span<const std::int64_t>> shapes;
    for (const Value *g : static_cast<const SequenceValue *>(groups)->items) {
        const DictValue *group = asDict(g);
        const Value *params = group ? group->get("params") : nullptr;
        if (!params || params->kind != Kind::List)
            return std::nullopt;
        for (const Value *id : static_cast<const SequenceValue *>(params)->items) {
            if (id->kind != Kind::Int)
                return std::nullopt;
            const DictValue *s = asDict(stateOf(state, static_cast<const IntValue *>(id)->v));
            const TensorValue *t = nullptr;
            for (const auto key : kPerParameter)
                if (!t && s)
                    t = asTensor(s->get(key));
            if (!t)
                return std::nullopt; // e.g. plain SGD keeps no state: nothing to tell by
            shapes.push_back(t->shape);
        }
    }
    if (shapes.empty())
        return std::nullopt;
    return shapes;
}

} // namespace

void refineParametersFromOptimizer(const RawCheckpoint &raw, const ModelState &model, std::vector<TensorInfo> &tensors)
{
    if (model.kind != ModelState::Kind::StateDict || raw.format == Format::TorchScript)
        return;
    const DictValue *optimizer = findOptimizer(raw.root);
    if (!optimizer)
        return;
    const auto shapes = parameterShapes(*optimizer);
    if (!shapes)
        return;
    // Candidates: model-state tensors the file does not type and whose name or dtype do not already make them
    // buffers. named_parameters() is state_dict() order without the buffers, so the parameters are a
    // subsequence of the candidates with exactly the optimizer's shapes.
    // A tied weight (an embedding and the LM head) is in state_dict() twice but in named_parameters() once:
    // the second name is the same view and follows the first.
    std::vector<TensorInfo *> candidates;
    std::vector<std::pair<TensorInfo *, const TensorInfo *>> tied;
    auto sameView = [](const TensorInfo &a, const TensorInfo &b) {
        return a.storageId() == b.storageId() && a.storageOffset() == b.storageOffset() && std::ranges::equal(a.shape(), b.shape())
            && std::ranges::equal(a.stride(), b.stride()) && a.dtype() == b.dtype();
    };
    std::unordered_multimap<std::uint32_t, const TensorInfo *> byStorage;
    for (auto &t : tensors) {
        if (!t.inModelState || t.value->isParameter || looksLikeBuffer(t.modelName, t.dtype(), t.numel()))
            continue;
        const TensorInfo *first = nullptr;
        for (auto [it, end] = byStorage.equal_range(t.storageId()); it != end && !first; ++it)
            if (sameView(*it->second, t))
                first = it->second;
        if (first) {
            tied.emplace_back(&t, first);
        } else {
            candidates.push_back(&t);
            byStorage.emplace(t.storageId(), &t);
        }
    }
    // The leftmost and the rightmost way to line the shapes up agree exactly when there is only one way:
    // a buffer shaped like a neighbouring parameter leaves it open, and then nothing is changed.
    const std::size_t n = candidates.size(), m = shapes->size();
    auto fits = [&](std::size_t i, std::size_t j) { return std::ranges::equal(candidates[i]->shape(), (*shapes)[j]); };
    std::vector<bool> leftmost(n, false), rightmost(n, false);
    std::size_t matched = 0;
    for (std::size_t i = 0; i < n && matched < m; ++i)
        if (fits(i, matched)) {
            leftmost[i] = true;
            ++matched;
        }
    if (matched != m)
        return; // the optimizer's parameters are not the model state's in order (several groups, another model)
    matched = 0;
    for (std::size_t i = n; i-- > 0 && matched < m;)
        if (fits(i, m - 1 - matched)) {
            rightmost[i] = true;
            ++matched;
        }
    if (leftmost != rightmost)
        return;
    for (std::size_t i = 0; i < n; ++i)
        candidates[i]->isParameter = leftmost[i];
    for (auto &[t, first] : tied)
        t->isParameter = first->isParameter;
}

} // namespace ckpt

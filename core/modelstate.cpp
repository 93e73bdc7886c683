// SPDX-License-Identifier: MIT
#include "modelstate.h"

#include "format/error.h"

#include <algorithm>
#include <array>
#include <unordered_set>
#include <vector>

namespace ckpt {

using namespace pickle;

bool isPickledModule(const Value *v)
{
    const auto *o = asObject(v);
    const DictValue *state = o ? o->stateDict() : nullptr;
    return state && asDict(state->get("_parameters")) && asDict(state->get("_buffers")) && asDict(state->get("_modules"));
}

bool isTorchScriptModule(const Value *v, const TorchScriptSchema &schema)
{
    const auto *o = asObject(v);
    const auto *g = o ? asGlobal(o->callable) : nullptr;
    if (!g || !g->module.starts_with("__torch__") || !asDict(o->state))
        return false;
    if (const TorchScriptClass *cls = schema.find(g->qualifiedName()))
        return cls->isModule;
    return asDict(o->state)->get("training") != nullptr; // every scripted nn.Module has it
}

namespace {
// Values an nn.Module's state_dict() holds besides tensors: eager-mode quantized modules store
// '<m>._packed_params._packed_params' as a (weight, bias) tuple and '<m>._packed_params.dtype' as a dtype.
bool isStateDictValue(std::string_view key, const Value *x)
{
    if (x->kind == Kind::Tensor)
        return true;
    if (key.ends_with("._packed_params") || key == "_packed_params") {
        const auto *t = asTuple(x);
        if (!t)
            return false;
        for (const Value *item : t->items)
            if (item->kind != Kind::Tensor && item->kind != Kind::None)
                return false;
        return true;
    }
    if (key.ends_with("_packed_params.dtype")) {
        const auto *g = asGlobal(x);
        return g && g->known == KnownGlobal::TorchDtype;
    }
    return false;
}
} // namespace

bool isStateDict(const Value *v)
{
    const auto *d = asDict(v);
    if (!d || d->items.empty())
        return false;
    std::size_t tensors = 0, stateValues = 0;
    for (const auto &[k, x] : d->items) {
        if (!isStr(k))
            return false;
        tensors += x->kind == Kind::Tensor;
        stateValues += isStateDictValue(strOf(k), x);
    }
    // get_extra_state() may put a few non-tensor values into a state_dict.
    return tensors > 0 && stateValues * 4 >= d->items.size() * 3;
}

bool looksLikeBuffer(std::string_view modelName, DType dtype, std::uint64_t numel)
{
    if (!dtypeIsFloatingPoint(dtype) && !dtypeIsComplex(dtype))
        return true; // requires_grad is only possible for floating point and complex tensors
    const auto dot = modelName.rfind('.');
    const auto leaf = dot == std::string_view::npos ? modelName : modelName.substr(dot + 1);
    static constexpr std::array<std::string_view, 7> kBuffers{
        "running_mean", "running_var", "num_batches_tracked", "position_ids", "inv_freq", "relative_position_index", "masked_bias"};
    for (const auto b : kBuffers)
        if (leaf == b)
            return true;
    return numel <= 1 && (leaf == "scale" || leaf == "zero_point");
}

namespace {

std::size_t tensorCount(const Value *v)
{
    if (const auto *d = asDict(v)) {
        std::size_t n = 0;
        for (const auto &[k, x] : d->items)
            n += x->kind == Kind::Tensor;
        return n;
    }
    return 0;
}

ModelState stateFor(const Value *v, const RawCheckpoint &raw, std::string path)
{
    ModelState s;
    if (isTorchScriptModule(v, raw.schema))
        s.kind = ModelState::Kind::TorchScriptModule;
    else if (isPickledModule(v))
        s.kind = ModelState::Kind::Module;
    else if (isStateDict(v))
        s.kind = ModelState::Kind::StateDict;
    else
        return {};
    s.path = std::move(path);
    s.value = v;
    return s;
}

bool isOptimizerState(const DictValue *d)
{
    return d->get("state") && d->get("param_groups");
}

// Distinct tensors reachable from the root, not counting optimizer states ({'state', 'param_groups'}):
// Adam keeps two tensors per parameter, which would otherwise outnumber the model. Iterative and
// bounded by the values in the file (each visited once).
std::size_t tensorsOutsideOptimizers(const Value *root)
{
    std::vector<const Value *> todo{root};
    std::unordered_set<const Value *> seen{root};
    std::size_t n = 0;
    auto push = [&](const Value *v) {
        if (v && seen.insert(v).second)
            todo.push_back(v);
    };
    while (!todo.empty()) {
        const Value *v = todo.back();
        todo.pop_back();
        switch (v->kind) {
        case Kind::Tensor: ++n; break;
        case Kind::Dict: {
            const auto *d = static_cast<const DictValue *>(v);
            if (!isOptimizerState(d))
                for (const auto &[k, x] : d->items)
                    push(x);
            break;
        }
        case Kind::List:
        case Kind::Tuple:
        case Kind::Set:
        case Kind::FrozenSet:
            for (const Value *x : static_cast<const SequenceValue *>(v)->items)
                push(x);
            break;
        case Kind::Object: {
            const auto *o = static_cast<const ObjectValue *>(v);
            push(o->args);
            push(o->state);
            for (const Value *x : o->listItems)
                push(x);
            for (const auto &[k, x] : o->dictItems)
                push(x);
            break;
        }
        default: break;
        }
    }
    return n;
}

} // namespace

ModelState modelStateAt(const RawCheckpoint &raw, const std::string &path)
{
    const Value *v = raw.root;
    std::size_t start = 0;
    while (!path.empty() && start <= path.size()) {
        const std::size_t slash = std::min(path.find('/', start), path.size());
        const std::string key = path.substr(start, slash - start);
        const auto *d = asDict(v);
        v = d ? d->get(key) : nullptr;
        if (!v)
            fail(ErrorKind::Malformed, "the checkpoint has no entry '" + path.substr(0, slash) + "'");
        start = slash + 1;
    }
    ModelState s = stateFor(v, raw, path);
    if (!s.found())
        fail(ErrorKind::Malformed, "'" + (path.empty() ? std::string("the top level") : path) + "' is not a model state (a state_dict or a module)");
    s.reason = "chosen by you";
    return s;
}

std::vector<std::string> modelStateCandidates(const RawCheckpoint &raw)
{
    std::vector<std::string> out;
    if (stateFor(raw.root, raw, "").found())
        out.emplace_back();
    if (const auto *top = asDict(raw.root))
        for (const auto &[k, v] : top->items)
            if (isStr(k) && stateFor(v, raw, std::string(strOf(k))).found())
                out.emplace_back(strOf(k));
    return out;
}

ModelState findModelState(const RawCheckpoint &raw)
{
    const Value *root = raw.root;
    if (ModelState s = stateFor(root, raw, ""); s.found()) {
        s.reason = "the whole file is one";
        return s;
    }
    const auto *top = asDict(root);
    if (!top) {
        ModelState none;
        none.reason = "the file holds no dict, state_dict or module at its top level";
        return none;
    }
    static constexpr std::array<std::string_view, 9> kKeys{
        "state_dict_ema", "model_ema", "state_dict", "model_state", "model_state_dict", "model", "net", "module", "network"};
    for (const auto key : kKeys)
        if (const Value *v = top->get(key))
            if (ModelState s = stateFor(v, raw, std::string(key)); s.found()) {
                s.reason = "a conventional key";
                return s;
            }
    // Otherwise the top-level entry that holds the most tensors directly (e.g. {'my_state_dict': ...}).
    // Pickled modules and TorchScript modules are models whatever their key; a plain tensor map is one only
    // when it holds most of the file's tensors, which the Checkpoint checks once it has counted them.
    ModelState best;
    std::size_t bestCount = 0;
    for (const auto &[k, v] : top->items) {
        if (!isStr(k))
            continue;
        ModelState s = stateFor(v, raw, std::string(strOf(k)));
        const std::size_t n = s.kind == ModelState::Kind::StateDict ? tensorCount(v) : s.found() ? 1 : 0;
        if (s.found() && n > bestCount) {
            best = std::move(s);
            bestCount = n;
        }
    }
    if (best.kind == ModelState::Kind::StateDict) {
        // A plain tensor map is a model state when it plausibly is one: most of the file's tensors besides
        // optimizer state. A file of per-layer dicts ({'conv1': {...}, 'bn1': {...}}) has none, and
        // exporting 'bn1' as "the model" would silently drop the rest.
        const std::size_t total = tensorsOutsideOptimizers(root);
        if (bestCount * 2 <= total) {
            ModelState none;
            none.reason = "no conventional key (state_dict, model_state, model ...), and no tensor map holds most of the file's " + std::to_string(total)
                + " tensors (the largest, '" + best.path + "', holds " + std::to_string(bestCount) + ")";
            return none;
        }
        best.reason
            = "no conventional key; it holds " + std::to_string(bestCount) + " of the file's " + std::to_string(total) + " tensors outside optimizer state";
    } else if (best.found()) {
        best.reason = "no conventional key; the top-level entry that is a model";
    } else {
        best.reason = "no conventional key (state_dict, model_state, model ...) and no entry is a state_dict or a module";
    }
    return best;
}

} // namespace ckpt

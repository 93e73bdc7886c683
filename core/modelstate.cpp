#include "modelstate.h"

#include "format/error.h"

#include <algorithm>
#include <array>

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

bool isStateDict(const Value *v)
{
    const auto *d = asDict(v);
    if (!d || d->items.empty())
        return false;
    std::size_t tensors = 0;
    for (const auto &[k, x] : d->items) {
        if (!isStr(k))
            return false;
        if (x->kind == Kind::Tensor)
            ++tensors;
    }
    // get_extra_state() may put a few non-tensor values into a state_dict.
    return tensors > 0 && tensors * 4 >= d->items.size() * 3;
}

bool looksLikeBuffer(std::string_view modelName, DType dtype)
{
    if (!dtypeIsFloatingPoint(dtype) && !dtypeIsComplex(dtype))
        return true; // requires_grad is only possible for floating point and complex tensors
    const auto dot = modelName.rfind('.');
    const auto leaf = dot == std::string_view::npos ? modelName : modelName.substr(dot + 1);
    static constexpr std::array<std::string_view, 7> kBuffers{
        "running_mean", "running_var", "num_batches_tracked", "position_ids", "inv_freq", "relative_position_index",
        "masked_bias"};
    for (const auto b : kBuffers)
        if (leaf == b)
            return true;
    return false;
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
    if (isTorchScriptModule(v, raw.schema))
        return {ModelState::Kind::TorchScriptModule, std::move(path), v};
    if (isPickledModule(v))
        return {ModelState::Kind::Module, std::move(path), v};
    if (isStateDict(v))
        return {ModelState::Kind::StateDict, std::move(path), v};
    return {};
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
        fail(ErrorKind::Malformed, "'" + (path.empty() ? std::string("the top level") : path)
                                       + "' is not a model state (a state_dict or a module)");
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
    if (ModelState s = stateFor(root, raw, ""); s.found())
        return s;
    const auto *top = asDict(root);
    if (!top)
        return {};
    static constexpr std::array<std::string_view, 9> kKeys{"state_dict_ema", "model_ema", "state_dict", "model_state",
                                                           "model_state_dict", "model", "net", "module", "network"};
    for (const auto key : kKeys)
        if (const Value *v = top->get(key))
            if (ModelState s = stateFor(v, raw, std::string(key)); s.found())
                return s;
    // Otherwise the top-level entry that holds the most tensors directly (e.g. {'my_state_dict': ...}).
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
    return best;
}

} // namespace ckpt

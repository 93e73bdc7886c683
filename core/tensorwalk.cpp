// SPDX-License-Identifier: MIT
#include "tensorwalk.h"

#include "format/error.h"
#include "format/namelimit.h"
#include "format/pickle/pyrepr.h"
#include "modelstate.h"

#include <functional>
#include <ranges>
#include <unordered_map>
#include <unordered_set>

namespace ckpt {

using namespace pickle;

namespace {

enum class Role : std::uint8_t { Unknown, Parameter, Buffer };

struct Child
{
    std::string segment;
    const Value *value;
    Role role = Role::Unknown;
};

class Walker
{
public:
    Walker(const RawCheckpoint &raw, const ModelState &model, std::vector<TensorInfo> &tensors, std::vector<Entry> &entries, const WalkLimits &limits)
        : m_raw(raw)
        , m_model(model)
        , m_tensors(tensors)
        , m_entries(entries)
        , m_limits(limits)
    {
        // A tree visits each value about once; sharing may repeat a few, but never by a large factor.
        std::size_t objects = raw.arena->objectCount();
        for (const auto &part : raw.parts)
            objects += part->arena->objectCount();
        m_maxVisits = std::min(m_limits.maxVisits, m_limits.baseVisits + m_limits.visitsPerObject * objects);
    }

    void run()
    {
        std::vector<std::string> path;
        visit(m_raw.root, path, Role::Unknown, m_model.found() && m_model.path.empty(), 0);
    }

private:
    static bool isLeafObject(const ObjectValue *o)
    {
        const auto *g = asGlobal(o->callable);
        if (!g)
            return true;
        switch (g->known) {
        case KnownGlobal::NumpyReconstruct:
        case KnownGlobal::NumpyScalar:
        case KnownGlobal::NumpyDtype:
        case KnownGlobal::TorchSize:
        case KnownGlobal::TorchDevice: return true;
        default: return false;
        }
    }

    void countOutput(std::size_t bytes)
    {
        m_outputBytes += bytes;
        if (m_outputBytes > m_limits.maxOutputBytes)
            fail(ErrorKind::LimitExceeded,
                "the checkpoint's names and values add up to more than " + std::to_string(m_limits.maxOutputBytes >> 20)
                    + " MiB (long strings shared many times?)");
    }

    void countVisit()
    {
        if (m_limits.progress && m_visits % 65536 == 0)
            m_limits.progress->checkCancelled();
        if (++m_visits > m_maxVisits)
            fail(ErrorKind::LimitExceeded, "the checkpoint's shared sub-objects expand to more than " + std::to_string(m_maxVisits) + " paths");
    }

    // A module reached again inside itself (a cycle) contributes nothing, as in visit().
    bool enterModule(const Value *module, std::size_t depth)
    {
        if (depth > m_limits.maxDepth)
            fail(ErrorKind::LimitExceeded, "modules nested more than " + std::to_string(m_limits.maxDepth) + " levels deep");
        countVisit();
        return m_modulePath.insert(module).second;
    }

    void addChild(std::vector<Child> &out, std::string segment, const Value *v, Role role)
    {
        countVisit(); // shared submodules repeat their tensors under every name, like state_dict() does
        out.push_back({std::move(segment), v, role});
    }

    // nn.Module.state_dict(): parameters, persistent buffers, then submodules, recursively.
    void moduleStateDict(const Value *module, const std::string &prefix, std::vector<Child> &out, std::size_t depth)
    {
        if (!enterModule(module, depth))
            return;
        const DictValue *state = asObject(module)->stateDict();
        std::unordered_set<std::string_view> nonPersistent;
        if (const Value *set = state->get("_non_persistent_buffers_set"); set && (set->kind == Kind::Set || set->kind == Kind::FrozenSet))
            for (const Value *n : static_cast<const SequenceValue *>(set)->items)
                if (isStr(n))
                    nonPersistent.insert(strOf(n));
        for (const auto &[k, v] : asDict(state->get("_parameters"))->items)
            if (v->kind == Kind::Tensor)
                addChild(out, prefix + keySegment(k), v, Role::Parameter);
        for (const auto &[k, v] : asDict(state->get("_buffers"))->items)
            if (v->kind == Kind::Tensor && !(isStr(k) && nonPersistent.contains(strOf(k))))
                addChild(out, prefix + keySegment(k), v, Role::Buffer);
        for (const auto &[k, v] : asDict(state->get("_modules"))->items)
            if (isPickledModule(v))
                moduleStateDict(v, prefix + keySegment(k) + ".", out, depth + 1);
        m_modulePath.erase(module);
    }

    // A scripted module's state_dict(): its attribute slots that are parameters, buffers, submodules.
    void scriptStateDict(const Value *module, const std::string &prefix, std::vector<Child> &out, std::size_t depth)
    {
        if (!enterModule(module, depth))
            return;
        const auto *o = asObject(module);
        const auto *attrs = asDict(o->state);
        const TorchScriptClass *cls = m_raw.schema.find(asGlobal(o->callable)->qualifiedName());
        auto listed = [](const std::vector<std::string> *names, std::string_view n) {
            if (!names)
                return false;
            for (const auto &x : *names)
                if (x == n)
                    return true;
            return false;
        };
        for (const auto &[k, v] : attrs->items)
            if (v->kind == Kind::Tensor && isStr(k) && (cls ? listed(&cls->parameters, strOf(k)) : static_cast<const TensorValue *>(v)->requiresGrad))
                addChild(out, prefix + std::string(strOf(k)), v, Role::Parameter);
        for (const auto &[k, v] : attrs->items)
            if (v->kind == Kind::Tensor && isStr(k) && (cls ? listed(&cls->buffers, strOf(k)) : !static_cast<const TensorValue *>(v)->requiresGrad))
                addChild(out, prefix + std::string(strOf(k)), v, Role::Buffer);
        for (const auto &[k, v] : attrs->items)
            if (isStr(k) && isTorchScriptModule(v, m_raw.schema))
                scriptStateDict(v, prefix + std::string(strOf(k)) + ".", out, depth + 1);
        m_modulePath.erase(module);
    }

    // The children of a container in walk order; nullopt for leaves.
    bool children(const Value *v, std::vector<Child> &out, std::size_t depth)
    {
        switch (v->kind) {
        case Kind::Dict:
            for (const auto &[k, x] : static_cast<const DictValue *>(v)->items)
                out.push_back({keySegment(k), x});
            return true;
        case Kind::List:
        case Kind::Tuple: {
            const auto &items = static_cast<const SequenceValue *>(v)->items;
            for (std::size_t i = 0; i < items.size(); ++i)
                out.push_back({std::to_string(i), items[i]});
            return true;
        }
        case Kind::Object: {
            const auto *o = static_cast<const ObjectValue *>(v);
            if (isTorchScriptModule(v, m_raw.schema)) {
                scriptStateDict(v, "", out, depth);
                return true;
            }
            if (isPickledModule(v)) {
                moduleStateDict(v, "", out, depth);
                return true;
            }
            if (isLeafObject(o))
                return false;
            if (!o->dictItems.empty()) { // a dict subclass: items, then its own attributes
                for (const auto &[k, x] : o->dictItems)
                    out.push_back({keySegment(k), x});
                attributes(o, out);
                return true;
            }
            if (!o->listItems.empty()) {
                for (std::size_t i = 0; i < o->listItems.size(); ++i)
                    out.push_back({std::to_string(i), o->listItems[i]});
                return true;
            }
            return attributes(o, out);
        }
        default: return false;
        }
    }

    static bool attributes(const ObjectValue *o, std::vector<Child> &out)
    {
        bool any = false;
        auto add = [&](const DictValue *d) {
            if (!d)
                return;
            any = true;
            for (const auto &[k, x] : d->items)
                out.push_back({keySegment(k), x});
        };
        if (const auto *t = asTuple(o->state); t && t->items.size() == 2) {
            add(asDict(t->items[0])); // (instance dict, slots dict)
            add(asDict(t->items[1]));
        } else {
            add(asDict(o->state));
        }
        return any;
    }

    bool containsTensor(const Value *v, std::size_t depth)
    {
        if (v->kind == Kind::Tensor)
            return true;
        if (const auto it = m_contains.find(v); it != m_contains.end())
            return it->second;
        if (depth > m_limits.maxDepth)
            fail(ErrorKind::LimitExceeded, "values nested more than " + std::to_string(m_limits.maxDepth) + " levels deep");
        if (!m_onPath.insert(v).second)
            return false; // a cycle: the way back holds nothing new
        bool result = false;
        // (Plain loops: clang 14 cannot compile libstdc++ 12's views, and the fuzz build uses clang.)
        auto any = [&](const auto &values, auto valueOf) {
            for (const auto &x : values)
                if (containsTensor(valueOf(x), depth + 1))
                    return true;
            return false;
        };
        // Plain containers are scanned without building their path segments.
        if (v->kind == Kind::Dict) {
            result = any(static_cast<const DictValue *>(v)->items, [](const auto &item) -> const Value * { return item.second; });
        } else if (v->kind == Kind::List || v->kind == Kind::Tuple) {
            result = any(static_cast<const SequenceValue *>(v)->items, [](const Value *x) { return x; });
        } else {
            std::vector<Child> kids;
            if (children(v, kids, depth))
                result = any(kids, [](const Child &c) -> const Value * { return c.value; });
        }
        m_onPath.erase(v);
        m_contains.emplace(v, result);
        return result;
    }

    static std::string join(const std::vector<std::string> &path, std::size_t from = 0)
    {
        std::size_t size = 0;
        for (std::size_t i = from; i < path.size(); ++i)
            size += path[i].size() + 1;
        std::string s;
        s.reserve(size);
        for (std::size_t i = from; i < path.size(); ++i) {
            if (i > from)
                s.push_back('/');
            s += path[i];
        }
        return s;
    }

    void emitEntry(const Value *v, const std::vector<std::string> &path)
    {
        Entry e;
        e.name = join(path);
        e.type = pythonTypeName(v);
        if (v->kind == Kind::Str && strOf(v).size() > m_limits.maxEntryValue) {
            e.value = shortRepr(v, m_limits.maxEntryValue);
        } else if (auto text = scalarText(v)) {
            e.value = std::move(*text);
            e.isScalar = true;
        } else {
            e.value = shortRepr(v, 200);
        }
        countOutput(e.name.size() + e.value.size());
        m_entries.push_back(std::move(e));
    }

    void emitTensor(const Value *v, const std::vector<std::string> &path, Role role, bool inModel, std::size_t modelDepth)
    {
        const auto *t = static_cast<const TensorValue *>(v);
        TensorInfo info;
        info.name = join(path);
        checkNameSegments(info.name, "tensor"); // every format's names pass here: dict keys and their segments
        info.segmentEnds.reserve(path.size());
        std::uint32_t end = 0;
        for (std::size_t i = 0; i < path.size(); ++i) {
            end += static_cast<std::uint32_t>(path[i].size()) + (i ? 1 : 0);
            info.segmentEnds.push_back(end);
        }
        countOutput(info.name.size() * 2);
        info.setValue(t);
        info.inModelState = inModel;
        info.requiresGradStored = t->isParameter || m_raw.format == Format::TorchScript;
        info.storedFrozen = info.requiresGradStored && !t->requiresGrad;
        if (inModel) {
            info.modelName = join(path, modelDepth);
            // zero_to_fp32 gives plain tensors; which ones DeepSpeed kept frozen is in its model states.
            if (m_raw.frozenNames.count(info.modelName))
                info.storedFrozen = true;
            if (role == Role::Parameter)
                info.isParameter = true;
            else if (role == Role::Buffer)
                info.isParameter = false;
            else
                info.isParameter = t->isParameter || !looksLikeBuffer(info.modelName, t->dtype, t->numel());
        } else {
            // With a model state found, a tensor outside it (loss weights, an output transform, optimizer state)
            // is no parameter of the model, even when pickled as an nn.Parameter.
            info.isParameter = t->isParameter && !m_model.found();
        }
        m_tensors.push_back(std::move(info));
    }

    void visit(const Value *v, std::vector<std::string> &path, Role role, bool inModel, std::size_t depth)
    {
        countVisit();
        if (!inModel && m_model.found() && v == m_model.value && join(path) == m_model.path) {
            inModel = true;
            m_modelDepth = path.size();
        }
        if (v->kind == Kind::Tensor) {
            emitTensor(v, path, role, inModel, m_modelDepth);
            return;
        }
        if (!containsTensor(v, depth) || m_onPath.contains(v)) {
            emitEntry(v, path);
            return;
        }
        std::vector<Child> kids;
        children(v, kids, depth);
        m_onPath.insert(v);
        for (auto &c : kids) {
            m_pathBytes += c.segment.size();
            if (m_pathBytes > m_limits.maxPathBytes)
                fail(ErrorKind::LimitExceeded, "a value's path is longer than " + std::to_string(m_limits.maxPathBytes >> 20) + " MiB");
            const std::size_t segmentBytes = c.segment.size();
            path.push_back(std::move(c.segment));
            visit(c.value, path, c.role, inModel, depth + 1);
            path.pop_back();
            m_pathBytes -= segmentBytes;
        }
        m_onPath.erase(v);
    }

    const RawCheckpoint &m_raw;
    const ModelState &m_model;
    std::vector<TensorInfo> &m_tensors;
    std::vector<Entry> &m_entries;
    const WalkLimits &m_limits;
    std::unordered_map<const Value *, bool> m_contains;
    std::unordered_set<const Value *> m_onPath;
    std::unordered_set<const Value *> m_modulePath;
    std::size_t m_visits = 0;
    std::size_t m_outputBytes = 0;
    std::size_t m_pathBytes = 0;
    std::size_t m_maxVisits = 0;
    std::size_t m_modelDepth = 0;
};

} // namespace

void walkCheckpoint(
    const RawCheckpoint &raw, const ModelState &modelState, std::vector<TensorInfo> &tensors, std::vector<Entry> &entries, const WalkLimits &limits)
{
    // One tensor per tensor value is the usual case: reserved once rather than grown by copying.
    std::size_t values = raw.arena ? raw.arena->tensors().size() : 0;
    for (const auto &part : raw.parts)
        values += part->arena ? part->arena->tensors().size() : 0;
    tensors.reserve(tensors.size() + values);
    Walker(raw, modelState, tensors, entries, limits).run();
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
// What the allowlisted globals mean when a pickle calls them (REDUCE, NEWOBJ, BUILD): tensor and Parameter
// rebuilders, the legacy Variable forms of PyTorch 0.3/0.4, containers and byte strings. Everything else stays
// an opaque object; nothing is ever called. globals.cpp says which globals are known; this file what they do.
#include "picklemachine.h"

#include "../bytereader.h"
#include "../error.h"

#include <optional>
#include <string>

namespace ckpt::pickle {

namespace {

// latin-1 bytes from a UTF-8 string whose code points are all below 256 (how protocol 2 stores bytes).
std::optional<std::string> latin1FromUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
            out.push_back(static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F)));
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

bool isLegacyTensorClass(const Value *cls)
{
    const auto *g = asGlobal(cls);
    return g && (g->known == KnownGlobal::TorchParameterClass || g->known == KnownGlobal::TorchVariableClass);
}

} // namespace

// PyTorch 0.3/0.4 pickled a module's tensors as Parameter(data[, requires_grad]) or Variable(data), by REDUCE
// or NEWOBJ, sometimes with the data arriving only with BUILD's legacy Variable state. Python's Parameter
// defaults to requires_grad=True and Variable to False; BUILD may say otherwise (see build()).
Value *PickleMachine::legacyTensor(Value *cls, const SequenceValue *args)
{
    const bool parameter = asGlobal(cls)->known == KnownGlobal::TorchParameterClass;
    const TensorValue *data = args && !args->items.empty() ? asTensor(args->items[0]) : nullptr;
    if (args && (args->items.size() > 2 || (!args->items.empty() && !data)))
        return nullptr; // some other call of the class: left opaque
    TensorValue *t = data ? m_arena.makeTensor(*data) : m_arena.makeTensor(); // no data yet: BUILD brings it
    if (!data)
        t->storage = nullptr;
    t->isParameter = parameter;
    t->requiresGrad = args && args->items.size() == 2 ? intArgument(args->items[1], "requires_grad") != 0 : parameter;
    t->hooks = nullptr;
    t->parameterState = nullptr;
    return t;
}

std::int64_t PickleMachine::intArgument(Value *v, const char *what)
{
    if (v->kind == Kind::Int)
        return static_cast<IntValue *>(v)->v;
    if (v->kind == Kind::Bool)
        return static_cast<BoolValue *>(v)->v ? 1 : 0;
    malformed(std::string(what) + " must be an integer");
}

std::span<const std::int64_t> PickleMachine::intTuple(Value *v, const char *what)
{
    // torch.Size((...)) arrives as an object wrapping the tuple.
    if (const auto *o = asObject(v)) {
        const auto *g = asGlobal(o->callable);
        const auto *a = asTuple(o->args);
        if (g && g->known == KnownGlobal::TorchSize && a && a->items.size() == 1)
            v = a->items[0];
    }
    const SequenceValue *seq = nullptr;
    if (v->kind == Kind::Tuple || v->kind == Kind::List)
        seq = static_cast<const SequenceValue *>(v);
    if (!seq)
        malformed(std::string("tensor ") + what + " must be a tuple of integers");
    if (seq->items.size() > m_limits.maxTensorDims)
        fail(ErrorKind::LimitExceeded, "tensor with " + std::to_string(seq->items.size()) + " dimensions");
    auto out = m_arena.ints(seq->items.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = intArgument(seq->items[i], what);
        if (out[i] < 0)
            malformed(std::string("negative tensor ") + what);
    }
    return out;
}

StorageValue *PickleMachine::storageArgument(Value *v)
{
    if (v->kind == Kind::Storage)
        return static_cast<StorageValue *>(v);
    // Some hand-made legacy files put the persistent-id tuple itself where the storage goes.
    if (const auto *t = asTuple(v); t && !t->items.empty() && isStr(t->items[0]) && strOf(t->items[0]) == "storage" && m_loader) {
        Value *resolved = m_loader(v);
        if (resolved && resolved->kind == Kind::Storage)
            return static_cast<StorageValue *>(resolved);
    }
    malformed("tensor storage argument is not a storage");
}

// Offset, size and stride of a view on its storage, validated (bounds against the storage come once all
// storages are resolved).
void PickleMachine::setView(TensorValue *t, Value *offset, Value *size, Value *stride)
{
    t->storageOffset = intArgument(offset, "storage offset");
    if (t->storageOffset < 0)
        malformed("negative tensor storage offset");
    t->shape = intTuple(size, "size");
    t->stride = intTuple(stride, "stride");
    if (t->shape.size() != t->stride.size())
        malformed("tensor size and stride have different lengths");
    std::uint64_t n = 1;
    for (const auto d : t->shape)
        n = checkedMul(n, static_cast<std::uint64_t>(d), "tensor element count");
}

Value *PickleMachine::rebuildTensor(const SequenceValue &args, TensorOrigin origin)
{
    const auto &a = args.items;
    const std::size_t need = origin == TensorOrigin::RebuildV1 ? 4 : origin == TensorOrigin::QTensor ? 7 : 6;
    if (a.size() < need || a.size() > need + 1)
        malformed("tensor rebuild call has " + std::to_string(a.size()) + " arguments, expected " + std::to_string(need));
    auto *t = m_arena.makeTensor();
    t->origin = origin;
    t->storage = storageArgument(a[0]);
    t->dtype = t->storage->dtype;
    setView(t, a[1], a[2], a[3]);
    if (origin == TensorOrigin::RebuildV2) {
        t->requiresGrad = intArgument(a[4], "requires_grad") != 0;
        t->hooks = a[5];
        if (a.size() > 6)
            t->metadata = a[6];
    } else if (origin == TensorOrigin::QTensor) {
        t->quantizer = a[4];
        t->requiresGrad = intArgument(a[5], "requires_grad") != 0;
        t->hooks = a[6];
    }
    return t;
}

Value *PickleMachine::rebuildParameter(const SequenceValue &args, bool withState)
{
    const auto &a = args.items;
    if (a.size() != (withState ? 4u : 3u))
        malformed("_rebuild_parameter call has the wrong number of arguments");
    const auto *data = asTensor(a[0]);
    if (!data)
        malformed("_rebuild_parameter data is not a tensor");
    auto *t = m_arena.makeTensor(*data);
    t->isParameter = true;
    t->requiresGrad = intArgument(a[1], "requires_grad") != 0;
    t->hooks = a[2];
    if (withState)
        t->parameterState = a[3];
    return t;
}

Value *PickleMachine::rebuildFromType(Value *callable, const SequenceValue &args, int depth)
{
    const auto &a = args.items;
    if (a.size() != 4)
        malformed("_rebuild_from_type_v2 call has the wrong number of arguments");
    if (a[2]->kind != Kind::Tuple)
        malformed("_rebuild_from_type_v2 arguments are not a tuple");
    Value *inner = reduce(a[0], a[2], depth + 1);
    const auto *data = asTensor(inner);
    if (!data) // not a tensor after all: keep the call as it was written
        return m_arena.makeObject(callable, makeTuple(a), Construction::Reduce);
    auto *t = m_arena.makeTensor(*data);
    const auto *type = asGlobal(a[1]);
    if (type && type->known == KnownGlobal::TorchParameterClass)
        t->isParameter = true;
    else if (!type || type->known != KnownGlobal::TorchTensorClass)
        t->pythonType = a[1];
    const auto *state = asDict(a[3]);
    if (!state || !state->items.empty())
        t->parameterState = a[3];
    return t;
}

void PickleMachine::populateDict(DictValue *d, Value *source)
{
    if (const auto *src = asDict(source)) {
        for (const auto &[k, v] : src->items)
            setItem(d, k, v);
        return;
    }
    if (source->kind != Kind::List && source->kind != Kind::Tuple)
        malformed("dict initialiser is not a sequence of pairs");
    for (Value *pair : static_cast<SequenceValue *>(source)->items) {
        const SequenceValue *p = (pair->kind == Kind::List || pair->kind == Kind::Tuple) ? static_cast<SequenceValue *>(pair) : nullptr;
        if (!p || p->items.size() != 2)
            malformed("dict initialiser item is not a pair");
        setItem(d, p->items[0], p->items[1]);
    }
}

namespace {
bool isGetattr(const Value *v)
{
    const GlobalValue *g = asGlobal(v);
    return g && g->module == "builtins" && g->name == "getattr";
}
// An object some getattr call returned: calling it calls whatever getattr reached.
bool isGetattrResult(const Value *v)
{
    const ObjectValue *o = asObject(v);
    return o && isGetattr(o->callable);
}
} // namespace

Value *PickleMachine::reduce(Value *callable, Value *args, int depth)
{
    // Remembered for the safety report, which can tell getattr(SomeEnum, "MEMBER") from getattr(os, "system").
    if (isGetattr(callable)) {
        const auto *a = asTuple(args);
        const GlobalValue *target = a && a->items.size() == 2 ? asGlobal(a->items[0]) : nullptr;
        if (target && isStr(a->items[1]))
            m_getattrTargets.push_back(std::string(target->module) + "." + std::string(target->name) + "." + std::string(strOf(a->items[1])));
        else
            m_getattrIrregular = true;
    } else if (isGetattrResult(callable)) {
        m_getattrIrregular = true;
    }
    if (depth > 4)
        fail(ErrorKind::LimitExceeded, "tensor rebuild calls nested too deeply");
    if (args->kind != Kind::Tuple)
        malformed("REDUCE arguments are not a tuple");
    auto *a = static_cast<SequenceValue *>(args);
    const GlobalValue *g = asGlobal(callable);
    const KnownGlobal known = g ? g->known : KnownGlobal::Unknown;
    const auto &items = a->items;
    switch (known) {
    case KnownGlobal::RebuildTensorV2: return rebuildTensor(*a, TensorOrigin::RebuildV2);
    case KnownGlobal::RebuildTensor: return rebuildTensor(*a, TensorOrigin::RebuildV1);
    case KnownGlobal::RebuildQTensor: return rebuildTensor(*a, TensorOrigin::QTensor);
    case KnownGlobal::RebuildParameter: return rebuildParameter(*a, false);
    case KnownGlobal::RebuildParameterWithState: return rebuildParameter(*a, true);
    case KnownGlobal::RebuildFromTypeV2: return rebuildFromType(callable, *a, depth);
    case KnownGlobal::TorchParameterClass:
    case KnownGlobal::TorchVariableClass:
        if (!items.empty())
            if (Value *t = legacyTensor(callable, a))
                return t;
        break;
    case KnownGlobal::LegacyTensorType:
        if (items.empty()) { // an empty tensor of the type; BUILD gives it (storage, offset, size, stride)
            TensorValue *t = m_arena.makeTensor();
            t->storage = nullptr;
            t->dtype = g->storageDtype;
            t->origin = TensorOrigin::RebuildV1;
            return t;
        }
        break;
    case KnownGlobal::NewObjFunc: // copyreg.__newobj__(cls, *args), as protocols 0 and 1 spell NEWOBJ
        if (!items.empty() && isLegacyTensorClass(items[0]))
            if (Value *t = legacyTensor(items[0], static_cast<const SequenceValue *>(makeTuple(std::span(items).subspan(1)))))
                return t;
        break;
    case KnownGlobal::OrderedDict:
    case KnownGlobal::DefaultDict: {
        auto *d = m_arena.makeDict(known == KnownGlobal::OrderedDict ? DictFlavor::Ordered : DictFlavor::Default);
        if (known == KnownGlobal::DefaultDict) {
            if (!items.empty())
                d->defaultFactory = items[0];
            if (items.size() > 1)
                populateDict(d, items[1]);
        } else if (!items.empty()) {
            populateDict(d, items[0]);
        }
        return d;
    }
    case KnownGlobal::Set:
    case KnownGlobal::FrozenSet: {
        auto *s = m_arena.makeSequence(known == KnownGlobal::Set ? Kind::Set : Kind::FrozenSet);
        if (!items.empty()) {
            const Value *src = items[0];
            if (src->kind != Kind::List && src->kind != Kind::Tuple && src->kind != Kind::Set && src->kind != Kind::FrozenSet)
                break; // not a plain iterable: keep as an opaque call
            const auto &from = static_cast<const SequenceValue *>(src)->items;
            s->items.assign(from.begin(), from.end());
        }
        return s;
    }
    case KnownGlobal::Complex: {
        auto number = [](const Value *v) -> std::optional<double> {
            if (v->kind == Kind::Float)
                return static_cast<const FloatValue *>(v)->v;
            if (v->kind == Kind::Int)
                return static_cast<double>(static_cast<const IntValue *>(v)->v);
            return std::nullopt;
        };
        if (items.size() == 2 && number(items[0]) && number(items[1]))
            return m_arena.make<ComplexValue>(*number(items[0]), *number(items[1]));
        break;
    }
    case KnownGlobal::ByteArray:
    case KnownGlobal::Bytes:
    case KnownGlobal::CodecsEncode: {
        const Kind kind = known == KnownGlobal::ByteArray ? Kind::ByteArray : Kind::Bytes;
        if (items.empty() && known != KnownGlobal::CodecsEncode)
            return m_arena.make<StringValue>(kind, std::string_view{});
        if (items.size() == 1 && (items[0]->kind == Kind::Bytes || items[0]->kind == Kind::ByteArray) && known != KnownGlobal::CodecsEncode)
            return m_arena.make<StringValue>(kind, static_cast<StringValue *>(items[0])->s);
        if (items.size() == 2 && isStr(items[0]) && isStr(items[1]) && (strOf(items[1]) == "latin1" || strOf(items[1]) == "latin-1")) {
            if (auto bytes = latin1FromUtf8(strOf(items[0])))
                return m_arena.make<StringValue>(kind, m_arena.copy(*bytes));
        }
        break;
    }
    default: break;
    }
    return m_arena.makeObject(callable, args, Construction::Reduce);
}

Value *PickleMachine::newObject(Value *cls, Value *args, Value *kwargs, Construction how)
{
    if (isGetattr(cls) || isGetattrResult(cls))
        m_getattrIrregular = true;
    if (const auto *g = asGlobal(cls)) {
        switch (g->known) {
        case KnownGlobal::OrderedDict: return m_arena.makeDict(DictFlavor::Ordered);
        case KnownGlobal::DefaultDict: return m_arena.makeDict(DictFlavor::Default);
        case KnownGlobal::Set: return m_arena.makeSequence(Kind::Set);
        case KnownGlobal::TorchParameterClass:
        case KnownGlobal::TorchVariableClass:
            if (how == Construction::NewObj && (!args || args->kind == Kind::Tuple))
                if (Value *t = legacyTensor(cls, static_cast<const SequenceValue *>(args)))
                    return t;
            break;
        default: break;
        }
    }
    auto *o = m_arena.makeObject(cls, args, how);
    o->kwargs = kwargs;
    return o;
}

void PickleMachine::build(Value *target, Value *state)
{
    switch (target->kind) {
    case Kind::Object: {
        auto *o = static_cast<ObjectValue *>(target);
        auto *existing = o->state ? asDict(o->state) : nullptr;
        const auto *incoming = asDict(state);
        if (existing && incoming) {
            for (const auto &[k, v] : incoming->items)
                setItem(const_cast<DictValue *>(existing), k, v);
        } else {
            o->state = state;
        }
        return;
    }
    case Kind::Dict: static_cast<DictValue *>(target)->state = state; return;
    case Kind::Tensor: {
        auto *t = static_cast<TensorValue *>(target);
        // Tensor.__setstate__'s legacy Variable states: (requires_grad, volatile, backward_hooks), or
        // (data, grad_fn?, backward_hooks, requires_grad, volatile). Hooks are never restored (PyTorch drops them).
        if (const auto *tuple = asTuple(state)) {
            const auto &s = tuple->items;
            if (s.size() == 3 && (s[0]->kind == Kind::Bool || s[0]->kind == Kind::Int)) {
                t->requiresGrad = intArgument(s[0], "requires_grad") != 0;
                return;
            }
            if (s.size() == 4 && !t->storage && s[0]->kind == Kind::Storage) { // Tensor.set_(storage, offset, size, stride)
                StorageValue *storage = storageArgument(s[0]);
                if (storage->dtype != t->dtype)
                    malformed("a legacy tensor's type differs from its storage's");
                t->storage = storage;
                setView(t, s[1], s[2], s[3]);
                return;
            }
            if (s.size() == 5 && asTensor(s[0]) && (s[3]->kind == Kind::Bool || s[3]->kind == Kind::Int)) {
                const TensorValue *data = asTensor(s[0]);
                t->storage = data->storage;
                t->dtype = data->dtype;
                t->storageOffset = data->storageOffset;
                t->shape = data->shape;
                t->stride = data->stride;
                t->origin = data->origin;
                t->quantizer = data->quantizer;
                t->requiresGrad = intArgument(s[3], "requires_grad") != 0;
                return;
            }
        }
        if (!t->storage)
            malformed("a legacy Parameter's state carries no tensor data");
        t->parameterState = state;
        return;
    }
    default: malformed("BUILD applied to a value that has no state");
    }
}

} // namespace ckpt::pickle

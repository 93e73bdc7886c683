// SPDX-License-Identifier: MIT
#include "picklewriter.h"

#include "../error.h"
#include "../utf8.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ckpt::pickle {

namespace {
constexpr std::size_t kBatch = 1000; // Python's pickler batches APPENDS / SETITEMS by 1000
constexpr int kMaxDepth = 1000;

// Python 3's protocol-2 pickler writes Python 2 module names (fix_imports); its unpickler maps them back.
std::string_view py2Module(std::string_view module)
{
    if (module == "builtins")
        return "__builtin__";
    if (module == "copyreg")
        return "copy_reg";
    return module;
}
} // namespace

PickleWriter::PickleWriter(StorageKey storageKey)
    : m_storageKey(std::move(storageKey))
{ }

std::vector<std::byte> PickleWriter::write(const Value *root)
{
    m_out.clear();
    m_memo.clear();
    m_storageMemo.clear();
    op(0x80); // PROTO 2
    op(2);
    value(root, 0);
    op('.');
    return std::move(m_out);
}

void PickleWriter::raw(const void *data, std::size_t n)
{
    const auto *p = static_cast<const std::byte *>(data);
    m_out.insert(m_out.end(), p, p + n);
}

void PickleWriter::global(std::string_view module, std::string_view name)
{
    op('c');
    const auto m = py2Module(module);
    raw(m.data(), m.size());
    op('\n');
    raw(name.data(), name.size());
    op('\n');
}

void PickleWriter::integer(std::int64_t v)
{
    if (v >= 0 && v < 256) {
        op('K');
        op(static_cast<unsigned char>(v));
    } else if (v >= 0 && v < 65536) {
        op('M');
        const auto u = static_cast<std::uint16_t>(v);
        raw(&u, 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        op('J');
        const auto i = static_cast<std::int32_t>(v);
        raw(&i, 4);
    } else {
        // LONG1 with the shortest two's complement, as pickle.encode_long writes it.
        std::uint8_t b[8];
        std::memcpy(b, &v, 8);
        std::size_t n = 8;
        while (n > 1 && ((b[n - 1] == 0x00 && !(b[n - 2] & 0x80)) || (b[n - 1] == 0xFF && (b[n - 2] & 0x80))))
            --n;
        op(0x8a);
        op(static_cast<unsigned char>(n));
        raw(b, n);
    }
}

void PickleWriter::longBytes(std::string_view le)
{
    if (le.size() < 256) {
        op(0x8a);
        op(static_cast<unsigned char>(le.size()));
    } else {
        op(0x8b);
        const auto n = static_cast<std::uint32_t>(le.size());
        raw(&n, 4);
    }
    raw(le.data(), le.size());
}

void PickleWriter::string(std::string_view s)
{
    op('X');
    const auto n = static_cast<std::uint32_t>(s.size());
    raw(&n, 4);
    raw(s.data(), s.size());
}

void PickleWriter::bytes(std::string_view data)
{
    // Protocol 2 has no bytes opcode: Python writes _codecs.encode(<latin-1 text>, 'latin1').
    if (data.empty()) {
        global("builtins", "bytes");
        op(')');
        op('R');
        return;
    }
    std::string text;
    text.reserve(data.size() * 2);
    for (const char c : data)
        utf8::append(text, static_cast<unsigned char>(c));
    global("_codecs", "encode");
    string(text);
    string("latin1");
    op(0x86); // TUPLE2
    op('R');
}

void PickleWriter::floating(double d)
{
    op('G');
    const std::uint64_t be = __builtin_bswap64(std::bit_cast<std::uint64_t>(d));
    raw(&be, 8);
}

void PickleWriter::emptyOrderedDict()
{
    global("collections", "OrderedDict");
    op(')');
    op('R');
}

void PickleWriter::get(std::uint32_t index)
{
    if (index < 256) {
        op('h');
        op(static_cast<unsigned char>(index));
    } else {
        op('j');
        raw(&index, 4);
    }
}

void PickleWriter::put(std::uint32_t index)
{
    if (index < 256) {
        op('q');
        op(static_cast<unsigned char>(index));
    } else {
        op('r');
        raw(&index, 4);
    }
}

bool PickleWriter::fromMemo(const Value *v)
{
    const auto it = m_memo.find(v);
    if (it == m_memo.end())
        return false;
    get(it->second);
    return true;
}

void PickleWriter::memoize(const Value *v)
{
    const auto index = static_cast<std::uint32_t>(m_memo.size() + m_storageMemo.size());
    m_memo.emplace(v, index);
    put(index);
}

void PickleWriter::value(const Value *v, int depth)
{
    if (const auto it = m_substitutes.find(v); it != m_substitutes.end())
        v = it->second;
    if (depth > kMaxDepth)
        fail(ErrorKind::Unsupported, "the checkpoint nests values more than 1000 levels deep; it cannot be written");
    if (fromMemo(v))
        return;
    if (std::find(m_inProgress.begin(), m_inProgress.end(), v) != m_inProgress.end())
        fail(ErrorKind::Unsupported, "a value contains itself through its constructor arguments; a pickle cannot express that");
    switch (v->kind) {
    case Kind::None: op('N'); return;
    case Kind::Bool: op(static_cast<const BoolValue *>(v)->v ? 0x88 : 0x89); return;
    case Kind::Int: integer(static_cast<const IntValue *>(v)->v); return;
    case Kind::BigInt: longBytes(static_cast<const BigIntValue *>(v)->bytes); return;
    case Kind::Float: floating(static_cast<const FloatValue *>(v)->v); return;
    case Kind::Complex: {
        const auto *c = static_cast<const ComplexValue *>(v);
        global("builtins", "complex");
        floating(c->re);
        floating(c->im);
        op(0x86);
        op('R');
        return;
    }
    case Kind::Str:
        string(strOf(v));
        memoize(v);
        return;
    case Kind::Bytes:
        bytes(static_cast<const StringValue *>(v)->s);
        memoize(v);
        return;
    case Kind::ByteArray:
        global("builtins", "bytearray");
        if (!static_cast<const StringValue *>(v)->s.empty()) {
            bytes(static_cast<const StringValue *>(v)->s);
            op(0x85); // TUPLE1
        } else {
            op(')');
        }
        op('R');
        memoize(v);
        return;
    case Kind::List:
    case Kind::Tuple:
    case Kind::Set:
    case Kind::FrozenSet: sequence(*static_cast<const SequenceValue *>(v), depth); return;
    case Kind::Dict: dict(*static_cast<const DictValue *>(v), depth); return;
    case Kind::Global: {
        const auto *g = static_cast<const GlobalValue *>(v);
        global(g->module, g->name);
        memoize(v);
        return;
    }
    case Kind::Storage: storagePid(*static_cast<const StorageValue *>(v)); return;
    case Kind::Tensor:
        m_inProgress.push_back(v);
        tensor(*static_cast<const TensorValue *>(v), depth);
        m_inProgress.pop_back();
        memoize(v);
        return;
    case Kind::Object: object(*static_cast<const ObjectValue *>(v), depth); return;
    }
}

void PickleWriter::sequence(const SequenceValue &s, int depth)
{
    switch (s.kind) {
    case Kind::List:
        op(']');
        memoize(&s);
        appends(s.items, depth);
        return;
    case Kind::Tuple: {
        m_inProgress.push_back(&s);
        const std::size_t n = s.items.size();
        if (n == 0) {
            op(')');
        } else if (n <= 3) {
            for (const Value *item : s.items)
                value(item, depth + 1);
            op(static_cast<unsigned char>(0x85 + n - 1));
        } else {
            op('(');
            for (const Value *item : s.items)
                value(item, depth + 1);
            op('t');
        }
        m_inProgress.pop_back();
        memoize(&s);
        return;
    }
    default: {
        // Protocol 2 writes sets as set([items]) / frozenset([items]).
        m_inProgress.push_back(&s);
        global("builtins", s.kind == Kind::Set ? "set" : "frozenset");
        op(']');
        appends(s.items, depth);
        op(0x85);
        op('R');
        m_inProgress.pop_back();
        memoize(&s);
        return;
    }
    }
}

void PickleWriter::appends(const std::pmr::vector<Value *> &items, int depth)
{
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
        const std::size_t end = std::min(items.size(), start + kBatch);
        if (end - start == 1) {
            value(items[start], depth + 1);
            op('a');
            continue;
        }
        op('(');
        for (std::size_t i = start; i < end; ++i)
            value(items[i], depth + 1);
        op('e');
    }
}

void PickleWriter::setItems(const std::pmr::vector<std::pair<Value *, Value *>> &items, int depth)
{
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
        const std::size_t end = std::min(items.size(), start + kBatch);
        if (end - start == 1) {
            value(items[start].first, depth + 1);
            value(items[start].second, depth + 1);
            op('s');
            continue;
        }
        op('(');
        for (std::size_t i = start; i < end; ++i) {
            value(items[i].first, depth + 1);
            value(items[i].second, depth + 1);
        }
        op('u');
    }
}

void PickleWriter::dict(const DictValue &d, int depth)
{
    switch (d.flavor) {
    case DictFlavor::Plain: op('}'); break;
    case DictFlavor::Ordered: emptyOrderedDict(); break;
    case DictFlavor::Default:
        m_inProgress.push_back(&d);
        global("collections", "defaultdict");
        if (d.defaultFactory) {
            value(d.defaultFactory, depth + 1);
            op(0x85);
        } else {
            op(')');
        }
        op('R');
        m_inProgress.pop_back();
        break;
    }
    memoize(&d);
    setItems(d.items, depth);
    if (d.state) { // a state_dict's _metadata
        value(d.state, depth + 1);
        op('b');
    }
}

void PickleWriter::object(const ObjectValue &o, int depth)
{
    m_inProgress.push_back(&o);
    const auto *args = asTuple(o.args);
    const bool noArgs = !args || args->items.empty();
    switch (o.how) {
    case Construction::Reduce:
        value(o.callable, depth + 1);
        value(o.args, depth + 1);
        op('R');
        break;
    case Construction::NewObj:
        value(o.callable, depth + 1);
        value(o.args, depth + 1);
        op(0x81);
        break;
    case Construction::NewObjEx:
        // Protocol 2 has no NEWOBJ_EX: copyreg.__newobj_ex__(cls, args, kwargs) does the same.
        global("copyreg", "__newobj_ex__");
        value(o.callable, depth + 1);
        value(o.args, depth + 1);
        value(o.kwargs, depth + 1);
        op(0x87); // TUPLE3
        op('R');
        break;
    case Construction::Inst:
    case Construction::Obj:
        // INST/OBJ call cls(*args) when there are args, else cls.__new__(cls): REDUCE / NEWOBJ do the same.
        value(o.callable, depth + 1);
        if (noArgs) {
            op(')');
            op(0x81);
        } else {
            value(o.args, depth + 1);
            op('R');
        }
        break;
    }
    m_inProgress.pop_back();
    memoize(&o);
    appends(o.listItems, depth);
    setItems(o.dictItems, depth);
    if (o.state) {
        value(o.state, depth + 1);
        op('b');
    }
}

void PickleWriter::storagePid(const StorageValue &s)
{
    if (const auto it = m_storageMemo.find(&s); it != m_storageMemo.end()) {
        get(it->second);
        return;
    }
    const std::string_view cls = storageClassName(s.dtype);
    static constexpr DType kNoClassIn113[]
        = {DType::UInt16, DType::UInt32, DType::UInt64, DType::Float8E5M2, DType::Float8E4M3FN, DType::Float8E5M2FNUZ, DType::Float8E4M3FNUZ};
    if (std::find(std::begin(kNoClassIn113), std::end(kNoClassIn113), s.dtype) != std::end(kNoClassIn113))
        fail(ErrorKind::Unsupported,
            "torch.save has no storage type for " + std::string(dtypeName(s.dtype)) + " tensors in PyTorch 1.13; save this checkpoint as safetensors");
    op('(');
    string("storage");
    global("torch", cls);
    string(m_storageKey(s));
    string(s.location.empty() ? std::string_view("cpu") : s.location);
    integer(static_cast<std::int64_t>(s.numel));
    op('t');
    op('Q');
    const auto index = static_cast<std::uint32_t>(m_memo.size() + m_storageMemo.size());
    m_storageMemo.emplace(&s, index);
    put(index);
}

void PickleWriter::tensor(const TensorValue &t, int depth)
{
    // A legacy storage view becomes its root storage with the view's offset added.
    const StorageValue *storage = t.storage;
    std::int64_t offset = t.storageOffset;
    while (storage->root) {
        offset += static_cast<std::int64_t>(storage->rootOffset);
        storage = storage->root;
    }
    auto ints = [&](std::span<const std::int64_t> v) {
        if (v.empty()) {
            op(')');
            return;
        }
        op('(');
        for (const auto x : v)
            integer(x);
        op('t');
    };
    // The tensor's data as _rebuild_tensor_v2 / _rebuild_qtensor call arguments, then the call.
    auto rebuild = [&](bool requiresGrad) {
        const bool quantized = t.origin == TensorOrigin::QTensor;
        global("torch._utils", quantized ? "_rebuild_qtensor" : "_rebuild_tensor_v2");
        op('(');
        storagePid(*storage);
        integer(offset);
        ints(t.shape);
        ints(t.stride);
        if (quantized)
            value(t.quantizer, depth + 1);
        op(requiresGrad ? 0x88 : 0x89);
        emptyOrderedDict();
        if (t.metadata && !quantized)
            value(t.metadata, depth + 1);
        op('t');
        op('R');
    };
    if (t.pythonType) {
        // A tensor subclass: _rebuild_from_type_v2(_rebuild_tensor_v2, type, args, state).
        global("torch._tensor", "_rebuild_from_type_v2");
        op('(');
        global("torch._utils", "_rebuild_tensor_v2");
        value(t.pythonType, depth + 1);
        op('(');
        storagePid(*storage);
        integer(offset);
        ints(t.shape);
        ints(t.stride);
        op(t.requiresGrad ? 0x88 : 0x89);
        emptyOrderedDict();
        op('t');
        if (t.parameterState)
            value(t.parameterState, depth + 1);
        else
            op('}');
        op('t');
        op('R');
        return;
    }
    if (!t.isParameter) {
        rebuild(t.requiresGrad);
        return;
    }
    // nn.Parameter.__reduce_ex__: _rebuild_parameter(data, requires_grad, OrderedDict()).
    const bool withState = t.parameterState != nullptr;
    global("torch._utils", withState ? "_rebuild_parameter_with_state" : "_rebuild_parameter");
    op('(');
    rebuild(false);
    op(t.requiresGrad ? 0x88 : 0x89);
    emptyOrderedDict();
    if (withState)
        value(t.parameterState, depth + 1);
    op('t');
    op('R');
}

} // namespace ckpt::pickle

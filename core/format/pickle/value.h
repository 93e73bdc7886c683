// SPDX-License-Identifier: MIT
// The value tree a pickle builds: data only. Unknown classes stay opaque objects; nothing is ever called.
#pragma once

#include "../dtype.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ckpt::pickle {

enum class Kind : std::uint8_t {
    None,
    Bool,
    Int,
    BigInt,
    Float,
    Complex,
    Str,
    Bytes,
    ByteArray,
    List,
    Tuple,
    Set,
    FrozenSet,
    Dict,
    Global,
    Object,
    Storage,
    Tensor,
};

struct Value
{
    explicit Value(Kind k)
        : kind(k)
    { }
    const Kind kind;
};

struct BoolValue : Value
{
    explicit BoolValue(bool b)
        : Value(Kind::Bool)
        , v(b)
    { }
    bool v;
};

struct IntValue : Value
{
    explicit IntValue(std::int64_t i)
        : Value(Kind::Int)
        , v(i)
    { }
    std::int64_t v;
};

// An integer beyond 64 bits, as pickle's LONG1/LONG4 store it: little-endian two's complement.
struct BigIntValue : Value
{
    explicit BigIntValue(std::string_view le)
        : Value(Kind::BigInt)
        , bytes(le)
    { }
    std::string_view bytes;
};

struct FloatValue : Value
{
    explicit FloatValue(double d)
        : Value(Kind::Float)
        , v(d)
    { }
    double v;
};

struct ComplexValue : Value
{
    ComplexValue(double r, double i)
        : Value(Kind::Complex)
        , re(r)
        , im(i)
    { }
    double re, im;
};

// Str (UTF-8 text), Bytes, ByteArray.
struct StringValue : Value
{
    StringValue(Kind k, std::string_view s)
        : Value(k)
        , s(s)
    { }
    std::string_view s;
};

// List, Tuple, Set, FrozenSet.
struct SequenceValue : Value
{
    SequenceValue(Kind k, std::pmr::memory_resource *mr)
        : Value(k)
        , items(mr)
    { }
    std::pmr::vector<Value *> items;
};

enum class DictFlavor : std::uint8_t { Plain, Ordered, Default };

struct DictValue : Value
{
    DictValue(DictFlavor f, std::pmr::memory_resource *mr)
        : Value(Kind::Dict)
        , items(mr)
        , flavor(f)
    { }
    std::pmr::vector<std::pair<Value *, Value *>> items;
    DictFlavor flavor;
    Value *defaultFactory = nullptr; // defaultdict's factory
    Value *state = nullptr; // BUILD state: a state_dict's {'_metadata': ...}
    const Value *get(std::string_view key) const;
};

// Globals the reader gives a meaning to. Everything else is Unknown and becomes an opaque object.
enum class KnownGlobal : std::uint8_t {
    Unknown,
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    RebuildParameterWithState,
    RebuildQTensor,
    RebuildFromTypeV2,
    StorageClass, // torch.FloatStorage ... (dtype in GlobalValue::storageDtype), torch.UntypedStorage
    OrderedDict,
    DefaultDict,
    Set,
    FrozenSet,
    Complex,
    ByteArray,
    Bytes,
    CodecsEncode,
    Reconstructor, // copyreg._reconstructor
    NewObjFunc, // copyreg.__newobj__
    TorchDevice,
    TorchSize,
    TorchDtype,
    TorchTensorClass,
    TorchParameterClass,
    TorchVariableClass, // torch.autograd.variable.Variable: what PyTorch 0.3 pickled tensors of modules as
    LegacyTensorType, // torch.FloatTensor ... (dtype in storageDtype): PyTorch 0.1/0.2 tensors, filled by BUILD
    NumpyReconstruct,
    NumpyScalar,
    NumpyDtype,
};

struct GlobalValue : Value
{
    GlobalValue(std::string_view m, std::string_view n, KnownGlobal k)
        : Value(Kind::Global)
        , module(m)
        , name(n)
        , known(k)
    { }
    std::string_view module;
    std::string_view name;
    KnownGlobal known;
    DType storageDtype = DType::UInt8; // for StorageClass
    std::string qualifiedName() const;
};

enum class Construction : std::uint8_t { Reduce, NewObj, NewObjEx, Inst, Obj };

// An instance of a class we don't interpret (argparse.Namespace, numpy arrays, nn.Modules ...):
// kept with everything needed to show it and to write it back unchanged.
struct ObjectValue : Value
{
    ObjectValue(Value *callable, Value *args, Construction how, std::pmr::memory_resource *mr)
        : Value(Kind::Object)
        , callable(callable)
        , args(args)
        , listItems(mr)
        , dictItems(mr)
        , how(how)
    { }
    Value *callable; // usually a GlobalValue (the class or factory)
    Value *args; // a tuple (or nullptr)
    Value *kwargs = nullptr;
    Value *state = nullptr; // BUILD argument
    std::pmr::vector<Value *> listItems; // APPEND(S) on the object
    std::pmr::vector<std::pair<Value *, Value *>> dictItems; // SETITEM(S) on the object
    Construction how;

    const GlobalValue *classGlobal() const; // the class, looking through copyreg/numpy factories
    const DictValue *stateDict() const; // state when it is a dict, or the dict half of (dict, slots)
};

// Bytes that a folder reader puts together only when they are asked for: a tensor that DCP chunks or ZeRO
// partitions hold in pieces. Writers stream them block by block (fill); everything else reads whole().
class DeferredBytes
{
public:
    virtual ~DeferredBytes() = default;
    virtual std::uint64_t size() const = 0;
    // Writes bytes [offset, offset + out.size()) of the whole into out, from the pieces.
    virtual void fill(std::uint64_t offset, std::span<std::byte> out) const = 0;
    // When the pieces laid end to end are the whole (partitions, chunks that are slabs of rows), hands each
    // to each in order, from where it is mapped, and returns true; else returns false without calling each.
    virtual bool visit(const std::function<void(std::span<const std::byte>)> &each) const = 0;
    // The whole, put together on first use (thread-safe) and kept while the checkpoint lives.
    virtual std::span<const std::byte> whole() const = 0;
    // Lets this process drop the pages of the pieces (and of the whole): they stay in the page cache.
    virtual void releasePages() const = 0;
};

// A storage: a run of elements of one dtype, in the mapped file once resolved.
struct StorageValue : Value
{
    StorageValue()
        : Value(Kind::Storage)
    { }
    std::string_view key;
    std::string_view location;
    DType dtype = DType::UInt8;
    std::uint64_t numel = 0; // elements
    std::span<const std::byte> bytes; // numel * itemsize bytes, valid once resolved
    bool resolved = false;
    StorageValue *root = nullptr; // legacy storage views: the storage this one is a slice of
    std::uint64_t rootOffset = 0; // in elements
    std::uint32_t id = 0; // dense numbering within a checkpoint (sharing groups)
    const DeferredBytes *deferred = nullptr; // set: bytes is empty, the data is put together when read

    // What to read the elements from: bytes, or the deferred whole.
    std::span<const std::byte> data() const { return deferred ? deferred->whole() : bytes; }
};

enum class TensorOrigin : std::uint8_t { RebuildV2, RebuildV1, QTensor, Raw };

struct TensorValue : Value
{
    TensorValue()
        : Value(Kind::Tensor)
    { }
    StorageValue *storage = nullptr;
    DType dtype = DType::Float32;
    std::int64_t storageOffset = 0;
    std::span<const std::int64_t> shape;
    std::span<const std::int64_t> stride;
    bool requiresGrad = false;
    bool isParameter = false; // pickled as torch.nn.Parameter
    TensorOrigin origin = TensorOrigin::RebuildV2;
    Value *hooks = nullptr; // backward_hooks argument
    Value *metadata = nullptr; // 7th argument of _rebuild_tensor_v2
    Value *quantizer = nullptr; // quantizer params of _rebuild_qtensor
    Value *parameterState = nullptr; // _rebuild_parameter_with_state / _rebuild_from_type_v2 state
    Value *pythonType = nullptr; // _rebuild_from_type_v2's type when not torch.Tensor/Parameter

    std::uint64_t numel() const; // product of shape (validated non-negative, no overflow)
};

// Owns every value of one checkpoint; values are never freed one by one, so cycles cost nothing.
class Arena
{
public:
    explicit Arena(std::size_t maxObjects);
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;

    template<typename T, typename... Args>
    T *make(Args &&...args)
    {
        count();
        void *p = m_resource.allocate(sizeof(T), alignof(T));
        return new (p) T(std::forward<Args>(args)...);
    }
    SequenceValue *makeSequence(Kind k) { return make<SequenceValue>(k, &m_resource); }
    DictValue *makeDict(DictFlavor f) { return make<DictValue>(f, &m_resource); }
    ObjectValue *makeObject(Value *callable, Value *args, Construction how) { return make<ObjectValue>(callable, args, how, &m_resource); }
    IntValue *makeInt(std::int64_t v);
    // Tensors are also listed here, so that every one can be validated once storages are resolved.
    TensorValue *makeTensor();
    TensorValue *makeTensor(const TensorValue &copyOf);
    const std::vector<TensorValue *> &tensors() const { return m_tensors; }

    std::string_view copy(std::string_view s);
    std::span<std::int64_t> ints(std::size_t n);
    std::pmr::memory_resource *resource() { return &m_resource; }
    // Keeps a buffer (e.g. an inflated record) alive as long as the values that point into it.
    std::span<const std::byte> adopt(std::vector<std::byte> buffer);

    Value *none() { return &m_none; }
    Value *boolean(bool b) { return b ? &m_true : &m_false; }
    std::size_t objectCount() const { return m_count; }
    std::size_t maxObjects() const { return m_maxObjects; }

private:
    void count();

    std::pmr::monotonic_buffer_resource m_resource;
    std::vector<std::vector<std::byte>> m_buffers;
    std::vector<TensorValue *> m_tensors;
    std::size_t m_count = 0;
    std::size_t m_maxObjects;
    Value m_none{Kind::None};
    BoolValue m_true{true};
    BoolValue m_false{false};
    IntValue *m_smallInts[258] = {};
};

inline bool isStr(const Value *v)
{
    return v && v->kind == Kind::Str;
}
inline std::string_view strOf(const Value *v)
{
    return static_cast<const StringValue *>(v)->s;
}
inline bool isTuple(const Value *v)
{
    return v && v->kind == Kind::Tuple;
}
const SequenceValue *asTuple(const Value *v);
const DictValue *asDict(const Value *v);
const TensorValue *asTensor(const Value *v);
const ObjectValue *asObject(const Value *v);
const GlobalValue *asGlobal(const Value *v);

} // namespace ckpt::pickle

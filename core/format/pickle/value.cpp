// SPDX-License-Identifier: MIT
#include "value.h"

#include "../error.h"

#include <cstring>
#include <new>

#include <sys/mman.h>

namespace ckpt::pickle {

namespace {
// Where an arena's blocks come from. Blocks of 2 MiB and more are mapped with transparent huge pages asked
// for: a pickle of 100,000 tensors fills about 80 MB of blocks, and faulting them in 4 KiB pages took a
// quarter of a listing's time. Smaller blocks come from the heap.
class BlockResource final : public std::pmr::memory_resource
{
    static constexpr std::size_t kHuge = 2u << 20;

    void *do_allocate(std::size_t bytes, std::size_t alignment) override
    {
        if (bytes < kHuge)
            return std::pmr::new_delete_resource()->allocate(bytes, alignment);
        void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            throw std::bad_alloc();
        ::madvise(p, bytes, MADV_HUGEPAGE); // a hint: without huge pages the block is still good
        return p;
    }
    void do_deallocate(void *p, std::size_t bytes, std::size_t alignment) override
    {
        if (bytes < kHuge)
            std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
        else
            ::munmap(p, bytes);
    }
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override { return this == &other; }
};

std::pmr::memory_resource *blockResource()
{
    static BlockResource resource;
    return &resource;
}
} // namespace

const DictValue *asDict(const Value *v)
{
    return v && v->kind == Kind::Dict ? static_cast<const DictValue *>(v) : nullptr;
}

const SequenceValue *asTuple(const Value *v)
{
    return v && v->kind == Kind::Tuple ? static_cast<const SequenceValue *>(v) : nullptr;
}

const TensorValue *asTensor(const Value *v)
{
    return v && v->kind == Kind::Tensor ? static_cast<const TensorValue *>(v) : nullptr;
}

const ObjectValue *asObject(const Value *v)
{
    return v && v->kind == Kind::Object ? static_cast<const ObjectValue *>(v) : nullptr;
}

const GlobalValue *asGlobal(const Value *v)
{
    return v && v->kind == Kind::Global ? static_cast<const GlobalValue *>(v) : nullptr;
}

const Value *DictValue::get(std::string_view key) const
{
    for (const auto &[k, v] : items)
        if (isStr(k) && strOf(k) == key)
            return v;
    return nullptr;
}

std::string GlobalValue::qualifiedName() const
{
    std::string s;
    s.reserve(module.size() + name.size() + 1);
    s.append(module).append(".").append(name);
    return s;
}

const GlobalValue *ObjectValue::classGlobal() const
{
    const GlobalValue *g = asGlobal(callable);
    if (!g)
        return nullptr;
    if (g->known == KnownGlobal::Reconstructor || g->known == KnownGlobal::NewObjFunc || g->known == KnownGlobal::NumpyReconstruct) {
        const auto *t = asTuple(args);
        if (t && !t->items.empty())
            if (const auto *cls = asGlobal(t->items[0]))
                return cls;
    }
    return g;
}

const DictValue *ObjectValue::stateDict() const
{
    if (const auto *d = asDict(state))
        return d;
    // (dict_or_None, slots_dict): objects with __slots__
    if (const auto *t = asTuple(state); t && t->items.size() == 2)
        return asDict(t->items[0]);
    return nullptr;
}

std::uint64_t TensorValue::numel() const
{
    std::uint64_t n = 1;
    for (const auto d : shape)
        n *= static_cast<std::uint64_t>(d);
    return n;
}

Arena::Arena(std::size_t maxObjects)
    : m_resource(std::size_t{64} * 1024, blockResource())
    , m_maxObjects(maxObjects)
{ }

void Arena::count()
{
    if (++m_count > m_maxObjects)
        fail(ErrorKind::LimitExceeded, "the pickle creates more than " + std::to_string(m_maxObjects) + " objects");
}

IntValue *Arena::makeInt(std::int64_t v)
{
    // Shapes, offsets and strides repeat the same small numbers; share them.
    if (v >= -1 && v <= 256) {
        auto &slot = m_smallInts[v + 1];
        if (!slot)
            slot = make<IntValue>(v);
        return slot;
    }
    return make<IntValue>(v);
}

TensorValue *Arena::makeTensor()
{
    auto *t = make<TensorValue>();
    m_tensors.push_back(t);
    return t;
}

TensorValue *Arena::makeTensor(const TensorValue &copyOf)
{
    auto *t = make<TensorValue>(copyOf);
    m_tensors.push_back(t);
    return t;
}

std::string_view Arena::copy(std::string_view s)
{
    if (s.empty())
        return {};
    char *p = static_cast<char *>(m_resource.allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
}

std::span<std::int64_t> Arena::ints(std::size_t n)
{
    if (n == 0)
        return {};
    auto *p = static_cast<std::int64_t *>(m_resource.allocate(n * sizeof(std::int64_t), alignof(std::int64_t)));
    return {p, n};
}

std::span<const std::byte> Arena::adopt(std::vector<std::byte> buffer)
{
    m_buffers.push_back(std::move(buffer));
    return m_buffers.back();
}

} // namespace ckpt::pickle

// SPDX-License-Identifier: MIT
#include "assembly.h"

#include "error.h"
#include "readers.h"
#include "temporaryfile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <sys/mman.h>
#include <unistd.h>

namespace ckpt::detail {

namespace {

class PiecewiseBytes final : public pickle::DeferredBytes
{
public:
    PiecewiseBytes(std::uint64_t size, std::string name, FillBytes fill, std::vector<std::span<const std::byte>> sources, bool sourcesAreWhole)
        : m_size(size)
        , m_name(std::move(name))
        , m_fill(std::move(fill))
        , m_sources(std::move(sources))
        , m_sourcesAreWhole(sourcesAreWhole)
    { }

    std::uint64_t size() const override { return m_size; }

    void fill(std::uint64_t offset, std::span<std::byte> out) const override
    {
        if (offset > m_size || out.size() > m_size - offset)
            fail(ErrorKind::Malformed, m_name + ": bytes " + std::to_string(offset) + "+" + std::to_string(out.size()) + " asked of " + std::to_string(m_size));
        if (!out.empty())
            m_fill(offset, out);
    }

    bool visit(const std::function<void(std::span<const std::byte>)> &each) const override
    {
        if (!m_sourcesAreWhole)
            return false;
        for (const auto &s : m_sources)
            if (!s.empty())
                each(s);
        return true;
    }

    std::span<const std::byte> whole() const override
    {
        // A failed build leaves the flag unset: the next reader tries again and gets the same error.
        std::call_once(m_built, [this] { build(); });
        return m_whole ? m_whole->bytes() : std::span<const std::byte>();
    }

    void releasePages() const override
    {
        for (const auto &s : m_sources)
            ckpt::releasePages(s);
        if (m_whole)
            ckpt::releasePages(m_whole->bytes());
    }

private:
    void build() const
    {
        if (m_size == 0)
            return;
        const int fd = makeTemporaryFile();
        std::byte *base = nullptr;
        try {
            if (::ftruncate(fd, static_cast<off_t>(m_size)) != 0)
                fail(ErrorKind::Io,
                    "cannot make room for the " + std::to_string(m_size) + " bytes of " + m_name + " in a temporary file: " + std::strerror(errno));
            void *p = ::mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (p == MAP_FAILED)
                fail(ErrorKind::Io, "cannot map the temporary file of " + m_name + ": " + std::strerror(errno));
            base = static_cast<std::byte *>(p);
            // In blocks, each written through to the page cache and dropped: this process need not hold them.
            constexpr std::uint64_t kBlock = 64ull << 20;
            for (std::uint64_t at = 0; at < m_size; at += kBlock) {
                const std::span<std::byte> block(base + at, std::min(kBlock, m_size - at));
                m_fill(at, block);
                ckpt::releasePages(block);
            }
            ::munmap(base, m_size);
        } catch (...) {
            if (base)
                ::munmap(base, m_size);
            ::close(fd);
            throw;
        }
        m_whole = MappedFile::adopt(fd, m_name);
        releasePages();
    }

    std::uint64_t m_size;
    std::string m_name;
    FillBytes m_fill;
    std::vector<std::span<const std::byte>> m_sources;
    bool m_sourcesAreWhole;
    mutable std::once_flag m_built;
    mutable std::shared_ptr<const MappedFile> m_whole;
};

} // namespace

pickle::TensorValue *deferredTensor(RawCheckpoint &out, DType dtype, std::span<const std::int64_t> shape, std::string name, FillBytes fill,
    std::vector<std::span<const std::byte>> sources, bool sourcesAreWhole)
{
    const std::uint64_t bytes = elementCount(shape, name) * dtypeItemSize(dtype);
    if (sourcesAreWhole) {
        std::uint64_t total = 0;
        for (const auto &s : sources)
            total += s.size();
        if (total != bytes)
            fail(ErrorKind::Malformed, name + ": its pieces hold " + std::to_string(total) + " bytes, not " + std::to_string(bytes));
    }
    auto deferred = std::make_unique<PiecewiseBytes>(bytes, std::move(name), std::move(fill), std::move(sources), sourcesAreWhole);
    pickle::StorageValue *s = newStorage(out);
    s->dtype = dtype;
    s->numel = bytes / dtypeItemSize(dtype);
    s->deferred = deferred.get();
    s->resolved = true;
    out.deferred.push_back(std::move(deferred));
    pickle::TensorValue *v = out.arena->makeTensor();
    v->storage = s;
    v->dtype = dtype;
    setContiguousShape(out, *v, shape);
    return v;
}

void setContiguousShape(RawCheckpoint &out, pickle::TensorValue &v, std::span<const std::int64_t> shape)
{
    auto dims = out.arena->ints(shape.size());
    auto stride = out.arena->ints(shape.size());
    std::int64_t step = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
        dims[d] = shape[d];
        stride[d] = step;
        step *= shape[d];
    }
    v.shape = dims;
    v.stride = stride;
}

std::vector<std::int64_t> intsOf(const pickle::Value *v, const std::string &where)
{
    using namespace pickle;
    // torch.Size((...)) is an object around the tuple.
    if (const ObjectValue *o = asObject(v)) {
        const GlobalValue *g = asGlobal(o->callable);
        const SequenceValue *a = asTuple(o->args);
        if (g && g->known == KnownGlobal::TorchSize && a && a->items.size() == 1)
            v = a->items[0];
    }
    if (!v || (v->kind != Kind::Tuple && v->kind != Kind::List))
        fail(ErrorKind::Malformed, where + " is not a sequence of integers");
    std::vector<std::int64_t> out;
    for (const Value *item : static_cast<const SequenceValue *>(v)->items) {
        if (item->kind != Kind::Int || static_cast<const IntValue *>(item)->v < 0)
            fail(ErrorKind::Malformed, where + " holds something other than a non-negative integer");
        out.push_back(static_cast<const IntValue *>(item)->v);
    }
    if (out.size() > 64)
        fail(ErrorKind::LimitExceeded, where + " has " + std::to_string(out.size()) + " dimensions");
    return out;
}

std::uint64_t elementCount(std::span<const std::int64_t> shape, const std::string &what)
{
    std::uint64_t n = 1;
    for (const auto s : shape)
        if (s < 0 || __builtin_mul_overflow(n, static_cast<std::uint64_t>(s), &n))
            fail(ErrorKind::LimitExceeded, what + ": its element count overflows 64 bits");
    return n;
}

} // namespace ckpt::detail

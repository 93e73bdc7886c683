// SPDX-License-Identifier: MIT
#include "assembly.h"

#include "error.h"
#include "readers.h"
#include "temporaryfile.h"

#include <cerrno>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

namespace ckpt::detail {

std::uint64_t Assembly::reserve(std::uint64_t bytes)
{
    const std::uint64_t at = m_size;
    m_size += (bytes + 63) / 64 * 64;
    return at;
}

std::shared_ptr<const MappedFile> Assembly::build(RawCheckpoint &out, const std::string &name, const std::function<void(std::byte *base)> &fill)
{
    if (m_size == 0)
        return nullptr;
    const int fd = makeTemporaryFile();
    std::byte *base = nullptr;
    try {
        if (::ftruncate(fd, static_cast<off_t>(m_size)) != 0)
            fail(ErrorKind::Io, "cannot make room for " + std::to_string(m_size) + " bytes of " + name + " in a temporary file: " + std::strerror(errno));
        void *p = ::mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            fail(ErrorKind::Io, "cannot map the temporary file of " + name + ": " + std::strerror(errno));
        base = static_cast<std::byte *>(p);
        fill(base);
        ::munmap(base, m_size);
    } catch (...) {
        if (base)
            ::munmap(base, m_size);
        ::close(fd);
        throw;
    }
    auto mapped = MappedFile::adopt(fd, name);
    out.files.push_back(mapped);
    return mapped;
}

pickle::TensorValue *contiguousTensor(RawCheckpoint &out, DType dtype, std::span<const std::int64_t> shape, std::span<const std::byte> bytes)
{
    pickle::StorageValue *s = newStorage(out);
    s->dtype = dtype;
    s->numel = bytes.size() / dtypeItemSize(dtype);
    s->bytes = bytes;
    s->resolved = true;
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

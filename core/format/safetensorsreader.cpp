// SPDX-License-Identifier: MIT
// safetensors: an 8-byte little-endian header length, a JSON header, then the tensor bytes.
// Every check of the reference implementation is applied before a tensor is handed out.
#include "bytereader.h"
#include "error.h"
#include "json.h"
#include "mappedfile.h"
#include "namelimit.h"
#include "readers.h"

#include <algorithm>
#include <limits>

namespace ckpt::detail {

using namespace pickle;

bool looksLikeSafetensors(std::span<const std::byte> bytes)
{
    if (bytes.size() < 9)
        return false;
    const auto n = loadLE<std::uint64_t>(bytes.data());
    // A header length below 2^40 has zero high bytes, which JSON text and pickles never start with.
    return (n >> 40) == 0 && n >= 2 && bytes[8] == std::byte{'{'};
}

void readSafetensors(const Source &src, RawCheckpoint &out, const ReadLimits &limits)
{
    out.format = Format::Safetensors;
    ByteReader r(src.bytes, "safetensors file");
    r.need(8);
    std::byte length[8];
    copyBytes(src.file.get(), src.bytes.first(8), length);
    const std::uint64_t n = loadLE<std::uint64_t>(length);
    r.seek(8);
    if (n > limits.maxSafetensorsHeader)
        fail(ErrorKind::LimitExceeded,
            "safetensors header of " + std::to_string(n) + " bytes is above the limit of " + std::to_string(limits.maxSafetensorsHeader) + " bytes");
    if (n > r.remaining())
        fail(ErrorKind::Truncated, "safetensors header of " + std::to_string(n) + " bytes is longer than the file");
    // The header is copied, not read in place: its last page would map the first tensor's bytes (see MappedFile).
    const std::vector<std::byte> headerCopy = copyBytes(src.file.get(), r.take(static_cast<std::size_t>(n)));
    const auto headerText = asChars(headerCopy);
    if (headerText.empty() || headerText[0] != '{')
        fail(ErrorKind::Malformed, "safetensors header does not start with '{'");
    json::Value header;
    try {
        json::Limits jsonLimits;
        jsonLimits.maxArrayLength = 64; // shapes have at most 64 dimensions; data_offsets 2
        header = json::parse(headerText, jsonLimits);
    } catch (const Error &e) {
        throw e.withContext("safetensors header");
    }
    if (!header.isObject())
        fail(ErrorKind::Malformed, "safetensors header is not a JSON object");
    const auto data = src.bytes.subspan(r.pos());

    struct Pending
    {
        const std::string *name;
        DType dtype;
        std::vector<std::int64_t> shape;
        std::uint64_t begin, end;
    };
    std::vector<Pending> tensors;
    tensors.reserve(header.object().size());
    for (const auto &[name, info] : header.object()) {
        if (name == "__metadata__") {
            if (!info.isObject())
                fail(ErrorKind::Malformed, "safetensors __metadata__ is not an object");
            for (const auto &[k, v] : info.object()) {
                if (!v.isString())
                    fail(ErrorKind::Malformed, "safetensors __metadata__ value for '" + k + "' is not a string");
                out.metadata.emplace_back(k, v.string());
            }
            continue;
        }
        checkNameSegments(name, "safetensors tensor");
        const std::string &tensorName = name; // a lambda may not capture a structured binding before C++20 in clang 14
        // NOLINTNEXTLINE(performance-inefficient-string-concatenation): an error message, thrown once
        auto bad = [&](const std::string &what) { fail(ErrorKind::Malformed, "safetensors tensor '" + tensorName + "': " + what); };
        if (!info.isObject())
            bad("entry is not an object");
        const auto *dtype = info.find("dtype");
        const auto *shape = info.find("shape");
        const auto *offsets = info.find("data_offsets");
        if (!dtype || !dtype->isString() || !shape || !shape->isArray() || !offsets || !offsets->isArray() || offsets->array().size() != 2)
            bad("needs dtype, shape and data_offsets [begin, end]");
        const auto dt = dtypeFromSafetensors(dtype->string());
        if (!dt)
            fail(ErrorKind::Unsupported, "safetensors tensor '" + name + "' has unknown dtype '" + dtype->string() + "'");
        Pending p{&name, *dt, {}, 0, 0};
        if (shape->array().size() > 64)
            fail(ErrorKind::LimitExceeded, "safetensors tensor '" + name + "' has more than 64 dimensions");
        std::uint64_t numel = 1;
        for (const auto &d : shape->array()) {
            if (!d.isInteger || d.integer < 0)
                bad("shape entries must be non-negative integers");
            p.shape.push_back(d.integer);
            numel = checkedMul(numel, static_cast<std::uint64_t>(d.integer), "tensor element count");
        }
        for (const auto &o : offsets->array())
            if (!o.isInteger || o.integer < 0)
                bad("data_offsets must be non-negative integers");
        p.begin = static_cast<std::uint64_t>(offsets->array()[0].integer);
        p.end = static_cast<std::uint64_t>(offsets->array()[1].integer);
        if (p.end < p.begin)
            bad("data_offsets end before they begin");
        if (checkedMul(numel, dtypeItemSize(p.dtype), "tensor size") != p.end - p.begin)
            bad("shape and dtype need " + std::to_string(numel * dtypeItemSize(p.dtype)) + " bytes but data_offsets span " + std::to_string(p.end - p.begin));
        tensors.push_back(std::move(p));
    }

    // Offsets must tile the data section exactly, without gaps or overlaps.
    std::vector<const Pending *> sorted;
    sorted.reserve(tensors.size());
    for (const auto &p : tensors)
        sorted.push_back(&p);
    std::stable_sort(
        sorted.begin(), sorted.end(), [](const Pending *a, const Pending *b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    std::uint64_t expected = 0;
    for (const Pending *p : sorted) {
        if (p->begin != expected)
            fail(ErrorKind::Malformed,
                "safetensors tensor '" + *p->name + "' starts at byte " + std::to_string(p->begin) + " of the data, expected " + std::to_string(expected)
                    + " (gap or overlap)");
        expected = p->end;
    }
    if (expected != data.size())
        fail(expected > data.size() ? ErrorKind::Truncated : ErrorKind::Malformed,
            "safetensors data section is " + std::to_string(data.size()) + " bytes but the header describes " + std::to_string(expected));

    out.arena = makeArena(tensors.size() * 8, limits);
    auto *root = out.arena->makeDict(DictFlavor::Plain);
    root->items.reserve(tensors.size());
    for (const auto &p : tensors) {
        StorageValue *s = newStorage(out);
        const auto name = out.arena->copy(*p.name);
        s->key = name;
        s->location = "cpu";
        s->dtype = p.dtype;
        s->numel = (p.end - p.begin) / dtypeItemSize(p.dtype);
        s->bytes = data.subspan(static_cast<std::size_t>(p.begin), static_cast<std::size_t>(p.end - p.begin));
        s->resolved = true;
        auto *t = out.arena->makeTensor();
        t->origin = TensorOrigin::Raw;
        t->storage = s;
        t->dtype = p.dtype;
        auto shape = out.arena->ints(p.shape.size());
        auto stride = out.arena->ints(p.shape.size());
        std::uint64_t step = 1;
        for (std::size_t d = p.shape.size(); d-- > 0;) {
            shape[d] = p.shape[d];
            if (step > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                fail(ErrorKind::Malformed, "safetensors tensor '" + *p.name + "' has a shape whose strides overflow 64 bits");
            stride[d] = static_cast<std::int64_t>(step);
            step = checkedMul(step, static_cast<std::uint64_t>(std::max<std::int64_t>(p.shape[d], 1)), "tensor stride");
        }
        t->shape = shape;
        t->stride = stride;
        root->items.emplace_back(out.arena->make<StringValue>(Kind::Str, name), t);
    }
    out.root = root;
}

} // namespace ckpt::detail

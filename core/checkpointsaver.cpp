// SPDX-License-Identifier: MIT
#include "checkpointsaver.h"

#include "format/atomicfile.h"
#include "format/error.h"
#include "format/jsonwriter.h"
#include "format/mappedfile.h"
#include "format/pickle/picklewriter.h"
#include "format/ziparchive.h"
#include "format/zipwriter.h"
#include "freezestate.h"
#include "inspectreport.h"
#include "tensordata.h"
#include "tensormath.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

#include <unordered_map>
#include <unordered_set>

namespace ckpt {

using namespace pickle;

namespace {

struct Expected
{
    std::string name;
    std::vector<std::int64_t> shape;
    DType dtype;
    std::optional<bool> requiresGrad;
};

// What the edits turn the checkpoint into, before any byte is written.
struct Plan
{
    std::unique_ptr<Arena> arena = std::make_unique<Arena>(std::size_t(-1));
    const Value *root = nullptr;
    std::unordered_map<const Value *, const Value *> substitutes;
    std::unordered_map<const StorageValue *, const TensorValue *> conversions; // new storage -> tensor to convert
    std::unordered_map<const StorageValue *, std::vector<const TensorCopy *>> patches; // storage -> copies into it
    std::vector<std::pair<std::string, const TensorValue *>> flat; // for safetensors: name -> tensor
    std::vector<Expected> expected;
    std::vector<std::string> notes;
};

bool isFloating(DType t)
{
    return t == DType::Float64 || t == DType::Float32 || t == DType::Float16 || t == DType::BFloat16;
}

std::string joinPath(const std::string &modelPath, const std::string &name)
{
    return modelPath.empty() ? name : modelPath + "/" + name;
}

// The tensor as it will be written: converted to the target dtype and/or flagged as a Parameter.
const TensorValue *editedTensor(Plan &plan, const TensorValue *t, std::optional<DType> dtype, std::optional<bool> parameterGrad)
{
    if (const auto it = plan.substitutes.find(t); it != plan.substitutes.end())
        return static_cast<const TensorValue *>(it->second);
    const bool convert = dtype && isFloating(t->dtype) && t->dtype != *dtype;
    if (!convert && !parameterGrad)
        return t;
    TensorValue *out = plan.arena->makeTensor(*t);
    if (convert) {
        auto *s = plan.arena->make<StorageValue>();
        s->dtype = *dtype;
        s->numel = t->numel();
        s->location = t->storage->location;
        s->resolved = true;
        auto shape = plan.arena->ints(t->shape.size());
        auto stride = plan.arena->ints(t->shape.size());
        std::int64_t step = 1;
        for (std::size_t d = t->shape.size(); d-- > 0;) {
            shape[d] = t->shape[d];
            stride[d] = step;
            step *= std::max<std::int64_t>(t->shape[d], 1);
        }
        out->storage = s;
        out->dtype = *dtype;
        out->storageOffset = 0;
        out->shape = shape;
        out->stride = stride;
        out->origin = TensorOrigin::RebuildV2;
        plan.conversions.emplace(s, t);
    }
    if (parameterGrad) {
        out->isParameter = true;
        out->requiresGrad = *parameterGrad;
        out->parameterState = nullptr;
    }
    plan.substitutes.emplace(t, out);
    return out;
}

Plan makePlan(const Checkpoint &source, const SaveOptions &options, const FreezeState &freeze)
{
    Plan plan;
    const ModelState &model = source.modelState();
    const bool keyEdits = !options.dropGlobs.empty() || !options.keyRules.empty();
    if ((options.modelOnly || keyEdits || options.dtype || options.storeFreeze) && !model.found())
        fail(ErrorKind::Unsupported, "no model state was found in the checkpoint, so there is nothing to edit (" + model.reason + ")");

    // requires_grad per model-state parameter (tied names share their tensor's flag).
    auto parameterGrad = [&](const TensorInfo &t) -> std::optional<bool> {
        if (!options.storeFreeze || freeze.parameterIndexOf(t) == std::string::npos)
            return std::nullopt;
        return !freeze.isFrozen(t);
    };

    // The model state's entries after drops and key rules.
    std::vector<const TensorInfo *> modelTensors;
    for (const auto &t : source.tensors())
        if (t.inModelState)
            modelTensors.push_back(&t);
    std::vector<const TensorInfo *> kept;
    for (const TensorInfo *t : modelTensors) {
        bool drop = false;
        for (const auto &g : options.dropGlobs)
            drop = drop || globMatch(g, t->modelName);
        if (!drop)
            kept.push_back(t);
    }
    if (modelTensors.size() != kept.size())
        plan.notes.push_back("dropped " + std::to_string(modelTensors.size() - kept.size()) + " model-state tensors");
    std::vector<std::string> keptNames;
    keptNames.reserve(kept.size());
    for (const TensorInfo *t : kept)
        keptNames.push_back(t->modelName);
    const std::vector<std::string> newNames = applyKeyRules(options.keyRules, keptNames);

    const bool rebuildModelDict = options.modelOnly || keyEdits;
    const Value *editedModel = nullptr;
    if (rebuildModelDict) {
        if (model.kind != ModelState::Kind::StateDict && !options.modelOnly)
            fail(ErrorKind::Unsupported,
                "the model state is a pickled nn.Module; dropping or renaming its keys needs --model-only, "
                "which writes its state_dict");
        DictValue *d = plan.arena->makeDict(DictFlavor::Ordered);
        if (const auto *original = asDict(model.value)) {
            d->flavor = original->flavor;
            d->state = original->state; // keeps _metadata for load_state_dict's version migrations
            // Non-tensor entries of a state_dict (get_extra_state) stay, under renamed keys too.
            // Looked up by value, not walked in step: tensors nested in a non-tensor entry (a quantized module's
            // packed (weight, bias) tuple) are listed among the model state's tensors too.
            // The same tensor object may sit under two keys (a hand-built dict): each key takes its own name.
            std::unordered_map<const Value *, std::vector<std::size_t>> keptIndex;
            for (std::size_t i = kept.size(); i-- > 0;)
                keptIndex[kept[i]->value].push_back(i);
            std::vector<bool> placed(kept.size(), false);
            std::unordered_set<const Value *> direct;
            for (const auto &[k, v] : original->items) {
                if (v->kind == Kind::Tensor) {
                    direct.insert(v);
                    if (const auto it = keptIndex.find(v); it != keptIndex.end() && !it->second.empty()) {
                        const std::size_t i = it->second.back();
                        it->second.pop_back();
                        d->items.emplace_back(plan.arena->make<StringValue>(Kind::Str, plan.arena->copy(newNames[i])), v);
                        placed[i] = true;
                    }
                    continue;
                }
                std::string key = isStr(k) ? options.keyRules.apply(std::string(strOf(k))) : std::string();
                d->items.emplace_back(isStr(k) ? plan.arena->make<StringValue>(Kind::Str, plan.arena->copy(key)) : k, v);
            }
            // Every kept tensor is in the new dict: placed by name, or inside a non-tensor entry carried whole.
            for (std::size_t i = 0; i < kept.size(); ++i)
                if (!placed[i] && direct.contains(kept[i]->value))
                    fail(ErrorKind::Malformed, "model-state tensor '" + kept[i]->modelName + "' would not be written");
        } else {
            for (std::size_t i = 0; i < kept.size(); ++i)
                d->items.emplace_back(plan.arena->make<StringValue>(Kind::Str, plan.arena->copy(newNames[i])), const_cast<TensorValue *>(kept[i]->value));
        }
        editedModel = d;
    }

    // Tensor substitutions (dtype, stored freeze state) and what the result must read back as.
    std::unordered_map<const TensorInfo *, std::string> newNameOf;
    for (std::size_t i = 0; i < kept.size(); ++i)
        newNameOf.emplace(kept[i], newNames[i]);
    for (const auto &t : source.tensors()) {
        const auto grad = parameterGrad(t);
        std::optional<DType> dtype = t.inModelState ? options.dtype : std::nullopt;
        const TensorValue *written = editedTensor(plan, t.value, dtype, grad);
        std::string name = t.name;
        if (t.inModelState) {
            const auto it = newNameOf.find(&t);
            if (it == newNameOf.end())
                continue; // dropped
            name = options.modelOnly ? it->second : joinPath(model.path, it->second);
        } else if (options.modelOnly) {
            continue;
        }
        plan.expected.push_back(
            {name, std::vector<std::int64_t>(written->shape.begin(), written->shape.end()), written->dtype, grad ? std::optional<bool>(*grad) : std::nullopt});
        plan.flat.emplace_back(name, written);
    }

    // Never a silent loss: an output without tensors from an input with tensors is refused with its cause.
    if (plan.expected.empty() && !source.tensors().empty()) {
        std::string cause;
        if (options.modelOnly && modelTensors.empty())
            cause = "the model state " + (model.path.empty() ? std::string("(the top level)") : "'" + model.path + "'") + " lists no tensors";
        else if (!modelTensors.empty() && kept.empty())
            cause = "every model-state tensor was dropped";
        else
            cause = "nothing selected for writing holds a tensor";
        fail(ErrorKind::Unsupported, "the output would hold no tensors, though the input holds " + std::to_string(source.tensors().size()) + ": " + cause);
    }

    if (options.modelOnly) {
        plan.root = editedModel;
    } else {
        plan.root = source.raw().root;
        if (editedModel)
            plan.substitutes[model.value] = editedModel;
    }
    for (const TensorCopy &c : options.copies)
        plan.patches[c.into->value->storage].push_back(&c);
    if (options.dtype)
        plan.notes.push_back(std::to_string(plan.conversions.size()) + " floating tensors converted to " + std::string(dtypeName(*options.dtype)));
    return plan;
}

// The storage with the copied tensors written into their places.
std::vector<std::byte> patchedStorage(const StorageValue &s, const std::vector<const TensorCopy *> &copies)
{
    const std::span<const std::byte> bytes = s.data();
    std::vector<std::byte> buffer(bytes.begin(), bytes.end());
    for (const TensorCopy *c : copies) {
        const TensorValue &into = *c->into->value;
        if (into.numel() == 0)
            continue;
        TensorView to = TensorView::of(into);
        const std::size_t offset = static_cast<std::size_t>(to.base - bytes.data());
        to.base = buffer.data() + offset;
        if (into.dtype == c->from->dtype && isContiguous(into))
            copyContiguous(*c->from, std::span<std::byte>(buffer.data() + offset, into.numel() * dtypeItemSize(into.dtype)));
        else
            tensorMath().copyInto(to, TensorView::of(*c->from)); // casts and strides, as copy_ does
    }
    return buffer;
}

// A copy that replaces a whole storage with the same bytes layout: written straight from the source's
// mapping, with no buffer and without reading the storage it replaces.
const TensorCopy *wholeStorageCopy(const Plan &plan, const StorageValue &s)
{
    const auto it = plan.patches.find(&s);
    if (it == plan.patches.end() || it->second.size() != 1)
        return nullptr;
    const TensorCopy *c = it->second.front();
    const TensorValue &into = *c->into->value;
    const bool whole = into.storageOffset == 0 && into.numel() == s.numel && into.dtype == s.dtype && isContiguous(into);
    return whole && c->from->dtype == into.dtype && isContiguous(*c->from) ? c : nullptr;
}

std::vector<std::byte> storageBytes(const Plan &plan, const StorageValue &s)
{
    if (const auto it = plan.conversions.find(&s); it != plan.conversions.end())
        return tensorMath().convert(TensorView::of(*it->second), s.dtype);
    if (const auto it = plan.patches.find(&s); it != plan.patches.end())
        return patchedStorage(s, it->second);
    const std::span<const std::byte> bytes = s.data();
    return {bytes.begin(), bytes.end()};
}

// What a tensor's bytes will be in the written file, contiguous (for formats without shared storages).
std::vector<std::byte> writtenBytes(const Plan &plan, const TensorValue &t)
{
    if (plan.conversions.contains(t.storage))
        return storageBytes(plan, *t.storage);
    if (!plan.patches.contains(t.storage))
        return contiguousBytes(t);
    const std::vector<std::byte> storage = storageBytes(plan, *t.storage);
    StorageValue patched = *t.storage;
    patched.bytes = storage;
    patched.deferred = nullptr;
    TensorValue view = t;
    view.storage = &patched;
    return contiguousBytes(view);
}

void checkCopies(const Checkpoint &source, const SaveOptions &options)
{
    if (options.copies.empty())
        return;
    if (options.dtype)
        fail(ErrorKind::Unsupported, "copying tensors in and converting the dtype cannot be done in one save");
    for (const TensorCopy &c : options.copies) {
        const TensorValue &into = *c.into->value;
        if (!c.into->inModelState || c.into < source.tensors().data() || c.into >= source.tensors().data() + source.tensors().size())
            fail(ErrorKind::Malformed, "'" + c.into->name + "' is not a model-state tensor of the checkpoint being saved");
        if (!std::equal(into.shape.begin(), into.shape.end(), c.from->shape.begin(), c.from->shape.end()))
            fail(ErrorKind::Malformed, "'" + c.into->name + "' cannot take values of another shape");
        if (dtypeIsQuantized(into.dtype) || dtypeIsQuantized(c.from->dtype))
            fail(ErrorKind::Unsupported, "'" + c.into->name + "' is quantized; values of quantized tensors are not copied");
    }
}

std::string archiveName(const std::string &target)
{
    const auto slash = target.rfind('/');
    std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    if (const auto dot = base.find('.'); dot != std::string::npos && dot > 0)
        base.resize(dot);
    std::string out;
    for (const char c : base)
        out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_');
    return out.empty() ? "archive" : out;
}

void verify(const std::string &path, const Plan &plan, Format expectedFormat)
{
    // Read the new file back with the same reader users get, and compare with the plan.
    const auto written = Checkpoint::open(path);
    if (written->format() != expectedFormat)
        fail(ErrorKind::Io, "verification failed: the written file reads back as " + std::string(formatName(written->format())));
    const auto &tensors = written->tensors();
    if (tensors.size() != plan.expected.size()) {
        // Name what differs, a few of each side, so that the cause can be found.
        std::unordered_set<std::string_view> wrote, read;
        for (const Expected &e : plan.expected)
            wrote.insert(e.name);
        for (const TensorInfo &t : tensors)
            read.insert(t.name);
        std::string missing, extra;
        int nMissing = 0, nExtra = 0;
        for (const Expected &e : plan.expected)
            if (!read.contains(e.name) && nMissing++ < 5)
                missing += (missing.empty() ? "'" : ", '") + e.name + "'";
        for (const TensorInfo &t : tensors)
            if (!wrote.contains(t.name) && nExtra++ < 5)
                extra += (extra.empty() ? "'" : ", '") + t.name + "'";
        std::string detail;
        if (nMissing)
            detail += "; not read back: " + missing + (nMissing > 5 ? " and " + std::to_string(nMissing - 5) + " more" : "");
        if (nExtra)
            detail += "; read back but not written: " + extra + (nExtra > 5 ? " and " + std::to_string(nExtra - 5) + " more" : "");
        fail(ErrorKind::Io,
            "verification failed: " + std::to_string(tensors.size()) + " tensors read back, " + std::to_string(plan.expected.size()) + " written" + detail);
    }
    auto shapeText = [](std::span<const std::int64_t> shape) {
        std::string s = "[";
        for (std::size_t d = 0; d < shape.size(); ++d)
            s += (d ? ", " : "") + std::to_string(shape[d]);
        return s + "]";
    };
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const Expected &e = plan.expected[i];
        const TensorInfo &t = tensors[i];
        std::string what;
        if (t.name != e.name)
            what = "read back as '" + t.name + "'";
        else if (t.dtype() != e.dtype)
            what = "written as " + std::string(dtypeName(e.dtype)) + ", read back as " + std::string(dtypeName(t.dtype()));
        else if (!std::equal(t.shape().begin(), t.shape().end(), e.shape.begin(), e.shape.end()))
            what = "written with shape " + shapeText(e.shape) + ", read back as " + shapeText(t.shape());
        else if (e.requiresGrad && t.requiresGrad() != *e.requiresGrad)
            what = std::string("requires_grad written as ") + (*e.requiresGrad ? "True" : "False") + ", read back otherwise";
        if (!what.empty())
            fail(ErrorKind::Io, "verification failed at tensor '" + e.name + "': " + what);
    }
}

// The written archive's directory and local headers against what was written: names, sizes, offsets and the
// CRCs computed as the bytes went out. Reading the data back would only read the page cache the write just
// filled, not the disk, so it would prove nothing more and double the time.
void verifyZipDirectory(const std::string &path, const std::vector<ZipWriter::Record> &written)
{
    const auto file = MappedFile::open(path);
    const ZipArchive zip(file->bytes(), file.get()); // metadata by pread: the new file's folios stay out of this process
    if (zip.entries().size() != written.size())
        fail(ErrorKind::Io,
            "verification failed: the archive lists " + std::to_string(zip.entries().size()) + " records, " + std::to_string(written.size()) + " were written");
    for (std::size_t i = 0; i < written.size(); ++i) {
        const ZipEntry &e = zip.entries()[i];
        const ZipWriter::Record &w = written[i];
        if (e.name != w.name || e.uncompressedSize != w.size || e.compressedSize != w.size || e.localHeaderOffset != w.offset || e.crc32 != w.crc
            || e.method != 0)
            fail(ErrorKind::Io, "verification failed: record '" + w.name + "' is not listed as it was written");
        zip.dataOffset(e); // its local header must agree with the directory
    }
}

// A deferred storage's bytes in order: its pieces as they are mapped when laid end to end they are the
// whole, else put together block by block.
void streamDeferred(const DeferredBytes &d, const std::function<void(std::span<const std::byte>)> &each)
{
    if (d.visit(each))
        return;
    constexpr std::uint64_t kBlock = 8ull << 20; // fits the caches: the CRC reads what the copy just wrote
    std::vector<std::byte> block(static_cast<std::size_t>(std::min(d.size(), kBlock)));
    for (std::uint64_t at = 0; at < d.size(); at += kBlock) {
        const std::span<std::byte> out(block.data(), static_cast<std::size_t>(std::min(kBlock, d.size() - at)));
        d.fill(at, out);
        each(out);
    }
}

// The share of a save's progress that writing takes; the fsync (mostly done by the early writeback) and the
// check of the written structure take the rest. Neither reads the data back.
constexpr double kWrittenShare = 0.97;

// Reports bytes written against the bytes planned, as a share of the save, about every megabyte, and stops
// when cancelled.
struct WriteProgress
{
    const Progress *progress;
    std::uint64_t total;
    double share;
    std::uint64_t lastReported = 0;

    void wrote(const AtomicFile &file)
    {
        if (progress && file.size() - lastReported >= (1u << 20)) {
            lastReported = file.size();
            progress->update(total ? share * static_cast<double>(file.size()) / static_cast<double>(total) : 0.0);
        }
    }
};

std::uint64_t plannedBytes(const Plan &plan)
{
    std::uint64_t n = 0;
    for (const auto &[name, t] : plan.flat)
        n += t->numel() * dtypeItemSize(t->dtype);
    return n;
}

// Appends bytes to file: copied by the kernel from the source file that maps them when they are a tensor's
// (a megabyte or more), else written. copy_file_range took 0.30 s for 1 GB here against 0.54 to 0.79 s for
// write() from the mapping, and the bytes never enter this process.
void appendBytes(AtomicFile &file, const std::vector<std::shared_ptr<const MappedFile>> &sources, std::span<const std::byte> data)
{
    if (data.size() >= (1u << 20))
        for (const auto &source : sources)
            if (source->contains(data) && file.copyFrom(source->descriptor(), static_cast<std::uint64_t>(data.data() - source->data()), data.size()))
                return;
    file.write(data);
}

std::vector<ZipWriter::Record> writeTorchZip(const Checkpoint &source, const Plan &plan, AtomicFile &file, const Progress *progress)
{
    WriteProgress tracker{progress, plannedBytes(plan), kWrittenShare};
    std::vector<const StorageValue *> storages;
    std::unordered_map<const StorageValue *, std::string> keys;
    PickleWriter writer([&](const StorageValue &s) {
        auto [it, inserted] = keys.emplace(&s, std::to_string(keys.size()));
        if (inserted)
            storages.push_back(&s);
        return it->second;
    });
    for (const auto &[from, to] : plan.substitutes)
        writer.substitute(from, to);
    const std::vector<std::byte> pkl = writer.write(plan.root);

    const std::string prefix = archiveName(file.target()) + "/";
    ZipWriter zip(
        [&](std::span<const std::byte> data) {
            appendBytes(file, source.raw().files, data);
            tracker.wrote(file);
        },
        [&](std::uint64_t offset, std::span<const std::byte> data) { file.writeAt(offset, data); });
    zip.addRecord(prefix + "data.pkl", pkl);
    zip.addRecord(prefix + "byteorder", std::string_view("little"));
    for (const StorageValue *s : storages) {
        if (const TensorCopy *whole = wholeStorageCopy(plan, *s)) {
            zip.addRecord(prefix + "data/" + keys[s], contiguousSpan(*whole->from));
            releasePages(contiguousSpan(*whole->from));
        } else if (plan.conversions.contains(s) || plan.patches.contains(s)) {
            const auto bytes = storageBytes(plan, *s);
            zip.addRecord(prefix + "data/" + keys[s], bytes);
        } else if (s->deferred) {
            // Streamed from the pieces (DCP chunks, ZeRO partitions): never whole, in memory or on disk.
            zip.addRecord(prefix + "data/" + keys[s], s->deferred->size(), [s](const ZipWriter::Sink &each) { streamDeferred(*s->deferred, each); });
            s->deferred->releasePages();
        } else {
            zip.addRecord(prefix + "data/" + keys[s], s->bytes); // straight from the mapped source
            releasePages(s->bytes);
        }
    }
    zip.addRecord(prefix + "version", std::string_view("3\n"));
    zip.finish();
    return zip.records();
}

void writeSafetensors(const Checkpoint &source, const Plan &plan, AtomicFile &file, const Progress *progress)
{
    WriteProgress tracker{progress, plannedBytes(plan), kWrittenShare};
    struct Item
    {
        std::string name;
        const TensorValue *tensor;
        std::uint64_t begin, end;
    };
    std::vector<Item> items;
    std::uint64_t offset = 0;
    for (const auto &[name, t] : plan.flat) {
        if (safetensorsName(t->dtype).empty())
            fail(ErrorKind::Unsupported, "safetensors has no code for " + std::string(dtypeName(t->dtype)) + " ('" + name + "')");
        const std::uint64_t n = t->numel() * dtypeItemSize(t->dtype);
        items.push_back({name, t, offset, offset + n});
        offset += n;
    }
    std::string header = "{";
    bool first = true;
    if (!source.raw().metadata.empty()) {
        header += "\"__metadata__\":{";
        for (std::size_t i = 0; i < source.raw().metadata.size(); ++i)
            header += (i ? "," : "") + json::quote(source.raw().metadata[i].first) + ":" + json::quote(source.raw().metadata[i].second);
        header += "}";
        first = false;
    }
    for (const auto &item : items) {
        header += (first ? "" : ",") + json::quote(item.name) + ":{\"dtype\":\"" + std::string(safetensorsName(item.tensor->dtype)) + "\",\"shape\":[";
        for (std::size_t d = 0; d < item.tensor->shape.size(); ++d)
            header += (d ? "," : "") + std::to_string(item.tensor->shape[d]);
        header += "],\"data_offsets\":[" + std::to_string(item.begin) + "," + std::to_string(item.end) + "]}";
        first = false;
    }
    header += "}";
    header.append((8 - header.size() % 8) % 8, ' '); // the reference writer pads to 8 bytes
    const std::uint64_t n = header.size();
    file.write({reinterpret_cast<const std::byte *>(&n), 8});
    file.write(header);
    for (const auto &item : items) {
        if (const TensorCopy *whole = wholeStorageCopy(plan, *item.tensor->storage)) {
            appendBytes(file, source.raw().files, contiguousSpan(*whole->from));
            releasePages(contiguousSpan(*whole->from));
        } else if (const DeferredBytes *deferred = item.tensor->storage->deferred; deferred && !plan.conversions.contains(item.tensor->storage)
                   && !plan.patches.contains(item.tensor->storage) && item.tensor->storageOffset == 0 && isContiguous(*item.tensor)) {
            // Streamed from the pieces, as for a torch.save zip.
            streamDeferred(*deferred, [&](std::span<const std::byte> data) {
                file.write(data);
                tracker.wrote(file);
            });
            deferred->releasePages();
        } else if (!plan.conversions.contains(item.tensor->storage) && !plan.patches.contains(item.tensor->storage) && isContiguous(*item.tensor)) {
            appendBytes(file, source.raw().files, contiguousSpan(*item.tensor));
            releasePages(contiguousSpan(*item.tensor));
        } else {
            file.write(writtenBytes(plan, *item.tensor));
        }
        tracker.wrote(file);
    }
}

// Writes plan into file as safetensors or a torch.save zip, flushes it, and reads its structure back to check it.
void writeAndVerify(const Checkpoint &source, const Plan &plan, AtomicFile &file, bool safetensorsOut, const Progress *progress)
{
    std::vector<ZipWriter::Record> records;
    if (safetensorsOut)
        writeSafetensors(source, plan, file, progress);
    else
        records = writeTorchZip(source, plan, file, progress);
    file.finish();
    if (progress)
        progress->update(kWrittenShare); // then read the structure back and check it
    if (!safetensorsOut)
        verifyZipDirectory(file.temporaryPath(), records);
    verify(file.temporaryPath(), plan, safetensorsOut ? Format::Safetensors : Format::TorchZip);
}

// The names of shard k of n beside target: dir/model.safetensors -> dir/model-00001-of-00003.safetensors.
std::string shardName(const std::string &target, std::size_t k, std::size_t n)
{
    const std::size_t slash = target.rfind('/');
    const std::size_t dot = target.rfind('.');
    const bool hasExtension = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
    const std::string stem = hasExtension ? target.substr(0, dot) : target, extension = hasExtension ? target.substr(dot) : std::string();
    char number[32];
    std::snprintf(number, sizeof number, "-%05zu-of-%05zu", k + 1, n);
    return stem + number + extension;
}

// Shards in the order of the model state, as huggingface_hub's split_state_dict_into_shards makes them: a
// tensor goes to the current shard unless that would pass the limit; tensors that share a storage go
// together (in a torch.save shard the storage is written once, with them).
std::vector<std::vector<std::size_t>> splitIntoShards(const Plan &plan, std::uint64_t maxBytes, bool safetensorsOut)
{
    std::vector<std::vector<std::size_t>> shards;
    std::unordered_map<const StorageValue *, std::size_t> shardOfStorage;
    std::uint64_t current = 0;
    for (std::size_t i = 0; i < plan.flat.size(); ++i) {
        const TensorValue *t = plan.flat[i].second;
        if (!safetensorsOut) {
            if (const auto it = shardOfStorage.find(t->storage); it != shardOfStorage.end()) {
                shards[it->second].push_back(i);
                continue;
            }
        }
        const std::uint64_t bytes = safetensorsOut ? t->numel() * dtypeItemSize(t->dtype) : t->storage->numel * dtypeItemSize(t->storage->dtype);
        if (shards.empty() || (current > 0 && current + bytes > maxBytes)) {
            shards.emplace_back();
            current = 0;
        }
        shards.back().push_back(i);
        shardOfStorage.emplace(t->storage, shards.size() - 1);
        current += bytes;
    }
    return shards;
}

// Writes the shards and the index, each into a temporary file; all are verified before any is renamed into
// place, the index last.
void saveShards(const Checkpoint &source, const Plan &plan, const std::vector<std::vector<std::size_t>> &shards, const std::string &target,
    const SaveOptions &options, bool safetensorsOut, SaveResult &result)
{
    const std::uint64_t total = plannedBytes(plan);
    std::uint64_t done = 0;
    std::vector<std::unique_ptr<AtomicFile>> files;
    std::map<std::string, std::string> weightMap; // sorted, as transformers writes it
    std::uint64_t totalSize = 0;
    std::unordered_set<const StorageValue *> counted;
    const std::string indexPath = target + ".index.json";
    std::vector<std::string> inputs{source.path()};
    for (const auto &part : source.raw().parts)
        inputs.push_back(part->path);
    checkNotAnInput(indexPath, inputs, options.force);
    for (std::size_t k = 0; k < shards.size(); ++k) {
        const std::string path = shardName(target, k, shards.size());
        checkNotAnInput(path, inputs, options.force);
        Plan shard;
        shard.conversions = plan.conversions;
        shard.patches = plan.patches;
        DictValue *root = shard.arena->makeDict(DictFlavor::Ordered);
        for (const std::size_t i : shards[k]) {
            const auto &[name, tensor] = plan.flat[i];
            shard.flat.emplace_back(name, tensor);
            shard.expected.push_back(plan.expected[i]);
            root->items.emplace_back(shard.arena->make<StringValue>(Kind::Str, shard.arena->copy(name)), const_cast<TensorValue *>(tensor));
            weightMap[name] = path.substr(path.rfind('/') + 1);
            // As huggingface_hub counts it: a torch storage once, however many tensors it holds.
            if (safetensorsOut)
                totalSize += tensor->numel() * dtypeItemSize(tensor->dtype);
            else if (counted.insert(tensor->storage).second)
                totalSize += tensor->storage->numel * dtypeItemSize(tensor->storage->dtype);
        }
        shard.root = root;
        // Progress over all shards: this one's share, scaled into the bytes before it.
        const std::uint64_t bytes = plannedBytes(shard);
        const double start = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
        const double share = total ? static_cast<double>(bytes) / static_cast<double>(total) : 1.0;
        Progress scaled{[&](double f) {
                            if (options.progress->report)
                                options.progress->report(start + f * share);
                        },
            options.progress ? options.progress->cancel : nullptr};
        auto file = std::make_unique<AtomicFile>(path);
        writeAndVerify(source, shard, *file, safetensorsOut, options.progress ? &scaled : nullptr);
        result.bytes += file->size();
        files.push_back(std::move(file));
        done += bytes;
    }
    std::string index;
    json::Writer w(index);
    w.beginObject(json::Layout::Lines).key("metadata").beginObject(json::Layout::Lines).key("total_size").integer(totalSize).end();
    w.key("weight_map").beginObject(json::Layout::Lines);
    for (const auto &[name, file] : weightMap)
        w.key(name).string(file);
    w.end().end();
    index += '\n';
    auto indexFile = std::make_unique<AtomicFile>(indexPath);
    indexFile->write(index);
    indexFile->finish();
    for (auto &file : files) {
        file->commit();
        result.files.push_back(file->target());
    }
    indexFile->commit();
    result.files.push_back(indexPath);
    result.format = Format::Sharded;
    result.tensors = plan.expected.size();
    result.notes.insert(result.notes.end(), plan.notes.begin(), plan.notes.end());
    result.bytes += index.size();
    result.notes.push_back(std::to_string(shards.size()) + " shards of at most " + humanBytes(options.maxShardSize) + " each ("
        + (safetensorsOut ? "safetensors" : "torch.save") + "), listed in " + indexPath);
}

} // namespace

bool isBareStateDict(const Checkpoint &checkpoint)
{
    return checkpoint.entries().empty() && checkpoint.modelState().path.empty()
        && std::all_of(checkpoint.tensors().begin(), checkpoint.tensors().end(), [](const TensorInfo &t) { return t.inModelState; });
}

std::uint64_t parseByteSize(std::string_view text)
{
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
    const std::string_view unit = text.substr(digits);
    static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {{"", 1}, {"B", 1}, {"KB", 1'000}, {"MB", 1'000'000}, {"GB", 1'000'000'000},
        {"TB", 1'000'000'000'000}, {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}};
    for (const auto &[name, factor] : kUnits)
        if (digits > 0 && ec == std::errc() && unit == name) {
            std::uint64_t bytes = 0;
            if (__builtin_mul_overflow(value, factor, &bytes) || bytes == 0)
                break;
            return bytes;
        }
    fail(ErrorKind::Malformed, "'" + std::string(text) + "' is not a size: write it as 5GB, 500MB, 2GiB or a number of bytes");
}

SaveResult saveCheckpoint(const Checkpoint &source, const std::string &target, const SaveOptions &options)
{
    try {
        std::vector<std::string> inputs{source.path()};
        for (const auto &part : source.raw().parts)
            inputs.push_back(part->path);
        checkNotAnInput(target, inputs, options.force);
        checkCopies(source, options);

        FreezeState freeze = FreezeState::initial(source);
        SaveResult result;
        if (options.frozenNames) {
            freeze.clear();
            const auto unmatched = freeze.setByNames(*options.frozenNames);
            if (!unmatched.empty())
                result.notes.push_back(std::to_string(unmatched.size()) + " names of the freeze list match no parameter (first: '" + unmatched.front() + "')");
        }

        const Format in = source.format();
        // A TorchScript archive is re-saved through LibTorch, keeping its code; its model state alone is written
        // as the module's state_dict() in a torch.save zip, like any other model state.
        if (in == Format::TorchScript && !options.modelOnly) {
            if (options.maxShardSize > 0)
                fail(ErrorKind::Unsupported, "a TorchScript archive is one file: save with --model-only to write its state_dict in shards");
            if (!options.dropGlobs.empty() || !options.keyRules.empty())
                fail(ErrorKind::Unsupported,
                    "a TorchScript archive keeps its module structure: --drop and key rules apply "
                    "only with --model-only, which writes the module's state_dict");
            std::vector<std::pair<std::string, bool>> grads;
            for (std::size_t i = 0; i < freeze.parameters().size(); ++i)
                grads.emplace_back(freeze.parameters()[i].name, !freeze.isFrozen(i));
            TorchScriptEdits edits{std::move(grads), options.dtype, {}};
            for (const TensorCopy &c : options.copies)
                edits.copies.emplace_back(c.into->modelName, TensorView::of(*c.from));
            AtomicFile file(target);
            file.finish();
            tensorMath().resaveTorchScript(source.path(), file.temporaryPath(), edits);
            const auto written = Checkpoint::open(file.temporaryPath());
            const FreezeState check = FreezeState::initial(*written);
            if (written->format() != Format::TorchScript || !(check == freeze))
                fail(ErrorKind::Io, "verification failed: the re-saved TorchScript archive does not carry the freeze state");
            result.format = Format::TorchScript;
            result.tensors = written->tensors().size();
            file.commit();
            struct stat st
            { };
            result.bytes = ::stat(target.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
            result.notes.push_back("saved through LibTorch with " + std::to_string(freeze.frozenCount()) + " frozen parameters");
            result.files.push_back(target);
            return result;
        }

        Plan plan = makePlan(source, options, freeze);
        bool safetensorsOut = in == Format::Safetensors;
        if (in == Format::Sharded) {
            safetensorsOut = true;
            for (const auto &part : source.raw().parts)
                safetensorsOut = safetensorsOut && part->format == Format::Safetensors;
        }
        const bool flat = options.modelOnly || isBareStateDict(source);
        const bool safetensorsName = target.size() > 12 && target.compare(target.size() - 12, 12, ".safetensors") == 0;
        if (options.maxShardSize > 0 && !safetensorsName)
            safetensorsOut = false; // shards take the kind the name asks for: model.safetensors or pytorch_model.bin
        // A .safetensors name asks for safetensors: only a model state fits in one (a flat name -> tensor map).
        if (!safetensorsOut && safetensorsName) {
            if (!flat)
                fail(ErrorKind::Unsupported,
                    "a .safetensors file holds only tensors, by name: save with --model-only (Model state only) to write the model state, or "
                    "name the output .pt to keep everything");
            safetensorsOut = true;
        }
        if (safetensorsOut && options.storeFreeze)
            fail(ErrorKind::Unsupported, "safetensors files cannot store requires_grad; export a frozen_layers.json instead");
        if (options.maxShardSize > 0) {
            if (!flat)
                fail(ErrorKind::Unsupported,
                    "shards hold only the model state, by name, as Hugging Face's loaders read them: save with --model-only (Model state only)");
            const auto shards = splitIntoShards(plan, options.maxShardSize, safetensorsOut);
            if (shards.size() > 1) {
                saveShards(source, plan, shards, target, options, safetensorsOut, result);
                return result;
            }
        }
        AtomicFile file(target);
        writeAndVerify(source, plan, file, safetensorsOut, options.progress);
        result.format = safetensorsOut ? Format::Safetensors : Format::TorchZip;
        result.tensors = plan.expected.size();
        result.bytes = file.size();
        result.notes.insert(result.notes.end(), plan.notes.begin(), plan.notes.end());
        file.commit();
        result.files.push_back(target);
        return result;
    } catch (const Error &e) {
        throw e.withFile(target);
    }
}

} // namespace ckpt

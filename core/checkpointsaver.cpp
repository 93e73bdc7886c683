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
#include "tensordata.h"
#include "tensormath.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

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
    std::vector<std::byte> buffer(s.bytes.begin(), s.bytes.end());
    for (const TensorCopy *c : copies) {
        const TensorValue &into = *c->into->value;
        if (into.numel() == 0)
            continue;
        TensorView to = TensorView::of(into);
        const std::size_t offset = static_cast<std::size_t>(to.base - s.bytes.data());
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
    return {s.bytes.begin(), s.bytes.end()};
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

void verifyZipCrcs(const std::string &path)
{
    const auto file = MappedFile::open(path);
    const ZipArchive zip(file->bytes());
    for (const auto &e : zip.entries()) {
        if (crc32Of(zip.storedData(e)) != e.crc32)
            fail(ErrorKind::Io, "verification failed: record '" + std::string(e.name) + "' does not read back as written");
        releasePages(zip.storedData(e));
    }
}

// Reports bytes written against the bytes planned, about every megabyte, and stops when cancelled.
struct WriteProgress
{
    const Progress *progress;
    std::uint64_t total;
    std::uint64_t lastReported = 0;

    void wrote(const AtomicFile &file)
    {
        if (progress && file.size() - lastReported >= (1u << 20)) {
            lastReported = file.size();
            progress->update(total ? 0.95 * static_cast<double>(file.size()) / static_cast<double>(total) : 0.0);
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

void writeTorchZip(const Plan &plan, AtomicFile &file, const Progress *progress)
{
    WriteProgress tracker{progress, plannedBytes(plan)};
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
    ZipWriter zip([&](std::span<const std::byte> data) {
        file.write(data);
        tracker.wrote(file);
    });
    zip.addRecord(prefix + "data.pkl", pkl);
    zip.addRecord(prefix + "byteorder", std::string_view("little"));
    for (const StorageValue *s : storages) {
        if (const TensorCopy *whole = wholeStorageCopy(plan, *s)) {
            zip.addRecord(prefix + "data/" + keys[s], contiguousSpan(*whole->from));
            releasePages(contiguousSpan(*whole->from));
        } else if (plan.conversions.contains(s) || plan.patches.contains(s)) {
            const auto bytes = storageBytes(plan, *s);
            zip.addRecord(prefix + "data/" + keys[s], bytes);
        } else {
            zip.addRecord(prefix + "data/" + keys[s], s->bytes); // straight from the mapped source
            releasePages(s->bytes);
        }
    }
    zip.addRecord(prefix + "version", std::string_view("3\n"));
    zip.finish();
}

void writeSafetensors(const Checkpoint &source, const Plan &plan, AtomicFile &file, const Progress *progress)
{
    WriteProgress tracker{progress, plannedBytes(plan)};
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
            file.write(contiguousSpan(*whole->from));
            releasePages(contiguousSpan(*whole->from));
        } else if (!plan.conversions.contains(item.tensor->storage) && !plan.patches.contains(item.tensor->storage) && isContiguous(*item.tensor)) {
            file.write(contiguousSpan(*item.tensor));
            releasePages(contiguousSpan(*item.tensor));
        } else {
            file.write(writtenBytes(plan, *item.tensor));
        }
        tracker.wrote(file);
    }
}

} // namespace

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
            return result;
        }

        Plan plan = makePlan(source, options, freeze);
        bool safetensorsOut = in == Format::Safetensors;
        if (in == Format::Sharded) {
            safetensorsOut = true;
            for (const auto &part : source.raw().parts)
                safetensorsOut = safetensorsOut && part->format == Format::Safetensors;
        }
        // A .safetensors name asks for safetensors: only a model state fits in one (a flat name -> tensor map).
        if (!safetensorsOut && target.size() > 12 && target.compare(target.size() - 12, 12, ".safetensors") == 0) {
            // A bare state_dict (all tensors, at the top level) is its own model state.
            const bool bareStateDict = source.entries().empty() && source.modelState().path.empty()
                && std::all_of(source.tensors().begin(), source.tensors().end(), [](const TensorInfo &t) { return t.inModelState; });
            if (!options.modelOnly && !bareStateDict)
                fail(ErrorKind::Unsupported,
                    "a .safetensors file holds only tensors, by name: save with --model-only (Model state only) to write the model state, or "
                    "name the output .pt to keep everything");
            safetensorsOut = true;
        }
        if (safetensorsOut && options.storeFreeze)
            fail(ErrorKind::Unsupported, "safetensors files cannot store requires_grad; export a frozen_layers.json instead");
        AtomicFile file(target);
        if (safetensorsOut)
            writeSafetensors(source, plan, file, options.progress);
        else
            writeTorchZip(plan, file, options.progress);
        file.finish();
        if (options.progress)
            options.progress->update(0.96); // then read back and check
        if (!safetensorsOut)
            verifyZipCrcs(file.temporaryPath());
        verify(file.temporaryPath(), plan, safetensorsOut ? Format::Safetensors : Format::TorchZip);
        result.format = safetensorsOut ? Format::Safetensors : Format::TorchZip;
        result.tensors = plan.expected.size();
        result.bytes = file.size();
        result.notes.insert(result.notes.end(), plan.notes.begin(), plan.notes.end());
        file.commit();
        return result;
    } catch (const Error &e) {
        throw e.withFile(target);
    }
}

} // namespace ckpt

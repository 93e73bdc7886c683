// SPDX-License-Identifier: MIT
#include "inspectreport.h"

#include "format/json.h"
#include "format/jsonwriter.h"
#include "format/pickle/pyrepr.h"
#include "freezestate.h"
#include "quantization.h"
#include "tensorstats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace ckpt {

std::string groupThousands(std::uint64_t n)
{
    std::string digits = std::to_string(n);
    std::string out;
    const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
    out.append(digits, 0, first);
    for (std::size_t i = first; i < digits.size(); i += 3)
        out.append(",").append(digits, i, 3);
    return out;
}

std::string humanBytes(std::uint64_t n)
{
    static constexpr const char *kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (n < 1024)
        return std::to_string(n) + " B";
    double v = static_cast<double>(n);
    int unit = 0;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    return formatFixed(v, 1) + " " + kUnits[unit];
}

std::string shapeText(std::span<const std::int64_t> shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

namespace {

std::string pad(std::string s, std::size_t width, bool right = false)
{
    if (s.size() >= width)
        return s;
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string count(std::uint64_t n, const char *singular, const char *plural)
{
    return groupThousands(n) + " " + (n == 1 ? singular : plural);
}

std::string displayName(const std::string &name)
{
    return name.empty() ? std::string("(root)") : name;
}

std::string modelStateDescription(const Checkpoint &c)
{
    const ModelState &m = c.modelState();
    const std::string why = m.reason.empty() ? std::string() : " - " + m.reason;
    if (!m.found())
        return "not found" + why;
    std::string where = m.path.empty() ? std::string("the top level") : "'" + m.path + "'";
    switch (m.kind) {
    case ModelState::Kind::StateDict: return where + " (a state_dict)" + why;
    case ModelState::Kind::Module: return where + " (a pickled nn.Module: " + pickle::pythonTypeName(m.value) + ")" + why;
    case ModelState::Kind::TorchScriptModule: return where + " (a TorchScript module: " + pickle::pythonTypeName(m.value) + ")" + why;
    case ModelState::Kind::None: break;
    }
    return where + why;
}

std::string formatDescription(const Checkpoint &c)
{
    const RawCheckpoint &raw = c.raw();
    std::string s(formatName(raw.format));
    if (raw.zeroStage >= 0)
        s += "-zero" + std::to_string(raw.zeroStage);
    std::vector<std::string> details;
    if (raw.pickleProtocol >= 0)
        details.push_back("pickle protocol " + std::to_string(raw.pickleProtocol));
    if (!raw.formatVersion.empty())
        details.push_back("format version " + raw.formatVersion);
    if (!raw.member.empty())
        details.push_back("archive member " + raw.member);
    if (raw.format == Format::Sharded)
        details.push_back(std::to_string(raw.parts.size()) + " shards");
    if (raw.worldSize > 0)
        details.push_back("world size " + std::to_string(raw.worldSize));
    if (raw.step >= 0)
        details.push_back("step " + std::to_string(raw.step));
    if (!details.empty()) {
        s += " (";
        for (std::size_t i = 0; i < details.size(); ++i)
            s += (i ? ", " : "") + details[i];
        s += ")";
    }
    return s;
}

std::set<std::string> opaqueTypes(const Checkpoint &c)
{
    std::set<std::string> types;
    for (const auto &e : c.entries()) {
        static constexpr std::string_view kBuiltin[] = {"NoneType", "bool", "int", "float", "complex", "str", "bytes", "bytearray", "list", "tuple", "set",
            "frozenset", "dict", "collections.OrderedDict", "collections.defaultdict", "type", "torch.dtype"};
        if (std::find(std::begin(kBuiltin), std::end(kBuiltin), e.type) == std::end(kBuiltin))
            types.insert(e.type);
    }
    const ModelState &m = c.modelState();
    if (m.kind == ModelState::Kind::Module || m.kind == ModelState::Kind::TorchScriptModule)
        types.insert(pickle::pythonTypeName(m.value));
    return types;
}

} // namespace

std::vector<TensorStatistics> computeStatistics(const Checkpoint &c, const Progress *progress)
{
    // All tensors go through the block kernels at once, so that two cores share small tensors as well as big
    // ones. Quantized tensors are summarised by their dequantized values, made one tensor at a time.
    std::vector<ElementSource> sources;
    sources.reserve(c.tensors().size());
    for (const auto &t : c.tensors())
        sources.push_back(dtypeIsQuantized(t.dtype()) ? ElementSource() : ElementSource::of(*t.value));
    std::vector<TensorStatistics> out = statisticsOf(sources, progress);
    for (std::size_t i = 0; i < c.tensors().size(); ++i) {
        const auto &t = c.tensors()[i];
        if (!dtypeIsQuantized(t.dtype()))
            continue;
        const StatisticsInput input(*t.value);
        out[i] = statisticsOf(ElementSource(input.view()));
        out[i].dequantized = input.dequantized();
    }
    return out;
}

namespace {
std::string number(double v)
{
    if (std::isnan(v))
        return "nan";
    return formatGeneral(v, 6);
}

std::string statsColumns(const TensorStatistics &s)
{
    if (!s.valid)
        return "  (" + s.unsupportedReason + ")";
    if (s.count == 0)
        return "  " + pad("-", 12, true) + "  " + pad("-", 12, true) + "  " + pad("-", 12, true) + "  " + pad("-", 12, true);
    std::string out = "  " + pad(s.finite ? number(s.mean) : "-", 12, true) + "  " + pad(s.finite ? number(s.std) : "-", 12, true) + "  "
        + pad(s.finite ? number(s.min) : "-", 12, true) + "  " + pad(s.finite ? number(s.max) : "-", 12, true);
    if (s.nan || s.posInf || s.negInf)
        out += "  nan " + groupThousands(s.nan) + ", inf " + groupThousands(s.posInf + s.negInf);
    if (s.dequantized)
        out += "  (dequantized)";
    return out;
}

void statsJson(json::Writer &w, const TensorStatistics &s)
{
    w.beginObject();
    if (!s.valid) {
        w.key("error").string(s.unsupportedReason).end();
        return;
    }
    const bool any = s.finite > 0;
    auto num = [&](const char *key, bool known, double v) {
        w.key(key);
        known ? w.number(v) : w.null(); // not finite is null as well
    };
    num("mean", any, s.mean);
    num("std", any && s.finite > 1, s.std);
    num("min", any, s.min);
    num("max", any, s.max);
    w.key("nan").integer(s.nan).key("posinf").integer(s.posInf).key("neginf").integer(s.negInf).key("zeros").integer(s.zeros);
    if (s.dequantized)
        w.key("dequantized").boolean(true);
    w.end();
}
} // namespace

std::string inspectText(const Checkpoint &c, const InspectOptions &options)
{
    const auto *stats = options.stats;
    auto trainable = [&](const TensorInfo &t) { return options.freeze ? t.isParameter && !options.freeze->isFrozen(t) : t.trainable(); };
    std::string out;
    const auto &tensors = c.tensors();
    std::size_t nameWidth = 4;
    std::size_t shapeWidth = 5;
    for (const auto &t : tensors) {
        nameWidth = std::max(nameWidth, std::min<std::size_t>(displayName(t.name).size(), 72));
        shapeWidth = std::max(shapeWidth, shapeText(t.shape()).size());
    }
    std::size_t dtypeWidth = 5;
    for (const auto &t : tensors)
        dtypeWidth = std::max(dtypeWidth, dtypeName(t.dtype()).size());

    if (!tensors.empty()) {
        out += pad("NAME", nameWidth) + "  " + pad("SHAPE", shapeWidth) + "  " + pad("DTYPE", dtypeWidth) + "  " + pad("PARAMETERS", 14, true) + "  "
            + pad("BYTES", 10, true) + "  " + pad("TRAINABLE", stats ? 11 : 0);
        if (stats)
            out += "  " + pad("MEAN", 12, true) + "  " + pad("STD", 12, true) + "  " + pad("MIN", 12, true) + "  " + pad("MAX", 12, true);
        out += "\n";
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const auto &t = tensors[i];
            const std::string trainableText = !t.inModelState ? "-" : !t.isParameter ? "buffer" : trainable(t) ? "yes" : "no (frozen)";
            out += pad(displayName(t.name), nameWidth) + "  " + pad(shapeText(t.shape()), shapeWidth) + "  "
                + pad(std::string(dtypeName(t.dtype())), dtypeWidth) + "  " + pad(groupThousands(t.numel()), 14, true) + "  "
                + pad(humanBytes(t.nbytes()), 10, true) + "  " + pad(trainableText, stats ? 11 : 0);
            if (stats)
                out += statsColumns((*stats)[i]);
            out += "\n";
        }
        out += "\n";
    }

    std::uint64_t modelTensors = 0, buffers = 0, frozen = 0, trainableParams = 0;
    std::map<std::string, std::pair<std::size_t, std::uint64_t>> byDtype;
    std::set<std::uint32_t> storages;
    for (const auto &t : tensors) {
        if (t.inModelState) {
            ++modelTensors;
            if (!t.isParameter)
                ++buffers;
            else if (!trainable(t))
                frozen += t.numel();
            else
                trainableParams += t.numel();
        }
        auto &d = byDtype[std::string(dtypeName(t.dtype()))];
        ++d.first;
        d.second += t.nbytes();
        storages.insert(t.storageId());
    }

    out += "File:          " + c.path() + "\n";
    out += "Format:        " + formatDescription(c) + "\n";
    out += "Model state:   " + modelStateDescription(c) + "\n";
    out += "Tensors:       " + count(tensors.size(), "tensor", "tensors") + " (" + groupThousands(modelTensors)
        + " in the model state: " + count(modelTensors - buffers, "parameter", "parameters") + ", " + count(buffers, "buffer", "buffers") + "), "
        + count(storages.size(), "storage", "storages") + ", " + humanBytes(c.tensorBytes()) + "\n";
    out += "Parameters:    " + groupThousands(c.parameterCount()) + " (" + groupThousands(trainableParams) + " trainable, " + groupThousands(frozen)
        + " frozen)\n";
    if (!byDtype.empty()) {
        out += "By dtype:     ";
        for (const auto &[name, d] : byDtype)
            out += " " + name + " " + count(d.first, "tensor", "tensors") + " " + humanBytes(d.second) + ";";
        out.back() = '\n';
    }
    if (!c.raw().metadata.empty()) {
        out += "Metadata:\n";
        for (const auto &[k, v] : c.raw().metadata)
            out.append("  ").append(k).append(" = ").append(v).append("\n");
    }
    if (!c.entries().empty()) {
        out += "Other entries:\n";
        std::size_t width = 0;
        for (const auto &e : c.entries())
            width = std::max(width, std::min<std::size_t>(displayName(e.name).size(), 48));
        for (const auto &e : c.entries())
            out += "  " + pad(displayName(e.name), width) + "  " + e.type + "  " + (e.isScalar && e.type == "str" ? "'" + e.value + "'" : e.value) + "\n";
    }
    if (const auto types = opaqueTypes(c); !types.empty()) {
        out += "Object types:  ";
        bool first = true;
        for (const auto &t : types) {
            out += (first ? "" : ", ") + t;
            first = false;
        }
        out += "\n";
    }
    if (!options.freezeNote.empty())
        out += "Freeze:        " + options.freezeNote + "\n";
    for (const auto &note : c.raw().notes)
        out += "Note:          " + note + "\n";
    return out;
}

std::string inspectJson(const Checkpoint &c, const InspectOptions &options)
{
    using json::Layout;
    const auto *stats = options.stats;
    std::string out;
    // 100,000 tensors make tens of megabytes: one reservation, then appends in place.
    out.reserve(1024 + c.tensors().size() * (stats ? 400 : 280));
    json::Writer w(out);
    w.beginObject(Layout::Lines);
    w.key("format").string(formatName(c.format()));
    w.key("path").string(c.path());
    w.key("model_state").string(c.modelState().path);
    w.key("model_state_found").boolean(c.modelState().found());
    w.key("model_state_reason").string(c.modelState().reason);
    w.key("tensors").beginArray(Layout::Lines);
    std::size_t index = 0;
    for (const auto &t : c.tensors()) {
        w.beginObject();
        w.key("name").string(t.name);
        w.key("shape").integers(t.shape());
        w.key("dtype").string(dtypeName(t.dtype()));
        w.key("numel").integer(t.numel());
        w.key("nbytes").integer(t.nbytes());
        w.key("requires_grad").boolean(t.requiresGrad());
        w.key("is_parameter").boolean(t.isParameter);
        w.key("trainable").boolean(options.freeze ? t.isParameter && !options.freeze->isFrozen(t) : t.trainable());
        w.key("in_model_state").boolean(t.inModelState);
        w.key("stride").integers(t.stride());
        w.key("storage_offset").integer(t.storageOffset());
        w.key("storage").integer(t.storageId());
        if (const auto layout = c.raw().layouts.find(t.value); layout != c.raw().layouts.end())
            w.key("layout").string(layout->second);
        if (const auto q = quantizationOf(*t.value)) {
            w.key("quantization").beginObject().key("qscheme").string(q->scheme);
            if (q->perChannel()) {
                w.key("axis").integer(q->axis);
                w.key("scales").beginArray();
                for (const double v : q->scales)
                    w.number(v);
                w.end().key("zero_points").beginArray();
                for (const double v : q->zeroPoints)
                    w.number(v);
                w.end();
            } else {
                w.key("scale").number(q->scale).key("zero_point").number(q->zeroPoint);
            }
            w.end();
        }
        if (stats) {
            w.key("stats");
            statsJson(w, (*stats)[index]);
        }
        w.end();
        ++index;
    }
    w.end();
    w.key("entries").beginArray(Layout::Lines);
    for (const auto &e : c.entries())
        w.beginObject().key("name").string(e.name).key("type").string(e.type).key("value").string(e.value).end();
    w.end();
    w.key("metadata").beginObject();
    for (const auto &[k, v] : c.raw().metadata)
        w.key(k).string(v);
    w.end();
    w.key("notes").beginArray();
    for (const auto &n : c.raw().notes)
        w.string(n);
    w.end();
    w.key("freeze").string(options.freezeNote);
    w.key("summary").beginObject().key("tensors").integer(c.tensors().size()).key("parameters").integer(c.parameterCount());
    w.key("bytes").integer(c.tensorBytes()).end();
    w.end();
    out += '\n';
    return out;
}

} // namespace ckpt

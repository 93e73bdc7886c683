// SPDX-License-Identifier: MIT
#include "inspectreport.h"

#include "format/json.h"
#include "format/jsonwriter.h"
#include "format/pickle/pyrepr.h"
#include "freezestate.h"
#include "quantization.h"
#include "tensorstats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

namespace ckpt {

namespace {

// Cells are formatted into small stack buffers and appended in place: a listing of 100,000 tensors would
// otherwise build and free several temporary strings per row.
struct Cell
{
    char text[64];
    std::size_t size = 0;
    std::string_view view() const { return {text, size}; }
};

Cell groupedCell(std::uint64_t n)
{
    char digits[20];
    const auto len = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, n).ptr - digits);
    Cell c;
    const std::size_t first = len % 3 == 0 ? 3 : len % 3;
    for (std::size_t i = 0; i < len; ++i) {
        if (i >= first && (i - first) % 3 == 0)
            c.text[c.size++] = ',';
        c.text[c.size++] = digits[i];
    }
    return c;
}

Cell humanBytesCell(std::uint64_t n)
{
    static constexpr std::string_view kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    Cell c;
    double v = static_cast<double>(n);
    int unit = 0;
    if (n < 1024) {
        c.size = static_cast<std::size_t>(std::to_chars(c.text, c.text + 24, n).ptr - c.text);
    } else {
        while (v >= 1024.0 && unit < 4) {
            v /= 1024.0;
            ++unit;
        }
        // to_chars, not printf: the same bytes under any locale (formatFixed's rule).
        c.size = static_cast<std::size_t>(std::to_chars(c.text, c.text + 40, v, std::chars_format::fixed, 1).ptr - c.text);
    }
    c.text[c.size++] = ' ';
    const std::string_view u = kUnits[unit];
    std::memcpy(c.text + c.size, u.data(), u.size());
    c.size += u.size();
    return c;
}

void appendShape(std::string &out, std::span<const std::int64_t> shape)
{
    out.push_back('[');
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            out.append(", ", 2);
        char buf[24];
        out.append(buf, std::to_chars(buf, buf + sizeof buf, shape[i]).ptr);
    }
    out.push_back(']');
}

std::size_t shapeTextSize(std::span<const std::int64_t> shape)
{
    std::size_t n = 2 + (shape.empty() ? 0 : 2 * (shape.size() - 1));
    for (const auto d : shape) {
        char buf[24];
        n += static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, d).ptr - buf);
    }
    return n;
}

// text left-aligned (or right-aligned) in width columns; longer text is kept whole.
void appendPadded(std::string &out, std::string_view text, std::size_t width, bool right = false)
{
    const std::size_t fill = text.size() < width ? width - text.size() : 0;
    if (right)
        out.append(fill, ' ');
    out.append(text);
    if (!right)
        out.append(fill, ' ');
}

// Output handed to a sink in blocks of about this size.
constexpr std::size_t kBlock = 1u << 20;

void flushBlock(std::string &out, const TextSink *sink, bool last = false)
{
    if (sink && (last || out.size() >= kBlock) && !out.empty()) {
        (*sink)(out);
        out.clear();
    }
}

} // namespace

std::string groupThousands(std::uint64_t n)
{
    return std::string(groupedCell(n).view());
}

std::string humanBytes(std::uint64_t n)
{
    return std::string(humanBytesCell(n).view());
}

std::string shapeText(std::span<const std::int64_t> shape)
{
    std::string s;
    appendShape(s, shape);
    return s;
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

std::string_view shownName(const std::string &name)
{
    return name.empty() ? std::string_view("(root)") : std::string_view(name);
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

namespace {
void writeText(const Checkpoint &c, const InspectOptions &options, std::string &out, const TextSink *sink)
{
    const auto *stats = options.stats;
    auto trainable = [&](const TensorInfo &t) { return options.freeze ? t.isParameter && !options.freeze->isFrozen(t) : t.trainable(); };
    const auto &tensors = c.tensors();
    std::size_t nameWidth = 4;
    std::size_t shapeWidth = 5;
    std::size_t dtypeWidth = 5;
    for (const auto &t : tensors) {
        nameWidth = std::max(nameWidth, std::min<std::size_t>(shownName(t.name).size(), 72));
        shapeWidth = std::max(shapeWidth, shapeTextSize(t.shape()));
        dtypeWidth = std::max(dtypeWidth, dtypeName(t.dtype()).size());
    }

    if (!tensors.empty()) {
        out += pad("NAME", nameWidth) + "  " + pad("SHAPE", shapeWidth) + "  " + pad("DTYPE", dtypeWidth) + "  " + pad("PARAMETERS", 14, true) + "  "
            + pad("BYTES", 10, true) + "  " + pad("TRAINABLE", stats ? 11 : 0);
        if (stats)
            out += "  " + pad("MEAN", 12, true) + "  " + pad("STD", 12, true) + "  " + pad("MIN", 12, true) + "  " + pad("MAX", 12, true);
        out += "\n";
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const auto &t = tensors[i];
            const std::string_view trainableText = !t.inModelState ? "-" : !t.isParameter ? "buffer" : trainable(t) ? "yes" : "no (frozen)";
            appendPadded(out, shownName(t.name), nameWidth);
            out.append(2, ' ');
            const std::size_t shapeStart = out.size();
            appendShape(out, t.shape());
            if (out.size() - shapeStart < shapeWidth)
                out.append(shapeWidth - (out.size() - shapeStart), ' ');
            out.append(2, ' ');
            appendPadded(out, dtypeName(t.dtype()), dtypeWidth);
            out.append(2, ' ');
            appendPadded(out, groupedCell(t.numel()).view(), 14, true);
            out.append(2, ' ');
            appendPadded(out, humanBytesCell(t.nbytes()).view(), 10, true);
            out.append(2, ' ');
            appendPadded(out, trainableText, stats ? 11 : 0);
            if (stats)
                out += statsColumns((*stats)[i]);
            out += '\n';
            flushBlock(out, sink);
        }
        out += "\n";
    }

    std::uint64_t modelTensors = 0, buffers = 0, frozen = 0, trainableParams = 0;
    std::map<std::string_view, std::pair<std::size_t, std::uint64_t>> byDtype; // by name, as the summary lists them
    std::vector<bool> storageSeen;
    std::size_t storages = 0;
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
        auto &d = byDtype[dtypeName(t.dtype())];
        ++d.first;
        d.second += t.nbytes();
        if (t.storageId() >= storageSeen.size())
            storageSeen.resize(std::max<std::size_t>(t.storageId() + 1, 2 * storageSeen.size()));
        if (!storageSeen[t.storageId()]) {
            storageSeen[t.storageId()] = true;
            ++storages;
        }
    }

    out += "File:          " + c.path() + "\n";
    out += "Format:        " + formatDescription(c) + "\n";
    out += "Model state:   " + modelStateDescription(c) + "\n";
    out += "Tensors:       " + count(tensors.size(), "tensor", "tensors") + " (" + groupThousands(modelTensors)
        + " in the model state: " + count(modelTensors - buffers, "parameter", "parameters") + ", " + count(buffers, "buffer", "buffers") + "), "
        + count(storages, "storage", "storages") + ", " + humanBytes(c.tensorBytes()) + "\n";
    out += "Parameters:    " + groupThousands(c.parameterCount()) + " (" + groupThousands(trainableParams) + " trainable, " + groupThousands(frozen)
        + " frozen)\n";
    if (!byDtype.empty()) {
        out += "By dtype:     ";
        for (const auto &[name, d] : byDtype)
            out += " " + std::string(name) + " " + count(d.first, "tensor", "tensors") + " " + humanBytes(d.second) + ";";
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
    flushBlock(out, sink, true);
}
} // namespace

std::string inspectText(const Checkpoint &c, const InspectOptions &options)
{
    std::string out;
    out.reserve(4096 + c.tensors().size() * 128);
    writeText(c, options, out, nullptr);
    return out;
}

void inspectText(const Checkpoint &c, const InspectOptions &options, const TextSink &sink)
{
    std::string out;
    out.reserve(kBlock + std::size_t{64} * 1024);
    writeText(c, options, out, &sink);
}

namespace {
void writeJson(const Checkpoint &c, const InspectOptions &options, std::string &out, const TextSink *sink)
{
    using json::Layout;
    const auto *stats = options.stats;
    const auto &layouts = c.raw().layouts;
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
        const std::uint64_t numel = t.numel();
        w.key("numel").integer(numel);
        w.key("nbytes").integer(numel * dtypeItemSize(t.dtype()));
        w.key("requires_grad").boolean(t.requiresGrad());
        w.key("is_parameter").boolean(t.isParameter);
        w.key("trainable").boolean(options.freeze ? t.isParameter && !options.freeze->isFrozen(t) : t.trainable());
        w.key("in_model_state").boolean(t.inModelState);
        w.key("stride").integers(t.stride());
        w.key("storage_offset").integer(t.storageOffset());
        w.key("storage").integer(t.storageId());
        if (!layouts.empty())
            if (const auto layout = layouts.find(t.value); layout != layouts.end())
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
        flushBlock(out, sink);
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
    flushBlock(out, sink, true);
}
} // namespace

std::string inspectJson(const Checkpoint &c, const InspectOptions &options)
{
    std::string out;
    // 100,000 tensors make tens of megabytes: one reservation, then appends in place.
    out.reserve(1024 + c.tensors().size() * (options.stats ? 400 : 280));
    writeJson(c, options, out, nullptr);
    return out;
}

void inspectJson(const Checkpoint &c, const InspectOptions &options, const TextSink &sink)
{
    std::string out;
    out.reserve(kBlock + std::size_t{64} * 1024);
    writeJson(c, options, out, &sink);
}

} // namespace ckpt

#include "safetyreport.h"

#include "format/error.h"
#include "format/json.h"
#include "format/mappedfile.h"
#include "format/pickle/globals.h"
#include "format/pickle/opcodescan.h"
#include "format/ziparchive.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace ckpt {

std::string_view safetyName(Safety s)
{
    switch (s) {
    case Safety::WeightsOnly: return "weights-only";
    case Safety::NeedsFullUnpickle: return "needs-full-unpickle";
    case Safety::Dangerous: return "dangerous";
    }
    return "dangerous";
}

namespace {

bool inModule(std::string_view module, std::string_view root)
{
    return module == root || (module.size() > root.size() && module.starts_with(root) && module[root.size()] == '.');
}

// Modules whose every function can run code, start processes, touch files or the network, or unpickle
// again (picklescan's and fickling's lists, plus what they have been shown to miss).
constexpr std::array<std::pair<std::string_view, std::string_view>, 44> kDangerousModules{{
    {"os", "runs commands and changes files"},          {"posix", "runs commands and changes files"},
    {"nt", "runs commands and changes files"},          {"subprocess", "starts processes"},
    {"_posixsubprocess", "starts processes"},           {"_winapi", "starts processes"},
    {"pty", "starts processes"},                        {"commands", "runs commands"},
    {"sys", "changes the interpreter"},                 {"socket", "opens network connections"},
    {"http", "opens network connections"},              {"httplib", "opens network connections"},
    {"urllib", "opens network connections"},            {"urllib2", "opens network connections"},
    {"urllib3", "opens network connections"},           {"requests", "opens network connections"},
    {"ftplib", "opens network connections"},            {"smtplib", "opens network connections"},
    {"telnetlib", "opens network connections"},         {"webbrowser", "opens programs"},
    {"shutil", "copies and deletes files"},             {"tempfile", "creates files"},
    {"io", "opens files"},                              {"_io", "opens files"},
    {"runpy", "runs Python code"},                      {"code", "runs Python code"},
    {"codeop", "compiles Python code"},                 {"importlib", "imports modules"},
    {"pkgutil", "imports modules"},                     {"zipimport", "imports modules"},
    {"ctypes", "calls native code"},                    {"pickle", "unpickles again (nested payloads)"},
    {"_pickle", "unpickles again (nested payloads)"},   {"cPickle", "unpickles again (nested payloads)"},
    {"marshal", "loads code objects"},                  {"shelve", "unpickles files"},
    {"multiprocessing", "starts processes"},            {"asyncio", "starts processes"},
    {"pdb", "runs Python code"},                        {"timeit", "runs Python code"},
    {"cProfile", "runs Python code"},                   {"profile", "runs Python code"},
    {"_thread", "starts threads running code"},         {"torch.hub", "downloads and runs code"},
}};

// Single functions of otherwise harmless modules.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kDangerousFunctions{{
    {"builtins.eval", "evaluates Python code"},       {"builtins.exec", "runs Python code"},
    {"builtins.execfile", "runs a Python file"},      {"builtins.compile", "compiles Python code"},
    {"builtins.__import__", "imports modules"},       {"builtins.getattr", "reaches any attribute (e.g. os.system)"},
    {"builtins.setattr", "changes any object"},       {"builtins.delattr", "changes any object"},
    {"builtins.open", "opens files"},                 {"builtins.file", "opens files"},
    {"builtins.input", "reads the terminal"},         {"builtins.breakpoint", "starts a debugger"},
    {"builtins.globals", "reaches the interpreter's globals"}, {"builtins.locals", "reaches local variables"},
    {"builtins.vars", "reaches any object's attributes"}, {"builtins.apply", "calls any function"},
    {"builtins.reload", "re-imports modules"},        {"operator.attrgetter", "reaches any attribute"},
    {"operator.methodcaller", "calls any method"},    {"torch.load", "unpickles again (nested payloads)"},
    {"torch.storage._load_from_bytes", "unpickles again with torch.load (nested payloads)"},
    {"numpy.testing._private.utils.runstring", "runs Python code"},
}};

// PyTorch's weights_only allowlist (torch/_weights_only_unpickler.py, 1.13 and the additions of 2.x).
constexpr std::array<std::string_view, 23> kWeightsOnly{
    "collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter", "torch.serialization._get_layout",
    "torch.Size", "torch.Tensor", "torch.device", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_device_tensor_from_numpy", "torch._tensor._rebuild_from_type_v2",
    "_codecs.encode", "builtins.set", "builtins.complex", "builtins.bytearray", "torch.storage.UntypedStorage"};

bool isTorchTypeName(std::string_view module, std::string_view name)
{
    if (module != "torch")
        return false;
    // dtypes (torch.float32 ...), layouts, qschemes, and the legacy Tensor / Storage classes.
    static constexpr std::array<std::string_view, 31> kTypes{
        "float16", "float32", "float64", "bfloat16", "half", "float", "double", "complex32", "complex64", "complex128",
        "int8", "int16", "int32", "int64", "uint8", "bool", "qint8", "quint8", "qint32", "quint4x2", "strided", "sparse_coo",
        "sparse_csr", "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
        "per_channel_affine_float_qparams", "UntypedStorage", "TypedStorage", "chalf"};
    if (std::find(kTypes.begin(), kTypes.end(), name) != kTypes.end())
        return true;
    return (name.ends_with("Storage") || name.ends_with("Tensor")) && name.size() > 6;
}

} // namespace

Safety classifyGlobal(std::string_view rawModule, std::string_view name, std::string *why)
{
    const std::string_view module = pickle::canonicalModule(rawModule);
    const std::string qualified = std::string(module) + "." + std::string(name);
    for (const auto &[f, what] : kDangerousFunctions)
        if (qualified == f) {
            if (why)
                *why = std::string(what);
            return Safety::Dangerous;
        }
    for (const auto &[m, what] : kDangerousModules)
        if (inModule(module, m)) {
            if (why)
                *why = std::string(what);
            return Safety::Dangerous;
        }
    if (inModule(module, "numpy.testing")) {
        if (why)
            *why = "runs Python code";
        return Safety::Dangerous;
    }
    if (std::find(kWeightsOnly.begin(), kWeightsOnly.end(), qualified) != kWeightsOnly.end() || isTorchTypeName(module, name))
        return Safety::WeightsOnly;
    if (why)
        *why = "not in PyTorch's weights_only allowlist: Python imports and calls it";
    return Safety::NeedsFullUnpickle;
}

std::size_t SafetyReport::count(Safety s) const
{
    return static_cast<std::size_t>(std::count_if(globals.begin(), globals.end(), [s](const GlobalFinding &g) { return g.safety == s; }));
}

namespace {
SafetyReport reportOn(const std::vector<pickle::GlobalReference> &globals, bool torchScript)
{
    SafetyReport report;
    report.torchScript = torchScript;
    std::map<std::pair<std::string, std::string>, GlobalFinding> byName;
    for (const auto &g : globals) {
        const std::string module(pickle::canonicalModule(g.module));
        auto [it, inserted] = byName.try_emplace({module, g.name});
        GlobalFinding &f = it->second;
        if (inserted) {
            f.module = module;
            f.name = g.name;
            f.safety = classifyGlobal(module, g.name, &f.why);
            // TorchScript's own classes are resolved from the archive's code by torch.jit.load, never imported
            // as Python (torch.load hands TorchScript archives to it, weights_only=True or not).
            if (report.torchScript && inModule(module, "__torch__") && f.safety != Safety::Dangerous) {
                f.safety = Safety::WeightsOnly;
                f.why = "a TorchScript class: torch.jit.load compiles it from the archive's code, no Python runs";
            }
        }
        f.places.push_back({g.record, g.offset, g.viaStackGlobal});
    }
    for (auto &[key, f] : byName) {
        report.verdict = std::max(report.verdict, f.safety);
        report.globals.push_back(std::move(f));
    }
    std::stable_sort(report.globals.begin(), report.globals.end(),
                     [](const GlobalFinding &a, const GlobalFinding &b) { return a.safety > b.safety; });
    return report;
}
} // namespace

SafetyReport safetyReport(const RawCheckpoint &raw)
{
    SafetyReport report = reportOn(raw.globals, raw.format == Format::TorchScript);
    report.hasPickle = raw.format != Format::Safetensors
                       && !(raw.format == Format::Sharded && std::all_of(raw.parts.begin(), raw.parts.end(), [](const auto &p) {
                                return p->format == Format::Safetensors;
                            }));
    return report;
}

SafetyReport scanFile(const std::string &path)
{
    std::string readError;
    try {
        return safetyReport(readCheckpoint(path));
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::Malformed && e.kind() != ErrorKind::UnknownFormat && e.kind() != ErrorKind::Unsupported)
            throw;
        readError = e.detail();
    }
    const auto file = MappedFile::open(path);
    const auto bytes = file->bytes();
    std::vector<pickle::GlobalReference> globals;
    auto scan = [&globals](std::span<const std::byte> data, const std::string &record, std::size_t base) {
        const pickle::OpcodeScan s = pickle::scanOpcodes(data);
        for (auto g : s.globals) {
            g.offset += base;
            g.record = record;
            globals.push_back(std::move(g));
        }
        return s;
    };
    bool torchScript = false;
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0) {
        try {
            const ZipArchive zip(bytes);
            for (const auto &e : zip.entries()) {
                torchScript = torchScript || std::string_view(e.name).find("/code/") != std::string_view::npos;
                if (e.method == 0 && std::string_view(e.name).ends_with(".pkl"))
                    scan(zip.storedData(e), std::string(e.name), 0);
            }
        } catch (const Error &) {
            // a broken directory: nothing more to find this way
        }
    } else {
        // Legacy files are pickles one after another; walk them while they parse.
        std::size_t at = 0;
        for (int i = 0; i < 8 && at < bytes.size(); ++i) {
            const pickle::OpcodeScan s = scan(bytes.subspan(at), "pickle " + std::to_string(i + 1), at);
            if (!s.complete)
                break;
            at += s.end;
        }
    }
    SafetyReport report = reportOn(globals, torchScript);
    report.readError = readError;
    return report;
}

namespace {
std::string placeText(const GlobalFinding::Place &p)
{
    return p.record + " @ " + std::to_string(p.offset) + (p.viaStackGlobal ? " (STACK_GLOBAL)" : "");
}
} // namespace

std::string safetyText(const SafetyReport &report, const std::string &path)
{
    std::string out = path + ": ";
    if (!report.readError.empty())
        out += "not readable as a checkpoint (" + report.readError + "); its pickles were scanned opcode by opcode: ";
    if (!report.hasPickle)
        return out + "weights-only (no pickle: safetensors holds only tensors)\n";
    switch (report.verdict) {
    case Safety::WeightsOnly:
        out += report.readError.empty() ? "weights-only: torch.load(weights_only=True) reads it; nothing runs\n"
                                         : "no global outside PyTorch's weights_only allowlist in what could be scanned\n";
        break;
    case Safety::NeedsFullUnpickle:
        out += "needs full unpickling: Python's torch.load needs weights_only=False and then imports and calls the classes below\n";
        break;
    case Safety::Dangerous: out += "DANGEROUS: loading it in Python runs code (never done here)\n"; break;
    }
    for (const auto &g : report.globals) {
        if (g.safety == Safety::WeightsOnly)
            continue;
        out += std::string(g.safety == Safety::Dangerous ? "  ! " : "  ? ") + g.qualifiedName() + "  " + g.why + "\n";
        for (std::size_t i = 0; i < g.places.size() && i < 3; ++i)
            out += "      at " + placeText(g.places[i]) + "\n";
        if (g.places.size() > 3)
            out += "      and " + std::to_string(g.places.size() - 3) + " more places\n";
    }
    const std::size_t allowed = report.count(Safety::WeightsOnly);
    if (allowed)
        out += "  " + std::to_string(allowed) + (allowed == 1 ? " global" : " globals") + " on PyTorch's weights_only allowlist\n";
    return out;
}

std::string safetyJson(const SafetyReport &report, const std::string &path)
{
    std::string out = "{\"file\": " + json::quote(path) + ", \"verdict\": \"" + std::string(safetyName(report.verdict))
                      + "\", \"pickle\": " + (report.hasPickle ? "true" : "false") + ", \"read_error\": "
                      + (report.readError.empty() ? std::string("null") : json::quote(report.readError)) + ", \"torchscript\": "
                      + (report.torchScript ? "true" : "false") + ", \"globals\": [";
    for (std::size_t i = 0; i < report.globals.size(); ++i) {
        const auto &g = report.globals[i];
        out += std::string(i ? ",\n  " : "\n  ") + "{\"module\": " + json::quote(g.module) + ", \"name\": " + json::quote(g.name)
               + ", \"verdict\": \"" + std::string(safetyName(g.safety)) + "\", \"why\": " + json::quote(g.why) + ", \"places\": [";
        for (std::size_t j = 0; j < g.places.size(); ++j)
            out += std::string(j ? ", " : "") + "{\"record\": " + json::quote(g.places[j].record)
                   + ", \"offset\": " + std::to_string(g.places[j].offset)
                   + ", \"stack_global\": " + (g.places[j].viaStackGlobal ? "true" : "false") + "}";
        out += "]}";
    }
    return out + (report.globals.empty() ? "]}\n" : "\n]}\n");
}

} // namespace ckpt

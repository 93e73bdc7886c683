// SPDX-License-Identifier: MIT
#include "safetyreport.h"

#include "format/error.h"
#include "format/jsonwriter.h"
#include "format/mappedfile.h"
#include "format/pickle/globals.h"
#include "format/pickle/opcodescan.h"
#include "format/readers.h"
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
    {"os", "runs commands and changes files"},
    {"posix", "runs commands and changes files"},
    {"nt", "runs commands and changes files"},
    {"subprocess", "starts processes"},
    {"_posixsubprocess", "starts processes"},
    {"_winapi", "starts processes"},
    {"pty", "starts processes"},
    {"commands", "runs commands"},
    {"sys", "changes the interpreter"},
    {"socket", "opens network connections"},
    {"http", "opens network connections"},
    {"httplib", "opens network connections"},
    {"urllib", "opens network connections"},
    {"urllib2", "opens network connections"},
    {"urllib3", "opens network connections"},
    {"requests", "opens network connections"},
    {"ftplib", "opens network connections"},
    {"smtplib", "opens network connections"},
    {"telnetlib", "opens network connections"},
    {"webbrowser", "opens programs"},
    {"shutil", "copies and deletes files"},
    {"tempfile", "creates files"},
    {"io", "opens files"},
    {"_io", "opens files"},
    {"runpy", "runs Python code"},
    {"code", "runs Python code"},
    {"codeop", "compiles Python code"},
    {"importlib", "imports modules"},
    {"pkgutil", "imports modules"},
    {"zipimport", "imports modules"},
    {"ctypes", "calls native code"},
    {"pickle", "unpickles again (nested payloads)"},
    {"_pickle", "unpickles again (nested payloads)"},
    {"cPickle", "unpickles again (nested payloads)"},
    {"marshal", "loads code objects"},
    {"shelve", "unpickles files"},
    {"multiprocessing", "starts processes"},
    {"asyncio", "starts processes"},
    {"pdb", "runs Python code"},
    {"timeit", "runs Python code"},
    {"cProfile", "runs Python code"},
    {"profile", "runs Python code"},
    {"_thread", "starts threads running code"},
    {"torch.hub", "downloads and runs code"},
}};

// Single functions of otherwise harmless modules.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kDangerousFunctions{{
    {"builtins.eval", "evaluates Python code"},
    {"builtins.exec", "runs Python code"},
    {"builtins.execfile", "runs a Python file"},
    {"builtins.compile", "compiles Python code"},
    {"builtins.__import__", "imports modules"},
    {"builtins.getattr", "reaches any attribute (e.g. os.system)"},
    {"builtins.setattr", "changes any object"},
    {"builtins.delattr", "changes any object"},
    {"builtins.open", "opens files"},
    {"builtins.file", "opens files"},
    {"builtins.input", "reads the terminal"},
    {"builtins.breakpoint", "starts a debugger"},
    {"builtins.globals", "reaches the interpreter's globals"},
    {"builtins.locals", "reaches local variables"},
    {"builtins.vars", "reaches any object's attributes"},
    {"builtins.apply", "calls any function"},
    {"builtins.reload", "re-imports modules"},
    {"operator.attrgetter", "reaches any attribute"},
    {"operator.methodcaller", "calls any method"},
    {"torch.load", "unpickles again (nested payloads)"},
    {"torch.storage._load_from_bytes", "unpickles again with torch.load (nested payloads)"},
    {"numpy.testing._private.utils.runstring", "runs Python code"},
}};

// PyTorch's weights_only allowlist: torch/_weights_only_unpickler.py's _get_allowed_globals() of PyTorch >= 2.6,
// with the release that first allowed each entry. "1.13": already in 1.13's list; "2.4": added with quantized
// tensors (_rebuild_qtensor, qschemes, quantized dtypes); "": added by some 2.x release after 1.13.
struct Allowance
{
    bool allowed = false;
    std::string_view since;
};

constexpr std::string_view kSince113 = "1.13";
constexpr std::string_view kSince24 = "2.4";

constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kWeightsOnly{{
    {"collections.OrderedDict", kSince113},
    {"torch.nn.parameter.Parameter", kSince113},
    {"torch.serialization._get_layout", kSince113},
    {"torch.Size", kSince113},
    {"torch.Tensor", kSince113},
    {"torch.storage.TypedStorage", kSince113},
    {"torch.storage.UntypedStorage", kSince113},
    {"torch._utils._rebuild_parameter", kSince113},
    {"torch._utils._rebuild_tensor", kSince113},
    {"torch._utils._rebuild_tensor_v2", kSince113},
    {"torch._utils._rebuild_sparse_tensor", kSince113},
    {"torch._utils._rebuild_meta_tensor_no_storage", kSince113},
    {"torch._utils._rebuild_sparse_csr_tensor", kSince113}, // 1.13's; later releases use _rebuild_sparse_tensor
    {"torch._utils._rebuild_qtensor", kSince24},
    {"torch._utils._rebuild_parameter_with_state", kSince24},
    {"torch._utils._rebuild_wrapper_subclass", kSince24},
    {"collections.Counter", ""},
    {"torch.device", ""},
    {"_codecs.encode", ""},
    {"builtins.bytearray", ""},
    {"builtins.set", ""},
    {"builtins.complex", ""},
    {"torch._utils._rebuild_tensor_v3", ""},
    {"torch._utils._rebuild_nested_tensor", ""},
    {"torch._utils._rebuild_device_tensor_from_numpy", ""},
    {"torch._utils._rebuild_device_tensor_from_cpu_tensor", ""},
    {"torch._tensor._rebuild_from_type_v2", ""},
}};

template<std::size_t N>
bool among(const std::array<std::string_view, N> &names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// dtypes, qschemes, and the legacy Tensor / Storage classes (torch._tensor_classes, torch._storage_classes).
Allowance torchTypeAllowance(std::string_view module, std::string_view name)
{
    static constexpr std::array<std::string_view, 10> kDtypes113{
        "complex32", "complex64", "complex128", "float16", "float32", "float64", "int8", "int16", "int32", "int64"};
    static constexpr std::array<std::string_view, 10> kQuantized{"qint8", "qint32", "quint8", "quint4x2", "quint2x4", "per_tensor_affine",
        "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric", "per_channel_affine_float_qparams"};
    static constexpr std::array<std::string_view, 30> kDtypesLater{"uint8", "bool", "bfloat16", "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz",
        "float8_e4m3fnuz", "float8_e8m0fnu", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2", "uint16", "uint32", "uint64", "int1", "int2", "int3", "int4",
        "int5", "int6", "int7", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7"};
    static constexpr std::array<std::string_view, 12> kCommon{
        "Double", "Float", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool", "BFloat16", "ComplexDouble", "ComplexFloat"};
    static constexpr std::array<std::string_view, 5> kQStorages{"QUInt8", "QInt8", "QInt32", "QUInt4x2", "QUInt2x4"};
    if (module == "torch") {
        if (among(kDtypes113, name))
            return {true, kSince113};
        if (among(kQuantized, name))
            return {true, kSince24};
        if (among(kDtypesLater, name))
            return {true, ""};
    }
    const bool dense = module == "torch" || module == "torch.cuda";
    const bool sparse = module == "torch.sparse" || module == "torch.cuda.sparse";
    if (name.ends_with("Storage") && dense) {
        const auto kind = name.substr(0, name.size() - 7);
        if (among(kCommon, kind) || (module == "torch" && among(kQStorages, kind)))
            return {true, kSince113};
    }
    if (name.ends_with("Tensor") && (dense || sparse)) {
        const auto kind = name.substr(0, name.size() - 6);
        if (among(kCommon, kind) && !kind.starts_with("Complex") && !(sparse && kind == "Bool"))
            return {true, kSince113};
    }
    return {};
}

Allowance weightsOnlyAllowance(std::string_view module, std::string_view name)
{
    for (const auto &[qualified, since] : kWeightsOnly)
        if (qualified.size() == module.size() + 1 + name.size() && qualified.starts_with(module) && qualified[module.size()] == '.'
            && qualified.ends_with(name))
            return {true, since};
    return torchTypeAllowance(module, name);
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
    if (weightsOnlyAllowance(module, name).allowed)
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

constexpr std::string_view kTorchScriptSentence = "TorchScript archive: torch.load hands it to torch.jit.load, PyTorch >= 2.6 refuses weights_only=True for it "
                                                  "(\"Cannot use weights_only=True with TorchScript archives\"), and its code runs when the model is called";

// The opcodes PyTorch's weights-only unpickler reads (torch/_weights_only_unpickler.py): a subset of protocol 2.
// BINFLOAT came with 2.x; 1.13's unpickler stops at it ("Unsupported operand 71").
constexpr std::string_view kWeightsOnlyOpcodes = "c\x81Rbaesu(t\x85\x86\x87N\x89\x88)]}\x8fJKMGXUQhjqr\x8a\x80.";
constexpr unsigned char kBinFloat = 'G';

std::string_view opcodeName(unsigned char op)
{
    switch (op) {
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'T': return "BINSTRING";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x96: return "BYTEARRAY8";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x93: return "STACK_GLOBAL";
    case 'p': return "PUT";
    case 'g': return "GET";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'F': return "FLOAT";
    case 'P': return "PERSID";
    case 'l': return "LIST";
    case 'd': return "DICT";
    case 0x8b: return "LONG4";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return "unknown opcode";
    }
}

// One pickle the opcode walk went through.
struct ScannedPickle
{
    std::string record;
    std::size_t base = 0; // offset of the pickle in the file (legacy files: pickles one after another)
    bool unpickledByTorchLoad = false; // data.pkl of a zip, the pickles of a legacy file
    pickle::OpcodeScan scan;
};

struct FileScan
{
    std::vector<ScannedPickle> pickles;
    bool zip = false;
    bool legacy = false; // starts with torch.save's legacy magic number: five pickles torch.load unpickles
    bool torchScript = false; // a constants.pkl or code/ record: torch.load hands it to torch.jit.load
    bool complete = false; // the pickles torch.load reads were all found and walked to their STOP
};

bool isRecord(std::string_view entry, std::string_view name)
{
    return entry == name || (entry.size() > name.size() && entry.ends_with(name) && entry[entry.size() - name.size() - 1] == '/');
}

// The pickles of a file, walked opcode by opcode: a zip's .pkl records (stored or deflated), or the pickles one
// after another from the start of anything else. Never throws for malformed content.
FileScan scanPickles(std::span<const std::byte> bytes)
{
    FileScan out;
    if (ZipArchive::looksLikeZip(bytes)) {
        out.zip = true;
        try {
            const ZipArchive zip(bytes);
            const ReadLimits limits;
            const std::uint64_t maxRecord = std::min(limits.maxInflatedRecord, detail::unpackBudget(limits, bytes.size()));
            bool dataPkl = false, allComplete = true;
            for (const auto &e : zip.entries()) {
                const std::string_view name = e.name;
                out.torchScript
                    = out.torchScript || isRecord(name, "constants.pkl") || name.starts_with("code/") || name.find("/code/") != std::string_view::npos;
                if (!name.ends_with(".pkl"))
                    continue;
                ScannedPickle p;
                p.record = std::string(name);
                // torch.load unpickles <archive>/data.pkl, the one the reader picks too
                const auto slash = name.find('/');
                p.unpickledByTorchLoad = slash != std::string_view::npos && name.substr(slash + 1) == "data.pkl";
                dataPkl = dataPkl || p.unpickledByTorchLoad;
                try {
                    if (e.method == 0) {
                        p.scan = pickle::scanOpcodes(zip.storedData(e));
                    } else {
                        const std::vector<std::byte> inflated = zip.read(e, maxRecord);
                        p.scan = pickle::scanOpcodes(inflated);
                    }
                } catch (const Error &err) {
                    p.scan = {};
                    p.scan.error = err.detail();
                }
                allComplete = allComplete && p.scan.complete;
                out.pickles.push_back(std::move(p));
            }
            out.complete = dataPkl && allComplete;
        } catch (const Error &) {
            // a broken directory: nothing more to find this way
        }
        return out;
    }
    // Legacy files are pickles one after another: magic number, protocol, sys_info, the object, the storage keys
    // (then raw storage bytes, not pickles). Anything else: torch.load unpickles the first pickle (as the magic
    // number) and gives up; the ones after it are walked too, while they parse.
    std::size_t at = 0;
    int complete = 0;
    bool legacy = false;
    for (int i = 0; i < (legacy ? 5 : 8) && at < bytes.size(); ++i) {
        ScannedPickle p;
        p.record = "pickle " + std::to_string(i + 1);
        p.base = at;
        p.scan = pickle::scanOpcodes(bytes.subspan(at));
        const bool ok = p.scan.complete;
        if (i == 0 && ok) {
            // 0x1950a86a20f9469cfc6c, as LONG1 (protocol 2) or as decimal text (protocols 0 and 1)
            static constexpr unsigned char kLong1[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
            const std::string_view first(reinterpret_cast<const char *>(bytes.data()), p.scan.end);
            legacy = first.find(std::string_view(reinterpret_cast<const char *>(kLong1), sizeof kLong1)) != std::string_view::npos
                || first.find("119547037146038801333356") != std::string_view::npos;
        }
        p.unpickledByTorchLoad = legacy || i == 0;
        at += p.scan.end;
        out.pickles.push_back(std::move(p));
        if (!ok)
            break;
        ++complete;
    }
    out.legacy = legacy;
    out.complete = legacy ? complete == 5 : complete >= 1;
    return out;
}

std::vector<pickle::GlobalReference> globalsOf(const FileScan &scan, bool includeDataPkl)
{
    std::vector<pickle::GlobalReference> out;
    for (const auto &p : scan.pickles) {
        if (!includeDataPkl && p.unpickledByTorchLoad)
            continue;
        for (auto g : p.scan.globals) {
            g.offset += p.base;
            g.record = p.record;
            out.push_back(std::move(g));
        }
    }
    return out;
}

// Python 3.11 pickles an enum member as getattr(Enum, "NAME"): torch.distributed.checkpoint's .metadata
// does so for its memory-format enum, DeepSpeed's optimizer states for ZeroStageEnum. Such a getattr reaches
// nothing else: every call of it in that pickle took one of these classes and a name, and no result of it
// was called.
bool onlyReachesDcpEnums(const pickle::GlobalReference &g)
{
    static constexpr std::array<std::string_view, 5> kEnums{
        "deepspeed.runtime.zero.config.ZeroStageEnum.", // DeepSpeed's optimizer state: zero_stage
        "torch.distributed.checkpoint.metadata._MEM_FORMAT_ENCODING.",
        "torch.distributed.checkpoint.metadata.MEM_FORMAT_ENCODING.",
        "torch.distributed._shard.sharded_tensor.metadata.MEM_FORMAT_ENCODING.",
        "torch.distributed._shard.sharded_tensor.metadata._MEM_FORMAT_ENCODING.",
    };
    if (g.getattrIrregular || g.getattrTargets.empty())
        return false;
    return std::all_of(g.getattrTargets.begin(), g.getattrTargets.end(), [](const std::string &target) {
        return std::any_of(kEnums.begin(), kEnums.end(), [&](std::string_view e) {
            return target.size() > e.size() && std::string_view(target).substr(0, e.size()) == e && target.find('.', e.size()) == std::string::npos;
        });
    });
}

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
            // TorchScript's own classes are compiled from the archive's code by torch.jit.load, never imported as
            // Python; that code runs when the model is called.
            if (report.torchScript && inModule(module, "__torch__") && f.safety != Safety::Dangerous) {
                f.safety = Safety::NeedsFullUnpickle;
                f.why = "a TorchScript class: torch.jit.load compiles it from the archive's code, which runs when the model is called";
            }
        }
        f.places.push_back({g.record, g.offset, g.viaStackGlobal});
    }
    if (auto it = byName.find({"builtins", "getattr"}); it != byName.end() && std::all_of(globals.begin(), globals.end(), [](const pickle::GlobalReference &g) {
            return pickle::canonicalModule(g.module) != "builtins" || g.name != "getattr" || onlyReachesDcpEnums(g);
        })) {
        it->second.safety = Safety::NeedsFullUnpickle;
        it->second.why = "only to name an enum member, as torch.distributed.checkpoint (memory format) and DeepSpeed (ZeroStageEnum) pickle them";
    }
    for (auto &[key, f] : byName) {
        report.verdict = std::max(report.verdict, f.safety);
        report.globals.push_back(std::move(f));
    }
    std::stable_sort(report.globals.begin(), report.globals.end(), [](const GlobalFinding &a, const GlobalFinding &b) { return a.safety > b.safety; });
    if (torchScript)
        report.verdict = std::max(report.verdict, Safety::NeedsFullUnpickle);
    return report;
}

std::string placeText(const GlobalFinding::Place &p)
{
    return p.record + " @ " + std::to_string(p.offset) + (p.viaStackGlobal ? " (STACK_GLOBAL)" : "");
}

// What the opcodes say about PyTorch's weights-only unpickler, for the pickles torch.load unpickles (TorchScript
// archives go to torch.jit.load instead): opcodes no release reads make the verdict NeedsFullUnpickle; BINFLOAT
// only stops 1.13.
void addOpcodeFindings(SafetyReport &report, const FileScan &scan, std::vector<std::string> &olderNotes)
{
    if (report.torchScript || !report.hasPickle)
        return;
    bool binFloatNoted = false;
    for (const auto &p : scan.pickles) {
        if (!p.unpickledByTorchLoad)
            continue;
        for (unsigned op = 0; op < 256; ++op) {
            if (!p.scan.uses(static_cast<unsigned char>(op)))
                continue;
            const GlobalFinding::Place place{p.record, p.base + p.scan.firstUse[op], false};
            if (op == kBinFloat) {
                if (!binFloatNoted)
                    olderNotes.push_back("PyTorch 1.13 refuses weights_only=True for it: its weights-only unpickler lacks pickle "
                                         "opcode BINFLOAT ('G', a Python float such as a learning rate), first at "
                        + placeText(place) + "; PyTorch 2.x reads it");
                binFloatNoted = true;
                continue;
            }
            if (kWeightsOnlyOpcodes.find(static_cast<char>(op)) != std::string_view::npos)
                continue;
            const auto already
                = std::find_if(report.unsupportedOpcodes.begin(), report.unsupportedOpcodes.end(), [op](const OpcodeFinding &f) { return f.opcode == op; });
            if (already != report.unsupportedOpcodes.end())
                continue;
            report.unsupportedOpcodes.push_back({static_cast<unsigned char>(op), std::string(opcodeName(static_cast<unsigned char>(op))), place});
            report.verdict = std::max(report.verdict, Safety::NeedsFullUnpickle);
        }
    }
}

// Globals the current allowlist has but 1.13's (or 1.13 to 2.3's) lacks.
void addOlderAllowlistNotes(const SafetyReport &report, std::vector<std::string> &notes)
{
    if (report.torchScript)
        return;
    std::string since24, later;
    for (const auto &g : report.globals) {
        if (g.safety != Safety::WeightsOnly)
            continue;
        const Allowance a = weightsOnlyAllowance(g.module, g.name);
        if (!a.allowed || a.since == kSince113)
            continue;
        std::string &list = a.since == kSince24 ? since24 : later;
        list += (list.empty() ? "" : ", ") + g.qualifiedName();
    }
    if (!since24.empty())
        notes.push_back("PyTorch 1.13 to 2.3 refuses weights_only=True for it: " + since24 + " (quantized tensors) joined the weights_only allowlist in 2.4");
    if (!later.empty())
        notes.push_back("PyTorch 1.13 refuses weights_only=True for it: " + later + " joined the weights_only allowlist in a later 2.x release");
}

// The notes, in the order the text shows them, once the verdict is known.
void finish(SafetyReport &report, const FileScan *scan)
{
    std::vector<std::string> older;
    if (scan)
        addOpcodeFindings(report, *scan, older);
    addOlderAllowlistNotes(report, older);
    if (report.torchScript && report.verdict == Safety::Dangerous)
        report.notes.push_back(std::string(kTorchScriptSentence));
    if (!report.readError.empty() && report.picklesComplete)
        report.notes.push_back("the tensor data could not be read (" + report.readError
            + "); every pickle was scanned opcode by opcode to its end, so the verdict covers the whole file");
    if (report.verdict == Safety::WeightsOnly)
        report.notes.insert(report.notes.end(), older.begin(), older.end());
}

// The files the reader mapped whose bytes are the checkpoint itself (not a tar or gzip around it).
void scanRawFiles(const RawCheckpoint &raw, FileScan &into)
{
    if (raw.format == Format::Safetensors)
        return;
    if (raw.format == Format::Sharded) {
        for (const auto &part : raw.parts)
            scanRawFiles(*part, into);
        return;
    }
    if (raw.files.empty() || !raw.member.empty())
        return;
    // A gzip or tar around the checkpoint: its pickles are not at the start of the file (not scanned).
    FileScan s = scanPickles(raw.files.front()->bytes());
    if (raw.format == Format::TorchLegacy ? !s.legacy : !s.zip)
        return;
    into.torchScript = into.torchScript || s.torchScript;
    for (auto &p : s.pickles)
        into.pickles.push_back(std::move(p));
}

} // namespace

std::string SafetyReport::summary() const
{
    std::string out;
    if (incomplete())
        out += "not readable as a checkpoint (" + readError + "); its pickles were scanned opcode by opcode: ";
    if (!hasPickle)
        return out + "weights-only (no pickle: safetensors holds only tensors)";
    if (verdict == Safety::Dangerous)
        return out + "DANGEROUS: loading it in Python runs code (never done here)";
    if (torchScript)
        return out + std::string(kTorchScriptSentence);
    if (verdict == Safety::NeedsFullUnpickle && count(Safety::NeedsFullUnpickle) == 0)
        return out
            + "needs full unpickling: PyTorch's weights-only unpickler cannot read its pickle opcodes below, so torch.load "
              "needs weights_only=False (which then imports and calls only globals on the weights_only allowlist)";
    if (verdict == Safety::NeedsFullUnpickle)
        return out + "needs full unpickling: Python's torch.load needs weights_only=False and then imports and calls the classes below";
    if (incomplete())
        return out + "no global outside PyTorch's weights_only allowlist in what could be scanned";
    return out
        + (readError.empty() ? "weights-only: torch.load(weights_only=True) of PyTorch >= 2.6 reads it; nothing runs"
                             : "weights-only: torch.load(weights_only=True) of PyTorch >= 2.6 accepts its pickles; nothing runs");
}

SafetyReport safetyReport(const RawCheckpoint &raw)
{
    FileScan scan;
    scanRawFiles(raw, scan);
    // The reader unpickled data.pkl (or the legacy pickles) itself; other .pkl records (TorchScript's constants.pkl
    // ...) are only walked.
    std::vector<pickle::GlobalReference> globals = raw.globals;
    for (auto &g : globalsOf(scan, false))
        globals.push_back(std::move(g));
    SafetyReport report = reportOn(globals, raw.format == Format::TorchScript || scan.torchScript);
    report.hasPickle = raw.format != Format::Safetensors
        && !(raw.format == Format::Sharded && std::all_of(raw.parts.begin(), raw.parts.end(), [](const auto &p) { return p->format == Format::Safetensors; }));
    finish(report, &scan);
    return report;
}

SafetyReport scanFile(const std::string &path)
{
    std::string readError;
    try {
        return safetyReport(readCheckpoint(path));
    } catch (const Error &e) {
        // A file that opens but does not read as a checkpoint: broken pickles, missing, short or unsupported tensor
        // records, limits. Opening errors (not found, permissions, I/O) and cancelling end the scan.
        switch (e.kind()) {
        case ErrorKind::Malformed:
        case ErrorKind::UnknownFormat:
        case ErrorKind::Unsupported:
        case ErrorKind::Truncated:
        case ErrorKind::LimitExceeded: break;
        default: throw;
        }
        readError = e.detail();
    }
    const auto file = MappedFile::open(path);
    const FileScan scan = scanPickles(file->bytes());
    SafetyReport report = reportOn(globalsOf(scan, true), scan.torchScript);
    report.readError = readError;
    report.picklesComplete = scan.complete;
    finish(report, &scan);
    return report;
}

std::string safetyText(const SafetyReport &report, const std::string &path)
{
    std::string out = path + ": " + report.summary() + "\n";
    if (!report.hasPickle)
        return out;
    for (const auto &g : report.globals) {
        if (g.safety == Safety::WeightsOnly)
            continue;
        out += std::string(g.safety == Safety::Dangerous ? "  ! " : "  ? ") + g.qualifiedName() + "  " + g.why + "\n";
        for (std::size_t i = 0; i < g.places.size() && i < 3; ++i)
            out += "      at " + placeText(g.places[i]) + "\n";
        if (g.places.size() > 3)
            out += "      and " + std::to_string(g.places.size() - 3) + " more places\n";
    }
    for (const auto &o : report.unsupportedOpcodes)
        out += "  ? pickle opcode " + o.name + "  no release of PyTorch's weights-only unpickler reads it (\"Unsupported operand " + std::to_string(o.opcode)
            + "\")\n      at " + placeText(o.place) + "\n";
    for (const auto &n : report.notes)
        out += "  note: " + n + "\n";
    const std::size_t allowed = report.count(Safety::WeightsOnly);
    if (allowed)
        out += "  " + std::to_string(allowed) + (allowed == 1 ? " global" : " globals") + " on PyTorch's weights_only allowlist\n";
    return out;
}

std::string safetyJson(const SafetyReport &report, const std::string &path)
{
    std::string out;
    json::Writer w(out);
    w.beginObject();
    w.key("file").string(path).key("verdict").string(safetyName(report.verdict)).key("summary").string(report.summary());
    w.key("pickle").boolean(report.hasPickle).key("read_error");
    report.readError.empty() ? w.null() : w.string(report.readError);
    w.key("pickles_complete").boolean(report.picklesComplete).key("torchscript").boolean(report.torchScript);
    w.key("notes").beginArray();
    for (const auto &n : report.notes)
        w.string(n);
    w.end().key("unsupported_opcodes").beginArray();
    for (const auto &o : report.unsupportedOpcodes)
        w.beginObject()
            .key("opcode")
            .string(o.name)
            .key("code")
            .integer(o.opcode)
            .key("record")
            .string(o.place.record)
            .key("offset")
            .integer(o.place.offset)
            .end();
    // One global per line: a scan of many files stays readable with grep.
    w.end().key("globals").beginArray(json::Layout::Lines);
    for (const auto &g : report.globals) {
        w.beginObject().key("module").string(g.module).key("name").string(g.name).key("verdict").string(safetyName(g.safety)).key("why").string(g.why);
        w.key("places").beginArray();
        for (const auto &p : g.places)
            w.beginObject().key("record").string(p.record).key("offset").integer(p.offset).key("stack_global").boolean(p.viaStackGlobal).end();
        w.end().end();
    }
    w.end().end();
    out += '\n';
    return out;
}

} // namespace ckpt

// SPDX-License-Identifier: MIT
// What a checkpoint would do in Python's torch.load: every global its pickles reference, where, and a
// verdict in picklescan's and fickling's terms. Nothing here imports or calls anything.
#pragma once

#include "format/rawcheckpoint.h"

#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// Ordered by severity; the numbers are `ckpt scan`'s exit codes.
enum class Safety {
    WeightsOnly = 0, // only what torch.load(weights_only=True) of PyTorch >= 2.6 allows: safe to load
    NeedsFullUnpickle = 1, // other classes (or TorchScript), inert here, but Python needs weights_only=False, which runs their code
    Dangerous = 3, // references that execute code or touch the system (os.system, builtins.eval ...)
};

// "weights-only", "needs-full-unpickle", "dangerous"
std::string_view safetyName(Safety s);

struct GlobalFinding
{
    std::string module, name; // as the pickle names them (Python 2 names mapped as Python 3 does)
    Safety safety = Safety::WeightsOnly;
    std::string why; // for dangerous ones: what it can do
    struct Place
    {
        std::string record; // which pickle
        std::size_t offset = 0;
        bool viaStackGlobal = false; // built from strings on the stack (STACK_GLOBAL)
    };
    std::vector<Place> places;
    std::string qualifiedName() const { return module + "." + name; }
};

// A pickle opcode that no release of PyTorch's weights-only unpickler reads (it knows a fixed subset of
// protocol 2): torch.load(weights_only=True) stops with "Unsupported operand", so Python needs weights_only=False.
struct OpcodeFinding
{
    unsigned char opcode = 0;
    std::string name; // "FRAME", "SHORT_BINUNICODE" ...
    GlobalFinding::Place place; // where it first occurs
};

struct SafetyReport
{
    // What PyTorch >= 2.6 would need: its weights_only allowlist and unpickler decide WeightsOnly.
    Safety verdict = Safety::WeightsOnly;
    bool hasPickle = true; // safetensors: no pickle at all
    // torch.load hands it to torch.jit.load (TorchScript's own loader); PyTorch >= 2.6 refuses weights_only=True
    // for it and its code runs when the model is called: never WeightsOnly.
    bool torchScript = false;
    std::vector<GlobalFinding> globals; // most severe first, then by name
    std::vector<OpcodeFinding> unsupportedOpcodes; // in the pickles torch.load unpickles (not TorchScript's)
    // Things the verdict does not show: why an older PyTorch (1.13 ...) refuses weights_only=True although the
    // current one reads the file, that a TorchScript archive is also dangerous, that the tensor data is unreadable.
    std::vector<std::string> notes;
    // When the file could not be read as a checkpoint: why; its pickles were then scanned opcode by opcode,
    // because Python runs what comes before the point where a pickle breaks.
    std::string readError;
    // With readError: every pickle torch.load would unpickle was scanned to its STOP, so the verdict covers the
    // whole file (only the tensor data could not be read). Without: the scan stopped where a pickle broke.
    bool picklesComplete = true;
    std::size_t count(Safety s) const;
    // The verdict as one sentence ("weights-only: ...", "TorchScript archive: ...", "DANGEROUS: ...").
    std::string summary() const;
    // The file gives no full answer: it could not be read and its pickles could not be scanned to their end.
    bool incomplete() const { return !readError.empty() && !picklesComplete; }
};

// Classifies one global (module.name) against PyTorch's current (>= 2.6) weights_only allowlist.
Safety classifyGlobal(std::string_view module, std::string_view name, std::string *why = nullptr);

SafetyReport safetyReport(const RawCheckpoint &raw);
// Reads path and reports on it; a file the reader rejects (malformed, truncated, missing or unsupported tensor
// records ...) is scanned opcode by opcode instead (zip records ending in .pkl, stored or deflated, or the
// pickles one after another from the start). Throws ckpt::Error when the file cannot be opened at all.
SafetyReport scanFile(const std::string &path);

// The `ckpt scan` text and JSON.
std::string safetyText(const SafetyReport &report, const std::string &path);
std::string safetyJson(const SafetyReport &report, const std::string &path);

} // namespace ckpt

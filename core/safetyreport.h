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
    WeightsOnly = 0,    // only what torch.load(weights_only=True) allows: safe to load
    NeedsFullUnpickle = 1, // other classes, inert here, but Python needs weights_only=False, which runs their code
    Dangerous = 3,      // references that execute code or touch the system (os.system, builtins.eval ...)
};

// "weights-only", "needs-full-unpickle", "dangerous"
std::string_view safetyName(Safety s);

struct GlobalFinding
{
    std::string module, name; // as the pickle names them (Python 2 names mapped as Python 3 does)
    Safety safety = Safety::WeightsOnly;
    std::string why;          // for dangerous ones: what it can do
    struct Place
    {
        std::string record;   // which pickle
        std::size_t offset = 0;
        bool viaStackGlobal = false; // built from strings on the stack (STACK_GLOBAL)
    };
    std::vector<Place> places;
    std::string qualifiedName() const { return module + "." + name; }
};

struct SafetyReport
{
    Safety verdict = Safety::WeightsOnly;
    bool hasPickle = true;             // safetensors: no pickle at all
    bool torchScript = false;          // torch.load hands it to torch.jit.load (TorchScript's own loader)
    std::vector<GlobalFinding> globals; // most severe first, then by name
    // When the file could not be read as a checkpoint: why; its pickles were then scanned opcode by opcode,
    // because Python runs what comes before the point where a pickle breaks.
    std::string readError;
    std::size_t count(Safety s) const;
};

// Classifies one global (module.name).
Safety classifyGlobal(std::string_view module, std::string_view name, std::string *why = nullptr);

SafetyReport safetyReport(const RawCheckpoint &raw);
// Reads path and reports on it; a file the reader rejects is scanned opcode by opcode instead (zip records
// ending in .pkl, or the pickles one after another from the start). Throws ckpt::Error when the file cannot
// be opened at all.
SafetyReport scanFile(const std::string &path);

// The `ckpt scan` text and JSON.
std::string safetyText(const SafetyReport &report, const std::string &path);
std::string safetyJson(const SafetyReport &report, const std::string &path);

} // namespace ckpt

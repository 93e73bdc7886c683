// The globals a pickle references, found by walking its opcodes without building anything: what a
// scanner needs when the pickle is malformed after its payload (Python runs the payload before it fails).
#pragma once

#include "picklemachine.h"

#include <span>
#include <string>
#include <vector>

namespace ckpt::pickle {

struct OpcodeScan
{
    std::vector<GlobalReference> globals;
    std::size_t end = 0;   // the byte after STOP, or where the walk stopped
    bool complete = false; // reached STOP
    std::string error;     // why the walk stopped early
};

// GLOBAL and INST name their global; STACK_GLOBAL takes the last two strings pushed, directly or from
// the memo (BINGET of a memoised string), as Python's unpickler would find them on the stack.
OpcodeScan scanOpcodes(std::span<const std::byte> data);

} // namespace ckpt::pickle

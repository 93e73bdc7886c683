// SPDX-License-Identifier: MIT
// The globals a pickle references, found by walking its opcodes without building anything: what a
// scanner needs when the pickle is malformed after its payload (Python runs the payload before it fails).
#pragma once

#include "picklemachine.h"

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace ckpt::pickle {

struct OpcodeScan
{
    std::vector<GlobalReference> globals;
    std::size_t end = 0; // the byte after STOP, or where the walk stopped
    bool complete = false; // reached STOP
    std::string error; // why the walk stopped early
    // Where each opcode first occurs (kNever: not at all), for telling which unpicklers can read the pickle
    // (PyTorch's weights-only unpickler reads a fixed subset of protocol 2).
    static constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();
    std::array<std::size_t, 256> firstUse = makeNever();
    bool uses(unsigned char op) const { return firstUse[op] != kNever; }

private:
    static constexpr std::array<std::size_t, 256> makeNever()
    {
        std::array<std::size_t, 256> a{};
        a.fill(kNever);
        return a;
    }
};

// GLOBAL and INST name their global; STACK_GLOBAL takes the last two strings pushed, directly or from
// the memo (BINGET of a memoised string), as Python's unpickler would find them on the stack.
OpcodeScan scanOpcodes(std::span<const std::byte> data);

} // namespace ckpt::pickle

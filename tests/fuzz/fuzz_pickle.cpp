// SPDX-License-Identifier: MIT
// The pickle VM on raw bytes (every persistent id becomes a small storage), and the opcode scanner.
#include "fuzzsupport.h"
#include "format/pickle/opcodescan.h"
#include "format/pickle/picklemachine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    (void)ckpt::pickle::scanOpcodes(bytes);
    static const std::byte storageBytes[64] = {};
    try {
        ckpt::pickle::Arena arena(200'000);
        ckpt::pickle::PickleMachine vm(arena, [&arena](ckpt::pickle::Value *) -> ckpt::pickle::Value * {
            auto *s = arena.make<ckpt::pickle::StorageValue>();
            s->dtype = ckpt::DType::Float32;
            s->numel = 16;
            s->bytes = std::span<const std::byte>(storageBytes, sizeof storageBytes);
            s->resolved = true;
            return s;
        });
        (void)vm.load(bytes);
    } catch (const ckpt::Error &) { }
    return 0;
}

// SPDX-License-Identifier: MIT
// Folders of multi-GPU training: torch.distributed.checkpoint (.metadata and __<rank>_0.distcp) and DeepSpeed
// ZeRO roots (latest, model and optimizer state files per rank). The input is a small archive of files (see
// kNames and unpack), written into a fresh folder and opened as a user opens one; then every tensor that is
// put together from pieces is put together, streamed block by block and whole, as saving and diffing do.
#include "fuzzsupport.h"

#include "format/rawcheckpoint.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>

namespace {

// The files a folder of either kind holds. A record's first byte picks one (modulo the count).
constexpr const char *kNames[] = {
    ".metadata",
    "__0_0.distcp",
    "__1_0.distcp",
    "__2_0.distcp",
    "latest",
    "global_step7/mp_rank_00_model_states.pt",
    "global_step7/zero_pp_rank_0_mp_rank_00_model_states.pt",
    "global_step7/zero_pp_rank_1_mp_rank_00_model_states.pt",
    "global_step7/zero_pp_rank_2_mp_rank_00_model_states.pt",
    "global_step7/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt",
    "global_step7/bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt",
    "global_step7/bf16_zero_pp_rank_2_mp_rank_00_optim_states.pt",
    "global_step7/zero_pp_rank_0_mp_rank_00_optim_states.pt",
    "global_step7/zero_pp_rank_1_mp_rank_00_optim_states.pt",
};
constexpr std::size_t kNameCount = sizeof kNames / sizeof kNames[0];

void writeFile(const std::string &path, const std::uint8_t *data, std::size_t size)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)))
        std::abort(); // the harness failed, not the code under test
    ::close(fd);
}

// Records: [name byte][length, 4 bytes little-endian][data]; a length past the end takes what is left.
void unpack(const std::string &dir, const std::uint8_t *data, std::size_t size)
{
    std::size_t at = 0;
    while (at + 5 <= size) {
        const char *name = kNames[data[at] % kNameCount];
        std::uint32_t length = 0;
        std::memcpy(&length, data + at + 1, 4);
        at += 5;
        const std::size_t n = std::min<std::size_t>(length, size - at);
        writeFile(dir + "/" + name, data + at, n);
        at += n;
    }
}

void removeFolder(const std::string &dir)
{
    for (const char *name : kNames)
        ::unlink((dir + "/" + name).c_str());
    ::rmdir((dir + "/global_step7").c_str());
    ::rmdir(dir.c_str());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // /dev/shm: files in memory, as fast as the memory files of the other targets.
    char tmpl[] = "/dev/shm/fuzz-folder-XXXXXX";
    if (!::mkdtemp(tmpl))
        std::abort();
    const std::string dir = tmpl;
    ::mkdir((dir + "/global_step7").c_str(), 0700);
    unpack(dir, data, size);
    try {
        const ckpt::RawCheckpoint raw = ckpt::readCheckpoint(dir, fuzzLimits());
        exerciseCheckpoint(raw);
        for (const auto &d : raw.deferred) {
            if (d->size() > (1u << 20)) // a declared shape may be huge; its pieces would not hold it
                continue;
            std::vector<std::byte> block(4096);
            for (std::uint64_t at = 0; at < d->size(); at += block.size())
                d->fill(at, std::span<std::byte>(block.data(), std::min<std::uint64_t>(block.size(), d->size() - at)));
            std::uint64_t visited = 0;
            unsigned touched = 0;
            const bool whole = d->visit([&](std::span<const std::byte> s) {
                visited += s.size();
                if (!s.empty())
                    touched ^= static_cast<unsigned>(s.front()) ^ static_cast<unsigned>(s.back());
            });
            if (whole && visited != d->size())
                std::abort(); // pieces said to be the whole must add up to it
            (void)touched;
            (void)d->whole();
        }
    } catch (const ckpt::Error &) {
        // a typed error is the expected outcome for most inputs
    }
    removeFolder(dir);
    return 0;
}

// SPDX-License-Identifier: MIT
// `ckpt diff` of two checkpoints (1 GiB or 10 GiB each) against the Python baseline (torch.load both, the same metrics),
// measured in the same run. Usage: bench_diff CKPT_BINARY PYTHON BASELINE_SCRIPT A B
#include "processbench.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT A B\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3], a = argv[4], b = argv[5];
    const double gb = fileGB(a) + fileGB(b);
    runProcess({"/bin/cat", a, b}); // warm the page cache (as far as both files fit in it)
    // ckpt diff exits 1: the files differ.
    const Race r = race({ckpt, "diff", a, b, "--json"}, 1, {python, script, a, b});
    std::printf("| diff of %s and %s (%.2f GB) | time | throughput | peak RSS |\n|---|---:|---:|---:|\n", a.substr(a.rfind('/') + 1).c_str(),
        b.substr(b.rfind('/') + 1).c_str(), gb);
    std::printf("| `ckpt diff A B --json` (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", r.ours, gb / r.ours, r.oursPeakMB);
    std::printf("| Python: `torch.load` both + the same metrics (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", r.theirs, gb / r.theirs, r.theirsPeakMB);
    std::printf("| speed-up | %.1fx | | |\n", r.theirs / r.ours);
    return 0;
}

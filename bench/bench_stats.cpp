// SPDX-License-Identifier: MIT
// `ckpt inspect --stats --json` against Python's per-tensor statistics after torch.load, and against `cat` of
// the same cached file (the read limit), measured in the same run, page cache warm.
// Usage: bench_stats CKPT PYTHON BASELINE_SCRIPT FILE...   Python runs only on files under 4 GB (it holds
// the whole file in memory; on 10 GB it would push the file out of the page cache it is compared with).
#include "processbench.h"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT FILE...\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3];
    std::printf("| statistics of every tensor, page cache warm | size | `ckpt inspect --stats --json` | throughput | peak RSS | Python: load + "
                "per-tensor statistics | peak RSS | speed-up | `cat` (read limit) | ours / `cat` | listing peak RSS |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 4; i < argc; ++i) {
        const std::string file = argv[i];
        const double gb = fileGB(file);
        runProcess({"/bin/cat", file}); // warm the cache
        std::vector<double> cat;
        for (int r = 0; r < 3; ++r)
            cat.push_back(runProcess({"/bin/cat", file}).seconds);
        const double catSeconds = median(cat);
        const std::string name = file.substr(file.rfind('/') + 1);
        const double listingMB = static_cast<double>(runProcess({ckpt, "inspect", "--json", file}).peakRssKiB) / 1024.0;
        if (gb < 4) {
            const Race r = race({ckpt, "inspect", "--stats", "--json", file}, 0, {python, script, file});
            std::printf("| %s | %.2f GB | %.2f s | %.1f GB/s | %.0f MB | %.2f s | %.0f MB | %.1fx | %.2f s | %.1fx | %.0f MB |\n", name.c_str(), gb, r.ours,
                gb / r.ours, r.oursPeakMB, r.theirs, r.theirsPeakMB, r.theirs / r.ours, catSeconds, r.ours / catSeconds, listingMB);
        } else {
            std::vector<double> ours;
            double peak = 0;
            for (int r = 0; r < 3; ++r) {
                const ProcessResult p = runProcess({ckpt, "inspect", "--stats", "--json", file});
                if (p.exitCode != 0) {
                    std::fprintf(stderr, "ckpt inspect --stats failed on %s\n", file.c_str());
                    return 2;
                }
                ours.push_back(p.seconds);
                peak = std::max(peak, static_cast<double>(p.peakRssKiB) / 1024.0);
            }
            const double s = median(ours);
            std::printf("| %s | %.2f GB | %.2f s | %.1f GB/s | %.0f MB | (not run) | | | %.2f s | %.1fx | %.0f MB |\n", name.c_str(), gb, s, gb / s, peak,
                catSeconds, s / catSeconds, listingMB);
        }
    }
    return 0;
}

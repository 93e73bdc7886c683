// `ckpt diff` of two 1 GiB checkpoints against the Python baseline (torch.load both, the same metrics),
// measured in the same run. Usage: bench_diff CKPT_BINARY PYTHON BASELINE_SCRIPT A B
#include "processbench.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {
double fileGB(const std::string &path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) / 1e9 : 0.0;
}
} // namespace

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT A B\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3], a = argv[4], b = argv[5];
    const double gb = fileGB(a) + fileGB(b);
    std::vector<double> ours;
    long oursPeak = 0;
    for (int i = 0; i < 3; ++i) {
        const ProcessResult r = runProcess({ckpt, "diff", a, b, "--json"});
        if (r.exitCode != 1) { // the files differ
            std::fprintf(stderr, "ckpt diff exited with %d\n", r.exitCode);
            return 2;
        }
        ours.push_back(r.seconds);
        oursPeak = std::max(oursPeak, r.peakRssKiB);
    }
    std::vector<double> theirs;
    long theirsPeak = 0;
    for (int i = 0; i < 2; ++i) {
        const ProcessResult r = runProcess({python, script, a, b});
        if (r.exitCode != 0) {
            std::fprintf(stderr, "the Python baseline failed\n");
            return 2;
        }
        theirs.push_back(r.seconds);
        theirsPeak = std::max(theirsPeak, r.peakRssKiB);
    }
    // Ours: the median of 3; Python: the best of 2 (in its favour).
    const double o = median(ours), t = *std::min_element(theirs.begin(), theirs.end());
    std::printf("| diff of two 1 GiB checkpoints (%.2f GB) | time | throughput | peak RSS |\n|---|---:|---:|---:|\n", gb);
    std::printf("| `ckpt diff A B --json` (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", o, gb / o, oursPeak / 1024.0);
    std::printf("| Python: `torch.load` both + the same metrics (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", t, gb / t,
                theirsPeak / 1024.0);
    std::printf("| speed-up | %.1fx | | |\n", t / o);
    return 0;
}

// SPDX-License-Identifier: MIT
// Listing speed and memory of `ckpt inspect` against Python's torch.load on the same files, measured in
// the same run. Usage: bench_inspect CKPT_BINARY PYTHON FILE... Prints a Markdown table with ratios.
#include "checkpoint.h"
#include "format/error.h"
#include "inspectreport.h"
#include "processbench.h"

#include <algorithm>
#include <chrono>
#include <malloc.h>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
volatile std::uint64_t g_sink = 0;

std::string fileName(const std::string &path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s CKPT_BINARY PYTHON FILE...\n", argv[0]);
        return 2;
    }
    const std::string ckptBinary = argv[1];
    const std::string python = argv[2];
    const int runs = 5;
    std::printf("| file | tensors | in-process open+list | JSON text (in-process) | `ckpt inspect --json` | peak RSS | Python `torch.load` (in-process) | "
                "`python -c torch.load` | peak "
                "RSS | whole-process speed-up |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 3; i < argc; ++i) {
        const std::string file = argv[i];
        // Whole processes first, while this one is small: a child's peak RSS (wait4) counts the pages it
        // shares with this process when forked, so after the in-process runs it would show this one's heap.
        std::vector<double> cliTimes;
        long cliRss = 0;
        for (int r = 0; r < runs; ++r) {
            const auto res = runProcess({ckptBinary, "inspect", "--json", file});
            if (res.exitCode != 0) {
                std::fprintf(stderr, "ckpt failed on %s\n", file.c_str());
                return 2;
            }
            cliTimes.push_back(res.seconds);
            cliRss = std::max(cliRss, res.peakRssKiB);
        }
        // Python: whole process (interpreter + import torch + torch.load), and torch.load alone as it reports.
        std::vector<double> pyTimes;
        long pyRss = 0;
        for (int r = 0; r < 3; ++r) {
            const auto res = runProcess({python, "-c", "import sys, torch; torch.load(sys.argv[1])", file});
            if (res.exitCode != 0) {
                std::fprintf(stderr, "python failed on %s\n", file.c_str());
                return 2;
            }
            pyTimes.push_back(res.seconds);
            pyRss = std::max(pyRss, res.peakRssKiB);
        }
        const std::string timeLoad = "/tmp/ckpt_bench_torch_load_time";
        runProcess({python, "-c",
            "import sys, time, torch\n"
            "best = 1e9\n"
            "for _ in range(3):\n"
            "    t = time.perf_counter(); torch.load(sys.argv[1]); best = min(best, time.perf_counter() - t)\n"
            "open(sys.argv[2], 'w').write(repr(best))\n",
            file, timeLoad});
        double pyInProcess = 0;
        if (FILE *f = std::fopen(timeLoad.c_str(), "r")) {
            if (std::fscanf(f, "%lf", &pyInProcess) != 1)
                pyInProcess = 0;
            std::fclose(f);
        }
        std::vector<double> inProcess;
        std::size_t tensors = 0;
        for (int r = 0; r < runs; ++r) {
            const auto start = Clock::now();
            try {
                const auto c = ckpt::Checkpoint::open(file);
                // Touch what a listing shows, so nothing is optimised away.
                std::uint64_t total = 0;
                for (const auto &t : c->tensors())
                    total += t.numel() + t.name.size();
                g_sink = total;
                tensors = c->tensors().size();
            } catch (const ckpt::Error &e) {
                std::fprintf(stderr, "%s\n", e.what());
                return 2;
            }
            inProcess.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        }
        // The JSON text alone, from the open checkpoint, in blocks as `inspect --json` writes it: the share of
        // its time spent writing it.
        std::vector<double> jsonTimes;
        std::size_t jsonBytes = 0;
        {
            const auto c = ckpt::Checkpoint::open(file);
            for (int r = 0; r < runs; ++r) {
                jsonBytes = 0;
                const auto start = Clock::now();
                ckpt::inspectJson(*c, {}, [&jsonBytes](std::string_view block) { jsonBytes += block.size(); });
                jsonTimes.push_back(std::chrono::duration<double>(Clock::now() - start).count());
            }
        }
        ::malloc_trim(0); // give the in-process runs' heap back before the next file's child processes
        const double ours = median(cliTimes);
        const double theirs = median(pyTimes);
        std::printf("| %s | %zu | %.1f ms | %.1f ms (%.1f MB) | %.0f ms | %.0f MB | %.0f ms | %.0f ms | %.0f MB | %.1fx |\n", fileName(file).c_str(), tensors,
            median(inProcess) * 1000, median(jsonTimes) * 1000, jsonBytes / 1e6, ours * 1000, cliRss / 1024.0, pyInProcess * 1000, theirs * 1000,
            pyRss / 1024.0, theirs / ours);
        std::fflush(stdout);
    }
    std::printf("\nMedians of %d runs (Python: 3), warm page cache, on this machine (`nproc` = %ld).\n", runs, sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}

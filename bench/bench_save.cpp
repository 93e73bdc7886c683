// SPDX-License-Identifier: MIT
// `ckpt save IN OUT` of an untouched checkpoint against `cp` of the same file (with and without the `sync`
// that makes it durable, as ckpt's fsync does) and against Python's torch.load + torch.save, in the same run.
// Runs alternate, each on a new output after the last one is removed and synced, so that freeing the old
// file and flushing its pages never land in a timed run. Usage: bench_save CKPT PYTHON BASELINE_SCRIPT IN OUTDIR
#include "processbench.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {
void removeAndSync(const std::string &path)
{
    ::unlink(path.c_str());
    ::sync();
}

ProcessResult mustRun(const std::vector<std::string> &argv)
{
    const ProcessResult r = runProcess(argv);
    if (r.exitCode != 0) {
        std::fprintf(stderr, "%s exited with %d\n", argv.front().c_str(), r.exitCode);
        std::exit(2);
    }
    return r;
}
} // namespace

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT IN OUTDIR\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3], in = argv[4], dir = argv[5];
    const std::string oursOut = dir + "/bench_save_ours.pt", cpOut = dir + "/bench_save_cp.pt", pyOut = dir + "/bench_save_python.pt";
    const double gb = fileGB(in);
    runProcess({"/bin/cat", in}); // warm the cache
    std::vector<double> ours, cp, cpSync, pythonRuns;
    double oursPeak = 0, pythonPeak = 0;
    for (int round = 0; round < 5; ++round) {
        removeAndSync(cpOut);
        const double copy = mustRun({"/bin/cp", in, cpOut}).seconds;
        cp.push_back(copy);
        cpSync.push_back(copy + mustRun({"/bin/sync"}).seconds);
        removeAndSync(cpOut);
        removeAndSync(oursOut);
        const ProcessResult r = mustRun({ckpt, "save", in, oursOut});
        ours.push_back(r.seconds);
        oursPeak = std::max(oursPeak, static_cast<double>(r.peakRssKiB) / 1024.0);
        removeAndSync(oursOut);
        if (round < 2) {
            removeAndSync(pyOut);
            const ProcessResult p = mustRun({python, script, in, pyOut});
            pythonRuns.push_back(p.seconds);
            pythonPeak = std::max(pythonPeak, static_cast<double>(p.peakRssKiB) / 1024.0);
            removeAndSync(pyOut);
        }
    }
    const double o = median(ours), c = median(cp), cs = median(cpSync), p = *std::min_element(pythonRuns.begin(), pythonRuns.end());
    std::printf("| re-save of an untouched checkpoint (%.2f GB), medians of 5 | time | peak RSS | ckpt's time / this |\n|---|---:|---:|---:|\n", gb);
    std::printf("| `ckpt save IN OUT` (temporary file, fsync, verification, rename) | %.2f s | %.0f MB | |\n", o, oursPeak);
    std::printf("| `cp IN OUT` | %.2f s | | %.2fx |\n", c, o / c);
    std::printf("| `cp IN OUT && sync` | %.2f s | | %.2fx |\n", cs, o / cs);
    std::printf("| Python: `torch.load` + `torch.save` + fsync (best of 2) | %.2f s | %.0f MB | %.2fx (ckpt %.1fx faster) |\n", p, pythonPeak, o / p, p / o);
    return 0;
}

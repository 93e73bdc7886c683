// SPDX-License-Identifier: MIT
// Folders of multi-GPU training (a torch.distributed.checkpoint folder and a DeepSpeed ZeRO-3 root, from
// bench/make_folder_bench_data.py) against Python putting them together with the sources' own algorithm
// (bench/bench_folders.py), measured in the same run: open and list, consolidate (time and peak RSS, also
// against cp of the same folder) and diff against the consolidated file.
// Usage: bench_folders CKPT PYTHON BASELINE_SCRIPT WORKDIR FOLDER...
#include "processbench.h"

#include "checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

double folderGB(const std::string &dir)
{
    double gb = 0;
    for (const auto &e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            gb += static_cast<double>(e.file_size()) / 1e9;
    return gb;
}

double seconds(const std::vector<std::string> &argv)
{
    const ProcessResult r = runProcess(argv);
    if (r.exitCode != 0) {
        std::fprintf(stderr, "%s exited with %d\n", argv.front().c_str(), r.exitCode);
        std::exit(2);
    }
    return r.seconds;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 6) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT WORKDIR FOLDER...\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3], work = argv[4];
    for (int i = 5; i < argc; ++i) {
        const std::string dir = argv[i];
        const std::string name = std::filesystem::path(dir).filename().string();
        const std::string ours = work + "/" + name + "_ckpt.pt", theirs = work + "/" + name + "_python.pt", copy = work + "/" + name + "_copy";
        std::uint64_t largest = 0;
        std::size_t tensors = 0;
        {
            const auto c = ckpt::Checkpoint::open(dir);
            for (const auto &t : c->tensors())
                largest = std::max<std::uint64_t>(largest, t.nbytes());
            tensors = c->tensors().size();
        }
        const double gb = folderGB(dir), largestMB = static_cast<double>(largest) / (1 << 20);
        std::printf("| %s: %.2f GB, %zu tensors, the largest %.0f MB | ours | Python | ratio |\n|---|---:|---:|---:|\n", name.c_str(), gb, tensors, largestMB);

        const Race list = race({ckpt, "inspect", dir, "--json"}, 0, {python, script, "list", dir});
        std::printf("| open and list (`ckpt inspect DIR --json`; Python puts it together) | %.2f s, %.0f MB | %.2f s, %.0f MB | %.0fx |\n", list.ours,
            list.oursPeakMB, list.theirs, list.theirsPeakMB, list.theirs / list.ours);
        if (std::filesystem::exists(dir + "/.metadata")) {
            const double metadataOnly = std::min(seconds({python, script, "list-metadata", dir}), seconds({python, script, "list-metadata", dir}));
            std::printf(
                "| (Python reading .metadata alone, no tensor: the least a listing can do) | | %.2f s | %.1fx |\n", metadataOnly, metadataOnly / list.ours);
        }

        // Each run writes a new file, as cp below does: writing over the last run's output would add the time
        // the file system takes to free it. Ours the median of 3, Python the best of 2, as race() has it.
        auto consolidate = [&](const std::vector<std::string> &argv, const std::string &out, int runs, double &peakMB) {
            std::vector<double> times;
            for (int run = 0; run < runs; ++run) {
                std::filesystem::remove(out);
                seconds({"/bin/sync"});
                const ProcessResult r = runProcess(argv);
                if (r.exitCode != 0) {
                    std::fprintf(stderr, "%s exited with %d\n", argv.front().c_str(), r.exitCode);
                    std::exit(2);
                }
                times.push_back(r.seconds);
                peakMB = std::max(peakMB, static_cast<double>(r.peakRssKiB) / 1024.0);
            }
            return times;
        };
        Race save;
        save.ours = median(consolidate({ckpt, "save", dir, ours}, ours, 3, save.oursPeakMB));
        const auto theirsTimes = consolidate({python, script, "consolidate", dir, theirs}, theirs, 2, save.theirsPeakMB);
        save.theirs = *std::min_element(theirsTimes.begin(), theirsTimes.end());
        std::filesystem::remove(theirs);
        // ckpt save syncs what it wrote before it renames it into place; cp does not. Both are given.
        std::vector<double> cp, cpSync;
        for (int run = 0; run < 3; ++run) {
            seconds({"/bin/sync"});
            cp.push_back(seconds({"/bin/cp", "-r", dir, copy}));
            cpSync.push_back(cp.back() + seconds({"/bin/sync"}));
            std::filesystem::remove_all(copy);
        }
        const double cpSeconds = median(cp), cpSyncSeconds = median(cpSync);
        std::printf("| consolidate (`ckpt save DIR OUT.pt`; Python: the same and `torch.save`) | %.2f s, %.0f MB | %.2f s, %.0f MB | %.1fx |\n", save.ours,
            save.oursPeakMB, save.theirs, save.theirsPeakMB, save.theirs / save.ours);
        std::printf("| consolidation time against `cp -r` of the folder (%.2f s); target at most 1.5x | %.2fx | | |\n", cpSeconds, save.ours / cpSeconds);
        std::printf("| consolidation time against `cp -r` of the folder then `sync` (%.2f s), as the save syncs | %.2fx | | |\n", cpSyncSeconds,
            save.ours / cpSyncSeconds);
        std::printf("| consolidation peak RSS against 1.2 x the largest tensor + 200 MB (%.0f MB) | %.2fx | | |\n", 1.2 * largestMB + 200,
            save.oursPeakMB / (1.2 * largestMB + 200));

        const Race diff = race({ckpt, "diff", dir, ours}, 0, {python, script, "diff", dir, ours});
        std::printf("| diff against the consolidated file (`ckpt diff DIR OUT.pt`) | %.2f s, %.0f MB | %.2f s, %.0f MB | %.1fx |\n\n", diff.ours,
            diff.oursPeakMB, diff.theirs, diff.theirsPeakMB, diff.theirs / diff.ours);
        std::fflush(stdout);
        std::filesystem::remove(ours);
    }
    return 0;
}

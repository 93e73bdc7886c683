// SPDX-License-Identifier: MIT
// `ckpt transplant` of a 1 GiB pretrained checkpoint into a 1 GiB target (every tensor matches, the most
// work a transplant can do) against the seed's template in Python, measured in the same run.
// Then how long the live preview takes to plan again as rules change on a 100k-tensor pair (in process,
// the files already open: what the dialog does on each edit).
// Usage: bench_transplant CKPT_BINARY PYTHON BASELINE_SCRIPT SOURCE TARGET OUTDIR SOURCE_100K TARGET_100K
#include "processbench.h"
#include "transplant.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace {
double planMilliseconds(const ckpt::Checkpoint &source, const ckpt::Checkpoint &target, const ckpt::TransplantRules &rules)
{
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto report = ckpt::planTransplant(source, target, rules);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        if (report.entries.empty())
            std::exit(2);
    }
    return median(ms);
}
} // namespace

int main(int argc, char **argv)
{
    if (argc != 9) {
        std::fprintf(stderr, "usage: %s CKPT PYTHON BASELINE_SCRIPT SOURCE TARGET OUTDIR SOURCE_100K TARGET_100K\n", argv[0]);
        return 2;
    }
    const std::string ckpt = argv[1], python = argv[2], script = argv[3], source = argv[4], target = argv[5], dir = argv[6];
    const double gb = fileGB(source) + fileGB(target);
    const Race r = race({ckpt, "transplant", "--from", source, "--into", target, "-o", dir + "/transplanted_ours.pt", "--force"}, 0,
        {python, script, source, target, dir + "/transplanted_python.pt"});
    std::printf("| transplant 1 GiB into 1 GiB, result written (%.2f GB read, %.2f GB written) | time | peak RSS |\n|---|---:|---:|\n", gb,
        fileGB(dir + "/transplanted_ours.pt"));
    std::printf(
        "| `ckpt transplant --from S --into T -o OUT` (whole process: report, write, read back and verify) | %.2f s | %.0f MB |\n", r.ours, r.oursPeakMB);
    std::printf("| Python: `torch.load` both, the template's name-and-shape filter, `update`, `torch.save` | %.2f s | %.0f MB |\n", r.theirs, r.theirsPeakMB);
    std::printf("| speed-up | %.1fx | |\n", r.theirs / r.ours);

    const auto source100k = ckpt::Checkpoint::open(argv[7]);
    const auto target100k = ckpt::Checkpoint::open(argv[8]);
    ckpt::TransplantRules strip, rename, filtered;
    strip.keys.stripPrefixes.push_back("module.");
    rename.keys.renames.push_back(ckpt::RenameRule::parse("^model\\.layers\\.(\\d+)\\.=model.blocks.\\1."));
    filtered.exclude.push_back("*.bias");
    filtered.first = 50000;
    std::printf("\n| live preview: planning again on %zu x %zu tensors (median of 5) | time |\n|---|---:|\n", source100k->tensors().size(),
        target100k->tensors().size());
    std::printf("| no rules | %.0f ms |\n", planMilliseconds(*source100k, *target100k, {}));
    std::printf("| strip prefix | %.0f ms |\n", planMilliseconds(*source100k, *target100k, strip));
    std::printf("| one regex rename (std::regex over every name) | %.0f ms |\n", planMilliseconds(*source100k, *target100k, rename));
    std::printf("| exclude glob + first 50000 | %.0f ms |\n", planMilliseconds(*source100k, *target100k, filtered));
    return 0;
}

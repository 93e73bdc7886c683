// `ckpt diff` of two 1 GiB checkpoints against the Python baseline (torch.load both, the same metrics),
// measured in the same run. Usage: bench_diff CKPT_BINARY PYTHON BASELINE_SCRIPT A B
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {
struct Run
{
    double seconds = 0;
    long peakKiB = 0;
    int status = -1;
    std::string out;
};

Run run(const std::vector<std::string> &argv)
{
    int fds[2];
    if (pipe(fds) != 0)
        return {};
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        ::close(fds[0]);
        execv(args[0], args.data());
        _exit(127);
    }
    ::close(fds[1]);
    Run r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        r.out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.peakKiB = usage.ru_maxrss;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

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
        const Run r = run({ckpt, "diff", a, b, "--json"});
        if (r.status != 1) { // the files differ
            std::fprintf(stderr, "ckpt diff exited with %d\n", r.status);
            return 2;
        }
        ours.push_back(r.seconds);
        oursPeak = std::max(oursPeak, r.peakKiB);
    }
    std::vector<double> theirs;
    long theirsPeak = 0;
    for (int i = 0; i < 2; ++i) {
        const Run r = run({python, script, a, b});
        if (r.status != 0) {
            std::fprintf(stderr, "the Python baseline failed\n");
            return 2;
        }
        theirs.push_back(r.seconds);
        theirsPeak = std::max(theirsPeak, r.peakKiB);
    }
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    const double o = ours[ours.size() / 2], t = theirs.front();
    std::printf("| diff of two 1 GiB checkpoints (%.2f GB) | time | throughput | peak RSS |\n|---|---:|---:|---:|\n", gb);
    std::printf("| `ckpt diff A B --json` (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", o, gb / o, oursPeak / 1024.0);
    std::printf("| Python: `torch.load` both + the same metrics (whole process) | %.2f s | %.2f GB/s | %.0f MB |\n", t, gb / t,
                theirsPeak / 1024.0);
    std::printf("| speed-up | %.1fx | | |\n", t / o);
    return 0;
}

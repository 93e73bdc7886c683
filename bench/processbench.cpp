// SPDX-License-Identifier: MIT
#include "processbench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

ProcessResult runProcess(const std::vector<std::string> &argv)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    ProcessResult r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.peakRssKiB = usage.ru_maxrss;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double fileGB(const std::string &path)
{
    struct stat st
    { };
    return ::stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) / 1e9 : 0.0;
}

Race race(const std::vector<std::string> &ours, int oursExit, const std::vector<std::string> &theirs, int oursRuns, int theirsRuns)
{
    auto runs = [](const std::vector<std::string> &argv, int expected, int n, double &peakMB) {
        std::vector<double> seconds;
        for (int i = 0; i < n; ++i) {
            const ProcessResult r = runProcess(argv);
            if (r.exitCode != expected) {
                std::fprintf(stderr, "%s exited with %d, not %d\n", argv.front().c_str(), r.exitCode, expected);
                std::exit(2);
            }
            seconds.push_back(r.seconds);
            peakMB = std::max(peakMB, static_cast<double>(r.peakRssKiB) / 1024.0);
        }
        return seconds;
    };
    Race result;
    result.ours = median(runs(ours, oursExit, oursRuns, result.oursPeakMB));
    const auto theirsSeconds = runs(theirs, 0, theirsRuns, result.theirsPeakMB);
    result.theirs = *std::min_element(theirsSeconds.begin(), theirsSeconds.end());
    return result;
}

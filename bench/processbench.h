// SPDX-License-Identifier: MIT
// Whole-process measurements shared by the benchmark programs: wall time and peak RSS of a command.
#pragma once

#include <string>
#include <vector>

struct ProcessResult
{
    double seconds = 0;
    long peakRssKiB = 0;
    int exitCode = -1; // -1 when it did not exit normally
};

// Runs argv (argv[0] is a path) with stdout to /dev/null; peak RSS from wait4().
ProcessResult runProcess(const std::vector<std::string> &argv);

double median(std::vector<double> v);
double fileGB(const std::string &path); // 0 when it cannot be read

// Ours against the Python baseline in the same run: ours the median of `oursRuns`, Python the best of
// `theirsRuns` (in its favour), both whole processes with their peak RSS. Exits the benchmark with a
// message when a run does not exit with the status given.
struct Race
{
    double ours = 0, theirs = 0; // seconds
    double oursPeakMB = 0, theirsPeakMB = 0;
};
Race race(const std::vector<std::string> &ours, int oursExit, const std::vector<std::string> &theirs, int oursRuns = 3, int theirsRuns = 2);

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

// SPDX-License-Identifier: MIT
// The progress of long ckpt work as one line on stderr, redrawn in place the way tqdm draws the bars of
// zero_to_fp32.py: "Saving  412.0 MiB / 1.0 GiB  38%  1.2 GiB/s  ETA 0:01". Every command that reports
// progress uses this one class.
#pragma once

#include "interrupt.h"

#include "format/progress.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace ckpt {
class Checkpoint;
}

namespace cli {

class ProgressLine
{
public:
    // label names the work ("Saving"); totalBytes is what a fraction of 1 stands for. Nothing is drawn unless
    // draw is set (see shouldDraw), but Ctrl+C still cancels the work through progress().
    ProgressLine(std::string label, std::uint64_t totalBytes, bool draw);
    ~ProgressLine();
    ProgressLine(const ProgressLine &) = delete;
    ProgressLine &operator=(const ProgressLine &) = delete;

    // For core: fractions done come here, from any thread; the cancel flag is Ctrl+C's.
    const ckpt::Progress *progress() const { return &m_progress; }
    // Clears the line if it was drawn, so that what is printed next starts at the left margin. The destructor
    // does it too (an error unwinding through the command).
    void finish();

    // Drawn only for a person watching: stderr is a terminal, and neither --quiet nor output for programs
    // (--json, --csv) was asked for.
    static bool shouldDraw(bool quiet, bool machineOutput);
    // The bytes a command's progress counts: every tensor's, or the model state's only.
    static std::uint64_t tensorBytes(const ckpt::Checkpoint &c, bool modelStateOnly);

private:
    using Clock = std::chrono::steady_clock;

    void report(double fraction);
    std::string text(double fraction, Clock::time_point now) const;
    void write(const std::string &line);

    InterruptScope m_interrupt;
    ckpt::Progress m_progress;
    std::string m_label;
    std::uint64_t m_total;
    bool m_draw;
    std::chrono::milliseconds m_delay;
    Clock::time_point m_start;
    Clock::time_point m_lastDraw;
    // The first report: the rate counts from there, not from the start (LibTorch's start-up is no progress).
    std::optional<std::pair<Clock::time_point, double>> m_first;
    double m_fraction = 0;
    std::size_t m_drawnWidth = 0; // of the line on the terminal; 0 while nothing is drawn
    bool m_finished = false;
    std::mutex m_mutex; // report() runs on worker threads
};

} // namespace cli

// SPDX-License-Identifier: MIT
#include "progressline.h"

#include "checkpoint.h"
#include "inspectreport.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

namespace cli {

namespace {
// Work that ends sooner draws nothing: a line that flashes and vanishes is noise.
constexpr std::chrono::milliseconds kDefaultDelay{300};
// About ten redraws a second: smooth to the eye, and a slow terminal (ssh) does not hold the work up.
constexpr std::chrono::milliseconds kRedrawInterval{100};

std::chrono::milliseconds delayFromEnvironment()
{
    // CKPT_PROGRESS_DELAY_MS=0 draws from the first report, so that tests need no large files.
    const char *value = std::getenv("CKPT_PROGRESS_DELAY_MS");
    unsigned ms = 0;
    if (value && std::from_chars(value, value + std::strlen(value), ms).ec == std::errc())
        return std::chrono::milliseconds(ms);
    return kDefaultDelay;
}

std::string twoDigits(long long n)
{
    return (n < 10 ? "0" : "") + std::to_string(n);
}

// 0:07, 12:34, 1:02:03
std::string duration(double seconds)
{
    const auto s = std::llround(std::min(seconds, 359999.0));
    if (s >= 3600)
        return std::to_string(s / 3600) + ":" + twoDigits(s / 60 % 60) + ":" + twoDigits(s % 60);
    return std::to_string(s / 60) + ":" + twoDigits(s % 60);
}

// Columns of the terminal on stderr, 0 when it does not say.
std::size_t terminalWidth()
{
    winsize size{};
    return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
}
} // namespace

ProgressLine::ProgressLine(std::string label, std::uint64_t totalBytes, bool draw)
    : m_progress{[this](double fraction) { report(fraction); }, InterruptScope::flag()}
    , m_label(std::move(label))
    , m_total(totalBytes)
    , m_draw(draw)
    , m_delay(delayFromEnvironment())
    , m_start(Clock::now())
{ }

ProgressLine::~ProgressLine()
{
    finish();
}

bool ProgressLine::shouldDraw(bool quiet, bool machineOutput)
{
    return !quiet && !machineOutput && ::isatty(STDERR_FILENO);
}

std::uint64_t ProgressLine::tensorBytes(const ckpt::Checkpoint &c, bool modelStateOnly)
{
    if (!modelStateOnly)
        return c.tensorBytes();
    std::uint64_t n = 0;
    for (const auto &t : c.tensors())
        if (t.inModelState)
            n += t.nbytes();
    return n;
}

void ProgressLine::report(double fraction)
{
    if (!m_draw)
        return;
    const Clock::time_point now = Clock::now();
    const std::lock_guard lock(m_mutex);
    if (m_finished)
        return;
    if (!m_first)
        m_first.emplace(now, fraction);
    // Workers may report out of order: the line never goes back.
    m_fraction = std::max(m_fraction, fraction);
    if (now - m_start < m_delay || (m_drawnWidth > 0 && now - m_lastDraw < kRedrawInterval))
        return;
    m_lastDraw = now;
    std::string line = text(m_fraction, now);
    // A line longer than the terminal would wrap, and \r would then redraw only its last row.
    if (const std::size_t width = terminalWidth(); width > 1 && line.size() >= width)
        line.resize(width - 1);
    if (m_drawnWidth == 0)
        std::fflush(stdout); // what a command printed before (transplant's report) comes first on a shared terminal
    if (line.size() < m_drawnWidth)
        line.append(m_drawnWidth - line.size(), ' '); // over the end of a longer line drawn before
    write("\r" + line);
    m_drawnWidth = std::max<std::size_t>(line.size(), 1);
}

std::string ProgressLine::text(double fraction, Clock::time_point now) const
{
    const auto bytes = [this](double f) { return static_cast<std::uint64_t>(std::llround(f * static_cast<double>(m_total))); };
    const std::uint64_t done = bytes(fraction);
    std::string out = m_label + "  " + ckpt::humanBytes(done) + " / " + ckpt::humanBytes(m_total) + "  "
        + std::to_string(static_cast<int>(std::floor(fraction * 100))) + "%";
    // The mean rate since the first report: steadier than the last interval's, which jumps between tensors.
    const double seconds = std::chrono::duration<double>(now - m_first->first).count();
    const std::uint64_t since = done - std::min(done, bytes(m_first->second));
    if (seconds < 0.05 || since == 0)
        return out + "  ETA -:--";
    const double rate = static_cast<double>(since) / seconds;
    return out + "  " + ckpt::humanBytes(static_cast<std::uint64_t>(rate)) + "/s  ETA " + duration(static_cast<double>(m_total - done) / rate);
}

void ProgressLine::finish()
{
    const std::lock_guard lock(m_mutex);
    m_finished = true;
    if (m_drawnWidth == 0)
        return;
    write("\r" + std::string(m_drawnWidth, ' ') + "\r");
    m_drawnWidth = 0;
}

void ProgressLine::write(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace cli

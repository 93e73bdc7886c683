// SPDX-License-Identifier: MIT
// Ctrl+C (SIGINT), SIGTERM and a closed terminal (SIGHUP) during long work. Their default action would kill ckpt in the middle of a save
// and leave the temporary file beside OUT. While an InterruptScope exists the first signal only asks the work
// to stop where it reports progress (ckpt::Progress's cancel flag): a save unwinds, its AtomicFile removes the
// temporary file, and main() then ends ckpt by the same signal, as the shell expects (exit status 130 for
// Ctrl+C). A second signal kills at once, for a phase that does not poll. Outside a scope (listing, opening)
// nothing is being written and the signals keep their default action.
#pragma once

#include <atomic>
#include <csignal>

namespace cli {

class InterruptScope
{
public:
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope &) = delete;
    InterruptScope &operator=(const InterruptScope &) = delete;

    // The cancel flag for ckpt::Progress: set once a signal arrived.
    static const std::atomic<bool> *flag();
    static bool requested();
    // When a signal arrived: ends the process by that signal, with its default action. Otherwise returns.
    static void reraiseIfRequested();

private:
    struct sigaction m_previous[3] = {};
    bool m_installed[3] = {};
};

} // namespace cli

// SPDX-License-Identifier: MIT
#include "interrupt.h"

#include <cstdio>
#include <iterator>

namespace cli {

namespace {
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Storing to a lock-free atomic is async-signal-safe; sig_atomic_t keeps which signal it was.
std::atomic<bool> g_requested{false};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onSignal(int signal)
{
    g_signal = signal;
    g_requested.store(true, std::memory_order_relaxed);
}
} // namespace

InterruptScope::InterruptScope()
{
    struct sigaction action
    { };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: the handler runs once, and the next Ctrl+C gets the default action (ends ckpt at once).
    action.sa_flags = SA_RESETHAND;
    for (std::size_t i = 0; i < std::size(kSignals); ++i) {
        // A signal ignored by the parent (nohup, a background job of a non-interactive shell) stays ignored.
        if (sigaction(kSignals[i], nullptr, &m_previous[i]) != 0 || m_previous[i].sa_handler == SIG_IGN)
            continue;
        m_installed[i] = sigaction(kSignals[i], &action, nullptr) == 0;
    }
}

InterruptScope::~InterruptScope()
{
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
        if (m_installed[i])
            sigaction(kSignals[i], &m_previous[i], nullptr);
}

const std::atomic<bool> *InterruptScope::flag()
{
    return &g_requested;
}

bool InterruptScope::requested()
{
    return g_requested.load(std::memory_order_relaxed);
}

void InterruptScope::reraiseIfRequested()
{
    if (!requested())
        return;
    const int signal = g_signal;
    std::fflush(stdout);
    std::fflush(stderr);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

} // namespace cli

// SPDX-License-Identifier: MIT
// Progress and cancellation for long reads and saves, polled by the worker doing the work.
#pragma once

#include <atomic>
#include <functional>

namespace ckpt {

struct Progress
{
    std::function<void(double)> report; // fraction done in [0, 1]; called from the worker thread
    const std::atomic<bool> *cancel = nullptr;

    // Reports (when set) and throws ckpt::Error(Cancelled) once cancellation is requested.
    void update(double fraction) const;
    void checkCancelled() const;
};

} // namespace ckpt

// SPDX-License-Identifier: MIT
#include "progress.h"

#include "error.h"

namespace ckpt {

void Progress::checkCancelled() const
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        fail(ErrorKind::Cancelled, "cancelled");
}

void Progress::update(double fraction) const
{
    checkCancelled();
    if (report)
        report(fraction < 0 ? 0 : fraction > 1 ? 1 : fraction);
}

} // namespace ckpt

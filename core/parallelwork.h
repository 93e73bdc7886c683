// SPDX-License-Identifier: MIT
// Work items spread over the cores, taken in order from a shared counter, so that big and small items
// balance without a scheduler; used by the block kernels of the statistics and the diff.
#pragma once

#include <cstddef>
#include <functional>

namespace ckpt {

// Runs work(i) for every i in [0, count), on up to hardware_concurrency threads (the caller's included).
// The first exception stops the remaining items and is rethrown here, once all threads are done.
void parallelFor(std::size_t count, const std::function<void(std::size_t)> &work);

} // namespace ckpt

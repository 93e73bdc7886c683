// SPDX-License-Identifier: MIT
// Sorting (hash, index) pairs, which the readers do to find repeated names: the ZIP directory's entries and
// a state_dict's keys, 100,000 of each in a large checkpoint, where std::sort took a tenth of the open.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace ckpt {

using HashIndex = std::pair<std::uint64_t, std::uint32_t>;

// Sorts by hash, then by index: the order std::sort gives, by a radix sort when there are many.
void sortHashIndex(std::vector<HashIndex> &v);

} // namespace ckpt

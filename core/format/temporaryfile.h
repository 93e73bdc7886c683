// SPDX-License-Identifier: MIT
// Unlinked temporary files for data unpacked from a checkpoint (gzip members, deflated zip records), so
// large unpacked data lives in the page cache and is mapped, never held in process memory.
#pragma once

#include <cstddef>

namespace ckpt {

// An unlinked, read-write temporary file in $TMPDIR (or /tmp); the caller owns the descriptor.
// Throws ckpt::Error(Io) naming the cause.
int makeTemporaryFile();

// Writes all n bytes, retrying short writes; throws ckpt::Error(Io) (disk full ...) naming the cause.
void writeAllToTemporary(int fd, const void *data, std::size_t n);

} // namespace ckpt

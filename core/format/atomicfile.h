// SPDX-License-Identifier: MIT
// Writes a file safely: into a temporary file in the target's folder, then renamed over the target once
// complete. Until commit() the target is untouched; a failure removes the temporary file.
// Writing over an existing file keeps its mode (a private 0600 file stays private) and, where this process
// may set it, its owner and group; a new file gets 0666 less the umask, like any other new file. Every file
// the project writes goes through here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

class AtomicFile
{
public:
    // Throws ckpt::Error naming the target: folder missing, not writable ...
    explicit AtomicFile(std::string target);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    // Throws ckpt::Error with the cause (disk full, file size limit, I/O error).
    void write(std::span<const std::byte> data);
    void write(std::string_view text) { write({reinterpret_cast<const std::byte *>(text.data()), text.size()}); }
    // Appends size bytes from offset of the open file fd, copied by the kernel (copy_file_range: no trip
    // through this process, half the time of a write from a mapping here). False, with nothing written, when
    // the kernel cannot copy between these files (another file system, an old kernel): write the bytes then.
    bool copyFrom(int fd, std::uint64_t offset, std::uint64_t size);
    // Writes over bytes already written (a header whose checksum is known only after the data).
    void writeAt(std::uint64_t offset, std::span<const std::byte> data);
    std::uint64_t size() const { return m_written; }
    const std::string &target() const { return m_target; }
    const std::string &temporaryPath() const { return m_temporary; }

    // Flushes to disk; the temporary file is complete and can be read back for verification.
    void finish();
    // Gives the temporary file the existing target's mode and owner, renames it over the target and syncs
    // the folder.
    void commit();

private:
    void flushBuffer();
    void writeThrough(std::span<const std::byte> data, std::optional<std::uint64_t> at = std::nullopt); // at: pwrite there
    void startWriteback();
    void adoptTargetMetadata();

    std::string m_target;
    std::string m_temporary;
    int m_fd = -1;
    bool m_committed = false;
    std::uint64_t m_written = 0;
    std::uint64_t m_flushed = 0; // bytes handed to the kernel in order (the file position)
    std::uint64_t m_writebackFrom = 0; // where the next early writeback starts
    std::vector<std::byte> m_buffer;
};

void writeFileAtomically(const std::string &path, std::string_view content);

// Refuses to write over any of the inputs (same file, whatever the path says) unless force is set.
void checkNotAnInput(const std::string &target, const std::vector<std::string> &inputs, bool force);

} // namespace ckpt

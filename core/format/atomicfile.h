// Writes a file safely: into a temporary file in the target's folder, then renamed over the target once
// complete. Until commit() the target is untouched; a failure removes the temporary file.
#pragma once

#include <cstddef>
#include <cstdint>
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
    std::uint64_t size() const { return m_written; }
    const std::string &target() const { return m_target; }
    const std::string &temporaryPath() const { return m_temporary; }

    // Flushes to disk; the temporary file is complete and can be read back for verification.
    void finish();
    // Renames the temporary file over the target and syncs the folder.
    void commit();

private:
    void flushBuffer();

    std::string m_target;
    std::string m_temporary;
    int m_fd = -1;
    bool m_committed = false;
    std::uint64_t m_written = 0;
    std::vector<std::byte> m_buffer;
};

void writeFileAtomically(const std::string &path, std::string_view content);

// Refuses to write over any of the inputs (same file, whatever the path says) unless force is set.
void checkNotAnInput(const std::string &target, const std::vector<std::string> &inputs, bool force);

} // namespace ckpt

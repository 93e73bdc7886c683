// SPDX-License-Identifier: MIT
// Error values of the readers: a kind a caller can branch on, and a message a user can act on.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ckpt {

enum class ErrorKind {
    NotFound, // the path does not exist
    NotAFile, // a directory or a device
    PermissionDenied, // the file cannot be opened for reading
    Io, // read / map / write failed
    UnknownFormat, // the content is not any checkpoint format we know
    Truncated, // the content ends before a structure does
    Malformed, // the content is inconsistent (bad offsets, wrong types, bad opcode ...)
    LimitExceeded, // a safety limit (size, depth, count) was hit
    Unsupported, // a valid but unsupported feature (big endian, encrypted zip ...)
    Cancelled, // the user stopped the work
};

std::string_view errorKindName(ErrorKind kind);

// Default visibility: errors thrown inside the LibTorch plugin are caught by the executable.
class __attribute__((visibility("default"))) Error : public std::runtime_error
{
public:
    Error(ErrorKind kind, std::string detail, std::string file = {});

    ErrorKind kind() const { return m_kind; }
    const std::string &file() const { return m_file; }
    const std::string &detail() const { return m_detail; }

    // The same error, attributed to a file (the reader's deep layers don't know it).
    Error withFile(const std::string &file) const;
    // The same error with context prepended to its detail ("in data.pkl: ...").
    Error withContext(std::string_view context) const;

private:
    static std::string compose(const std::string &file, const std::string &detail);

    ErrorKind m_kind;
    std::string m_detail;
    std::string m_file;
};

[[noreturn]] void fail(ErrorKind kind, std::string detail);

} // namespace ckpt

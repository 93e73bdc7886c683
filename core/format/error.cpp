// SPDX-License-Identifier: MIT
#include "error.h"

namespace ckpt {

std::string_view errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::NotFound: return "not found";
    case ErrorKind::NotAFile: return "not a file";
    case ErrorKind::PermissionDenied: return "permission denied";
    case ErrorKind::Io: return "I/O error";
    case ErrorKind::UnknownFormat: return "unknown format";
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::LimitExceeded: return "limit exceeded";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Cancelled: return "cancelled";
    }
    return "error";
}

Error::Error(ErrorKind kind, std::string detail, std::string file)
    : std::runtime_error(compose(file, detail))
    , m_kind(kind)
    , m_detail(std::move(detail))
    , m_file(std::move(file))
{ }

std::string Error::compose(const std::string &file, const std::string &detail)
{
    return file.empty() ? detail : file + ": " + detail;
}

Error Error::withFile(const std::string &file) const
{
    if (!m_file.empty())
        return *this;
    return Error(m_kind, m_detail, file);
}

Error Error::withContext(std::string_view context) const
{
    return Error(m_kind, std::string(context) + ": " + m_detail, m_file);
}

void fail(ErrorKind kind, std::string detail)
{
    throw Error(kind, std::move(detail));
}

} // namespace ckpt

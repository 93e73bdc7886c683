// SPDX-License-Identifier: MIT
#include "checkpoint.h"

#include "format/error.h"
#include "modelstate.h"
#include "optimizerparams.h"
#include "tensorwalk.h"

namespace ckpt {

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string &path, const ReadLimits &limits, const std::optional<std::string> &modelStatePath)
{
    RawCheckpoint raw = readCheckpoint(path, limits);
    try {
        return std::make_unique<Checkpoint>(std::move(raw), limits.progress, modelStatePath);
    } catch (const Error &e) {
        throw e.withFile(path);
    }
}

Checkpoint::Checkpoint(RawCheckpoint raw, const Progress *progress, const std::optional<std::string> &modelStatePath)
    : m_raw(std::move(raw))
{
    m_modelState = modelStatePath ? modelStateAt(m_raw, *modelStatePath) : findModelState(m_raw);
    WalkLimits limits;
    limits.progress = progress;
    if (progress)
        progress->update(0.9);
    walkCheckpoint(m_raw, m_modelState, m_tensors, m_entries, limits);
    refineParametersFromOptimizer(m_raw, m_modelState, m_tensors);
}

std::vector<std::string_view> TensorInfo::segments() const
{
    std::vector<std::string_view> out;
    std::size_t begin = 0;
    for (const std::uint32_t end : segmentEnds) {
        out.emplace_back(std::string_view(name).substr(begin, end - begin));
        begin = end + 1; // past the '/' joining it to the next
    }
    if (segmentEnds.empty())
        out.emplace_back(name);
    return out;
}

std::uint64_t Checkpoint::parameterCount() const
{
    std::uint64_t n = 0;
    for (const auto &t : m_tensors)
        if (t.isParameter && t.inModelState)
            n += t.numel();
    return n;
}

std::uint64_t Checkpoint::tensorBytes() const
{
    std::uint64_t n = 0;
    for (const auto &t : m_tensors)
        n += t.nbytes();
    return n;
}

} // namespace ckpt

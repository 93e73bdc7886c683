// SPDX-License-Identifier: MIT
#include "freezestate.h"

#include "format/error.h"
#include "freezelist.h"
#include "keyrules.h"

#include <charconv>
#include <sstream>
#include <sys/stat.h>
#include <algorithm>

namespace ckpt {

std::uint64_t FreezeState::viewHash(const TensorInfo &t)
{
    std::uint64_t h = (std::uint64_t(t.storageId()) << 32) ^ static_cast<std::uint64_t>(t.storageOffset());
    for (const auto d : t.shape())
        h = h * 1099511628211ull ^ static_cast<std::uint64_t>(d);
    for (const auto d : t.stride())
        h = h * 1099511628211ull ^ static_cast<std::uint64_t>(d) ^ 0x9e3779b97f4a7c15ull;
    // splitmix64's finaliser: every input bit reaches the low bits the hash table buckets by.
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

bool FreezeState::sameView(const TensorInfo &a, const TensorInfo &b)
{
    return a.storageId() == b.storageId() && a.storageOffset() == b.storageOffset()
        && std::equal(a.shape().begin(), a.shape().end(), b.shape().begin(), b.shape().end())
        && std::equal(a.stride().begin(), a.stride().end(), b.stride().begin(), b.stride().end());
}

std::size_t FreezeState::findView(const TensorInfo &t) const
{
    if (t.storageId() < m_soleOnStorage.size()) {
        if (const std::int32_t p = m_soleOnStorage[t.storageId()]; p >= 0)
            return sameView(*m_parameters[static_cast<std::size_t>(p)].tensor, t) ? static_cast<std::size_t>(p) : std::string::npos;
    }
    const auto [first, last] = m_byView.equal_range(viewHash(t));
    for (auto it = first; it != last; ++it)
        if (sameView(*m_parameters[it->second].tensor, t))
            return it->second;
    return std::string::npos;
}

FreezeState::FreezeState(const Checkpoint &c)
    : m_modelOrder(c.format() != Format::Safetensors && c.format() != Format::Sharded)
{
    const auto &tensors = c.tensors();
    m_firstTensor = tensors.empty() ? nullptr : &tensors.front();
    m_parameterOfTensor.assign(tensors.size(), -1);
    auto hasView = [](const TensorInfo &t) { return t.inModelState && t.isParameter && t.numel() > 0; };
    // A parameter alone on its storage (nearly all of them) cannot share its view with another: only those on
    // a shared storage go into the view hash, which with 100,000 parameters would cost more than the rest.
    std::vector<std::uint8_t> onStorage; // parameters with elements per storage id, counted up to 2
    for (const TensorInfo &t : tensors) {
        if (!hasView(t))
            continue;
        if (t.storageId() >= onStorage.size())
            onStorage.resize(std::max<std::size_t>(t.storageId() + 1, 2 * onStorage.size()), 0);
        onStorage[t.storageId()] = static_cast<std::uint8_t>(std::min(onStorage[t.storageId()] + 1, 2));
    }
    m_soleOnStorage.assign(onStorage.size(), -1);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const TensorInfo &t = tensors[i];
        if (!t.inModelState || !t.isParameter)
            continue;
        if (hasView(t)) {
            if (onStorage[t.storageId()] == 1) {
                m_soleOnStorage[t.storageId()] = static_cast<std::int32_t>(m_parameters.size());
            } else if (const std::size_t same = findView(t); same != std::string::npos) {
                m_parameterOfTensor[i] = static_cast<std::int32_t>(same); // a second name for it (tied weights)
                continue;
            } else {
                m_byView.emplace(viewHash(t), m_parameters.size());
            }
        }
        m_parameterOfTensor[i] = static_cast<std::int32_t>(m_parameters.size());
        m_parameters.push_back({t.modelName, t.numel(), &t});
    }
    m_frozen.assign(m_parameters.size(), false);
}

std::size_t FreezeState::parameterIndexOf(const TensorInfo &t) const
{
    if (!t.inModelState || !t.isParameter)
        return std::string::npos;
    if (m_firstTensor && &t >= m_firstTensor && &t < m_firstTensor + m_parameterOfTensor.size()) {
        const std::int32_t p = m_parameterOfTensor[static_cast<std::size_t>(&t - m_firstTensor)];
        return p < 0 ? std::string::npos : static_cast<std::size_t>(p);
    }
    if (t.numel() > 0)
        return findView(t);
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (m_parameters[i].tensor == &t)
            return i;
    return std::string::npos;
}

FreezeState FreezeState::initial(const Checkpoint &c, Origin *origin)
{
    FreezeState state(c);
    Origin found;
    const std::string &path = c.path();
    struct stat st
    { };
    const bool folder = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    const auto slash = path.rfind('/');
    const std::string dir = folder ? path : slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    const std::string sidecar = dir + "/frozen_layers.json";
    if (::stat(sidecar.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        const std::vector<std::string> names = readFreezeList(sidecar);
        const auto unmatched = state.setByNames(names);
        found.kind = Origin::Kind::Sidecar;
        found.sidecar = sidecar;
        found.unmatched = unmatched.size();
        if (!unmatched.empty())
            found.firstUnmatched = unmatched.front();
    } else {
        for (std::size_t i = 0; i < state.m_parameters.size(); ++i) {
            const TensorInfo &t = *state.m_parameters[i].tensor;
            state.m_frozen[i] = t.storedFrozen;
        }
        if (state.frozenCount() > 0)
            found.kind = Origin::Kind::Stored;
    }
    if (origin)
        *origin = std::move(found);
    return state;
}

FreezeState FreezeState::initial(const Checkpoint &c, std::string *note)
{
    Origin origin;
    FreezeState state = initial(c, &origin);
    if (note)
        *note = origin.describe(state);
    return state;
}

std::string FreezeState::Origin::describe(const FreezeState &state) const
{
    switch (kind) {
    case Kind::Nothing: return {};
    case Kind::Sidecar: {
        std::string note
            = "applied " + sidecar + ": " + std::to_string(state.frozenCount()) + " of " + std::to_string(state.parameters().size()) + " parameters frozen";
        if (unmatched)
            note += ", " + std::to_string(unmatched) + " names in it match no parameter (first: " + firstUnmatched + ")";
        return note;
    }
    // "checkpoint", not "file": a DeepSpeed folder's frozen parameters come from its rank files.
    case Kind::Stored:
        return state.frozenCount() == 1 ? "the checkpoint stores requires_grad=False for 1 parameter"
                                        : "the checkpoint stores requires_grad=False for " + std::to_string(state.frozenCount()) + " parameters";
    }
    return {};
}

bool FreezeState::isFrozen(std::string_view name) const
{
    const std::size_t i = indexOf(name);
    return i != std::string::npos && m_frozen[i];
}

std::size_t FreezeState::indexOf(std::string_view name) const
{
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (m_parameters[i].name == name)
            return i;
    return std::string::npos;
}

std::size_t FreezeState::setByGlob(const std::string &pattern, bool frozen)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (globMatch(pattern, m_parameters[i].name)) {
            m_frozen[i] = frozen;
            ++n;
        }
    return n;
}

std::size_t FreezeState::setByRegex(const Regex &regex, bool frozen)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (regex.search(m_parameters[i].name)) {
            m_frozen[i] = frozen;
            ++n;
        }
    return n;
}

void FreezeState::setByIndices(const std::vector<std::size_t> &indices, bool frozen)
{
    for (const std::size_t i : indices)
        if (i >= m_parameters.size())
            fail(ErrorKind::Malformed,
                "parameter index " + std::to_string(i) + " is out of range: the model has " + std::to_string(m_parameters.size()) + " parameters (0 to "
                    + std::to_string(m_parameters.size() - 1) + ")");
    for (const std::size_t i : indices)
        m_frozen[i] = frozen;
}

void FreezeState::setFirst(std::size_t n, bool frozen)
{
    for (std::size_t i = 0; i < n && i < m_parameters.size(); ++i)
        m_frozen[i] = frozen;
}

std::vector<std::string> FreezeState::setByNames(const std::vector<std::string> &names, bool frozen)
{
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        index.emplace(m_parameters[i].name, i);
    std::vector<std::string> unmatched;
    for (const auto &name : names) {
        const auto it = index.find(name);
        if (it == index.end())
            unmatched.push_back(name);
        else
            m_frozen[it->second] = frozen;
    }
    return unmatched;
}

void FreezeState::invert()
{
    m_frozen.flip();
}

void FreezeState::clear()
{
    m_frozen.assign(m_frozen.size(), false);
}

std::string FreezeState::orderWarning() const
{
    if (m_modelOrder)
        return {};
    return "this file stores its tensors in file order (safetensors and sharded checkpoints are usually sorted by name), "
           "not in model order: first N and indices count in file order, which may differ from model.named_parameters()";
}

std::vector<std::string> FreezeState::frozenNames() const
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (m_frozen[i])
            out.push_back(m_parameters[i].name);
    return out;
}

std::size_t FreezeState::frozenCount() const
{
    std::size_t n = 0;
    for (const bool f : m_frozen)
        n += f;
    return n;
}

std::uint64_t FreezeState::frozenElements() const
{
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (m_frozen[i])
            n += m_parameters[i].numel;
    return n;
}

std::uint64_t FreezeState::totalElements() const
{
    std::uint64_t n = 0;
    for (const auto &p : m_parameters)
        n += p.numel;
    return n;
}

std::vector<std::size_t> parseIndexList(const std::string &text)
{
    std::vector<std::size_t> out;
    std::stringstream ss(text);
    std::string part;
    auto number = [&](std::string_view s) {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        std::size_t v = 0;
        const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size())
            fail(ErrorKind::Malformed, "'" + text + "' is not a list of indices like 0,1,5-9");
        return v;
    };
    if (!text.empty() && text.back() == ',')
        fail(ErrorKind::Malformed, "'" + text + "' is not a list of indices like 0,1,5-9");
    while (std::getline(ss, part, ',')) {
        const auto dash = part.find('-');
        if (dash == std::string::npos) {
            out.push_back(number(part));
            continue;
        }
        const std::size_t lo = number(std::string_view(part).substr(0, dash));
        const std::size_t hi = number(std::string_view(part).substr(dash + 1));
        if (hi < lo || hi - lo > 10'000'000)
            fail(ErrorKind::Malformed, "index range '" + part + "' is empty or too large");
        for (std::size_t i = lo; i <= hi; ++i)
            out.push_back(i);
    }
    if (out.empty())
        fail(ErrorKind::Malformed, "'" + text + "' is not a list of indices like 0,1,5-9");
    return out;
}

} // namespace ckpt

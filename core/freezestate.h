// SPDX-License-Identifier: MIT
// Which parameters are frozen: a set over the model's parameter names (what named_parameters() yields),
// kept in model order, with the operations of the seed's freeze templates.
#pragma once

#include "checkpoint.h"

#include <cstdint>
#include <unordered_map>
#include <string>
#include <vector>

namespace ckpt {

class Regex;

class FreezeState
{
public:
    struct Parameter
    {
        std::string name; // inside the model state: layer1.0.conv1.weight
        std::uint64_t numel = 0;
        const TensorInfo *tensor = nullptr;
    };

    // All parameters of c's model state in model order, none frozen. Buffers are not parameters, and a
    // tied weight (a second name for the same tensor) is listed once, as named_parameters() does.
    explicit FreezeState(const Checkpoint &c);

    // The state a document opens with: a frozen_layers.json beside the file if there is one (note says so),
    // else the requires_grad flags the file stores (TorchScript, pickled Parameters).
    static FreezeState initial(const Checkpoint &c, std::string *note);
    // Where that state came from, for callers that word it themselves (the translated GUI).
    struct Origin
    {
        enum class Kind { Nothing, Sidecar, Stored };
        Kind kind = Kind::Nothing; // Nothing: no sidecar and nothing stored frozen
        std::string sidecar; // the frozen_layers.json applied
        std::size_t unmatched = 0; // its names that match no parameter
        std::string firstUnmatched;
        std::string describe(const FreezeState &state) const; // the English note of initial()
    };
    static FreezeState initial(const Checkpoint &c, Origin *origin = nullptr);

    const std::vector<Parameter> &parameters() const { return m_parameters; }
    // False when the file stores tensors in its writer's order rather than the model's (safetensors, sharded
    // indexes: usually sorted by name), so "first N" and indices count in file order.
    bool hasModelOrder() const { return m_modelOrder; }
    // The English warning for first N / indices on such a file; empty when the order is the model's.
    std::string orderWarning() const;
    bool isFrozen(std::size_t index) const { return m_frozen[index]; }
    bool isFrozen(std::string_view name) const;
    std::size_t indexOf(std::string_view name) const; // npos when unknown
    void setFrozen(std::size_t index, bool frozen) { m_frozen[index] = frozen; }
    // The parameter a model-state tensor is (a tied weight's second name maps to the first); npos for
    // buffers and tensors outside the model state.
    std::size_t parameterIndexOf(const TensorInfo &t) const;
    bool isFrozen(const TensorInfo &t) const
    {
        const std::size_t i = parameterIndexOf(t);
        return i != std::string::npos && m_frozen[i];
    }

    // Each returns how many parameters it matched.
    std::size_t setByGlob(const std::string &pattern, bool frozen = true);
    std::size_t setByRegex(const Regex &regex, bool frozen = true);
    // Indices count parameters in model order, as enumerate(model.named_parameters()) does.
    void setByIndices(const std::vector<std::size_t> &indices, bool frozen = true); // throws when out of range
    void setFirst(std::size_t n, bool frozen = true);
    // Returns the names that match no parameter.
    std::vector<std::string> setByNames(const std::vector<std::string> &names, bool frozen = true);
    void invert();
    void clear();

    std::vector<std::string> frozenNames() const;
    std::size_t frozenCount() const;
    std::uint64_t frozenElements() const;
    std::uint64_t totalElements() const;
    bool operator==(const FreezeState &other) const { return m_frozen == other.m_frozen; }

private:
    static std::uint64_t viewHash(const TensorInfo &t);
    static bool sameView(const TensorInfo &a, const TensorInfo &b);
    std::size_t findView(const TensorInfo &t) const;

    std::vector<Parameter> m_parameters;
    std::vector<bool> m_frozen;
    bool m_modelOrder = true;
    const TensorInfo *m_firstTensor = nullptr; // the checkpoint's tensors, to look them up by position
    std::vector<std::int32_t> m_parameterOfTensor; // per tensor: its parameter index, or -1
    // Tensors are told apart by the storage view they occupy (a tied weight's two names share one).
    std::unordered_multimap<std::uint64_t, std::size_t> m_byView; // parameters on a storage shared with another
    std::vector<std::int32_t> m_soleOnStorage; // per storage id: the parameter alone on it, or -1
};

// "0,1,5-9" -> {0, 1, 5, 6, 7, 8, 9}; throws ckpt::Error(Malformed) on bad syntax.
std::vector<std::size_t> parseIndexList(const std::string &text);

} // namespace ckpt

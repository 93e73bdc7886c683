// SPDX-License-Identifier: MIT
// An opened checkpoint: its tensors named as PyTorch names them, its other content, and its model state.
#pragma once

#include "format/rawcheckpoint.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct TensorInfo
{
    std::string name; // container path joined with '/': model_state/layer1.0.conv1.weight
    // Where each container-path segment of name ends: a dict key may itself hold '/' (a file path as a
    // key of Lightning's best_k_models), so name cannot be split back on '/'.
    std::vector<std::uint32_t> segmentEnds;
    std::string modelName; // the name inside the model state (what named_parameters() prints); "" outside it
    const pickle::TensorValue *value = nullptr;
    bool inModelState = false;
    bool isParameter = false; // a trainable parameter of the model (not a buffer, not optimizer state)
    bool requiresGradStored = false; // the file records requires_grad for it (Parameter objects, TorchScript)
    bool storedFrozen = false; // the file says it is frozen: requires_grad=False recorded, or DeepSpeed's frozen_param_shapes

    DType dtype() const { return value->dtype; }
    std::span<const std::int64_t> shape() const { return value->shape; }
    std::span<const std::int64_t> stride() const { return value->stride; }
    std::int64_t storageOffset() const { return value->storageOffset; }
    std::uint64_t numel() const { return m_numel; }
    std::uint64_t nbytes() const { return numel() * dtypeItemSize(dtype()); }
    bool requiresGrad() const { return value->requiresGrad; }
    // Trainable as the file says: parameters are, unless the file stores requires_grad=False.
    bool trainable() const { return isParameter && !storedFrozen; }
    std::vector<std::string_view> segments() const; // of name, as the file's containers nest
    std::uint32_t storageId() const { return value->storage->id; }
    // Sets value (the walk does, once). numel() is asked for several times per tensor by every listing, and
    // value's shape lies in the pickle arena, a cache miss away each time: counted here once.
    void setValue(const pickle::TensorValue *v)
    {
        value = v;
        m_numel = v->numel();
    }

private:
    std::uint64_t m_numel = 0;
};

// A non-tensor part of the checkpoint (epoch, hyper-parameters, optimizer param_groups, opaque objects).
struct Entry
{
    std::string name;
    std::string type; // Python's type name: int, dict, argparse.Namespace, numpy.ndarray ...
    std::string value; // exact text for scalars, a short repr otherwise
    bool isScalar = false;
};

struct ModelState
{
    enum class Kind { None, StateDict, Module, TorchScriptModule };
    Kind kind = Kind::None;
    std::string path; // "" = the top level
    const pickle::Value *value = nullptr;
    std::string reason; // why it was chosen, or why none was: shown by inspect and the GUI
    bool found() const { return kind != Kind::None; }
};

class Checkpoint
{
public:
    // Reads and indexes a file. Throws ckpt::Error with a message naming the file and the cause.
    // modelStatePath: where the model state is ("" the top level, "ema/model" nested keys), instead of
    // finding it; throws ckpt::Error when nothing state_dict-like is there.
    static std::unique_ptr<Checkpoint> open(
        const std::string &path, const ReadLimits &limits = {}, const std::optional<std::string> &modelStatePath = std::nullopt);
    explicit Checkpoint(RawCheckpoint raw, const Progress *progress = nullptr, const std::optional<std::string> &modelStatePath = std::nullopt);

    Format format() const { return m_raw.format; }
    const std::string &path() const { return m_raw.path; }
    const RawCheckpoint &raw() const { return m_raw; }
    const std::vector<TensorInfo> &tensors() const { return m_tensors; }
    const std::vector<Entry> &entries() const { return m_entries; }
    const ModelState &modelState() const { return m_modelState; }

    std::uint64_t parameterCount() const; // elements of parameters in the model state
    std::uint64_t tensorBytes() const; // bytes of all listed tensors (shared storages counted per view)

private:
    RawCheckpoint m_raw;
    ModelState m_modelState;
    std::vector<TensorInfo> m_tensors;
    std::vector<Entry> m_entries;
};

} // namespace ckpt

// SPDX-License-Identifier: MIT
// Writes a value tree as a protocol-2 pickle that torch.load reads. Trees without opaque objects use
// only what torch.load(weights_only=True) accepts: OrderedDict, the tensor rebuilders, storage pids.
#pragma once

#include "value.h"

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ckpt::pickle {

class PickleWriter
{
public:
    // Gives the record key a storage is written under; called once per storage, in first-use order.
    using StorageKey = std::function<std::string(const StorageValue &)>;

    explicit PickleWriter(StorageKey storageKey);

    // Values to write in place of others (edited dicts, converted or re-flagged tensors).
    void substitute(const Value *original, const Value *replacement) { m_substitutes[original] = replacement; }

    // Throws ckpt::Error(Unsupported) for trees a pickle cannot express (a value inside its own
    // constructor arguments, nesting deeper than 1000 levels, storages PyTorch has no class for).
    std::vector<std::byte> write(const Value *root);

private:
    void value(const Value *v, int depth);
    void tensor(const TensorValue &t, int depth);
    void storagePid(const StorageValue &s);
    void object(const ObjectValue &o, int depth);
    void dict(const DictValue &d, int depth);
    void sequence(const SequenceValue &s, int depth);
    void setItems(const std::pmr::vector<std::pair<Value *, Value *>> &items, int depth);
    void appends(const std::pmr::vector<Value *> &items, int depth);

    void op(unsigned char code) { m_out.push_back(static_cast<std::byte>(code)); }
    void raw(const void *data, std::size_t n);
    void global(std::string_view module, std::string_view name);
    void integer(std::int64_t v);
    void longBytes(std::string_view le);
    void string(std::string_view utf8);
    void bytes(std::string_view data);
    void floating(double d);
    void emptyOrderedDict();
    bool fromMemo(const Value *v);
    void memoize(const Value *v);
    void get(std::uint32_t index);
    void put(std::uint32_t index);

    StorageKey m_storageKey;
    std::unordered_map<const Value *, const Value *> m_substitutes;
    std::unordered_map<const Value *, std::uint32_t> m_memo;
    std::unordered_map<const StorageValue *, std::uint32_t> m_storageMemo;
    std::vector<const Value *> m_inProgress;
    std::vector<std::byte> m_out;
};

} // namespace ckpt::pickle

// SPDX-License-Identifier: MIT
// A data-only pickle virtual machine (protocols 0-5): builds a value tree, never imports or calls anything.
#pragma once

#include "value.h"
#include "../progress.h"

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace ckpt::pickle {

struct PickleLimits
{
    std::size_t maxStack = 1u << 20; // entries on the value stack
    std::size_t maxMarks = 1u << 16; // open MARKs
    std::size_t maxBigIntBytes = 4096; // LONG1/LONG4 payloads and decimal digits
    std::size_t maxTensorDims = 64;
    const Progress *progress = nullptr; // polled every 64K opcodes with the fraction of the pickle read
};

// A global the pickle references (for the safety report), with where it occurs.
struct GlobalReference
{
    std::string module;
    std::string name;
    std::size_t offset = 0; // opcode offset within the pickle
    bool viaStackGlobal = false;
    // builtins.getattr only, once its pickle was read to the end: "module.Class.attr" for each call of it on a
    // class and a name, and whether it was ever called otherwise or its result called in turn (then the
    // calls say nothing about what it reaches).
    std::vector<std::string> getattrTargets;
    bool getattrIrregular = false;
    std::string record; // which pickle: "archive/data.pkl", "legacy main pickle" ... (set by the reader)
};

class PickleMachine
{
public:
    // Maps a persistent id (what torch.save's persistent_id returned) to a value, usually a StorageValue.
    using PersistentLoader = std::function<Value *(Value *pid)>;

    PickleMachine(Arena &arena, PersistentLoader loader, PickleLimits limits = {});

    // Runs one pickle from the start of data to its STOP. consumed receives the bytes used.
    // Throws ckpt::Error with the byte offset of the failing opcode.
    Value *load(std::span<const std::byte> data, std::size_t *consumed = nullptr);

    const std::vector<GlobalReference> &globals() const { return m_globals; }
    int protocol() const { return m_protocol; }

private:
    void run();
    [[noreturn]] void malformed(const std::string &what) const;
    std::string_view readLine();
    std::span<const std::byte> readBytes(std::uint64_t n);
    template<typename T>
    T readLE();

    void push(Value *v);
    Value *pop();
    Value *&top();
    // The items above the topmost MARK, removed from the stack; valid until the next popMark().
    const std::vector<Value *> &popMark();
    Value *makeTuple(std::span<Value *const> items);

    Value *decodeDecimalInt(std::string_view digits);
    Value *decodeLongBytes(std::span<const std::byte> le);
    Value *decodePy2String(std::string_view raw);
    Value *decodeRawUnicodeEscape(std::string_view raw);
    Value *decodeQuotedString(std::string_view line);

    Value *makeGlobal(std::string_view module, std::string_view name, bool viaStack);
    Value *reduce(Value *callable, Value *args, int depth = 0);
    Value *newObject(Value *cls, Value *args, Value *kwargs, Construction how);
    Value *rebuildTensor(const SequenceValue &args, TensorOrigin origin);
    Value *rebuildParameter(const SequenceValue &args, bool withState);
    Value *rebuildFromType(Value *callable, const SequenceValue &args, int depth);
    Value *legacyTensor(Value *cls, const SequenceValue *args);
    void setView(TensorValue *t, Value *offset, Value *size, Value *stride);
    StorageValue *storageArgument(Value *v);
    std::span<const std::int64_t> intTuple(Value *v, const char *what);
    std::int64_t intArgument(Value *v, const char *what);
    void build(Value *target, Value *state);
    void setItem(Value *target, Value *key, Value *value);
    void removeDuplicateKeys(DictValue *d);
    void memoPut(std::uint64_t index, Value *v);
    Value *memoGet(std::uint64_t index) const;
    void appendItem(Value *target, Value *item);
    void populateDict(DictValue *d, Value *source);

    Arena &m_arena;
    PersistentLoader m_loader;
    PickleLimits m_limits;

    std::span<const std::byte> m_data;
    std::size_t m_pos = 0;
    std::size_t m_opStart = 0;
    int m_protocol = 0;
    std::vector<Value *> m_stack;
    std::vector<std::size_t> m_marks;
    std::vector<Value *> m_marked; // scratch for popMark()
    // Pickles number their memo densely from 0; far-off indices (hostile files) go to a map.
    std::vector<Value *> m_memoDense;
    std::unordered_map<std::uint64_t, Value *> m_memoSparse;
    std::size_t m_memoCount = 0;
    std::vector<DictValue *> m_filledDicts; // checked for repeated keys when the pickle ends
    std::vector<GlobalReference> m_globals;
    std::vector<std::string> m_getattrTargets;
    bool m_getattrIrregular = false;
};

} // namespace ckpt::pickle

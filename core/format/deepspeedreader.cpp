// SPDX-License-Identifier: MIT
// DeepSpeed ZeRO checkpoints: a root with `latest` naming a tag folder, which holds the model states
// (mp_rank_00_model_states.pt, or one zero_pp_rank_<r>_mp_rank_00_model_states.pt per rank under ZeRO-3)
// and each rank's [bf16_]zero_pp_rank_<r>_mp_rank_00_optim_states.pt. The folder opens as the fp32
// state_dict zero_to_fp32.py consolidates, in its order (buffers, frozen, trainable, tied), except that
// integer buffers stay integer and frozen parameters keep their 16-bit values, as DeepSpeed stores them.
#include "assembly.h"
#include "error.h"
#include "namelimit.h"
#include "readers.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include <dirent.h>
#include <sys/stat.h>

namespace ckpt::detail {

using namespace pickle;

namespace {

bool isFile(const std::string &path)
{
    struct stat st
    { };
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool isDirectory(const std::string &path)
{
    struct stat st
    { };
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> filesIn(const std::string &dir)
{
    std::vector<std::string> names;
    if (DIR *d = ::opendir(dir.c_str())) {
        while (const dirent *e = ::readdir(d))
            names.emplace_back(e->d_name);
        ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// "zero_pp_rank_<r>_mp_rank_<m>_<suffix>", optionally after "bf16_": r, or -1.
int rankOf(const std::string &name, std::string_view suffix, int *mpRank)
{
    std::string_view n = name;
    if (n.substr(0, 5) == "bf16_")
        n.remove_prefix(5);
    constexpr std::string_view head = "zero_pp_rank_";
    if (n.substr(0, head.size()) != head || n.size() < suffix.size() || n.substr(n.size() - suffix.size()) != suffix)
        return -1;
    n.remove_prefix(head.size());
    n.remove_suffix(suffix.size());
    int rank = 0, mp = 0;
    const auto sep = n.find("_mp_rank_");
    if (sep == std::string_view::npos || sep == 0 || sep > 6)
        return -1;
    for (const char c : n.substr(0, sep)) {
        if (c < '0' || c > '9')
            return -1;
        rank = rank * 10 + (c - '0');
    }
    const auto mpDigits = n.substr(sep + 9);
    if (mpDigits.empty() || mpDigits.size() > 4)
        return -1;
    for (const char c : mpDigits) {
        if (c < '0' || c > '9')
            return -1;
        mp = mp * 10 + (c - '0');
    }
    *mpRank = mp;
    return rank;
}

const Value *get(const Value *dict, std::string_view key)
{
    const DictValue *d = asDict(dict);
    return d ? d->get(key) : nullptr;
}

bool isNone(const Value *v)
{
    return !v || v->kind == Kind::None;
}

// A run of elements of a 1-D tensor (a rank's flat partition, or a fragment).
struct Piece
{
    const TensorValue *from = nullptr;
    std::uint64_t at = 0; // first element in from
    std::uint64_t count = 0;
};

// Several 1-D tensors read as one vector (one rank's flat groups, or a parameter's fragments over ranks).
class Segments
{
public:
    void add(const TensorValue *t, const std::string &what)
    {
        if (t->shape.size() != 1 || (t->shape[0] > 1 && t->stride[0] != 1))
            fail(ErrorKind::Malformed, what + " is not a flat, dense vector");
        m_parts.push_back(t);
        m_size += static_cast<std::uint64_t>(t->shape[0]);
    }
    std::uint64_t size() const { return m_size; }
    std::vector<Piece> pieces(std::uint64_t at, std::uint64_t count) const
    {
        std::vector<Piece> out;
        std::uint64_t start = 0;
        for (const TensorValue *t : m_parts) {
            const auto n = static_cast<std::uint64_t>(t->shape[0]);
            if (count > 0 && at < start + n) {
                const std::uint64_t from = at - start, take = std::min(count, n - from);
                out.push_back({t, from, take});
                at += take;
                count -= take;
            }
            start += n;
        }
        return out;
    }

private:
    std::vector<const TensorValue *> m_parts;
    std::uint64_t m_size = 0;
};

struct Output
{
    std::string name;
    std::vector<std::int64_t> shape;
    DType dtype = DType::Float32;
    std::vector<Piece> pieces; // in order; their counts add up to the shape's elements
    const TensorValue *whole = nullptr; // a tensor taken as it is (a buffer)
    const Output *tiedTo = nullptr;
    bool parameter = false, frozen = false;
    bool toFloat32 = false; // a floating buffer: zero_to_fp32 calls .float() on it
    std::string layout; // where it comes from, for the details
};

class DeepSpeedReader
{
public:
    DeepSpeedReader(const std::string &root, RawCheckpoint &out, const ReadLimits &limits)
        : m_root(root)
        , m_out(out)
        , m_limits(limits)
    { }

    void read()
    {
        findTag();
        listFiles();
        m_out.arena = makeArena(0, m_limits);
        const Value *states = readPart(m_modelFiles.begin()->second, "model states");
        m_rankStates[std::max(0, m_modelFiles.begin()->first)] = states;
        m_module = get(states, "module");
        if (!asDict(m_module))
            fail(ErrorKind::Malformed, m_modelFiles.begin()->second + " has no 'module' state_dict: not DeepSpeed model states");
        readOptimizerStates();
        buffers(states);
        frozen(states);
        if (m_stage <= 2)
            trainableZero2(states);
        else
            trainableZero3(states);
        tied(states);
        if (!asDict(get(states, "frozen_param_shapes")))
            untracked();
        build();
        m_out.format = Format::DeepSpeed;
        m_out.zeroStage = m_stage;
        m_out.worldSize = m_world;
        if (const Value *step = get(states, "global_steps"); step && step->kind == Kind::Int)
            m_out.step = static_cast<const IntValue *>(step)->v;
        if (const Value *v = get(states, "ds_version"); isStr(v))
            m_out.formatVersion = "DeepSpeed " + std::string(strOf(v));
        std::size_t frozenCount = 0;
        for (const Output &o : m_outputs)
            frozenCount += o.frozen ? 1 : 0;
        m_out.notes.push_back("DeepSpeed ZeRO-" + std::to_string(m_stage) + " checkpoint, tag " + m_tag + ": the fp32 master weights of "
            + std::to_string(m_world) + " ranks' optimizer states, as zero_to_fp32.py puts them together"
            + (frozenCount == 0        ? std::string()
                    : frozenCount == 1 ? std::string("; 1 frozen parameter keeps the 16-bit values DeepSpeed stores for it")
                                       : "; " + std::to_string(frozenCount) + " frozen parameters keep the 16-bit values DeepSpeed stores for them"));
    }

private:
    void findTag()
    {
        const std::string latest = m_root + "/latest";
        if (isFile(latest)) {
            const auto file = MappedFile::open(latest);
            if (file->size() > 4096)
                fail(ErrorKind::Malformed, "'latest' is " + std::to_string(file->size()) + " bytes: not a DeepSpeed tag");
            std::string tag(reinterpret_cast<const char *>(file->data()), file->size());
            while (!tag.empty() && (tag.back() == '\n' || tag.back() == '\r' || tag.back() == ' '))
                tag.pop_back();
            checkRelativeFileName(tag, "DeepSpeed tag");
            m_tag = tag;
            m_dir = m_root + "/" + tag;
            if (!isDirectory(m_dir))
                fail(ErrorKind::NotFound, "'latest' names the tag " + tag + ", but " + m_dir + " is not a folder");
        } else {
            m_dir = m_root;
            const auto slash = m_root.find_last_of('/');
            m_tag = slash == std::string::npos ? m_root : m_root.substr(slash + 1);
        }
    }

    void listFiles()
    {
        for (const std::string &name : filesIn(m_dir)) {
            int mp = 0;
            if (name == "mp_rank_00_model_states.pt") {
                m_modelFiles[-1] = name;
            } else if (const int r = rankOf(name, "_model_states.pt", &mp); r >= 0) {
                checkModelParallel(mp, name);
                m_modelFiles[r] = name;
            } else if (const int r = rankOf(name, "_optim_states.pt", &mp); r >= 0) {
                checkModelParallel(mp, name);
                m_optimFiles[r] = name;
            } else if (name.size() > 16 && name.compare(name.size() - 16, 16, "_model_states.pt") == 0 && name.find("mp_rank_00") == std::string::npos) {
                fail(ErrorKind::Unsupported, "has model-parallel model states (" + name + "): only mp_rank_00 (no tensor parallelism) is read so far");
            }
        }
        if (m_modelFiles.empty())
            fail(ErrorKind::Malformed, m_dir + " holds no DeepSpeed model states (mp_rank_00_model_states.pt or zero_pp_rank_0_mp_rank_00_model_states.pt)");
        if (m_optimFiles.empty())
            fail(ErrorKind::Malformed, m_dir + " holds no optimizer states (zero_pp_rank_<r>_mp_rank_00_optim_states.pt): the fp32 weights are there");
    }

    static void checkModelParallel(int mp, const std::string &name)
    {
        if (mp != 0)
            fail(ErrorKind::Unsupported, "has model-parallel states (" + name + "): only mp_rank_00 (no tensor parallelism) is read so far");
    }

    const Value *readPart(const std::string &name, const std::string &what)
    {
        const std::string path = m_dir + "/" + name;
        auto part = std::make_unique<RawCheckpoint>();
        try {
            auto mapped = MappedFile::open(path);
            part->path = path;
            part->files.push_back(mapped);
            readSource(Source{mapped, mapped->bytes(), path, m_dir}, *part, m_limits, 1);
        } catch (const Error &e) {
            throw Error(e.kind(), what + " " + name + ": " + e.detail());
        }
        return adoptPart(m_out, std::move(part), name);
    }

    // zero_stage: an int, ZeroStageEnum(2) (Python <= 3.10 and >= 3.11.4) or getattr(ZeroStageEnum, "gradients").
    static int stageOf(const Value *v, const std::string &file)
    {
        if (v && v->kind == Kind::Int)
            return static_cast<int>(static_cast<const IntValue *>(v)->v);
        if (const ObjectValue *o = asObject(v)) {
            const SequenceValue *args = asTuple(o->args);
            if (args && args->items.size() == 1 && args->items[0]->kind == Kind::Int)
                return static_cast<int>(static_cast<const IntValue *>(args->items[0])->v);
            if (args && args->items.size() == 2 && isStr(args->items[1])) {
                static constexpr std::pair<std::string_view, int> kNames[]
                    = {{"disabled", 0}, {"optimizer_states", 1}, {"gradients", 2}, {"weights", 3}, {"max_stage", 3}};
                for (const auto &[name, stage] : kNames)
                    if (strOf(args->items[1]) == name)
                        return stage;
            }
        }
        fail(ErrorKind::Malformed, file + ": zero_stage is neither a number nor a ZeroStageEnum member");
    }

    void readOptimizerStates()
    {
        // Ranks first: which one is missing is the most useful thing to say.
        std::string found;
        for (const auto &[rank, name] : m_optimFiles)
            found += (found.empty() ? "" : ", ") + std::to_string(rank);
        const int highest = m_optimFiles.rbegin()->first;
        for (int r = 0; r <= highest; ++r)
            if (!m_optimFiles.count(r))
                fail(ErrorKind::NotFound,
                    "rank " + std::to_string(r) + ": its optimizer states file (zero_pp_rank_" + std::to_string(r)
                        + "_mp_rank_00_optim_states.pt) is missing (found ranks " + found + ")");
        int partitions = -1;
        for (const auto &[rank, name] : m_optimFiles) {
            const Value *osd = get(readPart(name, "optimizer states"), "optimizer_state_dict");
            if (!asDict(osd))
                fail(ErrorKind::Malformed, name + " has no optimizer_state_dict");
            const int stage = stageOf(get(osd, "zero_stage"), name);
            if (m_stage < 0)
                m_stage = stage;
            else if (stage != m_stage)
                fail(ErrorKind::Malformed, name + " says ZeRO stage " + std::to_string(stage) + ", rank 0 says " + std::to_string(m_stage));
            const Value *count = get(osd, "partition_count");
            int p = -1;
            if (count && count->kind == Kind::Int)
                p = static_cast<int>(static_cast<const IntValue *>(count)->v);
            else if (count && count->kind == Kind::List)
                for (const Value *c : static_cast<const SequenceValue *>(count)->items) {
                    if (c->kind != Kind::Int || (p >= 0 && static_cast<const IntValue *>(c)->v != p))
                        fail(ErrorKind::Malformed, name + ": partition_count differs between its parameter groups");
                    p = static_cast<int>(static_cast<const IntValue *>(c)->v);
                }
            if (p <= 0)
                fail(ErrorKind::Malformed, name + " has no partition_count");
            partitions = p;
            const Value *groups = get(osd, m_stage <= 2 ? "single_partition_of_fp32_groups" : "fp32_flat_groups");
            if (!groups || groups->kind != Kind::List)
                fail(ErrorKind::Malformed,
                    name + " has no " + (m_stage <= 2 ? "single_partition_of_fp32_groups" : "fp32_flat_groups") + " for ZeRO stage " + std::to_string(m_stage));
            std::vector<const TensorValue *> flat;
            for (const Value *g : static_cast<const SequenceValue *>(groups)->items) {
                const TensorValue *t = asTensor(g);
                if (!t)
                    fail(ErrorKind::Malformed, name + ": an fp32 group is not a tensor");
                flat.push_back(t);
            }
            m_flat[rank] = std::move(flat);
        }
        if (m_stage < 1 || m_stage > 3)
            fail(ErrorKind::Unsupported, "ZeRO stage " + std::to_string(m_stage) + " keeps no partitioned fp32 weights to put together");
        m_world = static_cast<int>(m_optimFiles.size());
        if (partitions != m_world)
            fail(ErrorKind::Malformed,
                "partition_count says " + std::to_string(partitions) + " ranks but " + std::to_string(m_world) + " optimizer state files were found in "
                    + m_dir);
        if (m_stage == 3)
            for (int r = 0; r < m_world; ++r)
                if (!m_modelFiles.count(r))
                    fail(ErrorKind::NotFound,
                        "rank " + std::to_string(r) + ": its ZeRO-3 model states (zero_pp_rank_" + std::to_string(r)
                            + "_mp_rank_00_model_states.pt) are missing");
    }

    std::vector<std::int64_t> shape(const Value *size, const std::string &name) { return intsOf(size, "the shape of '" + name + "'"); }

    Output &add(std::string name)
    {
        checkNameSegments(name, "DeepSpeed parameter");
        if (!m_seen.insert(name).second)
            fail(ErrorKind::Malformed, "'" + name + "' appears twice in the model states");
        m_outputs.push_back({});
        m_outputs.back().name = std::move(name);
        return m_outputs.back();
    }

    void buffers(const Value *states)
    {
        const Value *names = get(states, "buffer_names");
        if (!names || names->kind != Kind::List)
            return;
        for (const Value *n : static_cast<const SequenceValue *>(names)->items) {
            if (!isStr(n))
                fail(ErrorKind::Malformed, "buffer_names holds something other than names");
            const TensorValue *t = asTensor(asDict(m_module)->get(strOf(n)));
            if (!t)
                fail(ErrorKind::Malformed, "buffer '" + std::string(strOf(n)) + "' is not in the module's state_dict");
            Output &o = add(std::string(strOf(n)));
            o.whole = t;
            o.shape.assign(t->shape.begin(), t->shape.end());
            o.dtype = t->dtype;
            o.toFloat32 = dtypeIsFloatingPoint(t->dtype) && t->dtype != DType::Float32;
            o.layout = "buffer of the module state_dict in the model states"
                + (o.toFloat32 ? std::string(", ") + std::string(dtypeName(t->dtype)) + " made float32 as zero_to_fp32 does" : std::string());
        }
    }

    void frozen(const Value *states)
    {
        const DictValue *shapes = asDict(get(states, "frozen_param_shapes"));
        if (!shapes)
            return;
        for (const auto &[key, size] : shapes->items) {
            if (!isStr(key))
                fail(ErrorKind::Malformed, "frozen_param_shapes has a key that is not a name");
            const std::string name(strOf(key));
            Output &o = add(name);
            o.shape = shape(size, name);
            o.parameter = o.frozen = true;
            const std::uint64_t n = elementCount(o.shape, "frozen parameter '" + name + "'");
            if (m_stage == 3) {
                Segments s;
                for (int r = 0; r < m_world; ++r) {
                    const TensorValue *f = asTensor(get(get(m_modelStates(r), "frozen_param_fragments"), name));
                    if (!f)
                        fail(ErrorKind::Malformed, "rank " + std::to_string(r) + " has no fragment of the frozen parameter '" + name + "'");
                    s.add(f, "rank " + std::to_string(r) + "'s fragment of '" + name + "'");
                    // From the fragments, not from the pieces: a parameter without elements has none.
                    if (r == 0)
                        o.dtype = f->dtype;
                }
                setPieces(o, s, 0, n, "the frozen parameter '" + name + "'");
                o.layout = "frozen: its 16-bit fragments over " + std::to_string(m_world) + " ranks' model states, "
                    + std::to_string((n + m_world - 1) / m_world) + " elements each (" + std::to_string((n + m_world - 1) / m_world * m_world - n)
                    + " of padding)";
            } else {
                // Older DeepSpeed wrote no fragments (None): the module holds the frozen values.
                const Value *fragments = get(states, "frozen_param_fragments");
                const TensorValue *f = asTensor(isNone(fragments) ? asDict(m_module)->get(name) : get(fragments, name));
                if (!f || f->numel() != n)
                    fail(ErrorKind::Malformed, "the frozen parameter '" + name + "' has no stored values of its shape");
                o.whole = f;
                o.layout = isNone(fragments) ? "frozen: its 16-bit values in the module state_dict" : "frozen: its 16-bit values in frozen_param_fragments";
            }
            if (o.whole)
                o.dtype = o.whole->dtype;
        }
    }

    const Value *m_modelStates(int rank)
    {
        auto &v = m_rankStates[rank];
        if (!v)
            v = readPart(m_modelFiles.at(rank), "model states");
        return v;
    }

    std::vector<std::pair<std::string, std::vector<std::int64_t>>> paramShapes(const Value *states, std::size_t *groups)
    {
        const Value *list = get(states, "param_shapes");
        if (!list || list->kind != Kind::List)
            fail(ErrorKind::Malformed, "the model states have no param_shapes");
        std::vector<std::pair<std::string, std::vector<std::int64_t>>> out;
        m_groupEnds.clear();
        for (const Value *group : static_cast<const SequenceValue *>(list)->items) {
            const DictValue *d = asDict(group);
            if (!d)
                fail(ErrorKind::Malformed, "param_shapes holds something other than name -> shape maps");
            for (const auto &[key, size] : d->items) {
                if (!isStr(key))
                    fail(ErrorKind::Malformed, "param_shapes has a key that is not a name");
                out.emplace_back(std::string(strOf(key)), shape(size, std::string(strOf(key))));
            }
            m_groupEnds.push_back(out.size());
        }
        *groups = m_groupEnds.size();
        return out;
    }

    void setPieces(Output &o, const Segments &s, std::uint64_t at, std::uint64_t n, const std::string &what)
    {
        o.pieces = s.pieces(at, n);
        if (!o.pieces.empty())
            o.dtype = o.pieces.front().from->dtype;
        std::uint64_t got = 0;
        for (const Piece &p : o.pieces)
            got += p.count;
        if (got != n)
            fail(ErrorKind::Truncated, what + " needs " + std::to_string(n) + " elements, its partitions hold " + std::to_string(got));
    }

    // ZeRO-1/2: each group's partitions, concatenated over ranks, hold its parameters one after another; the
    // group was padded to a multiple of 2 x world size and split evenly, so each rank's share is known.
    void trainableZero2(const Value *states)
    {
        std::size_t groups = 0;
        const auto params = paramShapes(states, &groups);
        for (int r = 0; r < m_world; ++r)
            if (m_flat[r].size() != groups)
                fail(ErrorKind::Malformed,
                    "rank " + std::to_string(r) + " has " + std::to_string(m_flat[r].size()) + " fp32 groups, param_shapes has " + std::to_string(groups));
        std::size_t first = 0;
        for (std::size_t g = 0; g < groups; ++g) {
            std::uint64_t total = 0;
            for (std::size_t i = first; i < m_groupEnds[g]; ++i)
                total += elementCount(params[i].second, "parameter '" + params[i].first + "'");
            const std::uint64_t align = 2 * static_cast<std::uint64_t>(m_world), padded = (total + align - 1) / align * align, share = padded / m_world;
            Segments s;
            for (int r = 0; r < m_world; ++r) {
                const TensorValue *t = m_flat[r][g];
                const std::uint64_t begin = share * static_cast<std::uint64_t>(r);
                const std::uint64_t needed = total > begin ? std::min(share, total - begin) : 0;
                if (t->numel() < needed)
                    fail(ErrorKind::Truncated,
                        "rank " + std::to_string(r) + "'s fp32 partition of group " + std::to_string(g) + " holds " + std::to_string(t->numel())
                            + " elements: too short for the " + std::to_string(needed) + " of param_shapes it must hold");
                s.add(t, "rank " + std::to_string(r) + "'s fp32 partition of group " + std::to_string(g));
            }
            std::uint64_t offset = 0;
            for (std::size_t i = first; i < m_groupEnds[g]; ++i) {
                Output &o = add(params[i].first);
                o.shape = params[i].second;
                o.parameter = true;
                const std::uint64_t n = elementCount(o.shape, o.name);
                setPieces(o, s, offset, n, "parameter '" + o.name + "' of group " + std::to_string(g));
                const std::uint64_t firstRank = offset / share, lastRank = n ? (offset + n - 1) / share : firstRank;
                o.layout = "fp32 master weight: elements " + std::to_string(offset) + "-" + std::to_string(offset + n) + " of group " + std::to_string(g) + " ("
                    + std::to_string(total) + " elements padded to " + std::to_string(padded) + ", " + std::to_string(share) + " per rank), on "
                    + (firstRank == lastRank ? "rank " + std::to_string(firstRank) : "ranks " + std::to_string(firstRank) + "-" + std::to_string(lastRank));
                offset += n;
            }
            first = m_groupEnds[g];
        }
    }

    // ZeRO-3: every parameter is split on its own, ceil(numel / world) elements per rank, padded at the tail;
    // each rank's flat groups hold its slices in param_shapes order.
    void trainableZero3(const Value *states)
    {
        std::size_t groups = 0;
        const auto params = paramShapes(states, &groups);
        std::vector<Segments> ranks(static_cast<std::size_t>(m_world));
        for (int r = 0; r < m_world; ++r)
            for (std::size_t g = 0; g < m_flat[r].size(); ++g)
                ranks[static_cast<std::size_t>(r)].add(m_flat[r][g], "rank " + std::to_string(r) + "'s fp32 flat group " + std::to_string(g));
        std::uint64_t offset = 0;
        for (const auto &[name, size] : params) {
            Output &o = add(name);
            o.shape = size;
            o.parameter = true;
            const std::uint64_t n = elementCount(size, name), share = (n + m_world - 1) / m_world;
            for (int r = 0; r < m_world; ++r) {
                const Segments &s = ranks[static_cast<std::size_t>(r)];
                if (s.size() < offset + share)
                    fail(ErrorKind::Truncated,
                        "rank " + std::to_string(r) + "'s fp32 flat groups hold " + std::to_string(s.size()) + " elements: too short for '" + name
                            + "', which ends at " + std::to_string(offset + share));
                const std::uint64_t take = std::min(share, n - std::min(n, share * static_cast<std::uint64_t>(r)));
                for (const Piece &p : s.pieces(offset, take)) {
                    o.pieces.push_back(p);
                    o.dtype = p.from->dtype;
                }
            }
            o.layout = "fp32 master weight: " + std::to_string(share) + " elements on each of " + std::to_string(m_world) + " ranks ("
                + std::to_string(share * m_world - n) + " of padding), at element " + std::to_string(offset) + " of each rank's flat groups";
            offset += share;
        }
    }

    void tied(const Value *states)
    {
        const Value *shared = get(states, "shared_params");
        auto tie = [&](const std::string &name, const std::string &target) {
            const auto it = std::find_if(m_outputs.begin(), m_outputs.end(), [&](const Output &o) { return o.name == target; });
            if (it == m_outputs.end())
                fail(ErrorKind::Malformed, "shared_params ties '" + name + "' to '" + target + "', which is no parameter");
            Output &o = add(name);
            o.tiedTo = &*it;
            o.layout = "tied to " + target + " (shared_params)";
        };
        if (const DictValue *d = asDict(shared)) {
            for (const auto &[k, v] : d->items)
                if (isStr(k) && isStr(v))
                    tie(std::string(strOf(k)), std::string(strOf(v)));
            return;
        }
        if (shared && shared->kind == Kind::List) {
            for (const Value *pair : static_cast<const SequenceValue *>(shared)->items) {
                const SequenceValue *p = pair && (pair->kind == Kind::List || pair->kind == Kind::Tuple) ? static_cast<const SequenceValue *>(pair) : nullptr;
                if (p && p->items.size() == 2 && isStr(p->items[0]) && isStr(p->items[1]))
                    tie(std::string(strOf(p->items[0])), std::string(strOf(p->items[1])));
            }
            return;
        }
        // Before shared_params existed: a module entry that is the same view as a parameter's is its tie.
        for (const auto &[k, v] : asDict(m_module)->items) {
            const TensorValue *t = asTensor(v);
            if (!isStr(k) || !t || m_seen.count(std::string(strOf(k))))
                continue;
            for (const auto &[k2, v2] : asDict(m_module)->items) {
                const TensorValue *u = asTensor(v2);
                if (u && u != t && isStr(k2) && m_seen.count(std::string(strOf(k2))) && u->storage == t->storage && u->storageOffset == t->storageOffset
                    && std::equal(u->shape.begin(), u->shape.end(), t->shape.begin(), t->shape.end())) {
                    tie(std::string(strOf(k)), std::string(strOf(k2)));
                    break;
                }
            }
        }
    }

    // Before frozen_param_shapes (DeepSpeed < 0.9): a module entry that is no buffer, no trainable
    // parameter and no tie is a frozen parameter, its stored 16-bit values its only copy.
    void untracked()
    {
        for (const auto &[k, v] : asDict(m_module)->items) {
            const TensorValue *t = asTensor(v);
            if (!isStr(k) || !t || m_seen.count(std::string(strOf(k))))
                continue;
            Output &o = add(std::string(strOf(k)));
            o.whole = t;
            o.shape.assign(t->shape.begin(), t->shape.end());
            o.dtype = t->dtype;
            o.parameter = o.frozen = true;
            o.layout = "frozen: its 16-bit values in the module state_dict";
        }
    }

    // Consolidated weights are put together from the rank partitions when they are read (deferredTensor).
    void build()
    {
        auto *root = m_out.arena->makeDict(DictFlavor::Ordered);
        std::map<const Output *, TensorValue *> made;
        for (const Output &o : m_outputs) {
            TensorValue *v = nullptr;
            const std::string what = "'" + o.name + "' of " + m_dir;
            if (o.tiedTo) {
                v = made.at(o.tiedTo);
            } else if (o.toFloat32) {
                v = deferredTensor(
                    m_out, DType::Float32, o.shape, what,
                    [t = o.whole](std::uint64_t offset, std::span<std::byte> out) {
                        // Whole elements around the asked bytes, converted, then the bytes asked for.
                        const std::uint64_t first = offset / 4, last = (offset + out.size() + 3) / 4;
                        std::vector<float> values(last - first);
                        toFloat32(*t, first, values);
                        std::memcpy(out.data(), reinterpret_cast<const std::byte *>(values.data()) + (offset - first * 4), out.size());
                    },
                    {o.whole->storage->bytes}, false);
            } else if (o.whole) {
                v = m_out.arena->makeTensor(*o.whole);
                if (o.parameter)
                    setContiguousShape(m_out, *v, o.shape);
            } else {
                // Copied even when one partition holds it all: a slice would keep the whole partition (and its
                // padding) as its storage, in memory and in a saved file.
                std::vector<std::span<const std::byte>> sources;
                for (const Piece &p : o.pieces)
                    sources.push_back(pieceBytes(p, dtypeItemSize(o.dtype)));
                v = deferredTensor(
                    m_out, o.dtype, o.shape, what,
                    [pieces = o.pieces, item = dtypeItemSize(o.dtype)](std::uint64_t offset, std::span<std::byte> out) {
                        const std::uint64_t end = offset + out.size();
                        std::uint64_t at = 0; // where the piece starts in the whole, in bytes
                        for (const Piece &p : pieces) {
                            const std::span<const std::byte> bytes = pieceBytes(p, item);
                            const std::uint64_t lo = std::max(at, offset), hi = std::min(at + bytes.size(), end);
                            if (lo < hi)
                                std::memcpy(out.data() + (lo - offset), bytes.data() + (lo - at), hi - lo);
                            at += bytes.size();
                        }
                    },
                    std::move(sources), true);
            }
            // Plain tensors, as zero_to_fp32 returns them; which parameters DeepSpeed kept frozen is said apart.
            v->isParameter = false;
            v->requiresGrad = false;
            // Rank files record where each rank kept it ("cuda:3"); the consolidated weights are on the CPU,
            // as zero_to_fp32 loads them (map_location="cpu"), so that a saved file loads without a GPU.
            v->storage->location = "cpu";
            if (o.frozen)
                m_out.frozenNames.insert(o.name);
            if (!o.tiedTo)
                m_out.layouts[v] = o.layout;
            made[&o] = v;
            root->items.emplace_back(m_out.arena->make<StringValue>(Kind::Str, m_out.arena->copy(o.name)), v);
        }
        m_out.root = root;
    }

    static std::span<const std::byte> pieceBytes(const Piece &p, std::size_t item)
    {
        return p.from->storage->bytes.subspan((static_cast<std::uint64_t>(p.from->storageOffset) + p.at) * item, p.count * item);
    }

    // Elements [first, first + out.size()) of t in row-major order, as float32 (half, bfloat16 and double buffers).
    static void toFloat32(const TensorValue &t, std::uint64_t first, std::span<float> out)
    {
        const std::size_t dims = t.shape.size(), item = dtypeItemSize(t.dtype);
        const std::byte *base = t.storage->bytes.data();
        std::vector<std::int64_t> index(dims, 0);
        for (std::size_t d = dims, rest = first; d-- > 0;) {
            index[d] = static_cast<std::int64_t>(rest % static_cast<std::uint64_t>(t.shape[d]));
            rest /= static_cast<std::uint64_t>(t.shape[d]);
        }
        for (float &value : out) {
            std::int64_t at = t.storageOffset;
            for (std::size_t d = 0; d < dims; ++d)
                at += index[d] * t.stride[d];
            const std::byte *p = base + static_cast<std::size_t>(at) * item;
            std::uint16_t h = 0;
            double x = 0;
            switch (t.dtype) {
            case DType::Float16:
                std::memcpy(&h, p, 2);
                value = halfToFloat(h);
                break;
            case DType::BFloat16:
                std::memcpy(&h, p, 2);
                value = bfloat16ToFloat(h);
                break;
            case DType::Float64:
                std::memcpy(&x, p, 8);
                value = static_cast<float>(x);
                break;
            default: fail(ErrorKind::Unsupported, "a buffer of " + std::string(dtypeName(t.dtype)) + " cannot be made float32 here");
            }
            for (std::size_t d = dims; d-- > 0;) {
                if (++index[d] < t.shape[d])
                    break;
                index[d] = 0;
            }
        }
    }

    std::string m_root, m_dir, m_tag;
    RawCheckpoint &m_out;
    const ReadLimits &m_limits;
    std::map<int, std::string> m_modelFiles, m_optimFiles; // rank (-1: mp_rank_00_model_states.pt) -> file
    std::map<int, const Value *> m_rankStates;
    std::map<int, std::vector<const TensorValue *>> m_flat; // rank -> its fp32 groups
    const Value *m_module = nullptr;
    int m_stage = -1, m_world = 0;
    std::vector<std::size_t> m_groupEnds; // param_shapes: the end of each group in the flattened list
    std::deque<Output> m_outputs; // deque: ties point at earlier entries
    std::set<std::string> m_seen;
};

} // namespace

bool isDeepSpeedFolder(const std::string &dir)
{
    if (isFile(dir + "/latest"))
        return true;
    for (const std::string &name : filesIn(dir)) {
        int mp = 0;
        if (name == "mp_rank_00_model_states.pt" || rankOf(name, "_model_states.pt", &mp) >= 0)
            return true;
    }
    return false;
}

void readDeepSpeedFolder(const std::string &dir, RawCheckpoint &out, const ReadLimits &limits)
{
    DeepSpeedReader(dir, out, limits).read();
}

} // namespace ckpt::detail

// SPDX-License-Identifier: MIT
// The module hierarchy of a checkpoint as a tree of nodes (blocks > 0 > norm1 > weight), built off the
// GUI thread: tensors of the model state by their dotted names, other tensors under their container path.
#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace ckpt {
class Checkpoint;
class FreezeState;
} // namespace ckpt

struct ParameterTreeNode
{
    QString name;
    int parent = -1;
    int row = 0;
    std::vector<int> children;
    int tensor = -1; // leaf: index into Checkpoint::tensors()
    int parameter = -1; // freezable leaf: index into FreezeState::parameters()
    bool inModel = false;
    std::uint64_t numel = 0; // totals over the subtree
    // Elements of the parameters in the subtree, each parameter once (not buffers, not a tied weight's second
    // name): what the Parameters column shows for a group, so that the root agrees with the status bar.
    std::uint64_t parameterNumel = 0;
    std::uint64_t bytes = 0;
    int freezable = 0; // freezable leaves in the subtree
    int frozen = 0; // of which frozen
};

struct ParameterTree
{
    std::vector<ParameterTreeNode> nodes; // nodes[0] is the invisible root
    std::vector<int> leafOfTensor; // tensor index -> leaf node
    std::vector<std::vector<int>> leavesOfParameter; // a tied weight has one leaf per name

    static ParameterTree build(const ckpt::Checkpoint &checkpoint, const ckpt::FreezeState &freeze);
    // Path of dotted / slashed segments from the root to a node, for display ("blocks.0.norm1").
    QString pathOf(int node) const;
};

// SPDX-License-Identifier: MIT
// The union of two checkpoints' names as one module tree (blocks > 0 > norm1 > weight) with each
// group's totals over its pairs, built off the GUI thread from a ckpt::DiffResult.
#pragma once

#include "checkpointdiff.h"

#include <QString>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

struct DiffTreeNode
{
    QString name;
    int parent = -1;
    int order = 0; // creation order: the model's order of the first pair under the node
    std::vector<int> children; // numbered siblings in numeric order, others in model order
    int entry = -1; // leaf: index into DiffResult::entries
    // Totals over the pairs in the subtree.
    std::array<int, 6> counts{}; // by ckpt::DiffStatus
    int worst = static_cast<int>(ckpt::DiffStatus::Identical); // the most severe status in the subtree
    std::uint64_t numel = 0; // elements of A (of B when only B has the name)
    ckpt::ChangeAccumulator change; // parameter-weighted mean rel_l2
    std::uint64_t compared = 0; // elements whose values were compared (identical pairs included)
    std::uint64_t changedElements = 0;
    double absSum = 0; // sum |a - b| over compared elements
    double maxAbs = 0;
    bool hasValues = false; // some pair in the subtree was compared

    double meanAbs() const { return compared ? absSum / static_cast<double>(compared) : 0.0; }
    double changedFraction() const { return compared ? static_cast<double>(changedElements) / static_cast<double>(compared) : 0.0; }
};

struct DiffTree
{
    std::vector<DiffTreeNode> nodes; // nodes[0] is the invisible root; children come after their parent
    std::vector<int> leafOfEntry;

    static DiffTree build(const ckpt::DiffResult &diff);
    // The group node of a module name as ckpt::moduleChanges() gives it (-1: none).
    int findGroup(std::string_view module) const;
};

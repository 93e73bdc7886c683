// SPDX-License-Identifier: MIT
#include "difftree.h"

#include "diffstatusstyle.h"
#include "siblingorder.h"

#include <QHash>

#include <algorithm>

using ckpt::DiffStatus;

DiffTree DiffTree::build(const ckpt::DiffResult &diff)
{
    DiffTree tree;
    tree.nodes.emplace_back();
    tree.leafOfEntry.assign(diff.entries.size(), -1);
    QHash<QPair<int, QString>, int> groupByName;
    groupByName.reserve(static_cast<qsizetype>(diff.entries.size()) * 2);
    for (std::size_t i = 0; i < diff.entries.size(); ++i) {
        const ckpt::DiffEntry &e = diff.entries[i];
        const auto segments = ckpt::diffNameSegments(e.name);
        int node = 0;
        for (std::size_t s = 0; s < segments.size(); ++s) {
            const bool leaf = s + 1 == segments.size();
            const QString name = QString::fromUtf8(segments[s].data(), static_cast<qsizetype>(segments[s].size()));
            int child = -1;
            if (!leaf) {
                const auto it = groupByName.constFind({node, name});
                if (it != groupByName.cend())
                    child = it.value();
            }
            if (child < 0) {
                child = static_cast<int>(tree.nodes.size());
                DiffTreeNode n;
                n.name = name;
                n.parent = node;
                n.order = child;
                tree.nodes.push_back(std::move(n));
                tree.nodes[static_cast<std::size_t>(node)].children.push_back(child);
                if (!leaf)
                    groupByName.insert({node, name}, child);
            }
            node = child;
        }
        DiffTreeNode &leaf = tree.nodes[static_cast<std::size_t>(node)];
        leaf.entry = static_cast<int>(i);
        leaf.counts[static_cast<int>(e.status)] = 1;
        leaf.worst = static_cast<int>(e.status);
        leaf.numel = (e.a ? e.a : e.b)->numel();
        leaf.change.add(e);
        if (e.status == DiffStatus::Identical) {
            leaf.compared = leaf.numel;
            leaf.hasValues = true;
        } else if (e.metrics.valid) {
            leaf.compared = e.metrics.count;
            leaf.changedElements = e.metrics.changed;
            leaf.absSum = e.metrics.meanAbs * static_cast<double>(e.metrics.count);
            leaf.maxAbs = e.metrics.maxAbs;
            leaf.hasValues = true;
        }
        tree.leafOfEntry[i] = node;
    }
    for (auto &n : tree.nodes)
        orderNumberedSiblings(n.children, [&](int c) -> const QString & { return tree.nodes[static_cast<std::size_t>(c)].name; });
    // Totals: children come after their parent, so one backward pass adds each subtree up.
    for (std::size_t i = tree.nodes.size(); i-- > 1;) {
        const DiffTreeNode &n = tree.nodes[i];
        DiffTreeNode &p = tree.nodes[static_cast<std::size_t>(n.parent)];
        for (int k = 0; k < 6; ++k)
            p.counts[static_cast<std::size_t>(k)] += n.counts[static_cast<std::size_t>(k)];
        if (diffstyle::severity(static_cast<DiffStatus>(n.worst)) < diffstyle::severity(static_cast<DiffStatus>(p.worst)))
            p.worst = n.worst;
        p.numel += n.numel;
        p.change.add(n.change);
        p.compared += n.compared;
        p.changedElements += n.changedElements;
        p.absSum += n.absSum;
        p.maxAbs = std::max(p.maxAbs, n.maxAbs);
        p.hasValues = p.hasValues || n.hasValues;
    }
    return tree;
}

int DiffTree::findGroup(std::string_view module) const
{
    int node = 0;
    for (const auto segment : ckpt::diffNameSegments(module)) {
        const QString name = QString::fromUtf8(segment.data(), static_cast<qsizetype>(segment.size()));
        int next = -1;
        for (const int c : nodes[static_cast<std::size_t>(node)].children)
            if (nodes[static_cast<std::size_t>(c)].entry < 0 && nodes[static_cast<std::size_t>(c)].name == name) {
                next = c;
                break;
            }
        if (next < 0)
            return -1;
        node = next;
    }
    return node == 0 ? -1 : node;
}

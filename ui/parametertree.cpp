// SPDX-License-Identifier: MIT
#include "parametertree.h"

#include "checkpoint.h"
#include "freezestate.h"
#include "siblingorder.h"

#include <QHash>

#include <algorithm>

namespace {

std::vector<QString> segmentsOf(const ckpt::TensorInfo &t)
{
    std::vector<QString> out;
    if (!t.inModelState) {
        // optimizer_state/state/3/exp_avg: the container path, one node per segment (a key that holds
        // '/', such as a file path, stays one node).
        for (const std::string_view s : t.segments())
            out.push_back(QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())));
        return out;
    }
    const QString name = QString::fromStdString(t.modelName.empty() ? t.name : t.modelName);
    for (const auto &s : name.split(QLatin1Char('.')))
        out.push_back(s);
    return out;
}

} // namespace

ParameterTree ParameterTree::build(const ckpt::Checkpoint &checkpoint, const ckpt::FreezeState &freeze)
{
    ParameterTree tree;
    tree.nodes.emplace_back();
    tree.leafOfTensor.assign(checkpoint.tensors().size(), -1);
    tree.leavesOfParameter.resize(freeze.parameters().size());
    // Children by name, per parent; tensors outside the model state get their own top-level nodes
    // even when a module has the same name (key parent -2 stands for "the root, outside the model").
    QHash<QPair<int, QString>, int> childByName;
    childByName.reserve(static_cast<qsizetype>(checkpoint.tensors().size()) * 2);
    const auto &tensors = checkpoint.tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const ckpt::TensorInfo &t = tensors[i];
        const std::vector<QString> segments = segmentsOf(t);
        int node = 0;
        for (std::size_t s = 0; s < segments.size(); ++s) {
            const bool leaf = s + 1 == segments.size();
            const int key = (node == 0 && !t.inModelState) ? -2 : node;
            int child = -1;
            if (!leaf) {
                const auto it = childByName.constFind({key, segments[s]});
                if (it != childByName.cend())
                    child = it.value();
            }
            if (child < 0) {
                child = static_cast<int>(tree.nodes.size());
                ParameterTreeNode n;
                n.name = segments[s];
                n.parent = node;
                n.inModel = t.inModelState;
                tree.nodes.push_back(std::move(n));
                tree.nodes[static_cast<std::size_t>(node)].children.push_back(child);
                if (!leaf)
                    childByName.insert({key, segments[s]}, child);
            }
            node = child;
        }
        ParameterTreeNode &leaf = tree.nodes[static_cast<std::size_t>(node)];
        leaf.tensor = static_cast<int>(i);
        leaf.numel = t.numel();
        leaf.bytes = t.nbytes();
        tree.leafOfTensor[i] = node;
        const std::size_t p = freeze.parameterIndexOf(t);
        if (p != std::string::npos) {
            leaf.parameter = static_cast<int>(p);
            leaf.freezable = 1;
            leaf.frozen = freeze.isFrozen(p) ? 1 : 0;
            tree.leavesOfParameter[p].push_back(node);
            if (tree.leavesOfParameter[p].size() == 1)
                leaf.parameterNumel = leaf.numel;
        }
    }
    for (auto &n : tree.nodes) {
        orderNumberedSiblings(n.children, [&](int c) -> const QString & { return tree.nodes[static_cast<std::size_t>(c)].name; });
        for (std::size_t k = 0; k < n.children.size(); ++k)
            tree.nodes[static_cast<std::size_t>(n.children[k])].row = static_cast<int>(k);
    }
    // Subtree totals: children always come after their parent, so one backward pass suffices.
    for (std::size_t i = tree.nodes.size(); i-- > 1;) {
        const ParameterTreeNode &n = tree.nodes[i];
        ParameterTreeNode &parent = tree.nodes[static_cast<std::size_t>(n.parent)];
        parent.numel += n.numel;
        parent.parameterNumel += n.parameterNumel;
        parent.bytes += n.bytes;
        parent.freezable += n.freezable;
        parent.frozen += n.frozen;
        parent.inModel = parent.inModel || n.inModel;
    }
    return tree;
}

QString ParameterTree::pathOf(int node) const
{
    QStringList parts;
    while (node > 0) {
        parts.prepend(nodes[static_cast<std::size_t>(node)].name);
        node = nodes[static_cast<std::size_t>(node)].parent;
    }
    return parts.join(QLatin1Char('.'));
}

// SPDX-License-Identifier: MIT
#include "parametertreemodel.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "freezestate.h"
#include "inspectreport.h"

#include <QApplication>
#include <QFont>
#include <QPalette>

#include <algorithm>
#include <cmath>
#include <map>

ParameterTreeModel::ParameterTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

ParameterTreeModel::~ParameterTreeModel() = default;

void ParameterTreeModel::setDocument(CheckpointDocument *document, ParameterTree tree)
{
    beginResetModel();
    if (m_document)
        disconnect(m_document, nullptr, this, nullptr);
    m_document = document;
    m_tree = std::move(tree);
    m_stats.clear();
    rebuildShown();
    if (m_document)
        connect(m_document, &CheckpointDocument::freezeChanged, this, &ParameterTreeModel::onFreezeChanged);
    endResetModel();
}

int ParameterTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<int>(index.internalId()) : 0;
}

void ParameterTreeModel::setFilter(const ParameterFilter &filter)
{
    beginResetModel();
    m_filter.set(filter.pattern(), filter.mode());
    rebuildShown();
    endResetModel();
}

void ParameterTreeModel::rebuildShown()
{
    const std::size_t n = m_tree.nodes.size();
    m_shownChildren.assign(n, {});
    m_shownRow.assign(n, -1);
    if (n == 0)
        return;
    std::vector<char> keep(n, m_filter.isEmpty() ? 1 : 0);
    if (!m_filter.isEmpty() && m_document) {
        const auto &tensors = m_document->checkpoint().tensors();
        // Leaves by their name; groups when anything below them is kept (children follow parents).
        for (std::size_t i = n; i-- > 1;) {
            const auto &node = m_tree.nodes[i];
            if (node.tensor >= 0) {
                const auto &t = tensors[static_cast<std::size_t>(node.tensor)];
                if (!keep[i] && m_filter.matches(t.inModelState ? t.modelName : t.name))
                    keep[i] = 1;
            }
            if (keep[i])
                keep[static_cast<std::size_t>(node.parent)] = 1;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto &shown = m_shownChildren[i];
        for (const int c : m_tree.nodes[i].children)
            if (keep[static_cast<std::size_t>(c)]) {
                m_shownRow[static_cast<std::size_t>(c)] = static_cast<int>(shown.size());
                shown.push_back(c);
            }
    }
}

QModelIndex ParameterTreeModel::indexOfNode(int node, int column) const
{
    if (node <= 0 || node >= static_cast<int>(m_tree.nodes.size()) || m_shownRow[static_cast<std::size_t>(node)] < 0)
        return {};
    return createIndex(m_shownRow[static_cast<std::size_t>(node)], column, quintptr(node));
}

QModelIndex ParameterTreeModel::indexOfTensor(int tensor, int column) const
{
    if (tensor < 0 || tensor >= static_cast<int>(m_tree.leafOfTensor.size()))
        return {};
    return indexOfNode(m_tree.leafOfTensor[static_cast<std::size_t>(tensor)], column);
}

QModelIndex ParameterTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (m_tree.nodes.empty() || column < 0 || column >= ColumnCount || row < 0)
        return {};
    const auto &shown = m_shownChildren[static_cast<std::size_t>(nodeOf(parent))];
    if (row >= static_cast<int>(shown.size()))
        return {};
    return createIndex(row, column, quintptr(shown[static_cast<std::size_t>(row)]));
}

QModelIndex ParameterTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOfNode(m_tree.nodes[static_cast<std::size_t>(nodeOf(child))].parent);
}

int ParameterTreeModel::rowCount(const QModelIndex &parent) const
{
    if (m_tree.nodes.empty() || (parent.isValid() && parent.column() != 0))
        return 0;
    return static_cast<int>(m_shownChildren[static_cast<std::size_t>(nodeOf(parent))].size());
}

int ParameterTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::CheckState ParameterTreeModel::checkState(const ParameterTreeNode &n) const
{
    if (n.frozen == 0)
        return Qt::Unchecked;
    return n.frozen == n.freezable ? Qt::Checked : Qt::PartiallyChecked;
}

namespace {
QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("nan");
    return QString::number(v, 'g', 4);
}
} // namespace

QVariant ParameterTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_document)
        return {};
    const ParameterTreeNode &n = m_tree.nodes[static_cast<std::size_t>(nodeOf(index))];
    const ckpt::TensorInfo *t = n.tensor >= 0 ? &m_document->checkpoint().tensors()[static_cast<std::size_t>(n.tensor)] : nullptr;
    switch (role) {
    case Qt::DisplayRole: {
        switch (index.column()) {
        case Name: return n.name;
        case Shape: return t ? QString::fromStdString(ckpt::shapeText(t->shape())) : QVariant();
        case DType: return t ? QString::fromLatin1(ckpt::dtypeName(t->dtype())) : QVariant();
        case Parameters: return QString::fromStdString(ckpt::groupThousands(t ? n.numel : n.parameterNumel)); // a buffer shows its own, greyed
        case Size: return QString::fromStdString(ckpt::humanBytes(n.bytes));
        case Mean:
        case Std:
        case Min:
        case Max: {
            if (!t)
                return {};
            const auto it = m_stats.constFind(n.tensor);
            if (it == m_stats.cend() || !it->valid || it->finite == 0)
                return {};
            const double v = index.column() == Mean ? it->mean : index.column() == Std ? it->std : index.column() == Min ? it->min : it->max;
            return number(v);
        }
        default: return {};
        }
    }
    case Qt::CheckStateRole:
        if (index.column() == Frozen && n.freezable > 0)
            return checkState(n);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Name)
            return t ? QString::fromStdString(t->name) : m_tree.pathOf(nodeOf(index));
        if (index.column() == Frozen && n.freezable > 0)
            return tr("%1 of %2 parameters frozen").arg(n.frozen).arg(n.freezable);
        if (t && !t->isParameter && t->inModelState)
            return tr("A buffer: not trained, so it cannot be frozen");
        if (!t && index.column() == Parameters && n.numel != n.parameterNumel)
            return tr("%1 parameters; the %2 elements of buffers below are not counted")
                .arg(QString::fromStdString(ckpt::groupThousands(n.parameterNumel)), QString::fromStdString(ckpt::groupThousands(n.numel - n.parameterNumel)));
        return {};
    case Qt::ForegroundRole:
        if (n.freezable == 0) // buffers and tensors outside the model state
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (!n.inModel && index.column() == Name) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= Parameters)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case TensorIndexRole: return n.tensor;
    case ParameterIndexRole: return n.parameter;
    case PathRole: return m_tree.pathOf(nodeOf(index));
    case FreezableRole: return n.freezable > 0;
    default: return {};
    }
}

void ParameterTreeModel::collectParameters(int node, std::vector<int> &out) const
{
    std::vector<int> stack{node};
    while (!stack.empty()) {
        const int current = stack.back();
        stack.pop_back();
        const auto &n = m_tree.nodes[static_cast<std::size_t>(current)];
        if (n.parameter >= 0)
            out.push_back(n.parameter);
        stack.insert(stack.end(), n.children.begin(), n.children.end());
    }
}

bool ParameterTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::CheckStateRole || index.column() != Frozen || !m_document)
        return false;
    const int node = nodeOf(index);
    const auto &n = m_tree.nodes[static_cast<std::size_t>(node)];
    if (n.freezable == 0)
        return false;
    // Ticking a partially frozen group freezes all of it; unticking a frozen one unfreezes all.
    const auto state = static_cast<Qt::CheckState>(value.toInt());
    const bool freeze = state == Qt::Checked || (state == Qt::PartiallyChecked && checkState(n) != Qt::Checked);
    std::vector<int> parameters;
    collectParameters(node, parameters);
    std::vector<bool> frozen = m_document->frozen();
    for (const int p : parameters)
        frozen[static_cast<std::size_t>(p)] = freeze;
    const QString what = m_tree.pathOf(node);
    m_document->setFrozen(frozen, freeze ? tr("Freeze %1").arg(what) : tr("Unfreeze %1").arg(what));
    return true;
}

Qt::ItemFlags ParameterTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const auto &n = m_tree.nodes[static_cast<std::size_t>(nodeOf(index))];
    if (index.column() == Frozen && n.freezable > 0)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant ParameterTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == Frozen)
        return tr("Ticked parameters are frozen (requires_grad=False). A group's box freezes its whole subtree.");
    if (role == Qt::ToolTipRole && section == Parameters)
        return tr("Parameter elements. A group counts its parameters only, as the status bar does; a buffer (grey) shows its own elements.");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case Frozen: return tr("Frozen");
    case Shape: return tr("Shape");
    case DType: return tr("Dtype");
    case Parameters: return tr("Parameters");
    case Size: return tr("Size");
    case Mean: return tr("Mean");
    case Std: return tr("Std");
    case Min: return tr("Min");
    case Max: return tr("Max");
    default: return {};
    }
}

void ParameterTreeModel::setStatistics(int tensor, const ckpt::TensorStatistics &stats)
{
    m_stats.insert(tensor, stats);
    const QModelIndex first = indexOfTensor(tensor, Mean);
    if (first.isValid())
        emit dataChanged(first, indexOfTensor(tensor, Max), {Qt::DisplayRole});
}

void ParameterTreeModel::onFreezeChanged(const std::vector<std::size_t> &parameters)
{
    // Update the frozen counts of every affected leaf and its ancestors, then tell the views once per
    // run of siblings (a group tick can touch 100,000 leaves).
    std::vector<char> isDirty(m_tree.nodes.size(), 0);
    std::vector<int> dirty;
    for (const std::size_t p : parameters) {
        const bool frozen = m_document->freeze().isFrozen(p);
        for (const int leaf : m_tree.leavesOfParameter[p]) {
            const int delta = (frozen ? 1 : 0) - m_tree.nodes[static_cast<std::size_t>(leaf)].frozen;
            if (delta == 0)
                continue;
            for (int node = leaf; node >= 0; node = m_tree.nodes[static_cast<std::size_t>(node)].parent) {
                m_tree.nodes[static_cast<std::size_t>(node)].frozen += delta;
                if (node > 0 && !isDirty[static_cast<std::size_t>(node)]) {
                    isDirty[static_cast<std::size_t>(node)] = 1;
                    dirty.push_back(node);
                }
            }
        }
    }
    // Group dirty nodes by parent and emit one dataChanged per parent, over the rows that changed.
    std::map<int, std::pair<int, int>> ranges;
    for (const int node : dirty) {
        const int row = m_shownRow[static_cast<std::size_t>(node)];
        if (row < 0)
            continue; // filtered out: nothing to repaint
        auto [it, inserted] = ranges.emplace(m_tree.nodes[static_cast<std::size_t>(node)].parent, std::make_pair(row, row));
        if (!inserted) {
            it->second.first = std::min(it->second.first, row);
            it->second.second = std::max(it->second.second, row);
        }
    }
    for (const auto &[parentNode, range] : ranges) {
        const QModelIndex parentIndex = indexOfNode(parentNode);
        emit dataChanged(index(range.first, Frozen, parentIndex), index(range.second, Frozen, parentIndex), {Qt::CheckStateRole});
    }
}

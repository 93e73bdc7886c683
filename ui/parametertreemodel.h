// SPDX-License-Identifier: MIT
// The checkpoint's module hierarchy as an item model: tristate freeze checkboxes on groups, subtree
// totals, buffers greyed and not freezable, statistics columns once computed. Filtering happens here,
// not in a proxy: with 100,000 rows a QSortFilterProxyModel takes minutes to refilter an expanded tree.
#pragma once

#include "parameterfilter.h"
#include "parametertree.h"
#include "tensormath.h"

#include <QAbstractItemModel>
#include <QHash>

class CheckpointDocument;

class ParameterTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Frozen, Shape, DType, Parameters, Size, Mean, Std, Min, Max, ColumnCount };
    enum Role {
        TensorIndexRole = Qt::UserRole + 1, // int, -1 for groups
        ParameterIndexRole, // int, -1 when not freezable
        PathRole, // the dotted path of the node
        FreezableRole, // bool: has a checkbox
    };

    explicit ParameterTreeModel(QObject *parent = nullptr);
    ~ParameterTreeModel() override;

    // Shows document (nullptr: nothing) with its tree, built off the GUI thread.
    void setDocument(CheckpointDocument *document, ParameterTree tree);
    CheckpointDocument *document() const { return m_document; }
    const ParameterTree &tree() const { return m_tree; }

    // Shows only tensors the filter matches and the groups above them (the view's expansion resets).
    void setFilter(const ParameterFilter &filter);
    const ParameterFilter &filter() const { return m_filter; }
    bool isShown(int node) const { return m_shownRow[static_cast<std::size_t>(node)] >= 0; }

    QModelIndex indexOfNode(int node, int column = Name) const;
    QModelIndex indexOfTensor(int tensor, int column = Name) const;
    int nodeOf(const QModelIndex &index) const;
    void setStatistics(int tensor, const ckpt::TensorStatistics &stats);
    bool hasStatistics(int tensor) const { return m_stats.contains(tensor); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void onFreezeChanged(const std::vector<std::size_t> &parameters);
    Qt::CheckState checkState(const ParameterTreeNode &n) const;
    void collectParameters(int node, std::vector<int> &out) const;
    void rebuildShown();

    CheckpointDocument *m_document = nullptr;
    ParameterTree m_tree;
    QHash<int, ckpt::TensorStatistics> m_stats;
    ParameterFilter m_filter;
    std::vector<std::vector<int>> m_shownChildren; // per node: the children the filter keeps
    std::vector<int> m_shownRow; // per node: its row among them, -1 when hidden
};

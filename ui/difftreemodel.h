// SPDX-License-Identifier: MIT
// The diff of two checkpoints as an item model of our own: the union of names as a module tree (or a
// flat list of pairs), rows coloured by status, metrics as sortable columns, filtered by status and name.
#pragma once

#include "parameterfilter.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

struct DiffSession;

class DiffTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Status, Shape, DType, Parameters, RelL2, Cosine, MaxAbs, MeanAbs, ChangedPercent, ColumnCount };
    enum Role {
        StatusRole = Qt::UserRole + 1, // int ckpt::DiffStatus (groups: their most severe)
        EntryRole, // index into DiffResult::entries, -1 for groups
        SortRole, // the number the column sorts by
    };

    explicit DiffTreeModel(QObject *parent = nullptr);
    ~DiffTreeModel() override;

    void setSession(std::shared_ptr<const DiffSession> session);
    const std::shared_ptr<const DiffSession> &session() const { return m_session; }

    // Which statuses are shown (bits of diffstyle::bit()); groups show while a row below them does.
    void setStatusFilter(unsigned mask);
    unsigned statusFilter() const { return m_statusMask; }
    void setNameFilter(ParameterFilter filter);
    // One row per pair instead of the module tree.
    void setFlat(bool flat);
    bool isFlat() const { return m_flat; }
    int visiblePairs() const { return m_visiblePairs; }

    QModelIndex indexOfEntry(int entry, int column = 0) const; // invalid when filtered out
    QModelIndex indexOfNode(int node, int column = 0) const;
    int nodeOf(const QModelIndex &index) const; // 0 (the root) for an invalid index

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    // Recomputes which nodes show and in what order, keeping persistent indexes (selection, expansion).
    void relayout();
    void relayoutNow(); // the same without layout signals (inside a reset)
    double sortKey(int node, int column) const;

    std::shared_ptr<const DiffSession> m_session;
    unsigned m_statusMask;
    ParameterFilter m_nameFilter;
    bool m_flat = false;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::vector<std::vector<int>> m_children; // shown children per node, in display order
    std::vector<int> m_parent; // shown parent per node (0: the root), -1 when hidden
    std::vector<int> m_row;
    int m_visiblePairs = 0;
};

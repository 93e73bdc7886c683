// SPDX-License-Identifier: MIT
// The rows of a transplant report as a table: one per entry, tinted by status, filtered by status and name.
#pragma once

#include "parameterfilter.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

struct TransplantPlan;

class TransplantReportModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    // The source's own name only shows where the rules changed it.
    enum Column { StatusColumn, NameColumn, SourceNameColumn, SourceColumn, TargetColumn, ElementsColumn, NoteColumn, ColumnCount };
    enum Role { StatusRole = Qt::UserRole + 1, EntryRole };

    explicit TransplantReportModel(QObject *parent = nullptr);
    ~TransplantReportModel() override;

    void setPlan(std::shared_ptr<const TransplantPlan> plan);
    const std::shared_ptr<const TransplantPlan> &plan() const { return m_plan; }
    void setStatusFilter(unsigned mask); // bits of transplantstyle::bit()
    unsigned statusFilter() const { return m_statusMask; }
    // Matches the target's name or the source's (before or after the rules).
    void setNameFilter(ParameterFilter filter);
    int entryAt(int row) const { return m_rows.at(static_cast<std::size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    std::shared_ptr<const TransplantPlan> m_plan;
    std::vector<int> m_rows; // entry indices shown, in report order
    unsigned m_statusMask;
    ParameterFilter m_nameFilter;
};

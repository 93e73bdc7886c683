// SPDX-License-Identifier: MIT
#include "transplantreportmodel.h"

#include "inspectreport.h"
#include "transplantplanner.h"
#include "transplantstatusstyle.h"

#include <QLocale>

namespace {
QString describe(const ckpt::TensorInfo *t)
{
    if (!t)
        return {};
    return QString::fromStdString(ckpt::shapeText(t->shape())) + QLatin1Char(' ') + QString::fromLatin1(ckpt::dtypeName(t->dtype()));
}
} // namespace

TransplantReportModel::TransplantReportModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_statusMask(transplantstyle::kAll)
{ }

TransplantReportModel::~TransplantReportModel() = default;

void TransplantReportModel::setPlan(std::shared_ptr<const TransplantPlan> plan)
{
    m_plan = std::move(plan);
    rebuild();
}

void TransplantReportModel::setStatusFilter(unsigned mask)
{
    if (mask == m_statusMask)
        return;
    m_statusMask = mask;
    rebuild();
}

void TransplantReportModel::setNameFilter(ParameterFilter filter)
{
    m_nameFilter = std::move(filter);
    rebuild();
}

void TransplantReportModel::rebuild()
{
    // Every change replaces the rows wholesale: plans arrive as new objects, and the report is flat.
    beginResetModel();
    m_rows.clear();
    if (m_plan) {
        const auto &entries = m_plan->report.entries;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto &e = entries[i];
            if (!(m_statusMask & transplantstyle::bit(e.status)))
                continue;
            if (!m_nameFilter.isEmpty() && !m_nameFilter.matches(e.name) && !(e.source && m_nameFilter.matches(e.source->modelName)))
                continue;
            m_rows.push_back(static_cast<int>(i));
        }
    }
    endResetModel();
}

int TransplantReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TransplantReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TransplantReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int entry = m_rows[static_cast<std::size_t>(index.row())];
    const ckpt::TransplantEntry &e = m_plan->report.entries[static_cast<std::size_t>(entry)];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StatusColumn: return transplantstyle::label(e.status);
        case NameColumn: return QString::fromStdString(e.name);
        case SourceNameColumn: return e.renamed() ? QString::fromStdString(e.source->modelName) : QString();
        case SourceColumn: return describe(e.source);
        case TargetColumn: return describe(e.target);
        case ElementsColumn: return QLocale().toString(static_cast<qulonglong>((e.target ? e.target : e.source)->numel()));
        case NoteColumn: return QString::fromStdString(e.reason);
        }
        return {};
    case Qt::BackgroundRole: return transplantstyle::colour(e.status);
    case Qt::ForegroundRole: return QColor(Qt::black); // the tints are light in every palette
    case Qt::ToolTipRole: return transplantstyle::description(e.status) + (e.reason.empty() ? QString() : QLatin1Char('\n') + QString::fromStdString(e.reason));
    case Qt::TextAlignmentRole: return index.column() == ElementsColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case StatusRole: return static_cast<int>(e.status);
    case EntryRole: return entry;
    }
    return {};
}

QVariant TransplantReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StatusColumn: return tr("Status");
    case NameColumn: return tr("Name");
    case SourceNameColumn: return tr("Renamed from");
    case SourceColumn: return tr("In source");
    case TargetColumn: return tr("In target");
    case ElementsColumn: return tr("Elements");
    case NoteColumn: return tr("Note");
    }
    return {};
}

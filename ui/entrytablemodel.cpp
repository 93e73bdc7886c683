// SPDX-License-Identifier: MIT
#include "entrytablemodel.h"

#include "checkpoint.h"

EntryTableModel::EntryTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void EntryTableModel::setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    beginResetModel();
    m_checkpoint = std::move(checkpoint);
    endResetModel();
}

int EntryTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_checkpoint ? 0 : static_cast<int>(m_checkpoint->entries().size());
}

int EntryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EntryTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_checkpoint)
        return {};
    const ckpt::Entry &e = m_checkpoint->entries()[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Name: return e.name.empty() ? tr("(root)") : QString::fromStdString(e.name);
        case Type: return QString::fromStdString(e.type);
        case Value: {
            QString v = QString::fromStdString(e.value);
            if (role == Qt::DisplayRole && v.size() > 300)
                v = v.left(300) + QStringLiteral("…");
            return v;
        }
        default: return {};
        }
    }
    return {};
}

QVariant EntryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Entry");
    case Type: return tr("Type");
    case Value: return tr("Value");
    default: return {};
    }
}

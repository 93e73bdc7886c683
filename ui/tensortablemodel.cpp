#include "tensortablemodel.h"

#include "checkpoint.h"
#include "inspectreport.h"

#include <QApplication>
#include <QPalette>

TensorTableModel::TensorTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void TensorTableModel::setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    beginResetModel();
    m_checkpoint = std::move(checkpoint);
    endResetModel();
}

int TensorTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_checkpoint)
        return 0;
    return static_cast<int>(m_checkpoint->tensors().size());
}

int TensorTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TensorTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_checkpoint)
        return {};
    const ckpt::TensorInfo &t = m_checkpoint->tensors()[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return t.name.empty() ? tr("(root)") : QString::fromStdString(t.name);
        case Shape: return QString::fromStdString(ckpt::shapeText(t.shape()));
        case DType: return QString::fromLatin1(ckpt::dtypeName(t.dtype()));
        case Parameters: return QString::fromStdString(ckpt::groupThousands(t.numel()));
        case Size: return QString::fromStdString(ckpt::humanBytes(t.nbytes()));
        case Trainable:
            if (!t.inModelState)
                return tr("not in model");
            if (!t.isParameter)
                return tr("buffer");
            return t.trainable() ? tr("yes") : tr("frozen");
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Parameters || index.column() == Size))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && t.inModelState && !t.isParameter)
        return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
    if (role == Qt::ToolTipRole && index.column() == Name)
        return QString::fromStdString(t.name);
    return {};
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case Shape: return tr("Shape");
    case DType: return tr("Dtype");
    case Parameters: return tr("Parameters");
    case Size: return tr("Size");
    case Trainable: return tr("Trainable");
    default: return {};
    }
}

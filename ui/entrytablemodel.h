// SPDX-License-Identifier: MIT
// The non-tensor content of a checkpoint (epoch, hyper-parameters, optimizer param_groups, objects).
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace ckpt {
class Checkpoint;
}

class EntryTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Type, Value, ColumnCount };

    explicit EntryTableModel(QObject *parent = nullptr);
    void setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ckpt::Checkpoint> m_checkpoint;
};

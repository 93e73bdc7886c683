// A flat table of a checkpoint's tensors: name, shape, dtype, parameters, size, trainable.
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace ckpt {
class Checkpoint;
}

class TensorTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Shape, DType, Parameters, Size, Trainable, ColumnCount };

    explicit TensorTableModel(QObject *parent = nullptr);

    void setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    const ckpt::Checkpoint *checkpoint() const { return m_checkpoint.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ckpt::Checkpoint> m_checkpoint;
};

// SPDX-License-Identifier: MIT
// The rest of an open checkpoint, under the tensor details: where its model state is, where its freeze list
// comes from and goes, what its format cannot say, and every entry that is not a tensor.
#pragma once

#include <QWidget>

class CheckpointDocument;
class EntryTableModel;
class QLabel;
class QTableView;

class CheckpointInfoPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CheckpointInfoPanel(QWidget *parent = nullptr);

    void setDocument(const CheckpointDocument &document);
    QTableView *entryView() const { return m_entryView; }

private:
    EntryTableModel *m_entries;
    QLabel *m_modelState;
    QTableView *m_entryView;
};

// SPDX-License-Identifier: MIT
// Chooses where and how to save a checkpoint: model state only, dtype, prefix to strip, stored freeze state,
// shards.
#pragma once

#include "checkpointsaver.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QLabel;

namespace ckpt {
class Checkpoint;
}

class SaveCheckpointDialog : public QDialog
{
    Q_OBJECT
public:
    SaveCheckpointDialog(const ckpt::Checkpoint &checkpoint, const QString &suggestedPath, QWidget *parent = nullptr);

    QString path() const;
    ckpt::SaveOptions options() const;

    // The prefix every model-state name starts with (module., _orig_mod., model.), or empty.
    static QString commonPrefix(const ckpt::Checkpoint &checkpoint);

private:
    void browse();
    void updateState();

    const ckpt::Checkpoint &m_checkpoint;
    QLineEdit *m_path;
    QCheckBox *m_modelOnly;
    QComboBox *m_dtype;
    QLineEdit *m_stripPrefix;
    QCheckBox *m_storeFreeze;
    QCheckBox *m_shards;
    QLineEdit *m_shardSize;
    QLabel *m_shardProblem;
    QLabel *m_note;
    QLabel *m_remembered = nullptr;
};

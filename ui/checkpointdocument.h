// SPDX-License-Identifier: MIT
// The controller of an open checkpoint: its freeze state, every freeze operation (each the FreezeState
// operation `ckpt freeze` uses, pushed as one undoable command), and where the freeze list is saved.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class ParameterFilter;
class QUndoStack;

namespace ckpt {
class Checkpoint;
class FreezeState;
} // namespace ckpt

class CheckpointDocument : public QObject
{
    Q_OBJECT
public:
    CheckpointDocument(
        std::shared_ptr<const ckpt::Checkpoint> checkpoint, std::unique_ptr<ckpt::FreezeState> freeze, QString freezeNote, QObject *parent = nullptr);
    ~CheckpointDocument() override;

    const ckpt::Checkpoint &checkpoint() const { return *m_checkpoint; }
    const std::shared_ptr<const ckpt::Checkpoint> &sharedCheckpoint() const { return m_checkpoint; }
    const ckpt::FreezeState &freeze() const { return *m_freeze; }
    QString path() const;
    QString freezeNote() const { return m_freezeNote; }
    QUndoStack *undoStack() const { return m_undo; }
    bool isModified() const;

    std::vector<bool> frozen() const;
    // Applies a whole new frozen set as one undoable step called text (nothing happens when it is equal).
    void setFrozen(const std::vector<bool> &frozen, const QString &text);
    // The state as of the last save to freezeListTarget(): the title stops showing unsaved changes.
    void markSaved();

    // Freeze operations, one undo step each. Those that can fail throw ckpt::Error with the cause.
    void freezeFirst(std::size_t n);
    void freezeIndices(const QString &list); // "0,1,5-9"
    std::size_t setMatchingFrozen(const ParameterFilter &filter, bool frozen); // returns how many matched
    void invert();
    void clear();
    // Replaces the freeze state by the list in path (any format export writes). Returns the names in it
    // that match no parameter.
    std::vector<std::string> importFreezeList(const QString &path);

    // Where Save Freeze List writes: frozen_layers.json beside the checkpoint (in its folder for a
    // Hugging Face folder), which is where opening it looks. Exports never move it.
    QString freezeListTarget() const { return m_freezeListTarget; }
    struct SaveResult
    {
        QString path;
        std::size_t keptForeign = 0; // names of other checkpoints already in the file, kept
    };
    // Writes the freeze list to freezeListTarget(), keeping the names there that belong to no parameter of
    // this checkpoint, and marks the document saved. Throws ckpt::Error.
    SaveResult saveFreezeList();
    // Writes the list to path in the format its extension names; marks the document saved only when path
    // is the target. Throws ckpt::Error.
    void exportFreezeList(const QString &path);

signals:
    void freezeChanged(const std::vector<std::size_t> &parameters); // indices into freeze().parameters()
    void modifiedChanged(bool modified);

private:
    friend class FreezeCommand;
    void apply(const std::vector<std::size_t> &indices, const std::vector<bool> &values);

    std::shared_ptr<const ckpt::Checkpoint> m_checkpoint;
    std::unique_ptr<ckpt::FreezeState> m_freeze;
    QString m_freezeNote;
    QString m_freezeListTarget;
    QUndoStack *m_undo;
};

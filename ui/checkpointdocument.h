// An open checkpoint and its freeze state; every freeze change is an undoable command on its QUndoStack.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QUndoStack;

namespace ckpt {
class Checkpoint;
class FreezeState;
} // namespace ckpt

class CheckpointDocument : public QObject
{
    Q_OBJECT
public:
    CheckpointDocument(std::shared_ptr<const ckpt::Checkpoint> checkpoint, std::unique_ptr<ckpt::FreezeState> freeze,
                       QString freezeNote, QObject *parent = nullptr);
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
    // The state as of the last save or export: the title stops showing unsaved changes.
    void markSaved();

signals:
    void freezeChanged(const std::vector<std::size_t> &parameters); // indices into freeze().parameters()
    void modifiedChanged(bool modified);

private:
    friend class FreezeCommand;
    void apply(const std::vector<std::size_t> &indices, const std::vector<bool> &values);

    std::shared_ptr<const ckpt::Checkpoint> m_checkpoint;
    std::unique_ptr<ckpt::FreezeState> m_freeze;
    QString m_freezeNote;
    QUndoStack *m_undo;
};

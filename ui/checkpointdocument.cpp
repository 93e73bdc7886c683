#include "checkpointdocument.h"

#include "checkpoint.h"
#include "freezestate.h"

#include <QUndoCommand>
#include <QUndoStack>

// One freeze edit: the parameters it changes, with their values before and after.
class FreezeCommand : public QUndoCommand
{
public:
    FreezeCommand(CheckpointDocument *document, std::vector<std::size_t> indices, std::vector<bool> before,
                  std::vector<bool> after, const QString &text)
        : QUndoCommand(text)
        , m_document(document)
        , m_indices(std::move(indices))
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
    }

    void undo() override { m_document->apply(m_indices, m_before); }
    void redo() override { m_document->apply(m_indices, m_after); }

private:
    CheckpointDocument *m_document;
    std::vector<std::size_t> m_indices;
    std::vector<bool> m_before;
    std::vector<bool> m_after;
};

CheckpointDocument::CheckpointDocument(std::shared_ptr<const ckpt::Checkpoint> checkpoint, std::unique_ptr<ckpt::FreezeState> freeze,
                                       QString freezeNote, QObject *parent)
    : QObject(parent)
    , m_checkpoint(std::move(checkpoint))
    , m_freeze(std::move(freeze))
    , m_freezeNote(std::move(freezeNote))
    , m_undo(new QUndoStack(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
}

CheckpointDocument::~CheckpointDocument() = default;

QString CheckpointDocument::path() const
{
    return QString::fromStdString(m_checkpoint->path());
}

bool CheckpointDocument::isModified() const
{
    return !m_undo->isClean();
}

std::vector<bool> CheckpointDocument::frozen() const
{
    std::vector<bool> out(m_freeze->parameters().size());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = m_freeze->isFrozen(i);
    return out;
}

void CheckpointDocument::setFrozen(const std::vector<bool> &frozen, const QString &text)
{
    std::vector<std::size_t> indices;
    std::vector<bool> before, after;
    for (std::size_t i = 0; i < frozen.size() && i < m_freeze->parameters().size(); ++i) {
        if (m_freeze->isFrozen(i) == frozen[i])
            continue;
        indices.push_back(i);
        before.push_back(!frozen[i]);
        after.push_back(frozen[i]);
    }
    if (indices.empty())
        return;
    m_undo->push(new FreezeCommand(this, std::move(indices), std::move(before), std::move(after), text));
}

void CheckpointDocument::markSaved()
{
    m_undo->setClean();
}

void CheckpointDocument::apply(const std::vector<std::size_t> &indices, const std::vector<bool> &values)
{
    for (std::size_t k = 0; k < indices.size(); ++k)
        m_freeze->setFrozen(indices[k], values[k]);
    emit freezeChanged(indices);
}

// SPDX-License-Identifier: MIT
#include "checkpointdocument.h"

#include "checkpoint.h"
#include "format/atomicfile.h"
#include "freezelist.h"
#include "freezestate.h"
#include "parameterfilter.h"

#include <QDir>
#include <QFileInfo>

#include <QUndoCommand>
#include <QUndoStack>

// One freeze edit: the parameters it changes, with their values before and after.
class FreezeCommand : public QUndoCommand
{
public:
    FreezeCommand(CheckpointDocument *document, std::vector<std::size_t> indices, std::vector<bool> before, std::vector<bool> after, const QString &text)
        : QUndoCommand(text)
        , m_document(document)
        , m_indices(std::move(indices))
        , m_before(std::move(before))
        , m_after(std::move(after))
    { }

    void undo() override { m_document->apply(m_indices, m_before); }
    void redo() override { m_document->apply(m_indices, m_after); }

private:
    CheckpointDocument *m_document;
    std::vector<std::size_t> m_indices;
    std::vector<bool> m_before;
    std::vector<bool> m_after;
};

CheckpointDocument::CheckpointDocument(
    std::shared_ptr<const ckpt::Checkpoint> checkpoint, std::unique_ptr<ckpt::FreezeState> freeze, QString freezeNote, QObject *parent)
    : QObject(parent)
    , m_checkpoint(std::move(checkpoint))
    , m_freeze(std::move(freeze))
    , m_freezeNote(std::move(freezeNote))
    , m_undo(new QUndoStack(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
    // Where FreezeState::initial looks when the file opens again.
    const QFileInfo info(path());
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    m_freezeListTarget = QDir(folder).filePath(QStringLiteral("frozen_layers.json"));
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

namespace {
std::vector<bool> flagsOf(const ckpt::FreezeState &state)
{
    std::vector<bool> out(state.parameters().size());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = state.isFrozen(i);
    return out;
}
} // namespace

std::vector<bool> CheckpointDocument::frozen() const
{
    return flagsOf(*m_freeze);
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

void CheckpointDocument::freezeFirst(std::size_t n)
{
    ckpt::FreezeState next = *m_freeze;
    next.setFirst(n);
    setFrozen(flagsOf(next), tr("Freeze the first %1 parameters").arg(n));
}

void CheckpointDocument::freezeIndices(const QString &list)
{
    ckpt::FreezeState next = *m_freeze;
    next.setByIndices(ckpt::parseIndexList(list.toStdString()));
    setFrozen(flagsOf(next), tr("Freeze indices %1").arg(list));
}

std::size_t CheckpointDocument::setMatchingFrozen(const ParameterFilter &filter, bool frozen)
{
    std::vector<bool> state = this->frozen();
    std::size_t matched = 0;
    const auto &params = m_freeze->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (filter.matches(params[i].name)) {
            state[i] = frozen;
            ++matched;
        }
    }
    setFrozen(state, (frozen ? tr("Freeze matching '%1'") : tr("Unfreeze matching '%1'")).arg(filter.pattern()));
    return matched;
}

void CheckpointDocument::invert()
{
    ckpt::FreezeState next = *m_freeze;
    next.invert();
    setFrozen(flagsOf(next), tr("Invert the freeze state"));
}

void CheckpointDocument::clear()
{
    ckpt::FreezeState next = *m_freeze;
    next.clear();
    setFrozen(flagsOf(next), tr("Unfreeze all"));
}

std::vector<std::string> CheckpointDocument::importFreezeList(const QString &path)
{
    const auto names = ckpt::readFreezeList(path.toStdString());
    ckpt::FreezeState next = *m_freeze;
    next.clear();
    auto unmatched = next.setByNames(names);
    setFrozen(flagsOf(next), tr("Import %1").arg(QFileInfo(path).fileName()));
    return unmatched;
}

CheckpointDocument::SaveResult CheckpointDocument::saveFreezeList()
{
    const std::string target = m_freezeListTarget.toStdString();
    const auto foreign = ckpt::foreignFreezeNames(target, *m_freeze);
    ckpt::writeFileAtomically(target, ckpt::formatFreezeList(*m_freeze, ckpt::FreezeListFormat::Json, m_checkpoint->path(), foreign));
    markSaved();
    return {m_freezeListTarget, foreign.size()};
}

void CheckpointDocument::exportFreezeList(const QString &path)
{
    if (QFileInfo(path).absoluteFilePath() == QFileInfo(m_freezeListTarget).absoluteFilePath()) {
        saveFreezeList();
        return;
    }
    const std::string target = path.toStdString();
    ckpt::writeFileAtomically(target, ckpt::formatFreezeList(*m_freeze, ckpt::freezeListFormatFor(target), m_checkpoint->path()));
}

// SPDX-License-Identifier: MIT
// Opens checkpoints off the GUI thread (reading, naming, the freeze state and the tree), reports
// progress and can be cancelled; results come back through queued signals.
#pragma once

#include "parametertree.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <string>

class BackgroundJob;

namespace ckpt {
class Checkpoint;
class FreezeState;
} // namespace ckpt

struct LoadedCheckpoint
{
    std::shared_ptr<const ckpt::Checkpoint> checkpoint;
    std::unique_ptr<ckpt::FreezeState> freeze; // null, and the tree empty, for a checkpoint-only loader
    QString freezeNote;
    ParameterTree tree;
};

class CheckpointLoader : public QObject
{
    Q_OBJECT
public:
    explicit CheckpointLoader(QObject *parent = nullptr);
    ~CheckpointLoader() override;

    // Starts reading path; a load already running is cancelled and its result dropped. modelState: where the
    // model state is (dict keys joined by '/'), instead of finding it.
    void load(const QString &path, const std::optional<std::string> &modelState = std::nullopt);
    void cancel();
    // Cancels the load going and drops it: none of the signals below follow for it.
    void discard();
    bool isLoading() const;
    // Read only the checkpoint, without the freeze state and tree a document needs (the transplant planner).
    void setCheckpointOnly(bool on) { m_checkpointOnly = on; }

signals:
    void progress(int percent);
    void loaded(const QString &path, std::shared_ptr<LoadedCheckpoint> result);
    void failed(const QString &path, const QString &message);
    void cancelled(const QString &path);

private:
    BackgroundJob *m_job;
    bool m_checkpointOnly = false;
};

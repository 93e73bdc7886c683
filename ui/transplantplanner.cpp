// SPDX-License-Identifier: MIT
#include "transplantplanner.h"

#include "backgroundjob.h"
#include "checkpointloader.h"

#include <QElapsedTimer>

#include <algorithm>

TransplantPlanner::TransplantPlanner(QObject *parent)
    : QObject(parent)
    , m_planJob(new BackgroundJob(this))
{
    for (const Side side : {Source, Target}) {
        auto *loader = new CheckpointLoader(this);
        loader->setCheckpointOnly(true); // no freeze state or tree: only names and shapes are planned
        m_loaders[side] = loader;
        connect(loader, &CheckpointLoader::progress, this, [this, side](int percent) { sideProgress(side, percent); });
        connect(loader, &CheckpointLoader::loaded, this, [this, side](const QString &path, const std::shared_ptr<LoadedCheckpoint> &result) {
            m_checkpoints[side] = result->checkpoint;
            emit opened(side, path);
            replan();
            updateReading();
        });
        connect(loader, &CheckpointLoader::failed, this, [this, side](const QString &path, const QString &message) {
            emit openFailed(side, path, message);
            updateReading();
        });
        connect(loader, &CheckpointLoader::cancelled, this, [this, side](const QString &path) {
            emit openFailed(side, path, {});
            updateReading();
        });
    }
}

// The loaders and the plan job, children, wait for their runs when they are destroyed.
TransplantPlanner::~TransplantPlanner() = default;

void TransplantPlanner::open(Side side, const QString &path, const std::optional<std::string> &modelState)
{
    m_percent[side] = 0;
    m_loaders[side]->load(path, modelState);
    updateReading();
}

void TransplantPlanner::setCheckpoint(Side side, std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    // A read finishing later would replace this checkpoint with an older choice.
    m_loaders[side]->discard();
    m_checkpoints[side] = std::move(checkpoint);
    emit opened(side, QString::fromStdString(m_checkpoints[side]->path()));
    replan();
    updateReading();
}

void TransplantPlanner::cancel()
{
    for (auto *loader : m_loaders)
        loader->cancel();
}

void TransplantPlanner::setRules(const ckpt::TransplantRules &rules)
{
    m_rules = rules;
    replan();
}

bool TransplantPlanner::isBusy() const
{
    return m_planJob->isRunning() || isReading();
}

bool TransplantPlanner::isReading() const
{
    return m_loaders[Source]->isLoading() || m_loaders[Target]->isLoading();
}

void TransplantPlanner::updateReading()
{
    const bool reading = isReading();
    if (reading == m_reading)
        return;
    m_reading = reading;
    emit readingChanged(reading);
}

void TransplantPlanner::sideProgress(Side side, int percent)
{
    m_percent[side] = percent;
    // Both sides share one progress bar: it follows the read that has furthest to go.
    int shown = 100;
    for (const Side s : {Source, Target})
        if (m_loaders[s]->isLoading())
            shown = std::min(shown, m_percent[s]);
    emit progress(shown);
}

void TransplantPlanner::replan()
{
    if (!m_checkpoints[Source] || !m_checkpoints[Target])
        return;
    m_planJob->start(
        [source = m_checkpoints[Source], target = m_checkpoints[Target], rules = m_rules](const ProgressRelay &) {
            QElapsedTimer timer;
            timer.start();
            auto plan = std::make_shared<TransplantPlan>();
            plan->report = ckpt::planTransplant(*source, *target, rules);
            plan->source = source;
            plan->target = target;
            plan->rules = rules;
            plan->milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            return std::shared_ptr<const TransplantPlan>(std::move(plan));
        },
        [this](const JobOutcome<std::shared_ptr<const TransplantPlan>> &outcome) {
            if (outcome.status == JobStatus::Finished)
                emit planned(outcome.value);
            else // planning has no cancellation: a failure (colliding renames, no model state)
                emit planFailed(outcome.error);
        });
}

#include "transplantplanner.h"

#include "checkpointloader.h"
#include "errorbox.h"
#include "format/error.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

TransplantPlanner::TransplantPlanner(QObject *parent)
    : QObject(parent)
{
    for (const Side side : {Source, Target}) {
        auto *loader = new CheckpointLoader(this);
        loader->setCheckpointOnly(true); // no freeze state or tree: only names and shapes are planned
        m_loaders[side] = loader;
        connect(loader, &CheckpointLoader::progress, this, &TransplantPlanner::progress);
        connect(loader, &CheckpointLoader::loaded, this, [this, side](const QString &path, std::shared_ptr<LoadedCheckpoint> result) {
            m_checkpoints[side] = result->checkpoint;
            emit opened(side, path);
            replan();
        });
        connect(loader, &CheckpointLoader::failed, this,
                [this, side](const QString &path, const QString &message) { emit openFailed(side, path, message); });
        connect(loader, &CheckpointLoader::cancelled, this, [this, side](const QString &path) { emit openFailed(side, path, {}); });
    }
}

TransplantPlanner::~TransplantPlanner()
{
    // Plans report to watchers parented to this object: let them finish first.
    for (auto *w : findChildren<QFutureWatcherBase *>())
        w->waitForFinished();
}

void TransplantPlanner::open(Side side, const QString &path, const std::optional<std::string> &modelState)
{
    m_loaders[side]->load(path, modelState);
}

void TransplantPlanner::setCheckpoint(Side side, std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    m_loaders[side]->cancel();
    m_checkpoints[side] = std::move(checkpoint);
    emit opened(side, QString::fromStdString(m_checkpoints[side]->path()));
    replan();
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
    return m_planning || m_loaders[Source]->isLoading() || m_loaders[Target]->isLoading();
}

void TransplantPlanner::replan()
{
    if (!m_checkpoints[Source] || !m_checkpoints[Target])
        return;
    const quint64 generation = ++m_generation;
    m_planning = true;
    struct Outcome
    {
        std::shared_ptr<const TransplantPlan> plan;
        QString error;
    };
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // the rules changed again meanwhile
        m_planning = false;
        const Outcome outcome = watcher->result();
        if (outcome.plan)
            emit planned(outcome.plan);
        else
            emit planFailed(outcome.error);
    });
    watcher->setFuture(QtConcurrent::run([source = m_checkpoints[Source], target = m_checkpoints[Target], rules = m_rules] {
        Outcome outcome;
        try {
            QElapsedTimer timer;
            timer.start();
            auto plan = std::make_shared<TransplantPlan>();
            plan->report = ckpt::planTransplant(*source, *target, rules);
            plan->source = source;
            plan->target = target;
            plan->rules = rules;
            plan->milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            outcome.plan = std::move(plan);
        } catch (const ckpt::Error &e) {
            outcome.error = QString::fromStdString(e.what());
        } catch (const std::exception &e) { // out of memory, among others
            outcome.error = exceptionText(e);
        }
        return outcome;
    }));
}

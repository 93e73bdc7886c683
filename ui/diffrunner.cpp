// SPDX-License-Identifier: MIT
#include "diffrunner.h"

#include "backgroundjob.h"
#include "checkpoint.h"
#include "errorbox.h"

#include <QElapsedTimer>

#include <new>

ckpt::DiffOptions DiffSettings::options() const
{
    ckpt::DiffOptions o;
    o.all = all;
    if (!stripA.isEmpty())
        o.rulesA.stripPrefixes.push_back(stripA.toStdString());
    if (!stripB.isEmpty())
        o.rulesB.stripPrefixes.push_back(stripB.toStdString());
    o.atol = atol;
    return o;
}

DiffRunner::DiffRunner(QObject *parent)
    : QObject(parent)
    , m_job(new BackgroundJob(this))
{
    connect(m_job, &BackgroundJob::progress, this, &DiffRunner::progress);
}

// The job, a child, waits for its run when it is destroyed.
DiffRunner::~DiffRunner() = default;

void DiffRunner::cancel()
{
    m_job->cancel();
}

bool DiffRunner::isRunning() const
{
    return m_job->isRunning();
}

void DiffRunner::run(const DiffInput &a, const DiffInput &b, const DiffSettings &settings)
{
    m_job->start(
        [a, b, settings](const ProgressRelay &relay) {
            QElapsedTimer timer;
            timer.start();
            // Stages: reading A, reading B (each only when not open yet), comparing.
            const double readShare = (a.checkpoint ? 0.0 : 0.15) + (b.checkpoint ? 0.0 : 0.15);
            auto session = std::make_shared<DiffSession>();
            session->a = a;
            session->b = b;
            session->settings = settings;
            double base = 0;
            for (DiffInput *side : {&session->a, &session->b}) {
                if (side->checkpoint)
                    continue;
                const ckpt::Progress p = relay.stage(base, 0.15);
                ckpt::ReadLimits limits;
                limits.progress = &p;
                side->checkpoint = ckpt::Checkpoint::open(side->path.toStdString(), limits);
                base += 0.15;
            }
            const ckpt::Progress p = relay.stage(readShare, 0.95 - readShare);
            ckpt::DiffOptions options = settings.options();
            options.progress = &p;
            session->result = ckpt::diffCheckpoints(*session->a.checkpoint, *session->b.checkpoint, options);
            session->tree = DiffTree::build(session->result);
            session->suggestion = ckpt::suggestPrefix(session->result);
            for (int depth = 0; depth < 4; ++depth)
                session->modules[static_cast<std::size_t>(depth)] = ckpt::moduleChanges(session->result, depth);
            relay.progress().update(1.0);
            session->seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
            return std::shared_ptr<const DiffSession>(std::move(session));
        },
        [this](const JobOutcome<std::shared_ptr<const DiffSession>> &outcome) {
            switch (outcome.status) {
            case JobStatus::Finished: emit finished(outcome.value); break;
            case JobStatus::Cancelled: emit cancelled(); break;
            case JobStatus::Failed: emit failed(outcome.error); break;
            }
        },
        [a, b](const std::exception &e) {
            if (dynamic_cast<const std::bad_alloc *>(&e))
                return DiffRunner::tr("out of memory while comparing %1 and %2").arg(a.path, b.path);
            return QStringLiteral("%1, %2: %3").arg(a.path, b.path, exceptionText(e));
        });
}

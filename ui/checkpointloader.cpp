// SPDX-License-Identifier: MIT
#include "checkpointloader.h"

#include "backgroundjob.h"
#include "checkpoint.h"
#include "errorbox.h"
#include "freezestate.h"

#include <new>

namespace {
// Where the freeze state a checkpoint opens with came from, in the interface language.
QString describeOrigin(const ckpt::FreezeState::Origin &origin, const ckpt::FreezeState &state)
{
    using Kind = ckpt::FreezeState::Origin::Kind;
    switch (origin.kind) {
    case Kind::Nothing: return {};
    case Kind::Sidecar: {
        QString note = CheckpointLoader::tr("applied %1: %2 of %3 parameters frozen")
                           .arg(QString::fromStdString(origin.sidecar))
                           .arg(state.frozenCount())
                           .arg(state.parameters().size());
        if (origin.unmatched)
            note += CheckpointLoader::tr(", %1 names in it match no parameter (first: %2)")
                        .arg(origin.unmatched)
                        .arg(QString::fromStdString(origin.firstUnmatched));
        return note;
    }
    case Kind::Stored:
        return state.frozenCount() == 1 ? CheckpointLoader::tr("the checkpoint stores requires_grad=False for 1 parameter")
                                        : CheckpointLoader::tr("the checkpoint stores requires_grad=False for %1 parameters").arg(state.frozenCount());
    }
    return {};
}
} // namespace

CheckpointLoader::CheckpointLoader(QObject *parent)
    : QObject(parent)
    , m_job(new BackgroundJob(this))
{
    connect(m_job, &BackgroundJob::progress, this, &CheckpointLoader::progress);
}

// The job, a child, waits for its run when it is destroyed.
CheckpointLoader::~CheckpointLoader() = default;

void CheckpointLoader::cancel()
{
    m_job->cancel();
}

void CheckpointLoader::discard()
{
    m_job->discard();
}

bool CheckpointLoader::isLoading() const
{
    return m_job->isRunning();
}

void CheckpointLoader::load(const QString &path, const std::optional<std::string> &modelState)
{
    const std::string file = path.toStdString();
    m_job->start(
        [file, modelState, checkpointOnly = m_checkpointOnly](const ProgressRelay &relay) {
            const ckpt::Progress &progress = relay.progress();
            ckpt::ReadLimits limits;
            limits.progress = &progress;
            auto result = std::make_shared<LoadedCheckpoint>();
            std::shared_ptr<const ckpt::Checkpoint> checkpoint = ckpt::Checkpoint::open(file, limits, modelState);
            if (!checkpointOnly) {
                ckpt::FreezeState::Origin origin;
                result->freeze = std::make_unique<ckpt::FreezeState>(ckpt::FreezeState::initial(*checkpoint, &origin));
                result->freezeNote = describeOrigin(origin, *result->freeze);
                progress.update(0.95);
                result->tree = ParameterTree::build(*checkpoint, *result->freeze);
            }
            result->checkpoint = std::move(checkpoint);
            return result;
        },
        [this, path](const JobOutcome<std::shared_ptr<LoadedCheckpoint>> &outcome) {
            switch (outcome.status) {
            case JobStatus::Finished: emit loaded(path, outcome.value); break;
            case JobStatus::Cancelled: emit cancelled(path); break;
            case JobStatus::Failed: emit failed(path, outcome.error); break;
            }
        },
        [path](const std::exception &e) {
            if (dynamic_cast<const std::bad_alloc *>(&e))
                return CheckpointLoader::tr("%1: out of memory while reading").arg(path);
            return QStringLiteral("%1: %2").arg(path, exceptionText(e)); // e.g. a thread that cannot start
        });
}

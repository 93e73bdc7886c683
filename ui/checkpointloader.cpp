#include "checkpointloader.h"

#include "checkpoint.h"
#include "errorbox.h"
#include "format/error.h"
#include "freezestate.h"
#include "progressrelay.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

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
    case Kind::Stored: return CheckpointLoader::tr("the file stores requires_grad=False for %1 parameters").arg(state.frozenCount());
    }
    return {};
}
} // namespace

struct CheckpointLoader::Job
{
    std::shared_ptr<LoadedCheckpoint> result;
    QString error;
    bool cancelled = false;
};

CheckpointLoader::CheckpointLoader(QObject *parent)
    : QObject(parent)
{
}

CheckpointLoader::~CheckpointLoader()
{
    cancel();
    // Workers report to watchers parented to this object: let them finish first.
    for (auto *w : findChildren<QFutureWatcherBase *>())
        w->waitForFinished();
}

void CheckpointLoader::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void CheckpointLoader::load(const QString &path, const std::optional<std::string> &modelState)
{
    cancel();
    const quint64 generation = ++m_generation;
    m_loading = true;
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancelFlag;
    auto *watcher = new QFutureWatcher<std::shared_ptr<Job>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // superseded by a later load
        m_loading = false;
        const auto job = watcher->result();
        if (job->result)
            emit loaded(path, job->result);
        else if (job->cancelled)
            emit cancelled(path);
        else
            emit failed(path, job->error);
    });
    const std::string file = path.toStdString();
    QPointer<CheckpointLoader> self(this);
    watcher->setFuture(QtConcurrent::run([file, modelState, checkpointOnly = m_checkpointOnly, cancelFlag, self, generation] {
        auto job = std::make_shared<Job>();
        ProgressRelay relay(self.data(), cancelFlag, [self, generation](int percent) {
            if (self && generation == self->m_generation)
                emit self->progress(percent);
        });
        const ckpt::Progress &progress = relay.progress();
        try {
            ckpt::ReadLimits limits;
            limits.progress = &progress;
            auto result = std::make_shared<LoadedCheckpoint>();
            std::shared_ptr<const ckpt::Checkpoint> checkpoint = ckpt::Checkpoint::open(file, limits, modelState);
            if (checkpointOnly) {
                result->checkpoint = std::move(checkpoint);
                job->result = std::move(result);
                return job;
            }
            ckpt::FreezeState::Origin origin;
            result->freeze = std::make_unique<ckpt::FreezeState>(ckpt::FreezeState::initial(*checkpoint, &origin));
            result->freezeNote = describeOrigin(origin, *result->freeze);
            progress.update(0.95);
            result->tree = ParameterTree::build(*checkpoint, *result->freeze);
            result->checkpoint = std::move(checkpoint);
            job->result = std::move(result);
        } catch (const ckpt::Error &e) {
            job->cancelled = e.kind() == ckpt::ErrorKind::Cancelled;
            job->error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc &) {
            job->error = CheckpointLoader::tr("%1: out of memory while reading").arg(QString::fromStdString(file));
        } catch (const std::exception &e) { // e.g. a thread that cannot start: an error like any other
            job->error = QStringLiteral("%1: %2").arg(QString::fromStdString(file), exceptionText(e));
        }
        return job;
    }));
}

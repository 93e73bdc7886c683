#include "diffrunner.h"

#include "checkpoint.h"
#include "errorbox.h"
#include "format/error.h"
#include "progressrelay.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace {
struct Outcome
{
    std::shared_ptr<DiffSession> session;
    QString error;
    bool cancelled = false;
};
} // namespace

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
{
}

DiffRunner::~DiffRunner()
{
    cancel();
    for (auto *w : findChildren<QFutureWatcherBase *>())
        w->waitForFinished();
}

void DiffRunner::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void DiffRunner::run(const DiffInput &a, const DiffInput &b, const DiffSettings &settings)
{
    cancel();
    const quint64 generation = ++m_generation;
    m_running = true;
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancelFlag;
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_running = false;
        const Outcome outcome = watcher->result();
        if (outcome.session)
            emit finished(outcome.session);
        else if (outcome.cancelled)
            emit cancelled();
        else
            emit failed(outcome.error);
    });
    QPointer<DiffRunner> self(this);
    watcher->setFuture(QtConcurrent::run([a, b, settings, cancelFlag, self, generation] {
        Outcome outcome;
        QElapsedTimer timer;
        timer.start();
        // Stages: reading A, reading B (each only when not open yet), comparing.
        const double readShare = (a.checkpoint ? 0.0 : 0.15) + (b.checkpoint ? 0.0 : 0.15);
        ProgressRelay relay(self.data(), cancelFlag, [self, generation](int percent) {
            if (self && generation == self->m_generation)
                emit self->progress(percent);
        });
        auto session = std::make_shared<DiffSession>();
        session->a = a;
        session->b = b;
        session->settings = settings;
        try {
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
            outcome.session = std::move(session);
        } catch (const ckpt::Error &e) {
            outcome.cancelled = e.kind() == ckpt::ErrorKind::Cancelled;
            outcome.error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc &) {
            outcome.error = DiffRunner::tr("out of memory while comparing %1 and %2").arg(a.path, b.path);
        } catch (const std::exception &e) {
            outcome.error = QStringLiteral("%1, %2: %3").arg(a.path, b.path, exceptionText(e));
        }
        return outcome;
    }));
}

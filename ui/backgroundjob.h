// SPDX-License-Identifier: MIT
// One job at a time off the GUI thread, in the spirit of KDAB hotspot's JobTracker: a later run supersedes
// the one going, whose progress and outcome are then dropped; only the latest run reports, on the job's thread.
#pragma once

#include "errorbox.h"
#include "format/error.h"
#include "progressrelay.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

enum class JobStatus { Finished, Failed, Cancelled };

template<typename T>
struct JobOutcome
{
    JobStatus status = JobStatus::Failed;
    T value{}; // Finished
    QString error; // Failed
};

class BackgroundJob : public QObject
{
    Q_OBJECT
public:
    // Turns an exception other than ckpt::Error into a message; runs on the worker thread.
    using Describe = std::function<QString(const std::exception &)>;

    explicit BackgroundJob(QObject *parent = nullptr);
    // Cancels, then waits for every run still on the pool (superseded ones too): their work may use what
    // the owner handed them, and the owner is usually being destroyed right now.
    ~BackgroundJob() override;

    // Runs work(const ProgressRelay &) -> T on the global pool; a run going is cancelled and its outcome
    // dropped. done(JobOutcome<T>) runs on this object's thread after isRunning() turned false, for the
    // latest run only. ckpt::Error(Cancelled) means Cancelled, other ckpt::Errors say what() and other
    // exceptions what describe says (exceptionText when empty): a failing job never ends the application.
    template<typename Work, typename Done>
    void start(Work work, Done done, Describe describe = {});

    // Asks the run going to stop: it still reports, Cancelled unless it had finished its work.
    void cancel();
    // Cancels the run going and drops its outcome: nothing more is reported for it.
    void discard();
    bool isRunning() const { return m_running; }
    // Of the latest run; a run's progress and outcome are dropped once this has moved on.
    quint64 generation() const { return m_generation; }
    // Blocks until every run on the pool has returned (without delivering their outcomes).
    void waitForFinished();

signals:
    void progress(int percent); // of the latest run
    void runningChanged(bool running);

private:
    // Starts a new generation with a fresh cancel flag.
    std::shared_ptr<std::atomic<bool>> begin();
    void setRunning(bool running);

    quint64 m_generation = 0;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

template<typename Work, typename Done>
void BackgroundJob::start(Work work, Done done, Describe describe)
{
    using Result = std::decay_t<std::invoke_result_t<Work &, const ProgressRelay &>>;
    using Outcome = JobOutcome<Result>;
    auto cancelFlag = begin();
    const quint64 generation = m_generation;
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, done = std::move(done)]() mutable {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // superseded or discarded
        setRunning(false);
        done(watcher->result());
    });
    // The destructor waits for this run, so the relay may report to this object for as long as it runs.
    watcher->setFuture(QtConcurrent::run([this, work = std::move(work), describe = std::move(describe), cancelFlag, generation]() mutable {
        Outcome outcome;
        const ProgressRelay relay(this, cancelFlag, [this, generation](int percent) {
            if (generation == m_generation) // read on this object's thread
                emit progress(percent);
        });
        try {
            outcome.value = work(relay);
            outcome.status = JobStatus::Finished;
        } catch (const ckpt::Error &e) {
            outcome.status = e.kind() == ckpt::ErrorKind::Cancelled ? JobStatus::Cancelled : JobStatus::Failed;
            outcome.error = QString::fromStdString(e.what());
        } catch (const std::exception &e) { // out of memory, a thread that cannot start ...
            outcome.status = JobStatus::Failed;
            try {
                outcome.error = describe ? describe(e) : exceptionText(e);
            } catch (const std::exception &) { // describing needs memory too
                outcome.error = exceptionText(e);
            }
        }
        return outcome;
    }));
    setRunning(true);
}

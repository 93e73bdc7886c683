// SPDX-License-Identifier: MIT
// BackgroundJob, the one helper behind the checkpoint loader, the diff runner and the transplant planner:
// outcomes, cancellation, superseded runs dropped, progress of the latest run only, waiting when destroyed.
#include "backgroundjob.h"

#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

Q_DECLARE_METATYPE(JobStatus)

namespace {
enum class Throw { Nothing, Malformed, Cancelled, OutOfMemory, Runtime };

// Blocks a worker until the test lets it go, deaf to cancellation as a step that cannot be interrupted is.
class Gate
{
public:
    void open() { m_open.store(true); }
    void wait() const
    {
        while (!m_open.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }

private:
    std::atomic<bool> m_open{false};
};

// Every outcome delivered, in order.
struct Outcomes
{
    QList<JobOutcome<int>> list;
    std::function<void(const JobOutcome<int> &)> recorder()
    {
        return [this](const JobOutcome<int> &o) { list << o; };
    }
};
} // namespace

class TestBackgroundJob : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Two runs block at once below, whatever the machine.
        QThreadPool::globalInstance()->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
    }

    void outcomes_data()
    {
        QTest::addColumn<Throw>("thrown");
        QTest::addColumn<bool>("describe");
        QTest::addColumn<JobStatus>("status");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("error");
        QTest::newRow("returns") << Throw::Nothing << false << JobStatus::Finished << 42 << QString();
        QTest::newRow("ckpt::Error") << Throw::Malformed << false << JobStatus::Failed << 0 << QStringLiteral("bad opcode");
        QTest::newRow("ckpt::Error, described") << Throw::Malformed << true << JobStatus::Failed << 0 << QStringLiteral("bad opcode");
        QTest::newRow("cancelled") << Throw::Cancelled << false << JobStatus::Cancelled << 0 << QString();
        QTest::newRow("std::bad_alloc") << Throw::OutOfMemory << false << JobStatus::Failed << 0 << QStringLiteral("out of memory");
        QTest::newRow("std::bad_alloc, described") << Throw::OutOfMemory << true << JobStatus::Failed << 0 << QStringLiteral("described: std::bad_alloc");
        QTest::newRow("std::runtime_error") << Throw::Runtime << false << JobStatus::Failed << 0 << QStringLiteral("no thread");
        QTest::newRow("std::runtime_error, described") << Throw::Runtime << true << JobStatus::Failed << 0 << QStringLiteral("described: no thread");
    }

    // Whatever the work throws becomes an outcome on this thread, after isRunning() turned false.
    void outcomes()
    {
        QFETCH(Throw, thrown);
        QFETCH(bool, describe);
        QFETCH(JobStatus, status);
        QFETCH(int, value);
        QFETCH(QString, error);
        BackgroundJob job;
        QSignalSpy running(&job, &BackgroundJob::runningChanged);
        QSignalSpy progress(&job, &BackgroundJob::progress);
        std::optional<JobOutcome<int>> outcome;
        bool runningWhenDone = true;
        job.start(
            [thrown](const ProgressRelay &relay) {
                relay.progress().update(0.25);
                relay.progress().update(0.5);
                switch (thrown) {
                case Throw::Nothing: break;
                case Throw::Malformed: throw ckpt::Error(ckpt::ErrorKind::Malformed, "bad opcode", "x.pt");
                case Throw::Cancelled: throw ckpt::Error(ckpt::ErrorKind::Cancelled, "stopped");
                case Throw::OutOfMemory: throw std::bad_alloc();
                case Throw::Runtime: throw std::runtime_error("no thread");
                }
                return 42;
            },
            [&](const JobOutcome<int> &o) {
                outcome = o;
                runningWhenDone = job.isRunning();
            },
            describe ? BackgroundJob::Describe([](const std::exception &e) { return QStringLiteral("described: %1").arg(QString::fromLatin1(e.what())); })
                     : BackgroundJob::Describe());
        QVERIFY(job.isRunning());
        QCOMPARE(running.size(), 1);
        QCOMPARE(running.first().at(0).toBool(), true);
        QVERIFY(running.wait(10000));
        QCOMPARE(running.last().at(0).toBool(), false);
        QVERIFY(outcome);
        QVERIFY(!runningWhenDone);
        QCOMPARE(outcome->status, status);
        if (status == JobStatus::Finished)
            QCOMPARE(outcome->value, value);
        QVERIFY2(outcome->error.contains(error), qPrintable(outcome->error));
        // Reports reach this thread before the outcome does, as whole percents.
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress.at(0).at(0).toInt(), 25);
        QCOMPARE(progress.at(1).at(0).toInt(), 50);
    }

    void cancellation_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QList<JobStatus>>("delivered");
        QTest::addColumn<bool>("runningRightAfter");
        // cancel(): the run stops at its next check and says so.
        QTest::newRow("cancel") << QStringLiteral("cancel") << QList<JobStatus>{JobStatus::Cancelled} << true;
        // discard(): the run is cancelled and forgotten at once.
        QTest::newRow("discard") << QStringLiteral("discard") << QList<JobStatus>{} << false;
        // start() again: the first run is cancelled and dropped, the second one reports.
        QTest::newRow("start again") << QStringLiteral("restart") << QList<JobStatus>{JobStatus::Finished} << true;
    }

    void cancellation()
    {
        QFETCH(QString, action);
        QFETCH(QList<JobStatus>, delivered);
        QFETCH(bool, runningRightAfter);
        BackgroundJob job;
        QSignalSpy running(&job, &BackgroundJob::runningChanged);
        Outcomes outcomes;
        auto sawCancel = std::make_shared<std::atomic<bool>>(false);
        const auto blocked = [sawCancel](const ProgressRelay &relay) {
            try {
                for (;;) { // as a reader polls between chunks
                    relay.progress().update(0.1);
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
            } catch (const ckpt::Error &) {
                sawCancel->store(true);
                throw;
            }
            return 1;
        };
        job.start(blocked, outcomes.recorder());
        QTest::qWait(20);
        if (action == QLatin1String("cancel"))
            job.cancel();
        else if (action == QLatin1String("discard"))
            job.discard();
        else
            job.start([](const ProgressRelay &) { return 7; }, outcomes.recorder());
        QCOMPARE(job.isRunning(), runningRightAfter);
        QTRY_VERIFY_WITH_TIMEOUT(sawCancel->load(), 10000);
        if (runningRightAfter)
            QTRY_VERIFY_WITH_TIMEOUT(!job.isRunning(), 10000);
        job.waitForFinished();
        QTest::qWait(100); // anything still queued for this thread arrives now
        QList<JobStatus> statuses;
        for (const auto &o : outcomes.list)
            statuses << o.status;
        QCOMPARE(statuses, delivered);
        if (action == QLatin1String("restart"))
            QCOMPARE(outcomes.list.first().value, 7);
        // Running went true once and false once: a restart is still one job running.
        QCOMPARE(running.size(), 2);
        QCOMPARE(running.last().at(0).toBool(), false);
    }

    // A run that reports (and finishes) after a later run started is stale: neither its progress nor its
    // outcome reaches anyone, even when it was not cancelled in time to stop.
    void staleGenerationsAreDropped()
    {
        BackgroundJob job;
        QSignalSpy progress(&job, &BackgroundJob::progress);
        Outcomes outcomes;
        Gate gate;
        std::atomic<bool> staleReturned{false};
        job.start(
            [&](const ProgressRelay &relay) {
                gate.wait();
                relay.progress().report(0.77);
                staleReturned.store(true);
                return 1;
            },
            outcomes.recorder());
        const quint64 first = job.generation();
        job.start(
            [](const ProgressRelay &relay) {
                relay.progress().report(0.33);
                return 2;
            },
            outcomes.recorder());
        QVERIFY(job.generation() > first);
        QTRY_COMPARE_WITH_TIMEOUT(outcomes.list.size(), 1, 10000);
        gate.open();
        QTRY_VERIFY_WITH_TIMEOUT(staleReturned.load(), 10000);
        job.waitForFinished();
        QTest::qWait(100);
        QCOMPARE(outcomes.list.size(), 1);
        QCOMPARE(outcomes.list.first().status, JobStatus::Finished);
        QCOMPARE(outcomes.list.first().value, 2);
        QCOMPARE(progress.size(), 1);
        QCOMPARE(progress.first().at(0).toInt(), 33);
        QVERIFY(!job.isRunning());
    }

    void destructorWaits_data()
    {
        QTest::addColumn<bool>("honoursCancel");
        // A reader polls the flag and stops; a step that cannot be interrupted runs to its end.
        QTest::newRow("stops when cancelled") << true;
        QTest::newRow("cannot be interrupted") << false;
    }

    // Destroying the job (its owner closing) cancels and waits: nothing the work uses goes away under it,
    // and no outcome is delivered to an owner being destroyed.
    void destructorWaits()
    {
        QFETCH(bool, honoursCancel);
        auto returned = std::make_shared<std::atomic<bool>>(false);
        auto started = std::make_shared<std::atomic<bool>>(false);
        bool delivered = false;
        {
            auto *job = new BackgroundJob;
            job->start(
                [=](const ProgressRelay &relay) {
                    started->store(true);
                    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
                    try {
                        while (std::chrono::steady_clock::now() < until) {
                            if (honoursCancel)
                                relay.progress().checkCancelled();
                            std::this_thread::sleep_for(std::chrono::milliseconds(5));
                        }
                    } catch (...) {
                        returned->store(true);
                        throw;
                    }
                    returned->store(true);
                    return 1;
                },
                [&](const JobOutcome<int> &) { delivered = true; });
            QTRY_VERIFY_WITH_TIMEOUT(started->load(), 10000);
            delete job;
            QVERIFY(returned->load());
        }
        QTest::qWait(50);
        QVERIFY(!delivered);
    }
};

QTEST_GUILESS_MAIN(TestBackgroundJob)
#include "tst_backgroundjob.moc"

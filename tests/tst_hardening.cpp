// SPDX-License-Identifier: MIT
// Running out of memory is an error, not an abort: `ckpt` under an address-space limit (RLIMIT_AS, set in the
// child only) exits 2 with one line, and the GUI's workers turn any std::exception into their error path so
// the window keeps its document. And waiting for a worker does not spin: the GUI thread sleeps in its event
// loop until the work ends (counted by the event dispatcher's wake-ups, not by time).
#include "testsupport.h"

#include "mainwindowdriver.h"

#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "mainwindow.h"
#include "parametertreemodel.h"
#include "savejob.h"

#include <QAbstractEventDispatcher>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <sys/resource.h>

using namespace testsupport;
using mainwindowdriver::openAndWait;

namespace {
ProcessResult runWithAddressSpaceLimit(const QString &program, const QStringList &args, qint64 bytes)
{
    return runProcess(program, args, [bytes](QProcess &p) {
        p.setChildProcessModifier([bytes] {
            const struct rlimit limit
            {
                static_cast<rlim_t>(bytes), static_cast<rlim_t>(bytes)
            };
            ::setrlimit(RLIMIT_AS, &limit);
        });
    });
}

// Counts how often the GUI thread's event dispatcher wakes up.
class WakeUps : public QObject
{
public:
    WakeUps()
    {
        connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this, [this] { ++count; });
    }
    int count = 0;
};

// Keeps the only pool thread busy for a while, so that the next QtConcurrent::run waits in the queue.
void occupyThePool()
{
    QThreadPool::globalInstance()->setMaxThreadCount(1);
    QThreadPool::globalInstance()->start([] { std::this_thread::sleep_for(std::chrono::milliseconds(600)); });
}
} // namespace

class TestHardening : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_hardening"));
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void cleanup()
    {
        QThreadPool::globalInstance()->waitForDone();
        QThreadPool::globalInstance()->setMaxThreadCount(QThread::idealThreadCount());
    }

    // Address-space limits from "too small to start" up to "enough": every run either works, or exits 2 with
    // one line "ckpt: FILE: ..."; none aborts. Somewhere on the way memory runs out and says so.
    void ckptReportsRunningOutOfMemory_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("fromMiB");
        QTest::addColumn<int>("toMiB");
        QTest::addColumn<int>("stepMiB");
        const QString dtypes = fixtureDir() + QStringLiteral("/dtypes.pt");
        const QString training = fixtureDir() + QStringLiteral("/training_checkpoint.pt");
        QTest::newRow("inspect --stats") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), dtypes} << 32 << 1024 << 16;
        QTest::newRow("save") << QStringList{QStringLiteral("save"), training, QStringLiteral("OUT")} << 16 << 160 << 2;
        QTest::newRow("freeze -o") << QStringList{QStringLiteral("freeze"), training, QStringLiteral("--first"), QStringLiteral("2"), QStringLiteral("-o"),
            QStringLiteral("OUT")} << 16
                                   << 160 << 2;
    }

    void ckptReportsRunningOutOfMemory()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer reserves terabytes of shadow address space, so an address-space limit cannot apply");
#endif
        QFETCH(QStringList, args);
        QFETCH(int, fromMiB);
        QFETCH(int, toMiB);
        QFETCH(int, stepMiB);
        QTemporaryDir dir;
        args.replaceInStrings(QStringLiteral("OUT"), dir.filePath(QStringLiteral("out")));
        const QString file = args.at(args.at(1).startsWith(QLatin1Char('-')) ? 2 : 1);
        int outOfMemory = 0, worked = 0;
        for (int mib = fromMiB; mib <= toMiB; mib += stepMiB) {
            const ProcessResult r = runWithAddressSpaceLimit(binDir() + QStringLiteral("/ckpt"), args, qint64(mib) << 20);
            const QString err = QString::fromUtf8(r.err);
            if (r.exitCode == 127 && err.contains(QLatin1String("error while loading shared libraries")))
                continue; // too little to start the program at all
            const QString where = QStringLiteral("at %1 MiB: exit %2, stderr: %3").arg(mib).arg(r.exitCode).arg(err);
            QVERIFY2(r.exitCode == 0 || r.exitCode == 2, qPrintable(where));
            if (r.exitCode == 0) {
                ++worked;
                continue;
            }
            QVERIFY2(err.endsWith(QLatin1Char('\n')) && err.count(QLatin1Char('\n')) == 1, qPrintable(where));
            QVERIFY2(err.startsWith(QStringLiteral("ckpt: ")), qPrintable(where));
            if (err.contains(QLatin1String("out of memory"))) {
                QVERIFY2(err.startsWith(QStringLiteral("ckpt: ") + file + QStringLiteral(": ")), qPrintable(where));
                ++outOfMemory;
            }
            QVERIFY2(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty() || r.exitCode == 0, qPrintable(where));
        }
        QVERIFY2(outOfMemory > 0, "no limit made memory run out: lower fromMiB");
        QVERIFY2(worked > 0, "no limit was enough: raise toMiB");
    }

    // A save job whose work throws something other than ckpt::Error reports it as its error.
    void saveJobReportsEveryException_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("std::bad_alloc") << 0 << QStringLiteral("out of memory");
        QTest::newRow("std::length_error") << 1 << QStringLiteral("vector too long");
        QTest::newRow("std::system_error") << 2 << QStringLiteral("Resource temporarily unavailable");
        QTest::newRow("std::bad_array_new_length") << 3 << QStringLiteral("out of memory");
    }

    void saveJobReportsEveryException()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        QWidget parent;
        const SaveJobResult result = runSaveJob(&parent, QStringLiteral("x"), [which](const ckpt::Progress &) {
            switch (which) {
            case 0: throw std::bad_alloc();
            case 1: throw std::length_error("vector too long");
            case 2: throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
            default: throw std::bad_array_new_length();
            }
        });
        QVERIFY(!result.ok());
        QVERIFY(!result.cancelled);
        QVERIFY2(result.error.contains(expected), qPrintable(result.error));
    }

    // A save from the main window whose work throws a non-ckpt exception: an error result, and the document
    // with its unsaved freeze edit stays open and can still be saved.
    void aFailedSaveKeepsTheDocument()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/training_checkpoint.pt")));
        CheckpointDocument *document = window.document();
        window.freezeFirst(1);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.pt"));
        bool threw = false;
        const SaveJobResult r = runSaveJob(&window, QStringLiteral("x"), [&threw](const ckpt::Progress &) {
            threw = true;
            throw std::system_error(std::make_error_code(std::errc::not_enough_memory));
        });
        QVERIFY(threw);
        QVERIFY(!r.ok());
        QCOMPARE(window.document(), document);
        QVERIFY(window.isWindowModified()); // the freeze edit is still there, unsaved
        QVERIFY(window.saveCheckpointAs(out, {}));
        QVERIFY(QFileInfo::exists(out));
    }

    // While the save job waits (its work queued behind a busy pool thread), the GUI thread sleeps: a polling loop
    // would wake the dispatcher thousands of times, an event-driven wait a handful (the progress events).
    void aSaveJobWaitsWithoutSpinning()
    {
        QWidget parent;
        occupyThePool();
        WakeUps wakeUps;
        const SaveJobResult r = runSaveJob(&parent, QStringLiteral("x"), [](const ckpt::Progress &progress) {
            for (int i = 0; i <= 10; ++i)
                progress.update(i / 10.0);
        });
        QVERIFY(r.ok());
        QVERIFY2(wakeUps.count < 200, qPrintable(QString::number(wakeUps.count)));
    }

    // The same for Compute All Statistics, which waits for one tensor at a time.
    void computingAllStatisticsWaitsWithoutSpinning()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QAction *computeAll = nullptr;
        for (QAction *a : window.findChildren<QAction *>())
            if (a->text() == QLatin1String("Compute &Statistics for All Tensors"))
                computeAll = a;
        QVERIFY(computeAll);
        occupyThePool();
        WakeUps wakeUps;
        computeAll->trigger();
        QVERIFY2(wakeUps.count < 400, qPrintable(QString::number(wakeUps.count)));
        const int tensors = int(window.document()->checkpoint().tensors().size());
        for (int i = 0; i < tensors; ++i)
            QVERIFY(window.treeModel()->hasStatistics(i));
    }

    // Cancel in the progress dialog still stops a save: the dialog shows (after 400 ms) with the progress made,
    // its Cancel button is clicked, and the job ends as cancelled.
    void cancellingASaveJob()
    {
        QWidget parent;
        parent.show();
        std::atomic<bool> sawCancel{false};
        QTimer poll;
        int shownValue = -1;
        QObject::connect(&poll, &QTimer::timeout, &parent, [&] {
            auto *dialog = parent.findChild<QProgressDialog *>();
            if (dialog && dialog->isVisible() && dialog->value() >= 50) {
                shownValue = dialog->value();
                dialog->findChild<QPushButton *>()->click();
                poll.stop();
            }
        });
        poll.start(20);
        const SaveJobResult r = runSaveJob(&parent, QStringLiteral("x"), [&sawCancel](const ckpt::Progress &progress) {
            progress.update(0.5);
            for (;;) { // until Cancel
                try {
                    progress.checkCancelled();
                } catch (...) {
                    sawCancel = true;
                    throw;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        QVERIFY(r.cancelled);
        QVERIFY(sawCancel);
        QCOMPARE(shownValue, 50);
    }
};

QTEST_MAIN(TestHardening)
#include "tst_hardening.moc"

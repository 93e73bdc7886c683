// SPDX-License-Identifier: MIT
// Saving is crash-safe: a writer killed with SIGKILL part-way (while writing, or written but not yet
// verified and renamed) never damages the original file and never leaves anything at the target path but
// the old file or a complete, valid checkpoint. The writer runs in a forked child that kills itself once
// its progress passes the row's byte count.
#include "testsupport.h"

#include "checkpointsaver.h"
#include "format/error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace testsupport;

namespace {
QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

// Saves source to target in a child that SIGKILLs itself when progress reaches killAt (of the whole save:
// below 0.97 the bytes are being written, at 0.97 they are written and flushed, not yet verified or renamed).
// Returns whether the child was killed (false: the save finished first).
bool saveAndKill(const QString &source, const QString &target, bool force, double killAt)
{
    const pid_t pid = fork();
    if (pid == 0) {
        try {
            const auto checkpoint = ckpt::Checkpoint::open(source.toStdString());
            ckpt::Progress progress;
            progress.report = [killAt](double fraction) {
                if (fraction >= killAt)
                    ::kill(::getpid(), SIGKILL);
            };
            ckpt::SaveOptions options;
            options.force = force;
            options.progress = &progress;
            ckpt::saveCheckpoint(*checkpoint, target.toStdString(), options);
        } catch (...) {
            _exit(3);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}
} // namespace

class TestCrashSafe : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_source; // a 47 MB checkpoint (resnet18), so that kills land mid-write
    QString m_other; // another checkpoint, the previous content of an existing target
    QHash<QString, QString> m_sourceTensors;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QJsonObject c = transplantCase(QStringLiteral("resnet18_into_10_classes"));
        m_source = c.value(QStringLiteral("source")).toString();
        m_other = c.value(QStringLiteral("target")).toString();
        QVERIFY(QFileInfo(m_source).size() > 40'000'000);
        m_sourceTensors = tensorHashes(m_source);
    }

    void killedSaveLeavesOldOrComplete_data()
    {
        QTest::addColumn<QString>("targetKind");
        QTest::addColumn<double>("killAt");
        for (const char *kind : {"new file", "existing checkpoint", "the input itself"})
            for (const double at : {0.02, 0.25, 0.5, 0.75, 0.9, 0.97})
                QTest::addRow("%s, killed at %.0f%%", kind, at * 100) << QString::fromLatin1(kind) << at;
    }

    void killedSaveLeavesOldOrComplete()
    {
        QFETCH(QString, targetKind);
        QFETCH(double, killAt);
        QTemporaryDir dir(m_dir.filePath(QStringLiteral("XXXXXX")));
        const QString input = dir.filePath(QStringLiteral("input.pth"));
        QVERIFY(QFile::copy(m_source, input));
        QString target = dir.filePath(QStringLiteral("output.pth"));
        bool force = false;
        if (targetKind == QLatin1String("existing checkpoint")) {
            QVERIFY(QFile::copy(m_other, target));
        } else if (targetKind == QLatin1String("the input itself")) {
            target = input;
            force = true;
        }
        const QByteArray inputBefore = fileHash(input);
        const QByteArray targetBefore = fileHash(target);

        const bool killed = saveAndKill(input, target, force, killAt);
        QVERIFY2(killed, "the save finished before the kill point: the row tests nothing");

        // The original is untouched, unless it was the target and the new file replaced it completely.
        if (target != input)
            QCOMPARE(fileHash(input), inputBefore);
        // At the target: nothing, the old bytes, or a complete checkpoint equal to the input. Every kill point
        // of these rows comes before the rename (0.97: written and flushed, not yet verified), so the target
        // must in fact still be what it was: absent for a new file, the old bytes otherwise.
        const bool exists = QFileInfo::exists(target);
        const QByteArray targetAfter = fileHash(target);
        if (exists && targetAfter != targetBefore) {
            try {
                QCOMPARE(tensorHashes(target), m_sourceTensors);
            } catch (const ckpt::Error &e) {
                QFAIL(qPrintable(QStringLiteral("the target is damaged: ") + QString::fromUtf8(e.what())));
            }
            QFAIL("the target was replaced by an unverified file: the rename came before the kill point");
        }
        if (targetKind == QLatin1String("new file"))
            QVERIFY2(!exists, "a file appeared at the target although the save was killed before its rename");
        else
            QVERIFY2(exists, "the target disappeared although the save was killed before its rename");
        // A killed writer cannot clean up: its temporary file may stay beside the target, never at it.
        for (const QString &f : QDir(dir.path()).entryList(QDir::Files | QDir::Hidden))
            QVERIFY2(f == QLatin1String("input.pth") || f == QLatin1String("output.pth") || f.contains(QStringLiteral(".partial-")), qPrintable(f));
    }

    // Without a kill the same save completes and equals the input: the rows above do stop mid-way.
    void unkilledSaveCompletes()
    {
        const QString target = m_dir.filePath(QStringLiteral("complete.pth"));
        QVERIFY(!saveAndKill(m_source, target, false, 2.0));
        QCOMPARE(tensorHashes(target), m_sourceTensors);
    }
};

QTEST_GUILESS_MAIN(TestCrashSafe)
#include "tst_crashsafe.moc"

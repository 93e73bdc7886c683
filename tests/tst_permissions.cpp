// SPDX-License-Identifier: MIT
// Writing over an existing file keeps its mode and (where the process may set it) its owner, whoever writes
// it: core, `ckpt save`, `ckpt freeze -o`, the main window's freeze list and Save Checkpoint As, the diff
// window's export and a TorchScript re-save through LibTorch. A private 0600 frozen_layers.json must not
// come back 0644. A new file gets 0666 less the umask, like any file a program creates.
#include "testsupport.h"

#include "checkpointloader.h"
#include "checkpointsaver.h"
#include "diffrunner.h"
#include "diffwindow.h"
#include "format/atomicfile.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace testsupport;

namespace {
QString cnn()
{
    return fixtureDir() + QStringLiteral("/cnn_state_dict.pt");
}

// Writes path (which may exist) the way the named writer does; returns what went wrong, empty when it worked.
QString writeWith(const QString &writer, const QString &path)
{
    if (writer == QLatin1String("core")) {
        try {
            ckpt::writeFileAtomically(path.toStdString(), "{}\n");
        } catch (const std::exception &e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }
    if (writer == QLatin1String("ckpt save") || writer == QLatin1String("ckpt freeze -o")) {
        const QStringList args = writer == QLatin1String("ckpt save")
            ? QStringList{QStringLiteral("save"), cnn(), path}
            : QStringList{QStringLiteral("freeze"), cnn(), QStringLiteral("--first"), QStringLiteral("2"), QStringLiteral("-o"), path};
        const ProcessResult r = runCkpt(args);
        return r.exitCode == 0 ? QString() : QString::fromUtf8(r.err);
    }
    if (writer == QLatin1String("torchscript save")) {
        try {
            const auto checkpoint = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/torchscript_model.pt")).toStdString());
            ckpt::saveCheckpoint(*checkpoint, path.toStdString(), {});
        } catch (const std::exception &e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }
    if (writer == QLatin1String("gui diff export")) {
        DiffWindow window;
        QSignalSpy finished(window.runner(), &DiffRunner::finished);
        window.compare({cnn(), nullptr}, {fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), nullptr});
        if (!finished.wait(60000))
            return QStringLiteral("the comparison did not finish");
        const bool ok = window.exportDiff(path);
        for (QMessageBox *box : window.findChildren<QMessageBox *>())
            box->close();
        return ok ? QString() : QStringLiteral("exportDiff failed");
    }
    MainWindow window;
    QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
    window.openFile(cnn());
    if (!loaded.wait(60000))
        return QStringLiteral("the checkpoint did not open");
    bool ok = false;
    if (writer == QLatin1String("gui freeze list")) {
        window.freezeFirst(2);
        ok = window.exportFreezeList(path);
    } else if (writer == QLatin1String("gui save checkpoint")) {
        ok = window.saveCheckpointAs(path, {});
    } else {
        return QStringLiteral("unknown writer ") + writer;
    }
    for (QMessageBox *box : window.findChildren<QMessageBox *>())
        box->close();
    return ok ? QString() : QStringLiteral("the window reported an error");
}

QStringList writers()
{
    return {QStringLiteral("core"), QStringLiteral("ckpt save"), QStringLiteral("ckpt freeze -o"), QStringLiteral("torchscript save"),
        QStringLiteral("gui freeze list"), QStringLiteral("gui save checkpoint"), QStringLiteral("gui diff export")};
}

QString fileName(const QString &writer)
{
    if (writer.contains(QLatin1String("freeze")))
        return QStringLiteral("frozen_layers.json");
    if (writer.contains(QLatin1String("diff")))
        return QStringLiteral("diff.json");
    return QStringLiteral("saved.pt");
}

struct stat statOf(const QString &path)
{
    struct stat st
    { };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        st.st_mode = 0;
    return st;
}

QString octal(unsigned mode)
{
    return QStringLiteral("0%1").arg(mode & 07777, 3, 8, QLatin1Char('0'));
}

// Sets the umask for its lifetime (ckpt children inherit it).
class UmaskScope
{
public:
    explicit UmaskScope(mode_t mask)
        : m_old(::umask(mask))
    { }
    ~UmaskScope() { ::umask(m_old); }

private:
    mode_t m_old;
};
} // namespace

class TestPermissions : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_permissions"));
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void overwritingKeepsTheMode_data()
    {
        QTest::addColumn<QString>("writer");
        QTest::addColumn<int>("mode");
        for (const QString &w : writers())
            for (const int mode : {0600, 0640, 0604})
                QTest::addRow("%s, %s", qPrintable(w), qPrintable(octal(unsigned(mode)))) << w << mode;
    }

    void overwritingKeepsTheMode()
    {
        QFETCH(QString, writer);
        QFETCH(int, mode);
        const UmaskScope umask(022); // a new file would be 0644: the old mode must win
        QTemporaryDir dir;
        const QString path = dir.filePath(fileName(writer));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old content\n");
        }
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(mode)), 0);
        const QString error = writeWith(writer, path);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(QFileInfo(path).size() != qint64(sizeof "old content\n" - 1)); // it was really rewritten
        QCOMPARE(octal(statOf(path).st_mode), octal(unsigned(mode)));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1); // no temporary file left
    }

    // Root (as in CI) can give the new file back to its owner and group; others keep at least a group they are
    // a member of, which needs a second group and is not tested here.
    void overwritingKeepsTheOwner_data()
    {
        QTest::addColumn<QString>("writer");
        for (const QString &w : writers())
            QTest::newRow(qPrintable(w)) << w;
    }

    void overwritingKeepsTheOwner()
    {
        QFETCH(QString, writer);
        if (::geteuid() != 0)
            QSKIP("only root can hand a file to another owner");
        QTemporaryDir dir;
        const QString path = dir.filePath(fileName(writer));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old content\n");
        }
        const QByteArray name = QFile::encodeName(path);
        QCOMPARE(::chown(name.constData(), 65534, 65534), 0);
        QCOMPARE(::chmod(name.constData(), 0640), 0);
        const QString error = writeWith(writer, path);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const struct stat st = statOf(path);
        QCOMPARE(st.st_uid, uid_t(65534));
        QCOMPARE(st.st_gid, gid_t(65534));
        QCOMPARE(octal(st.st_mode), QStringLiteral("0640"));
    }

    void aNewFileFollowsTheUmask_data()
    {
        QTest::addColumn<QString>("writer");
        QTest::addColumn<int>("umask");
        for (const QString &w : writers())
            for (const int mask : {022, 027, 077, 002})
                QTest::addRow("%s, umask %s", qPrintable(w), qPrintable(octal(unsigned(mask)))) << w << mask;
    }

    void aNewFileFollowsTheUmask()
    {
        QFETCH(QString, writer);
        QFETCH(int, umask);
        QTemporaryDir dir;
        const QString path = dir.filePath(fileName(writer));
        QString error;
        {
            const UmaskScope scope(static_cast<mode_t>(umask));
            error = writeWith(writer, path);
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(octal(statOf(path).st_mode), octal(0666u & ~unsigned(umask)));
    }
};

QTEST_MAIN(TestPermissions)
#include "tst_permissions.moc"

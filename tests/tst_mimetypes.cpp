// SPDX-License-Identifier: MIT
// The shared-mime-info XML the package installs recognises each checkpoint format by its content (the
// .pt extension is shared by all of them): a MIME database is built from it with update-mime-database
// and asked through QMimeDatabase, as a file manager asks.
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QMimeDatabase>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;

class TestMimeTypes : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString packages = m_dir.filePath(QStringLiteral("mime/packages"));
        QVERIFY(QDir().mkpath(packages));
        // The freedesktop types are the parents of ours (application/zip).
        QVERIFY(QFile::copy(QStringLiteral("/usr/share/mime/packages/freedesktop.org.xml"), packages + QStringLiteral("/freedesktop.org.xml")));
        QVERIFY(QFile::copy(sourceDir() + QStringLiteral("/../packaging/checkpoint-studio-mime.xml"), packages + QStringLiteral("/checkpoint-studio.xml")));
        qputenv("XDG_DATA_DIRS", m_dir.path().toLocal8Bit());
        qputenv("XDG_DATA_HOME", m_dir.path().toLocal8Bit());
        const ProcessResult r = runProcess(QStringLiteral("update-mime-database"), {m_dir.filePath(QStringLiteral("mime"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("mime/mime.cache"))));
    }

    void recognisedByContent_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("copyAs"); // a name that says nothing, so only the content can tell
        QTest::addColumn<QString>("type");
        const QString f = fixtureDir() + QLatin1Char('/');
        const QString rw = realworldDir() + QLatin1Char('/');
        QTest::newRow("torch.save zip") << f + QStringLiteral("cnn_state_dict.pt") << QStringLiteral("weights.bin")
                                        << QStringLiteral("application/x-pytorch-checkpoint");
        QTest::newRow("Lightning .ckpt") << f + QStringLiteral("lightning_checkpoint.ckpt") << QStringLiteral("last.bin")
                                         << QStringLiteral("application/x-pytorch-checkpoint");
        QTest::newRow("legacy, protocol 1") << f + QStringLiteral("legacy_proto1.pt") << QStringLiteral("old.bin")
                                            << QStringLiteral("application/x-pytorch-legacy-checkpoint");
        QTest::newRow("legacy, protocol 2") << rw + QStringLiteral("burn__reader_simple_legacy.pt") << QStringLiteral("old2.bin")
                                            << QStringLiteral("application/x-pytorch-legacy-checkpoint");
        QTest::newRow("TorchScript") << f + QStringLiteral("torchscript_model.pt") << QStringLiteral("traced.bin")
                                     << QStringLiteral("application/x-torchscript");
        QTest::newRow("TorchScript, real") << rw + QStringLiteral("tch-rs__foo1.pt") << QStringLiteral("foo1.bin")
                                           << QStringLiteral("application/x-torchscript");
        QTest::newRow("safetensors") << f + QStringLiteral("safetensors_plain.safetensors") << QString() << QStringLiteral("application/x-safetensors");
    }

    void recognisedByContent()
    {
        QFETCH(QString, file);
        QFETCH(QString, copyAs);
        QFETCH(QString, type);
        QVERIFY(QFile::exists(file));
        const QMimeDatabase db;
        QCOMPARE(db.mimeTypeForFile(file).name(), type);
        if (!copyAs.isEmpty()) {
            const QString copy = m_dir.filePath(copyAs);
            QVERIFY(QFile::copy(file, copy));
            QCOMPARE(db.mimeTypeForFile(copy, QMimeDatabase::MatchContent).name(), type);
            QCOMPARE(db.mimeTypeForFile(copy).name(), type);
        }
    }

    void ordinaryZipIsNotACheckpoint()
    {
        // A zip that is not a checkpoint stays a zip.
        const QString zip = m_dir.filePath(QStringLiteral("plain.zip"));
        QFile f(zip);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("PK\x03\x04", 4) + QByteArray(26, '\0') + QByteArray("readme.txt") + QByteArray(200, 'x'));
        f.close();
        QCOMPARE(QMimeDatabase().mimeTypeForFile(zip, QMimeDatabase::MatchContent).name(), QStringLiteral("application/zip"));
    }
};

QTEST_GUILESS_MAIN(TestMimeTypes)
#include "tst_mimetypes.moc"

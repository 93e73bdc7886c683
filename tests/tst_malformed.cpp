// SPDX-License-Identifier: MIT
// Hostile and broken files: each gives a typed error naming the file, never a crash, hang or huge allocation.
#include "testsupport.h"

#include "format/error.h"
#include "tensordata.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace testsupport;

namespace {
const char *const kSentinel = "/tmp/ckpt_studio_pwned_sentinel";

// Opens the file and touches every tensor; returns "ok" or the error kind's name.
QString outcome(const QString &path, const ckpt::ReadLimits &limits = {})
{
    try {
        const auto c = ckpt::Checkpoint::open(path.toStdString(), limits);
        for (const auto &t : c->tensors()) {
            try {
                (void)ckpt::contiguousBytes(*t.value);
            } catch (const ckpt::Error &e) {
                if (e.kind() != ckpt::ErrorKind::LimitExceeded) // a broadcast view too large to materialise
                    return QStringLiteral("reading tensor bytes failed: ") + QString::fromUtf8(e.what());
            }
        }
        return QStringLiteral("ok");
    } catch (const ckpt::Error &e) {
        const std::string what = e.what();
        if (!what.starts_with(path.toStdString() + ": "))
            return QStringLiteral("message does not name the file: ") + QString::fromStdString(what);
        return QString::fromLatin1(ckpt::errorKindName(e.kind()));
    }
}

QString kindName(const QString &tsvName)
{
    static const QHash<QString, ckpt::ErrorKind> kinds{
        {QStringLiteral("NotFound"), ckpt::ErrorKind::NotFound},
        {QStringLiteral("Truncated"), ckpt::ErrorKind::Truncated},
        {QStringLiteral("Malformed"), ckpt::ErrorKind::Malformed},
        {QStringLiteral("LimitExceeded"), ckpt::ErrorKind::LimitExceeded},
        {QStringLiteral("Unsupported"), ckpt::ErrorKind::Unsupported},
        {QStringLiteral("UnknownFormat"), ckpt::ErrorKind::UnknownFormat},
    };
    if (tsvName == QLatin1String("ok"))
        return tsvName;
    return QString::fromLatin1(ckpt::errorKindName(kinds.value(tsvName)));
}
} // namespace

class TestMalformed : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QFile::remove(QString::fromLatin1(kSentinel)); }
    void cleanupTestCase() { QVERIFY2(!QFile::exists(QString::fromLatin1(kSentinel)), "a payload in the corpus was executed"); }

    void corpus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QFile tsv(malformedDir() + QStringLiteral("/corpus.tsv"));
        QVERIFY(tsv.open(QIODevice::ReadOnly | QIODevice::Text));
        int rows = 0;
        while (!tsv.atEnd()) {
            const QStringList cols = QString::fromUtf8(tsv.readLine()).trimmed().split(QLatin1Char('\t'));
            if (cols.size() < 2 || cols.front().startsWith(QLatin1Char('#')))
                continue;
            QTest::newRow(qPrintable(cols[0])) << malformedDir() + QLatin1Char('/') + cols[0] << kindName(cols[1]);
            ++rows;
        }
        QVERIFY(rows >= 45);
    }

    void corpus()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        ckpt::ReadLimits limits;
        if (file.endsWith(QLatin1String("gzip_bomb.tar.gz"))) {
            limits.maxGzipOutputFloor = 1 << 20;
            limits.maxGzipRatio = 4;
        }
        QCOMPARE(outcome(file, limits), expected);
    }

    void fileSystemErrors_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << QStringLiteral("/nonexistent/dir/model.pt") << QStringLiteral("not found");
        QTest::newRow("folder without a checkpoint") << QDir::tempPath() << QStringLiteral("not a file");
        QTest::newRow("device") << QStringLiteral("/dev/null") << QStringLiteral("not a file");
    }

    void fileSystemErrors()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        QCOMPARE(outcome(path), expected);
    }

    void unreadableFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secret.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), path));
        QVERIFY(QFile::setPermissions(path, QFile::WriteOwner));
        if (geteuid() != 0) {
            QCOMPARE(outcome(path), QStringLiteral("permission denied"));
            return;
        }
        // root reads any file: check as the unprivileged 'nobody' in a child process.
        QCOMPARE(QString::fromStdString(runAsNobody([&] { return outcome(path).toStdString(); })), QStringLiteral("permission denied"));
    }

    // Every fixture cut at many points, and with random bytes flipped: an error or a valid tree.
    void truncatedAndCorruptedFixtures_data()
    {
        QTest::addColumn<QString>("file");
        const QJsonArray fixtures = readJsonObject(fixtureDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray();
        for (const auto &v : fixtures) {
            const QString path = v.toObject().value(QStringLiteral("path")).toString();
            if (!path.endsWith(QLatin1String(".json")))
                QTest::newRow(qPrintable(path)) << fixtureDir() + QLatin1Char('/') + path;
        }
    }

    void truncatedAndCorruptedFixtures()
    {
        QFETCH(QString, file);
        QFile in(file);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray original = in.readAll();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mutant.bin"));
        auto check = [&](const QByteArray &bytes, const QString &what) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(bytes);
            out.close();
            const QString result = outcome(path);
            QVERIFY2(!result.startsWith(QLatin1String("message")), qPrintable(what + QStringLiteral(": ") + result));
        };
        const qsizetype step = std::max<qsizetype>(1, original.size() / 64);
        for (qsizetype n = 0; n < original.size(); n += step)
            check(original.left(n), QStringLiteral("cut at %1").arg(n));
        QRandomGenerator rng(0xC0FFEE);
        for (int round = 0; round < 64; ++round) {
            QByteArray mutant = original;
            for (int k = 0; k < 4; ++k)
                mutant[rng.bounded(mutant.size())] = char(rng.bounded(256));
            check(mutant, QStringLiteral("mutation round %1").arg(round));
        }
    }
};

QTEST_GUILESS_MAIN(TestMalformed)
#include "tst_malformed.moc"

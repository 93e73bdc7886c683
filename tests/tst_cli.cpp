// The ckpt command-line tool, run as a user would: exit codes, stderr, and `inspect --json` against torch.load.
#include "testsupport.h"

#include <QJsonDocument>
#include <QTest>

using namespace testsupport;


class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void exitCodesAndMessages_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutHas");
        QTest::addColumn<QString>("stderrHas");
        const QString broken = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        const QString good = fixtureDir() + QStringLiteral("/training_checkpoint.pt");
        QTest::newRow("no arguments") << QStringList{} << 2 << QStringLiteral("Usage: ckpt") << QString();
        QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("inspect") << QString();
        QTest::newRow("version") << QStringList{QStringLiteral("--version")} << 0 << QStringLiteral("ckpt 0.") << QString();
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2 << QString() << QStringLiteral("unknown command");
        QTest::newRow("inspect help") << QStringList{QStringLiteral("inspect"), QStringLiteral("--help")} << 0
                                      << QStringLiteral("Examples:") << QString();
        QTest::newRow("help inspect") << QStringList{QStringLiteral("help"), QStringLiteral("inspect")} << 0
                                      << QStringLiteral("--json") << QString();
        QTest::newRow("inspect without file") << QStringList{QStringLiteral("inspect")} << 2 << QString() << QStringLiteral("exactly one FILE");
        QTest::newRow("inspect unknown option") << QStringList{QStringLiteral("inspect"), QStringLiteral("--bogus"), good} << 2
                                                << QString() << QStringLiteral("bogus");
        QTest::newRow("inspect missing file") << QStringList{QStringLiteral("inspect"), QStringLiteral("/no/such.pt")} << 2 << QString()
                                              << QStringLiteral("/no/such.pt: cannot open: No such file");
        QTest::newRow("inspect broken file") << QStringList{QStringLiteral("inspect"), broken} << 2 << QString()
                                             << broken + QStringLiteral(": not a PyTorch checkpoint");
        QTest::newRow("inspect table") << QStringList{QStringLiteral("inspect"), good} << 0 << QStringLiteral("TRAINABLE") << QString();
        QTest::newRow("inspect summary") << QStringList{QStringLiteral("inspect"), good} << 0
                                         << QStringLiteral("Model state:   'model_state' (a state_dict)") << QString();
        QTest::newRow("inspect stats") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), good} << 0
                                       << QStringLiteral("MEAN") << QString();
        QTest::newRow("inspect stats json") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), good}
                                            << 0 << QStringLiteral("\"stats\": {\"mean\": ") << QString();
        QTest::newRow("inspect shows entries") << QStringList{QStringLiteral("inspect"), good} << 0
                                               << QStringLiteral("argparse.Namespace") << QString();
    }

    void exitCodesAndMessages()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stdoutHas);
        QFETCH(QString, stderrHas);
        const ProcessResult r = runCkpt(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.out).contains(stdoutHas), r.out.left(2000).constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
        if (exitCode == 2 && !stderrHas.isEmpty())
            QCOMPARE(r.err.count('\n'), 1); // one line
    }

    void inspectJsonMatchesTorchLoad_data() { addFixtureRows(); }

    void inspectJsonMatchesTorchLoad()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const ProcessResult r = runCkpt({QStringLiteral("inspect"), QStringLiteral("--json"), file});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError err;
        const QJsonObject got = QJsonDocument::fromJson(r.out, &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        const QJsonObject want = readJsonObject(expected);
        QCOMPARE(got.value(QStringLiteral("format")).toString(), want.value(QStringLiteral("format")).toString());
        if (want.value(QStringLiteral("model_state")).isString())
            QCOMPARE(got.value(QStringLiteral("model_state")).toString(), want.value(QStringLiteral("model_state")).toString());
        const QJsonArray ours = got.value(QStringLiteral("tensors")).toArray();
        const QJsonArray theirs = want.value(QStringLiteral("tensors")).toArray();
        QCOMPARE(ours.size(), theirs.size());
        for (qsizetype i = 0; i < ours.size(); ++i) {
            const QJsonObject a = ours.at(i).toObject();
            const QJsonObject b = theirs.at(i).toObject();
            QCOMPARE(a.value(QStringLiteral("name")).toString(), b.value(QStringLiteral("name")).toString());
            QCOMPARE(a.value(QStringLiteral("shape")).toArray(), b.value(QStringLiteral("shape")).toArray());
            QCOMPARE(a.value(QStringLiteral("dtype")).toString(), b.value(QStringLiteral("dtype")).toString());
            QCOMPARE(a.value(QStringLiteral("requires_grad")).toBool(), b.value(QStringLiteral("requires_grad")).toBool());
            if (b.value(QStringLiteral("is_parameter")).isBool())
                QCOMPARE(a.value(QStringLiteral("is_parameter")).toBool(), b.value(QStringLiteral("is_parameter")).toBool());
            qint64 numel = 1;
            for (const auto &d : a.value(QStringLiteral("shape")).toArray())
                numel *= d.toInteger();
            QCOMPARE(a.value(QStringLiteral("numel")).toInteger(), numel);
            QVERIFY(a.value(QStringLiteral("nbytes")).toInteger() >= numel);
        }
        for (const auto &e : got.value(QStringLiteral("entries")).toArray()) {
            const QJsonObject o = e.toObject();
            QVERIFY(o.contains(QStringLiteral("name")) && o.contains(QStringLiteral("type")) && o.contains(QStringLiteral("value")));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

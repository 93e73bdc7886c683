// SPDX-License-Identifier: MIT
// The ckpt command-line tool, run as a user would: exit codes, stderr, and `inspect --json` against torch.load.
#include "testsupport.h"

#include "format/mappedfile.h"
#include "format/ziparchive.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
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
        QTest::newRow("inspect help") << QStringList{QStringLiteral("inspect"), QStringLiteral("--help")} << 0 << QStringLiteral("Examples:") << QString();
        QTest::newRow("help inspect") << QStringList{QStringLiteral("help"), QStringLiteral("inspect")} << 0 << QStringLiteral("--json") << QString();
        QTest::newRow("inspect without file") << QStringList{QStringLiteral("inspect")} << 2 << QString() << QStringLiteral("exactly one FILE");
        QTest::newRow("inspect unknown option") << QStringList{QStringLiteral("inspect"), QStringLiteral("--bogus"), good} << 2 << QString()
                                                << QStringLiteral("bogus");
        QTest::newRow("inspect missing file") << QStringList{QStringLiteral("inspect"), QStringLiteral("/no/such.pt")} << 2 << QString()
                                              << QStringLiteral("/no/such.pt: cannot open: No such file");
        QTest::newRow("inspect broken file") << QStringList{QStringLiteral("inspect"), broken} << 2 << QString()
                                             << broken + QStringLiteral(": not a PyTorch checkpoint");
        QTest::newRow("inspect table") << QStringList{QStringLiteral("inspect"), good} << 0 << QStringLiteral("TRAINABLE") << QString();
        QTest::newRow("inspect summary") << QStringList{QStringLiteral("inspect"), good} << 0 << QStringLiteral("Model state:   'model_state' (a state_dict)")
                                         << QString();
        QTest::newRow("inspect stats") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), good} << 0 << QStringLiteral("MEAN") << QString();
        QTest::newRow("inspect stats json") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), good} << 0
                                            << QStringLiteral("\"stats\": {\"mean\": ") << QString();
        QTest::newRow("inspect shows entries") << QStringList{QStringLiteral("inspect"), good} << 0 << QStringLiteral("argparse.Namespace") << QString();
        // Honest model state: said why, or why there is none; never a lone layer exported as "the model".
        const QString perLayer = fixtureDir() + QStringLiteral("/per_layer_dicts.pt");
        QTest::newRow("why this model state") << QStringList{QStringLiteral("inspect"), good} << 0
                                              << QStringLiteral("'model_state' (a state_dict) - a conventional key") << QString();
        QTest::newRow("no model state, and why") << QStringList{QStringLiteral("inspect"), perLayer} << 0
                                                 << QStringLiteral("Model state:   not found - no conventional key") << QString();
        QTest::newRow("no model state in json") << QStringList{QStringLiteral("inspect"), QStringLiteral("--json"), perLayer} << 0
                                                << QStringLiteral("\"model_state_found\": false,\n  \"model_state_reason\": \"no conventional key")
                                                << QString();
        QTest::newRow("model-only without a model state")
            << QStringList{QStringLiteral("save"), perLayer, QStringLiteral("/tmp/never-written.pt"), QStringLiteral("--model-only")} << 2 << QString()
            << QStringLiteral("no model state was found");
        // Deflated records: listed, and their statistics computed.
        const QString deflated = fixtureDir() + QStringLiteral("/zip_deflated_checkpoint.pt");
        QTest::newRow("deflated records listed") << QStringList{QStringLiteral("inspect"), deflated} << 0
                                                 << QStringLiteral("deflate-compressed tensor records inflated") << QString();
        QTest::newRow("deflated records' statistics") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), deflated}
                                                      << 0 << QStringLiteral("\"stats\": {\"mean\": ") << QString();
        // Quantized: the quantizer, and statistics of the dequantized values, labelled.
        const QString quantized = fixtureDir() + QStringLiteral("/quantized_state_dict.pt");
        QTest::newRow("quantizer in json") << QStringList{QStringLiteral("inspect"), QStringLiteral("--json"), quantized} << 0
                                           << QStringLiteral("\"quantization\": {\"qscheme\": \"per_channel_affine\", \"axis\": 0, \"scales\": [") << QString();
        QTest::newRow("dequantized statistics") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), quantized} << 0
                                                << QStringLiteral("\"dequantized\": true") << QString();
        QTest::newRow("dequantized statistics in the table")
            << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), quantized} << 0 << QStringLiteral("(dequantized)") << QString();
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
        for (qsizetype i = 0; i < ours.size(); ++i) { // quantizers as PyTorch reports them
            const QJsonObject a = ours.at(i).toObject();
            const QJsonObject b = theirs.at(i).toObject();
            QCOMPARE(a.contains(QStringLiteral("quantization")), b.contains(QStringLiteral("quant")));
            if (b.contains(QStringLiteral("quant"))) {
                QJsonObject q = a.value(QStringLiteral("quantization")).toObject();
                q.insert(QStringLiteral("qscheme"), q.take(QStringLiteral("qscheme")));
                QCOMPARE(q, b.value(QStringLiteral("quant")).toObject());
            }
        }
        if (want.value(QStringLiteral("model_state")).isBool())
            QCOMPARE(got.value(QStringLiteral("model_state_found")).toBool(), false);
        for (const auto &e : got.value(QStringLiteral("entries")).toArray()) {
            const QJsonObject o = e.toObject();
            QVERIFY(o.contains(QStringLiteral("name")) && o.contains(QStringLiteral("type")) && o.contains(QStringLiteral("value")));
        }
    }

    // Output is the same bytes in every locale: a comma-decimal one (de_DE, generated with localedef into a
    // temporary LOCPATH) must not turn 0.5 into 0,5 in JSON, CSV or the tables.
    void sameBytesInEveryLocale_data()
    {
        QTest::addColumn<QStringList>("args");
        const QString training = fixtureDir() + QStringLiteral("/training_checkpoint.pt");
        const QString dtypes = fixtureDir() + QStringLiteral("/dtypes.pt");
        // the bundled examples: a model before and after fine-tuning, with values that print with decimals
        const QString diffA = sourceDir() + QStringLiteral("/../resources/examples/example_training_checkpoint.pt");
        const QString diffB = sourceDir() + QStringLiteral("/../resources/examples/example_finetuned.pt");
        QTest::newRow("inspect") << QStringList{QStringLiteral("inspect"), training};
        QTest::newRow("inspect --stats") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), dtypes};
        QTest::newRow("inspect --stats --json") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), dtypes};
        QTest::newRow("inspect quantized --json") << QStringList{
            QStringLiteral("inspect"), QStringLiteral("--stats"), QStringLiteral("--json"), fixtureDir() + QStringLiteral("/quantized_checkpoint.pt")};
        QTest::newRow("diff") << QStringList{QStringLiteral("diff"), diffA, diffB};
        QTest::newRow("diff --json") << QStringList{QStringLiteral("diff"), QStringLiteral("--json"), diffA, diffB};
        QTest::newRow("diff --csv") << QStringList{QStringLiteral("diff"), QStringLiteral("--csv"), diffA, diffB};
        QTest::newRow("transplant --json") << QStringList{
            QStringLiteral("transplant"), QStringLiteral("--from"), diffA, QStringLiteral("--into"), diffB, QStringLiteral("--json")};
        QTest::newRow("scan --json") << QStringList{QStringLiteral("scan"), QStringLiteral("--json"), training};
    }

    void sameBytesInEveryLocale()
    {
        QFETCH(QStringList, args);
        static QTemporaryDir locales;
        static bool made = false;
        if (!made) {
            const ProcessResult r = runProcess(QStringLiteral("localedef"),
                {QStringLiteral("-i"), QStringLiteral("de_DE"), QStringLiteral("-f"), QStringLiteral("UTF-8"),
                    locales.filePath(QStringLiteral("de_DE.UTF-8"))});
            QVERIFY2(QFileInfo(locales.filePath(QStringLiteral("de_DE.UTF-8"))).isDir(), r.err.constData());
            made = true;
        }
        auto run = [&](const QString &locale) {
            return runProcess(binDir() + QStringLiteral("/ckpt"), args, [&](QProcess &p) {
                QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
                env.insert(QStringLiteral("LOCPATH"), locales.path());
                env.insert(QStringLiteral("LC_ALL"), locale);
                env.insert(QStringLiteral("LANG"), locale);
                p.setProcessEnvironment(env);
            });
        };
        const ProcessResult c = run(QStringLiteral("C"));
        const ProcessResult de = run(QStringLiteral("de_DE.UTF-8"));
        QVERIFY2(c.out.size() > 40, c.out.constData());
        QCOMPARE(de.exitCode, c.exitCode);
        if (de.out != c.out) { // show the first line that differs
            const QList<QByteArray> a = c.out.split('\n'), b = de.out.split('\n');
            for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i)
                QVERIFY2(a[i] == b[i], (a[i] + "\n  under de_DE:\n" + b[i]).constData());
            QCOMPARE(de.out.size(), c.out.size());
        }
    }

    // Deflated records flow through every command: a save writes them stored and 64-byte aligned, and the
    // saved file diffs identical to its source; a transplant reads them as a source.
    void deflatedRecordsThroughEveryCommand()
    {
        QTemporaryDir dir;
        const QString deflated = fixtureDir() + QStringLiteral("/zip_deflated_checkpoint.pt");
        const QString saved = dir.filePath(QStringLiteral("stored.pt"));
        ProcessResult r = runCkpt({QStringLiteral("save"), deflated, saved});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto file = ckpt::MappedFile::open(saved.toStdString());
        const ckpt::ZipArchive zip(file->bytes());
        int records = 0;
        for (const auto &e : zip.entries()) {
            QCOMPARE(e.method, std::uint16_t(0));
            if (std::string_view(e.name).find("/data/") != std::string_view::npos) {
                QCOMPARE(zip.dataOffset(e) % 64, std::uint64_t(0));
                ++records;
            }
        }
        QVERIFY(records > 0);
        r = runCkpt({QStringLiteral("diff"), deflated, saved, QStringLiteral("--all")});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData()); // 0: identical
        r = runCkpt({QStringLiteral("transplant"), QStringLiteral("--from"), deflated, QStringLiteral("--into"), saved, QStringLiteral("-o"),
            dir.filePath(QStringLiteral("transplanted.pt"))});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QVERIFY2(r.out.contains("Copied: 5 tensors"), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

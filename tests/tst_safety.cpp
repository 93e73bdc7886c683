// Hostile files: every payload make_malicious.py writes (each proven to run in Python) is reported dangerous
// by ckpt scan and by the main window's banner, and none runs here (its sentinel file never appears). Benign
// files: none is dangerous, and every file PyTorch loads with weights_only=True is weights-only here too.
#include "testsupport.h"

#include "checkpointloader.h"
#include "format/error.h"
#include "mainwindow.h"
#include "safetybanner.h"
#include "safetyreport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QStandardPaths>
#include <QTest>

using namespace testsupport;

namespace {
QJsonArray maliciousCases()
{
    QFile f(fixtureDir() + QStringLiteral("/malicious/malicious.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("malicious.json missing: run the generate_malicious test first");
    return QJsonDocument::fromJson(f.readAll()).array();
}

QStringList benignFiles()
{
    QStringList files;
    const QJsonObject manifest = readJsonObject(fixtureDir() + QStringLiteral("/manifest.json"));
    for (const auto &v : manifest.value(QStringLiteral("fixtures")).toArray())
        files << fixtureDir() + QLatin1Char('/') + v.toObject().value(QStringLiteral("path")).toString();
    for (const QFileInfo &f : QDir(realworldDir()).entryInfoList(QDir::Files))
        if (f.fileName() != QLatin1String("README.md") && f.fileName() != QLatin1String("burn__reader_broken.pt"))
            files << f.absoluteFilePath();
    return files;
}

void sentinelsAbsent()
{
    for (const auto &v : maliciousCases()) {
        const QString sentinel = v.toObject().value(QStringLiteral("sentinel")).toString();
        QVERIFY2(!QFileInfo::exists(sentinel), qPrintable(sentinel + QStringLiteral(" exists: a payload ran")));
    }
}
} // namespace

class TestSafety : public QObject
{
    Q_OBJECT
private:
    QJsonObject m_weightsOnly; // file -> torch.load(weights_only=True) worked

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QStandardPaths::setTestModeEnabled(true);
        sentinelsAbsent();
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("weights_only.json"));
        const ProcessResult r = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
                                           QStringList{sourceDir() + QStringLiteral("/fixtures/weights_only_oracle.py"), out} + benignFiles());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_weightsOnly = readJsonObject(out);
        QVERIFY(m_weightsOnly.size() > 50);
    }

    void cleanupTestCase() { sentinelsAbsent(); }

    void globalsAreClassified_data()
    {
        QTest::addColumn<QString>("module");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("safety");
        const int d = int(ckpt::Safety::Dangerous), n = int(ckpt::Safety::NeedsFullUnpickle), w = int(ckpt::Safety::WeightsOnly);
        const struct { const char *m, *n; int s; } rows[] = {
            {"os", "system", d}, {"posix", "system", d}, {"nt", "system", d}, {"os.path", "join", d},
            {"subprocess", "Popen", d}, {"subprocess", "check_output", d}, {"builtins", "eval", d}, {"builtins", "exec", d},
            {"__builtin__", "eval", d}, {"builtins", "compile", d}, {"builtins", "getattr", d}, {"builtins", "__import__", d},
            {"builtins", "open", d}, {"runpy", "_run_code", d}, {"socket", "create_connection", d}, {"shutil", "rmtree", d},
            {"pickle", "loads", d}, {"_pickle", "loads", d}, {"sys", "modules", d}, {"torch.hub", "load", d},
            {"operator", "attrgetter", d}, {"ctypes", "CDLL", d}, {"importlib", "import_module", d}, {"torch", "load", d},
            {"numpy.testing._private.utils", "runstring", d}, {"webbrowser", "open", d},
            {"collections", "OrderedDict", w}, {"torch._utils", "_rebuild_tensor_v2", w}, {"torch._utils", "_rebuild_parameter", w},
            {"torch", "FloatStorage", w}, {"torch", "BFloat16Storage", w}, {"torch", "float32", w}, {"torch", "Size", w},
            {"torch.nn.parameter", "Parameter", w}, {"builtins", "set", w}, {"_codecs", "encode", w},
            {"argparse", "Namespace", n}, {"numpy.core.multiarray", "_reconstruct", n}, {"builtins", "print", n},
            {"collections", "defaultdict", n}, {"torch.nn.modules.linear", "Linear", n}, {"__torch__", "MyModule", n},
            {"operatorx", "attrgetter", n}, {"osx", "system", n},
        };
        for (const auto &r : rows)
            QTest::addRow("%s.%s", r.m, r.n) << QString::fromLatin1(r.m) << QString::fromLatin1(r.n) << r.s;
    }

    void globalsAreClassified()
    {
        QFETCH(QString, module);
        QFETCH(QString, name);
        QFETCH(int, safety);
        std::string why;
        QCOMPARE(int(ckpt::classifyGlobal(module.toStdString(), name.toStdString(), &why)), safety);
        if (safety != int(ckpt::Safety::WeightsOnly))
            QVERIFY(!why.empty());
    }

    void hostileFilesAreDangerous_data()
    {
        QTest::addColumn<QJsonObject>("hostile");
        const QJsonArray all = maliciousCases();
        QVERIFY(all.size() >= 8);
        for (const auto &v : all)
            QTest::newRow(qPrintable(v.toObject().value(QStringLiteral("name")).toString())) << v.toObject();
    }

    void hostileFilesAreDangerous()
    {
        QFETCH(QJsonObject, hostile);
        const QString file = hostile.value(QStringLiteral("file")).toString();
        const ProcessResult r = runCkpt({QStringLiteral("scan"), QStringLiteral("--json"), file});
        QCOMPARE(r.exitCode, 3);
        const QJsonObject report = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(report.value(QStringLiteral("verdict")).toString(), QStringLiteral("dangerous"));
        QStringList dangerous;
        bool viaStack = false;
        for (const auto &g : report.value(QStringLiteral("globals")).toArray()) {
            const QJsonObject o = g.toObject();
            if (o.value(QStringLiteral("verdict")).toString() != QLatin1String("dangerous"))
                continue;
            dangerous << o.value(QStringLiteral("module")).toString() + QLatin1Char('.') + o.value(QStringLiteral("name")).toString();
            for (const auto &p : o.value(QStringLiteral("places")).toArray())
                viaStack = viaStack || p.toObject().value(QStringLiteral("stack_global")).toBool();
            QVERIFY(!o.value(QStringLiteral("places")).toArray().isEmpty());
        }
        for (const auto &expected : hostile.value(QStringLiteral("dangerous")).toArray())
            QVERIFY2(dangerous.contains(expected.toString()), qPrintable(dangerous.join(u' ')));
        QCOMPARE(viaStack, hostile.value(QStringLiteral("stack_global")).toBool());
        // The text report names them too, and reading the file in process runs nothing.
        const ProcessResult text = runCkpt({QStringLiteral("scan"), file});
        QVERIFY(text.out.contains("DANGEROUS"));
        try {
            ckpt::Checkpoint::open(file.toStdString());
        } catch (const ckpt::Error &) {
            // a payload that breaks the pickle afterwards is refused with a typed error: also fine
        }
        sentinelsAbsent();
    }

    // The main window opens a dangerous file for inspection, with the red banner naming the payload.
    void mainWindowShowsTheVerdict_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("names");
        const QString m = fixtureDir() + QStringLiteral("/malicious/");
        QTest::newRow("os.system") << m + QStringLiteral("reduce_os_system.pt") << int(ckpt::Safety::Dangerous) << QStringLiteral("os.system");
        QTest::newRow("STACK_GLOBAL") << m + QStringLiteral("stack_global_memo.pt") << int(ckpt::Safety::Dangerous)
                                      << QStringLiteral("os.system");
        QTest::newRow("Lightning checkpoint") << realworldDir() + QStringLiteral("/chemprop__example_model_v2_regression_mol.ckpt")
                                              << int(ckpt::Safety::NeedsFullUnpickle) << QStringLiteral("chemprop.nn");
        QTest::newRow("state_dict") << fixtureDir() + QStringLiteral("/cnn_state_dict.pt") << int(ckpt::Safety::WeightsOnly) << QString();
    }

    void mainWindowShowsTheVerdict()
    {
        QFETCH(QString, file);
        QFETCH(int, verdict);
        QFETCH(QString, names);
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(file);
        QVERIFY(loaded.wait(60000));
        SafetyBanner *banner = window.safetyBanner();
        QCOMPARE(int(banner->report().verdict), verdict);
        QCOMPARE(banner->isVisible(), verdict != int(ckpt::Safety::WeightsOnly));
        if (!names.isEmpty()) {
            QVERIFY2(banner->text().contains(names), qPrintable(banner->text()));
            QVERIFY(banner->details().contains(names));
        }
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS") && banner->isVisible()) { // for looking at them
            const QString dir = qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QLatin1Char('/') + QString::fromLatin1(QTest::currentDataTag());
            window.grab().save(dir + QStringLiteral("-window.png"));
            emit banner->linkActivated(QStringLiteral("details"));
            if (auto *box = window.findChild<QMessageBox *>()) {
                QTest::qWait(50);
                box->grab().save(dir + QStringLiteral("-details.png"));
                box->close();
            }
        }
        sentinelsAbsent();
    }

    // No benign file is dangerous; what PyTorch loads with weights_only=True is weights-only here.
    void benignFilesAgreeWithPyTorch_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString &f : benignFiles())
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
    }

    void benignFilesAgreeWithPyTorch()
    {
        QFETCH(QString, file);
        const ckpt::SafetyReport report = ckpt::scanFile(file.toStdString());
        QVERIFY2(report.verdict != ckpt::Safety::Dangerous, ckpt::safetyText(report, file.toStdString()).c_str());
        if (m_weightsOnly.value(file).toBool())
            QVERIFY2(report.verdict == ckpt::Safety::WeightsOnly, ckpt::safetyText(report, file.toStdString()).c_str());
    }

    void exitCodeIsTheWorstVerdict()
    {
        const QString safe = fixtureDir() + QStringLiteral("/cnn_state_dict.pt");
        const QString full = realworldDir() + QStringLiteral("/chemprop__example_model_v2_regression_mol.ckpt");
        const QString evil = fixtureDir() + QStringLiteral("/malicious/nested_dict.pt");
        QCOMPARE(runCkpt({QStringLiteral("scan"), safe}).exitCode, 0);
        QCOMPARE(runCkpt({QStringLiteral("scan"), fixtureDir() + QStringLiteral("/safetensors_plain.safetensors")}).exitCode, 0);
        QCOMPARE(runCkpt({QStringLiteral("scan"), safe, full}).exitCode, 1);
        QCOMPARE(runCkpt({QStringLiteral("scan"), safe, full, evil}).exitCode, 3);
        const ProcessResult missing = runCkpt({QStringLiteral("scan"), safe, QStringLiteral("/nonexistent.pt")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("/nonexistent.pt"));
        QCOMPARE(runCkpt({QStringLiteral("scan"), evil, QStringLiteral("/nonexistent.pt")}).exitCode, 3);
    }
};

QTEST_MAIN(TestSafety)
#include "tst_safety.moc"

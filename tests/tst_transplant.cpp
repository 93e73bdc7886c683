// SPDX-License-Identifier: MIT
// Transplanting weights: the report equals what the seed's template (name and shape match, then
// load_state_dict(strict=False)) does in PyTorch, and the written checkpoint equals PyTorch's result,
// tensor by tensor, bitwise; through core and through ckpt transplant.
#include "testsupport.h"

#include "format/error.h"
#include "inspectreport.h"
#include "transplant.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;

namespace {
QString outputName(const QJsonObject &c)
{
    return c.value(QStringLiteral("name")).toString()
        + (c.value(QStringLiteral("format")).toString() == QLatin1String("torchscript") ? QStringLiteral(".pt") : QStringLiteral(".pth"));
}

QString str(const QJsonObject &c, const char *key)
{
    return c.value(QLatin1String(key)).toString();
}

QStringList strings(const QJsonArray &a)
{
    QStringList out;
    for (const auto &v : a)
        out << v.toString();
    return out;
}

QString shapeString(std::span<const std::int64_t> shape)
{
    return QString::fromStdString(ckpt::shapeText(shape));
}

QString shapeString(const QJsonArray &shape)
{
    std::vector<std::int64_t> s;
    for (const auto &d : shape)
        s.push_back(d.toInteger());
    return shapeString(s);
}

struct Opened
{
    std::unique_ptr<ckpt::Checkpoint> source, target;
    ckpt::TransplantReport report;
};

Opened plan(const QJsonObject &c)
{
    Opened o;
    o.source = ckpt::Checkpoint::open(str(c, "source").toStdString());
    o.target = ckpt::Checkpoint::open(str(c, "target").toStdString());
    o.report = ckpt::planTransplant(*o.source, *o.target, transplantRules(c.value(QStringLiteral("rules")).toObject()));
    return o;
}

QStringList namesWith(const ckpt::TransplantReport &r, ckpt::TransplantStatus s, bool sourceNames = false)
{
    QStringList out;
    for (const auto &e : r.entries)
        if (e.status == s)
            out << QString::fromStdString(sourceNames ? e.source->modelName : e.name);
    return out;
}
} // namespace

class TestTransplant : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QHash<QString, QString> m_writeErrors; // "core/<case>" or "cli/<case>" -> what went wrong
    QHash<QString, QStringList> m_pytorch; // the same keys -> what PyTorch saw differ
    QHash<QString, QJsonObject> m_cliJson; // case -> ckpt transplant --json

    QString out(const QString &side, const QJsonObject &c) const { return m_dir.filePath(side + QLatin1Char('/') + outputName(c)); }

    void checkWithPyTorch(const QString &side)
    {
        const QString results = m_dir.filePath(side + QStringLiteral("-results.json"));
        const ProcessResult r = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {sourceDir() + QStringLiteral("/fixtures/transplant_cases.py"), QStringLiteral("check"),
                fixtureDir() + QStringLiteral("/transplant/transplant_cases.json"), m_dir.filePath(side), results});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = readJsonObject(results);
        for (auto it = o.begin(); it != o.end(); ++it)
            m_pytorch.insert(side + QLatin1Char('/') + it.key(), strings(it.value().toArray()));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(QStringLiteral("core"));
        QDir(m_dir.path()).mkpath(QStringLiteral("cli"));
        // Every case is written twice, through core and through ckpt, then PyTorch checks all in two runs.
        for (const auto &v : transplantCases()) {
            const QJsonObject c = v.toObject();
            const QString name = str(c, "name");
            if (c.value(QStringLiteral("expected")).isNull())
                continue;
            try {
                const Opened o = plan(c);
                ckpt::writeTransplant(o.report, *o.source, *o.target, out(QStringLiteral("core"), c).toStdString());
            } catch (const ckpt::Error &e) {
                m_writeErrors.insert(QStringLiteral("core/") + name, QString::fromUtf8(e.what()));
            }
            const ProcessResult r = runCkpt(QStringList{QStringLiteral("transplant"), QStringLiteral("--from"), str(c, "source"), QStringLiteral("--into"),
                                                str(c, "target"), QStringLiteral("-o"), out(QStringLiteral("cli"), c), QStringLiteral("--json")}
                + transplantArguments(c.value(QStringLiteral("rules")).toObject()));
            if (r.exitCode != 0)
                m_writeErrors.insert(QStringLiteral("cli/") + name, QString::fromUtf8(r.err));
            m_cliJson.insert(name, QJsonDocument::fromJson(r.out).object());
        }
        checkWithPyTorch(QStringLiteral("core"));
        checkWithPyTorch(QStringLiteral("cli"));
    }

    void reportEqualsTemplate_data()
    {
        QTest::addColumn<QJsonObject>("transplantCase");
        const QJsonArray all = transplantCases();
        QVERIFY(all.size() >= 14);
        for (const auto &c : all)
            QTest::newRow(qPrintable(str(c.toObject(), "name"))) << c.toObject();
    }

    void reportEqualsTemplate()
    {
        QFETCH(QJsonObject, transplantCase);
        const Opened o = plan(transplantCase);
        const QJsonObject expected = transplantCase.value(QStringLiteral("report")).toObject();
        using S = ckpt::TransplantStatus;
        QCOMPARE(namesWith(o.report, S::Copied), strings(expected.value(QStringLiteral("copied")).toArray()));
        QCOMPARE(namesWith(o.report, S::Missing), strings(expected.value(QStringLiteral("missing")).toArray()));
        QCOMPARE(namesWith(o.report, S::Unexpected, true), strings(expected.value(QStringLiteral("unexpected")).toArray()));
        QStringList ours, theirs;
        for (const auto &e : o.report.entries)
            if (e.status == S::ShapeMismatch)
                ours << QString::fromStdString(e.name) + QLatin1Char(' ') + shapeString(e.source->shape()) + QLatin1Char(' ') + shapeString(e.target->shape());
        for (const auto &m : expected.value(QStringLiteral("shape_mismatch")).toArray())
            theirs << m.toArray().at(0).toString() + QLatin1Char(' ') + shapeString(m.toArray().at(1).toArray()) + QLatin1Char(' ')
                    + shapeString(m.toArray().at(2).toArray());
        QCOMPARE(ours, theirs);
        // Totals add up: every target tensor is copied, mismatched or missing.
        QCOMPARE(o.report.count(S::Copied) + o.report.count(S::ShapeMismatch) + o.report.count(S::Missing),
            std::size_t(std::count_if(o.target->tensors().begin(), o.target->tensors().end(), [](const ckpt::TensorInfo &t) { return t.inModelState; })));
    }

    void outputEqualsPyTorch_data()
    {
        QTest::addColumn<QString>("key");
        for (const auto &v : transplantCases()) {
            const QJsonObject c = v.toObject();
            if (c.value(QStringLiteral("expected")).isNull())
                continue;
            for (const char *side : {"core", "cli"})
                QTest::addRow("%s/%s", side, qPrintable(str(c, "name"))) << QString::fromLatin1(side) + QLatin1Char('/') + str(c, "name");
        }
    }

    void outputEqualsPyTorch()
    {
        QFETCH(QString, key);
        QVERIFY2(!m_writeErrors.contains(key), qPrintable(m_writeErrors.value(key)));
        QVERIFY2(m_pytorch.contains(key), "PyTorch did not check this output");
        QVERIFY2(m_pytorch.value(key).isEmpty(), qPrintable(m_pytorch.value(key).join(QStringLiteral("; "))));
    }

    void outputKeepsTheTargetsFormat_data()
    {
        QTest::addColumn<QString>("caseName");
        QTest::addColumn<QString>("format");
        QTest::newRow("state_dict") << QStringLiteral("resnet18_into_10_classes") << QStringLiteral("torch-zip");
        QTest::newRow("TorchScript") << QStringLiteral("torchscript_target") << QStringLiteral("torchscript");
        QTest::newRow("training checkpoint") << QStringLiteral("training_checkpoint_target") << QStringLiteral("torch-zip");
    }

    void outputKeepsTheTargetsFormat()
    {
        QFETCH(QString, caseName);
        QFETCH(QString, format);
        const QJsonObject c = transplantCase(caseName);
        const auto written = ckpt::Checkpoint::open(out(QStringLiteral("core"), c).toStdString());
        QCOMPARE(QString::fromLatin1(ckpt::formatName(written->format())), format);
        const auto target = ckpt::Checkpoint::open(str(c, "target").toStdString());
        QCOMPARE(written->tensors().size(), target->tensors().size());
        QCOMPARE(written->entries().size(), target->entries().size()); // epoch, optimizer settings ... all stay
        QCOMPARE(written->modelState().path, target->modelState().path);
    }

    void cliJsonEqualsTemplate_data() { outputKeepsTheTargetsFormat_data(); }

    void cliJsonEqualsTemplate()
    {
        QFETCH(QString, caseName);
        const QJsonObject c = transplantCase(caseName);
        const QJsonObject json = m_cliJson.value(caseName);
        const QJsonObject expected = c.value(QStringLiteral("report")).toObject();
        for (const char *group : {"copied", "missing", "unexpected"})
            QCOMPARE(strings(json.value(QLatin1String(group)).toArray()), strings(expected.value(QLatin1String(group)).toArray()));
        const QJsonArray mismatch = json.value(QStringLiteral("shape_mismatch")).toArray();
        QCOMPARE(mismatch.size(), expected.value(QStringLiteral("shape_mismatch")).toArray().size());
        for (qsizetype i = 0; i < mismatch.size(); ++i) {
            const QJsonArray e = expected.value(QStringLiteral("shape_mismatch")).toArray().at(i).toArray();
            QCOMPARE(mismatch.at(i).toObject().value(QStringLiteral("name")).toString(), e.at(0).toString());
            QCOMPARE(mismatch.at(i).toObject().value(QStringLiteral("source_shape")).toArray(), e.at(1).toArray());
            QCOMPARE(mismatch.at(i).toObject().value(QStringLiteral("target_shape")).toArray(), e.at(2).toArray());
        }
        const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("copied")).toObject().value(QStringLiteral("tensors")).toInt(),
            expected.value(QStringLiteral("copied")).toArray().size());
    }

    void dtypeCastsAreReported()
    {
        const Opened o = plan(transplantCase(QStringLiteral("fp16_into_fp32")));
        QCOMPARE(o.report.casts, std::size_t(100)); // every floating tensor but fc's two; the 20 int64 counters are not cast
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(ckpt::transplantJson(o.report, *o.source, *o.target))).object();
        const QJsonObject first = json.value(QStringLiteral("dtype_cast")).toArray().at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("source_dtype")).toString(), QStringLiteral("float16"));
        QCOMPARE(first.value(QStringLiteral("target_dtype")).toString(), QStringLiteral("float32"));
    }

    void skippedAndMissingSayWhy()
    {
        const Opened o = plan(transplantCase(QStringLiteral("rename_include_exclude")));
        std::size_t excluded = 0, notIncluded = 0;
        for (const auto &e : o.report.entries) {
            if (e.status == ckpt::TransplantStatus::Skipped) {
                excluded += e.reason == "excluded by 'stage4.*'";
                notIncluded += e.reason == "matches no include pattern";
            }
            if (e.status == ckpt::TransplantStatus::Missing && e.name == "stage4.0.conv1.weight")
                QCOMPARE(QString::fromStdString(e.reason), QStringLiteral("the source's 'layer4.0.conv1.weight' is left out: excluded by 'stage4.*'"));
        }
        QCOMPARE(excluded, std::size_t(30)); // layer4's tensors
        QCOMPARE(notIncluded, std::size_t(2)); // fc.weight, fc.bias
        const Opened first = plan(transplantCase(QStringLiteral("first_n")));
        QCOMPARE(first.report.count(ckpt::TransplantStatus::Skipped), std::size_t(122 - 20));
    }

    void prefixSuggestion_data()
    {
        QTest::addColumn<QString>("caseName");
        QTest::addColumn<bool>("strip");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("DataParallel source: strip") << QStringLiteral("module_prefix_kept") << true << QStringLiteral("module.");
        QTest::newRow("backbone target: add") << QStringLiteral("add_prefix_backbone") << false << QStringLiteral("backbone.");
    }

    void prefixSuggestion()
    {
        QFETCH(QString, caseName);
        QFETCH(bool, strip);
        QFETCH(QString, prefix);
        QJsonObject c = transplantCase(caseName);
        c.insert(QStringLiteral("rules"), QJsonObject()); // without the rule that fixes it
        const Opened o = plan(c);
        QVERIFY(o.report.suggestion.has_value());
        QCOMPARE(o.report.suggestion->sideA, strip);
        QCOMPARE(QString::fromStdString(o.report.suggestion->prefix), prefix);
        const ProcessResult r = runCkpt({QStringLiteral("transplant"), QStringLiteral("--from"), str(c, "source"), QStringLiteral("--into"), str(c, "target")});
        QCOMPARE(r.exitCode, 0);
        const QString hint = (strip ? QStringLiteral("--strip-prefix ") : QStringLiteral("--add-prefix ")) + prefix;
        QVERIFY2(r.out.contains(hint.toUtf8()), r.out.constData());
    }

    void freezeListOfCopiedOrRest_data()
    {
        QTest::addColumn<QString>("option");
        QTest::newRow("copied") << QStringLiteral("--freeze-copied");
        QTest::newRow("rest") << QStringLiteral("--freeze-rest");
    }

    void freezeListOfCopiedOrRest()
    {
        QFETCH(QString, option);
        const QJsonObject c = transplantCase(QStringLiteral("resnet18_into_10_classes"));
        const QString list = m_dir.filePath(QStringLiteral("frozen_layers_%1.json").arg(option.mid(9)));
        const ProcessResult r = runCkpt({QStringLiteral("transplant"), QStringLiteral("--from"), str(c, "source"), QStringLiteral("--into"), str(c, "target"),
            QStringLiteral("-o"), m_dir.filePath(QStringLiteral("frozen_out.pth")), option, list});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QStringList frozen = readJsonObject(list).keys();
        QStringList expected = strings(c.value(QStringLiteral("freeze_copied")).toArray());
        if (option == QLatin1String("--freeze-rest")) {
            QStringList rest;
            for (const QString &p : strings(c.value(QStringLiteral("parameters")).toArray()))
                if (!expected.contains(p))
                    rest << p;
            expected = rest;
        }
        QStringList sortedFrozen = frozen, sortedExpected = expected;
        sortedFrozen.sort();
        sortedExpected.sort();
        QCOMPARE(sortedFrozen, sortedExpected);
        QVERIFY(!frozen.isEmpty());
        // The seed's format: {"name": 0, ...}
        QCOMPARE(readJsonObject(list).value(frozen.front()).toInt(-1), 0);
    }

    void nothingMatchedWritesNothing()
    {
        const QJsonObject c = transplantCase(QStringLiteral("nothing_matches"));
        const QString target = m_dir.filePath(QStringLiteral("nothing.pth"));
        const ProcessResult r = runCkpt({QStringLiteral("transplant"), QStringLiteral("--from"), str(c, "source"), QStringLiteral("--into"), str(c, "target"),
            QStringLiteral("-o"), target});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("nothing was copied"), r.err.constData());
        QVERIFY(r.out.contains("Unexpected in source (unused): 122 tensors"));
        QVERIFY(!QFileInfo::exists(target));
    }

    void errorsNameTheCause_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QJsonObject c = transplantCase(QStringLiteral("resnet18_into_10_classes"));
        const QString src = str(c, "source"), tgt = str(c, "target");
        const QString from = QStringLiteral("--from"), into = QStringLiteral("--into");
        QTest::newRow("missing source") << QStringList{from, m_dir.filePath(QStringLiteral("nope.pth")), into, tgt} << QStringLiteral("nope.pth");
        QTest::newRow("no --into") << QStringList{from, src} << QStringLiteral("needs --from SRC and --into TARGET");
        QTest::newRow("bad regex") << QStringList{from, src, into, tgt, QStringLiteral("--rename"), QStringLiteral("(=x")}
                                   << QStringLiteral("invalid regular expression '('");
        QTest::newRow("colliding renames") << QStringList{from, src, into, tgt, QStringLiteral("--rename"), QStringLiteral("\\.weight$=.bias")}
                                           << QStringLiteral("both become 'bn1.bias'");
        QTest::newRow("no such model state") << QStringList{from, src, into, tgt, QStringLiteral("--source-state"), QStringLiteral("ema")}
                                             << QStringLiteral("the checkpoint has no entry 'ema'");
        QTest::newRow("bad --first") << QStringList{from, src, into, tgt, QStringLiteral("--first"), QStringLiteral("-3")}
                                     << QStringLiteral("--first needs a count >= 0");
        QTest::newRow("overwrite target") << QStringList{from, src, into, tgt, QStringLiteral("-o"), tgt} << QStringLiteral("refusing to overwrite it");
        QTest::newRow("both freeze lists") << QStringList{from, src, into, tgt, QStringLiteral("--freeze-copied"), QStringLiteral("a.json"),
            QStringLiteral("--freeze-rest"), QStringLiteral("b.json")}
                                           << QStringLiteral("exclude each other");
    }

    void errorsNameTheCause()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const ProcessResult r = runCkpt(QStringList{QStringLiteral("transplant")} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("ckpt: "), r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    void modelStateCanBeNamed()
    {
        const QJsonObject c = transplantCase(QStringLiteral("training_checkpoint_target"));
        const auto source = ckpt::Checkpoint::open(str(c, "source").toStdString());
        const auto named = ckpt::Checkpoint::open(str(c, "target").toStdString(), {}, std::string("model_state"));
        const auto found = ckpt::Checkpoint::open(str(c, "target").toStdString());
        QCOMPARE(named->modelState().path, found->modelState().path);
        QCOMPARE(named->tensors().size(), found->tensors().size());
        for (std::size_t i = 0; i < named->tensors().size(); ++i)
            QCOMPARE(named->tensors()[i].inModelState, found->tensors()[i].inModelState);
        // Naming the optimizer's state instead: not a model state, said so.
        try {
            ckpt::Checkpoint::open(str(c, "target").toStdString(), {}, std::string("epoch"));
            QFAIL("an int is not a model state");
        } catch (const ckpt::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("'epoch' is not a model state")), e.what());
        }
        const auto report = ckpt::planTransplant(*source, *named, {});
        QCOMPARE(report.count(ckpt::TransplantStatus::Copied), std::size_t(120));
    }
};

QTEST_GUILESS_MAIN(TestTransplant)
#include "tst_transplant.moc"

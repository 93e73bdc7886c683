// SPDX-License-Identifier: MIT
// Diffing checkpoints: pairing, classification, and metrics equal to numpy's on the same tensors;
// ckpt diff's exit codes, JSON and CSV.
#include "testsupport.h"

#include "checkpointdiff.h"
#include "format/error.h"

#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace testsupport;

namespace {
ckpt::DiffOptions optionsFrom(const QStringList &args)
{
    ckpt::DiffOptions o;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--all"))
            o.all = true;
        else if (args[i] == QLatin1String("--strip-prefix-a"))
            o.rulesA.stripPrefixes.push_back(args[++i].toStdString());
        else if (args[i] == QLatin1String("--strip-prefix-b"))
            o.rulesB.stripPrefixes.push_back(args[++i].toStdString());
        else if (args[i] == QLatin1String("--atol"))
            o.atol = args[++i].toDouble();
    }
    return o;
}

struct CaseDiff
{
    std::unique_ptr<ckpt::Checkpoint> a, b;
    ckpt::DiffResult diff;
};

// Opens a diff case's two checkpoints and diffs them with its ckpt diff options.
CaseDiff diffOf(const QJsonObject &diffCase)
{
    QStringList args;
    for (const auto &a : diffCase.value(QStringLiteral("args")).toArray())
        args << a.toString();
    CaseDiff d;
    d.a = ckpt::Checkpoint::open(diffCase.value(QStringLiteral("a")).toString().toStdString());
    d.b = ckpt::Checkpoint::open(diffCase.value(QStringLiteral("b")).toString().toStdString());
    d.diff = ckpt::diffCheckpoints(*d.a, *d.b, optionsFrom(args));
    return d;
}

bool close(double ours, const QJsonValue &numpy)
{
    if (numpy.isNull())
        return std::isinf(ours);
    const double v = numpy.toDouble();
    return std::abs(ours - v) <= 1e-6 * std::abs(v) + 1e-12;
}
} // namespace

class TestDiff : public QObject
{
    Q_OBJECT
private slots:
    void metricsEqualNumpy_data()
    {
        QTest::addColumn<QJsonObject>("diffCase");
        const QJsonArray all = diffCases();
        QVERIFY(all.size() >= 9);
        for (const auto &c : all)
            QTest::newRow(qPrintable(c.toObject().value(QStringLiteral("name")).toString())) << c.toObject();
    }

    void metricsEqualNumpy()
    {
        QFETCH(QJsonObject, diffCase);
        const CaseDiff d = diffOf(diffCase);
        const ckpt::DiffResult &diff = d.diff;
        const QJsonArray expected = diffCase.value(QStringLiteral("entries")).toArray();
        QStringList ours, theirs;
        for (const auto &e : diff.entries)
            ours << QString::fromStdString(e.name + " " + std::string(ckpt::diffStatusName(e.status)));
        for (const auto &e : expected)
            theirs << e.toObject().value(QStringLiteral("name")).toString() + QLatin1Char(' ') + e.toObject().value(QStringLiteral("status")).toString();
        QCOMPARE(ours, theirs);
        for (qsizetype i = 0; i < expected.size(); ++i) {
            const QJsonObject e = expected.at(i).toObject();
            if (!e.contains(QStringLiteral("rel_l2")))
                continue;
            const ckpt::PairMetrics &m = diff.entries[static_cast<std::size_t>(i)].metrics;
            const QByteArray where = diff.entries[static_cast<std::size_t>(i)].name.c_str();
            QVERIFY2(m.valid, where);
            QVERIFY2(close(m.maxAbs, e.value(QStringLiteral("max_abs"))), where + " max_abs");
            QVERIFY2(close(m.meanAbs, e.value(QStringLiteral("mean_abs"))), where + " mean_abs");
            QVERIFY2(close(m.relL2, e.value(QStringLiteral("rel_l2"))), where + " rel_l2");
            QVERIFY2(close(m.cosine, e.value(QStringLiteral("cosine"))), where + " cosine");
            QVERIFY2(close(m.changedFraction(), e.value(QStringLiteral("changed_fraction"))), where + " changed_fraction");
        }
        // The summary adds up, and identical pairs never reach the float math.
        std::size_t total = 0;
        for (const auto c : diff.summary.counts)
            total += c;
        QCOMPARE(total, diff.entries.size());
        for (const auto &e : diff.entries)
            if (e.status == ckpt::DiffStatus::Identical)
                QVERIFY(!e.metrics.valid && e.metrics.count == 0);
    }

    void modulesEqualNumpy_data() { metricsEqualNumpy_data(); }

    // Per top-level module (the summary) and per layer (the diff window's bar chart): the
    // parameter-weighted mean relative change, and the prefix hint for unpaired DataParallel names.
    void modulesEqualNumpy()
    {
        QFETCH(QJsonObject, diffCase);
        const CaseDiff d = diffOf(diffCase);
        const ckpt::DiffResult &diff = d.diff;
        std::size_t covered = 0;
        auto check = [&](const std::vector<ckpt::ModuleChange> &ours, const QJsonArray &numpy) {
            covered = 0;
            QCOMPARE(qsizetype(ours.size()), numpy.size());
            for (qsizetype i = 0; i < numpy.size(); ++i) {
                const QJsonObject m = numpy.at(i).toObject();
                const auto &o = ours[static_cast<std::size_t>(i)];
                QCOMPARE(QString::fromStdString(o.module), m.value(QStringLiteral("module")).toString());
                QCOMPARE(double(o.parameters), m.value(QStringLiteral("parameters")).toDouble());
                QVERIFY2(close(o.weightedRelL2, m.value(QStringLiteral("weighted_rel_l2"))), o.module.c_str());
                for (const auto e : o.entries)
                    QVERIFY(diff.entries[e].name.rfind(o.module, 0) == 0);
                covered += o.entries.size();
            }
        };
        check(diff.summary.modules, diffCase.value(QStringLiteral("modules")).toArray());
        // Every entry sits under exactly one layer.
        check(ckpt::moduleChanges(diff, 0), diffCase.value(QStringLiteral("layers")).toArray());
        QCOMPARE(covered, diff.entries.size());

        const auto hint = ckpt::suggestPrefix(diff);
        const QJsonValue expected = diffCase.value(QStringLiteral("suggest"));
        QCOMPARE(hint.has_value(), expected.isObject());
        if (hint) {
            QCOMPARE(hint->sideA, expected[QStringLiteral("side")].toString() == QLatin1String("a"));
            QCOMPARE(QString::fromStdString(hint->prefix), expected[QStringLiteral("prefix")].toString());
            QCOMPARE(hint->wouldPair, diff.entries.size() / 2);
        }
    }

    void cliExitCodesAndJson_data() { metricsEqualNumpy_data(); }

    void cliExitCodesAndJson()
    {
        QFETCH(QJsonObject, diffCase);
        QStringList args{
            QStringLiteral("diff"), diffCase.value(QStringLiteral("a")).toString(), diffCase.value(QStringLiteral("b")).toString(), QStringLiteral("--json")};
        for (const auto &a : diffCase.value(QStringLiteral("args")).toArray())
            args << a.toString();
        const ProcessResult r = runCkpt(args);
        QCOMPARE(r.exitCode, diffCase.value(QStringLiteral("exit")).toInt());
        const QJsonObject json = QJsonDocument::fromJson(r.out).object();
        const QJsonArray entries = json.value(QStringLiteral("entries")).toArray();
        const QJsonArray expected = diffCase.value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), expected.size()); // identical pairs are listed too
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const QJsonObject e = entries.at(i).toObject();
            QCOMPARE(e.value(QStringLiteral("name")).toString(), expected.at(i).toObject().value(QStringLiteral("name")).toString());
            QCOMPARE(e.value(QStringLiteral("status")).toString(), expected.at(i).toObject().value(QStringLiteral("status")).toString());
            for (const char *key : {"shape_a", "shape_b", "dtype_a", "dtype_b", "max_abs", "mean_abs", "rel_l2", "cosine", "changed_fraction"})
                QVERIFY2(e.contains(QLatin1String(key)), key);
        }
        const QJsonObject summary = json.value(QStringLiteral("summary")).toObject();
        QCOMPARE(summary.value(QStringLiteral("identical_overall")).toBool(), diffCase.value(QStringLiteral("exit")).toInt() == 0);
        // The human form: identical pairs counted, not listed; the rest marked like diff(1).
        QStringList human = args;
        human.removeAll(QStringLiteral("--json"));
        const ProcessResult text = runCkpt(human);
        QCOMPARE(text.exitCode, r.exitCode);
        for (const auto &e : expected) {
            const QString status = e.toObject().value(QStringLiteral("status")).toString();
            const QString name = e.toObject().value(QStringLiteral("name")).toString();
            const QString marker = status == QLatin1String("only_a") ? QStringLiteral("- ")
                : status == QLatin1String("only_b")                  ? QStringLiteral("+ ")
                : status == QLatin1String("identical")               ? QString()
                                                                     : QStringLiteral("! ");
            if (!marker.isEmpty())
                QVERIFY2(text.out.contains((QLatin1Char('\n') + marker + name + QStringLiteral("  ")).toUtf8()), qPrintable(name));
        }
    }

    void csvHasOneRowPerPair()
    {
        const QJsonObject c = diffCases().at(0).toObject();
        const auto a = ckpt::Checkpoint::open(c.value(QStringLiteral("a")).toString().toStdString());
        const auto b = ckpt::Checkpoint::open(c.value(QStringLiteral("b")).toString().toStdString());
        const auto diff = ckpt::diffCheckpoints(*a, *b);
        const QStringList lines = QString::fromStdString(ckpt::diffCsv(diff)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), qsizetype(diff.entries.size() + 1));
        QCOMPARE(lines.front(), QStringLiteral("name,status,shape_a,shape_b,dtype_a,dtype_b,max_abs,mean_abs,rel_l2,cosine,changed_fraction"));
        QCOMPARE(lines.at(1), QStringLiteral("conv1.weight,identical,\"[8, 3, 3, 3]\",\"[8, 3, 3, 3]\",float32,float32,0,0,0,1,0"));
    }

    void cancellation()
    {
        const QJsonObject c = diffCases().at(0).toObject();
        const auto a = ckpt::Checkpoint::open(c.value(QStringLiteral("a")).toString().toStdString());
        const auto b = ckpt::Checkpoint::open(c.value(QStringLiteral("b")).toString().toStdString());
        std::atomic<bool> cancel{true};
        ckpt::Progress progress;
        progress.cancel = &cancel;
        ckpt::DiffOptions options;
        options.progress = &progress;
        // Only a cancellation counts: any other error (or none) means the request was not honoured as such.
        try {
            ckpt::diffCheckpoints(*a, *b, options);
            QFAIL("the diff ran to its end although cancellation was requested");
        } catch (const ckpt::Error &e) {
            QVERIFY2(e.kind() == ckpt::ErrorKind::Cancelled,
                qPrintable(QStringLiteral("not a cancellation but %1: %2")
                               .arg(QString::fromUtf8(ckpt::errorKindName(e.kind()).data(), qsizetype(ckpt::errorKindName(e.kind()).size())),
                                   QString::fromUtf8(e.what()))));
        }
        // Cancelling part-way (after the first progress report) is a cancellation too.
        std::atomic<bool> later{false};
        ckpt::Progress partway;
        partway.cancel = &later;
        partway.report = [&later](double) { later = true; };
        options.progress = &partway;
        try {
            ckpt::diffCheckpoints(*a, *b, options);
            QFAIL("the diff ran to its end although cancellation was requested part-way");
        } catch (const ckpt::Error &e) {
            QVERIFY2(e.kind() == ckpt::ErrorKind::Cancelled, e.what());
        }
    }

    void missingFileIsAnError()
    {
        const ProcessResult r = runCkpt({QStringLiteral("diff"), QStringLiteral("/no/such.pt"), fixtureDir() + QStringLiteral("/views.pt")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("/no/such.pt"));
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"

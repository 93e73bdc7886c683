// SPDX-License-Identifier: MIT
// Tensor statistics computed over the mapped bytes - by the block kernels (core/tensorstats.cpp) and by the
// LibTorch plugin - equal torch's own; the kernels' histograms and first values equal LibTorch's.
#include "testsupport.h"

#include "checkpoint.h"
#include "format/error.h"
#include "inspectreport.h"
#include "tensormath.h"
#include "tensorstats.h"

#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>

using namespace testsupport;

class TestTensorMath : public QObject
{
    Q_OBJECT
private slots:
    void pluginLoads() { QCOMPARE(QString::fromStdString(ckpt::tensorMath().libtorchVersion()).left(4), QStringLiteral("1.13")); }

    // The rows below do cover what torch gives as NaN (the std of one value: 0-d tensors, num_batches_tracked)
    // and tensors with no finite value at all.
    void oracleCoversTheEdgeCases()
    {
        const QJsonObject oracle = readJsonObject(fixtureDir() + QStringLiteral("/stats.json"));
        int nanStd = 0, noFinite = 0;
        for (const auto &file : oracle)
            for (const auto &v : file.toArray()) {
                const QJsonObject e = v.toObject();
                nanStd += e.value(QStringLiteral("std")).toString() == QLatin1String("nan") && e.value(QStringLiteral("finite")).toInteger() == 1;
                noFinite += e.value(QStringLiteral("mean")).isNull() && e.value(QStringLiteral("finite")).toInteger() == 0;
            }
        QVERIFY2(nanStd >= 3, "the oracle has no single-value tensors (std NaN): regenerate it with generate_stats_oracle");
        QVERIFY(noFinite >= 1);
    }

    void statisticsMatchTorch_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("kernels"); // the block kernels, else the LibTorch plugin
        const QJsonObject oracle = readJsonObject(fixtureDir() + QStringLiteral("/stats.json"));
        QVERIFY(oracle.size() >= 5);
        for (const QString &file : oracle.keys()) {
            QTest::newRow(qPrintable(file + QStringLiteral(" kernels"))) << file << true;
            QTest::newRow(qPrintable(file + QStringLiteral(" libtorch"))) << file << false;
        }
    }

    void statisticsMatchTorch()
    {
        QFETCH(QString, file);
        QFETCH(bool, kernels);
        const QJsonArray expected = readJsonObject(fixtureDir() + QStringLiteral("/stats.json")).value(file).toArray();
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QLatin1Char('/') + file).toStdString());
        QCOMPARE(c->tensors().size(), static_cast<std::size_t>(expected.size()));
        for (std::size_t i = 0; i < c->tensors().size(); ++i) {
            const auto &t = c->tensors()[i];
            const QJsonObject e = expected.at(static_cast<qsizetype>(i)).toObject();
            const QByteArray where = QByteArray(t.name.c_str());
            const ckpt::TensorStatistics s
                = kernels ? ckpt::statisticsOf(ckpt::ElementSource::of(*t.value)) : ckpt::tensorMath().statistics(ckpt::TensorView::of(*t.value));
            QVERIFY2(s.valid, where + ": " + s.unsupportedReason.c_str());
            QVERIFY2(s.count == static_cast<std::uint64_t>(e.value(QStringLiteral("count")).toInteger()), where + " count");
            QVERIFY2(s.finite == static_cast<std::uint64_t>(e.value(QStringLiteral("finite")).toInteger()), where + " finite");
            QVERIFY2(s.nan == static_cast<std::uint64_t>(e.value(QStringLiteral("nan")).toInteger()), where + " nan");
            QVERIFY2(s.posInf == static_cast<std::uint64_t>(e.value(QStringLiteral("posinf")).toInteger()), where + " +inf");
            QVERIFY2(s.negInf == static_cast<std::uint64_t>(e.value(QStringLiteral("neginf")).toInteger()), where + " -inf");
            QVERIFY2(s.zeros == static_cast<std::uint64_t>(e.value(QStringLiteral("zeros")).toInteger()), where + " zeros");
            // The oracle writes torch's NaN as "nan", and null only where there is no finite value at all.
            auto close = [&](double ours, const QJsonValue &theirs) {
                if (theirs.isNull())
                    return s.finite == 0 && e.value(QStringLiteral("finite")).toInteger() == 0;
                if (theirs.isString())
                    return theirs.toString() == QLatin1String("nan") && std::isnan(ours);
                if (!theirs.isDouble())
                    return false;
                const double v = theirs.toDouble();
                return std::abs(ours - v) <= 1e-9 * std::max(1.0, std::abs(v)); // false for a NaN of ours
            };
            auto says = [](double ours, const QJsonValue &theirs) {
                return QByteArray(": ") + QByteArray::number(ours, 'g', 17) + " here, torch "
                    + QJsonDocument(QJsonArray{theirs}).toJson(QJsonDocument::Compact);
            };
            QVERIFY2(close(s.mean, e.value(QStringLiteral("mean"))), where + " mean" + says(s.mean, e.value(QStringLiteral("mean"))));
            QVERIFY2(close(s.std, e.value(QStringLiteral("std"))), where + " std" + says(s.std, e.value(QStringLiteral("std"))));
            QVERIFY2(close(s.min, e.value(QStringLiteral("min"))), where + " min" + says(s.min, e.value(QStringLiteral("min"))));
            QVERIFY2(close(s.max, e.value(QStringLiteral("max"))), where + " max" + says(s.max, e.value(QStringLiteral("max"))));
        }
    }

    // A (200000, 200000) stride-0 view of one stored float: 4e10 logical elements are not walked.
    void broadcastViewIsRefused()
    {
        const auto c = ckpt::Checkpoint::open((malformedDir() + QStringLiteral("/zip_broadcast_view.pt")).toStdString());
        const auto s = ckpt::tensorMath().statistics(ckpt::TensorView::of(*c->tensors().front().value));
        QVERIFY(!s.valid);
        QVERIFY2(s.unsupportedReason.find("broadcast view") != std::string::npos, s.unsupportedReason.c_str());
    }

    // Empty tensors may carry any storage offset; nothing may be computed from it.
    void emptyTensorWithHugeOffset()
    {
        const auto c = ckpt::Checkpoint::open((malformedDir() + QStringLiteral("/zip_empty_tensor_huge_offset.pt")).toStdString());
        const auto s = ckpt::tensorMath().statistics(ckpt::TensorView::of(*c->tensors().front().value));
        QVERIFY(s.valid);
        QCOMPARE(s.count, std::uint64_t(0));
    }

    void unsupportedDtypeSaysWhy()
    {
        // uint16 (a safetensors type) has no LibTorch 1.13 counterpart.
        const auto c = ckpt::Checkpoint::open((realworldDir() + QStringLiteral("/safetensors__samples_overall.safetensors")).toStdString());
        bool sawUnsupported = false;
        for (const auto &t : c->tensors()) {
            const auto s = ckpt::tensorMath().statistics(ckpt::TensorView::of(*t.value));
            if (t.dtype() == ckpt::DType::UInt16) {
                QVERIFY(!s.valid);
                QVERIFY(s.unsupportedReason.find("uint16") != std::string::npos);
                sawUnsupported = true;
            }
        }
        QVERIFY(sawUnsupported);
    }

    // Histograms (over the tensor's range and over a narrower one) and first values: the kernels bin as
    // torch.histc does, so the counts are equal, not close.
    void histogramsAndFirstValuesMatchLibTorch_data()
    {
        QTest::addColumn<QString>("file");
        for (const char *file : {"stats_blocks.pt", "dtypes.pt", "views.pt", "training_checkpoint.pt"})
            QTest::newRow(file) << QString::fromLatin1(file);
    }

    void histogramsAndFirstValuesMatchLibTorch()
    {
        QFETCH(QString, file);
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QLatin1Char('/') + file).toStdString());
        const ckpt::TensorMath &math = ckpt::tensorMath();
        int compared = 0;
        for (const auto &t : c->tensors()) {
            const QByteArray where = QByteArray(t.name.c_str());
            const ckpt::TensorView view = ckpt::TensorView::of(*t.value);
            const ckpt::TensorStatistics theirs = math.statistics(view);
            if (!theirs.valid || ckpt::dtypeIsComplex(t.dtype()))
                continue; // complex and the dtypes LibTorch lacks are not the kernels' to compare
            const ckpt::ElementSource source = ckpt::ElementSource::of(*t.value);
            const ckpt::TensorStatistics ours = ckpt::statisticsOf(source);
            const ckpt::Histogram mine = ckpt::histogramOf(source, 37, ours);
            const ckpt::Histogram torch = math.histogram(view, 37);
            QVERIFY2(mine.counts == torch.counts, where + " histogram");
            QCOMPARE(mine.min, torch.min);
            QCOMPARE(mine.max, torch.max);
            if (ours.finite > 1) {
                const double lo = ours.min + (ours.max - ours.min) / 3, hi = ours.max - (ours.max - ours.min) / 5;
                QVERIFY2(ckpt::histogramInRangeOf(source, 11, lo, hi).counts == math.histogramInRange(view, 11, lo, hi).counts, where + " in range");
            }
            const std::vector<double> first = ckpt::firstValuesOf(source, 40), firstTorch = math.firstValues(view, 40);
            QCOMPARE(first.size(), firstTorch.size());
            for (std::size_t i = 0; i < first.size(); ++i)
                QVERIFY2(first[i] == firstTorch[i] || (std::isnan(first[i]) && std::isnan(firstTorch[i])), where + " first values");
            ++compared;
        }
        QVERIFY(compared >= 4);
    }

    // All tensors at once report the fraction of bytes done, never going back, and end at 1; a cancel
    // requested from the report stops the work with a Cancelled error.
    void statisticsReportProgressAndCancel()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/stats_blocks.pt")).toStdString());
        std::vector<double> reports;
        ckpt::Progress progress;
        progress.report = [&](double f) { reports.push_back(f); };
        const auto all = ckpt::computeStatistics(*c, &progress);
        QCOMPARE(all.size(), c->tensors().size());
        QVERIFY(reports.size() >= 4);
        QVERIFY(std::is_sorted(reports.begin(), reports.end()));
        QCOMPARE(reports.back(), 1.0);
        for (std::size_t i = 0; i < all.size(); ++i) // the batch gives what one tensor at a time gives
            QCOMPARE(all[i].mean, ckpt::statisticsOf(ckpt::ElementSource::of(*c->tensors()[i].value)).mean);

        std::atomic<bool> cancel{false};
        ckpt::Progress cancelling;
        cancelling.cancel = &cancel;
        cancelling.report = [&](double f) {
            if (f > 0)
                cancel = true;
        };
        try {
            ckpt::computeStatistics(*c, &cancelling);
            QFAIL("not cancelled");
        } catch (const ckpt::Error &e) {
            QCOMPARE(e.kind(), ckpt::ErrorKind::Cancelled);
        }
    }
};

QTEST_GUILESS_MAIN(TestTensorMath)
#include "tst_tensormath.moc"

// SPDX-License-Identifier: MIT
// The diff tree model over real checkpoint pairs: one leaf per pair with its status, group totals equal
// to numpy's per-module figures, status and name filters, the flat list, sorting that keeps persistent
// indexes, all under QAbstractItemModelTester; and the off-thread DiffRunner (progress, cancel, errors).
#include "testsupport.h"

#include "checkpointdiff.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "difftreemodel.h"
#include "parameterfilter.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

#include <algorithm>
#include <cmath>

using namespace testsupport;
using ckpt::DiffStatus;

namespace {
DiffSettings settingsFrom(const QJsonArray &args)
{
    DiffSettings s;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString a = args[i].toString();
        if (a == QLatin1String("--all"))
            s.all = true;
        else if (a == QLatin1String("--strip-prefix-a"))
            s.stripA = args[++i].toString();
        else if (a == QLatin1String("--strip-prefix-b"))
            s.stripB = args[++i].toString();
        else if (a == QLatin1String("--atol"))
            s.atol = args[++i].toString().toDouble();
    }
    return s;
}

std::shared_ptr<const DiffSession> compare(const QJsonObject &c)
{
    DiffRunner runner;
    QSignalSpy finished(&runner, &DiffRunner::finished);
    QSignalSpy failed(&runner, &DiffRunner::failed);
    runner.run({c.value(QStringLiteral("a")).toString(), nullptr}, {c.value(QStringLiteral("b")).toString(), nullptr},
        settingsFrom(c.value(QStringLiteral("args")).toArray()));
    if (!finished.wait(60000))
        qFatal("diff did not finish: %s", failed.isEmpty() ? "timeout" : qPrintable(failed.first().at(0).toString()));
    return finished.first().at(0).value<std::shared_ptr<const DiffSession>>();
}

// Every leaf under parent, depth first.
void collectLeaves(const QAbstractItemModel &model, const QModelIndex &parent, QList<QModelIndex> &out)
{
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        if (i.data(DiffTreeModel::EntryRole).toInt() >= 0)
            out << i;
        else
            collectLeaves(model, i, out);
    }
}

QList<QModelIndex> leaves(const QAbstractItemModel &model)
{
    QList<QModelIndex> out;
    collectLeaves(model, {}, out);
    return out;
}

DiffStatus statusNamed(const QString &name)
{
    for (int s = 0; s < 6; ++s)
        if (QLatin1String(ckpt::diffStatusName(static_cast<DiffStatus>(s)).data()) == name)
            return static_cast<DiffStatus>(s);
    qFatal("unknown status %s", qPrintable(name));
}
} // namespace

class TestDiffTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<std::shared_ptr<const DiffSession>>(); }

    void treeMatchesNumpy_data()
    {
        QTest::addColumn<QJsonObject>("diffCase");
        for (const auto &c : diffCases())
            QTest::newRow(qPrintable(c.toObject().value(QStringLiteral("name")).toString())) << c.toObject();
    }

    // One leaf per pair with numpy's status; top-level groups carry numpy's parameter-weighted change.
    void treeMatchesNumpy()
    {
        QFETCH(QJsonObject, diffCase);
        const auto session = compare(diffCase);
        DiffTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        const QJsonArray expected = diffCase.value(QStringLiteral("entries")).toArray();
        const auto all = leaves(model);
        QCOMPARE(all.size(), expected.size());
        QCOMPARE(model.visiblePairs(), int(expected.size()));
        QHash<QString, QString> statusOf;
        for (const auto &e : expected)
            statusOf.insert(e[QStringLiteral("name")].toString(), e[QStringLiteral("status")].toString());
        for (const QModelIndex &leaf : all) {
            const auto &entry = session->result.entries[static_cast<std::size_t>(leaf.data(DiffTreeModel::EntryRole).toInt())];
            const QString name = QString::fromStdString(entry.name);
            QVERIFY2(statusOf.contains(name), qPrintable(name));
            QCOMPARE(static_cast<DiffStatus>(leaf.data(DiffTreeModel::StatusRole).toInt()), statusNamed(statusOf.value(name)));
            QCOMPARE(leaf.siblingAtColumn(DiffTreeModel::Status).data().toString(), diffstyle::label(entry.status));
            // Pairs are tinted by status (identical ones are not).
            QCOMPARE(leaf.data(Qt::BackgroundRole).isValid(), entry.status != DiffStatus::Identical);
        }
        for (const auto &m : diffCase.value(QStringLiteral("modules")).toArray()) {
            const QString module = m[QStringLiteral("module")].toString();
            QModelIndex group;
            for (int r = 0; r < model.rowCount(); ++r)
                if (model.index(r, 0).data().toString() == module)
                    group = model.index(r, DiffTreeModel::RelL2);
            QVERIFY2(group.isValid(), qPrintable(module));
            const double ours = group.data(DiffTreeModel::SortRole).toDouble();
            const double numpy = m[QStringLiteral("weighted_rel_l2")].toDouble();
            QVERIFY2(std::abs(ours - numpy) <= 1e-6 * std::abs(numpy) + 1e-12, qPrintable(module));
        }
    }

    void statusFilter_data()
    {
        using namespace diffstyle;
        QTest::addColumn<unsigned>("mask");
        QTest::addColumn<bool>("flat");
        QTest::newRow("differences, tree") << kDifferences << false;
        QTest::newRow("differences, flat") << kDifferences << true;
        QTest::newRow("identical only") << bit(DiffStatus::Identical) << false;
        QTest::newRow("missing, tree") << (bit(DiffStatus::OnlyA) | bit(DiffStatus::OnlyB)) << false;
        QTest::newRow("shape, flat") << bit(DiffStatus::Shape) << true;
        QTest::newRow("nothing") << 0u << false;
    }

    // Only pairs of the chosen statuses stay, groups stay while something below them does.
    void statusFilter()
    {
        QFETCH(unsigned, mask);
        QFETCH(bool, flat);
        // The pair with every status but dtype: added, removed, reshaped and untouched tensors.
        QJsonObject edited;
        for (const auto &c : diffCases())
            if (c[QStringLiteral("name")].toString() == QLatin1String("added, removed and reshaped"))
                edited = c.toObject();
        const auto session = compare(edited);
        DiffTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        model.setFlat(flat);
        model.setStatusFilter(mask);
        int expected = 0;
        for (const auto &e : session->result.entries)
            expected += (mask & diffstyle::bit(e.status)) ? 1 : 0;
        QCOMPARE(model.visiblePairs(), expected);
        const auto shown = leaves(model);
        QCOMPARE(int(shown.size()), expected);
        for (const QModelIndex &leaf : shown)
            QVERIFY(mask & diffstyle::bit(static_cast<DiffStatus>(leaf.data(DiffTreeModel::StatusRole).toInt())));
        if (flat) {
            QCOMPARE(model.rowCount(), expected);
            for (int r = 0; r < model.rowCount(); ++r)
                QCOMPARE(model.rowCount(model.index(r, 0)), 0);
        }
        // Groups without a shown pair are gone.
        for (int r = 0; r < model.rowCount(); ++r)
            QVERIFY(model.index(r, 0).data(DiffTreeModel::EntryRole).toInt() >= 0 || model.rowCount(model.index(r, 0)) > 0);
        model.setStatusFilter(diffstyle::kAllStatuses);
        QCOMPARE(int(leaves(model).size()), int(session->result.entries.size()));
    }

    // Sorting by a metric ranks pairs (and groups among their siblings); a persistent index follows its row.
    void sortingKeepsPersistentIndexes()
    {
        const auto session = compare(diffCases().at(0).toObject()); // fine-tuned with frozen layers
        DiffTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        model.setFlat(true);
        const int mostChanged = static_cast<int>(session->result.summary.mostChanged.front());
        QPersistentModelIndex tracked(model.indexOfEntry(mostChanged));
        QVERIFY(tracked.isValid());
        model.sort(DiffTreeModel::RelL2, Qt::DescendingOrder);
        QCOMPARE(model.index(0, 0).data(DiffTreeModel::EntryRole).toInt(), mostChanged);
        QCOMPARE(tracked.row(), 0);
        QCOMPARE(tracked.data(DiffTreeModel::EntryRole).toInt(), mostChanged);
        double previous = std::numeric_limits<double>::infinity();
        for (int r = 0; r < model.rowCount(); ++r) {
            const double key = model.index(r, DiffTreeModel::RelL2).data(DiffTreeModel::SortRole).toDouble();
            QVERIFY(key <= previous);
            previous = key;
        }
        // Ascending cosine: the least similar pair first.
        model.sort(DiffTreeModel::Cosine, Qt::AscendingOrder);
        const double first = model.index(0, DiffTreeModel::Cosine).data(DiffTreeModel::SortRole).toDouble();
        for (const auto &e : session->result.entries)
            if (e.metrics.valid)
                QVERIFY(first <= e.metrics.cosine);
        // Back to the tree (a reset: nearly every row changes parent), then model order (Name
        // ascending): conv1 first, as in the checkpoint; the sort keeps the pair's persistent index.
        model.setFlat(false);
        QVERIFY(!tracked.isValid());
        tracked = QPersistentModelIndex(model.indexOfEntry(mostChanged));
        model.sort(DiffTreeModel::Name, Qt::AscendingOrder);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("conv1"));
        QVERIFY(tracked.isValid());
        QCOMPARE(tracked.data(DiffTreeModel::EntryRole).toInt(), mostChanged);
        // Hidden by a filter, the persistent index becomes invalid rather than pointing elsewhere.
        model.setStatusFilter(diffstyle::bit(DiffStatus::Identical));
        QVERIFY(!tracked.isValid());
    }

    // Issue 14: a header's first click sorts by the column's own first order (Qt::InitialSortOrderRole): the
    // largest first for the metrics and the changed shapes and dtypes, the least similar first for cosine,
    // the most severe status first, names in model order.
    void firstClickOrderPerColumn()
    {
        const auto session = compare(diffCases().at(0).toObject()); // fine-tuned with frozen layers
        DiffTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        model.setFlat(true);
        QTreeView view;
        view.setModel(&model);
        view.setSortingEnabled(true);
        view.sortByColumn(-1, Qt::AscendingOrder);
        view.header()->setSortIndicatorClearable(true);
        view.resize(1600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QHash<int, Qt::SortOrder> expected{{DiffTreeModel::Name, Qt::AscendingOrder}, {DiffTreeModel::Status, Qt::AscendingOrder},
            {DiffTreeModel::Shape, Qt::DescendingOrder}, {DiffTreeModel::DType, Qt::DescendingOrder}, {DiffTreeModel::Parameters, Qt::DescendingOrder},
            {DiffTreeModel::RelL2, Qt::DescendingOrder}, {DiffTreeModel::Cosine, Qt::AscendingOrder}, {DiffTreeModel::MaxAbs, Qt::DescendingOrder},
            {DiffTreeModel::MeanAbs, Qt::DescendingOrder}, {DiffTreeModel::ChangedPercent, Qt::DescendingOrder}};
        QCOMPARE(int(expected.size()), int(DiffTreeModel::ColumnCount));
        QHeaderView *header = view.header();
        for (int column = 0; column < DiffTreeModel::ColumnCount; ++column) {
            const QString name = model.headerData(column, Qt::Horizontal).toString();
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                QPoint(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2));
            QCOMPARE(header->sortIndicatorSection(), column);
            QVERIFY2(header->sortIndicatorOrder() == expected.value(column), qPrintable(name));
            // Every pair in that order: the first row holds the extreme.
            QList<double> keys;
            for (int r = 0; r < model.rowCount(); ++r)
                keys << model.index(r, column).data(DiffTreeModel::SortRole).toDouble();
            if (column != DiffTreeModel::Name)
                QVERIFY2(expected.value(column) == Qt::DescendingOrder ? std::is_sorted(keys.rbegin(), keys.rend()) : std::is_sorted(keys.begin(), keys.end()),
                    qPrintable(name));
        }
        // The most changed pair tops the first click on Rel. change.
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(DiffTreeModel::RelL2) + header->sectionSize(DiffTreeModel::RelL2) / 2, header->height() / 2));
        QCOMPARE(model.index(0, 0).data(DiffTreeModel::EntryRole).toInt(), int(session->result.summary.mostChanged.front()));
    }

    void nameFilter()
    {
        const auto session = compare(diffCases().at(0).toObject());
        DiffTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        ParameterFilter filter;
        QVERIFY(filter.set(QStringLiteral("*.bias"), ParameterFilter::Mode::Glob).isEmpty());
        model.setNameFilter(std::move(filter));
        const auto shown = leaves(model);
        QCOMPARE(shown.size(), 4); // conv1, bn1, conv2, fc
        for (const QModelIndex &leaf : shown)
            QCOMPARE(leaf.data().toString(), QStringLiteral("bias"));
        model.setNameFilter(ParameterFilter());
        QCOMPARE(int(leaves(model).size()), int(session->result.entries.size()));
    }

    void runnerReportsProgressAndCanBeCancelled()
    {
        const QJsonObject c = diffCases().at(0).toObject();
        DiffRunner runner;
        QSignalSpy progress(&runner, &DiffRunner::progress);
        QSignalSpy finished(&runner, &DiffRunner::finished);
        QSignalSpy cancelled(&runner, &DiffRunner::cancelled);
        runner.run({c[QStringLiteral("a")].toString(), nullptr}, {c[QStringLiteral("b")].toString(), nullptr}, {});
        QVERIFY(finished.wait(60000));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toInt(), 100);
        QVERIFY(!runner.isRunning());

        runner.run({c[QStringLiteral("a")].toString(), nullptr}, {c[QStringLiteral("b")].toString(), nullptr}, {});
        runner.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(cancelled.size() + finished.size() == 2, 60000); // a small pair may finish first
        QVERIFY(!runner.isRunning());
    }

    void runnerNamesTheFileItCannotRead()
    {
        DiffRunner runner;
        QSignalSpy failed(&runner, &DiffRunner::failed);
        const QString broken = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        runner.run({diffCases().at(0)[QStringLiteral("a")].toString(), nullptr}, {broken, nullptr}, {});
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.first().at(0).toString().contains(broken), qPrintable(failed.first().at(0).toString()));
    }
};

QTEST_MAIN(TestDiffTreeModel)
#include "tst_difftreemodel.moc"

// The diff window used as a person would: compare real checkpoints, filter by status with the legend,
// click a bar of the chart, look at a pair's histograms, export JSON and CSV (the same bytes as ckpt
// diff), follow the prefix hint, and open comparisons from the main window (menu, drop, command line).
#include "testsupport.h"

#include "dropfiles.h"

#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "diffchartwidget.h"
#include "diffpairwidget.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "difftreemodel.h"
#include "diffwindow.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace testsupport;
using ckpt::DiffStatus;

namespace {
QString example(const char *name)
{
    return sourceDir() + QStringLiteral("/../resources/examples/") + QLatin1String(name);
}

QJsonObject diffCase(const char *name)
{
    for (const auto &c : diffCases())
        if (c[QStringLiteral("name")].toString() == QLatin1String(name))
            return c.toObject();
    qFatal("no diff case %s", name);
}

bool compareAndWait(DiffWindow &window, const QString &a, const QString &b)
{
    QSignalSpy finished(window.runner(), &DiffRunner::finished);
    window.compare({a, nullptr}, {b, nullptr});
    return finished.wait(60000);
}

bool waitForRerun(DiffWindow &window)
{
    QSignalSpy finished(window.runner(), &DiffRunner::finished);
    return finished.wait(60000);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int countLeaves(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    int n = 0;
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        n += i.data(DiffTreeModel::EntryRole).toInt() >= 0 ? 1 : countLeaves(model, i);
    }
    return n;
}
} // namespace

class TestDiffWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_diffwindow"));
    }

    // The bundled example after fine-tuning with stem and blocks.0 frozen: those come out identical.
    void legendFiltersByStatus()
    {
        DiffWindow window;
        QAbstractItemModelTester tester(window.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(compareAndWait(window, example("example_training_checkpoint.pt"), example("example_finetuned.pt")));
        const auto &summary = window.session()->result.summary;
        QCOMPARE(summary.counts[int(DiffStatus::Identical)], std::size_t(14));
        QCOMPARE(summary.counts[int(DiffStatus::Changed)], std::size_t(14));
        for (const auto &e : window.session()->result.entries)
            if (e.name.rfind("stem.", 0) == 0 || e.name.rfind("blocks.0.", 0) == 0)
                QCOMPARE(e.status, DiffStatus::Identical);
        QCOMPARE(countLeaves(*window.model()), 28);
        // The legend buttons carry the counts and filter: hide identical pairs with a click.
        QToolButton *identical = nullptr;
        for (auto *b : window.findChildren<QToolButton *>())
            if (b->text() == QStringLiteral("Identical (14)"))
                identical = b;
        QVERIFY(identical);
        QTest::mouseClick(identical, Qt::LeftButton);
        QCOMPARE(window.statusFilter(), diffstyle::kDifferences);
        QCOMPARE(countLeaves(*window.model()), 14);
        QTest::mouseClick(identical, Qt::LeftButton);
        QCOMPARE(countLeaves(*window.model()), 28);
        // Ctrl+D: differences only, and back.
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
        QCOMPARE(window.statusFilter(), diffstyle::kDifferences);
        QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
        QCOMPARE(window.statusFilter(), diffstyle::kAllStatuses);
    }

    // A bar per layer in model order; clicking one selects that layer's rows and shows its totals.
    void clickingABarSelectsItsRows()
    {
        DiffWindow window;
        QAbstractItemModelTester tester(window.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(compareAndWait(window, example("example_training_checkpoint.pt"), example("example_finetuned.pt")));
        const auto &bars = window.chart()->bars();
        QStringList names;
        for (const auto &b : bars)
            names << QString::fromStdString(b.module);
        QCOMPARE(names, QStringList({"stem", "blocks.0.conv1", "blocks.0.norm1", "blocks.0.conv2", "blocks.0.norm2", "blocks.1.conv1",
                                     "blocks.1.norm1", "blocks.1.conv2", "blocks.1.norm2", "head"}));
        QCOMPARE(bars[0].weightedRelL2, 0.0); // frozen
        QVERIFY(bars[6].weightedRelL2 > 0);
        window.chart()->activateBar(6); // blocks.1.norm1: weight, bias, running_mean, running_var, num_batches_tracked
        const QModelIndexList rows = window.treeView()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 6); // the group row and its five pairs
        QSet<int> entries;
        for (const QModelIndex &r : rows)
            if (r.data(DiffTreeModel::EntryRole).toInt() >= 0)
                entries.insert(r.data(DiffTreeModel::EntryRole).toInt());
        QSet<int> expected;
        for (const auto e : bars[6].entries)
            expected.insert(int(e));
        QCOMPARE(entries, expected);
        QCOMPARE(window.treeView()->currentIndex().data().toString(), QStringLiteral("norm1"));
        QCOMPARE(window.pairView()->entry(), -1); // the group's totals, not one pair
        // Per top-level module instead.
        window.chart()->setDepth(1);
        QCOMPARE(int(window.chart()->bars().size()), 3);
    }

    // The selected pair's histograms: both sides over one range (every finite element counted once), and a - b.
    void pairHistograms()
    {
        DiffWindow window;
        QVERIFY(compareAndWait(window, example("example_training_checkpoint.pt"), example("example_finetuned.pt")));
        int entry = -1;
        const auto &entries = window.session()->result.entries;
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i].name == "head.weight")
                entry = int(i);
        QVERIFY(entry >= 0);
        QSignalSpy shown(window.pairView(), &DiffPairWidget::histogramsShown);
        window.treeView()->setCurrentIndex(window.model()->indexOfEntry(entry));
        QVERIFY(shown.wait(60000));
        const PairHistograms *h = window.pairView()->histograms();
        QVERIFY(h);
        QVERIFY2(h->error.isEmpty(), qPrintable(h->error));
        auto sum = [](const ckpt::Histogram &x) { return std::accumulate(x.counts.begin(), x.counts.end(), std::uint64_t(0)); };
        QCOMPARE(sum(h->a), std::uint64_t(160));
        QCOMPARE(sum(h->b), std::uint64_t(160));
        QCOMPARE(sum(h->difference), std::uint64_t(160));
        QCOMPARE(h->a.min, h->b.min);
        QCOMPARE(h->a.max, h->b.max);
    }

    // Export writes what ckpt diff prints: one engine, two front ends.
    void exportMatchesTheCommandLine_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QString>("flag");
        QTest::newRow("json") << QStringLiteral("json") << QStringLiteral("--json");
        QTest::newRow("csv") << QStringLiteral("csv") << QStringLiteral("--csv");
    }

    void exportMatchesTheCommandLine()
    {
        QFETCH(QString, suffix);
        QFETCH(QString, flag);
        const QJsonObject c = diffCase("fine-tuned, atol 1e-3");
        DiffWindow window;
        DiffSettings settings;
        settings.atol = 1e-3;
        window.setSettings(settings);
        QVERIFY(compareAndWait(window, c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("diff.") + suffix);
        QVERIFY(window.exportDiff(path));
        const ProcessResult cli = runCkpt({QStringLiteral("diff"), c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString(),
                                           QStringLiteral("--atol"), QStringLiteral("1e-3"), flag});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(readFile(path), cli.out);
    }

    void exportRefusesToOverwriteAnInput()
    {
        const QJsonObject c = diffCase("fine-tuned with frozen layers");
        DiffWindow window;
        QVERIFY(compareAndWait(window, c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()));
        const QByteArray before = readFile(c[QStringLiteral("b")].toString());
        QVERIFY(!window.exportDiff(c[QStringLiteral("b")].toString()));
        QCOMPARE(readFile(c[QStringLiteral("b")].toString()), before);
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY2(box->text().contains(c[QStringLiteral("b")].toString()), qPrintable(box->text()));
        box->close();
    }

    // DataParallel names: the window offers the prefix rule, and following it pairs everything.
    void prefixHintPairsDataParallelNames()
    {
        const QJsonObject c = diffCase("DataParallel prefix kept");
        DiffWindow window;
        QVERIFY(compareAndWait(window, c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()));
        QVERIFY(window.session()->suggestion.has_value());
        QLabel *hint = nullptr;
        for (auto *l : window.findChildren<QLabel *>())
            if (l->text().contains(QStringLiteral("Strip it from B")))
                hint = l;
        QVERIFY(hint);
        QVERIFY(!hint->isHidden());
        QSignalSpy finished(window.runner(), &DiffRunner::finished);
        emit hint->linkActivated(QStringLiteral("strip"));
        QVERIFY(finished.wait(60000));
        QCOMPARE(window.settings().stripB, QStringLiteral("module."));
        QVERIFY(window.session()->result.summary.identical());
        QVERIFY(hint->isHidden());
        // Typing in the option boxes compares again too: an atol, then --all.
        QLineEdit *atol = nullptr;
        for (auto *e : window.findChildren<QLineEdit *>())
            if (e->text() == QStringLiteral("0"))
                atol = e;
        QVERIFY(atol);
        atol->setText(QStringLiteral("0.5"));
        emit atol->editingFinished();
        QVERIFY(waitForRerun(window));
        QCOMPARE(window.session()->settings.atol, 0.5);
        window.findChild<QCheckBox *>()->setChecked(true); // All tensors
        QVERIFY(waitForRerun(window));
        QVERIFY(window.session()->settings.all);
    }

    void failureKeepsThePreviousResult()
    {
        const QJsonObject c = diffCase("fine-tuned with frozen layers");
        DiffWindow window;
        QVERIFY(compareAndWait(window, c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()));
        const auto before = window.session();
        QSignalSpy failed(window.runner(), &DiffRunner::failed);
        const QString broken = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        window.compare({c[QStringLiteral("a")].toString(), nullptr}, {broken, nullptr});
        QVERIFY(failed.wait(60000));
        QCOMPARE(window.session(), before);
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY2(box->text().contains(broken), qPrintable(box->text()));
        box->close();
    }

    // From the main window: Compare With reuses the open checkpoint as A; dropping two files compares them.
    void mainWindowOpensComparisons()
    {
        MainWindow main;
        QSignalSpy loaded(main.loader(), &CheckpointLoader::loaded);
        main.openFile(example("example_training_checkpoint.pt"));
        QVERIFY(loaded.wait(60000));
        DiffWindow *diff = main.compareWith(example("example_finetuned.pt"));
        QVERIFY(diff);
        QVERIFY(waitForRerun(*diff));
        QCOMPARE(diff->session()->a.checkpoint.get(), main.document()->sharedCheckpoint().get());
        QCOMPARE(diff->session()->result.summary.counts[int(DiffStatus::Changed)], std::size_t(14));
        diff->close(); // deletes itself

        const QJsonObject c = diffCase("float32 vs float16");
        QVERIFY(dropFiles(&main, {c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()}, QPoint(100, 100)));
        DiffWindow *dropped = nullptr;
        for (QWidget *w : QApplication::topLevelWidgets())
            if (auto *d = qobject_cast<DiffWindow *>(w); d && d != diff)
                dropped = d;
        QVERIFY(dropped);
        QVERIFY(waitForRerun(*dropped));
        std::size_t dtypeChanged = 0;
        for (const auto &e : c[QStringLiteral("entries")].toArray())
            dtypeChanged += e[QStringLiteral("status")].toString() == QLatin1String("dtype") ? 1 : 0;
        QVERIFY(dtypeChanged > 0);
        QCOMPARE(dropped->session()->result.summary.counts[int(DiffStatus::DType)], dtypeChanged);
        dropped->close();
    }

    // Dropping one checkpoint on the diff window compares A with it; two replace both sides.
    void droppingFilesOnTheDiffWindow()
    {
        const QJsonObject c = diffCase("fine-tuned with frozen layers");
        DiffWindow window;
        QVERIFY(compareAndWait(window, c[QStringLiteral("a")].toString(), c[QStringLiteral("b")].toString()));
        const auto drop = [&window](const QStringList &files) { dropFiles(&window, files); };
        const QString half = diffCase("float32 vs float16")[QStringLiteral("b")].toString();
        QSignalSpy finished(window.runner(), &DiffRunner::finished);
        drop({half});
        QVERIFY(finished.wait(60000));
        QCOMPARE(window.session()->a.path, c[QStringLiteral("a")].toString());
        QCOMPARE(window.session()->b.path, half);
        drop({half, c[QStringLiteral("a")].toString()});
        QVERIFY(finished.wait(60000));
        QCOMPARE(window.session()->a.path, half);
        QCOMPARE(window.session()->b.path, c[QStringLiteral("a")].toString());
        QVERIFY(window.windowTitle().contains(QStringLiteral("after_fp16.pt")));
    }

    // checkpoint-studio --screenshot A B renders the diff window with the comparison in it: the diff tree's
    // names where a window of this process, comparing the same way, draws them.
    void screenshotOfTwoFiles()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("diff.png"));
        const QString a = example("example_training_checkpoint.pt"), b = example("example_finetuned.pt");
        const ProcessResult r = runStudioScreenshot(png, {a, b});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1000 && image.height() >= 600);

        // The reference: as checkpoint-studio's main() does it, with default settings.
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        DiffWindow reference;
        reference.resize(1440, 900);
        reference.show();
        QVERIFY(QTest::qWaitForWindowExposed(&reference));
        QVERIFY(compareAndWait(reference, a, b));
        QSignalSpy ready(&reference, &DiffWindow::screenshotReady);
        reference.prepareScreenshot();
        QVERIFY(ready.wait(60000));
        QTest::qWait(300);
        const int rows = std::min(6, reference.treeView()->model()->rowCount());
        QVERIFY(rows >= 2);
        checkScreenshotContent(image, &reference, reference.treeView(), DiffTreeModel::Name, rows);
        if (QTest::currentTestFailed() && qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) {
            image.save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/diff-screenshot.png"));
            reference.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/diff-reference.png"));
        }
    }
};

QTEST_MAIN(TestDiffWindow)
#include "tst_diffwindow.moc"

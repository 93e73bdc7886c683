// SPDX-License-Identifier: MIT
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
#include "screenshot.h"
#include "translations.h"

#include <QAbstractBarSeries>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDropEvent>
#include <QFile>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QImage>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTranslator>
#include <QTreeView>

#include <algorithm>
#include <cmath>

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

int entryNamed(const DiffWindow &window, const char *name)
{
    const auto &entries = window.session()->result.entries;
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (entries[i].name == name)
            return int(i);
    return -1;
}

// A click on the row's name, as a person does it.
void clickRow(QTreeView *tree, const QModelIndex &index, Qt::KeyboardModifiers modifiers = {})
{
    tree->scrollTo(index);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, modifiers, tree->visualRect(index).center());
}

void clickHeader(QTreeView *tree, int column)
{
    QHeaderView *header = tree->header();
    QTest::mouseClick(
        header->viewport(), Qt::LeftButton, {}, QPoint(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2));
}

QChartView *chartView(const DiffWindow &window)
{
    return window.chart()->findChild<QChartView *>();
}

QBarSet *barSet(const DiffWindow &window)
{
    auto *series = qobject_cast<QAbstractBarSeries *>(chartView(window)->chart()->series().value(0));
    return series ? series->barSets().value(0) : nullptr;
}

// The bars drawn highlighted, by their index in DiffChartWidget::bars() (the chart draws the first at the top).
QList<int> highlightedBars(const DiffWindow &window)
{
    QList<int> out;
    if (QBarSet *set = barSet(window))
        for (const int i : set->selectedBars())
            out << int(window.chart()->bars().size()) - 1 - i;
    std::sort(out.begin(), out.end());
    return out;
}

// The middle of bar i in the chart view's viewport, scrolled into sight.
QPoint barPoint(const DiffWindow &window, int bar)
{
    QChartView *view = chartView(window);
    QChart *chart = view->chart();
    const int count = int(window.chart()->bars().size());
    const double value = window.chart()->bars()[std::size_t(bar)].weightedRelL2;
    const QPoint at = view->mapFromScene(chart->mapToScene(chart->mapToPosition(QPointF(value / 2, count - 1 - bar), chart->series().value(0))));
    window.chart()->findChild<QScrollArea *>()->ensureVisible(at.x(), at.y(), 0, 40);
    return at;
}

// Whether a drawn category label shows this module: its full name, or the name elided with "…".
bool labelShows(QString label, const QString &module)
{
    label.remove(QChar(0x200B));
    const qsizetype ellipsis = label.indexOf(QChar(0x2026));
    if (ellipsis < 0)
        return label == module;
    return module.startsWith(label.left(ellipsis)) && module.endsWith(label.mid(ellipsis + 1)) && label.size() > 1;
}

// Every bar of the chart has its label drawn beside it (whole, or elided with "…"): visible, inside the chart,
// inked, and clear of the others. Uses QVERIFY: check QTest::currentTestFailed() afterwards.
void checkChartLabels(const DiffWindow &window, const QString &stage)
{
    QChartView *view = chartView(window);
    QVERIFY(view);
    QChart *chart = view->chart();
    const QImage image = view->viewport()->grab().toImage();
    const auto &bars = window.chart()->bars();
    const int count = int(bars.size());
    const double row = chart->plotArea().height() / count;
    QList<QRect> drawn;
    for (int i = 0; i < count; ++i) {
        const QString module = QString::fromStdString(bars[std::size_t(i)].module);
        // The category labels are left of the plot, each centred on its bar.
        const double y = chart->mapToScene(chart->mapToPosition(QPointF(0, count - 1 - i), chart->series().value(0))).y();
        QGraphicsTextItem *label = nullptr;
        for (QGraphicsItem *item : view->scene()->items())
            if (auto *text = dynamic_cast<QGraphicsTextItem *>(item); text && text->isVisible() && !text->toPlainText().isEmpty()) {
                const QRectF r = text->sceneBoundingRect();
                if (r.right() <= chart->mapToScene(chart->plotArea().topLeft()).x() && std::abs(r.center().y() - y) < row / 2)
                    label = text;
            }
        QVERIFY2(label, qPrintable(QStringLiteral("%1, %2: no visible label").arg(stage, module)));
        QVERIFY2(labelShows(label->toPlainText(), module), qPrintable(QStringLiteral("%1, %2: labelled '%3'").arg(stage, module, label->toPlainText())));
        const QRect rect = view->mapFromScene(label->sceneBoundingRect()).boundingRect();
        QVERIFY2(image.rect().contains(rect),
            qPrintable(QStringLiteral("%1, %2: its label '%3' at (%4,%5 %6x%7) is cut off")
                           .arg(stage, module, label->toPlainText())
                           .arg(rect.x())
                           .arg(rect.y())
                           .arg(rect.width())
                           .arg(rect.height())));
        QVERIFY2(inkFraction(image, rect) > 0.05, qPrintable(QStringLiteral("%1, %2: its label is blank").arg(stage, module)));
        for (const QRect &other : drawn)
            QVERIFY2(!other.adjusted(0, 1, 0, -1).intersects(rect.adjusted(0, 1, 0, -1)),
                qPrintable(QStringLiteral("%1, %2: its label overlaps another").arg(stage, module)));
        drawn << rect;
    }
}

// The interface in another language for one test: our translations and Qt's, and the font a desktop in
// that language gives (fontconfig resolves "Sans Serif" to Noto Sans CJK for zh_CN: taller lines).
class Language
{
public:
    explicit Language(const QString &name)
        : m_font(QApplication::font())
        , m_before(qApp->findChildren<QTranslator *>())
    {
        if (name.isEmpty())
            return;
        installTranslations(*qApp, name);
        if (name.startsWith(QLatin1String("zh")))
            QApplication::setFont(QFont(QStringLiteral("Noto Sans CJK SC"), m_font.pointSize()));
    }
    ~Language()
    {
        for (QTranslator *t : qApp->findChildren<QTranslator *>())
            if (!m_before.contains(t)) {
                QCoreApplication::removeTranslator(t);
                delete t;
            }
        QApplication::setFont(m_font);
    }

private:
    QFont m_font;
    QList<QTranslator *> m_before;
};
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
        QCOMPARE(names,
            QStringList({"stem", "blocks.0.conv1", "blocks.0.norm1", "blocks.0.conv2", "blocks.0.norm2", "blocks.1.conv1", "blocks.1.norm1", "blocks.1.conv2",
                "blocks.1.norm2", "head"}));
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

    // Issue 14: the chart and the tree show one selection. A click on a bar highlights it and selects its rows;
    // a click on another row moves the highlight to that row's bar (or bars) and the status bar to that row;
    // with nothing selected nothing stays highlighted.
    void chartAndTreeShareTheSelection()
    {
        DiffWindow window;
        QAbstractItemModelTester tester(window.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(compareAndWait(window, example("example_training_checkpoint.pt"), example("example_finetuned.pt")));
        QTest::qWait(50); // the chart lays out its bars
        QTreeView *tree = window.treeView();
        QChartView *view = chartView(window);
        QVERIFY(view);
        QCOMPARE(window.chart()->bars()[6].module, std::string("blocks.1.norm1"));

        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, barPoint(window, 6));
        QCOMPARE(highlightedBars(window), QList<int>({6}));
        QCOMPARE(tree->currentIndex().data().toString(), QStringLiteral("norm1"));
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("blocks.1.norm1")), qPrintable(window.statusBar()->currentMessage()));

        // Another row: its bar is the one highlighted, and the status bar speaks of it.
        const QModelIndex headWeight = window.model()->indexOfEntry(entryNamed(window, "head.weight"));
        QVERIFY(headWeight.isValid());
        clickRow(tree, headWeight);
        QCOMPARE(tree->currentIndex(), headWeight);
        QCOMPARE(highlightedBars(window), QList<int>({9})); // head
        QString message = window.statusBar()->currentMessage();
        QVERIFY2(!message.contains(QStringLiteral("blocks.1.norm1")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("head.weight")), qPrintable(message));

        // A group row covers the bars of the layers below it.
        QModelIndex blocks;
        for (int r = 0; r < window.model()->rowCount(); ++r)
            if (window.model()->index(r, 0).data().toString() == QLatin1String("blocks"))
                blocks = window.model()->index(r, 0);
        QVERIFY(blocks.isValid());
        clickRow(tree, blocks);
        QCOMPARE(highlightedBars(window), QList<int>({1, 2, 3, 4, 5, 6, 7, 8}));
        message = window.statusBar()->currentMessage();
        QVERIFY2(message.contains(QStringLiteral("blocks")) && !message.contains(QStringLiteral("head")), qPrintable(message));

        // Ctrl+click takes the row out of the selection: nothing selected, nothing highlighted, nothing said.
        clickRow(tree, blocks, Qt::ControlModifier);
        QVERIFY(tree->selectionModel()->selectedRows().isEmpty());
        QCOMPARE(highlightedBars(window), QList<int>());
        QCOMPARE(window.statusBar()->currentMessage(), QString());

        // The highlight follows the selection into another grouping of the chart.
        clickRow(tree, headWeight);
        window.chart()->findChild<QComboBox *>()->setCurrentIndex(1); // per top-level module: stem, blocks, head
        QCOMPARE(highlightedBars(window), QList<int>({2}));

        // And a bar click still selects its rows.
        QTest::qWait(50);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, barPoint(window, 1));
        QCOMPARE(highlightedBars(window), QList<int>({1}));
        QCOMPARE(tree->currentIndex().data().toString(), QStringLiteral("blocks"));
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("blocks:")), qPrintable(window.statusBar()->currentMessage()));
    }

    // Issue 14: with a pair selected the histograms take room and the chart shrinks; every layer keeps a
    // readable label then, in every language (Chinese fonts have taller lines).
    void chartLabelsStayReadable_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("layer"); // the grouping box's first item in that language
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("pair"); // the one clicked
        QTest::addColumn<int>("bars");
        const QString a = example("example_training_checkpoint.pt"), b = example("example_finetuned.pt");
        // AllenNLP's names are long (text_field_embedder.token_embedder_tokens._projection): they are elided.
        const QString taggerA = realworldDir() + QStringLiteral("/allennlp__simple_tagger_model_state_e1_b0.th");
        const QString taggerB = realworldDir() + QStringLiteral("/allennlp__simple_tagger_best.th");
        QTest::newRow("en") << QString() << QStringLiteral("Layer") << a << b << QStringLiteral("blocks.1.conv1.weight") << 10;
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QStringLiteral("层") << a << b << QStringLiteral("blocks.1.conv1.weight") << 10;
        QTest::newRow("en, long names") << QString() << QStringLiteral("Layer") << taggerA << taggerB << QStringLiteral("encoder._module.weight_ih_l0") << 2;
        QTest::newRow("zh_CN, long names") << QStringLiteral("zh_CN") << QStringLiteral("层") << taggerA << taggerB
                                           << QStringLiteral("encoder._module.weight_ih_l0") << 2;
    }

    void chartLabelsStayReadable()
    {
        QFETCH(QString, language);
        QFETCH(QString, layer);
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, pair);
        QFETCH(int, bars);
        const Language speaking(language);
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear(); // the default layout
        DiffWindow window;
        QAbstractItemModelTester tester(window.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(compareAndWait(window, a, b));
        QCOMPARE(window.chart()->findChild<QComboBox *>()->currentText(), layer);
        QCOMPARE(int(window.chart()->bars().size()), bars);
        QSignalSpy shown(window.pairView(), &DiffPairWidget::histogramsShown);
        clickRow(window.treeView(), window.model()->indexOfEntry(entryNamed(window, qPrintable(pair))));
        QVERIFY(shown.wait(60000));
        QTest::qWait(200); // the splitter gives the histograms their room, the chart lays out again

        checkChartLabels(window, QStringLiteral("with a pair selected"));
        if (QTest::currentTestFailed())
            return;
        const QString name = QString::fromLatin1(QTest::currentDataTag()).replace(QStringLiteral(", "), QStringLiteral("-")).replace(u' ', u'-');
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            window.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/diff-%1.png").arg(name));

        // Narrower still: the tree's side of the splitter dragged to the right.
        QSplitter *split = nullptr;
        for (auto *s : window.findChildren<QSplitter *>())
            if (s->orientation() == Qt::Horizontal)
                split = s;
        QVERIFY(split);
        const int before = window.chart()->width();
        split->setSizes({window.width() - 200, 200});
        QTest::qWait(200);
        QVERIFY(window.chart()->width() < before);
        checkChartLabels(window, QStringLiteral("in a narrow chart"));
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            window.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/diff-%1-narrow.png").arg(name));
    }

    // Issue 14: the first click on a numeric column ranks the largest first (the most changed is what one
    // looks for); cosine similarity, where less is more change, ranks the least similar first.
    void firstClickOnAMetricRanksTheLargestFirst()
    {
        DiffWindow window;
        QAbstractItemModelTester tester(window.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(compareAndWait(window, example("example_training_checkpoint.pt"), example("example_finetuned.pt")));
        QTreeView *tree = window.treeView();
        QAbstractItemModel *model = window.model();
        const auto keys = [model](int column, const QModelIndex &parent = {}) {
            QList<double> out;
            for (int r = 0; r < model->rowCount(parent); ++r)
                out << model->index(r, column, parent).data(DiffTreeModel::SortRole).toDouble();
            return out;
        };
        for (const int column : {int(DiffTreeModel::RelL2), int(DiffTreeModel::MaxAbs), int(DiffTreeModel::MeanAbs), int(DiffTreeModel::ChangedPercent),
                 int(DiffTreeModel::Parameters)}) {
            const QString name = model->headerData(column, Qt::Horizontal).toString();
            clickHeader(tree, column);
            QCOMPARE(tree->header()->sortIndicatorSection(), column);
            QVERIFY2(tree->header()->sortIndicatorOrder() == Qt::DescendingOrder, qPrintable(name));
            const QList<double> ranked = keys(column);
            QVERIFY2(std::is_sorted(ranked.rbegin(), ranked.rend()) && ranked.first() > ranked.last(), qPrintable(name));
        }
        // Rel. change: blocks (0.664) before head (0.306) before the frozen stem (0); a second click reverses.
        clickHeader(tree, DiffTreeModel::RelL2);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("blocks"));
        QCOMPARE(model->index(2, 0).data().toString(), QStringLiteral("stem"));
        clickHeader(tree, DiffTreeModel::RelL2);
        QCOMPARE(tree->header()->sortIndicatorOrder(), Qt::AscendingOrder);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("stem"));
        // Cosine: the least similar pair first (head.bias 0.9376 before head.weight 0.9539).
        clickHeader(tree, DiffTreeModel::Cosine);
        QCOMPARE(tree->header()->sortIndicatorOrder(), Qt::AscendingOrder);
        QModelIndex head;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, 0).data().toString() == QLatin1String("head"))
                head = model->index(r, 0);
        QVERIFY(head.isValid());
        QCOMPARE(model->index(0, 0, head).data().toString(), QStringLiteral("bias"));
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
        bool ready = false;
        screenshot::prepare(reference, [&ready] { ready = true; });
        QTRY_VERIFY_WITH_TIMEOUT(ready, 60000);
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

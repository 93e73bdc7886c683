// SPDX-License-Identifier: MIT
#include "diffwindow.h"

#include "appsettings.h"
#include "errorbox.h"
#include "checkpoint.h"
#include "checkpointfiles.h"
#include "colourswatch.h"
#include "diffchartwidget.h"
#include "diffpairwidget.h"
#include "diffstatusstyle.h"
#include "difftreemodel.h"
#include "format/atomicfile.h"
#include "format/error.h"
#include "inspectreport.h"
#include "parameterfilter.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleValidator>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

using ckpt::DiffStatus;

namespace {
struct Preset
{
    const char *label;
    unsigned mask;
};

const std::vector<Preset> &presets()
{
    using namespace diffstyle;
    static const std::vector<Preset> list{
        {QT_TRANSLATE_NOOP("DiffWindow", "All pairs"), kAllStatuses},
        {QT_TRANSLATE_NOOP("DiffWindow", "Differences only"), kDifferences},
        {QT_TRANSLATE_NOOP("DiffWindow", "Changed values"), bit(DiffStatus::Changed) | bit(DiffStatus::DType)},
        {QT_TRANSLATE_NOOP("DiffWindow", "Missing on one side"), bit(DiffStatus::OnlyA) | bit(DiffStatus::OnlyB)},
        {QT_TRANSLATE_NOOP("DiffWindow", "Shape or dtype changed"), bit(DiffStatus::Shape) | bit(DiffStatus::DType)},
        {QT_TRANSLATE_NOOP("DiffWindow", "Identical only"), bit(DiffStatus::Identical)},
    };
    return list;
}

QString fileLabel(const QString &path)
{
    return QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName();
}

constexpr int kMessageMs = 6000;

// A tree node's full name as the chart names modules: the leading segments of a pair's name below it,
// with their separators (model_state/blocks.0).
QString nodePath(const DiffSession &session, int node)
{
    const auto &nodes = session.tree.nodes;
    int leaf = node;
    while (nodes[static_cast<std::size_t>(leaf)].entry < 0 && !nodes[static_cast<std::size_t>(leaf)].children.empty())
        leaf = nodes[static_cast<std::size_t>(leaf)].children.front();
    const int entry = nodes[static_cast<std::size_t>(leaf)].entry;
    if (entry < 0)
        return nodes[static_cast<std::size_t>(node)].name;
    const std::string &name = session.result.entries[static_cast<std::size_t>(entry)].name;
    if (leaf == node)
        return QString::fromStdString(name);
    std::size_t depth = 0;
    for (int n = node; n > 0; n = nodes[static_cast<std::size_t>(n)].parent)
        ++depth;
    const auto segments = ckpt::diffNameSegments(name);
    const std::string_view last = segments[depth - 1];
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(last.data() + last.size() - name.data()));
}
} // namespace

DiffWindow::DiffWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_runner(new DiffRunner(this))
    , m_model(new DiffTreeModel(this))
{
    setAcceptDrops(true);
    createWidgets();
    createActions();
    connect(m_runner, &DiffRunner::finished, this, &DiffWindow::onFinished);
    connect(m_runner, &DiffRunner::failed, this, &DiffWindow::onFailed);
    connect(m_runner, &DiffRunner::cancelled, this, [this] {
        m_reveal.clear();
        setBusy(false);
        statusBar()->showMessage(tr("Comparison cancelled."), 5000);
    });
    connect(m_runner, &DiffRunner::progress, this, [this](int percent) {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    });
    updateTitle();
    updateSummary();
    updateLegend();
    resize(1440, 900);
    appsettings::restoreWindow(this, QStringLiteral("diff"));
    appsettings::restoreSplitter(m_split, QStringLiteral("diff"));
}

DiffWindow::~DiffWindow() = default;

void DiffWindow::closeEvent(QCloseEvent *event)
{
    appsettings::saveWindow(this, QStringLiteral("diff"));
    appsettings::saveSplitter(m_split, QStringLiteral("diff"));
    m_runner->cancel();
    QMainWindow::closeEvent(event);
}

void DiffWindow::createWidgets()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);

    // The two inputs and how they are paired.
    auto *inputs = new QHBoxLayout;
    auto pathLabel = [this](const QString &side) {
        auto *label = new QLabel(this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setToolTip(tr("Checkpoint %1").arg(side));
        return label;
    };
    m_pathA = pathLabel(QStringLiteral("A"));
    m_pathB = pathLabel(QStringLiteral("B"));
    auto *openA = new QToolButton(this);
    openA->setText(tr("Change…"));
    openA->setToolTip(tr("Compare another file as A"));
    connect(openA, &QToolButton::clicked, this, [this] { chooseFile(true); });
    auto *openB = new QToolButton(this);
    openB->setText(tr("Change…"));
    openB->setToolTip(tr("Compare another file as B"));
    connect(openB, &QToolButton::clicked, this, [this] { chooseFile(false); });
    auto *swap = new QToolButton(this);
    swap->setText(tr("Swap A ⇄ B"));
    connect(swap, &QToolButton::clicked, this, [this] {
        if (m_a.path.isEmpty() || m_b.path.isEmpty())
            return;
        DiffSettings s = settings();
        std::swap(s.stripA, s.stripB);
        const QSignalBlocker ba(m_stripA), bb(m_stripB);
        m_stripA->setText(s.stripA);
        m_stripB->setText(s.stripB);
        compare(m_b, m_a);
    });
    inputs->addWidget(new QLabel(tr("<b>A</b>"), this));
    inputs->addWidget(m_pathA, 1);
    inputs->addWidget(openA);
    inputs->addSpacing(12);
    inputs->addWidget(new QLabel(tr("<b>B</b>"), this));
    inputs->addWidget(m_pathB, 1);
    inputs->addWidget(openB);
    inputs->addSpacing(12);
    inputs->addWidget(swap);
    layout->addLayout(inputs);

    auto *options = new QHBoxLayout;
    m_stripA = new QLineEdit(this);
    m_stripA->setPlaceholderText(tr("e.g. module."));
    m_stripA->setToolTip(tr("Removed from the start of A's names before pairing"));
    m_stripB = new QLineEdit(this);
    m_stripB->setPlaceholderText(tr("e.g. module."));
    m_stripB->setToolTip(tr("Removed from the start of B's names before pairing"));
    m_atol = new QLineEdit(QStringLiteral("0"), this);
    auto *atolValidator = new QDoubleValidator(0, 1e300, 20, m_atol);
    atolValidator->setLocale(QLocale::c()); // 1e-3 and 0.5, as on the command line
    m_atol->setValidator(atolValidator);
    m_atol->setToolTip(tr("Elements that differ by at most this much count as unchanged"));
    m_atol->setMaximumWidth(90);
    m_all = new QCheckBox(tr("All tensors"), this);
    m_all->setToolTip(tr("Compare every tensor by its full path (optimizer state too), not just the two model states"));
    options->addWidget(new QLabel(tr("Strip prefix from A:"), this));
    options->addWidget(m_stripA);
    options->addWidget(new QLabel(tr("from B:"), this));
    options->addWidget(m_stripB);
    options->addSpacing(12);
    options->addWidget(new QLabel(tr("Tolerance (atol):"), this));
    options->addWidget(m_atol);
    options->addSpacing(12);
    options->addWidget(m_all);
    options->addStretch(1);
    layout->addLayout(options);
    for (QLineEdit *edit : {m_stripA, m_stripB, m_atol})
        connect(edit, &QLineEdit::editingFinished, this, [this] {
            if (m_session && !m_runner->isRunning()) {
                const DiffSettings now = settings(), was = m_session->settings;
                if (now.stripA != was.stripA || now.stripB != was.stripB || now.atol != was.atol)
                    recompare();
            }
        });
    connect(m_all, &QCheckBox::toggled, this, [this] {
        if (!m_a.path.isEmpty() && !m_b.path.isEmpty())
            recompare();
    });

    m_suggestion = new QLabel(this);
    m_suggestion->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; border: 1px solid #e6c77a; padding: 4px; }"));
    m_suggestion->setTextFormat(Qt::RichText);
    m_suggestion->hide();
    connect(m_suggestion, &QLabel::linkActivated, this, [this] {
        if (!m_session || !m_session->suggestion)
            return;
        const auto &s = *m_session->suggestion;
        (s.sideA ? m_stripA : m_stripB)->setText(QString::fromStdString(s.prefix));
        recompare();
    });
    layout->addWidget(m_suggestion);

    // The legend is the status filter: one checkable swatch per status, with its count.
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show:"), this));
    m_preset = new QComboBox(this);
    for (const auto &p : presets())
        m_preset->addItem(tr(p.label), p.mask);
    m_preset->addItem(tr("Custom"), 0u);
    filters->addWidget(m_preset);
    for (const auto s : diffstyle::bySeverity()) {
        QToolButton *b = legendButton(this, diffstyle::swatch(s), diffstyle::description(s));
        m_statusButtons[static_cast<std::size_t>(s)] = b;
        filters->addWidget(b);
        connect(b, &QToolButton::toggled, this, &DiffWindow::applyStatusButtons);
    }
    connect(m_preset, &QComboBox::activated, this, [this](int i) {
        const unsigned mask = m_preset->itemData(i).toUInt();
        if (mask)
            setStatusFilter(mask);
    });
    filters->addSpacing(12);
    m_nameFilter = new QLineEdit(this);
    m_nameFilter->setPlaceholderText(tr("Filter names (glob: layer1.*  or text)   Ctrl+F"));
    m_nameFilter->setClearButtonEnabled(true);
    filters->addWidget(m_nameFilter, 1);
    m_flat = new QCheckBox(tr("Flat list"), this);
    m_flat->setToolTip(tr("One row per pair instead of the module tree: sorting then ranks all pairs (Ctrl+L)"));
    filters->addWidget(m_flat);
    layout->addLayout(filters);
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150);
    connect(m_filterTimer, &QTimer::timeout, this, &DiffWindow::applyNameFilter);
    connect(m_nameFilter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_flat, &QCheckBox::toggled, this, [this](bool flat) {
        // Switching resets the view: keep the pair that was current.
        const int entry = m_tree->currentIndex().data(DiffTreeModel::EntryRole).toInt();
        m_model->setFlat(flat);
        if (!flat)
            m_tree->expandToDepth(0);
        const QModelIndex current = m_model->indexOfEntry(entry);
        if (current.isValid()) {
            for (QModelIndex p = current.parent(); p.isValid(); p = p.parent())
                m_tree->expand(p);
            m_tree->setCurrentIndex(current);
            m_tree->scrollTo(current);
        }
    });

    // The tree on the left; the chart and the selected pair on the right.
    auto *split = m_split = new QSplitter(Qt::Horizontal, this);
    m_tree = new QTreeView(split);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(false); // the status colours are the row backgrounds
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(-1, Qt::AscendingOrder); // model order until a header is clicked
    m_tree->header()->setSortIndicatorShown(true);
    m_tree->header()->setSortIndicatorClearable(true);
    m_tree->header()->setStretchLastSection(false);
    auto *right = new QSplitter(Qt::Vertical, split);
    m_chart = new DiffChartWidget(right);
    m_pair = new DiffPairWidget(right);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({1050, 390});
    layout->addWidget(split, 1);
    setCentralWidget(central);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &DiffWindow::onCurrentChanged);
    connect(m_chart, &DiffChartWidget::moduleActivated, this, &DiffWindow::selectEntries);
    // The tree's selection is the one selection of the window: the chart highlights the bars of the selected
    // rows, whoever changed them (a click on a row or a bar, the keyboard, a filter, another grouping).
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DiffWindow::onSelectionChanged);
    connect(m_chart, &DiffChartWidget::rebuilt, this, &DiffWindow::highlightSelectedBars);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &DiffWindow::highlightSelectedBars);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DiffWindow::highlightSelectedBars);

    m_summary = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, m_runner, &DiffRunner::cancel);
    statusBar()->addWidget(m_summary, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

void DiffWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openB = file->addAction(tr("Compare &With… (B)"), this, [this] { chooseFile(false); });
    openB->setShortcut(QKeySequence::Open);
    file->addAction(tr("Change &A…"), this, [this] { chooseFile(true); });
    QAction *again = file->addAction(tr("Compare &Again"), this, &DiffWindow::recompare);
    again->setShortcut(QKeySequence::Refresh);
    file->addSeparator();
    QAction *json = file->addAction(tr("Export as &JSON…"), this, [this] { exportDialog(QStringLiteral("json")); });
    json->setShortcut(QKeySequence(tr("Ctrl+E")));
    QAction *csv = file->addAction(tr("Export as &CSV…"), this, [this] { exportDialog(QStringLiteral("csv")); });
    csv->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    m_sessionActions << again << json << csv;
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close"), this, &QWidget::close);
    close->setShortcut(QKeySequence::Close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *find = edit->addAction(tr("&Find Names"), this, [this] {
        m_nameFilter->setFocus();
        m_nameFilter->selectAll();
    });
    find->setShortcut(QKeySequence::Find);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *differences
        = view->addAction(tr("&Differences Only"), this, [this](bool on) { setStatusFilter(on ? diffstyle::kDifferences : diffstyle::kAllStatuses); });
    differences->setCheckable(true);
    differences->setShortcut(QKeySequence(tr("Ctrl+D")));
    connect(
        m_preset, &QComboBox::currentIndexChanged, differences, [this, differences] { differences->setChecked(statusFilter() == diffstyle::kDifferences); });
    QAction *flat = view->addAction(tr("&Flat List"), m_flat, &QCheckBox::setChecked);
    flat->setCheckable(true);
    flat->setShortcut(QKeySequence(tr("Ctrl+L")));
    connect(m_flat, &QCheckBox::toggled, flat, &QAction::setChecked);
    view->addSeparator();
    view->addAction(tr("&Expand All"), m_tree, &QTreeView::expandAll);
    view->addAction(tr("&Collapse All"), m_tree, &QTreeView::collapseAll);
    QAction *escape = new QAction(this);
    escape->setShortcut(Qt::Key_Escape);
    connect(escape, &QAction::triggered, m_runner, &DiffRunner::cancel);
    addAction(escape);
    for (QAction *a : m_sessionActions)
        a->setEnabled(false);
}

DiffSettings DiffWindow::settings() const
{
    DiffSettings s;
    s.all = m_all->isChecked();
    s.stripA = m_stripA->text();
    s.stripB = m_stripB->text();
    s.atol = m_atol->text().toDouble();
    return s;
}

void DiffWindow::setSettings(const DiffSettings &s)
{
    {
        const QSignalBlocker b1(m_stripA), b2(m_stripB), b3(m_atol), b4(m_all);
        m_stripA->setText(s.stripA);
        m_stripB->setText(s.stripB);
        m_atol->setText(QString::number(s.atol, 'g', 10));
        m_all->setChecked(s.all);
    }
    if (!m_a.path.isEmpty() && !m_b.path.isEmpty())
        recompare();
}

void DiffWindow::compare(const DiffInput &a, const DiffInput &b)
{
    m_a = a;
    m_b = b;
    recompare();
}

void DiffWindow::recompare()
{
    if (m_a.path.isEmpty() || m_b.path.isEmpty())
        return;
    updateTitle();
    setBusy(true);
    m_runner->run(m_a, m_b, settings());
}

void DiffWindow::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_progress->setRange(0, 0);
    if (busy)
        m_summary->setText(tr("Comparing %1 with %2 …").arg(fileLabel(m_a.path), fileLabel(m_b.path)));
    else
        updateSummary();
}

void DiffWindow::onFinished(std::shared_ptr<const DiffSession> session)
{
    m_session = std::move(session);
    m_a = m_session->a; // both open now: comparing again does not read them again
    m_b = m_session->b;
    setBusy(false);
    m_pair->setSession(m_session);
    m_model->setSession(m_session);
    m_chart->setSession(m_session);
    m_tree->expandToDepth(0);
    resizeColumns();
    for (QAction *a : m_sessionActions)
        a->setEnabled(true);
    if (const auto &s = m_session->suggestion) {
        m_suggestion->setText(tr("%1 names only in one side pair up once the prefix <b>%2</b> is removed from %3. "
                                 "<a href=\"strip\">Strip it from %3</a>")
                                  .arg(s->wouldPair)
                                  .arg(QString::fromStdString(s->prefix).toHtmlEscaped(), s->sideA ? QStringLiteral("A") : QStringLiteral("B")));
        m_suggestion->show();
    } else {
        m_suggestion->hide();
    }
    updateTitle();
    updateLegend();
    updateSummary();
    revealPending();
}

void DiffWindow::onFailed(const QString &message)
{
    m_reveal.clear();
    setBusy(false);
    if (m_session) { // the previous result stays: compare the files it holds again next time
        m_a = m_session->a;
        m_b = m_session->b;
        updateTitle();
    }
    showError(tr("Cannot compare"), message);
}

void DiffWindow::showError(const QString &title, const QString &message)
{
    showErrorBox(this, title, message);
}

void DiffWindow::resizeColumns()
{
    // Widths from the content (a sample of the pairs for huge diffs), capped so that every column fits
    // beside the chart.
    const QFontMetrics fm = m_tree->fontMetrics();
    const int pad = 14;
    int name = fm.horizontalAdvance(tr("Name")), status = fm.horizontalAdvance(diffstyle::label(DiffStatus::Shape));
    int shape = fm.horizontalAdvance(tr("Shape")), dtype = fm.horizontalAdvance(QStringLiteral("float32"));
    const auto &tree = m_session->tree;
    const std::size_t step = std::max<std::size_t>(1, tree.nodes.size() / 1000);
    for (std::size_t i = 1; i < tree.nodes.size(); i += step) {
        const QModelIndex index = m_model->indexOfNode(static_cast<int>(i));
        if (!index.isValid())
            continue;
        int depth = 1;
        for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
            ++depth;
        name = std::max(name, depth * m_tree->indentation() + fm.horizontalAdvance(index.data().toString()));
        status = std::max(status, fm.horizontalAdvance(index.siblingAtColumn(DiffTreeModel::Status).data().toString()));
        shape = std::max(shape, fm.horizontalAdvance(index.siblingAtColumn(DiffTreeModel::Shape).data().toString()));
        dtype = std::max(dtype, fm.horizontalAdvance(index.siblingAtColumn(DiffTreeModel::DType).data().toString()));
    }
    m_tree->setColumnWidth(DiffTreeModel::Name, std::min(name + pad, 300));
    m_tree->setColumnWidth(DiffTreeModel::Status, std::min(status + pad, 200));
    m_tree->setColumnWidth(DiffTreeModel::Shape, std::min(shape + pad, 200));
    m_tree->setColumnWidth(DiffTreeModel::DType, std::min(dtype + pad, 170));
    const std::pair<int, QString> numeric[] = {
        {DiffTreeModel::Parameters, QString::fromStdString(ckpt::groupThousands(tree.nodes.front().numel))},
        {DiffTreeModel::RelL2, QStringLiteral("0.000123")},
        {DiffTreeModel::Cosine, QStringLiteral("-0.999999")},
        {DiffTreeModel::MaxAbs, QStringLiteral("0.000123")},
        {DiffTreeModel::MeanAbs, QStringLiteral("0.000123")},
        {DiffTreeModel::ChangedPercent, QStringLiteral("100.0%")},
    };
    for (const auto &[column, sample] : numeric) {
        const int header = fm.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString()) + 6; // + sort arrow
        m_tree->setColumnWidth(column, std::max(fm.horizontalAdvance(sample), header) + pad);
    }
}

void DiffWindow::updateTitle()
{
    if (m_a.path.isEmpty() || m_b.path.isEmpty()) {
        setWindowTitle(tr("Compare Checkpoints — Checkpoint Studio"));
        m_pathA->setText(tr("(none)"));
        m_pathB->setText(tr("(none)"));
        return;
    }
    setWindowTitle(tr("%1 ⇄ %2 — Checkpoint Studio").arg(fileLabel(m_a.path), fileLabel(m_b.path)));
    m_pathA->setText(m_a.path);
    m_pathB->setText(m_b.path);
}

void DiffWindow::updateLegend()
{
    for (const auto s : diffstyle::bySeverity()) {
        const auto count = m_session ? m_session->result.summary.counts[static_cast<int>(s)] : 0;
        m_statusButtons[static_cast<std::size_t>(s)]->setText(QStringLiteral("%1 (%2)").arg(diffstyle::label(s)).arg(count));
    }
}

void DiffWindow::updateSummary()
{
    if (!m_session) {
        m_summary->setText(m_a.path.isEmpty() ? tr("Drop two checkpoints here, or use File > Compare With…") : QString());
        return;
    }
    const auto &s = m_session->result.summary;
    const std::size_t total = m_session->result.entries.size();
    QString text = s.identical() ? tr("The compared tensors are identical.") : tr("The checkpoints differ.");
    text += QLatin1Char(' ')
        + (total == 1 ? tr("1 name, %2 shown; %3 compared in %4.") : tr("%1 names, %2 shown; %3 compared in %4.").arg(total))
              .arg(m_model->visiblePairs())
              .arg(QString::fromStdString(ckpt::humanBytes(s.comparedBytes)))
              .arg(m_session->seconds < 1 ? tr("%1 ms").arg(qRound(m_session->seconds * 1000)) : tr("%1 s").arg(m_session->seconds, 0, 'f', 2));
    if (!s.mostChanged.empty())
        text += QLatin1Char(' ')
            + tr("Most changed: %1 (%2).")
                  .arg(QString::fromStdString(m_session->result.entries[s.mostChanged.front()].name))
                  .arg(m_session->result.entries[s.mostChanged.front()].metrics.relL2, 0, 'g', 3);
    m_summary->setText(text);
}

unsigned DiffWindow::statusFilter() const
{
    return m_model->statusFilter();
}

void DiffWindow::setStatusFilter(unsigned mask)
{
    for (const auto s : diffstyle::bySeverity()) {
        QToolButton *b = m_statusButtons[static_cast<std::size_t>(s)];
        const QSignalBlocker block(b);
        b->setChecked(mask & diffstyle::bit(s));
    }
    applyStatusButtons();
}

void DiffWindow::applyStatusButtons()
{
    unsigned mask = 0;
    for (const auto s : diffstyle::bySeverity())
        if (m_statusButtons[static_cast<std::size_t>(s)]->isChecked())
            mask |= diffstyle::bit(s);
    m_model->setStatusFilter(mask);
    int preset = m_preset->count() - 1; // Custom
    for (int i = 0; i + 1 < m_preset->count(); ++i)
        if (m_preset->itemData(i).toUInt() == mask)
            preset = i;
    m_preset->setCurrentIndex(preset);
    if (!m_model->isFlat() && m_model->visiblePairs() < 500 && mask != diffstyle::kAllStatuses)
        m_tree->expandAll(); // few rows left: show them all
    updateSummary();
}

void DiffWindow::applyNameFilter()
{
    m_filterTimer->stop();
    ParameterFilter filter;
    const QString error = filter.set(m_nameFilter->text(), ParameterFilter::Mode::Glob);
    if (!error.isEmpty()) {
        statusBar()->showMessage(error, 5000);
        return;
    }
    m_model->setNameFilter(std::move(filter));
    if (!m_model->isFlat() && !m_nameFilter->text().isEmpty() && m_model->visiblePairs() < 500)
        m_tree->expandAll();
    updateSummary();
}

void DiffWindow::onCurrentChanged()
{
    const QModelIndex current = m_tree->currentIndex();
    const int node = m_model->nodeOf(current);
    if (!current.isValid() || !m_session) {
        m_pair->showEntry(-1);
        return;
    }
    const int entry = m_session->tree.nodes[static_cast<std::size_t>(node)].entry;
    if (entry >= 0)
        m_pair->showEntry(entry);
    else
        m_pair->showGroup(node);
}

void DiffWindow::onSelectionChanged()
{
    highlightSelectedBars();
    // A message about an earlier selection (a bar's module) would now be wrong: say what is selected.
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    if (rows.isEmpty() || !m_session) {
        statusBar()->clearMessage();
        return;
    }
    if (rows.size() > 1) {
        statusBar()->showMessage(tr("%1 rows selected").arg(rows.size()), kMessageMs);
        return;
    }
    const int node = m_model->nodeOf(rows.front());
    const DiffTreeNode &n = m_session->tree.nodes[static_cast<std::size_t>(node)];
    const QString path = nodePath(*m_session, node);
    if (n.entry < 0) {
        int pairs = 0;
        for (const int c : n.counts)
            pairs += c;
        statusBar()->showMessage(tr("%1 selected: %2 pairs").arg(path, QString::number(pairs)), kMessageMs);
        return;
    }
    const int bar = m_chart->barOfEntry(static_cast<std::size_t>(n.entry));
    statusBar()->showMessage(bar < 0
            ? tr("%1 selected").arg(path)
            : tr("%1 selected; its bar on the chart: %2").arg(path, QString::fromStdString(m_chart->bars()[static_cast<std::size_t>(bar)].module)),
        kMessageMs);
}

void DiffWindow::highlightSelectedBars()
{
    std::vector<int> bars;
    if (m_session && !m_chart->bars().empty()) {
        // The bars of every pair in or under a selected row: a pair's layer, a group's layers.
        const auto &nodes = m_session->tree.nodes;
        std::vector<char> seen(nodes.size(), 0), marked(m_chart->bars().size(), 0);
        std::vector<int> pending;
        for (const QModelIndex &row : m_tree->selectionModel()->selectedRows())
            pending.push_back(m_model->nodeOf(row));
        while (!pending.empty()) {
            const auto node = static_cast<std::size_t>(pending.back());
            pending.pop_back();
            if (node == 0 || seen[node])
                continue;
            seen[node] = 1;
            if (nodes[node].entry >= 0) {
                if (const int bar = m_chart->barOfEntry(static_cast<std::size_t>(nodes[node].entry)); bar >= 0)
                    marked[static_cast<std::size_t>(bar)] = 1;
            } else {
                pending.insert(pending.end(), nodes[node].children.begin(), nodes[node].children.end());
            }
        }
        for (std::size_t i = 0; i < marked.size(); ++i)
            if (marked[i])
                bars.push_back(static_cast<int>(i));
    }
    m_chart->highlightBars(bars);
}

void DiffWindow::selectEntries(const QString &module, const std::vector<std::size_t> &entries)
{
    if (!m_session)
        return;
    // In the tree a module is a group row: select it (its totals show beside the chart), and its pairs
    // too while there are few enough to look at; a huge module only opens its first level. In the flat
    // list the pairs themselves are the rows.
    const int group = m_model->isFlat() ? -1 : m_session->tree.findGroup(module.toStdString());
    const QModelIndex groupIndex = m_model->indexOfNode(group);
    constexpr std::size_t kMaxRows = 500;
    const bool selectPairs = !groupIndex.isValid() || entries.size() <= kMaxRows;
    QItemSelection selection;
    if (groupIndex.isValid())
        selection.select(groupIndex, groupIndex.siblingAtColumn(DiffTreeModel::ColumnCount - 1));
    QModelIndex first;
    std::size_t selected = 0;
    if (selectPairs) {
        // Rows grouped by parent and merged into contiguous runs: one selection range per run.
        std::map<int, std::vector<int>> rowsByParent;
        for (const auto e : entries) {
            const QModelIndex index = m_model->indexOfEntry(static_cast<int>(e));
            if (!index.isValid())
                continue; // filtered out
            rowsByParent[m_model->nodeOf(index.parent())].push_back(index.row());
            if (!first.isValid())
                first = index;
        }
        std::size_t ranges = 0;
        for (auto &[parentNode, rows] : rowsByParent) {
            std::sort(rows.begin(), rows.end());
            const QModelIndex parent = m_model->indexOfNode(parentNode);
            for (std::size_t i = 0; i < rows.size() && ranges < kMaxRows; ++ranges) {
                std::size_t j = i;
                while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
                    ++j;
                selection.select(m_model->index(rows[i], 0, parent), m_model->index(rows[j], DiffTreeModel::ColumnCount - 1, parent));
                selected += j - i + 1;
                i = j + 1;
            }
            if (!m_model->isFlat())
                for (QModelIndex p = parent; p.isValid() && !m_tree->isExpanded(p); p = p.parent())
                    m_tree->expand(p);
        }
    }
    if (groupIndex.isValid())
        m_tree->expand(groupIndex);
    m_tree->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    const QModelIndex current = groupIndex.isValid() ? groupIndex : first;
    if (current.isValid()) {
        m_tree->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
        m_tree->scrollTo(current, QAbstractItemView::PositionAtTop);
    }
    statusBar()->showMessage(selectPairs ? tr("%1: %2 of its %3 pairs selected").arg(module).arg(selected).arg(entries.size())
                                         : tr("%1: %2 pairs, selected as a group").arg(module).arg(entries.size()),
        kMessageMs);
}

bool DiffWindow::exportDiff(const QString &path)
{
    if (!m_session)
        return false;
    try {
        ckpt::checkNotAnInput(path.toStdString(), {m_session->a.path.toStdString(), m_session->b.path.toStdString()}, false);
        const bool csv = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
        ckpt::writeFileAtomically(
            path.toStdString(), csv ? ckpt::diffCsv(m_session->result) : ckpt::diffJson(m_session->result, *m_session->a.checkpoint, *m_session->b.checkpoint));
    } catch (const ckpt::Error &e) {
        showError(tr("Cannot export the diff"), QString::fromStdString(e.what()));
        return false;
    } catch (const std::exception &e) {
        showError(tr("Cannot export the diff"), QStringLiteral("%1: %2").arg(path, exceptionText(e)));
        return false;
    }
    statusBar()->showMessage(tr("Wrote %1 pairs to %2").arg(m_session->result.entries.size()).arg(path), 6000);
    return true;
}

void DiffWindow::exportDialog(const QString &suffix)
{
    if (!m_session)
        return;
    QString folder = appsettings::lastFolder(QStringLiteral("export"));
    if (folder.isEmpty())
        folder = QFileInfo(m_b.path).absolutePath();
    const QString name
        = QStringLiteral("%1/diff_%2_vs_%3.%4").arg(folder, QFileInfo(m_a.path).completeBaseName(), QFileInfo(m_b.path).completeBaseName(), suffix);
    const QString filter = suffix == QLatin1String("csv") ? tr("CSV table (*.csv)") : tr("JSON (*.json)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Diff"), name, filter);
    if (path.isEmpty())
        return;
    appsettings::setLastFolder(QStringLiteral("export"), QFileInfo(path).absolutePath());
    exportDiff(path);
}

void DiffWindow::chooseFile(bool sideA)
{
    const QString path = chooseCheckpoint(this, sideA ? tr("Checkpoint A") : tr("Compare With (B)"));
    if (path.isEmpty())
        return;
    if (sideA)
        m_a = {path, nullptr};
    else
        m_b = {path, nullptr};
    recompare();
}

void DiffWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void DiffWindow::dropEvent(QDropEvent *event)
{
    const QStringList files = droppedFiles(event->mimeData());
    if (files.size() >= 2) {
        compare({files[0], nullptr}, {files[1], nullptr});
    } else if (files.size() == 1) { // a new B against the same A
        m_b = {files[0], nullptr};
        if (m_a.path.isEmpty())
            std::swap(m_a, m_b);
        recompare();
        updateTitle();
    }
}

void DiffWindow::selectEntry(int entry)
{
    const QModelIndex index = m_model->indexOfEntry(entry);
    if (!index.isValid())
        return;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->scrollTo(index);
    m_tree->setCurrentIndex(index);
}

void DiffWindow::revealName(const QString &name)
{
    m_reveal = name;
    if (!m_runner->isRunning())
        revealPending();
}

void DiffWindow::revealPending()
{
    if (m_reveal.isEmpty() || !m_session)
        return;
    const std::string name = m_reveal.toStdString();
    const QString shown = m_reveal;
    m_reveal.clear();
    // The name as the main window's tree gives it (the state_dict name) is A's; the pair may carry another
    // name once the prefix rules ran.
    const auto &entries = m_session->result.entries;
    int found = -1;
    for (std::size_t i = 0; i < entries.size() && found < 0; ++i) {
        const auto &e = entries[i];
        if ((e.a && (e.a->modelName == name || e.a->name == name)) || e.name == name)
            found = static_cast<int>(i);
    }
    if (found >= 0 && !m_model->indexOfEntry(found).isValid())
        setStatusFilter(diffstyle::kAllStatuses); // hidden by the status legend: show every status rather than nothing
    if (found < 0 || !m_model->indexOfEntry(found).isValid()) {
        statusBar()->showMessage(tr("%1 is not among the compared pairs").arg(shown), kMessageMs);
        return;
    }
    selectEntry(found);
    m_tree->setFocus(Qt::OtherFocusReason);
}

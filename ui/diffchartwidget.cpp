// SPDX-License-Identifier: MIT
#include "diffchartwidget.h"

#include "chartclear.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "inspectreport.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QScrollArea>
#include <QSet>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace {
constexpr int kBarPixels = 20; // a row per bar, so every name stays readable
// Qt Charts gives an axis at most this share of the chart's width (maxAxisPortion in its layout) and draws
// longer labels past the chart's left edge.
constexpr double kAxisShare = 0.4;
constexpr int kLabelExtra = 6; // what Qt adds to a category label's width: padding, document margin, rounding
} // namespace

DiffChartWidget::DiffChartWidget(QWidget *parent)
    : QWidget(parent)
    , m_grouping(new QComboBox(this))
    , m_note(new QLabel(this))
    , m_scroll(new QScrollArea(this))
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("<b>Relative change</b> per"), this));
    m_grouping->addItem(tr("Layer"), 0);
    m_grouping->addItem(tr("Top-level module"), 1);
    m_grouping->addItem(tr("Module, 2 levels"), 2);
    m_grouping->addItem(tr("Module, 3 levels"), 3);
    m_grouping->setToolTip(tr("A layer is the module that owns a tensor (its name without the last part)"));
    setToolTip(tr("Relative L2 change ‖a − b‖ / ‖a‖ of each module: the mean over its tensors, weighted by their "
                  "number of elements (identical tensors count as 0)"));
    top->addWidget(m_grouping);
    top->addStretch(1);
    layout->addLayout(top);
    m_note->setWordWrap(true);
    m_note->hide();
    layout->addWidget(m_note);

    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(4, 4, 12, 4));
    m_chart->setBackgroundRoundness(0);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_scroll->setWidget(m_view);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded); // only when too narrow for the labels
    m_scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_scroll, 1);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, &DiffChartWidget::rebuild);
    m_view->installEventFilter(this); // a narrower view elides the labels further
    connect(m_chart, &QChart::plotAreaChanged, this, &DiffChartWidget::fitHeight);
}

DiffChartWidget::~DiffChartWidget() = default;

void DiffChartWidget::setSession(std::shared_ptr<const DiffSession> session)
{
    m_session = std::move(session);
    // The finest grouping that stays readable at a glance: per layer for most models, per block for
    // large ones (a finer one is a click away, up to kMaxBars).
    if (m_session) {
        const QSignalBlocker block(m_grouping);
        auto bars = [this](int depth) {
            std::size_t n = 0;
            for (const auto &m : m_session->modules[static_cast<std::size_t>(depth)])
                n += m.parameters > 0 ? 1 : 0;
            return n;
        };
        // A single bar says nothing: then the finest grouping with several, even if cut at kMaxBars.
        int choice = -1;
        for (const int depth : {0, 3, 2, 1})
            if (const auto n = bars(depth); n >= 2 && n <= static_cast<std::size_t>(kMaxBars)) {
                choice = depth;
                break;
            }
        if (choice < 0)
            for (const int depth : {3, 2, 1, 0})
                if (bars(depth) >= 2) {
                    choice = depth;
                    break;
                }
        choice = m_grouping->findData(choice < 0 ? 1 : choice);
        m_grouping->setCurrentIndex(choice);
    }
    rebuild();
}

void DiffChartWidget::setDepth(int depth)
{
    const int i = m_grouping->findData(depth);
    if (i >= 0)
        m_grouping->setCurrentIndex(i);
}

int DiffChartWidget::depth() const
{
    return m_grouping->currentData().toInt();
}

void DiffChartWidget::rebuild()
{
    buildChart();
    emit rebuilt();
}

void DiffChartWidget::buildChart()
{
    m_set = nullptr;
    m_categories = nullptr; // before the chart deletes it
    m_labelWidth = -1;
    m_bars.clear();
    m_barOfEntry.clear();
    clearChart(m_chart);
    m_note->hide();
    if (!m_session) {
        m_view->setMinimumSize(0, 0);
        return;
    }
    // Bars for modules with compared values; a module whose tensors are only in one side has no change
    // to measure.
    for (const auto &m : m_session->modules[static_cast<std::size_t>(depth())])
        if (m.parameters > 0)
            m_bars.push_back(m);
    m_totalModules = m_bars.size();
    if (m_bars.empty()) {
        m_note->setText(tr("No pair was compared: there is no change to chart."));
        m_note->show();
        m_view->setMinimumSize(0, 0);
        return;
    }
    if (m_bars.size() > static_cast<std::size_t>(kMaxBars)) {
        m_bars.resize(kMaxBars);
        m_note->setText(tr("Showing the first %1 of %2; choose a coarser grouping to see them all.").arg(kMaxBars).arg(m_totalModules));
        m_note->show();
    }
    m_barOfEntry.assign(m_session->result.entries.size(), -1);
    for (std::size_t k = 0; k < m_bars.size(); ++k)
        for (const auto e : m_bars[k].entries)
            m_barOfEntry[e] = static_cast<int>(k);
    // A tiny change still gets its value printed; only an unchanged module has neither bar nor value.
    // (The note is settled before the chart is built: Qt Charts keeps category labels elided to the
    // width they had when the axis was laid out.)
    const auto identical = std::count_if(m_bars.begin(), m_bars.end(), [](const auto &m) { return m.weightedRelL2 == 0; });
    if (identical && m_note->isHidden()) {
        m_note->setText(identical == 1 ? tr("One module has neither bar nor value: it is identical in A and B.")
                                       : tr("%1 modules have neither bar nor value: they are identical in A and B (frozen?).").arg(identical));
        m_note->show();
    }
    // Horizontal bars: the first module at the top, and every name on its own line.
    m_set = new QBarSet(tr("relative change"));
    m_set->setColor(diffstyle::swatchColour(ckpt::DiffStatus::Changed));
    m_set->setBorderColor(diffstyle::swatchColour(ckpt::DiffStatus::Changed).darker(120));
    m_set->setSelectedColor(diffstyle::swatchColour(ckpt::DiffStatus::DType));
    m_set->setLabelColor(palette().color(QPalette::WindowText)); // drawn beside the bar, not on it
    // Qt's truncation keeps the labels cut to the width they had when the axis was first laid out, and
    // replaces a label by "…" as soon as its row is a pixel lower than a line: fitLabels() elides them.
    auto *categories = m_categories = new QBarCategoryAxis;
    categories->setTruncateLabels(false);
    double top = 0;
    QStringList names;
    for (std::size_t k = m_bars.size(); k-- > 0;) {
        *m_set << m_bars[k].weightedRelL2;
        names << QString::fromStdString(m_bars[k].module);
        top = std::max(top, m_bars[k].weightedRelL2);
    }
    categories->append(names);
    auto *series = new QHorizontalBarSeries;
    series->append(m_set);
    series->setBarWidth(0.75);
    m_chart->addSeries(series);
    auto *values = new QValueAxis;
    values->setRange(0, top > 0 ? top * 1.18 : 1.0); // room for the value labels
    values->setLabelFormat(QStringLiteral("%.2g"));
    values->setTickCount(5);
    values->setTitleText(tr("‖a − b‖ / ‖a‖"));
    m_chart->addAxis(categories, Qt::AlignLeft);
    m_chart->addAxis(values, Qt::AlignBottom);
    series->attachAxis(categories);
    series->attachAxis(values);
    // Value labels once the series has its axes (set earlier they are not drawn).
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setLabelsFormat(QStringLiteral("@value"));
    series->setLabelsPrecision(3);
    series->setLabelsVisible(true);
    // Qt Charts hides a category label that would overlap the one below it: a bar's row is at least a line
    // of the labels' font high (a Chinese font's lines are taller). What the axes below the bars take is
    // estimated here and measured by fitHeight() once the chart is laid out.
    const QFontMetricsF font(categories->labelsFont());
    m_rowPixels = std::max(kBarPixels, static_cast<int>(std::ceil(font.height())) + 6);
    m_view->setMinimumHeight(static_cast<int>(m_bars.size()) * m_rowPixels + 2 * static_cast<int>(std::ceil(font.height())) + 40);
    // Narrower, the labels would keep too little of their names to tell the layers apart: the chart scrolls
    // sideways instead.
    double widest = 0;
    for (const QString &name : names)
        widest = std::max(widest, font.horizontalAdvance(name));
    const double least = std::min(widest, font.horizontalAdvance(QStringLiteral("…mmmmmmm")));
    m_view->setMinimumWidth(static_cast<int>(std::ceil((least + kLabelExtra + 1) / kAxisShare + chartChrome())));
    fitLabels();

    const int count = static_cast<int>(m_bars.size());
    connect(m_set, &QBarSet::clicked, this, [this, count](int index) { activateBar(count - 1 - index); });
    connect(m_set, &QBarSet::hovered, this, [this, count](bool on, int index) {
        if (!on) {
            QToolTip::hideText();
            return;
        }
        const auto &m = m_bars[static_cast<std::size_t>(count - 1 - index)];
        QToolTip::showText(QCursor::pos(),
            tr("%1\nrelative change %2 over %3 parameters (%4 tensors)\nClick to select its rows")
                .arg(QString::fromStdString(m.module))
                .arg(m.weightedRelL2, 0, 'g', 4)
                .arg(QString::fromStdString(ckpt::groupThousands(m.parameters)))
                .arg(m.entries.size()));
    });
}

bool DiffChartWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view && event->type() == QEvent::Resize)
        fitLabels();
    return QWidget::eventFilter(watched, event);
}

double DiffChartWidget::chartChrome() const
{
    qreal left = 0, top = 0, right = 0, bottom = 0;
    if (QGraphicsLayout *layout = m_chart->layout())
        layout->getContentsMargins(&left, &top, &right, &bottom);
    return 2 * m_view->frameWidth() + left + right + m_chart->margins().left() + m_chart->margins().right();
}

void DiffChartWidget::fitLabels()
{
    if (!m_categories)
        return;
    const QFontMetricsF font(m_categories->labelsFont());
    // Labels fit when the axis' preferred width (the widest label, its padding and 1 px of document margin)
    // stays within Qt's share of the chart's width: any wider and they are drawn past the chart's left edge.
    // (The view's own width: on its resize event its viewport still has the old one.)
    const int width = static_cast<int>(kAxisShare * (m_view->width() - chartChrome())) - kLabelExtra;
    if (width == m_labelWidth)
        return;
    m_labelWidth = width;
    QStringList labels;
    QSet<QString> used;
    for (std::size_t k = m_bars.size(); k-- > 0;) {
        // The end of a module name is the layer itself (its start is shared with its neighbours).
        QString label = font.elidedText(QString::fromStdString(m_bars[k].module), Qt::ElideLeft, width);
        // QBarCategoryAxis drops a category equal to another, and every label after it would shift:
        // names that elide alike differ by zero-width spaces.
        while (used.contains(label))
            label += QChar(0x200B);
        used.insert(label);
        labels << label;
    }
    if (labels != m_categories->categories())
        m_categories->setCategories(labels);
}

void DiffChartWidget::fitHeight(const QRectF &plotArea)
{
    if (m_bars.empty() || plotArea.height() <= 0)
        return;
    // The axes below the bars and the margins take what the fonts make them take: measured, not guessed,
    // so that every bar keeps its row.
    const double besides = m_view->height() - plotArea.height();
    const int needed = static_cast<int>(std::ceil(static_cast<double>(m_bars.size()) * m_rowPixels + besides));
    if (std::abs(needed - m_view->minimumHeight()) > 1)
        m_view->setMinimumHeight(needed);
}

int DiffChartWidget::barOfEntry(std::size_t entry) const
{
    return entry < m_barOfEntry.size() ? m_barOfEntry[entry] : -1;
}

void DiffChartWidget::highlightBar(int i)
{
    highlightBars(i >= 0 ? std::vector<int>{i} : std::vector<int>{});
}

void DiffChartWidget::highlightBars(const std::vector<int> &bars)
{
    if (!m_set)
        return;
    const int count = static_cast<int>(m_bars.size());
    QList<int> drawn; // the set holds the bars bottom up
    for (const int i : bars)
        if (i >= 0 && i < count)
            drawn << count - 1 - i;
    std::sort(drawn.begin(), drawn.end());
    drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end());
    QList<int> now = m_set->selectedBars();
    std::sort(now.begin(), now.end());
    if (now == drawn)
        return; // every selection change in the tree comes here: repaint only what changed
    m_set->deselectAllBars();
    m_set->selectBars(drawn);
}

void DiffChartWidget::activateBar(int i)
{
    if (i < 0 || i >= static_cast<int>(m_bars.size()))
        return;
    highlightBar(i);
    emit moduleActivated(QString::fromStdString(m_bars[static_cast<std::size_t>(i)].module), m_bars[static_cast<std::size_t>(i)].entries);
}

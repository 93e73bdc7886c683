// SPDX-License-Identifier: MIT
#include "diffpairwidget.h"

#include "chartclear.h"
#include "checkpoint.h"
#include "errorbox.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "format/error.h"
#include "inspectreport.h"
#include "tensorstats.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>

using ckpt::DiffStatus;

namespace {
QString g(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 4) : (std::isnan(v) ? QStringLiteral("nan") : QStringLiteral("inf"));
}

QString side(const ckpt::TensorInfo *t)
{
    if (!t)
        return DiffPairWidget::tr("absent");
    return DiffPairWidget::tr("%1 %2, %3 elements")
        .arg(QString::fromStdString(ckpt::shapeText(t->shape())), QString::fromLatin1(ckpt::dtypeName(t->dtype())),
            QString::fromStdString(ckpt::groupThousands(t->numel())));
}

PairHistograms computeHistograms(const std::shared_ptr<const DiffSession> &session, int entry)
{
    PairHistograms h;
    h.entry = entry;
    const ckpt::DiffEntry &e = session->result.entries[static_cast<std::size_t>(entry)];
    try {
        // One range for both sides, so that the two shapes can be compared bin by bin.
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const ckpt::TensorInfo *t : {e.a, e.b}) {
            if (!t)
                continue;
            const ckpt::TensorStatistics s = ckpt::statisticsOf(ckpt::ElementSource::of(*t->value));
            if (!s.valid) {
                h.error = QString::fromStdString(s.unsupportedReason);
                return h;
            }
            if (s.finite) {
                lo = std::min(lo, s.min);
                hi = std::max(hi, s.max);
            }
        }
        if (!(lo <= hi)) {
            h.error = DiffPairWidget::tr("no finite values");
            return h;
        }
        if (!(hi > lo)) { // a constant: one visible bin around it
            lo -= 0.5;
            hi += 0.5;
        }
        if (e.a)
            h.a = ckpt::histogramInRangeOf(ckpt::ElementSource::of(*e.a->value), DiffPairWidget::kBins, lo, hi);
        if (e.b)
            h.b = ckpt::histogramInRangeOf(ckpt::ElementSource::of(*e.b->value), DiffPairWidget::kBins, lo, hi);
        if ((e.status == DiffStatus::Changed || e.status == DiffStatus::DType) && e.a && e.b) // both sides exist for these statuses
            h.difference = ckpt::tensorMath().differenceHistogram(ckpt::TensorView::of(*e.a->value), ckpt::TensorView::of(*e.b->value), DiffPairWidget::kBins);
    } catch (const ckpt::Error &err) {
        h.error = QString::fromStdString(err.detail());
    } catch (const std::exception &err) { // out of memory, among others
        h.error = exceptionText(err);
    }
    return h;
}

// A histogram as a filled step outline, so that two of them can overlap and both stay visible.
QAreaSeries *stepArea(const ckpt::Histogram &h, const QString &name, QColor colour)
{
    auto *line = new QLineSeries;
    const double width = (h.max - h.min) / static_cast<double>(h.counts.size());
    line->append(h.min, 0);
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        const double x0 = h.min + width * static_cast<double>(i);
        line->append(x0, static_cast<double>(h.counts[i]));
        line->append(x0 + width, static_cast<double>(h.counts[i]));
    }
    line->append(h.max, 0);
    auto *area = new QAreaSeries(line);
    line->setParent(area); // QAreaSeries does not own its boundary lines
    area->setName(name);
    QColor fill = colour;
    fill.setAlpha(110);
    area->setBrush(fill);
    QPen pen(colour.darker(110));
    pen.setWidthF(1.2);
    area->setPen(pen);
    return area;
}

void resetChart(QChart *chart)
{
    clearChart(chart);
    chart->setTitle({});
}

void addAxes(QChart *chart, double lo, double hi, std::uint64_t top)
{
    auto *x = new QValueAxis;
    x->setRange(lo, hi);
    x->setLabelFormat(QStringLiteral("%.3g"));
    x->setTickCount(5);
    auto *y = new QValueAxis;
    y->setRange(0, static_cast<double>(std::max<std::uint64_t>(top, 1)));
    y->setTickCount(3);
    y->applyNiceNumbers(); // whole counts on the ticks, not 0, 1, 1
    y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
}

std::uint64_t peak(const ckpt::Histogram &h)
{
    return h.counts.empty() ? 0 : *std::max_element(h.counts.begin(), h.counts.end());
}
} // namespace

DiffPairWidget::DiffPairWidget(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_sides(new QLabel(this))
    , m_metrics(new QLabel(this))
    , m_overlay(new QChart)
    , m_overlayView(new QChartView(m_overlay, this))
    , m_difference(new QChart)
    , m_differenceView(new QChartView(m_difference, this))
    , m_watcher(new QFutureWatcher<PairHistograms>(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sides->setWordWrap(true);
    m_sides->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metrics->setWordWrap(true);
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);
    layout->addWidget(m_sides);
    layout->addWidget(m_metrics);
    for (QChart *chart : {m_overlay, m_difference}) {
        chart->setMargins(QMargins(2, 2, 2, 2));
        chart->setBackgroundRoundness(0);
        chart->legend()->setAlignment(Qt::AlignTop);
    }
    m_difference->legend()->hide();
    for (QChartView *view : {m_overlayView, m_differenceView}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(150);
        layout->addWidget(view, 1);
    }
    connect(m_watcher, &QFutureWatcherBase::finished, this, [this] {
        const PairHistograms h = m_watcher->result();
        m_cache.insert(h.entry, h);
        if (h.entry == m_entry)
            showHistograms(h);
        else if (m_entry >= 0) // the selection moved on while this one was computed
            showEntry(m_entry);
    });
    showEntry(-1);
}

DiffPairWidget::~DiffPairWidget()
{
    m_watcher->waitForFinished();
}

void DiffPairWidget::setSession(std::shared_ptr<const DiffSession> session)
{
    m_watcher->waitForFinished();
    m_cache.clear();
    m_session = std::move(session);
    showEntry(-1);
}

bool DiffPairWidget::isComputing() const
{
    return m_watcher->isRunning();
}

const PairHistograms *DiffPairWidget::histograms() const
{
    const auto it = m_cache.constFind(m_entry);
    return it == m_cache.cend() ? nullptr : &*it;
}

void DiffPairWidget::clearCharts()
{
    resetChart(m_overlay);
    resetChart(m_difference);
}

void DiffPairWidget::showGroup(int node)
{
    m_entry = -1;
    clearCharts();
    if (!m_session || node <= 0) {
        showEntry(-1);
        return;
    }
    const DiffTreeNode &n = m_session->tree.nodes[static_cast<std::size_t>(node)];
    QStringList counts;
    for (const auto s : diffstyle::bySeverity())
        if (const int c = n.counts[static_cast<std::size_t>(s)])
            counts << QStringLiteral("%1 %2").arg(c).arg(diffstyle::label(s).toLower());
    m_title->setText(QStringLiteral("<b>%1</b>").arg(n.name.toHtmlEscaped()));
    m_sides->setText(
        tr("%1 pairs: %2").arg(n.counts[0] + n.counts[1] + n.counts[2] + n.counts[3] + n.counts[4] + n.counts[5]).arg(counts.join(QStringLiteral(", "))));
    m_metrics->setText(n.change.parameters ? tr("Parameter-weighted relative change %1 over %2 compared parameters; largest |a − b| %3.")
                                                 .arg(g(n.change.mean()), QString::fromStdString(ckpt::groupThousands(n.change.parameters)), g(n.maxAbs))
                                           : tr("No values compared in this group."));
    m_overlayView->hide();
    m_differenceView->hide();
}

void DiffPairWidget::showEntry(int entry)
{
    m_entry = entry;
    clearCharts();
    if (!m_session || entry < 0) {
        m_title->setText(tr("Select a pair to compare its values."));
        m_sides->clear();
        m_metrics->clear();
        m_overlayView->hide();
        m_differenceView->hide();
        return;
    }
    const ckpt::DiffEntry &e = m_session->result.entries[static_cast<std::size_t>(entry)];
    m_title->setText(
        QStringLiteral("<b>%1</b> &nbsp;<span style=\"background:%2\">&nbsp;%3&nbsp;</span>") // untranslated: markup
            .arg(QString::fromStdString(e.name).toHtmlEscaped(),
                (diffstyle::colour(e.status).isValid() ? diffstyle::colour(e.status) : QColor(0xe4, 0xe4, 0xe4)).name(), diffstyle::label(e.status)));
    m_sides->setText(tr("A: %1\nB: %2").arg(side(e.a), side(e.b)));
    const auto &m = e.metrics;
    if (m.valid)
        m_metrics->setText(tr("<table cellspacing=\"0\" cellpadding=\"1\">"
                              "<tr><td>Relative change&nbsp;</td><td><b>%1</b></td><td>&nbsp;&nbsp;Cosine&nbsp;</td><td>%2</td></tr>"
                              "<tr><td>Max |a − b|&nbsp;</td><td>%3</td><td>&nbsp;&nbsp;Mean |a − b|&nbsp;</td><td>%4</td></tr>"
                              "<tr><td colspan=\"4\">%5 of the elements differ by more than %6</td></tr></table>")
                               .arg(g(m.relL2), QString::number(m.cosine, 'f', 6), g(m.maxAbs), g(m.meanAbs))
                               .arg(QString::number(100.0 * m.changedFraction(), 'g', 4) + QLatin1Char('%'))
                               .arg(g(m_session->settings.atol)));
    else if (e.status == DiffStatus::Identical)
        m_metrics->setText(tr("Identical bytes: a − b is zero everywhere."));
    else if (e.status == DiffStatus::Shape)
        m_metrics->setText(tr("The shapes differ, so values are not compared element by element."));
    else if (!m.unsupportedReason.empty())
        m_metrics->setText(tr("Values not compared: %1").arg(QString::fromStdString(m.unsupportedReason)));
    else
        m_metrics->setText(diffstyle::description(e.status));
    m_overlayView->show();
    m_differenceView->setVisible(e.status == DiffStatus::Changed || e.status == DiffStatus::DType);
    if (const auto it = m_cache.constFind(entry); it != m_cache.cend()) {
        showHistograms(*it);
        return;
    }
    m_overlay->setTitle(tr("computing histograms…"));
    if (!m_watcher->isRunning())
        m_watcher->setFuture(QtConcurrent::run(computeHistograms, m_session, entry));
}

void DiffPairWidget::showHistograms(const PairHistograms &h)
{
    clearCharts();
    if (!h.error.isEmpty()) {
        m_overlay->setTitle(tr("Histograms not available: %1").arg(h.error));
        emit histogramsShown(h.entry);
        return;
    }
    const ckpt::Histogram &any = h.a.counts.empty() ? h.b : h.a;
    if (!any.counts.empty()) {
        if (!h.a.counts.empty())
            m_overlay->addSeries(stepArea(h.a, tr("A"), QColor(0x3b, 0x75, 0xaf)));
        if (!h.b.counts.empty())
            m_overlay->addSeries(stepArea(h.b, tr("B"), diffstyle::swatchColour(DiffStatus::Changed)));
        addAxes(m_overlay, any.min, any.max, std::max(peak(h.a), peak(h.b)));
        m_overlay->setTitle(h.a.counts.empty() || h.b.counts.empty() ? tr("Values") : tr("Values of A and B"));
    }
    if (!h.difference.counts.empty()) {
        m_difference->addSeries(stepArea(h.difference, tr("a − b"), diffstyle::swatchColour(DiffStatus::Shape)));
        addAxes(m_difference, h.difference.min, h.difference.max, peak(h.difference));
        m_difference->setTitle(tr("Differences a − b"));
    }
    emit histogramsShown(h.entry);
}

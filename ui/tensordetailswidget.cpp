// SPDX-License-Identifier: MIT
#include "tensordetailswidget.h"

#include "chartclear.h"
#include "checkpoint.h"
#include "freezestate.h"
#include "inspectreport.h"
#include "quantization.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace {
QString fmt(double v)
{
    return std::isnan(v) ? QStringLiteral("nan") : QString::number(v, 'g', 6);
}

QLabel *selectableLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}
} // namespace

TensorDetailsWidget::TensorDetailsWidget(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_form(new QFormLayout)
    , m_shape(selectableLabel(this))
    , m_dtype(selectableLabel(this))
    , m_stride(selectableLabel(this))
    , m_storage(selectableLabel(this))
    , m_layout(selectableLabel(this))
    , m_grad(selectableLabel(this))
    , m_stats(selectableLabel(this))
    , m_special(selectableLabel(this))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_values(new QPlainTextEdit(this))
{
    auto *layout = new QVBoxLayout(this);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->addRow(tr("Shape:"), m_shape);
    m_form->addRow(tr("Dtype:"), m_dtype);
    m_form->addRow(tr("Strides:"), m_stride);
    m_form->addRow(tr("Storage:"), m_storage);
    m_form->addRow(tr("Layout:"), m_layout); // a folder of ranks' files: where the tensor was put together from
    m_layout->setObjectName(QStringLiteral("layout"));
    m_layout->setWordWrap(true);
    m_form->addRow(tr("Trains:"), m_grad);
    m_form->addRow(tr("Statistics:"), m_stats);
    m_stats->setObjectName(QStringLiteral("statistics"));
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    connect(m_stats, &QLabel::linkActivated, this, &TensorDetailsWidget::computeStatistics);
    m_form->addRow(tr("NaN / Inf:"), m_special);
    layout->addLayout(m_form);
    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setBackgroundRoundness(0);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(160);
    layout->addWidget(m_chartView, 1);
    m_values->setReadOnly(true);
    m_values->setMaximumHeight(90);
    m_values->setPlaceholderText(tr("First values"));
    layout->addWidget(m_values);
    newWatcher();
    showTensor(-1);
}

TensorDetailsWidget::~TensorDetailsWidget() = default;

void TensorDetailsWidget::newWatcher()
{
    // A statistics run cannot be interrupted, and one over a tensor of gigabytes takes seconds. Nobody waits
    // for one that is no longer wanted (another checkpoint, a closed window): its watcher goes, the run ends
    // on its own with the checkpoint it shares, and its result is dropped.
    if (m_watcher) {
        m_watcher->disconnect(this);
        m_watcher->deleteLater();
    }
    m_watcher = new QFutureWatcher<TensorSummary>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, [this] {
        const TensorSummary s = m_watcher->result();
        m_cache.insert(s.tensor, s);
        emit summaryReady(s);
        if (s.tensor == m_tensor)
            showSummary(s);
        else if (m_tensor >= 0 && !m_cache.contains(m_tensor))
            showTensor(m_tensor); // the selection moved on while this one ran
    });
}

bool TensorDetailsWidget::isComputing() const
{
    return m_watcher->isRunning();
}

void TensorDetailsWidget::setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    if (m_watcher->isRunning())
        newWatcher();
    m_cache.clear();
    m_freeze = nullptr;
    m_checkpoint = std::move(checkpoint);
    showTensor(-1);
}

void TensorDetailsWidget::showTensor(int tensor)
{
    m_tensor = tensor;
    const bool valid = m_checkpoint && tensor >= 0;
    for (QLabel *l : {m_shape, m_dtype, m_stride, m_storage, m_layout, m_grad, m_stats, m_special})
        l->clear();
    clearChart(m_chart);
    m_values->clear();
    if (!valid) {
        m_form->setRowVisible(m_layout, false);
        m_title->setText(tr("Select a tensor to see its details."));
        m_chart->setTitle({});
        return;
    }
    const auto &tensors = m_checkpoint->tensors();
    const ckpt::TensorInfo &t = tensors[static_cast<std::size_t>(tensor)];
    // Named as state_dict() names it; where it sits in the file goes on a second line.
    if (t.inModelState && !t.modelName.empty() && t.modelName != t.name)
        m_title->setText(QString::fromStdString(t.modelName) + QLatin1Char('\n') + tr("in %1").arg(QString::fromStdString(t.name)));
    else
        m_title->setText(QString::fromStdString(t.name.empty() ? std::string("(root)") : t.name));
    m_shape->setText(QString::fromStdString(ckpt::shapeText(t.shape()))
        + tr("  (%1 elements, %2)").arg(QString::fromStdString(ckpt::groupThousands(t.numel())), QString::fromStdString(ckpt::humanBytes(t.nbytes()))));
    if (const auto q = ckpt::quantizationOf(*t.value))
        m_dtype->setText(
            QString::fromLatin1(ckpt::dtypeName(t.dtype())) + QStringLiteral(" (") + QString::fromStdString(ckpt::quantizationText(*q)) + QLatin1Char(')'));
    else
        m_dtype->setText(QString::fromLatin1(ckpt::dtypeName(t.dtype())));
    m_stride->setText(QString::fromStdString(ckpt::shapeText(t.stride())) + tr(", offset %1").arg(t.storageOffset()));
    QStringList sharing;
    for (const auto &other : tensors)
        if (&other != &t && other.storageId() == t.storageId())
            sharing << QString::fromStdString(other.name);
    m_storage->setText(sharing.isEmpty() ? tr("its own (%1 elements)").arg(t.value->storage->numel)
                                         : tr("shared with %1: %2")
                                               .arg(sharing.size())
                                               .arg(sharing.mid(0, 3).join(QStringLiteral(", ")) + (sharing.size() > 3 ? QStringLiteral(", …") : QString())));
    const auto layout = m_checkpoint->raw().layouts.find(t.value);
    m_layout->setText(layout == m_checkpoint->raw().layouts.end() ? QString() : QString::fromStdString(layout->second));
    m_form->setRowVisible(m_layout, !m_layout->text().isEmpty());
    refreshFreeze();
    if (const auto it = m_cache.constFind(tensor); it != m_cache.cend()) {
        showSummary(*it);
        return;
    }
    if (!m_autoStatistics) {
        m_stats->setText(QStringLiteral("<a href=\"compute\">%1</a>").arg(tr("Compute statistics and histogram"))); // untranslated: markup
        return;
    }
    computeStatistics();
}

void TensorDetailsWidget::computeStatistics()
{
    if (!m_checkpoint || m_tensor < 0 || m_cache.contains(m_tensor))
        return;
    m_stats->setText(tr("computing…"));
    if (!m_watcher->isRunning())
        m_watcher->setFuture(summarizeTensor(m_checkpoint, m_tensor));
}

void TensorDetailsWidget::setFreezeState(const ckpt::FreezeState *freeze)
{
    m_freeze = freeze;
    refreshFreeze();
}

void TensorDetailsWidget::refreshFreeze()
{
    if (!m_checkpoint || m_tensor < 0)
        return;
    const ckpt::TensorInfo &t = m_checkpoint->tensors()[static_cast<std::size_t>(m_tensor)];
    if (!t.inModelState)
        m_grad->setText(tr("no: outside the model state"));
    else if (!t.isParameter)
        m_grad->setText(tr("no: a buffer"));
    else if (m_freeze && m_freeze->isFrozen(t))
        m_grad->setText(tr("no: frozen (requires_grad=False)"));
    else
        m_grad->setText(tr("yes: a trainable parameter"));
}

void TensorDetailsWidget::showSummary(const TensorSummary &s)
{
    if (!s.error.isEmpty()) {
        m_stats->setText(tr("not available: %1").arg(s.error));
        return;
    }
    const auto &st = s.stats;
    if (st.count == 0) {
        m_stats->setText(tr("no elements"));
        return;
    }
    if (st.finite == 0)
        m_stats->setText(tr("no finite values"));
    else
        m_stats->setText((st.dequantized ? tr("dequantized: mean %1, std %2, min %3, max %4") : tr("mean %1, std %2, min %3, max %4"))
                             .arg(fmt(st.mean), fmt(st.std), fmt(st.min), fmt(st.max)));
    m_special->setText(tr("%1 NaN, %2 +Inf, %3 -Inf, %4 zeros").arg(st.nan).arg(st.posInf).arg(st.negInf).arg(st.zeros));

    if (!s.histogram.counts.empty()) {
        auto *set = new QBarSet(tr("count"));
        std::uint64_t top = 0;
        for (const auto c : s.histogram.counts) {
            *set << static_cast<double>(c);
            top = std::max(top, c);
        }
        set->setColor(QColor(0x3b, 0x75, 0xaf));
        set->setBorderColor(QColor(0x3b, 0x75, 0xaf));
        auto *series = new QBarSeries;
        series->setBarWidth(1.0);
        series->append(set);
        m_chart->addSeries(series);
        auto *x = new QValueAxis;
        x->setRange(s.histogram.min, s.histogram.max);
        x->setLabelFormat(QStringLiteral("%.3g"));
        x->setTickCount(5);
        auto *bins = new QBarCategoryAxis;
        for (std::size_t i = 0; i < s.histogram.counts.size(); ++i)
            bins->append(QString::number(i));
        bins->setVisible(false);
        auto *y = new QValueAxis;
        y->setRange(0, static_cast<double>(top));
        y->setLabelFormat(QStringLiteral("%d"));
        y->setTickCount(3);
        m_chart->addAxis(bins, Qt::AlignBottom);
        m_chart->addAxis(x, Qt::AlignBottom);
        m_chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(bins);
        series->attachAxis(y);
        m_chart->setTitle(tr("Histogram of %1 finite values").arg(QString::fromStdString(ckpt::groupThousands(st.finite))));
    }
    QStringList values;
    for (const double v : s.firstValues)
        values << fmt(v);
    m_values->setPlainText(values.join(QStringLiteral("  ")));
}

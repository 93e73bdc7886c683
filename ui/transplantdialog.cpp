// SPDX-License-Identifier: MIT
#include "transplantdialog.h"

#include "appsettings.h"
#include "checkpointfiles.h"
#include "colourswatch.h"
#include "errorbox.h"
#include "format/error.h"
#include "modelstate.h"
#include "savejob.h"
#include "transplantreportmodel.h"
#include "transplantstatusstyle.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

using ckpt::TransplantStatus;
using Side = TransplantPlanner::Side;

namespace {
// Prefixes that wrappers and trainers put before parameter names.
const char *const kCommonPrefixes[] = {"module.", "_orig_mod.", "model.", "backbone.", "encoder.", "net.", "state_dict."};

QStringList splitList(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
}

QComboBox *prefixCombo(QWidget *parent, const QString &tooltip)
{
    auto *combo = new QComboBox(parent);
    combo->setEditable(true);
    combo->addItem(QString());
    for (const char *p : kCommonPrefixes)
        combo->addItem(QString::fromLatin1(p));
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setToolTip(tooltip);
    combo->lineEdit()->setPlaceholderText(QCoreApplication::translate("TransplantDialog", "none"));
    combo->setMinimumContentsLength(12);
    return combo;
}

QString stateLabel(const std::string &path)
{
    return path.empty() ? QCoreApplication::translate("TransplantDialog", "top level") : QString::fromStdString(path);
}
} // namespace

TransplantDialog::TransplantDialog(QWidget *parent)
    : QDialog(parent)
    , m_planner(new TransplantPlanner(this))
    , m_model(new TransplantReportModel(this))
{
    setWindowTitle(tr("Transplant Weights — Checkpoint Studio"));
    setAcceptDrops(true);
    createWidgets();
    connect(m_planner, &TransplantPlanner::opened, this, &TransplantDialog::onOpened);
    connect(m_planner, &TransplantPlanner::openFailed, this, &TransplantDialog::onOpenFailed);
    connect(m_planner, &TransplantPlanner::planned, this, &TransplantDialog::onPlanned);
    connect(m_planner, &TransplantPlanner::planFailed, this, &TransplantDialog::onPlanFailed);
    connect(m_planner, &TransplantPlanner::progress, this, [this](int percent) { m_progress->setValue(percent); });
    // Shown for exactly as long as a side is being read: the reads end in many ways (read, failed,
    // cancelled, superseded by the open checkpoint), and planning after them is not reading.
    connect(m_planner, &TransplantPlanner::readingChanged, this, [this](bool reading) {
        if (reading)
            m_progress->setValue(0);
        m_progress->setVisible(reading);
        m_cancel->setVisible(reading);
    });
    resize(1180, 820);
    appsettings::restoreWindow(this, QStringLiteral("transplant"));
    updateSummary();
    updateWriteButton();
}

TransplantDialog::~TransplantDialog()
{
    // Accept and reject close a dialog without a close event: the destructor sees every way out.
    appsettings::saveWindow(this, QStringLiteral("transplant"));
}

QLineEdit *TransplantDialog::stripEdit() const
{
    return m_strip->lineEdit();
}

QLineEdit *TransplantDialog::addEdit() const
{
    return m_add->lineEdit();
}

void TransplantDialog::createWidgets()
{
    auto *layout = new QVBoxLayout(this);

    // The two checkpoints.
    auto *files = new QGroupBox(tr("Checkpoints"), this);
    auto *fileGrid = new QGridLayout(files);
    const QString titles[2] = {tr("Source (pretrained):"), tr("Target (new model):")};
    const QString hints[2] = {tr("The checkpoint whose weights are copied — choose, or drop a file here"),
        tr("The checkpoint that receives them: its names, shapes, dtypes and format are kept")};
    for (const Side side : {Side::Source, Side::Target}) {
        const int row = side;
        auto *path = new QLineEdit(files);
        path->setPlaceholderText(hints[side]);
        path->setClearButtonEnabled(false);
        m_paths[side] = path;
        connect(path, &QLineEdit::returnPressed, this, [this, side] { openSide(side, m_paths[side]->text()); });
        auto *browse = new QPushButton(tr("Browse…"), files);
        browse->setAutoDefault(false); // Enter in the path field opens the typed path, not a file dialog
        m_browse[side] = browse;
        connect(browse, &QPushButton::clicked, this, [this, side] { chooseSide(side); });
        auto *state = new QComboBox(files);
        state->setToolTip(tr("Where the model's state is inside the checkpoint (found automatically)"));
        state->setMinimumContentsLength(14);
        state->setEnabled(false);
        m_states[side] = state;
        connect(state, &QComboBox::activated, this,
            [this, side](int i) { m_planner->open(side, m_paths[side]->text(), m_states[side]->itemData(i).toString().toStdString()); });
        auto *info = new QLabel(files);
        info->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_sideInfo[side] = info;
        fileGrid->addWidget(new QLabel(titles[side], files), row, 0);
        fileGrid->addWidget(path, row, 1);
        fileGrid->addWidget(browse, row, 2);
        fileGrid->addWidget(new QLabel(tr("Model state:"), files), row, 3);
        fileGrid->addWidget(state, row, 4);
        fileGrid->addWidget(info, row, 5);
    }
    fileGrid->setColumnStretch(1, 3);
    fileGrid->setColumnStretch(5, 1);
    layout->addWidget(files);

    // The rules, applied to the source's names in this order.
    auto *rulesBox = new QGroupBox(tr("Rules for the source's names (applied in order: prefixes, renames, include / exclude, first N)"), this);
    auto *grid = new QGridLayout(rulesBox);
    m_strip = prefixCombo(rulesBox, tr("Removed from the start of the source's names (several: separate with commas)"));
    m_add = prefixCombo(rulesBox, tr("Put before every source name (e.g. backbone. when the target embeds the model)"));
    m_first = new QSpinBox(rulesBox);
    m_first->setRange(0, 10'000'000);
    m_first->setSpecialValueText(tr("all"));
    m_first->setToolTip(tr("Only the first N source tensors that the other rules leave, in the source's order (0: all)"));
    m_include = new QLineEdit(rulesBox);
    m_include->setPlaceholderText(tr("globs, e.g. layer1.* layer2.*  (empty: everything)"));
    m_exclude = new QLineEdit(rulesBox);
    m_exclude->setPlaceholderText(tr("globs, e.g. fc.* classifier.*"));
    m_renames = new QPlainTextEdit(rulesBox);
    m_renames->setPlaceholderText(tr("One rename per line, REGEX=REPLACEMENT with \\1 for groups, e.g.  ^encoder\\.layer\\.(\\d+)=blocks.\\1"));
    m_renames->setTabChangesFocus(true);
    m_renames->setFixedHeight(m_renames->fontMetrics().lineSpacing() * 3 + 12);
    grid->addWidget(new QLabel(tr("Strip prefix:"), rulesBox), 0, 0);
    grid->addWidget(m_strip, 0, 1);
    grid->addWidget(new QLabel(tr("Add prefix:"), rulesBox), 0, 2);
    grid->addWidget(m_add, 0, 3);
    grid->addWidget(new QLabel(tr("First N tensors:"), rulesBox), 0, 4);
    grid->addWidget(m_first, 0, 5);
    grid->addWidget(new QLabel(tr("Include:"), rulesBox), 1, 0);
    grid->addWidget(m_include, 1, 1);
    grid->addWidget(new QLabel(tr("Exclude:"), rulesBox), 1, 2);
    grid->addWidget(m_exclude, 1, 3, 1, 3);
    grid->addWidget(new QLabel(tr("Renames:"), rulesBox), 2, 0, Qt::AlignTop);
    grid->addWidget(m_renames, 2, 1, 1, 5);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    m_ruleError = new QLabel(rulesBox);
    m_ruleError->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_ruleError->setWordWrap(true);
    m_ruleError->hide();
    grid->addWidget(m_ruleError, 3, 0, 1, 6);
    layout->addWidget(rulesBox);

    m_rulesTimer = new QTimer(this);
    m_rulesTimer->setSingleShot(true);
    m_rulesTimer->setInterval(150);
    connect(m_rulesTimer, &QTimer::timeout, this, &TransplantDialog::applyRules);
    for (QComboBox *c : {m_strip, m_add})
        connect(c, &QComboBox::currentTextChanged, this, &TransplantDialog::rulesEdited);
    for (QLineEdit *e : {m_include, m_exclude})
        connect(e, &QLineEdit::textChanged, this, &TransplantDialog::rulesEdited);
    connect(m_renames, &QPlainTextEdit::textChanged, this, &TransplantDialog::rulesEdited);
    connect(m_first, &QSpinBox::valueChanged, this, &TransplantDialog::rulesEdited);

    m_suggestion = new QLabel(this);
    m_suggestion->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; border: 1px solid #e6c77a; padding: 4px; }"));
    m_suggestion->setTextFormat(Qt::RichText);
    m_suggestion->hide();
    connect(m_suggestion, &QLabel::linkActivated, this, [this] {
        if (!m_plan || !m_plan->report.suggestion)
            return;
        const auto &s = *m_plan->report.suggestion;
        const QString prefix = QString::fromStdString(s.prefix);
        if (s.sideA) {
            const QString now = m_strip->currentText().trimmed();
            m_strip->setEditText(now.isEmpty() ? prefix : now + QStringLiteral(", ") + prefix);
        } else {
            m_add->setEditText(prefix + m_add->currentText().trimmed());
        }
        applyRules();
    });
    layout->addWidget(m_suggestion);

    // The report: a legend that filters by status, a name filter, the table.
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show:"), this));
    for (std::size_t i = 0; i < ckpt::kTransplantStatusCount; ++i) {
        const auto s = static_cast<TransplantStatus>(i);
        QToolButton *b = legendButton(this, transplantstyle::swatch(s), transplantstyle::description(s));
        m_statusButtons[i] = b;
        filters->addWidget(b);
        connect(b, &QToolButton::toggled, this, &TransplantDialog::applyStatusButtons);
    }
    filters->addSpacing(12);
    m_nameFilter = new QLineEdit(this);
    m_nameFilter->setPlaceholderText(tr("Filter names (glob or text)   Ctrl+F"));
    m_nameFilter->setClearButtonEnabled(true);
    filters->addWidget(m_nameFilter, 1);
    layout->addLayout(filters);
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150);
    connect(m_nameFilter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this, [this] {
        ParameterFilter filter;
        filter.set(m_nameFilter->text(), ParameterFilter::Mode::Glob);
        m_model->setNameFilter(std::move(filter));
        updateSummary();
    });
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this] {
        m_nameFilter->setFocus();
        m_nameFilter->selectAll();
    });

    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setResizeContentsPrecision(400); // sizing to contents samples rows: 100k must stay quick
    layout->addWidget(m_table, 1);

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    // Where the result goes.
    auto *outputBox = new QGroupBox(tr("Output"), this);
    auto *out = new QGridLayout(outputBox);
    m_output = new QLineEdit(outputBox);
    m_output->setPlaceholderText(tr("The target with the copied weights, written in the target's format"));
    connect(m_output, &QLineEdit::textEdited, this, [this] {
        m_outputEdited = true;
        updateWriteButton();
    });
    // The result opens with the frozen_layers.json beside it: the list follows the output's folder.
    connect(m_output, &QLineEdit::textChanged, this, [this](const QString &output) {
        if (!m_freezePathChosen && !output.trimmed().isEmpty())
            m_freezePath->setText(QFileInfo(output.trimmed()).absolutePath() + QStringLiteral("/frozen_layers.json")); // untranslated: a file name
    });
    auto *outputBrowse = new QPushButton(tr("Browse…"), outputBox);
    outputBrowse->setAutoDefault(false);
    connect(outputBrowse, &QPushButton::clicked, this, &TransplantDialog::chooseOutput);
    m_freeze = new QComboBox(outputBox);
    m_freeze->addItem(tr("No freeze list"), static_cast<int>(ckpt::TransplantFreeze::None));
    m_freeze->addItem(tr("Freeze the copied parameters"), static_cast<int>(ckpt::TransplantFreeze::Copied));
    m_freeze->addItem(tr("Freeze everything not copied"), static_cast<int>(ckpt::TransplantFreeze::Rest));
    m_freeze->setToolTip(tr("Also write a frozen_layers.json: fine-tune only the new layers, or only the transplanted ones"));
    m_freezePath = new QLineEdit(outputBox);
    m_freezePath->setPlaceholderText(tr("frozen_layers.json"));
    connect(m_freezePath, &QLineEdit::textEdited, this, [this] { m_freezePathChosen = true; });
    m_freezeBrowse = new QPushButton(tr("Browse…"), outputBox);
    m_freezeBrowse->setAutoDefault(false);
    connect(m_freezeBrowse, &QPushButton::clicked, this, &TransplantDialog::chooseFreezePath);
    auto freezeEnabled = [this] {
        const bool on = m_freeze->currentData().toInt() != static_cast<int>(ckpt::TransplantFreeze::None);
        m_freezePath->setEnabled(on);
        m_freezeBrowse->setEnabled(on);
    };
    connect(m_freeze, &QComboBox::currentIndexChanged, this, freezeEnabled);
    freezeEnabled();
    m_openResult = new QCheckBox(tr("Open the result when written"), outputBox);
    m_openResult->setChecked(true);
    out->addWidget(new QLabel(tr("Write to:"), outputBox), 0, 0);
    out->addWidget(m_output, 0, 1, 1, 3);
    out->addWidget(outputBrowse, 0, 4);
    out->addWidget(m_freeze, 1, 0, 1, 2);
    out->addWidget(m_freezePath, 1, 2, 1, 2);
    out->addWidget(m_freezeBrowse, 1, 4);
    out->addWidget(m_openResult, 2, 0, 1, 3);
    out->setColumnStretch(1, 1);
    out->setColumnStretch(3, 2);
    layout->addWidget(outputBox);

    auto *buttons = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel Reading"), this);
    m_cancel->setAutoDefault(false); // appears while reading: Enter in a field must not cancel the read just started
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, m_planner, &TransplantPlanner::cancel);
    buttons->addWidget(m_progress);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    m_write = new QPushButton(tr("&Write Output"), this);
    m_write->setToolTip(tr("Write the target with the copied weights (Ctrl+Return)"));
    m_write->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_write->setAutoDefault(false);
    connect(m_write, &QPushButton::clicked, this, [this] {
        if (confirmOverwrites())
            writeOutput();
    });
    auto *close = new QPushButton(tr("Close"), this);
    close->setAutoDefault(false);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    buttons->addWidget(m_write);
    buttons->addWidget(close);
    layout->addLayout(buttons);
}

void TransplantDialog::openSource(const QString &path)
{
    openSide(Side::Source, path);
}

void TransplantDialog::openTarget(const QString &path)
{
    openSide(Side::Target, path);
}

void TransplantDialog::setTarget(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    m_planner->setCheckpoint(Side::Target, std::move(checkpoint));
}

void TransplantDialog::setOutputPaths(const QString &output, const QString &freezeList)
{
    m_output->setText(output);
    if (!freezeList.isEmpty()) {
        m_freezePath->setText(freezeList);
        m_freezePathChosen = true;
    }
    m_outputEdited = true;
    updateWriteButton();
}

void TransplantDialog::openSide(Side side, const QString &path)
{
    if (path.trimmed().isEmpty())
        return;
    m_paths[side]->setText(path);
    m_sideInfo[side]->setText(tr("reading…"));
    m_planner->open(side, path);
    updateWriteButton();
}

void TransplantDialog::chooseSide(Side side)
{
    const QString path = chooseCheckpoint(this, side == Side::Source ? tr("Choose the Source (Pretrained) Checkpoint") : tr("Choose the Target Checkpoint"));
    if (!path.isEmpty())
        openSide(side, path);
}

void TransplantDialog::chooseOutput()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Write the Result As"), m_output->text());
    if (path.isEmpty())
        return;
    m_output->setText(path);
    m_outputEdited = true;
    updateWriteButton();
}

void TransplantDialog::chooseFreezePath()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Write the Freeze List As"), m_freezePath->text(), tr("Freeze lists (*.json)"));
    if (path.isEmpty())
        return;
    m_freezePath->setText(path);
    m_freezePathChosen = true;
}

ckpt::TransplantRules TransplantDialog::rules() const
{
    ckpt::TransplantRules r;
    for (const QString &p : splitList(m_strip->currentText()))
        r.keys.stripPrefixes.push_back(p.toStdString());
    r.keys.addPrefix = m_add->currentText().trimmed().toStdString();
    for (const QString &line : m_renames->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            r.keys.renames.push_back(ckpt::RenameRule::parse(line.trimmed().toStdString()));
    }
    for (const QString &g : splitList(m_include->text()))
        r.include.push_back(g.toStdString());
    for (const QString &g : splitList(m_exclude->text()))
        r.exclude.push_back(g.toStdString());
    if (m_first->value() > 0)
        r.first = static_cast<std::size_t>(m_first->value());
    return r;
}

void TransplantDialog::rulesEdited()
{
    m_rulesTimer->start();
}

void TransplantDialog::applyRules()
{
    m_rulesTimer->stop();
    try {
        m_planner->setRules(rules());
        m_ruleError->hide();
    } catch (const ckpt::Error &e) {
        onPlanFailed(QString::fromStdString(e.what()));
    }
}

void TransplantDialog::setStatusFilter(unsigned mask)
{
    for (std::size_t i = 0; i < ckpt::kTransplantStatusCount; ++i) {
        QSignalBlocker block(m_statusButtons[i]);
        m_statusButtons[i]->setChecked(mask & transplantstyle::bit(static_cast<TransplantStatus>(i)));
    }
    applyStatusButtons();
}

void TransplantDialog::applyStatusButtons()
{
    unsigned mask = 0;
    for (std::size_t i = 0; i < ckpt::kTransplantStatusCount; ++i)
        if (m_statusButtons[i]->isChecked())
            mask |= transplantstyle::bit(static_cast<TransplantStatus>(i));
    m_model->setStatusFilter(mask);
    updateSummary();
}

void TransplantDialog::onOpened(Side side, const QString &path)
{
    const auto checkpoint = m_planner->checkpoint(side);
    m_paths[side]->setText(path);
    QComboBox *state = m_states[side];
    state->clear();
    for (const std::string &candidate : ckpt::modelStateCandidates(checkpoint->raw()))
        state->addItem(stateLabel(candidate), QString::fromStdString(candidate));
    const QString current = QString::fromStdString(checkpoint->modelState().path);
    if (state->findData(current) < 0 && checkpoint->modelState().found())
        state->addItem(stateLabel(checkpoint->modelState().path), current);
    state->setCurrentIndex(state->findData(current));
    state->setEnabled(state->count() > 1);
    std::size_t tensors = 0;
    for (const auto &t : checkpoint->tensors())
        tensors += t.inModelState;
    m_sideInfo[side]->setText(checkpoint->modelState().found()
            ? tr("%1 tensors, %2").arg(tensors).arg(QString::fromLatin1(ckpt::formatName(checkpoint->format())))
            : tr("no model state found"));
    if (side == Side::Target)
        suggestOutputPaths();
}

void TransplantDialog::onOpenFailed(Side side, const QString &path, const QString &message)
{
    const auto previous = m_planner->checkpoint(side);
    m_paths[side]->setText(previous ? QString::fromStdString(previous->path()) : QString());
    m_sideInfo[side]->setText(previous ? m_sideInfo[side]->text() : QString());
    if (message.isEmpty())
        return;
    showErrorBox(this, tr("Cannot open %1").arg(QFileInfo(path).fileName()), message);
}

void TransplantDialog::suggestOutputPaths()
{
    const auto target = m_planner->checkpoint(Side::Target);
    if (!target || m_outputEdited)
        return;
    const QFileInfo in(QString::fromStdString(target->path()));
    QString suffix = in.suffix();
    if (target->format() == ckpt::Format::Sharded || suffix == QLatin1String("json") || suffix == QLatin1String("gz") || suffix.isEmpty())
        suffix = target->format() == ckpt::Format::Sharded ? QStringLiteral("safetensors") : QStringLiteral("pt");
    m_output->setText(in.absolutePath() + QLatin1Char('/') + in.completeBaseName().section(QLatin1Char('.'), 0, 0) + QStringLiteral("_transplanted.") + suffix);
}

void TransplantDialog::onPlanned(std::shared_ptr<const TransplantPlan> plan)
{
    m_plan = std::move(plan);
    m_ruleError->hide();
    m_model->setPlan(m_plan);
    resizeColumns();
    const auto &report = m_plan->report;
    for (std::size_t i = 0; i < ckpt::kTransplantStatusCount; ++i)
        m_statusButtons[i]->setText(QStringLiteral("%1 (%2)").arg(transplantstyle::label(static_cast<TransplantStatus>(i))).arg(report.tensors[i]));
    if (const auto &s = report.suggestion) {
        m_suggestion->setText((s->sideA ? tr("%1 unexpected names match missing ones after stripping <b>%2</b> from the source's names.")
                                        : tr("%1 unexpected names match missing ones after adding <b>%2</b> to the source's names."))
                                  .arg(s->wouldPair)
                                  .arg(QString::fromStdString(s->prefix).toHtmlEscaped())
            + QStringLiteral(" <a href=\"apply\">%1</a>").arg(s->sideA ? tr("Strip it") : tr("Add it"))); // untranslated: markup
        m_suggestion->show();
    } else {
        m_suggestion->hide();
    }
    updateSummary();
    updateWriteButton();
}

void TransplantDialog::resizeColumns()
{
    for (int c = 0; c < TransplantReportModel::NoteColumn; ++c) // the note is last and takes the rest
        m_table->resizeColumnToContents(c);
    // Very long names would push the shapes and the note out of sight: cap the two name columns.
    const int cap = std::max(200, m_table->viewport()->width() / 4);
    for (const int c : {int(TransplantReportModel::NameColumn), int(TransplantReportModel::SourceNameColumn)})
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), cap));
}

void TransplantDialog::onPlanFailed(const QString &message)
{
    m_plan.reset();
    m_model->setPlan(nullptr);
    m_ruleError->setText(message);
    m_ruleError->show();
    m_suggestion->hide();
    updateSummary();
    updateWriteButton();
}

void TransplantDialog::updateSummary()
{
    if (!m_plan) {
        m_summary->setText(m_ruleError->isVisible() ? tr("Fix the rules to see the report.")
                                                    : tr("Choose a source and a target checkpoint (or drop them here) to see what would be copied."));
        return;
    }
    const auto &r = m_plan->report;
    const QLocale locale;
    const std::uint64_t targetElements = r.elements[0] + r.elements[1] + r.elements[2];
    const double share = targetElements ? 100.0 * static_cast<double>(r.elements[0]) / static_cast<double>(targetElements) : 0.0;
    QString text = tr("%1 of %2 target tensors would be copied (%3 of %4 elements, %5 %); %6 shape mismatch, %7 missing in source. "
                      "Source: %8 unexpected, %9 left out by rules.")
                       .arg(r.count(TransplantStatus::Copied))
                       .arg(r.count(TransplantStatus::Copied) + r.count(TransplantStatus::ShapeMismatch) + r.count(TransplantStatus::Missing))
                       .arg(locale.toString(static_cast<qulonglong>(r.elements[0])))
                       .arg(locale.toString(static_cast<qulonglong>(targetElements)))
                       .arg(std::floor(share * 10) / 10, 0, 'f', 1) // never 100 % unless everything is
                       .arg(r.count(TransplantStatus::ShapeMismatch))
                       .arg(r.count(TransplantStatus::Missing))
                       .arg(r.count(TransplantStatus::Unexpected))
                       .arg(r.count(TransplantStatus::Skipped));
    if (r.casts)
        text += QLatin1Char(' ') + tr("%1 are cast to the target's dtype.").arg(r.casts);
    text += QLatin1Char(' ') + tr("%1 rows shown.").arg(m_model->rowCount());
    m_summary->setText(text);
}

void TransplantDialog::updateWriteButton()
{
    const bool copies = m_plan && m_plan->report.count(TransplantStatus::Copied) > 0;
    m_write->setEnabled(copies && !m_output->text().trimmed().isEmpty());
    m_write->setToolTip(copies ? tr("Write the target with the copied weights (Ctrl+Return)") : tr("Nothing matches by name and shape yet: adjust the rules"));
}

bool TransplantDialog::confirmOverwrites()
{
    QStringList existing;
    if (QFileInfo::exists(m_output->text().trimmed()))
        existing << m_output->text().trimmed();
    if (m_freeze->currentData().toInt() != static_cast<int>(ckpt::TransplantFreeze::None) && QFileInfo::exists(m_freezePath->text().trimmed()))
        existing << m_freezePath->text().trimmed();
    if (existing.isEmpty())
        return true;
    return QMessageBox::question(this, tr("Replace existing files?"), tr("These files exist and would be replaced:\n%1").arg(existing.join(QLatin1Char('\n'))))
        == QMessageBox::Yes;
}

bool TransplantDialog::writeOutput()
{
    // Rules typed in the last 150 ms are planned first, so what is written is what the rules say.
    if (m_rulesTimer->isActive())
        applyRules();
    if (!m_plan || m_planner->isBusy()) {
        showErrorBox(this, tr("Not ready"), tr("The report is still being updated; try again in a moment."));
        return false;
    }
    const QString output = m_output->text().trimmed();
    const auto which = static_cast<ckpt::TransplantFreeze>(m_freeze->currentData().toInt());
    const QString freezePath = m_freezePath->text().trimmed();
    if (which != ckpt::TransplantFreeze::None && freezePath.isEmpty()) {
        showErrorBox(this, tr("No freeze list file"), tr("Choose where to write the freeze list, or choose “No freeze list”."));
        return false;
    }
    const auto plan = m_plan;
    std::size_t frozen = 0;
    const SaveJobResult result = runSaveJob(this, tr("Writing %1 …").arg(QFileInfo(output).fileName()), [&](const ckpt::Progress &progress) {
        ckpt::SaveOptions options;
        options.progress = &progress;
        frozen = ckpt::writeTransplant(plan->report, *plan->source, *plan->target, output.toStdString(), options, {which, freezePath.toStdString()})
                     .frozenParameters;
    });
    if (result.cancelled) {
        m_summary->setText(tr("Writing cancelled; nothing was written."));
        return false;
    }
    if (!result.ok()) {
        showErrorBox(this, tr("Cannot write the result"), result.error);
        return false;
    }
    QString done = tr("Wrote %1 with %2 copied tensors.").arg(output).arg(plan->report.count(TransplantStatus::Copied));
    if (which != ckpt::TransplantFreeze::None)
        done += QLatin1Char(' ') + tr("Wrote %1 with %2 frozen parameters.").arg(freezePath).arg(frozen);
    m_summary->setText(done);
    emit written(output);
    if (m_openResult->isChecked()) {
        emit openRequested(output);
        accept();
    }
    return true;
}

void TransplantDialog::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void TransplantDialog::dropEvent(QDropEvent *event)
{
    const QStringList files = droppedFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    if (files.size() >= 2) {
        openSide(Side::Source, files[0]);
        openSide(Side::Target, files[1]);
        return;
    }
    // One file fills the side that is still empty (the source first); with both set it replaces the source.
    const bool targetEmpty = !m_planner->checkpoint(Side::Target) && m_paths[Side::Target]->text().isEmpty();
    const bool sourceEmpty = !m_planner->checkpoint(Side::Source) && m_paths[Side::Source]->text().isEmpty();
    openSide(!sourceEmpty && targetEmpty ? Side::Target : Side::Source, files.front());
}

void TransplantDialog::closeEvent(QCloseEvent *event)
{
    m_planner->cancel();
    QDialog::closeEvent(event);
}

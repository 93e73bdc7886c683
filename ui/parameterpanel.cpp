// SPDX-License-Identifier: MIT
#include "parameterpanel.h"

#include "appsettings.h"
#include "checkpoint.h"
#include "checkpointdocument.h"
#include "errorbox.h"
#include "freezestate.h"
#include "inspectreport.h"
#include "parameterfilter.h"
#include "parametertree.h"
#include "parametertreemodel.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

ParameterPanel::ParameterPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ParameterTreeModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter parameters (glob: layer1.*  or text)   Ctrl+F"));
    m_filter->setClearButtonEnabled(true);
    m_filterMode = new QComboBox(this);
    m_filterMode->addItem(tr("Glob"));
    m_filterMode->addItem(tr("Regex"));
    m_freezeMatching = new QAction(tr("Freeze matching"), this);
    m_freezeMatching->setToolTip(tr("Freeze every parameter the filter matches"));
    connect(m_freezeMatching, &QAction::triggered, this, [this] { setMatchingFrozen(true); });
    m_unfreezeMatching = new QAction(tr("Unfreeze matching"), this);
    m_unfreezeMatching->setToolTip(tr("Unfreeze every parameter the filter matches"));
    connect(m_unfreezeMatching, &QAction::triggered, this, [this] { setMatchingFrozen(false); });
    auto *freezeButton = new QToolButton(this);
    freezeButton->setDefaultAction(m_freezeMatching);
    auto *unfreezeButton = new QToolButton(this);
    unfreezeButton->setDefaultAction(m_unfreezeMatching);
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_filterMode);
    filterRow->addWidget(freezeButton);
    filterRow->addWidget(unfreezeButton);
    layout->addLayout(filterRow);
    m_filterError = new QLabel(this);
    m_filterError->setStyleSheet(QStringLiteral("color: #b00020")); // untranslated: a style
    m_filterError->hide();
    layout->addWidget(m_filterError);

    m_tree = new QTreeView(this);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true); // keeps 100,000 rows smooth
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->installEventFilter(this);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ParameterTreeModel::Name, QHeaderView::Interactive);
    layout->addWidget(m_tree, 1);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &ParameterPanel::contextMenu);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { emit currentTensorChanged(current.isValid() ? current.data(ParameterTreeModel::TensorIndexRole).toInt() : -1); });

    // Typing is collected for a moment: refiltering 100,000 names on every key would lag.
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150);
    connect(m_filterTimer, &QTimer::timeout, this, &ParameterPanel::applyFilter);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterMode, &QComboBox::currentIndexChanged, this, &ParameterPanel::applyFilter);
    updateFilterActions();
}

void ParameterPanel::setDocument(CheckpointDocument *document, ParameterTree tree)
{
    m_document = document;
    m_model->setDocument(document, std::move(tree));
    if (document) {
        m_tree->expandToDepth(0);
        sizeColumns();
    }
    updateFilterActions();
    applyFilter();
}

bool ParameterPanel::filterIsValid() const
{
    return m_filterError->text().isEmpty();
}

void ParameterPanel::updateFilterActions()
{
    // A pattern that does not compile matches nothing; the tree still shows the last valid one's rows.
    const bool enabled = m_document && filterIsValid();
    m_freezeMatching->setEnabled(enabled);
    m_unfreezeMatching->setEnabled(enabled);
}

void ParameterPanel::sizeColumns()
{
    // Widths from all tensors, not just the rows visible now (most are still collapsed).
    const auto &c = m_document->checkpoint();
    const QFontMetrics fm = m_tree->fontMetrics();
    int shapeWidth = fm.horizontalAdvance(tr("Shape")), dtypeWidth = fm.horizontalAdvance(tr("Dtype"));
    int paramsWidth = fm.horizontalAdvance(tr("Parameters")), sizeWidth = fm.horizontalAdvance(QStringLiteral("1023.9 MiB")); // untranslated: a width sample
    // Measuring 100,000 strings takes half a second: measure the longest few shapes and each dtype once.
    std::vector<std::string> longestShapes;
    std::set<ckpt::DType> dtypes;
    for (const auto &t : c.tensors()) {
        dtypes.insert(t.dtype());
        std::string text = ckpt::shapeText(t.shape());
        if (longestShapes.size() < 8 || text.size() > longestShapes.back().size()) {
            longestShapes.push_back(std::move(text));
            std::sort(longestShapes.begin(), longestShapes.end(), [](const auto &a, const auto &b) { return a.size() > b.size(); });
            if (longestShapes.size() > 8)
                longestShapes.pop_back();
        }
    }
    for (const auto &text : longestShapes)
        shapeWidth = std::max(shapeWidth, fm.horizontalAdvance(QString::fromStdString(text)));
    for (const auto dt : dtypes)
        dtypeWidth = std::max(dtypeWidth, fm.horizontalAdvance(QString::fromLatin1(ckpt::dtypeName(dt))));
    paramsWidth
        = std::max(paramsWidth, fm.horizontalAdvance(QString::fromStdString(ckpt::groupThousands(m_document->freeze().totalElements())) + QStringLiteral("0")));
    const int pad = 18;
    m_tree->setColumnWidth(ParameterTreeModel::Name, appsettings::columnWidth(QStringLiteral("mainTreeName"), 230));
    m_tree->setColumnWidth(ParameterTreeModel::Frozen, fm.horizontalAdvance(tr("Frozen")) + pad);
    m_tree->setColumnWidth(ParameterTreeModel::Shape, std::min(shapeWidth, 260) + pad);
    m_tree->setColumnWidth(ParameterTreeModel::DType, dtypeWidth + pad);
    m_tree->setColumnWidth(ParameterTreeModel::Parameters, paramsWidth + pad);
    m_tree->setColumnWidth(ParameterTreeModel::Size, sizeWidth + pad);
    for (int col = ParameterTreeModel::Mean; col <= ParameterTreeModel::Max; ++col)
        m_tree->setColumnWidth(col, fm.horizontalAdvance(QStringLiteral("-0.0001234")) + pad);
}

int ParameterPanel::nameColumnWidth() const
{
    return m_tree->columnWidth(ParameterTreeModel::Name);
}

void ParameterPanel::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void ParameterPanel::applyFilter()
{
    m_filterTimer->stop();
    ParameterFilter filter;
    const auto mode = m_filterMode->currentIndex() == 1 ? ParameterFilter::Mode::Regex : ParameterFilter::Mode::Glob;
    const QString error = filter.set(m_filter->text(), mode);
    m_filterError->setVisible(!error.isEmpty());
    m_filterError->setText(error);
    updateFilterActions();
    if (!error.isEmpty() || (filter.pattern() == m_model->filter().pattern() && filter.mode() == m_model->filter().mode()))
        return;
    m_model->setFilter(filter);
    if (!filter.isEmpty() && m_model->rowCount() > 0 && m_model->tree().nodes.size() < 5000)
        m_tree->expandAll(); // show the matches when that stays cheap
    else
        m_tree->expandToDepth(0);
}

void ParameterPanel::setMatchingFrozen(bool frozen)
{
    if (!m_document)
        return;
    applyFilter(); // what is typed counts, even before the view caught up
    if (!filterIsValid())
        return; // an invalid pattern matches nothing: the actions are disabled, and a stale filter must not act
    const ParameterFilter &filter = m_model->filter();
    if (filter.isEmpty()) {
        showErrorBox(window(), tr("No filter"), tr("Type a glob (layer1.*) or a regular expression in the filter first."));
        return;
    }
    const std::size_t matched = m_document->setMatchingFrozen(filter, frozen);
    emit message(tr("%1 parameters match '%2'").arg(matched).arg(m_filter->text()), 4000);
    // Ctrl+Z in the filter box would undo its text: after a freeze, the next Ctrl+Z is for the freeze.
    m_tree->setFocus(Qt::ShortcutFocusReason);
}

void ParameterPanel::toggleCurrentFreeze()
{
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid() || !m_document)
        return;
    const QModelIndex check = current.siblingAtColumn(ParameterTreeModel::Frozen);
    if (!check.data(ParameterTreeModel::FreezableRole).toBool())
        return;
    const auto state = static_cast<Qt::CheckState>(check.data(Qt::CheckStateRole).toInt());
    m_model->setData(check, state == Qt::Checked ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

void ParameterPanel::selectTensor(int tensor)
{
    const QModelIndex index = m_model->indexOfTensor(tensor);
    if (!index.isValid())
        return; // filtered out, or no such tensor
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->scrollTo(index);
    m_tree->setCurrentIndex(index);
}

bool ParameterPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tree && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier) {
            toggleCurrentFreeze();
            return true;
        }
        if (key->matches(QKeySequence::Copy)) { // the view's own copy takes the leaf's text ("weight")
            copyName(m_tree->currentIndex());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString ParameterPanel::fullName(const QModelIndex &index) const
{
    if (!index.isValid() || !m_document)
        return {};
    const int tensor = index.data(ParameterTreeModel::TensorIndexRole).toInt();
    if (tensor < 0)
        return index.data(ParameterTreeModel::PathRole).toString();
    const ckpt::TensorInfo &t = m_document->checkpoint().tensors()[static_cast<std::size_t>(tensor)];
    return QString::fromStdString(t.inModelState ? t.modelName : t.name); // as model.state_dict() names it
}

void ParameterPanel::copyName(const QModelIndex &index)
{
    const QString name = fullName(index);
    if (name.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(name);
    emit message(tr("Copied %1").arg(name), 3000);
}

void ParameterPanel::contextMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid() || !m_document)
        return;
    QMenu menu(this);
    menu.addAction(tr("&Copy Name"), this, [this, index] { copyName(index); })->setShortcut(QKeySequence::Copy);
    const QModelIndex check = index.siblingAtColumn(ParameterTreeModel::Frozen);
    if (check.data(ParameterTreeModel::FreezableRole).toBool()) {
        const bool group = m_model->hasChildren(index.siblingAtColumn(0));
        menu.addSeparator();
        menu.addAction(group ? tr("&Freeze This Subtree") : tr("&Freeze"), this, [this, check] { m_model->setData(check, Qt::Checked, Qt::CheckStateRole); });
        menu.addAction(
            group ? tr("&Unfreeze This Subtree") : tr("&Unfreeze"), this, [this, check] { m_model->setData(check, Qt::Unchecked, Qt::CheckStateRole); });
    }
    menu.addSeparator();
    if (index.data(ParameterTreeModel::TensorIndexRole).toInt() >= 0)
        menu.addAction(tr("&Show in Diff With…"), this, [this, name = fullName(index)] { emit showInDiffRequested(name); });
    menu.addAction(tr("Co&mpare With…"), this, &ParameterPanel::compareRequested);
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

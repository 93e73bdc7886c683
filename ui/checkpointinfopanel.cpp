// SPDX-License-Identifier: MIT
#include "checkpointinfopanel.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "entrytablemodel.h"
#include "freezestate.h"

#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

CheckpointInfoPanel::CheckpointInfoPanel(QWidget *parent)
    : QWidget(parent)
    , m_entries(new EntryTableModel(this))
    , m_modelState(new QLabel(this))
    , m_entryView(new QTableView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 4, 4);
    m_modelState->setWordWrap(true);
    m_modelState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_modelState);
    m_entryView->setModel(m_entries);
    m_entryView->verticalHeader()->hide();
    m_entryView->horizontalHeader()->setStretchLastSection(true);
    m_entryView->setWordWrap(false);
    m_entryView->setTextElideMode(Qt::ElideMiddle);
    m_entryView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_entryView->verticalHeader()->setDefaultSectionSize(m_entryView->fontMetrics().height() + 6);
    layout->addWidget(m_entryView, 1);
}

void CheckpointInfoPanel::setDocument(const CheckpointDocument &document)
{
    const auto &c = document.checkpoint();
    m_entries->setCheckpoint(document.sharedCheckpoint());
    const auto &ms = c.modelState();
    QString text = !ms.found() ? tr("No model state found: all tensors are shown under their container path.")
        : ms.path.empty()      ? tr("The model state is the top level of the file.")
                               : tr("The model state is <b>%1</b>.").arg(QString::fromStdString(ms.path).toHtmlEscaped());
    if (!document.freezeNote().isEmpty())
        text += QStringLiteral("<br>") + tr("Freeze state: %1").arg(document.freezeNote().toHtmlEscaped());
    text += QStringLiteral("<br>")
        + tr("Save Freeze List (Ctrl+S) writes <b>%1</b>, where opening this checkpoint looks for it.")
              .arg(QDir::toNativeSeparators(document.freezeListTarget()).toHtmlEscaped());
    if (!document.freeze().hasModelOrder())
        text += QStringLiteral("<br>")
            + tr("This format does not store the model's parameter order: the tree sorts by name, and Freeze First N and Freeze Indices count in the file's "
                 "order.");
    for (const auto &note : c.raw().notes)
        text += QStringLiteral("<br>") + QString::fromStdString(note).toHtmlEscaped();
    m_modelState->setText(text);
    m_entryView->resizeColumnsToContents();
    // Long keys (Lightning's callbacks/ModelCheckpoint{...}/...) must not push Type and Value out of sight:
    // the name is cut in the middle, and its tooltip holds all of it.
    const int room = std::max(m_entryView->viewport()->width(), 360);
    m_entryView->setColumnWidth(EntryTableModel::Name, std::min(m_entryView->columnWidth(EntryTableModel::Name), std::max(140, room * 2 / 5)));
    m_entryView->setColumnWidth(EntryTableModel::Type, std::min(m_entryView->columnWidth(EntryTableModel::Type), std::max(110, room / 4)));
}

// SPDX-License-Identifier: MIT
// Where checkpoints come from in the UI: the open dialog (remembering its folder) and drag and drop.
#pragma once

#include <QString>
#include <QStringList>

class QMimeData;
class QWidget;

// An Open dialog for checkpoints; empty when cancelled.
QString chooseCheckpoint(QWidget *parent, const QString &title);
// The local files of a drop.
QStringList droppedFiles(const QMimeData *mime);

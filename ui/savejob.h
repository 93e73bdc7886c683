// Runs a save off the GUI thread behind a window-modal progress dialog with Cancel, the way every save
// in the application runs (checkpoints, transplants).
#pragma once

#include "format/progress.h"

#include <QString>

#include <functional>

class QWidget;

struct SaveJobResult
{
    bool cancelled = false;
    QString error; // empty when it worked
    bool ok() const { return !cancelled && error.isEmpty(); }
};

// save runs on a pool thread and throws ckpt::Error on failure; the dialog shows after 400 ms.
SaveJobResult runSaveJob(QWidget *parent, const QString &label, const std::function<void(const ckpt::Progress &)> &save);

// SPDX-License-Identifier: MIT
// Runs a save off the GUI thread behind a window-modal progress dialog with Cancel, the way every save
// in the application runs (checkpoints, transplants).
#pragma once

#include "format/progress.h"

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>
#include <QString>

#include <functional>

class QWidget;

struct SaveJobResult
{
    bool cancelled = false;
    QString error; // empty when it worked
    bool ok() const { return !cancelled && error.isEmpty(); }
};

// save runs on a pool thread and throws ckpt::Error on failure (any other exception, e.g. std::bad_alloc, is
// an error too); the dialog shows after 400 ms.
SaveJobResult runSaveJob(QWidget *parent, const QString &label, const std::function<void(const ckpt::Progress &)> &save);

// Runs a local event loop until future has finished: windows stay painted and responsive meanwhile, and the
// thread sleeps until the next event (the future's end among them) instead of polling.
template<typename T>
void waitWithEvents(const QFuture<T> &future)
{
    QFutureWatcher<T> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!watcher.isFinished()) // the watcher learns of the end through an event, so quit() cannot come too early
        loop.exec();
}

// SPDX-License-Identifier: MIT
// The parts of BackgroundJob that do not depend on the result type: generations, cancelling, waiting.
#include "backgroundjob.h"

BackgroundJob::BackgroundJob(QObject *parent)
    : QObject(parent)
{ }

BackgroundJob::~BackgroundJob()
{
    cancel();
    waitForFinished();
}

std::shared_ptr<std::atomic<bool>> BackgroundJob::begin()
{
    cancel();
    ++m_generation;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    return m_cancel;
}

void BackgroundJob::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void BackgroundJob::discard()
{
    cancel();
    ++m_generation;
    setRunning(false);
}

void BackgroundJob::waitForFinished()
{
    // Every run reports to a watcher parented here until it has delivered (or dropped) its outcome.
    for (auto *watcher : findChildren<QFutureWatcherBase *>(Qt::FindDirectChildrenOnly))
        watcher->waitForFinished();
}

void BackgroundJob::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    emit runningChanged(running);
}

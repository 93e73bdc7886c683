// SPDX-License-Identifier: MIT
// A ckpt::Progress for work on a pool thread: whole-percent reports reach the GUI thread through queued
// calls on a receiver (dropped once it is gone), and cancellation reads a shared flag.
#pragma once

#include "format/progress.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class ProgressRelay
{
public:
    // onPercent runs on receiver's thread.
    ProgressRelay(QObject *receiver, std::shared_ptr<std::atomic<bool>> cancel, std::function<void(int)> onPercent)
        : m_receiver(receiver)
        , m_cancel(std::move(cancel))
        , m_onPercent(std::move(onPercent))
    {
        m_progress.cancel = m_cancel.get();
        m_progress.report = [this](double fraction) {
            const int percent = static_cast<int>(fraction * 100);
            if (percent == m_last)
                return;
            m_last = percent;
            if (!m_receiver)
                return;
            QMetaObject::invokeMethod(
                m_receiver.data(),
                [receiver = m_receiver, onPercent = m_onPercent, percent] {
                    if (receiver)
                        onPercent(percent);
                },
                Qt::QueuedConnection);
        };
    }
    ProgressRelay(const ProgressRelay &) = delete;
    ProgressRelay &operator=(const ProgressRelay &) = delete;

    const ckpt::Progress &progress() const { return m_progress; }
    // A stage of a longer job: its fractions map to [base, base + span] of the whole.
    ckpt::Progress stage(double base, double span) const
    {
        ckpt::Progress p;
        p.cancel = m_cancel.get();
        p.report = [this, base, span](double fraction) { m_progress.report(base + fraction * span); };
        return p;
    }

private:
    QPointer<QObject> m_receiver;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::function<void(int)> m_onPercent;
    ckpt::Progress m_progress;
    int m_last = -1;
};

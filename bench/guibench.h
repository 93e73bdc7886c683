// SPDX-License-Identifier: MIT
// Helpers of the GUI benchmarks: elapsed milliseconds, letting queued work run, and a heartbeat on the
// GUI thread whose largest gap between beats is how long the window froze.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

inline double ms(const QElapsedTimer &t)
{
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

inline void settle()
{
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
}

class StallMeter
{
public:
    StallMeter()
    {
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            if (m_beat.isValid())
                m_worst = std::max(m_worst, ms(m_beat));
            m_beat.restart();
        });
    }
    void start()
    {
        m_worst = 0;
        m_beat.invalidate();
        m_timer.start();
    }
    // The longest stall in milliseconds since start().
    double stop()
    {
        m_timer.stop();
        return m_worst;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_beat;
    double m_worst = 0;
};

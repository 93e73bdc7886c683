// SPDX-License-Identifier: MIT
// Empties a Qt Charts chart for new data. QChart::removeAxis() hands the axis back to the caller
// instead of deleting it, so every redraw that only removed its axes leaked them.
#pragma once

#include <QAbstractAxis>
#include <QChart>

inline void clearChart(QChart *chart)
{
    chart->removeAllSeries(); // deletes them
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

// SPDX-License-Identifier: MIT
// The small filled square that stands for a status in legends, and the legend's checkable filter button.
#pragma once

#include <QColor>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QToolButton>

inline QIcon colourSwatch(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setPen(colour.darker(130));
    painter.setBrush(colour);
    painter.drawRect(0, 0, 11, 11);
    return QIcon(pixmap);
}

// A legend entry that is also a filter: checked shows the status's rows.
inline QToolButton *legendButton(QWidget *parent, const QIcon &swatch, const QString &description)
{
    auto *b = new QToolButton(parent);
    b->setCheckable(true);
    b->setChecked(true);
    b->setIcon(swatch);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setToolTip(description + QLatin1Char('\n') + QToolButton::tr("Click to show or hide these rows"));
    b->setAutoRaise(true);
    return b;
}

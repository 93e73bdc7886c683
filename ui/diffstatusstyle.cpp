// SPDX-License-Identifier: MIT
#include "diffstatusstyle.h"

#include "colourswatch.h"

#include <QCoreApplication>
#include <algorithm>

using ckpt::DiffStatus;

namespace diffstyle {

const std::array<DiffStatus, kStatusCount> &bySeverity()
{
    static const std::array<DiffStatus, kStatusCount> order{
        DiffStatus::Shape, DiffStatus::OnlyA, DiffStatus::OnlyB, DiffStatus::DType, DiffStatus::Changed, DiffStatus::Identical};
    return order;
}

int severity(DiffStatus s)
{
    const auto &order = bySeverity();
    return static_cast<int>(std::find(order.begin(), order.end(), s) - order.begin());
}

QString label(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return QCoreApplication::translate("DiffStatus", "Only in A");
    case DiffStatus::OnlyB: return QCoreApplication::translate("DiffStatus", "Only in B");
    case DiffStatus::Shape: return QCoreApplication::translate("DiffStatus", "Shape changed");
    case DiffStatus::DType: return QCoreApplication::translate("DiffStatus", "Dtype changed");
    case DiffStatus::Identical: return QCoreApplication::translate("DiffStatus", "Identical");
    case DiffStatus::Changed: return QCoreApplication::translate("DiffStatus", "Changed");
    }
    return {};
}

QString description(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return QCoreApplication::translate("DiffStatus", "The name exists in A only (removed in B).");
    case DiffStatus::OnlyB: return QCoreApplication::translate("DiffStatus", "The name exists in B only (added in B).");
    case DiffStatus::Shape: return QCoreApplication::translate("DiffStatus", "Both have the name, with different shapes: values are not compared.");
    case DiffStatus::DType: return QCoreApplication::translate("DiffStatus", "Different dtypes: values are compared after rounding both to float32.");
    case DiffStatus::Identical: return QCoreApplication::translate("DiffStatus", "Same shape, dtype and bytes.");
    case DiffStatus::Changed: return QCoreApplication::translate("DiffStatus", "Same shape and dtype, different values.");
    }
    return {};
}

QColor colour(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return QColor(0xf8, 0xd4, 0xd2);
    case DiffStatus::OnlyB: return QColor(0xd3, 0xee, 0xd6);
    case DiffStatus::Shape: return QColor(0xf1, 0xcf, 0xeb);
    case DiffStatus::DType: return QColor(0xd8, 0xe1, 0xf7);
    case DiffStatus::Changed: return QColor(0xfc, 0xe6, 0xbd);
    case DiffStatus::Identical: return {};
    }
    return {};
}

QColor swatchColour(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return QColor(0xd6, 0x45, 0x3d);
    case DiffStatus::OnlyB: return QColor(0x3a, 0x9a, 0x4a);
    case DiffStatus::Shape: return QColor(0xb0, 0x3f, 0xa0);
    case DiffStatus::DType: return QColor(0x4a, 0x6f, 0xc9);
    case DiffStatus::Changed: return QColor(0xe0, 0x8e, 0x0b);
    case DiffStatus::Identical: return QColor(0xa8, 0xa8, 0xa8);
    }
    return {};
}

QIcon swatch(DiffStatus s)
{
    return colourSwatch(swatchColour(s));
}

} // namespace diffstyle

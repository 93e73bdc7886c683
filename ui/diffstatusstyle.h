// SPDX-License-Identifier: MIT
// How each diff status looks throughout the diff window (tree rows, legend, filter): its label,
// its colour, and how it ranks when a group mixes several.
#pragma once

#include "checkpointdiff.h"

#include <QColor>
#include <QIcon>
#include <QString>

#include <array>

namespace diffstyle {

constexpr int kStatusCount = 6;

// Most severe first: the order of the legend, and the status a mixed group shows.
const std::array<ckpt::DiffStatus, kStatusCount> &bySeverity();
int severity(ckpt::DiffStatus s); // 0 = most severe

QString label(ckpt::DiffStatus s); // "Changed", "Only in A" ...
QString description(ckpt::DiffStatus s); // one sentence for tooltips
QColor colour(ckpt::DiffStatus s); // the row tint; identical rows have none (invalid colour)
QColor swatchColour(ckpt::DiffStatus s); // a stronger shade for legend swatches and bars
QIcon swatch(ckpt::DiffStatus s);

constexpr unsigned bit(ckpt::DiffStatus s)
{
    return 1u << static_cast<unsigned>(s);
}
constexpr unsigned kAllStatuses = (1u << kStatusCount) - 1;
constexpr unsigned kDifferences = kAllStatuses & ~bit(ckpt::DiffStatus::Identical);

} // namespace diffstyle

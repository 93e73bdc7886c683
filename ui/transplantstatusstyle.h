// SPDX-License-Identifier: MIT
// How each transplant status looks in the dialog (table rows, legend, filter): label, description, colours.
#pragma once

#include "transplant.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace transplantstyle {

QString label(ckpt::TransplantStatus s); // "Copied", "Shape mismatch" ...
QString description(ckpt::TransplantStatus s); // one sentence for tooltips
QColor colour(ckpt::TransplantStatus s); // the row tint
QIcon swatch(ckpt::TransplantStatus s);

constexpr unsigned bit(ckpt::TransplantStatus s)
{
    return 1u << static_cast<unsigned>(s);
}
constexpr unsigned kAll = (1u << ckpt::kTransplantStatusCount) - 1;

} // namespace transplantstyle

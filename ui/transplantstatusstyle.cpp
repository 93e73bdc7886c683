// SPDX-License-Identifier: MIT
#include "transplantstatusstyle.h"

#include "colourswatch.h"

#include <QCoreApplication>

using ckpt::TransplantStatus;

namespace transplantstyle {

QString label(TransplantStatus s)
{
    switch (s) {
    case TransplantStatus::Copied: return QCoreApplication::translate("TransplantStatus", "Copied");
    case TransplantStatus::ShapeMismatch: return QCoreApplication::translate("TransplantStatus", "Shape mismatch");
    case TransplantStatus::Missing: return QCoreApplication::translate("TransplantStatus", "Missing in source");
    case TransplantStatus::Unexpected: return QCoreApplication::translate("TransplantStatus", "Unexpected in source");
    case TransplantStatus::Skipped: return QCoreApplication::translate("TransplantStatus", "Left out by rules");
    }
    return {};
}

QString description(TransplantStatus s)
{
    switch (s) {
    case TransplantStatus::Copied:
        return QCoreApplication::translate("TransplantStatus", "Same name after the rules and same shape: the source's values replace the target's.");
    case TransplantStatus::ShapeMismatch:
        return QCoreApplication::translate("TransplantStatus", "Same name, different shape: the target keeps its own tensor.");
    case TransplantStatus::Missing:
        return QCoreApplication::translate("TransplantStatus", "The target's tensor has no counterpart in the source: it keeps its own values.");
    case TransplantStatus::Unexpected:
        return QCoreApplication::translate("TransplantStatus", "The source's tensor has no counterpart in the target: it is not used.");
    case TransplantStatus::Skipped:
        return QCoreApplication::translate("TransplantStatus", "The include, exclude or first-N rules leave the source's tensor out.");
    }
    return {};
}

QColor colour(TransplantStatus s)
{
    switch (s) {
    case TransplantStatus::Copied: return QColor(0xd3, 0xee, 0xd6);
    case TransplantStatus::ShapeMismatch: return QColor(0xf1, 0xcf, 0xeb);
    case TransplantStatus::Missing: return QColor(0xfc, 0xe6, 0xbd);
    case TransplantStatus::Unexpected: return QColor(0xd8, 0xe1, 0xf7);
    case TransplantStatus::Skipped: return QColor(0xe8, 0xe8, 0xe8);
    }
    return {};
}

QIcon swatch(TransplantStatus s)
{
    return colourSwatch(colour(s).darker(125));
}

} // namespace transplantstyle

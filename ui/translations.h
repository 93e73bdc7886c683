// SPDX-License-Identifier: MIT
// The interface language: our translations (built into the library) and Qt's own, chosen from the
// Preferences or, by default, the system locale.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

// Locale names with a translation, besides English (the source language): "zh_CN".
QStringList availableTranslations();
// Installs the translators for language ("" = the system locale) on the application; returns the locale
// name used, or "" when the interface stays English.
QString installTranslations(QCoreApplication &app, const QString &language);

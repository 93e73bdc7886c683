// SPDX-License-Identifier: MIT
// Everything the application keeps between runs, in one place: typed values over QSettings (the keys
// live only here), and saving / restoring window geometry, splitters and column widths.
#pragma once

#include "freezelist.h"

#include <QString>

class QSplitter;
class QWidget;

namespace appsettings {

// Preferences.
bool autoStatistics(); // compute the selected tensor's statistics on selection (default), or on request
void setAutoStatistics(bool on);
ckpt::FreezeListFormat freezeListFormat(); // what Export Freeze List offers first
void setFreezeListFormat(ckpt::FreezeListFormat format);

// The interface language: "" follows the system, otherwise a locale name such as "zh_CN" or "en".
QString language();
void setLanguage(const QString &language);

// Folders remembered per purpose ("open", "export" ...); empty when none yet.
QString lastFolder(const QString &purpose);
void setLastFolder(const QString &purpose, const QString &folder);

// Save Checkpoint As: the choices made last time.
struct SaveChoices
{
    bool modelOnly = false;
    QString dtype; // "" = keep
    bool storeFreeze = false;
};
SaveChoices saveChoices();
void setSaveChoices(const SaveChoices &choices);

// Geometry (and a QMainWindow's toolbars and docks), splitter sizes and a column's width, under a key.
void restoreWindow(QWidget *window, const QString &key);
void saveWindow(const QWidget *window, const QString &key);
void restoreSplitter(QSplitter *splitter, const QString &key);
void saveSplitter(const QSplitter *splitter, const QString &key);
int columnWidth(const QString &key, int fallback);
void setColumnWidth(const QString &key, int width);

} // namespace appsettings

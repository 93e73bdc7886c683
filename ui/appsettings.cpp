// SPDX-License-Identifier: MIT
#include "appsettings.h"

#include <QMainWindow>
#include <QSettings>
#include <QSplitter>

namespace appsettings {

namespace {
QString key(const char *group, const QString &name)
{
    return QLatin1String(group) + QLatin1Char('/') + name;
}
} // namespace

bool autoStatistics()
{
    return QSettings().value(QStringLiteral("preferences/autoStatistics"), true).toBool();
}

void setAutoStatistics(bool on)
{
    QSettings().setValue(QStringLiteral("preferences/autoStatistics"), on);
}

ckpt::FreezeListFormat freezeListFormat()
{
    const int v = QSettings().value(QStringLiteral("preferences/freezeListFormat"), int(ckpt::FreezeListFormat::Json)).toInt();
    return v == int(ckpt::FreezeListFormat::Text) || v == int(ckpt::FreezeListFormat::Python) ? static_cast<ckpt::FreezeListFormat>(v)
                                                                                              : ckpt::FreezeListFormat::Json;
}

void setFreezeListFormat(ckpt::FreezeListFormat format)
{
    QSettings().setValue(QStringLiteral("preferences/freezeListFormat"), int(format));
}

QString language()
{
    return QSettings().value(QStringLiteral("preferences/language")).toString();
}

void setLanguage(const QString &language)
{
    QSettings().setValue(QStringLiteral("preferences/language"), language);
}

QString lastFolder(const QString &purpose)
{
    return QSettings().value(key("folders", purpose)).toString();
}

void setLastFolder(const QString &purpose, const QString &folder)
{
    QSettings().setValue(key("folders", purpose), folder);
}

SaveChoices saveChoices()
{
    QSettings s;
    SaveChoices c;
    c.modelOnly = s.value(QStringLiteral("saveCheckpoint/modelOnly"), false).toBool();
    c.dtype = s.value(QStringLiteral("saveCheckpoint/dtype")).toString();
    c.storeFreeze = s.value(QStringLiteral("saveCheckpoint/storeFreeze"), false).toBool();
    return c;
}

void setSaveChoices(const SaveChoices &choices)
{
    QSettings s;
    s.setValue(QStringLiteral("saveCheckpoint/modelOnly"), choices.modelOnly);
    s.setValue(QStringLiteral("saveCheckpoint/dtype"), choices.dtype);
    s.setValue(QStringLiteral("saveCheckpoint/storeFreeze"), choices.storeFreeze);
}

void restoreWindow(QWidget *window, const QString &name)
{
    QSettings s;
    const QByteArray geometry = s.value(key("geometry", name)).toByteArray();
    if (!geometry.isEmpty())
        window->restoreGeometry(geometry);
    if (auto *main = qobject_cast<QMainWindow *>(window))
        main->restoreState(s.value(key("windowState", name)).toByteArray());
}

void saveWindow(const QWidget *window, const QString &name)
{
    QSettings s;
    s.setValue(key("geometry", name), window->saveGeometry());
    if (const auto *main = qobject_cast<const QMainWindow *>(window))
        s.setValue(key("windowState", name), main->saveState());
}

void restoreSplitter(QSplitter *splitter, const QString &name)
{
    const QByteArray state = QSettings().value(key("splitters", name)).toByteArray();
    if (!state.isEmpty())
        splitter->restoreState(state);
}

void saveSplitter(const QSplitter *splitter, const QString &name)
{
    QSettings().setValue(key("splitters", name), splitter->saveState());
}

int columnWidth(const QString &name, int fallback)
{
    const int w = QSettings().value(key("columns", name), fallback).toInt();
    return w > 0 ? w : fallback;
}

void setColumnWidth(const QString &name, int width)
{
    QSettings().setValue(key("columns", name), width);
}

} // namespace appsettings

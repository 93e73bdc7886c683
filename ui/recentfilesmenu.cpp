// SPDX-License-Identifier: MIT
#include "recentfilesmenu.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <algorithm>

namespace {
constexpr int kMaxRecentFiles = 10;
const QString kKey = QStringLiteral("recentFiles");
} // namespace

RecentFilesMenu::RecentFilesMenu(const QString &title, QWidget *parent)
    : QMenu(title, parent)
{
    setToolTipsVisible(true);
    // Another window may have opened a file since: the list is read again each time it shows.
    connect(this, &QMenu::aboutToShow, this, &RecentFilesMenu::rebuild);
    rebuild();
}

void RecentFilesMenu::add(const QString &path)
{
    QSettings settings;
    QStringList files = settings.value(kKey).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    settings.setValue(kKey, files);
    rebuild();
}

void RecentFilesMenu::rebuild()
{
    clear();
    const QStringList files = QSettings().value(kKey).toStringList();
    // "run3/last.ckpt" rather than a bare "last.ckpt": as many parent folders as it takes to tell them apart.
    auto tail = [](const QString &path, int folders) {
        QStringList parts = QDir::fromNativeSeparators(path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
        return QDir::toNativeSeparators(parts.mid(std::max<qsizetype>(0, parts.size() - 1 - folders)).join(QLatin1Char('/')));
    };
    for (int i = 0; i < files.size(); ++i) {
        int folders = 1;
        for (; folders < 8; ++folders) {
            const QString mine = tail(files[i], folders);
            if (std::none_of(files.begin(), files.end(), [&](const QString &other) { return other != files[i] && tail(other, folders) == mine; }))
                break;
        }
        QString label = tail(files[i], folders);
        label.replace(QLatin1Char('&'), QStringLiteral("&&"));
        QAction *a = addAction(QStringLiteral("&%1 %2").arg((i + 1) % 10).arg(label));
        a->setToolTip(QDir::toNativeSeparators(files[i]));
        connect(a, &QAction::triggered, this, [this, file = files[i]] { emit openRequested(file); });
    }
    if (!files.isEmpty()) {
        addSeparator();
        addAction(tr("Clear List"), this, [this] {
            QSettings().remove(kKey);
            rebuild();
        });
    }
    setEnabled(!files.isEmpty());
}

// SPDX-License-Identifier: MIT
// File > Open Recent: the last checkpoints opened in any window, kept in the settings, each labelled with
// as many parent folders as it takes to tell it from the others, with its full path as a tooltip.
#pragma once

#include <QMenu>

class RecentFilesMenu : public QMenu
{
    Q_OBJECT
public:
    explicit RecentFilesMenu(const QString &title, QWidget *parent = nullptr);

    void add(const QString &path); // moves it to the top

signals:
    void openRequested(const QString &path);

private:
    void rebuild();
};

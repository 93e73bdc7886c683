// SPDX-License-Identifier: MIT
// Drives the main window as a person does, for the GUI tests: opening a file, finding and ticking tree rows,
// clicking menu items with the mouse, and answering the modal dialogs that menu items open.
#pragma once

#include "checkpointloader.h"
#include "mainwindow.h"
#include "parametertreemodel.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDialog>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <functional>

namespace mainwindowdriver {

inline bool openAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
    window.openFile(path);
    return loaded.wait(60000);
}

// The view's index of a dotted path in the tree (expanding as it goes).
inline QModelIndex findRow(MainWindow &window, const QString &dottedPath, int column = 0)
{
    QAbstractItemModel *model = window.treeView()->model();
    QModelIndex current;
    for (const QString &segment : dottedPath.split(QLatin1Char('.'))) {
        QModelIndex next;
        for (int r = 0; r < model->rowCount(current); ++r)
            if (model->index(r, 0, current).data().toString() == segment)
                next = model->index(r, 0, current);
        if (!next.isValid())
            return {};
        window.treeView()->expand(next);
        current = next;
    }
    return current.siblingAtColumn(column);
}

// Clicks the check indicator of a Frozen cell, where QStyledItemDelegate hit-tests it.
inline void clickCheckBox(MainWindow &window, const QModelIndex &index)
{
    QTreeView *view = window.treeView();
    view->scrollTo(index);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.rect = view->visualRect(index);
    option.features |= QStyleOptionViewItem::HasCheckIndicator;
    option.state |= QStyle::State_Enabled;
    const QRect check = view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &option, view);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, check.center());
}

inline void clickCheckBox(MainWindow &window, const QString &dottedPath)
{
    clickCheckBox(window, findRow(window, dottedPath, ParameterTreeModel::Frozen));
}

// The item of a menu-bar menu whose text starts with itemPrefix ("&Save Freeze List" finds "&Save Freeze List to …").
inline QAction *menuItem(QMainWindow &window, const QString &menuText, const QString &itemPrefix)
{
    for (QAction *a : window.menuBar()->actions())
        if (a->menu() && a->text() == menuText)
            for (QAction *item : a->menu()->actions())
                if (item->text().startsWith(itemPrefix))
                    return item;
    return nullptr;
}

// Opens the menu with the mouse and clicks the item. The window must be shown. A modal dialog the item opens
// is answered (see whenModal) before this returns. False when the item is missing or disabled, or the menu
// did not open or close.
inline bool clickMenuItem(QMainWindow &window, const QString &menuText, const QString &itemPrefix)
{
    QAction *item = menuItem(window, menuText, itemPrefix);
    if (!item || !item->isEnabled())
        return false;
    QMenuBar *bar = window.menuBar();
    auto *menu = qobject_cast<QMenu *>(item->parent());
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(menu->menuAction()).center());
    if (!QTest::qWaitFor([menu] { return menu->isVisible(); }, 5000))
        return false;
    QTest::mouseMove(menu, menu->actionGeometry(item).center());
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(item).center());
    return QTest::qWaitFor([menu] { return !menu->isVisible(); }, 5000);
}

// Opens the tree's context menu on index with a right click and clicks the item with this text. A modal
// dialog the item opens is answered (see whenModal). False when the menu has no such item.
inline bool clickContextMenuItem(MainWindow &window, const QModelIndex &index, const QString &itemText)
{
    QTreeView *view = window.treeView();
    view->scrollTo(index);
    const QPoint at = view->visualRect(index).center();
    bool clicked = false, shown = false;
    auto *timer = new QTimer(&window);
    QObject::connect(timer, &QTimer::timeout, &window, [&clicked, &shown, timer, itemText] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        timer->stop();
        shown = true;
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            menu->grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/context-menu.png"));
        for (QAction *a : menu->actions())
            if (a->text() == itemText && a->isEnabled()) {
                QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
                clicked = true;
                break;
            }
        if (!clicked)
            menu->close();
    });
    timer->start(20);
    // A right click opens the context menu (a press alone does not send the event in a test).
    QTest::mouseClick(view->viewport(), Qt::RightButton, {}, at);
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, view->viewport()->mapToGlobal(at));
    QApplication::sendEvent(view->viewport(), &event);
    const bool opened = QTest::qWaitFor([&shown] { return shown; }, 5000);
    delete timer;
    return opened && clicked;
}

// Runs answer once on the next visible modal dialog of type T (menu items open them with exec(), which
// blocks the click that opened them).
template<typename T>
void whenModal(std::function<void(T *)> answer)
{
    auto *timer = new QTimer;
    QObject::connect(timer, &QTimer::timeout, timer, [timer, answer] {
        if (auto *dialog = qobject_cast<T *>(QApplication::activeModalWidget()); dialog && dialog->isVisible()) {
            timer->stop();
            timer->deleteLater();
            answer(dialog);
        }
    });
    timer->start(20);
}

// Types the path into a file dialog's name field and accepts, as its Save / Open button does. (selectFile()
// leaves the field alone once it has the focus, and the button's enabled state follows the dialog's
// asynchronous directory model: both make a test racy.)
inline void acceptFileDialog(QFileDialog *d, const QString &path)
{
    auto *edit = d->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
    if (!edit) {
        d->reject();
        QFAIL("the file dialog has no name field");
    }
    if (d->fileMode() == QFileDialog::Directory)
        d->setDirectory(path); // a folder is chosen by going into it, with the name field empty
    else
        edit->setText(path);
    static_cast<QDialog *>(d)->accept(); // QFileDialog::accept: the button's own slot
    if (d->isVisible()) {
        d->reject();
        QFAIL("the file dialog did not take the path");
    }
}

} // namespace mainwindowdriver

// SPDX-License-Identifier: MIT
// Errors in every window: window-modal and non-blocking, so the work behind stays usable and visible.
#pragma once

#include <QCoreApplication>
#include <QMessageBox>

#include <exception>
#include <new>

inline void showErrorBox(QWidget *parent, const QString &title, const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// The cause of an exception other than ckpt::Error (running out of memory, a thread that cannot start ...).
// Every worker and every action that writes turns one into its ordinary error path, so the window shows a
// message and keeps its document instead of the application aborting.
inline QString exceptionText(const std::exception &e)
{
    if (dynamic_cast<const std::bad_alloc *>(&e))
        return QCoreApplication::translate("ErrorBox", "out of memory");
    return QString::fromLocal8Bit(e.what());
}

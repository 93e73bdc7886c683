// Errors in every window: window-modal and non-blocking, so the work behind stays usable and visible.
#pragma once

#include <QMessageBox>

inline void showErrorBox(QWidget *parent, const QString &title, const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

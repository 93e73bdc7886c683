// SPDX-License-Identifier: MIT
#include "savejob.h"

#include "errorbox.h"
#include "format/error.h"

#include <QCoreApplication>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

SaveJobResult runSaveJob(QWidget *parent, const QString &label, const std::function<void(const ckpt::Progress &)> &save)
{
    std::atomic<bool> cancel{false};
    std::atomic<int> percent{0};
    QProgressDialog dialog(label, QCoreApplication::translate("SaveJob", "Cancel"), 0, 100, parent);
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(400);
    dialog.setValue(0); // starts the 400 ms until the dialog shows
    QObject::connect(&dialog, &QProgressDialog::canceled, &dialog, [&cancel] { cancel = true; });
    ckpt::Progress progress;
    progress.cancel = &cancel;
    // Each new percentage reaches the dialog as an event (at most 101 of them); events still queued when the
    // dialog goes are dropped with it.
    progress.report = [&percent, &dialog](double f) {
        const int p = static_cast<int>(f * 100);
        if (percent.exchange(p) != p)
            QMetaObject::invokeMethod(
                &dialog, [&dialog, p] { dialog.setValue(p); }, Qt::QueuedConnection);
    };
    QFuture<SaveJobResult> job = QtConcurrent::run([&save, &progress]() -> SaveJobResult {
        SaveJobResult result;
        try {
            save(progress);
        } catch (const ckpt::Error &e) {
            result.cancelled = e.kind() == ckpt::ErrorKind::Cancelled;
            result.error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc &) {
            result.error = QCoreApplication::translate("SaveJob", "out of memory while saving");
        } catch (const std::exception &e) {
            result.error = exceptionText(e);
        }
        return result;
    });
    // A local loop keeps the window painted and the progress moving; the dialog blocks other input.
    waitWithEvents(job);
    dialog.reset();
    return job.result();
}

#include "savejob.h"

#include "format/error.h"

#include <QCoreApplication>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

SaveJobResult runSaveJob(QWidget *parent, const QString &label, const std::function<void(const ckpt::Progress &)> &save)
{
    std::atomic<bool> cancel{false};
    std::atomic<int> percent{0};
    ckpt::Progress progress;
    progress.cancel = &cancel;
    progress.report = [&](double f) { percent = static_cast<int>(f * 100); };
    QProgressDialog dialog(label, QCoreApplication::translate("SaveJob", "Cancel"), 0, 100, parent);
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(400);
    QObject::connect(&dialog, &QProgressDialog::canceled, &dialog, [&cancel] { cancel = true; });
    QFuture<SaveJobResult> job = QtConcurrent::run([&save, &progress]() -> SaveJobResult {
        SaveJobResult result;
        try {
            save(progress);
        } catch (const ckpt::Error &e) {
            result.cancelled = e.kind() == ckpt::ErrorKind::Cancelled;
            result.error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc &) {
            result.error = QCoreApplication::translate("SaveJob", "out of memory while saving");
        }
        return result;
    });
    // A local loop keeps the window painted and the progress moving; the dialog blocks other input.
    while (!job.isFinished()) {
        dialog.setValue(percent);
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    dialog.reset();
    return job.result();
}

#include "checkpointfiles.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QSettings>
#include <QUrl>

QString chooseCheckpoint(QWidget *parent, const QString &title)
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        parent, title, settings.value(QStringLiteral("lastOpenFolder")).toString(),
        QFileDialog::tr("Checkpoints (*.pt *.pth *.bin *.ckpt *.th *.tar *.gz *.safetensors *.json);;All files (*)"));
    if (!path.isEmpty())
        settings.setValue(QStringLiteral("lastOpenFolder"), QFileInfo(path).absolutePath());
    return path;
}

QStringList droppedFiles(const QMimeData *mime)
{
    QStringList files;
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    return files;
}

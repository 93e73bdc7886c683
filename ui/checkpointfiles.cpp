// SPDX-License-Identifier: MIT
#include "checkpointfiles.h"

#include "appsettings.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

QString chooseCheckpoint(QWidget *parent, const QString &title)
{
    QString path = QFileDialog::getOpenFileName(parent, title, appsettings::lastFolder(QStringLiteral("open")),
        QFileDialog::tr("Checkpoints (*.pt *.pth *.bin *.ckpt *.th *.tar *.gz *.safetensors *.json);;All files (*)"));
    if (!path.isEmpty())
        appsettings::setLastFolder(QStringLiteral("open"), QFileInfo(path).absolutePath());
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

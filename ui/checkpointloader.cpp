#include "checkpointloader.h"

#include "checkpoint.h"
#include "format/error.h"

#include <QtConcurrent/QtConcurrentRun>

struct CheckpointLoader::Result
{
    std::shared_ptr<const ckpt::Checkpoint> checkpoint;
    QString error;
};

CheckpointLoader::CheckpointLoader(QObject *parent)
    : QObject(parent)
{
}

CheckpointLoader::~CheckpointLoader()
{
    // Workers only touch their own Result; wait so that none outlives the watcher it reports to.
    for (auto *w : findChildren<QFutureWatcherBase *>())
        w->waitForFinished();
}

void CheckpointLoader::load(const QString &path)
{
    const quint64 generation = ++m_generation;
    m_loading = true;
    auto *watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_loading = false;
        const auto result = watcher->result();
        if (result->checkpoint)
            emit loaded(path, result->checkpoint);
        else
            emit failed(path, result->error);
    });
    const std::string file = path.toStdString();
    watcher->setFuture(QtConcurrent::run([file] {
        auto r = std::make_shared<Result>();
        try {
            r->checkpoint = ckpt::Checkpoint::open(file);
        } catch (const ckpt::Error &e) {
            r->error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc &) {
            r->error = QString::fromStdString(file) + QStringLiteral(": out of memory while reading");
        }
        return r;
    }));
}

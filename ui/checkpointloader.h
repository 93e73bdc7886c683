// Opens checkpoints off the GUI thread and hands the result back through a queued signal.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <memory>

namespace ckpt {
class Checkpoint;
}

class CheckpointLoader : public QObject
{
    Q_OBJECT
public:
    explicit CheckpointLoader(QObject *parent = nullptr);
    ~CheckpointLoader() override;

    // Starts reading path; a load already running is superseded (its result is dropped).
    void load(const QString &path);
    bool isLoading() const { return m_loading; }

signals:
    void loaded(const QString &path, std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    void failed(const QString &path, const QString &message);

private:
    struct Result;
    quint64 m_generation = 0;
    bool m_loading = false;
};

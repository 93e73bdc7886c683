// SPDX-License-Identifier: MIT
// Compares two checkpoints off the GUI thread: opens whichever side is not open yet, runs the core diff
// and builds the tree, with progress and cancellation; results come back through queued signals.
#pragma once

#include "difftree.h"

#include <QObject>
#include <QString>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class BackgroundJob;

namespace ckpt {
class Checkpoint;
}

// One side of a comparison: a file, and the checkpoint when it is open already (the main window's).
struct DiffInput
{
    QString path;
    std::shared_ptr<const ckpt::Checkpoint> checkpoint;
};

struct DiffSettings
{
    bool all = false; // every tensor by its full path, not just the model states
    QString stripA; // prefix removed from A's names before pairing ("module.")
    QString stripB;
    double atol = 0.0;

    ckpt::DiffOptions options() const;
};

struct DiffSession
{
    DiffInput a, b; // both open
    DiffSettings settings;
    ckpt::DiffResult result;
    DiffTree tree;
    std::optional<ckpt::PrefixSuggestion> suggestion;
    // ckpt::moduleChanges() at depths 0 (per layer) to 3, for the chart.
    std::array<std::vector<ckpt::ModuleChange>, 4> modules;
    double seconds = 0; // reading and comparing
};

class DiffRunner : public QObject
{
    Q_OBJECT
public:
    explicit DiffRunner(QObject *parent = nullptr);
    ~DiffRunner() override;

    // A comparison already running is cancelled and its result dropped.
    void run(const DiffInput &a, const DiffInput &b, const DiffSettings &settings);
    void cancel();
    bool isRunning() const;

signals:
    void progress(int percent);
    void finished(std::shared_ptr<const DiffSession> session);
    void failed(const QString &message);
    void cancelled();

private:
    BackgroundJob *m_job;
};

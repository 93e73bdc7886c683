// SPDX-License-Identifier: MIT
// Opens the two sides of a transplant off the GUI thread and plans it again whenever the rules change,
// also off the GUI thread; a later plan supersedes one still running. Results come back as signals.
#pragma once

#include "transplant.h"

#include <QObject>
#include <QString>

#include <array>
#include <memory>
#include <optional>

class BackgroundJob;
class CheckpointLoader;

// A report together with what it points into.
struct TransplantPlan
{
    std::shared_ptr<const ckpt::Checkpoint> source, target;
    ckpt::TransplantRules rules;
    ckpt::TransplantReport report;
    double milliseconds = 0; // planning took
};

class TransplantPlanner : public QObject
{
    Q_OBJECT
public:
    enum Side { Source = 0, Target = 1 };
    Q_ENUM(Side)

    explicit TransplantPlanner(QObject *parent = nullptr);
    ~TransplantPlanner() override;

    // Reads a side off the GUI thread. modelState: where its model state is ("" the top level), or found.
    void open(Side side, const QString &path, const std::optional<std::string> &modelState = std::nullopt);
    // A side that is open already (the main window's checkpoint); a read of that side still going is dropped.
    void setCheckpoint(Side side, std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    std::shared_ptr<const ckpt::Checkpoint> checkpoint(Side side) const { return m_checkpoints[side]; }
    CheckpointLoader *loader(Side side) const { return m_loaders[side]; }
    void cancel();

    // Plans with these rules once both sides are open.
    void setRules(const ckpt::TransplantRules &rules);
    const ckpt::TransplantRules &rules() const { return m_rules; }
    bool isBusy() const; // reading or planning
    bool isReading() const;

signals:
    void progress(int percent); // of the reads going: the one furthest behind
    void readingChanged(bool reading);
    void opened(TransplantPlanner::Side side, const QString &path);
    void openFailed(TransplantPlanner::Side side, const QString &path, const QString &message); // message empty: cancelled
    void planned(std::shared_ptr<const TransplantPlan> plan);
    void planFailed(const QString &message); // rules that cannot apply (colliding renames), no model state

private:
    void replan();
    void updateReading();
    void sideProgress(Side side, int percent);

    std::array<CheckpointLoader *, 2> m_loaders{};
    std::array<std::shared_ptr<const ckpt::Checkpoint>, 2> m_checkpoints;
    std::array<int, 2> m_percent{};
    ckpt::TransplantRules m_rules;
    BackgroundJob *m_planJob;
    bool m_reading = false;
};

// SPDX-License-Identifier: MIT
// The selected pair of a diff: both sides' shape and dtype, the metrics, both histograms overlaid on one
// axis and the histogram of a - b (computed off the GUI thread by the LibTorch plugin). A selected
// group shows its totals instead.
#pragma once

#include "tensormath.h"

#include <QFutureWatcher>
#include <QHash>
#include <QWidget>

#include <memory>

class QChart;
class QChartView;
class QLabel;
struct DiffSession;

struct PairHistograms
{
    int entry = -1;
    ckpt::Histogram a, b; // over one common range
    ckpt::Histogram difference; // a - b; empty when the shapes differ
    QString error;
};

class DiffPairWidget : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kBins = 60;

    explicit DiffPairWidget(QWidget *parent = nullptr);
    ~DiffPairWidget() override;

    void setSession(std::shared_ptr<const DiffSession> session);
    void showEntry(int entry); // -1: nothing
    void showGroup(int node); // a DiffTree group node
    int entry() const { return m_entry; }
    bool isComputing() const;
    const PairHistograms *histograms() const; // of the shown entry, once computed

signals:
    void histogramsShown(int entry);

private:
    void showHistograms(const PairHistograms &h);
    void clearCharts();

    std::shared_ptr<const DiffSession> m_session;
    int m_entry = -1;
    QLabel *m_title;
    QLabel *m_sides;
    QLabel *m_metrics;
    QChart *m_overlay;
    QChartView *m_overlayView;
    QChart *m_difference;
    QChartView *m_differenceView;
    QFutureWatcher<PairHistograms> *m_watcher;
    QHash<int, PairHistograms> m_cache;
};

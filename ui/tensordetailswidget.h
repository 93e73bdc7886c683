// SPDX-License-Identifier: MIT
// The selected tensor: shape, dtype, strides, storage sharing, statistics, a histogram and its first values.
#pragma once

#include "tensorsummary.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QChart;
class QChartView;
class QLabel;
class QPlainTextEdit;
class QFormLayout;

namespace ckpt {
class Checkpoint;
class FreezeState;
} // namespace ckpt

class TensorDetailsWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TensorDetailsWidget(QWidget *parent = nullptr);
    ~TensorDetailsWidget() override;

    void setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    // Where "Trains" comes from: the document's freeze state (refreshed when it changes).
    void setFreezeState(const ckpt::FreezeState *freeze);
    void refreshFreeze();
    // Shows tensor (-1: nothing) and starts computing its statistics unless known already, or, when
    // automatic statistics are off, offers a link that computes them.
    void showTensor(int tensor);
    void setAutoStatistics(bool on) { m_autoStatistics = on; }
    void computeStatistics(); // of the tensor shown
    int tensor() const { return m_tensor; }
    bool isComputing() const;

signals:
    void summaryReady(const TensorSummary &summary);

private:
    void showSummary(const TensorSummary &s);
    void newWatcher(); // lets a running statistics run go without waiting for it

    std::shared_ptr<const ckpt::Checkpoint> m_checkpoint;
    const ckpt::FreezeState *m_freeze = nullptr;
    int m_tensor = -1;
    QLabel *m_title;
    QFormLayout *m_form;
    QLabel *m_shape, *m_dtype, *m_stride, *m_storage, *m_layout, *m_grad, *m_stats, *m_special;
    QChart *m_chart;
    QChartView *m_chartView;
    QPlainTextEdit *m_values;
    QFutureWatcher<TensorSummary> *m_watcher = nullptr;
    QHash<int, TensorSummary> m_cache;
    bool m_autoStatistics = true;
};

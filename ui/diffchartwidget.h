// SPDX-License-Identifier: MIT
// A bar chart (Qt Charts) of the parameter-weighted relative change per layer or per module, in model
// order, so that one sees at a glance which layers moved; clicking a bar reports that module's pairs.
#pragma once

#include "checkpointdiff.h"

#include <QWidget>

#include <memory>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QScrollArea;
struct DiffSession;

class DiffChartWidget : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxBars = 200; // beyond that a coarser grouping says more (and Qt Charts slows down)

    explicit DiffChartWidget(QWidget *parent = nullptr);
    ~DiffChartWidget() override;

    void setSession(std::shared_ptr<const DiffSession> session);
    void setDepth(int depth); // 0: per layer; n: per module of n name segments
    int depth() const;
    const std::vector<ckpt::ModuleChange> &bars() const { return m_bars; } // in model order, as drawn
    // What clicking bar i does (also used by tests).
    void activateBar(int i);
    void highlightBar(int i); // -1: none
    void highlightBars(const std::vector<int> &bars); // indexes into bars(); the others are not highlighted
    int barOfEntry(std::size_t entry) const; // -1: in no bar (nothing compared, or past kMaxBars)

signals:
    void moduleActivated(const QString &module, const std::vector<std::size_t> &entries);
    void rebuilt(); // other bars (a new session or grouping): nothing is highlighted

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void rebuild();
    void buildChart();
    double chartChrome() const; // the view's width around the chart's layout: frame and margins
    void fitLabels();
    void fitHeight(const QRectF &plotArea);

    std::shared_ptr<const DiffSession> m_session;
    std::vector<ckpt::ModuleChange> m_bars;
    std::vector<int> m_barOfEntry;
    std::size_t m_totalModules = 0;
    QComboBox *m_grouping;
    QLabel *m_note;
    QScrollArea *m_scroll;
    QChart *m_chart;
    QChartView *m_view;
    QBarSet *m_set = nullptr;
    QBarCategoryAxis *m_categories = nullptr;
    int m_rowPixels = 0; // the height of a bar's row, from the labels' font
    int m_labelWidth = -1; // what the labels are elided to
};

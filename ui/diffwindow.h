// SPDX-License-Identifier: MIT
// The visual diff of two checkpoints: one tree of the union of their names coloured by status, with a
// legend that filters by status, metric columns that sort, a bar chart of change per layer, the
// selected pair's histograms, and export as JSON or CSV. Comparing runs off the GUI thread.
#pragma once

#include "diffrunner.h"

#include <QMainWindow>

#include <array>
#include <memory>
#include <vector>

class DiffChartWidget;
class DiffPairWidget;
class DiffTreeModel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSplitter;
class QPushButton;
class QTimer;
class QToolButton;
class QTreeView;

class DiffWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit DiffWindow(QWidget *parent = nullptr);
    ~DiffWindow() override;

    // Compares a with b using the current settings.
    void compare(const DiffInput &a, const DiffInput &b);
    void recompare();
    DiffSettings settings() const;
    void setSettings(const DiffSettings &settings); // and compares again when inputs are set
    void setStatusFilter(unsigned mask); // bits of diffstyle::bit()
    unsigned statusFilter() const;
    // Selects the rows of these pairs (a bar's module) and shows the group they form.
    void selectEntries(const QString &module, const std::vector<std::size_t> &entries);
    bool exportDiff(const QString &path); // JSON or CSV by the extension

    DiffRunner *runner() const { return m_runner; }
    DiffTreeModel *model() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    DiffChartWidget *chart() const { return m_chart; }
    DiffPairWidget *pairView() const { return m_pair; }
    const std::shared_ptr<const DiffSession> &session() const { return m_session; }
    void selectEntry(int entry); // expands to the pair's row and makes it current
    // Selects the pair of this tensor name (A's state_dict name, or the paired name) once the comparison is done.
    void revealName(const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createWidgets();
    void createActions();
    void onFinished(std::shared_ptr<const DiffSession> session);
    void onFailed(const QString &message);
    void onCurrentChanged();
    void onSelectionChanged();
    void highlightSelectedBars();
    void applyStatusButtons();
    void applyNameFilter();
    void updateLegend();
    void updateSummary();
    void updateTitle();
    void setBusy(bool busy);
    void chooseFile(bool sideA);
    void exportDialog(const QString &suffix);
    void showError(const QString &title, const QString &message);
    void resizeColumns();
    void revealPending();

    DiffRunner *m_runner;
    DiffTreeModel *m_model;
    QSplitter *m_split = nullptr;
    std::shared_ptr<const DiffSession> m_session;
    DiffInput m_a, m_b;
    QLabel *m_pathA = nullptr;
    QLabel *m_pathB = nullptr;
    QLineEdit *m_stripA = nullptr;
    QLineEdit *m_stripB = nullptr;
    QLineEdit *m_atol = nullptr;
    QCheckBox *m_all = nullptr;
    QLabel *m_suggestion = nullptr;
    std::array<QToolButton *, 6> m_statusButtons{}; // by ckpt::DiffStatus
    QComboBox *m_preset = nullptr;
    QLineEdit *m_nameFilter = nullptr;
    QCheckBox *m_flat = nullptr;
    QTimer *m_filterTimer = nullptr;
    QTreeView *m_tree = nullptr;
    DiffChartWidget *m_chart = nullptr;
    DiffPairWidget *m_pair = nullptr;
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QList<QAction *> m_sessionActions; // enabled once there is a result
    QString m_reveal; // a name to select once the running comparison finishes
};

// SPDX-License-Identifier: MIT
// Transplanting weights: pick a pretrained source and a target, edit the key rules, watch the load report
// update live, then write the target with the copied weights (and optionally a freeze list).
#pragma once

#include "transplantplanner.h"

#include <QDialog>

#include <array>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;
class QTimer;
class QToolButton;
class TransplantReportModel;

class TransplantDialog : public QDialog
{
    Q_OBJECT
public:
    explicit TransplantDialog(QWidget *parent = nullptr);
    ~TransplantDialog() override;

    void openSource(const QString &path);
    void openTarget(const QString &path);
    void setTarget(std::shared_ptr<const ckpt::Checkpoint> checkpoint); // already open (the main window's)
    // Where the result goes (otherwise suggested beside the target) and the freeze list (empty: beside the
    // result, following it).
    void setOutputPaths(const QString &output, const QString &freezeList);

    // The rules as the editors say; throws ckpt::Error for an invalid rename.
    ckpt::TransplantRules rules() const;
    void setStatusFilter(unsigned mask);

    // Writes the output as Write does, without asking anything; false when it failed (the error is shown).
    bool writeOutput();

    TransplantPlanner *planner() const { return m_planner; }
    TransplantReportModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *pathEdit(TransplantPlanner::Side side) const { return m_paths[side]; }
    QPushButton *browseButton(TransplantPlanner::Side side) const { return m_browse[side]; }
    QComboBox *stateCombo(TransplantPlanner::Side side) const { return m_states[side]; }
    QLineEdit *stripEdit() const;
    QLineEdit *addEdit() const;
    QPlainTextEdit *renameEdit() const { return m_renames; }
    QLineEdit *includeEdit() const { return m_include; }
    QLineEdit *excludeEdit() const { return m_exclude; }
    QSpinBox *firstSpin() const { return m_first; }
    QLineEdit *outputEdit() const { return m_output; }
    QComboBox *freezeChoice() const { return m_freeze; }
    QLineEdit *freezePathEdit() const { return m_freezePath; }
    QCheckBox *openResultCheck() const { return m_openResult; }
    QLabel *suggestionLabel() const { return m_suggestion; }
    QLabel *ruleErrorLabel() const { return m_ruleError; }
    QPushButton *writeButton() const { return m_write; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *summaryLabel() const { return m_summary; }

signals:
    // The output was written and the user asked to open it.
    void openRequested(const QString &path);
    void written(const QString &path);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createWidgets();
    void rulesEdited();
    void applyRules();
    void onOpened(TransplantPlanner::Side side, const QString &path);
    void onOpenFailed(TransplantPlanner::Side side, const QString &path, const QString &message);
    void onPlanned(std::shared_ptr<const TransplantPlan> plan);
    void onPlanFailed(const QString &message);
    void applyStatusButtons();
    void updateSummary();
    void updateWriteButton();
    void resizeColumns();
    bool confirmOverwrites(); // asks before replacing an existing output or freeze list
    void suggestOutputPaths();
    void chooseSide(TransplantPlanner::Side side);
    void chooseOutput();
    void chooseFreezePath();
    void openSide(TransplantPlanner::Side side, const QString &path);

    TransplantPlanner *m_planner;
    TransplantReportModel *m_model;
    std::shared_ptr<const TransplantPlan> m_plan;
    std::array<QLineEdit *, 2> m_paths{};
    std::array<QPushButton *, 2> m_browse{};
    std::array<QComboBox *, 2> m_states{};
    std::array<QLabel *, 2> m_sideInfo{};
    QComboBox *m_strip = nullptr;
    QComboBox *m_add = nullptr;
    QPlainTextEdit *m_renames = nullptr;
    QLineEdit *m_include = nullptr;
    QLineEdit *m_exclude = nullptr;
    QSpinBox *m_first = nullptr;
    QLabel *m_ruleError = nullptr;
    QLabel *m_suggestion = nullptr;
    std::array<QToolButton *, ckpt::kTransplantStatusCount> m_statusButtons{};
    QLineEdit *m_nameFilter = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QLineEdit *m_output = nullptr;
    QComboBox *m_freeze = nullptr;
    QLineEdit *m_freezePath = nullptr;
    QPushButton *m_freezeBrowse = nullptr;
    QCheckBox *m_openResult = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_write = nullptr;
    QTimer *m_rulesTimer = nullptr;
    QTimer *m_filterTimer = nullptr;
    bool m_outputEdited = false; // the user chose the output path: stop suggesting one
    bool m_freezePathChosen = false; // the user chose the freeze list's path: stop following the output
};

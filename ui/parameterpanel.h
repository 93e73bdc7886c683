// SPDX-License-Identifier: MIT
// The left side of the main window: the filter row (glob or regex, freeze / unfreeze what matches) over
// the parameter tree with its checkboxes, keyboard handling, context menu and column sizing.
#pragma once

#include <QWidget>

class CheckpointDocument;
class ParameterTreeModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QTimer;
class QTreeView;
struct ParameterTree;

class ParameterPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ParameterPanel(QWidget *parent = nullptr);

    // Shows document's parameters (null: none), sizes the columns for all of its tensors and applies the filter.
    void setDocument(CheckpointDocument *document, ParameterTree tree);

    ParameterTreeModel *model() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    QAction *freezeMatchingAction() const { return m_freezeMatching; }
    QAction *unfreezeMatchingAction() const { return m_unfreezeMatching; }
    bool filterIsValid() const; // false while the typed pattern does not compile

    void focusFilter();
    void toggleCurrentFreeze(); // the current row's checkbox, as Space does
    // Freezes or unfreezes what the typed filter matches, then hands the keyboard to the tree so that the
    // next Ctrl+Z undoes the freeze and not the typing.
    void setMatchingFrozen(bool frozen);
    void selectTensor(int tensor); // expands to it, scrolls to it and makes it current
    // As model.state_dict() names the row's tensor; a group's dotted path.
    QString fullName(const QModelIndex &index) const;
    int nameColumnWidth() const;

signals:
    void currentTensorChanged(int tensor); // -1 for a group row or none
    void message(const QString &text, int timeoutMs);
    void compareRequested();
    void showInDiffRequested(const QString &name); // "Show in Diff With…" on a tensor's row

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter();
    void updateFilterActions();
    void sizeColumns();
    void copyName(const QModelIndex &index);
    void contextMenu(const QPoint &pos);

    CheckpointDocument *m_document = nullptr;
    ParameterTreeModel *m_model;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_filterMode = nullptr;
    QLabel *m_filterError = nullptr;
    QTreeView *m_tree = nullptr;
    QTimer *m_filterTimer = nullptr;
    QAction *m_freezeMatching = nullptr;
    QAction *m_unfreezeMatching = nullptr;
};

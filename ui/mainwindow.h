// SPDX-License-Identifier: MIT
// The main window: the parameter tree with freeze checkboxes and tools, the selected tensor's details,
// the checkpoint's other content, and saving. Long work runs off the GUI thread.
#pragma once

#include "checkpointloader.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class CheckpointDocument;
class DiffWindow;
struct DiffInput;
class EntryTableModel;
class ParameterTreeModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;
class QTreeView;
class SafetyBanner;
class TensorDetailsWidget;
class TransplantDialog;
struct TensorSummary;

namespace ckpt {
struct SaveOptions;
}

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Asks about unsaved freeze changes first (unless the caller already did).
    void openFile(const QString &path);

    CheckpointDocument *document() const { return m_document; }
    ParameterTreeModel *treeModel() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    CheckpointLoader *loader() const { return m_loader; }
    TensorDetailsWidget *details() const { return m_details; }
    SafetyBanner *safetyBanner() const { return m_safety; }

    // The file operations behind the menu items, without their file dialogs (also used by tests).
    bool exportFreezeList(const QString &path); // format from the extension: .json / .txt / .py
    bool importFreezeList(const QString &path);
    bool saveCheckpointAs(const QString &path, const ckpt::SaveOptions &options); // blocks with a progress dialog
    void freezeFirst(int n);
    bool freezeIndices(const QString &list);
    void setMatchingFrozen(bool frozen);
    // Opens a diff window comparing the open checkpoint (A, already read) with path (B).
    DiffWindow *compareWith(const QString &path);
    DiffWindow *compareFiles(const QString &a, const QString &b);
    // The transplant dialog with the open checkpoint (if any) as the target, and source when given.
    TransplantDialog *openTransplantDialog(const QString &source = {});

    // For --screenshot: expand, select a representative tensor; ready() once its details are shown.
    void prepareScreenshot();

signals:
    void screenshotReady();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createActions();
    void createWidgets();
    bool maybeDiscardChanges();
    void openDialog();
    void openFolderDialog();
    void compareDialog();
    DiffWindow *openDiffWindow(const DiffInput &a, const DiffInput &b);
    void saveFreezeList();
    void exportFreezeListDialog();
    void importFreezeListDialog();
    void saveCheckpointDialog();
    void preferencesDialog();
    void freezeFirstDialog();
    void freezeIndicesDialog();
    QString orderNote() const; // the file-order warning for first N / indices, or nothing
    void invertFreeze();
    void clearFreeze();
    void computeAllStatistics();
    void applyFilter();
    void onLoaded(const QString &path, const std::shared_ptr<LoadedCheckpoint> &result);
    void onLoadFailed(const QString &path, const QString &message);
    void onSelectionChanged();
    void onSummary(const TensorSummary &summary);
    void updateSummary();
    void updateTitle();
    void updateActions();
    void setBusy(bool busy, const QString &what = {});
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void showError(const QString &title, const QString &message);
    void toggleCurrentFreeze();
    QString fullName(const QModelIndex &index) const; // as model.state_dict() names it; a group's dotted path
    void copyName(const QModelIndex &index);
    void treeContextMenu(const QPoint &pos);

    CheckpointLoader *m_loader;
    CheckpointDocument *m_document = nullptr;
    ParameterTreeModel *m_model;
    EntryTableModel *m_entries;
    QTreeView *m_tree = nullptr;
    QTableView *m_entryView = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_filterMode = nullptr;
    QLabel *m_filterError = nullptr;
    QLabel *m_modelStateLabel = nullptr;
    TensorDetailsWidget *m_details = nullptr;
    SafetyBanner *m_safety = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_sideSplitter = nullptr;
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QTimer *m_filterTimer = nullptr;
    QMenu *m_recentMenu = nullptr;
    QString m_loadingPath;
    bool m_screenshotPending = false;
    int m_screenshotTensor = -1;

    QAction *m_saveFreezeAction = nullptr;
    QAction *m_freezeMatchingAction = nullptr;
    QAction *m_unfreezeMatchingAction = nullptr;
    QAction *m_exportFreezeAction = nullptr;
    QAction *m_importFreezeAction = nullptr;
    QAction *m_saveCheckpointAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QList<QAction *> m_documentActions; // enabled only with a document
};

// SPDX-License-Identifier: MIT
// The main window: menus, dialogs and routing between the parameter panel, the selected tensor's details,
// the checkpoint's other content and the diff / transplant windows. Long work runs off the GUI thread.
#pragma once

#include "checkpointloader.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class CheckpointDocument;
class CheckpointInfoPanel;
class DiffWindow;
struct DiffInput;
class ParameterPanel;
class ParameterTreeModel;
class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class RecentFilesMenu;
class QPushButton;
class QSplitter;
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
    ParameterPanel *parameters() const { return m_parameters; }
    ParameterTreeModel *treeModel() const;
    QTreeView *treeView() const;
    QLineEdit *filterEdit() const;
    CheckpointLoader *loader() const { return m_loader; }
    TensorDetailsWidget *details() const { return m_details; }
    SafetyBanner *safetyBanner() const { return m_safety; }

    // The file operations behind the menu items, without their file dialogs (also used by tests).
    bool exportFreezeList(const QString &path); // format from the extension: .json / .txt / .py
    bool importFreezeList(const QString &path);
    // Blocks with a progress dialog. written: what opens as the saved checkpoint (path, or the index of shards).
    bool saveCheckpointAs(const QString &path, const ckpt::SaveOptions &options, QString *written = nullptr);
    void freezeFirst(int n);
    bool freezeIndices(const QString &list);
    // Opens a diff window comparing the open checkpoint (A, already read) with path (B).
    DiffWindow *compareWith(const QString &path);
    DiffWindow *compareFiles(const QString &a, const QString &b);
    // The transplant dialog with the open checkpoint (if any) as the target, and source when given.
    TransplantDialog *openTransplantDialog(const QString &source = {});

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createWidgets();
    bool maybeDiscardChanges();
    void openDialog();
    void openFolderDialog();
    void compareDialog();
    void showInDiffDialog(const QString &name); // compare with a chosen file and select name there
    DiffWindow *openDiffWindow(const DiffInput &a, const DiffInput &b);
    void saveFreezeList();
    void exportFreezeListDialog();
    void importFreezeListDialog();
    void saveCheckpointDialog();
    void preferencesDialog();
    void freezeFirstDialog();
    void freezeIndicesDialog();
    QString orderNote() const; // the file-order warning for first N / indices, or nothing
    void computeAllStatistics();
    void onLoaded(const QString &path, const std::shared_ptr<LoadedCheckpoint> &result);
    void onLoadFailed(const QString &path, const QString &message);
    void onSummary(const TensorSummary &summary);
    void updateSummary();
    void updateTitle();
    void updateActions();
    void setBusy(bool busy, const QString &what = {});
    void showError(const QString &title, const QString &message);

    CheckpointLoader *m_loader;
    CheckpointDocument *m_document = nullptr;
    ParameterPanel *m_parameters = nullptr;
    TensorDetailsWidget *m_details = nullptr;
    CheckpointInfoPanel *m_info = nullptr;
    SafetyBanner *m_safety = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_sideSplitter = nullptr;
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    RecentFilesMenu *m_recentMenu = nullptr;
    QString m_loadingPath;

    QAction *m_saveFreezeAction = nullptr;
    QAction *m_exportFreezeAction = nullptr;
    QAction *m_importFreezeAction = nullptr;
    QAction *m_saveCheckpointAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QList<QAction *> m_documentActions; // enabled only with a document
};

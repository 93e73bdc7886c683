// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "errorbox.h"
#include "checkpoint.h"
#include "checkpointdocument.h"
#include "checkpointsaver.h"
#include "diffwindow.h"
#include "checkpointfiles.h"
#include "checkpointinfopanel.h"
#include "format/error.h"
#include "freezestate.h"
#include "inspectreport.h"
#include "parameterpanel.h"
#include "parametertreemodel.h"
#include "savecheckpointdialog.h"
#include "appsettings.h"
#include "preferencesdialog.h"
#include "recentfilesmenu.h"
#include "safetybanner.h"
#include "savejob.h"
#include "transplantdialog.h"
#include "tensordetailswidget.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QStandardPaths>
#include <QSplitter>
#include <QStatusBar>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <set>

namespace {
QString examplePath(const QString &name = QStringLiteral("example_training_checkpoint.pt"))
{
    // Installed next to the binary's share folder, or in the source tree when run from a build.
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString &candidate :
        {app + QStringLiteral("/../share/checkpoint-studio/examples/") + name, QStringLiteral(CKPT_SOURCE_DIR "/resources/examples/") + name})
        if (QFileInfo::exists(candidate))
            return QFileInfo(candidate).canonicalFilePath();
    return {};
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_loader(new CheckpointLoader(this))
{
    setAcceptDrops(true);
    createWidgets();
    createActions();
    connect(m_loader, &CheckpointLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &CheckpointLoader::failed, this, &MainWindow::onLoadFailed);
    connect(m_loader, &CheckpointLoader::cancelled, this, [this] {
        setBusy(false);
        m_summary->setText(tr("Opening cancelled."));
    });
    connect(m_loader, &CheckpointLoader::progress, this, [this](int percent) {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    });
    connect(m_details, &TensorDetailsWidget::summaryReady, this, &MainWindow::onSummary);
    updateTitle();
    updateActions();
    updateSummary();
    resize(1280, 800);
    appsettings::restoreWindow(this, QStringLiteral("main"));
    appsettings::restoreSplitter(m_mainSplitter, QStringLiteral("main"));
    appsettings::restoreSplitter(m_sideSplitter, QStringLiteral("mainSide"));
    m_details->setAutoStatistics(appsettings::autoStatistics());
}

MainWindow::~MainWindow()
{
    // The document's undo stack reports its clearing while children are destroyed: not to us any more.
    if (m_document) {
        m_document->undoStack()->disconnect(this);
        m_document->disconnect(this);
        delete m_document;
    }
}

ParameterTreeModel *MainWindow::treeModel() const
{
    return m_parameters->model();
}

QTreeView *MainWindow::treeView() const
{
    return m_parameters->treeView();
}

QLineEdit *MainWindow::filterEdit() const
{
    return m_parameters->filterEdit();
}

void MainWindow::createWidgets()
{
    // Left: the safety verdict over the filter row and the tree.
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 0, 4);
    m_safety = new SafetyBanner(left);
    leftLayout->addWidget(m_safety);
    m_parameters = new ParameterPanel(left);
    leftLayout->addWidget(m_parameters, 1);
    connect(m_parameters, &ParameterPanel::currentTensorChanged, this, [this](int tensor) { m_details->showTensor(tensor); });
    connect(m_parameters, &ParameterPanel::message, statusBar(), &QStatusBar::showMessage);
    connect(m_parameters, &ParameterPanel::compareRequested, this, &MainWindow::compareDialog);
    connect(m_parameters, &ParameterPanel::showInDiffRequested, this, &MainWindow::showInDiffDialog);

    // Right: details of the selected tensor above the rest of the checkpoint.
    m_details = new TensorDetailsWidget(this);
    m_info = new CheckpointInfoPanel(this);

    m_sideSplitter = new QSplitter(Qt::Vertical, this);
    m_sideSplitter->addWidget(m_details);
    m_sideSplitter->addWidget(m_info);
    m_sideSplitter->setStretchFactor(0, 3);
    m_sideSplitter->setStretchFactor(1, 2);
    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->addWidget(left);
    m_mainSplitter->addWidget(m_sideSplitter);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);
    setCentralWidget(m_mainSplitter);
    m_mainSplitter->setSizes({1000, 440});

    m_summary = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->hide();
    statusBar()->addWidget(m_summary, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, m_loader, &CheckpointLoader::cancel);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    QAction *openFolder = file->addAction(tr("Open &Folder…"), this, &MainWindow::openFolderDialog);
    openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openFolder->setToolTip(tr("Open a Hugging Face model folder (model.safetensors, sharded indexes, pytorch_model.bin)"));
    m_recentMenu = new RecentFilesMenu(tr("Open &Recent"), file);
    file->addMenu(m_recentMenu);
    connect(m_recentMenu, &RecentFilesMenu::openRequested, this, &MainWindow::openFile);
    QAction *compare = file->addAction(tr("Co&mpare With…"), this, &MainWindow::compareDialog);
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    compare->setToolTip(tr("Diff this checkpoint (A) against another one (B)"));
    QAction *transplant = file->addAction(tr("&Transplant Weights…"), this, [this] { openTransplantDialog(); });
    transplant->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    transplant->setToolTip(tr("Copy the weights whose names and shapes match from a pretrained checkpoint into this one"));
    file->addSeparator();
    m_saveFreezeAction = file->addAction(tr("&Save Freeze List"), this, &MainWindow::saveFreezeList);
    m_saveFreezeAction->setShortcut(QKeySequence::Save);
    m_saveFreezeAction->setToolTip(tr("Write frozen_layers.json beside the checkpoint (or where it was last exported)"));
    m_exportFreezeAction = file->addAction(tr("&Export Freeze List As…"), this, &MainWindow::exportFreezeListDialog);
    m_importFreezeAction = file->addAction(tr("&Import Freeze List…"), this, &MainWindow::importFreezeListDialog);
    file->addSeparator();
    m_saveCheckpointAction = file->addAction(tr("Save &Checkpoint As…"), this, &MainWindow::saveCheckpointDialog);
    m_saveCheckpointAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    m_documentActions << compare << m_saveFreezeAction << m_exportFreezeAction << m_importFreezeAction << m_saveCheckpointAction;

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = edit->addAction(tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = edit->addAction(tr("&Redo"));
    // QKeySequence::Redo is Ctrl+Shift+Z on Linux: listing both made one ambiguous shortcut that never fires.
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    for (const QKeySequence &extra : {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)})
        if (!redoKeys.contains(extra))
            redoKeys << extra;
    m_redoAction->setShortcuts(redoKeys);
    connect(m_undoAction, &QAction::triggered, this, [this] {
        if (m_document)
            m_document->undoStack()->undo();
    });
    connect(m_redoAction, &QAction::triggered, this, [this] {
        if (m_document)
            m_document->undoStack()->redo();
    });
    edit->addSeparator();
    QAction *find = edit->addAction(tr("&Find Parameters"), m_parameters, &ParameterPanel::focusFilter);
    find->setShortcut(QKeySequence::Find);
    edit->addSeparator();
    QAction *preferences = edit->addAction(tr("&Preferences…"), this, &MainWindow::preferencesDialog);
    preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));

    QMenu *freeze = menuBar()->addMenu(tr("F&reeze"));
    QAction *toggle = freeze->addAction(tr("&Toggle Selected"), m_parameters, &ParameterPanel::toggleCurrentFreeze);
    toggle->setShortcut(Qt::Key_Space);
    toggle->setShortcutContext(Qt::WidgetShortcut); // Space is handled in the tree (ParameterPanel::eventFilter)
    freeze->addSeparator();
    QAction *first = freeze->addAction(tr("Freeze &First N…"), this, &MainWindow::freezeFirstDialog);
    QAction *indices = freeze->addAction(tr("Freeze &Indices…"), this, &MainWindow::freezeIndicesDialog);
    freeze->addSeparator();
    QAction *invert = freeze->addAction(tr("&Invert"), this, [this] { m_document->invert(); });
    QAction *clear = freeze->addAction(tr("&Unfreeze All"), this, [this] { m_document->clear(); });
    m_documentActions << toggle << first << indices << invert << clear;

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *expand = view->addAction(tr("&Expand All"), treeView(), &QTreeView::expandAll);
    QAction *collapse = view->addAction(tr("&Collapse All"), treeView(), &QTreeView::collapseAll);
    view->addSeparator();
    QAction *stats = view->addAction(tr("Compute &Statistics for All Tensors"), this, &MainWindow::computeAllStatistics);
    m_documentActions << expand << collapse << stats;

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Open &Example Checkpoint"), this, [this] {
        const QString example = examplePath();
        if (example.isEmpty())
            showError(tr("Example not found"), tr("The bundled example checkpoint is not installed."));
        else
            openFile(example);
    });
    help->addAction(tr("&Compare Example Checkpoints"), this, [this] {
        const QString before = examplePath(), after = examplePath(QStringLiteral("example_finetuned.pt"));
        if (before.isEmpty() || after.isEmpty())
            showError(tr("Example not found"), tr("The bundled example checkpoints are not installed."));
        else
            compareFiles(before, after);
    });
    help->addAction(tr("&Transplant Example Weights"), this, [this] {
        const QString source = examplePath(), target = examplePath(QStringLiteral("example_new_task.pt"));
        if (source.isEmpty() || target.isEmpty()) {
            showError(tr("Example not found"), tr("The bundled example checkpoints are not installed."));
            return;
        }
        TransplantDialog *dialog = openTransplantDialog(source);
        dialog->openTarget(target);
        // The examples may be installed read-only: write the result where the user can.
        if (!QFileInfo(QFileInfo(target).absolutePath()).isWritable()) {
            const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
            dialog->setOutputPaths(dir + QStringLiteral("/example_new_task_transplanted.pt"), dir + QStringLiteral("/frozen_layers.json"));
        }
    });
    help->addAction(tr("&About Checkpoint Studio"), this, [this] {
        QMessageBox::about(this, tr("About Checkpoint Studio"),
            tr("<b>Checkpoint Studio %1</b><p>Inspect, freeze and save PyTorch checkpoints without Python "
               "and without running code from the file.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::updateActions()
{
    for (QAction *a : m_documentActions)
        a->setEnabled(m_document != nullptr);
    // Where Ctrl+S writes is in the item itself: "…/run3/frozen_layers.json".
    if (m_document) {
        const QFileInfo target(m_document->freezeListTarget());
        m_saveFreezeAction->setText(
            tr("&Save Freeze List to %1")
                .arg(QDir::toNativeSeparators(QStringLiteral("…/") + QFileInfo(target.absolutePath()).fileName() + QLatin1Char('/') + target.fileName())));
        m_saveFreezeAction->setToolTip(QDir::toNativeSeparators(target.absoluteFilePath()));
    } else {
        m_saveFreezeAction->setText(tr("&Save Freeze List"));
    }
    m_undoAction->setEnabled(m_document && m_document->undoStack()->canUndo());
    m_redoAction->setEnabled(m_document && m_document->undoStack()->canRedo());
    m_undoAction->setText(m_document && m_document->undoStack()->canUndo() ? tr("&Undo %1").arg(m_document->undoStack()->undoText()) : tr("&Undo"));
    m_redoAction->setText(m_document && m_document->undoStack()->canRedo() ? tr("&Redo %1").arg(m_document->undoStack()->redoText()) : tr("&Redo"));
}

void MainWindow::updateTitle()
{
    if (!m_document) {
        setWindowTitle(tr("Checkpoint Studio"));
        setWindowModified(false);
        return;
    }
    setWindowTitle(tr("%1[*] - Checkpoint Studio").arg(QFileInfo(m_document->path()).fileName()));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateSummary()
{
    if (!m_document) {
        m_summary->setText(tr("Open a checkpoint with File > Open (Ctrl+O), or drop one here."));
        return;
    }
    const ckpt::FreezeState &f = m_document->freeze();
    const std::uint64_t total = f.totalElements();
    const std::uint64_t frozen = f.frozenElements();
    const double percent = total ? 100.0 * static_cast<double>(frozen) / static_cast<double>(total) : 0.0;
    m_summary->setText(tr("%1 parameters: %2 trainable, %3 frozen (%4%)   |   %5 of %6 parameter tensors frozen   |   %7")
                           .arg(QString::fromStdString(ckpt::groupThousands(total)))
                           .arg(QString::fromStdString(ckpt::groupThousands(total - frozen)))
                           .arg(QString::fromStdString(ckpt::groupThousands(frozen)))
                           .arg(percent, 0, 'f', 1)
                           .arg(f.frozenCount())
                           .arg(f.parameters().size())
                           .arg(QString::fromLatin1(ckpt::formatName(m_document->checkpoint().format()))));
}

void MainWindow::setBusy(bool busy, const QString &what)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy) {
        m_progress->setRange(0, 0); // busy until the reader reports
        m_summary->setText(what);
    }
}

bool MainWindow::maybeDiscardChanges()
{
    if (!m_document || !m_document->isModified())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved freeze changes"),
        tr("The freeze state of %1 has changes that are not saved.").arg(QFileInfo(m_document->path()).fileName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save) {
        saveFreezeList();
        return !m_document->isModified();
    }
    return true;
}

void MainWindow::openFile(const QString &path)
{
    if (!maybeDiscardChanges())
        return;
    m_loadingPath = path;
    setBusy(true, tr("Reading %1 …").arg(QFileInfo(path).fileName()));
    m_loader->load(path);
}

void MainWindow::openDialog()
{
    const QString path = chooseCheckpoint(this, tr("Open Checkpoint"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::openFolderDialog()
{
    // A Hugging Face model folder: the reader picks model.safetensors(.index.json) or pytorch_model.bin(.index.json) in it.
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), appsettings::lastFolder(QStringLiteral("open")));
    if (dir.isEmpty())
        return;
    appsettings::setLastFolder(QStringLiteral("open"), dir);
    openFile(dir);
}

void MainWindow::onLoaded(const QString &path, const std::shared_ptr<LoadedCheckpoint> &result)
{
    setBusy(false);
    auto *old = m_document;
    if (old) {
        old->undoStack()->disconnect(this);
        old->disconnect(this);
    }
    m_document = new CheckpointDocument(result->checkpoint, std::move(result->freeze), result->freezeNote, this);
    m_safety->setReport(ckpt::safetyReport(result->checkpoint->raw()));
    connect(m_document, &CheckpointDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &CheckpointDocument::freezeChanged, this, &MainWindow::updateSummary);
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, &MainWindow::updateActions);
    m_parameters->setDocument(m_document, std::move(result->tree));
    m_details->setCheckpoint(result->checkpoint);
    m_details->setFreezeState(&m_document->freeze());
    connect(m_document, &CheckpointDocument::freezeChanged, m_details, &TensorDetailsWidget::refreshFreeze);
    delete old;

    m_info->setDocument(*m_document);
    m_recentMenu->add(path);
    updateTitle();
    updateActions();
    updateSummary();
}

void MainWindow::onLoadFailed(const QString &path, const QString &message)
{
    setBusy(false);
    updateSummary();
    showError(tr("Cannot open %1").arg(QFileInfo(path).fileName()), message);
}

void MainWindow::showError(const QString &title, const QString &message)
{
    showErrorBox(this, title, message);
}

void MainWindow::freezeFirst(int n)
{
    if (m_document)
        m_document->freezeFirst(static_cast<std::size_t>(std::max(n, 0)));
}

bool MainWindow::freezeIndices(const QString &list)
{
    if (!m_document)
        return false;
    try {
        m_document->freezeIndices(list);
        return true;
    } catch (const ckpt::Error &e) {
        showError(tr("Freeze indices"), QString::fromStdString(e.detail()));
        return false;
    }
}

QString MainWindow::orderNote() const
{
    if (!m_document || m_document->freeze().hasModelOrder())
        return {};
    return QStringLiteral("\n\n")
        + tr("Warning: this file stores its tensors in file order (safetensors and sharded checkpoints are usually\n"
             "sorted by name), not in model order. Counting here follows the file order.");
}

void MainWindow::freezeFirstDialog()
{
    if (!m_document)
        return;
    bool ok = false;
    const int n = QInputDialog::getInt(this, tr("Freeze First N"),
        tr("Freeze the first N parameters in model order (buffers excluded), as\n"
           "for i, (name, p) in enumerate(model.named_parameters()): if i < N: freeze")
            + orderNote(),
        10, 0, static_cast<int>(m_document->freeze().parameters().size()), 1, &ok);
    if (ok)
        freezeFirst(n);
}

void MainWindow::freezeIndicesDialog()
{
    if (!m_document)
        return;
    // A dialog of its own: an out-of-range entry is marked in place, with the input kept, instead of
    // closing and losing what was typed.
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Freeze Indices"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *label
        = new QLabel(tr("Parameter indices in model order (0 to %1), e.g. 0,1,5-9:").arg(m_document->freeze().parameters().size() - 1) + orderNote(), &dialog);
    auto *edit = new QLineEdit(&dialog);
    edit->setObjectName(QStringLiteral("indices"));
    auto *error = new QLabel(&dialog);
    error->setObjectName(QStringLiteral("error"));
    error->setStyleSheet(QStringLiteral("color: #b00020")); // untranslated: a style
    error->setWordWrap(true);
    error->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    layout->addWidget(label);
    layout->addWidget(edit);
    layout->addWidget(error);
    layout->addWidget(buttons);
    dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * 60);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        const QString list = edit->text().trimmed();
        if (list.isEmpty()) {
            dialog.reject();
            return;
        }
        try {
            m_document->freezeIndices(list);
            dialog.accept();
        } catch (const ckpt::Error &e) {
            error->setText(QString::fromStdString(e.detail()));
            error->show();
            dialog.adjustSize(); // room for the wrapped message below the input
            edit->setStyleSheet(QStringLiteral("border: 1px solid #b00020")); // untranslated: a style
            edit->setFocus();
        }
    });
    dialog.exec();
}

void MainWindow::onSummary(const TensorSummary &summary)
{
    if (summary.error.isEmpty())
        treeModel()->setStatistics(summary.tensor, summary.stats);
}

void MainWindow::computeAllStatistics()
{
    if (!m_document)
        return;
    const auto checkpoint = m_document->sharedCheckpoint();
    // All tensors in one pass of the block kernels over both cores, behind a progress dialog with Cancel.
    std::vector<ckpt::TensorStatistics> stats;
    const SaveJobResult result
        = runSaveJob(this, tr("Computing statistics…"), [&](const ckpt::Progress &progress) { stats = ckpt::computeStatistics(*checkpoint, &progress); });
    if (result.cancelled)
        return;
    if (!result.error.isEmpty()) {
        showError(tr("Cannot compute the statistics"), result.error);
        return;
    }
    for (std::size_t i = 0; i < stats.size(); ++i)
        if (stats[i].valid)
            treeModel()->setStatistics(static_cast<int>(i), stats[i]);
    statusBar()->showMessage(tr("Computed the statistics of %1 tensors").arg(stats.size()), 5000);
}

bool MainWindow::exportFreezeList(const QString &path)
{
    if (!m_document)
        return false;
    try {
        m_document->exportFreezeList(path);
        statusBar()->showMessage(tr("Exported %1 (%2 frozen); Save Freeze List still writes %3")
                                     .arg(QDir::toNativeSeparators(path))
                                     .arg(m_document->freeze().frozenCount())
                                     .arg(QDir::toNativeSeparators(m_document->freezeListTarget())),
            8000);
        return true;
    } catch (const ckpt::Error &e) {
        showError(tr("Cannot write the freeze list"), QString::fromStdString(e.what()));
    } catch (const std::exception &e) {
        showError(tr("Cannot write the freeze list"), QStringLiteral("%1: %2").arg(path, exceptionText(e)));
    }
    return false;
}

void MainWindow::saveFreezeList()
{
    if (!m_document)
        return;
    const QString target = m_document->freezeListTarget();
    try {
        const auto result = m_document->saveFreezeList();
        QString message = tr("Saved the freeze list to %1 (%2 frozen)").arg(QDir::toNativeSeparators(result.path)).arg(m_document->freeze().frozenCount());
        if (result.keptForeign)
            message += QLatin1Char(' ') + tr("and kept the %1 names of other checkpoints that were in it").arg(result.keptForeign);
        statusBar()->showMessage(message, 8000);
    } catch (const ckpt::Error &e) {
        showError(tr("Cannot save the freeze list"), QString::fromStdString(e.what()));
    } catch (const std::exception &e) {
        showError(tr("Cannot save the freeze list"), QStringLiteral("%1: %2").arg(target, exceptionText(e)));
    }
}

void MainWindow::exportFreezeListDialog()
{
    if (!m_document)
        return;
    // The format chosen in Preferences comes first: its filter is selected and the name has its extension.
    const QStringList filters{
        tr("frozen_layers.json (*.json)"), tr("Text list, one name per line (*.txt)"), tr("Python snippet with the optimizer filter (*.py)")};
    const auto format = appsettings::freezeListFormat();
    const int preferred = format == ckpt::FreezeListFormat::Text ? 1 : format == ckpt::FreezeListFormat::Python ? 2 : 0;
    QString selected = filters[preferred];
    const QStringList suffixes{QStringLiteral("json"), QStringLiteral("txt"), QStringLiteral("py")};
    // Beside the checkpoint, named after it: an export is a copy, never the list opening reads.
    const QFileInfo checkpoint(m_document->path());
    const QString folder = checkpoint.isDir() ? checkpoint.absoluteFilePath() : checkpoint.absolutePath();
    const QString suggested = folder + QLatin1Char('/') + checkpoint.completeBaseName() + QStringLiteral(".frozen.") + suffixes[preferred];
    QString path = QFileDialog::getSaveFileName(this, tr("Export Freeze List"), suggested, filters.join(QStringLiteral(";;")), &selected);
    if (path.isEmpty())
        return;
    // A name typed without an extension gets the chosen type's: the format follows the extension.
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + suffixes[std::max<qsizetype>(0, filters.indexOf(selected))];
    exportFreezeList(path);
}

bool MainWindow::importFreezeList(const QString &path)
{
    if (!m_document)
        return false;
    try {
        const auto unmatched = m_document->importFreezeList(path);
        if (!unmatched.empty())
            showError(tr("Freeze list imported"),
                tr("%1 names in %2 match no parameter of this checkpoint, e.g. %3")
                    .arg(unmatched.size())
                    .arg(QFileInfo(path).fileName(), QString::fromStdString(unmatched.front())));
        return true;
    } catch (const ckpt::Error &e) {
        showError(tr("Cannot import the freeze list"), QString::fromStdString(e.what()));
    } catch (const std::exception &e) {
        showError(tr("Cannot import the freeze list"), QStringLiteral("%1: %2").arg(path, exceptionText(e)));
    }
    return false;
}

void MainWindow::importFreezeListDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Freeze List"),
        QFileInfo(m_document ? m_document->freezeListTarget() : QString()).absolutePath(), tr("Freeze lists (*.json *.txt *.py);;All files (*)"));
    if (!path.isEmpty())
        importFreezeList(path);
}

bool MainWindow::saveCheckpointAs(const QString &path, const ckpt::SaveOptions &baseOptions, QString *written)
{
    if (!m_document)
        return false;
    ckpt::SaveOptions options = baseOptions;
    options.frozenNames = m_document->freeze().frozenNames();
    const auto checkpoint = m_document->sharedCheckpoint();
    const std::string target = path.toStdString();
    ckpt::SaveResult saved;
    const SaveJobResult result = runSaveJob(this, tr("Saving %1 …").arg(QFileInfo(path).fileName()), [&](const ckpt::Progress &progress) {
        ckpt::SaveOptions withProgress = options;
        withProgress.progress = &progress;
        saved = ckpt::saveCheckpoint(*checkpoint, target, withProgress);
    });
    if (result.cancelled) {
        statusBar()->showMessage(tr("Saving cancelled; nothing was written."), 5000);
        return false;
    }
    if (!result.ok()) {
        showError(tr("Cannot save the checkpoint"), result.error);
        return false;
    }
    if (written)
        *written = saved.files.empty() ? path : QString::fromStdString(saved.files.back());
    if (saved.files.size() > 1) // shards, then their index
        statusBar()->showMessage(tr("Saved %1 shards, listed in %2").arg(saved.files.size() - 1).arg(QString::fromStdString(saved.files.back())), 8000);
    else
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

void MainWindow::saveCheckpointDialog()
{
    if (!m_document)
        return;
    const QFileInfo in(m_document->path());
    const QString suggested = in.absolutePath() + QLatin1Char('/') + in.completeBaseName() + QStringLiteral("_edited.")
        + (in.suffix().isEmpty() ? QStringLiteral("pt") : in.suffix());
    SaveCheckpointDialog dialog(m_document->checkpoint(), suggested, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    ckpt::SaveOptions options = dialog.options();
    if (QFileInfo(dialog.path()) == QFileInfo(m_document->path())) {
        if (QMessageBox::question(
                this, tr("Replace the checkpoint?"), tr("%1 is the checkpoint you opened. Replace it with the saved version?").arg(dialog.path()))
            != QMessageBox::Yes)
            return;
        options.force = true;
    }
    QString written;
    if (saveCheckpointAs(dialog.path(), options, &written) && QMessageBox::question(this, tr("Saved"), tr("Open %1 now?").arg(written)) == QMessageBox::Yes)
        openFile(written);
}

void MainWindow::preferencesDialog()
{
    PreferencesDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        m_details->setAutoStatistics(appsettings::autoStatistics());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeDiscardChanges()) {
        event->ignore();
        return;
    }
    appsettings::saveWindow(this, QStringLiteral("main"));
    appsettings::saveSplitter(m_mainSplitter, QStringLiteral("main"));
    appsettings::saveSplitter(m_sideSplitter, QStringLiteral("mainSide"));
    if (m_document)
        appsettings::setColumnWidth(QStringLiteral("mainTreeName"), m_parameters->nameColumnWidth());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList files = droppedFiles(event->mimeData());
    if (files.size() >= 2) { // two checkpoints dropped together: compare them
        compareFiles(files[0], files[1]);
        return;
    }
    if (files.isEmpty())
        return;
    if (!m_document) {
        openFile(files.front());
        return;
    }
    // A second checkpoint dropped onto an open one: open it instead, or compare the two.
    QMenu menu(this);
    menu.addAction(tr("Open %1").arg(QFileInfo(files.front()).fileName()), this, [this, f = files.front()] { openFile(f); });
    menu.addAction(tr("Compare %1 with %2").arg(QFileInfo(m_document->path()).fileName(), QFileInfo(files.front()).fileName()), this,
        [this, f = files.front()] { compareWith(f); });
    menu.addSeparator();
    menu.addAction(tr("Cancel"));
    menu.exec(mapToGlobal(event->position().toPoint()));
}

DiffWindow *MainWindow::compareWith(const QString &path)
{
    if (!m_document)
        return nullptr;
    return openDiffWindow({m_document->path(), m_document->sharedCheckpoint()}, {path, nullptr});
}

TransplantDialog *MainWindow::openTransplantDialog(const QString &source)
{
    // Non-modal, so the document stays usable; the open checkpoint is the target and is not read again.
    auto *dialog = new TransplantDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &TransplantDialog::openRequested, this, &MainWindow::openFile);
    connect(dialog, &TransplantDialog::written, m_recentMenu, &RecentFilesMenu::add);
    if (m_document)
        dialog->setTarget(m_document->sharedCheckpoint());
    if (!source.isEmpty())
        dialog->openSource(source);
    dialog->show();
    return dialog;
}

DiffWindow *MainWindow::compareFiles(const QString &a, const QString &b)
{
    return openDiffWindow({a, nullptr}, {b, nullptr});
}

DiffWindow *MainWindow::openDiffWindow(const DiffInput &a, const DiffInput &b)
{
    // A window of its own, so that several comparisons and the document stay side by side.
    auto *window = new DiffWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    window->compare(a, b);
    m_recentMenu->add(b.path);
    return window;
}

void MainWindow::showInDiffDialog(const QString &name)
{
    if (!m_document)
        return;
    const QString path = chooseCheckpoint(this, tr("Show %1 in a Diff With").arg(name));
    if (path.isEmpty())
        return;
    if (DiffWindow *window = compareWith(path))
        window->revealName(name);
}

void MainWindow::compareDialog()
{
    if (!m_document)
        return;
    const QString path = chooseCheckpoint(this, tr("Compare %1 With").arg(QFileInfo(m_document->path()).fileName()));
    if (!path.isEmpty())
        compareWith(path);
}

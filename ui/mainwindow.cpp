#include "mainwindow.h"

#include "checkpoint.h"
#include "checkpointloader.h"
#include "inspectreport.h"
#include "tensortablemodel.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QTableView>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_loader(new CheckpointLoader(this))
    , m_model(new TensorTableModel(this))
    , m_view(new QTableView(this))
    , m_summary(new QLabel(this))
{
    setWindowTitle(tr("Checkpoint Studio"));
    setAcceptDrops(true);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(TensorTableModel::Name, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    setCentralWidget(m_view);
    statusBar()->addWidget(m_summary, 1);
    m_summary->setText(tr("Open a checkpoint with File > Open or drop one here."));

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open..."), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    connect(m_loader, &CheckpointLoader::loaded, this, &MainWindow::showCheckpoint);
    connect(m_loader, &CheckpointLoader::failed, this, &MainWindow::showError);
    resize(1000, 640);
}

MainWindow::~MainWindow() = default;

void MainWindow::openFile(const QString &path)
{
    m_summary->setText(tr("Reading %1 ...").arg(QFileInfo(path).fileName()));
    QApplication::setOverrideCursor(Qt::BusyCursor);
    m_loader->load(path);
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open checkpoint"), {},
        tr("Checkpoints (*.pt *.pth *.bin *.ckpt *.th *.tar *.gz *.safetensors *.json);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::showCheckpoint(const QString &path, std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    QApplication::restoreOverrideCursor();
    const auto *c = checkpoint.get();
    m_model->setCheckpoint(std::move(checkpoint));
    m_view->resizeColumnsToContents();
    for (int c = 0; c < TensorTableModel::ColumnCount; ++c) // breathing room between columns
        m_view->setColumnWidth(c, m_view->columnWidth(c) + 16);
    m_view->horizontalHeader()->setSectionResizeMode(TensorTableModel::Name, QHeaderView::Stretch);
    setWindowTitle(tr("%1 - Checkpoint Studio").arg(QFileInfo(path).fileName()));
    const auto &model = c->modelState();
    m_summary->setText(tr("%1 | %2 tensors | %3 parameters | %4 | model state: %5")
                           .arg(QString::fromLatin1(ckpt::formatName(c->format())))
                           .arg(c->tensors().size())
                           .arg(QString::fromStdString(ckpt::groupThousands(c->parameterCount())))
                           .arg(QString::fromStdString(ckpt::humanBytes(c->tensorBytes())))
                           .arg(!model.found() ? tr("not found")
                                : model.path.empty() ? tr("top level")
                                                     : QString::fromStdString(model.path)));
}

void MainWindow::showError(const QString &path, const QString &message)
{
    QApplication::restoreOverrideCursor();
    m_summary->setText(tr("Could not open %1").arg(QFileInfo(path).fileName()));
    // Window-modal and non-blocking: the previous document stays usable behind it.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot open checkpoint"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        openFile(urls.front().toLocalFile());
}

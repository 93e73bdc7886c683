// The main window: opens a checkpoint (file dialog, command line, drag and drop) and lists its tensors.
#pragma once

#include <QMainWindow>

#include <memory>

class CheckpointLoader;
class QLabel;
class QTableView;
class TensorTableModel;

namespace ckpt {
class Checkpoint;
}

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openFile(const QString &path);
    TensorTableModel *tensorModel() const { return m_model; }
    CheckpointLoader *loader() const { return m_loader; }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void openDialog();
    void showCheckpoint(const QString &path, std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    void showError(const QString &path, const QString &message);

    CheckpointLoader *m_loader;
    TensorTableModel *m_model;
    QTableView *m_view;
    QLabel *m_summary;
};

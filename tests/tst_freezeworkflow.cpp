// SPDX-License-Identifier: MIT
// Issue 14's freeze defects, each reproduced as a person meets it: keys through the window's shortcut map,
// clicks on the tree's check boxes and the filter row's buttons, menus opened with the mouse, and file and
// input dialogs answered through their own widgets. Every test here failed before its fix.
#include "testsupport.h"

#include "mainwindowdriver.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "freezestate.h"
#include "mainwindow.h"
#include "parametertreemodel.h"
#include "savecheckpointdialog.h"
#include "appsettings.h"
#include "checkpointsaver.h"
#include "difftreemodel.h"
#include "diffwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPointer>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

#include <functional>

using namespace testsupport;
using namespace mainwindowdriver;

namespace {
void pressKeys(MainWindow &window, const QKeySequence &keys)
{
    // After a dialog the window gets its activation back a moment later; shortcuts need it.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QWidget *target = QApplication::focusWidget() ? QApplication::focusWidget() : &window;
    QTest::keySequence(target, keys);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool showActive(MainWindow &window)
{
    window.show();
    window.activateWindow();
    return QTest::qWaitForWindowActive(&window);
}
} // namespace

class TestFreezeWorkflow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_freezeworkflow"));
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    // 1. Ctrl+S for B must not destroy A's freeze list in the same folder.
    void saveKeepsAnotherCheckpointsNames()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("A.pt")), b = dir.filePath(QStringLiteral("B.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), a));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/dtypes.pt"), b));
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, a));
        clickCheckBox(window, QStringLiteral("conv.weight"));
        clickCheckBox(window, QStringLiteral("fc.bias"));
        pressKeys(window, QKeySequence::Save);
        const QString list = dir.filePath(QStringLiteral("frozen_layers.json"));
        QCOMPARE(readFile(list), QByteArray("{\"conv.weight\": 0, \"fc.bias\": 0}"));

        QVERIFY(openAndWait(window, b));
        clickCheckBox(window, QStringLiteral("f16"));
        pressKeys(window, QKeySequence::Save);
        QCOMPARE(readFile(list), QByteArray("{\"f16\": 0, \"conv.weight\": 0, \"fc.bias\": 0}"));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("kept the 2 names of other checkpoints")));

        // A opens with its own decisions, B with its own.
        QVERIFY(openAndWait(window, a));
        QCOMPARE(window.document()->freeze().frozenNames(), (std::vector<std::string>{"conv.weight", "fc.bias"}));
        QVERIFY(openAndWait(window, b));
        QCOMPARE(window.document()->freeze().frozenNames(), std::vector<std::string>{"f16"});
    }

    // The same in ckpt freeze -o: both call core's foreignFreezeNames.
    void cliKeepsAnotherCheckpointsNames()
    {
        QTemporaryDir dir;
        const QString list = dir.filePath(QStringLiteral("frozen_layers.json"));
        QFile f(list);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"other.weight\": 0}");
        f.close();
        const auto r = runCkpt({QStringLiteral("freeze"), fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), QStringLiteral("--first"), QStringLiteral("1"),
            QStringLiteral("-o"), list});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(readFile(list), QByteArray("{\"conv.weight\": 0, \"other.weight\": 0}"));
        QVERIFY(r.err.contains("kept 1 names"));
    }

    // 2. After Export As, Ctrl+S still writes the list that opening reads, and says where.
    void ctrlSWritesWhereOpeningLooks()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), model));
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, model));
        QAction *save = menuItem(window, QStringLiteral("&File"), QStringLiteral("&Save Freeze List"));
        QVERIFY(save);
        QVERIFY2(save->text().endsWith(QStringLiteral("/frozen_layers.json")), qPrintable(save->text()));

        clickCheckBox(window, QStringLiteral("conv.weight"));
        // Export As, typed without an extension, with the text type chosen: the file gets .txt.
        const QString exported = dir.filePath(QStringLiteral("mylist"));
        whenModal<QFileDialog>([&](QFileDialog *d) {
            d->selectNameFilter(d->nameFilters().at(1));
            acceptFileDialog(d, exported);
        });
        QVERIFY(clickMenuItem(window, QStringLiteral("&File"), QStringLiteral("&Export Freeze List As")));
        QTRY_VERIFY(QFile::exists(exported + QStringLiteral(".txt")));
        QCOMPARE(readFile(exported + QStringLiteral(".txt")), QByteArray("conv.weight\n"));

        clickCheckBox(window, QStringLiteral("fc.weight"));
        pressKeys(window, QKeySequence::Save);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("frozen_layers.json"))), QByteArray("{\"conv.weight\": 0, \"fc.weight\": 0}"));
        QCOMPARE(readFile(exported + QStringLiteral(".txt")), QByteArray("conv.weight\n"));
        QVERIFY(window.statusBar()->currentMessage().contains(dir.filePath(QStringLiteral("frozen_layers.json"))));
        QVERIFY(!window.isWindowModified());

        QVERIFY(openAndWait(window, model));
        QCOMPARE(window.document()->freeze().frozenNames(), (std::vector<std::string>{"conv.weight", "fc.weight"}));
    }

    // 3. Every format Export writes imports back to the same state, in the app and in ckpt freeze --names-file.
    void everyExportImportsBack_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("json") << QStringLiteral("json");
        QTest::newRow("text") << QStringLiteral("txt");
        QTest::newRow("python") << QStringLiteral("py");
    }

    void everyExportImportsBack()
    {
        QFETCH(QString, suffix);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        clickCheckBox(window, QStringLiteral("bn.weight"));
        clickCheckBox(window, QStringLiteral("fc.bias"));
        const auto frozen = window.document()->freeze().frozenNames();
        const QString file = dir.filePath(QStringLiteral("list.") + suffix);
        QVERIFY(window.exportFreezeList(file));

        QVERIFY(clickMenuItem(window, QStringLiteral("F&reeze"), QStringLiteral("&Unfreeze All")));
        QTRY_COMPARE(window.document()->freeze().frozenCount(), std::size_t(0));
        whenModal<QFileDialog>([&](QFileDialog *d) { acceptFileDialog(d, file); });
        QVERIFY(clickMenuItem(window, QStringLiteral("&File"), QStringLiteral("&Import Freeze List")));
        QTRY_COMPARE(window.document()->freeze().frozenNames(), frozen);
        QVERIFY(!window.findChild<QMessageBox *>()); // no "names match no parameter"

        const auto r = runCkpt(
            {QStringLiteral("freeze"), fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), QStringLiteral("--clear"), QStringLiteral("--names-file"), file});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("{\"bn.weight\": 0, \"fc.bias\": 0}"));
    }

    void otherPythonIsRefused()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("train.py"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import torch\nmodel = torch.nn.Linear(2, 2)\n");
        f.close();
        const auto r = runCkpt({QStringLiteral("freeze"), fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), QStringLiteral("--names-file"), file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("FROZEN"), r.err.constData());
    }

    // 4. First N and indices on a file without model order say that they count in file order.
    void fileOrderIsSaid_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("fileOrder");
        QTest::newRow("torch.save: model order") << QStringLiteral("cnn_state_dict.pt") << false;
        QTest::newRow("safetensors: file order") << QStringLiteral("safetensors_plain.safetensors") << true;
        QTest::newRow("sharded: file order") << QStringLiteral("sharded_st") << true;
    }

    void fileOrderIsSaid()
    {
        QFETCH(QString, file);
        QFETCH(bool, fileOrder);
        const QString path = fixtureDir() + QLatin1Char('/') + file;
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, path));
        QString label;
        whenModal<QInputDialog>([&](QInputDialog *d) {
            label = d->labelText();
            d->reject();
        });
        QVERIFY(clickMenuItem(window, QStringLiteral("F&reeze"), QStringLiteral("Freeze &First N")));
        QTRY_VERIFY(!label.isEmpty());
        QCOMPARE(label.contains(QStringLiteral("file order")), fileOrder);

        const auto r = runCkpt({QStringLiteral("freeze"), path, QStringLiteral("--first"), QStringLiteral("1")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err.contains("file order"), fileOrder);
    }

    // 5. A regular expression that does not compile disables Freeze / Unfreeze matching; a click freezes nothing.
    void invalidRegexFreezesNothing()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        auto *mode = window.findChild<QComboBox *>();
        QVERIFY(mode);
        QLineEdit *filter = window.filterEdit();
        QTest::mouseClick(filter, Qt::LeftButton);
        QTest::keyClicks(filter, QStringLiteral("conv"));
        QToolButton *freezeMatching = nullptr;
        for (auto *b : window.findChildren<QToolButton *>())
            if (b->defaultAction() && b->defaultAction()->text() == QStringLiteral("Freeze matching"))
                freezeMatching = b;
        QVERIFY(freezeMatching);
        QTRY_VERIFY(freezeMatching->isEnabled());
        mode->setFocus();
        QTest::keyClick(mode, Qt::Key_Down); // Glob -> Regex
        QCOMPARE(mode->currentIndex(), 1);
        filter->selectAll();
        QTest::keyClicks(filter, QStringLiteral("blocks[("));
        QTRY_VERIFY(!freezeMatching->isEnabled());
        QTest::mouseClick(freezeMatching, Qt::LeftButton);
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(0));
    }

    // 6. Redo by keyboard, with each of its keys.
    void redoByKeyboard_data()
    {
        QTest::addColumn<QKeySequence>("redo");
        QTest::newRow("Ctrl+Shift+Z") << QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z);
        QTest::newRow("Ctrl+Y") << QKeySequence(Qt::CTRL | Qt::Key_Y);
    }

    void redoByKeyboard()
    {
        QFETCH(QKeySequence, redo);
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        clickCheckBox(window, QStringLiteral("conv.bias"));
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(1));
        pressKeys(window, QKeySequence::Undo);
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(0));
        pressKeys(window, redo);
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(1));
        window.document()->markSaved();
    }

    // 7. Ctrl+Z right after Freeze matching undoes the freeze, not the filter text.
    void undoAfterFreezeMatchingUndoesTheFreeze()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QLineEdit *filter = window.filterEdit();
        QTest::mouseClick(filter, Qt::LeftButton);
        QTest::keyClicks(filter, QStringLiteral("bn.*"));
        QToolButton *freezeMatching = nullptr;
        for (auto *b : window.findChildren<QToolButton *>())
            if (b->defaultAction() && b->defaultAction()->text() == QStringLiteral("Freeze matching"))
                freezeMatching = b;
        QVERIFY(freezeMatching);
        QTest::mouseClick(freezeMatching, Qt::LeftButton);
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(2));
        pressKeys(window, QKeySequence::Undo);
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(0));
        QCOMPARE(filter->text(), QStringLiteral("bn.*"));
    }

    // 17. Open Recent tells files of the same name apart by their folders, and shows the full path on hover.
    void recentFilesAreToldApart()
    {
        QSettings().setValue(QStringLiteral("recentFiles"),
            QStringList{QStringLiteral("/data/run1/last.ckpt"), QStringLiteral("/data/run2/last.ckpt"), QStringLiteral("/data/run2/best.pt")});
        MainWindow window;
        QMenu *recent = nullptr;
        for (QAction *a : window.menuBar()->actions())
            if (a->menu())
                for (QAction *item : a->menu()->actions())
                    if (item->menu() && item->text() == QStringLiteral("Open &Recent"))
                        recent = item->menu();
        QVERIFY(recent);
        QStringList labels, tips;
        for (QAction *a : recent->actions())
            if (!a->isSeparator()) {
                labels << a->text();
                tips << a->toolTip();
            }
        QCOMPARE(labels.mid(0, 3), (QStringList{QStringLiteral("&1 run1/last.ckpt"), QStringLiteral("&2 run2/last.ckpt"), QStringLiteral("&3 run2/best.pt")}));
        QCOMPARE(tips.mid(0, 3),
            (QStringList{QStringLiteral("/data/run1/last.ckpt"), QStringLiteral("/data/run2/last.ckpt"), QStringLiteral("/data/run2/best.pt")}));
        QVERIFY(recent->toolTipsVisible());
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            recent->grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/recent-menu.png"));
        QSettings().remove(QStringLiteral("recentFiles"));
    }

    // 18. Ctrl+C on a row copies the full state_dict name; the context menu freezes a subtree.
    void copyNameAndContextMenu()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QTreeView *view = window.treeView();
        const QModelIndex weight = findRow(window, QStringLiteral("bn.weight"));
        view->scrollTo(weight);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(weight).center());
        QCOMPARE(view->currentIndex().siblingAtColumn(0), weight);
        QTest::keySequence(view, QKeySequence::Copy);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("bn.weight"));

        QVERIFY(clickContextMenuItem(window, findRow(window, QStringLiteral("bn")), QStringLiteral("&Freeze This Subtree")));
        QCOMPARE(window.document()->freeze().frozenNames(), (std::vector<std::string>{"bn.weight", "bn.bias"}));
        window.document()->markSaved();
    }

    // 18. "Show in Diff With…" on a tensor's row compares the checkpoint with the chosen file and selects
    // that tensor's pair there, whether it changed or not.
    void showInDiffFromContextMenu_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("changed") << QStringLiteral("blocks.1.conv2.weight");
        QTest::newRow("identical") << QStringLiteral("stem.weight");
    }

    void showInDiffFromContextMenu()
    {
        QFETCH(QString, name);
        const QString examples = sourceDir() + QStringLiteral("/../resources/examples/");
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, examples + QStringLiteral("example_training_checkpoint.pt")));
        whenModal<QFileDialog>([&](QFileDialog *d) { acceptFileDialog(d, examples + QStringLiteral("example_finetuned.pt")); });
        QVERIFY(clickContextMenuItem(window, findRow(window, name), QStringLiteral("&Show in Diff With…")));
        DiffWindow *diff = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((diff =
                                         [] {
                                             for (QWidget *w : QApplication::topLevelWidgets())
                                                 if (auto *d = qobject_cast<DiffWindow *>(w); d && d->isVisible())
                                                     return d;
                                             return static_cast<DiffWindow *>(nullptr);
                                         }()),
            5000);
        QTRY_VERIFY_WITH_TIMEOUT(diff->session() && !diff->runner()->isRunning(), 60000);
        const QModelIndex current = diff->treeView()->currentIndex();
        QVERIFY(current.isValid());
        const int entry = diff->session()->tree.nodes[static_cast<std::size_t>(diff->model()->nodeOf(current))].entry;
        QVERIFY(entry >= 0);
        QCOMPARE(QString::fromStdString(diff->session()->result.entries[static_cast<std::size_t>(entry)].name), name);
        QVERIFY(diff->treeView()->visualRect(current).isValid()); // expanded and scrolled to
        QPointer<DiffWindow> closing(diff);
        diff->close(); // deletes itself
        QTRY_VERIFY(!closing);
    }

    // 14. File > Open Folder… opens a Hugging Face model folder.
    void openFolder()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        const QString folder = fixtureDir() + QStringLiteral("/sharded_st");
        whenModal<QFileDialog>([&](QFileDialog *d) { acceptFileDialog(d, folder); });
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        QVERIFY(clickMenuItem(window, QStringLiteral("&File"), QStringLiteral("Open &Folder")));
        QVERIFY(loaded.wait(60000));
        QVERIFY(window.document());
        QCOMPARE(window.document()->checkpoint().format(), ckpt::Format::Sharded);
    }

    // 20. Save Checkpoint As says which choices it remembered, and resets them on request.
    void saveDialogShowsRememberedChoices()
    {
        appsettings::setSaveChoices({true, QStringLiteral("float16"), false});
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/training_checkpoint.pt")));
        QString remembered;
        bool resetWorked = false;
        whenModal<SaveCheckpointDialog>([&](SaveCheckpointDialog *d) {
            auto *label = d->findChild<QLabel *>(QStringLiteral("remembered"));
            auto *reset = d->findChild<QPushButton *>(QStringLiteral("resetDefaults"));
            if (label && reset && label->isVisible()) {
                remembered = label->text();
                if (const QString shots = qEnvironmentVariable("CKPT_TEST_SCREENSHOTS"); !shots.isEmpty())
                    d->grab().save(shots + QStringLiteral("/save-remembered.png"));
                QTest::mouseClick(reset, Qt::LeftButton);
                const auto o = d->options();
                resetWorked = !label->isVisible() && !o.modelOnly && o.dtype == std::nullopt;
            }
            d->reject();
        });
        pressKeys(window, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
        QTRY_VERIFY(!remembered.isEmpty());
        QVERIFY2(remembered.contains(QStringLiteral("model state only")) && remembered.contains(QStringLiteral("float16")), qPrintable(remembered));
        QVERIFY(resetWorked);
        QVERIFY(!appsettings::saveChoices().modelOnly);
        QVERIFY(appsettings::saveChoices().dtype.isEmpty());
    }

    // 20b. A DeepSpeed folder saved from the dialog in shards: the box ticked and the size typed, a size that
    // is none keeps Save disabled and says why, and Save writes the shards and their index.
    void saveDialogWritesShards()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/deepspeed/ds_zero3_w3")));
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("model.safetensors"));
        bool refusedBits = false;
        QString failure;
        whenModal<SaveCheckpointDialog>([&](SaveCheckpointDialog *d) {
            auto *path = d->findChild<QLineEdit *>(QStringLiteral("path"));
            auto *shards = d->findChild<QCheckBox *>(QStringLiteral("shards"));
            auto *size = d->findChild<QLineEdit *>(QStringLiteral("shardSize"));
            auto *problem = d->findChild<QLabel *>(QStringLiteral("shardProblem"));
            auto *save = d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save);
            if (!path || !shards || !size || !problem || !save || !shards->isEnabled()) {
                d->reject();
                return;
            }
            path->selectAll();
            QTest::keyClicks(path, target);
            QTest::mouseClick(shards, Qt::LeftButton, {}, QPoint(8, shards->height() / 2));
            size->selectAll();
            QTest::keyClicks(size, QStringLiteral("5Gb"));
            refusedBits = !save->isEnabled() && problem->isVisible() && problem->text().contains(QStringLiteral("is not a size"));
            if (const QString shots = qEnvironmentVariable("CKPT_TEST_SCREENSHOTS"); !shots.isEmpty())
                d->grab().save(shots + QStringLiteral("/save-shards.png"));
            size->selectAll();
            QTest::keyClicks(size, QStringLiteral("500"));
            // Saved: the question offers the index, which opens all shards as one checkpoint. Any other box is a failure.
            whenModal<QMessageBox>([&](QMessageBox *box) {
                if (box->text() == QStringLiteral("Open %1.index.json now?").arg(target))
                    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
                else
                    failure = box->text() + box->informativeText(), box->close();
            });
            QTest::mouseClick(save, Qt::LeftButton);
        });
        pressKeys(window, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
        QTRY_VERIFY_WITH_TIMEOUT((window.document() && window.document()->checkpoint().format() == ckpt::Format::Sharded) || !failure.isEmpty(), 30000);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(refusedBits);
        QCOMPARE(window.document()->path(), target + QStringLiteral(".index.json"));
        QCOMPARE(window.document()->checkpoint().tensors().size(), std::size_t(14));
        const ProcessResult check = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {sourceDir() + QStringLiteral("/fixtures/check_saved.py"), QStringLiteral("shards"),
                fixtureDir() + QStringLiteral("/deepspeed/ds_zero3_w3.reference.pt"), target + QStringLiteral(".index.json"), QStringLiteral("500")});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    // 21. Closing does not wait for LibTorch to unregister its operators one by one: its finalisers never run
    // (glibc's LD_DEBUG=files lists every library it loads and every finaliser it calls). The statistics of a
    // complex tensor are LibTorch's; those of real tensors are the block kernels', which never load it.
    void closingSkipsLibTorchTeardown_data()
    {
        QTest::addColumn<QString>("tensor"); // Python for the one tensor shown
        QTest::addColumn<bool>("loadsLibTorch");
        QTest::newRow("complex64") << QStringLiteral("torch.randn(4, 3, dtype=torch.complex64)") << true;
        QTest::newRow("float32") << QStringLiteral("torch.randn(4, 3)") << false;
    }

    void closingSkipsLibTorchTeardown()
    {
        QFETCH(QString, tensor);
        QFETCH(bool, loadsLibTorch);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("one.pt"));
        const ProcessResult made = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {QStringLiteral("-c"), QStringLiteral("import sys, torch; torch.save({'weight': %1}, sys.argv[1])").arg(tensor), file});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const QString out = dir.filePath(QStringLiteral("shot.png"));
        const auto r = runProcess(binDir() + QStringLiteral("/checkpoint-studio"), {QStringLiteral("--screenshot"), out, file}, [](QProcess &p) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            env.insert(QStringLiteral("LD_DEBUG"), QStringLiteral("files"));
            p.setProcessEnvironment(env);
        });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(out));
        QCOMPARE(r.err.contains("libtorch_cpu.so"), loadsLibTorch);
        for (const QByteArray &line : r.err.split('\n'))
            QVERIFY2(!(line.contains("calling fini") && line.contains("libtorch")), line.constData());
    }

    // 15. An out-of-range index keeps the dialog open, with the input, and marks the error.
    void freezeIndicesKeepsTheDialogOnError()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QString errorShown, inputKept;
        bool stayedOpen = false;
        whenModal<QDialog>([&](QDialog *d) {
            auto *edit = d->findChild<QLineEdit *>(QStringLiteral("indices"));
            auto *error = d->findChild<QLabel *>(QStringLiteral("error"));
            auto *buttons = d->findChild<QDialogButtonBox *>();
            if (!edit || !error || !buttons)
                return d->reject();
            QTest::keyClicks(edit, QStringLiteral("0,99"));
            QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
            stayedOpen = d->isVisible();
            if (const QString shots = qEnvironmentVariable("CKPT_TEST_SCREENSHOTS"); !shots.isEmpty()) {
                QTest::qWait(50); // the relayout for the message
                d->grab().save(shots + QStringLiteral("/freeze-indices-error.png"));
            }
            errorShown = error->isVisible() ? error->text() : QString();
            inputKept = edit->text();
            edit->clear();
            QTest::keyClicks(edit, QStringLiteral("0,1"));
            QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        });
        QVERIFY(clickMenuItem(window, QStringLiteral("F&reeze"), QStringLiteral("Freeze &Indices")));
        QTRY_COMPARE(window.document()->freeze().frozenCount(), std::size_t(2));
        QVERIFY(stayedOpen);
        QVERIFY2(errorShown.contains(QStringLiteral("out of range")), qPrintable(errorShown));
        QCOMPARE(inputKept, QStringLiteral("0,99"));
        window.document()->markSaved();
    }
};

QTEST_MAIN(TestFreezeWorkflow)
#include "tst_freezeworkflow.moc"

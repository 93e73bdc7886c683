// SPDX-License-Identifier: MIT
// The main window used as a person would: open real fixtures, tick boxes with the mouse and Space,
// undo with the keyboard, filter, export frozen_layers.json and save a checkpoint PyTorch then loads.
#include "testsupport.h"

#include "mainwindowdriver.h"

#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "checkpointsaver.h"
#include "freezestate.h"
#include "mainwindow.h"
#include "parameterfilter.h"
#include "parameterpanel.h"
#include "parametertreemodel.h"
#include "savecheckpointdialog.h"
#include "screenshot.h"
#include "tensordetailswidget.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QToolButton>
#include <QProcess>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QStatusBar>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace testsupport;
using namespace mainwindowdriver;

namespace {
Qt::CheckState checkState(MainWindow &window, const QString &path)
{
    return static_cast<Qt::CheckState>(findRow(window, path, ParameterTreeModel::Frozen).data(Qt::CheckStateRole).toInt());
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear(); // window sizes and recent files of an earlier run must not change this one
    }

    void opensEveryFixture_data() { addFixtureRows(); }

    void opensEveryFixture()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        MainWindow window;
        QAbstractItemModelTester tester(window.treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(openAndWait(window, file));
        const int tensors = int(readJsonObject(expected).value(QStringLiteral("tensors")).toArray().size());
        QCOMPARE(int(window.treeModel()->tree().leafOfTensor.size()), tensors);
        QVERIFY(window.windowTitle().contains(QFileInfo(file).fileName()));
        QVERIFY(!window.isWindowModified());
    }

    void failureKeepsThePreviousDocument()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        CheckpointDocument *before = window.document();
        QSignalSpy failed(window.loader(), &CheckpointLoader::failed);
        const QString broken = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        window.openFile(broken);
        QVERIFY(failed.wait(60000));
        QCOMPARE(window.document(), before);
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY(box->text().contains(broken));
        QVERIFY(box->text().contains(QStringLiteral("not a PyTorch checkpoint")));
        box->close();
    }

    void cancellingALoadKeepsTheWindowUsable()
    {
        MainWindow window;
        QSignalSpy cancelled(window.loader(), &CheckpointLoader::cancelled);
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(fixtureDir() + QStringLiteral("/dtypes.pt"));
        window.loader()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(cancelled.size() + loaded.size() == 1, 60000); // a small file may finish first
        QVERIFY(!window.loader()->isLoading());
    }

    void freezeWithMouseAndKeyboard()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));

        // Mouse: tick the conv group, then untick one of its leaves.
        clickCheckBox(window, findRow(window, QStringLiteral("conv"), ParameterTreeModel::Frozen));
        QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::Checked);
        QCOMPARE(checkState(window, QStringLiteral("conv.bias")), Qt::Checked);
        clickCheckBox(window, findRow(window, QStringLiteral("conv.bias"), ParameterTreeModel::Frozen));
        QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::PartiallyChecked);
        QVERIFY(window.isWindowModified());
        QVERIFY(window.windowTitle().contains(QStringLiteral("[*]")));

        // Space toggles the current row.
        window.treeView()->setFocus();
        window.treeView()->setCurrentIndex(findRow(window, QStringLiteral("fc.weight")));
        QTest::keyClick(window.treeView(), Qt::Key_Space);
        QCOMPARE(checkState(window, QStringLiteral("fc.weight")), Qt::Checked);
        QTest::keyClick(window.treeView(), Qt::Key_Space);
        QCOMPARE(checkState(window, QStringLiteral("fc.weight")), Qt::Unchecked);

        // Ctrl+Z twice undoes the two Space toggles, a third the leaf untick; Ctrl+Shift+Z redoes.
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(checkState(window, QStringLiteral("fc.weight")), Qt::Checked);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::Checked);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::PartiallyChecked);

        // Buffers cannot be frozen: clicking where a box would be changes nothing.
        const std::size_t frozenBefore = window.document()->freeze().frozenCount();
        clickCheckBox(window, findRow(window, QStringLiteral("bn.running_mean"), ParameterTreeModel::Frozen));
        QCOMPARE(window.document()->freeze().frozenCount(), frozenBefore);

        // Ctrl+F goes to the filter; a glob narrows the tree; "freeze matching" freezes what it shows.
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QVERIFY(window.filterEdit()->hasFocus());
        QTest::keyClicks(window.filterEdit(), QStringLiteral("*.bias"));
        QTRY_COMPARE(window.treeModel()->rowCount(), 3); // conv, bn, fc have a bias (after the typing pause)
        QToolButton *freezeMatching = nullptr;
        for (auto *b : window.findChildren<QToolButton *>())
            if (b->defaultAction() == window.parameters()->freezeMatchingAction())
                freezeMatching = b;
        QVERIFY(freezeMatching && freezeMatching->isEnabled());
        QTest::mouseClick(freezeMatching, Qt::LeftButton);
        QVERIFY(window.document()->freeze().isFrozen(std::string_view("bn.bias")));
        QVERIFY(window.document()->freeze().isFrozen(std::string_view("fc.bias")));
        window.filterEdit()->clear();
        QTRY_COMPARE(window.treeModel()->rowCount(), 4);
        window.document()->markSaved(); // lets the window close without asking
    }

    void freezeTemplatesAndExport_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("first 3") << QStringLiteral("first") << QStringLiteral("3") << QByteArray("{\"conv.weight\": 0, \"conv.bias\": 0, \"bn.weight\": 0}");
        QTest::newRow("indices") << QStringLiteral("indices") << QStringLiteral("0,4-5")
                                 << QByteArray("{\"conv.weight\": 0, \"fc.weight\": 0, \"fc.bias\": 0}");
        QTest::newRow("first 2 inverted") << QStringLiteral("invert") << QStringLiteral("2")
                                          << QByteArray("{\"bn.weight\": 0, \"bn.bias\": 0, \"fc.weight\": 0, \"fc.bias\": 0, \"embed.weight\": 0}");
    }

    void freezeTemplatesAndExport()
    {
        QFETCH(QString, action);
        QFETCH(QString, argument);
        QFETCH(QByteArray, json);
        MainWindow window;
        window.show(); // the menu bar takes clicks
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        if (action == QLatin1String("first")) {
            window.freezeFirst(argument.toInt());
        } else if (action == QLatin1String("indices")) {
            QVERIFY(window.freezeIndices(argument));
        } else {
            // Freeze > Invert, clicked in the menu.
            window.freezeFirst(argument.toInt());
            QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::Checked);
            QCOMPARE(checkState(window, QStringLiteral("fc")), Qt::Unchecked);
            const int undoSteps = window.document()->undoStack()->count();
            QVERIFY(clickMenuItem(window, QStringLiteral("F&reeze"), QStringLiteral("&Invert")));
            QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(5));
            QVERIFY(!window.document()->freeze().isFrozen(std::string_view("conv.weight")));
            QVERIFY(window.document()->freeze().isFrozen(std::string_view("embed.weight")));
            QCOMPARE(checkState(window, QStringLiteral("conv")), Qt::Unchecked);
            QCOMPARE(checkState(window, QStringLiteral("bn")), Qt::Checked);
            QCOMPARE(checkState(window, QStringLiteral("fc.bias")), Qt::Checked);
            QCOMPARE(window.document()->undoStack()->count(), undoSteps + 1); // one step, undone with Ctrl+Z
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("frozen_layers.json"));
        QVERIFY(window.isWindowModified());
        QVERIFY(window.exportFreezeList(path));
        QVERIFY(window.isWindowModified()); // an export is a copy: Save Freeze List still writes beside the checkpoint
        QCOMPARE(readFile(path), json);
        // And the same list comes back in through Import.
        window.freezeFirst(0);
        window.document()->setFrozen(std::vector<bool>(window.document()->freeze().parameters().size(), false), QStringLiteral("clear"));
        QVERIFY(window.importFreezeList(path));
        QVERIFY(window.exportFreezeList(dir.filePath(QStringLiteral("again.json"))));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("again.json"))), json);
        window.document()->markSaved();
    }

    void badIndicesAreExplained()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QVERIFY(!window.freezeIndices(QStringLiteral("0,99")));
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral("out of range")));
        QCOMPARE(window.document()->freeze().frozenCount(), std::size_t(0));
        box->close();
    }

    void saveCheckpointLoadsInPyTorch()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/training_checkpoint.pt")));
        window.freezeFirst(2);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("model_only.pt"));
        ckpt::SaveOptions options;
        options.modelOnly = true;
        options.storeFreeze = true;
        QVERIFY(window.saveCheckpointAs(out, options));
        const ProcessResult grads
            = runProcess(QStringLiteral(CKPT_TEST_PYTHON), {sourceDir() + QStringLiteral("/fixtures/check_saved.py"), QStringLiteral("requires-grad"), out});
        QVERIFY2(grads.exitCode == 0, grads.err.constData());
        const QJsonObject g = QJsonDocument::fromJson(grads.out).object();
        const auto &params = window.document()->freeze().parameters();
        QCOMPARE(g.size(), int(params.size()));
        for (std::size_t i = 0; i < params.size(); ++i)
            QCOMPARE(g.value(QString::fromStdString(params[i].name)).toBool(), i >= 2);
        window.document()->markSaved();
    }

    void detailsShowStatisticsAndHistogram()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/dtypes.pt")));
        QSignalSpy ready(window.details(), &TensorDetailsWidget::summaryReady);
        window.treeView()->setCurrentIndex(findRow(window, QStringLiteral("special")));
        QVERIFY(ready.wait(60000));
        const auto summary = ready.first().at(0).value<TensorSummary>();
        QCOMPARE(summary.stats.nan, std::uint64_t(1));
        QCOMPARE(summary.stats.posInf + summary.stats.negInf, std::uint64_t(2));
        QVERIFY(!summary.histogram.counts.empty());
        QVERIFY(!summary.firstValues.empty());
        // The tree shows the statistics once computed.
        QVERIFY(!findRow(window, QStringLiteral("special"), ParameterTreeModel::Mean).data().toString().isEmpty());
    }

    // View > Compute Statistics for All Tensors, clicked in the menu: every tensor of the block-edge fixture
    // gets its statistics in the tree, as torch gives them (stats.json), and the status bar says so.
    void computeStatisticsForAllTensorsFromTheMenu()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(openAndWait(window, fixtureDir() + QStringLiteral("/stats_blocks.pt")));
        QVERIFY(findRow(window, QStringLiteral("f32_transposed"), ParameterTreeModel::Mean).data().toString().isEmpty());
        QVERIFY(clickMenuItem(window, QStringLiteral("&View"), QStringLiteral("Compute &Statistics")));
        const QJsonArray oracle = readJsonObject(fixtureDir() + QStringLiteral("/stats.json")).value(QStringLiteral("stats_blocks.pt")).toArray();
        QVERIFY(oracle.size() >= 20);
        int checked = 0;
        for (const auto &v : oracle) {
            const QJsonObject e = v.toObject();
            const QString name = e.value(QStringLiteral("name")).toString();
            const QModelIndex mean = findRow(window, name, ParameterTreeModel::Mean);
            QVERIFY2(mean.isValid(), qPrintable(name));
            if (!e.value(QStringLiteral("mean")).isDouble())
                continue;
            bool ok = false;
            const double shown = mean.data().toString().toDouble(&ok); // four significant digits
            const double torch = e.value(QStringLiteral("mean")).toDouble();
            QVERIFY2(ok && std::abs(shown - torch) <= 5e-4 * std::abs(torch),
                qPrintable(name + QStringLiteral(": ") + mean.data().toString() + QStringLiteral(" shown, torch ") + QString::number(torch, 'g', 17)));
            ++checked;
        }
        QVERIFY(checked >= 18);
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            window.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/statistics-for-all.png"));
        QVERIFY2(window.statusBar()->currentMessage().contains(QString::number(oracle.size())), qPrintable(window.statusBar()->currentMessage()));
    }

    // A per-channel quantized weight: its quantizer in the details, statistics over the dequantized values
    // (as Tensor.dequantize() gives them), and the title names it by its state_dict key.
    void detailsOfAQuantizedTensor()
    {
        MainWindow window;
        window.show();
        const QString file = fixtureDir() + QStringLiteral("/quantized_checkpoint.pt");
        QVERIFY(openAndWait(window, file));
        QSignalSpy ready(window.details(), &TensorDetailsWidget::summaryReady);
        const QModelIndex row = findRow(window, QStringLiteral("conv.weight"));
        QVERIFY(row.isValid());
        window.treeView()->scrollTo(row);
        QTest::mouseClick(window.treeView()->viewport(), Qt::LeftButton, {}, window.treeView()->visualRect(row).center());
        QVERIFY(ready.wait(60000));
        const auto summary = ready.first().at(0).value<TensorSummary>();
        QVERIFY(summary.stats.dequantized);
        const ProcessResult py = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {QStringLiteral("-c"),
                QStringLiteral("import sys,torch; w=torch.load(sys.argv[1])['model_state_dict']['conv.weight'].dequantize().double(); "
                               "print(repr(w.mean().item()), repr(w.min().item()), repr(w.max().item()))"),
                file});
        QVERIFY2(py.exitCode == 0, py.err.constData());
        const QList<QByteArray> expected = py.out.trimmed().split(' ');
        QCOMPARE(expected.size(), 3);
        QVERIFY(qAbs(summary.stats.mean - expected[0].toDouble()) <= 1e-6 * (1 + qAbs(expected[0].toDouble())));
        QCOMPARE(float(summary.stats.min), float(expected[1].toDouble()));
        QCOMPARE(float(summary.stats.max), float(expected[2].toDouble()));
        QStringList labels;
        for (const QLabel *l : window.details()->findChildren<QLabel *>())
            labels << l->text();
        const QString all = labels.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("qint8 (per_channel_affine, axis 0, 4 scales")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("dequantized: mean")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("conv.weight\nin model_state_dict/conv.weight")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("no: a buffer")), qPrintable(all)); // quantized weights do not train
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) // for looking at the details panel, laid out
            QTest::qWait(300), window.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/quantized-details.png"));
    }

    // "Export only the model parameters" of a TorchScript archive, through Ctrl+Shift+S and the dialog's
    // controls: the module's state_dict() as a torch.save zip that PyTorch loads with weights_only=True.
    void torchScriptModelStateThroughTheDialog()
    {
        MainWindow window;
        window.show();
        const QString source = fixtureDir() + QStringLiteral("/torchscript_model.pt");
        QVERIFY(openAndWait(window, source));
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("ts_state_dict.pt"));
        QString note;
        bool dialogSeen = false;
        QTimer::singleShot(0, &window, [&] {
            auto *dialog = window.findChild<SaveCheckpointDialog *>();
            if (!dialog)
                return;
            dialogSeen = true;
            dialog->findChildren<QLineEdit *>().constFirst()->setText(out);
            QCheckBox *modelOnly = dialog->findChildren<QCheckBox *>().constFirst();
            if (modelOnly->isEnabled())
                QTest::mouseClick(modelOnly, Qt::LeftButton, {}, QPoint(8, modelOnly->height() / 2));
            for (const QLabel *l : dialog->findChildren<QLabel *>())
                note += l->text();
            if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) // for looking at the dialog
                dialog->grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/save-torchscript-model-state.png"));
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
        });
        // "Open it now?" comes once the file is written: answered No.
        QTimer answerNo;
        connect(&answerNo, &QTimer::timeout, &window, [&] {
            for (QMessageBox *box : window.findChildren<QMessageBox *>())
                if (box->isVisible() && box->button(QMessageBox::No))
                    box->button(QMessageBox::No)->click();
        });
        answerNo.start(50);
        QTest::keySequence(&window, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
        answerNo.stop();
        QVERIFY(dialogSeen);
        QVERIFY2(note.contains(QLatin1String("state_dict()")), qPrintable(note));
        QVERIFY(QFileInfo::exists(out));
        QCOMPARE(ckpt::Checkpoint::open(out.toStdString())->format(), ckpt::Format::TorchZip);
        const ProcessResult check = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {sourceDir() + QStringLiteral("/fixtures/check_saved.py"), QStringLiteral("model-state"), source, out, QString()});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    void closingAsksAboutUnsavedFreezeChanges_data()
    {
        QTest::addColumn<int>("answer");
        QTest::addColumn<bool>("closes");
        QTest::addColumn<bool>("listWritten");
        QTest::newRow("cancel keeps the window") << int(QMessageBox::Cancel) << false << false;
        QTest::newRow("discard closes") << int(QMessageBox::Discard) << true << false;
        QTest::newRow("save writes the list, then closes") << int(QMessageBox::Save) << true << true;
    }

    void closingAsksAboutUnsavedFreezeChanges()
    {
        QFETCH(int, answer);
        QFETCH(bool, closes);
        QFETCH(bool, listWritten);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), file));
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, file));
        window.freezeFirst(2);
        QVERIFY(window.isWindowModified());
        QString question;
        QTimer::singleShot(0, &window, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            question = box->text();
            box->button(QMessageBox::StandardButton(answer))->click();
        });
        QCOMPARE(window.close(), closes);
        QVERIFY(question.contains(QStringLiteral("not saved")));
        QCOMPARE(QFile::exists(dir.filePath(QStringLiteral("frozen_layers.json"))), listWritten);
        if (listWritten)
            QCOMPARE(readFile(dir.filePath(QStringLiteral("frozen_layers.json"))), QByteArray("{\"conv.weight\": 0, \"conv.bias\": 0}"));
        window.document()->markSaved();
    }

    void recentFilesRemembersWhatWasOpened()
    {
        MainWindow window;
        const QString file = fixtureDir() + QStringLiteral("/views.pt");
        QVERIFY(openAndWait(window, file));
        const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
        QVERIFY(!recent.isEmpty());
        QCOMPARE(recent.front(), QFileInfo(file).absoluteFilePath());
        // A second window offers it in File > Open Recent.
        MainWindow other;
        bool found = false;
        for (QAction *a : other.findChildren<QAction *>())
            found = found || a->toolTip() == QFileInfo(file).absoluteFilePath();
        QVERIFY(found);
    }

    // A tensor of a folder of ranks' files shows where it was put together from; one of a plain file shows no
    // such row.
    void detailsShowTheLayoutOfFolders_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("row");
        QTest::addColumn<QString>("layout"); // empty: the row is hidden
        QTest::newRow("dcp, row-sharded") << fixtureDir() + QStringLiteral("/dcp/dcp_new") << QStringLiteral("embed.weight")
                                          << QStringLiteral("2 chunks: [3, 4] at offsets [0, 0] in __0_0.distcp; [2, 4] at offsets [3, 0] in __1_0.distcp");
        QTest::newRow("deepspeed zero-3") << fixtureDir() + QStringLiteral("/deepspeed/ds_zero3_w3") << QStringLiteral("proj.bias")
                                          << QStringLiteral("fp32 master weight: 3 elements on each of 3 ranks (2 of padding)");
        QTest::newRow("plain file") << fixtureDir() + QStringLiteral("/cnn_state_dict.pt") << QStringLiteral("conv.weight") << QString();
    }

    void detailsShowTheLayoutOfFolders()
    {
        QFETCH(QString, path);
        QFETCH(QString, row);
        QFETCH(QString, layout);
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, path));
        const QModelIndex index = findRow(window, row);
        QVERIFY(index.isValid());
        window.treeView()->scrollTo(index);
        QTest::mouseClick(window.treeView()->viewport(), Qt::LeftButton, {}, window.treeView()->visualRect(index).center());
        auto *label = window.details()->findChild<QLabel *>(QStringLiteral("layout"));
        QVERIFY(label);
        QCOMPARE(label->isVisible(), !layout.isEmpty());
        QVERIFY2(label->text().startsWith(layout), qPrintable(label->text()));
    }

    // checkpoint-studio --screenshot renders the window with the checkpoint in it: the parameter tree's names
    // where a window of this process, opened the same way, draws them.
    void screenshotOption()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("window.png"));
        const QString file = sourceDir() + QStringLiteral("/../resources/examples/example_training_checkpoint.pt");
        const ProcessResult r = runStudioScreenshot(png, {file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1000 && image.height() >= 600);

        // The reference: as checkpoint-studio's main() does it, with default settings.
        QSettings().clear();
        MainWindow reference;
        reference.resize(1440, 900);
        reference.show();
        QVERIFY(QTest::qWaitForWindowExposed(&reference));
        bool ready = false;
        QVERIFY(openAndWait(reference, file));
        screenshot::prepare(reference, [&ready] { ready = true; });
        QTRY_VERIFY_WITH_TIMEOUT(ready, 60000);
        QTest::qWait(300);
        const int rows = std::min(6, reference.treeModel()->rowCount());
        QVERIFY(rows >= 2);
        checkScreenshotContent(image, &reference, reference.treeView(), ParameterTreeModel::Name, rows);
        if (QTest::currentTestFailed() && qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) {
            image.save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/main-screenshot.png"));
            reference.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/main-reference.png"));
        }
    }
};

Q_DECLARE_METATYPE(TensorSummary)

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

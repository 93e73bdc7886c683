// SPDX-License-Identifier: MIT
// The transplant dialog used as a person would: open a pretrained source and a target (by path, by drop,
// or from the main window's open checkpoint), follow the prefix hint, edit rules and watch the report
// change, filter it, and write the result and a freeze list; the planner and the report model alone.
// Issue 14: Enter in a path field opens that path and no file dialog, the progress of reading ends when
// the reading does, and the freeze list lands beside the output.
#include "testsupport.h"

#include "mainwindowdriver.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "dropfiles.h"
#include "freezestate.h"
#include "mainwindow.h"
#include "transplantdialog.h"
#include "transplantplanner.h"
#include "transplantreportmodel.h"
#include "transplantstatusstyle.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>

using namespace testsupport;
using ckpt::TransplantStatus;
using mainwindowdriver::clickMenuItem;

Q_DECLARE_METATYPE(std::shared_ptr<const TransplantPlan>)

namespace {
QString caseFile(const char *caseName, const char *key)
{
    return transplantCase(QString::fromLatin1(caseName)).value(QLatin1String(key)).toString();
}

// The next plan the planner delivers (opening files and rule edits both end in one).
std::shared_ptr<const TransplantPlan> nextPlan(TransplantPlanner *planner, const std::function<void()> &trigger)
{
    QSignalSpy planned(planner, &TransplantPlanner::planned);
    trigger();
    if (!planned.wait(30000))
        return nullptr;
    // Rules edited quickly may plan twice; the last one counts.
    while (planned.wait(300)) { }
    return planned.last().at(0).value<std::shared_ptr<const TransplantPlan>>();
}

bool bothOpen(TransplantDialog &dialog, const QString &source, const QString &target)
{
    return nextPlan(dialog.planner(), [&] {
        dialog.openSource(source);
        dialog.openTarget(target);
    }) != nullptr;
}

std::size_t copied(const TransplantDialog &dialog)
{
    const auto &plan = dialog.model()->plan();
    return plan ? plan->report.count(TransplantStatus::Copied) : 0;
}

// Replaces a field's text as a person does: click into it, select all, type.
void retype(QLineEdit *edit, const QString &text)
{
    QTest::mouseClick(edit, Qt::LeftButton);
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
}

// Records and dismisses every modal window that opens while it lives, as a person closing a dialog they did
// not ask for would; a modal dialog's exec() would otherwise never return in a test.
class ModalGuard
{
public:
    ModalGuard()
    {
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            QWidget *modal = QApplication::activeModalWidget();
            if (!modal)
                return;
            m_seen << QStringLiteral("%1 \"%2\"").arg(QString::fromLatin1(modal->metaObject()->className()), modal->windowTitle());
            if (auto *dialog = qobject_cast<QDialog *>(modal))
                dialog->reject();
            else
                modal->close();
        });
        m_timer.start();
    }
    const QStringList &seen() const { return m_seen; }
    void clear() { m_seen.clear(); }

private:
    QTimer m_timer;
    QStringList m_seen;
};

} // namespace

class TestTransplantDialog : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        qRegisterMetaType<std::shared_ptr<const TransplantPlan>>();
        QVERIFY(m_dir.isValid());
    }

    // Issue 14.8: with Browse… the default button, Enter in a path field opened a file dialog as well, and
    // the path typed next went into that dialog and replaced the source.
    void enterInAPathFieldOpensNoDialog_data()
    {
        QTest::addColumn<int>("field"); // a side, or -1 for the output
        QTest::addColumn<QString>("before"); // what the person did first
        for (const auto &[name, field] : {std::pair{"source", int(TransplantPlanner::Source)}, {"target", int(TransplantPlanner::Target)}, {"output", -1}})
            for (const char *before : {"nothing", "tabbed through", "used Browse"})
                QTest::addRow("%s, %s", name, before) << field << QString::fromLatin1(before);
    }

    void enterInAPathFieldOpensNoDialog()
    {
        QFETCH(int, field);
        QFETCH(QString, before);
        TransplantDialog dialog;
        dialog.show();
        dialog.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        ModalGuard guard;
        const auto side = field < 0 ? TransplantPlanner::Source : static_cast<TransplantPlanner::Side>(field);
        QLineEdit *edit = field < 0 ? dialog.outputEdit() : dialog.pathEdit(side);
        if (before == QLatin1String("tabbed through")) {
            // From the field to its Browse… and back, as the keyboard moves through the form.
            QTest::mouseClick(dialog.pathEdit(side), Qt::LeftButton);
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            QCOMPARE(QApplication::focusWidget(), dialog.browseButton(side));
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
        } else if (before == QLatin1String("used Browse")) {
            QTest::mouseClick(dialog.browseButton(side), Qt::LeftButton); // the file dialog, dismissed
            QCOMPARE(guard.seen().size(), 1);
            guard.clear();
        }
        QSignalSpy opened(dialog.planner(), &TransplantPlanner::opened);
        const QString path
            = field < 0 ? m_dir.filePath(QStringLiteral("typed_output.pth")) : caseFile("resnet18_into_10_classes", field == 0 ? "source" : "target");
        retype(edit, path);
        QTest::keyClick(edit, Qt::Key_Return);
        QTest::qWait(100); // the guard looks every 10 ms
        QVERIFY2(guard.seen().isEmpty(), qPrintable(guard.seen().join(QStringLiteral(", "))));
        QCOMPARE(edit->text(), path);
        if (field >= 0) { // Enter opens the path typed
            QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000);
            QCOMPARE(opened.last().at(0).value<TransplantPlanner::Side>(), side);
            QCOMPARE(opened.last().at(1).toString(), path);
            QCOMPARE(QString::fromStdString(dialog.planner()->checkpoint(side)->path()), path);
        }
        for (QPushButton *b : dialog.findChildren<QPushButton *>())
            QVERIFY2(!b->isDefault() && !b->autoDefault(), qPrintable(b->text()));
    }

    // Issue 14.9: Help > Transplant Example Weights with a document open showed the report, but "90%" and
    // Cancel Reading stayed on screen for ever, also after Write Output, and Cancel did nothing.
    void exampleTransplantWithADocumentOpenEndsItsProgress()
    {
        // One pool thread orders the work as a busy machine may: the source is read, and its plan against the
        // open checkpoint waits behind the read of the example target, which ends while that plan runs.
        QThreadPool *pool = QThreadPool::globalInstance();
        const int threads = pool->maxThreadCount();
        pool->setMaxThreadCount(1);
        const auto restore = qScopeGuard([&] { pool->setMaxThreadCount(threads); });
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(caseFile("resnet18_into_10_classes", "target"));
        QVERIFY(loaded.wait(30000));
        QVERIFY(clickMenuItem(window, QStringLiteral("&Help"), QStringLiteral("&Transplant Example Weights")));
        QPointer<TransplantDialog> dialog = window.findChild<TransplantDialog *>();
        QVERIFY(dialog);
        // The full report, of the two examples.
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->planner()->isBusy(), 30000);
        QVERIFY(dialog->model()->plan());
        QVERIFY(dialog->model()->plan()->target->path().ends_with("example_new_task.pt"));
        QVERIFY(copied(*dialog) > 0);
        QTest::qWait(100);
        QVERIFY(!dialog->progressBar()->isVisible());
        QVERIFY(!dialog->cancelButton()->isVisible());

        // Write Output, to a folder of this test's, keeping the dialog open.
        const QString output = m_dir.filePath(QStringLiteral("example_transplanted.pt"));
        retype(dialog->outputEdit(), output);
        QTest::mouseClick(dialog->openResultCheck(), Qt::LeftButton);
        QVERIFY(!dialog->openResultCheck()->isChecked());
        QSignalSpy written(dialog.data(), &TransplantDialog::written);
        QTest::mouseClick(dialog->writeButton(), Qt::LeftButton);
        QCOMPARE(written.size(), 1);
        QVERIFY(QFileInfo::exists(output));
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->progressBar()->isVisible());
        QVERIFY(!dialog->cancelButton()->isVisible());
        dialog->close();
    }

    // Issue 14.10: the freeze list was suggested beside the target, so the result, written elsewhere, opened
    // without it. It follows the output's folder unless the user chose where it goes.
    void freezeListLandsBesideTheOutput_data()
    {
        QTest::addColumn<bool>("choose");
        QTest::newRow("follows the output") << false;
        QTest::newRow("chosen by the user") << true;
    }

    void freezeListLandsBesideTheOutput()
    {
        QFETCH(bool, choose);
        // Copies, so that nothing is ever written beside the shared fixtures.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (const char *sub : {"in", "out", "lists"})
            QVERIFY(QDir(dir.path()).mkpath(QString::fromLatin1(sub)));
        const QString source = dir.filePath(QStringLiteral("in/pretrained.pth")), target = dir.filePath(QStringLiteral("in/new_model.pth"));
        QVERIFY(QFile::copy(caseFile("resnet18_into_10_classes", "source"), source));
        QVERIFY(QFile::copy(caseFile("resnet18_into_10_classes", "target"), target));
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(bothOpen(dialog, source, target));
        // Suggested beside the target, the list beside the output.
        QCOMPARE(dialog.outputEdit()->text(), dir.filePath(QStringLiteral("in/new_model_transplanted.pth")));
        QCOMPARE(dialog.freezePathEdit()->text(), dir.filePath(QStringLiteral("in/frozen_layers.json")));
        QTest::keyClick(dialog.freezeChoice(), Qt::Key_Down);
        QCOMPARE(dialog.freezeChoice()->currentData().toInt(), int(ckpt::TransplantFreeze::Copied));
        const QString chosen = dir.filePath(QStringLiteral("lists/frozen.json"));
        if (choose)
            retype(dialog.freezePathEdit(), chosen);
        const QString output = dir.filePath(QStringLiteral("out/result.pth"));
        retype(dialog.outputEdit(), output);
        const QString freezeList = choose ? chosen : dir.filePath(QStringLiteral("out/frozen_layers.json"));
        QCOMPARE(dialog.freezePathEdit()->text(), freezeList);
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            dialog.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS")
                + QStringLiteral("/freeze-list-%1.png").arg(choose ? QStringLiteral("chosen") : QStringLiteral("follows")));

        QSignalSpy open(&dialog, &TransplantDialog::openRequested);
        QTest::mouseClick(dialog.writeButton(), Qt::LeftButton);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().at(0).toString(), output);
        QVERIFY(QFileInfo::exists(freezeList));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("in/frozen_layers.json"))));
        const int listed = int(readJsonObject(freezeList).size());
        QVERIFY(listed > 0);

        // Opened as the main window opens the result: the list beside it applies.
        CheckpointLoader loader;
        QSignalSpy loaded(&loader, &CheckpointLoader::loaded);
        loader.load(output);
        QVERIFY(loaded.wait(30000));
        const auto result = loaded.first().at(1).value<std::shared_ptr<LoadedCheckpoint>>();
        if (choose) {
            QCOMPARE(result->freeze->frozenCount(), std::size_t(0));
            QCOMPARE(result->freezeNote, QString());
        } else {
            QCOMPARE(int(result->freeze->frozenCount()), listed);
            QVERIFY2(result->freezeNote.contains(QStringLiteral("frozen_layers.json")), qPrintable(result->freezeNote));
        }
    }

    void modelFiltersByStatusAndName_data()
    {
        QTest::addColumn<unsigned>("mask");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("rows");
        const unsigned copiedBit = transplantstyle::bit(TransplantStatus::Copied);
        const unsigned mismatch = transplantstyle::bit(TransplantStatus::ShapeMismatch);
        // resnet18 into resnet18 with 10 classes: 120 copied, fc's two mismatched.
        QTest::newRow("everything") << transplantstyle::kAll << QString() << 122;
        QTest::newRow("copied") << copiedBit << QString() << 120;
        QTest::newRow("shape mismatch") << mismatch << QString() << 2;
        QTest::newRow("nothing") << 0u << QString() << 0;
        QTest::newRow("glob") << transplantstyle::kAll << QStringLiteral("layer4.*") << 30;
        QTest::newRow("text") << copiedBit << QStringLiteral("fc") << 0;
        QTest::newRow("text, all") << transplantstyle::kAll << QStringLiteral("fc.") << 2;
    }

    void modelFiltersByStatusAndName()
    {
        QFETCH(unsigned, mask);
        QFETCH(QString, filter);
        QFETCH(int, rows);
        TransplantReportModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TransplantPlanner planner;
        const auto plan = nextPlan(&planner, [&] {
            planner.open(TransplantPlanner::Source, caseFile("resnet18_into_10_classes", "source"));
            planner.open(TransplantPlanner::Target, caseFile("resnet18_into_10_classes", "target"));
        });
        QVERIFY(plan);
        model.setPlan(plan);
        model.setStatusFilter(mask);
        ParameterFilter f;
        QVERIFY(f.set(filter, ParameterFilter::Mode::Glob).isEmpty());
        model.setNameFilter(std::move(f));
        QCOMPARE(model.rowCount(), rows);
        for (int r = 0; r < model.rowCount(); ++r) {
            const auto status = static_cast<TransplantStatus>(model.index(r, 0).data(TransplantReportModel::StatusRole).toInt());
            QVERIFY(mask & transplantstyle::bit(status));
            QCOMPARE(model.index(r, 0).data(Qt::BackgroundRole).value<QColor>(), transplantstyle::colour(status));
        }
        model.setPlan(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void plannerReportsProgressAndFailures()
    {
        TransplantPlanner planner;
        QSignalSpy progress(&planner, &TransplantPlanner::progress);
        QSignalSpy failed(&planner, &TransplantPlanner::openFailed);
        const QString missing = m_dir.filePath(QStringLiteral("missing.pth"));
        planner.open(TransplantPlanner::Source, missing);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.last().at(1).toString(), missing);
        QVERIFY2(failed.last().at(2).toString().contains(missing), qPrintable(failed.last().at(2).toString()));

        // Invalid rules are said, and fixing them plans again.
        const auto plan = nextPlan(&planner, [&] {
            planner.open(TransplantPlanner::Source, caseFile("module_prefix_stripped", "source"));
            planner.open(TransplantPlanner::Target, caseFile("module_prefix_stripped", "target"));
        });
        QVERIFY(plan);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(plan->report.count(TransplantStatus::Copied), std::size_t(0));
        QSignalSpy planFailed(&planner, &TransplantPlanner::planFailed);
        ckpt::TransplantRules colliding;
        colliding.keys.renames.push_back(ckpt::RenameRule::parse("^.*$=x"));
        planner.setRules(colliding);
        QVERIFY(planFailed.wait(10000));
        QVERIFY2(planFailed.last().at(0).toString().contains(QStringLiteral("both become 'x'")), qPrintable(planFailed.last().at(0).toString()));
        ckpt::TransplantRules strip;
        strip.keys.stripPrefixes.push_back("module.");
        const auto fixed = nextPlan(&planner, [&] { planner.setRules(strip); });
        QVERIFY(fixed);
        QCOMPARE(fixed->report.count(TransplantStatus::Copied), std::size_t(120));
    }

    void prefixHintFixesTheReportInOneClick()
    {
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(bothOpen(dialog, caseFile("module_prefix_stripped", "source"), caseFile("module_prefix_stripped", "target")));
        QCOMPARE(copied(dialog), std::size_t(0));
        QVERIFY(dialog.suggestionLabel()->isVisible());
        QVERIFY(dialog.suggestionLabel()->text().contains(QStringLiteral("module.")));
        QVERIFY(!dialog.writeButton()->isEnabled()); // nothing to copy yet
        QVERIFY(nextPlan(dialog.planner(), [&] { emit dialog.suggestionLabel()->linkActivated(QStringLiteral("apply")); }));
        QCOMPARE(dialog.stripEdit()->text(), QStringLiteral("module."));
        QCOMPARE(copied(dialog), std::size_t(120));
        QVERIFY(!dialog.suggestionLabel()->isVisible());
        QVERIFY(dialog.writeButton()->isEnabled());
        QVERIFY(dialog.summaryLabel()->text().startsWith(QStringLiteral("120 of 122 target tensors")));
    }

    // Each editor changes the live report as the same rules do in core (whose reports equal PyTorch's).
    void rulesEditedLive_data()
    {
        QTest::addColumn<QString>("caseName");
        for (const char *name : {"first_n", "rename_include_exclude", "add_prefix_backbone", "resnet18_into_resnet34"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void rulesEditedLive()
    {
        QFETCH(QString, caseName);
        const QJsonObject c = transplantCase(caseName);
        const QJsonObject rules = c.value(QStringLiteral("rules")).toObject();
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(bothOpen(dialog, c.value(QStringLiteral("source")).toString(), c.value(QStringLiteral("target")).toString()));
        const auto plan = nextPlan(dialog.planner(), [&] {
            // Typed as a person types them (the editors plan 150 ms after the last change).
            if (!rules.value(QStringLiteral("add")).toString().isEmpty())
                QTest::keyClicks(dialog.addEdit(), rules.value(QStringLiteral("add")).toString());
            QStringList renames;
            for (const auto &r : rules.value(QStringLiteral("rename")).toArray())
                renames << r.toArray().at(0).toString() + QLatin1Char('=') + r.toArray().at(1).toString();
            dialog.renameEdit()->setPlainText(renames.join(QLatin1Char('\n')));
            QStringList include, exclude;
            for (const auto &g : rules.value(QStringLiteral("include")).toArray())
                include << g.toString();
            for (const auto &g : rules.value(QStringLiteral("exclude")).toArray())
                exclude << g.toString();
            QTest::keyClicks(dialog.includeEdit(), include.join(QLatin1Char(' ')));
            QTest::keyClicks(dialog.excludeEdit(), exclude.join(QStringLiteral(", ")));
            dialog.firstSpin()->setValue(rules.value(QStringLiteral("first")).toInt(0));
            if (rules.isEmpty()) // nothing to type: plan the default rules again
                dialog.planner()->setRules(dialog.rules());
        });
        QVERIFY(plan);
        const QJsonObject expected = c.value(QStringLiteral("report")).toObject();
        QCOMPARE(int(plan->report.count(TransplantStatus::Copied)), expected.value(QStringLiteral("copied")).toArray().size());
        QCOMPARE(int(plan->report.count(TransplantStatus::Missing)), expected.value(QStringLiteral("missing")).toArray().size());
        QCOMPARE(int(plan->report.count(TransplantStatus::Unexpected)), expected.value(QStringLiteral("unexpected")).toArray().size());
        QCOMPARE(int(plan->report.count(TransplantStatus::ShapeMismatch)), expected.value(QStringLiteral("shape_mismatch")).toArray().size());
        QCOMPARE(dialog.model()->rowCount(), int(plan->report.entries.size()));
        // For looking at the dialog in each state: CKPT_TEST_SCREENSHOTS=dir
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS"))
            dialog.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QLatin1Char('/') + caseName + QStringLiteral(".png"));
    }

    void invalidRenameIsShownAndBlocksWriting()
    {
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(bothOpen(dialog, caseFile("resnet18_into_10_classes", "source"), caseFile("resnet18_into_10_classes", "target")));
        QVERIFY(dialog.writeButton()->isEnabled());
        dialog.renameEdit()->setPlainText(QStringLiteral("(unclosed=x"));
        QTRY_VERIFY(dialog.ruleErrorLabel()->isVisible());
        QVERIFY(dialog.ruleErrorLabel()->text().contains(QStringLiteral("invalid regular expression")));
        QVERIFY(!dialog.writeButton()->isEnabled());
        QCOMPARE(dialog.model()->rowCount(), 0);
        QVERIFY(nextPlan(dialog.planner(), [&] { dialog.renameEdit()->clear(); }));
        QVERIFY(!dialog.ruleErrorLabel()->isVisible());
        QVERIFY(dialog.writeButton()->isEnabled());
    }

    void legendFiltersTheTable()
    {
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(bothOpen(dialog, caseFile("resnet18_into_resnet34", "source"), caseFile("resnet18_into_resnet34", "target")));
        QCOMPARE(dialog.model()->rowCount(), 122 + 96);
        dialog.setStatusFilter(transplantstyle::bit(TransplantStatus::Missing));
        QCOMPARE(dialog.model()->rowCount(), 96);
        QVERIFY(dialog.summaryLabel()->text().contains(QStringLiteral("96 rows shown")));
        dialog.setStatusFilter(transplantstyle::kAll);
        QCOMPARE(dialog.model()->rowCount(), 218);
    }

    // Write: the file equals PyTorch's template result (the same values per name), the freeze list names
    // exactly the copied parameters, and the main window is asked to open the result.
    void writesTheResultAndFreezeList()
    {
        const QJsonObject c = transplantCase(QStringLiteral("module_prefix_stripped"));
        TransplantDialog dialog;
        dialog.show();
        QVERIFY(bothOpen(dialog, c.value(QStringLiteral("source")).toString(), c.value(QStringLiteral("target")).toString()));
        QVERIFY(dialog.outputEdit()->text().endsWith(QStringLiteral("_transplanted.pth")));
        QVERIFY(nextPlan(dialog.planner(), [&] { QTest::keyClicks(dialog.stripEdit(), QStringLiteral("module.")); }));
        const QString out = m_dir.filePath(QStringLiteral("written.pth"));
        const QString freeze = m_dir.filePath(QStringLiteral("frozen_layers.json"));
        dialog.outputEdit()->setText(out);
        dialog.freezeChoice()->setCurrentIndex(dialog.freezeChoice()->findData(int(ckpt::TransplantFreeze::Copied)));
        dialog.freezePathEdit()->setText(freeze);
        QSignalSpy open(&dialog, &TransplantDialog::openRequested);
        QVERIFY(dialog.writeOutput());
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().at(0).toString(), out);
        QCOMPARE(tensorHashes(out), tensorHashes(c.value(QStringLiteral("expected")).toString())); // both bare state_dicts
        QStringList frozen = readJsonObject(freeze).keys(), expected = [&] {
            QStringList l;
            for (const auto &v : c.value(QStringLiteral("freeze_copied")).toArray())
                l << v.toString();
            return l;
        }();
        frozen.sort();
        expected.sort();
        QCOMPARE(frozen, expected);
    }

    void dropsFillTheSides()
    {
        TransplantDialog dialog;
        dialog.show();
        const QString source = caseFile("fp16_into_fp32", "source"), target = caseFile("fp16_into_fp32", "target");
        const auto plan = nextPlan(dialog.planner(), [&] { QVERIFY(dropFiles(&dialog, {source, target})); });
        QVERIFY(plan);
        QCOMPARE(QString::fromStdString(plan->source->path()), source);
        QCOMPARE(QString::fromStdString(plan->target->path()), target);
        QCOMPARE(plan->report.casts, std::size_t(100));
        // One more file replaces the source.
        const QString other = caseFile("resnet18_into_10_classes", "source");
        const auto again = nextPlan(dialog.planner(), [&] { QVERIFY(dropFiles(&dialog, {other})); });
        QVERIFY(again);
        QCOMPARE(QString::fromStdString(again->source->path()), other);
        QCOMPARE(again->report.casts, std::size_t(0));
    }

    void modelStateCanBeChosen()
    {
        TransplantDialog dialog;
        dialog.show();
        const QString twoStates = transplantCase(QStringLiteral("resnet18_into_10_classes"))
                                      .value(QStringLiteral("source"))
                                      .toString()
                                      .replace(QStringLiteral("resnet18_pretrained.pth"), QStringLiteral("two_states.pth"));
        QVERIFY(bothOpen(dialog, twoStates, caseFile("resnet18_into_10_classes", "target")));
        QComboBox *states = dialog.stateCombo(TransplantPlanner::Source);
        QVERIFY(states->isEnabled());
        QCOMPARE(states->count(), 2);
        QCOMPARE(states->currentData().toString(), QStringLiteral("model")); // found automatically
        QCOMPARE(QString::fromStdString(dialog.model()->plan()->source->modelState().path), QStringLiteral("model"));
        const auto plan = nextPlan(dialog.planner(), [&] {
            states->setCurrentIndex(states->findData(QStringLiteral("ema")));
            emit states->activated(states->currentIndex());
        });
        QVERIFY(plan);
        QCOMPARE(QString::fromStdString(plan->source->modelState().path), QStringLiteral("ema"));
        QCOMPARE(plan->report.count(TransplantStatus::Copied), std::size_t(120));
        // The target of a training checkpoint: its model_state, found.
        QVERIFY(nextPlan(dialog.planner(), [&] { dialog.openTarget(caseFile("training_checkpoint_target", "target")); }));
        QCOMPARE(dialog.stateCombo(TransplantPlanner::Target)->currentData().toString(), QStringLiteral("model_state"));
        QCOMPARE(copied(dialog), std::size_t(120));
    }

    // File > Transplant Weights uses the open checkpoint as the target without reading it again.
    void mainWindowReusesTheOpenCheckpoint()
    {
        MainWindow window;
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(caseFile("resnet18_into_10_classes", "target"));
        QVERIFY(loaded.wait(30000));
        TransplantDialog *dialog = window.openTransplantDialog();
        QCOMPARE(dialog->planner()->checkpoint(TransplantPlanner::Target).get(), window.document()->sharedCheckpoint().get());
        QVERIFY(nextPlan(dialog->planner(), [&] { dialog->openSource(caseFile("resnet18_into_10_classes", "source")); }));
        QCOMPARE(copied(*dialog), std::size_t(120));
        dialog->close();
    }

    // checkpoint-studio --transplant SOURCE --screenshot OUT TARGET renders the dialog with its report: the
    // report's names where a dialog of this process, opened the same way, draws them.
    void screenshotFromTheCommandLine()
    {
        const QString png = m_dir.filePath(QStringLiteral("transplant.png"));
        const QString source = caseFile("module_prefix_kept", "source"), target = caseFile("module_prefix_kept", "target");
        const ProcessResult r = runStudio({QStringLiteral("--transplant"), source, QStringLiteral("--screenshot"), png, target});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1000 && image.height() >= 700);

        // The reference: as checkpoint-studio's main() does it, with default settings.
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(target);
        QVERIFY(loaded.wait(30000));
        TransplantDialog *dialog = window.openTransplantDialog(source);
        dialog->resize(1180, 820);
        QSignalSpy planned(dialog->planner(), &TransplantPlanner::planned);
        QVERIFY(planned.wait(30000)); // queued from the planner's thread: not delivered before the spy exists
        while (planned.wait(300)) { }
        QTest::qWait(300);
        const int rows = std::min(6, dialog->table()->model()->rowCount());
        QVERIFY(rows >= 2);
        checkScreenshotContent(image, dialog, dialog->table(), TransplantReportModel::NameColumn, rows);
        if (QTest::currentTestFailed() && qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) {
            image.save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/transplant-screenshot.png"));
            dialog->grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/transplant-reference.png"));
        }
        dialog->close();
    }
};

QTEST_MAIN(TestTransplantDialog)
#include "tst_transplantdialog.moc"

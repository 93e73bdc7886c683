// SPDX-License-Identifier: MIT
// What the application keeps between runs: preferences (statistics on request, the freeze-list format),
// window size and splitters, the name column, and the choices of Save Checkpoint As, each checked by
// closing a window and opening a new one as a person would see it next time.
#include "testsupport.h"

#include "appsettings.h"
#include "checkpointloader.h"
#include "mainwindow.h"
#include "parametertreemodel.h"
#include "preferencesdialog.h"
#include "savecheckpointdialog.h"
#include "tensordetailswidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace testsupport;

namespace {
QString example()
{
    return sourceDir() + QStringLiteral("/../resources/examples/example_training_checkpoint.pt");
}

bool openAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
    window.openFile(path);
    return loaded.wait(60000);
}

// The first parameter row under the first top-level group (stem.weight in the example).
QModelIndex firstTensorRow(MainWindow &window)
{
    QAbstractItemModel *model = window.treeView()->model();
    QModelIndex group = model->index(0, 0);
    while (model->rowCount(group) > 0) {
        window.treeView()->expand(group);
        group = model->index(0, 0, group);
    }
    return group;
}
} // namespace

class TestSettings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // never the user's own settings
        QCoreApplication::setOrganizationName(QStringLiteral("checkpoint-studio-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_settings"));
    }

    void init() { QSettings().clear(); }

    void preferencesAreStoredAndShownAgain_data()
    {
        QTest::addColumn<bool>("autoStatistics");
        QTest::addColumn<int>("format");
        QTest::newRow("on request, text") << false << int(ckpt::FreezeListFormat::Text);
        QTest::newRow("automatic, Python") << true << int(ckpt::FreezeListFormat::Python);
        QTest::newRow("on request, JSON") << false << int(ckpt::FreezeListFormat::Json);
    }

    void preferencesAreStoredAndShownAgain()
    {
        QFETCH(bool, autoStatistics);
        QFETCH(int, format);
        {
            PreferencesDialog dialog;
            QVERIFY(dialog.autoStatisticsBox()->isChecked()); // the defaults
            QCOMPARE(dialog.freezeFormatBox()->currentData().toInt(), int(ckpt::FreezeListFormat::Json));
            dialog.autoStatisticsBox()->setChecked(autoStatistics);
            dialog.freezeFormatBox()->setCurrentIndex(dialog.freezeFormatBox()->findData(format));
            dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        QCOMPARE(appsettings::autoStatistics(), autoStatistics);
        QCOMPARE(int(appsettings::freezeListFormat()), format);
        PreferencesDialog again;
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) { // for looking at the dialog
            again.show();
            again.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/preferences.png"));
        }
        QCOMPARE(again.autoStatisticsBox()->isChecked(), autoStatistics);
        QCOMPARE(again.freezeFormatBox()->currentData().toInt(), format);
    }

    void cancelledPreferencesChangeNothing()
    {
        PreferencesDialog dialog;
        dialog.autoStatisticsBox()->setChecked(false);
        dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->click();
        QVERIFY(appsettings::autoStatistics());
    }

    // With automatic statistics off, selecting a tensor computes nothing until the link is clicked.
    void statisticsOnRequest()
    {
        appsettings::setAutoStatistics(false);
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, example()));
        QSignalSpy ready(window.details(), &TensorDetailsWidget::summaryReady);
        window.treeView()->setCurrentIndex(firstTensorRow(window));
        QTest::qWait(200);
        QVERIFY(ready.isEmpty());
        QVERIFY(!window.details()->isComputing());
        auto *stats = window.details()->findChild<QLabel *>(QStringLiteral("statistics"));
        QVERIFY(stats->text().contains(QStringLiteral("href")));
        emit stats->linkActivated(QStringLiteral("compute"));
        QVERIFY(ready.wait(30000));
        QVERIFY(stats->text().startsWith(QStringLiteral("mean ")));
    }

    void statisticsAutomaticByDefault()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, example()));
        QSignalSpy ready(window.details(), &TensorDetailsWidget::summaryReady);
        window.treeView()->setCurrentIndex(firstTensorRow(window));
        QVERIFY(ready.wait(30000));
    }

    // Size, splitters and the name column come back in the next window.
    void windowLayoutComesBack()
    {
        QList<int> sizes;
        {
            MainWindow window;
            window.show();
            QVERIFY(openAndWait(window, example()));
            window.resize(1111, 777);
            auto *split = window.findChildren<QSplitter *>().constFirst();
            const int total = split->sizes().value(0) + split->sizes().value(1);
            split->setSizes({total / 4, total - total / 4});
            sizes = split->sizes();
            window.treeView()->setColumnWidth(ParameterTreeModel::Name, 345);
            QVERIFY(window.close());
        }
        MainWindow next;
        next.show();
        QCOMPARE(next.size(), QSize(1111, 777));
        QCOMPARE(next.findChildren<QSplitter *>().constFirst()->sizes(), sizes);
        QVERIFY(openAndWait(next, example()));
        QCOMPARE(next.treeView()->columnWidth(ParameterTreeModel::Name), 345);
    }

    void saveChoicesComeBack()
    {
        const auto checkpoint = ckpt::Checkpoint::open(example().toStdString());
        {
            SaveCheckpointDialog dialog(*checkpoint, QStringLiteral("/tmp/x.pt"));
            auto boxes = dialog.findChildren<QCheckBox *>();
            QCOMPARE(boxes.size(), 3); // model state only, store the freeze state, shards
            QVERIFY(!boxes[0]->isChecked());
            boxes[0]->setChecked(true);
            auto *dtype = dialog.findChild<QComboBox *>();
            dtype->setCurrentIndex(dtype->findData(QStringLiteral("bfloat16")));
            dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        SaveCheckpointDialog again(*checkpoint, QStringLiteral("/tmp/x.pt"));
        if (qEnvironmentVariableIsSet("CKPT_TEST_SCREENSHOTS")) { // for looking at the dialog
            again.show();
            again.grab().save(qEnvironmentVariable("CKPT_TEST_SCREENSHOTS") + QStringLiteral("/save-checkpoint.png"));
        }
        QVERIFY(again.findChildren<QCheckBox *>()[0]->isChecked());
        QVERIFY(!again.findChildren<QCheckBox *>()[1]->isChecked());
        QVERIFY(!again.findChildren<QCheckBox *>()[2]->isChecked()); // shards: chosen for each save, not remembered
        QCOMPARE(again.options().maxShardSize, std::uint64_t(0));
        QCOMPARE(again.findChild<QComboBox *>()->currentData().toString(), QStringLiteral("bfloat16"));
        QVERIFY(again.options().modelOnly);
        QCOMPARE(again.options().dtype, std::optional<ckpt::DType>(ckpt::DType::BFloat16));
    }

    void foldersArePerPurpose()
    {
        QVERIFY(appsettings::lastFolder(QStringLiteral("open")).isEmpty());
        appsettings::setLastFolder(QStringLiteral("open"), QStringLiteral("/data/runs"));
        appsettings::setLastFolder(QStringLiteral("export"), QStringLiteral("/tmp/reports"));
        QCOMPARE(appsettings::lastFolder(QStringLiteral("open")), QStringLiteral("/data/runs"));
        QCOMPARE(appsettings::lastFolder(QStringLiteral("export")), QStringLiteral("/tmp/reports"));
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"

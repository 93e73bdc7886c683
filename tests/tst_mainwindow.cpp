// The main window opens checkpoints off the GUI thread and lists them; failures keep the old document.
#include "testsupport.h"

#include "checkpointloader.h"
#include "mainwindow.h"
#include "tensortablemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTest>

using namespace testsupport;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void opensFixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("tensors");
        const QJsonArray fixtures = readJsonObject(fixtureDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray();
        for (const auto &v : fixtures) {
            const QJsonObject f = v.toObject();
            const QJsonObject expected = readJsonObject(fixtureDir() + QLatin1Char('/') + f.value(QStringLiteral("expected")).toString());
            QTest::newRow(qPrintable(f.value(QStringLiteral("name")).toString()))
                << fixtureDir() + QLatin1Char('/') + f.value(QStringLiteral("path")).toString()
                << int(expected.value(QStringLiteral("tensors")).toArray().size());
        }
    }

    void opensFixtures()
    {
        QFETCH(QString, file);
        QFETCH(int, tensors);
        MainWindow window;
        QAbstractItemModelTester tester(window.tensorModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(file);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(window.tensorModel()->rowCount(), tensors);
        QVERIFY(window.windowTitle().contains(QFileInfo(file).fileName()));
    }

    void failureKeepsPreviousDocument()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.tensorModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        QSignalSpy failed(window.loader(), &CheckpointLoader::failed);
        window.openFile(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        QVERIFY(loaded.wait(60000));
        const int rows = window.tensorModel()->rowCount();
        QVERIFY(rows > 0);

        const QString broken = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        window.openFile(broken);
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.first().at(0).toString(), broken);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("not a PyTorch checkpoint")));
        QCOMPARE(window.tensorModel()->rowCount(), rows);
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY(box->text().contains(broken));
        box->close();
    }

    void laterLoadSupersedesEarlier()
    {
        MainWindow window;
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(fixtureDir() + QStringLiteral("/dtypes.pt"));
        window.openFile(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        QVERIFY(loaded.wait(60000));
        QTest::qWait(200);
        QCOMPARE(loaded.size(), 1);
        QVERIFY(loaded.first().at(0).toString().endsWith(QLatin1String("cnn_state_dict.pt")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

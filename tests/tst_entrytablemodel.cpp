// SPDX-License-Identifier: MIT
// The table of a checkpoint's non-tensor content (epoch, hyper-parameters, optimizer param_groups, objects)
// under QAbstractItemModelTester: for real checkpoints, its rows are the entries torch.load shows (names, types
// and the scalars' values from the oracle), long values are shortened on screen but whole in the tooltip, and
// the header names the columns.
#include "testsupport.h"

#include "entrytablemodel.h"

#include <QAbstractItemModelTester>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace testsupport;

namespace {
std::shared_ptr<const ckpt::Checkpoint> open(const QString &path)
{
    return ckpt::Checkpoint::open(path.toStdString());
}

QString display(const QAbstractItemModel &m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role).toString();
}

// What the Value column shows of a value: at most 300 characters, then an ellipsis.
QString shortened(const QString &value)
{
    return value.size() > 300 ? value.left(300) + QStringLiteral("…") : value;
}
} // namespace

class TestEntryTableModel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_long; // written by torch.save at test time, see initTestCase

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_long = m_dir.filePath(QStringLiteral("long_values.pt"));
        const ProcessResult r = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {QStringLiteral("-c"),
                QStringLiteral("import sys, torch\n"
                               "torch.save({'w': torch.ones(2), 'exactly_300': 'a' * 300, 'long_note': 'x' * 299 + 'yz' + 'w' * 200,\n"
                               "            'unicode': '\\u00e9\\u5c42' * 200, 'lr': 0.001, 'names': ['n%d' % i for i in range(500)]}, sys.argv[1])\n"),
                m_long});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void emptyModel()
    {
        EntryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), 3);
        QVERIFY(!model.data(model.index(0, 0)).isValid());
    }

    void header()
    {
        EntryTableModel model;
        QCOMPARE(model.headerData(EntryTableModel::Name, Qt::Horizontal).toString(), QStringLiteral("Entry"));
        QCOMPARE(model.headerData(EntryTableModel::Type, Qt::Horizontal).toString(), QStringLiteral("Type"));
        QCOMPARE(model.headerData(EntryTableModel::Value, Qt::Horizontal).toString(), QStringLiteral("Value"));
        QVERIFY(!model.headerData(EntryTableModel::ColumnCount, Qt::Horizontal).isValid());
        QVERIFY(!model.headerData(0, Qt::Vertical).isValid()); // rows are not numbered
        QVERIFY(!model.headerData(EntryTableModel::Name, Qt::Horizontal, Qt::ToolTipRole).isValid());
    }

    // Every entry torch.load shows, in its order, with its type and, for scalars, its exact value.
    void rowsAreTheOraclesEntries_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("training_checkpoint.pt") << fixtureDir() + QStringLiteral("/training_checkpoint.pt")
                                                << fixtureDir() + QStringLiteral("/training_checkpoint.expected.json");
        const QString chemprop = QStringLiteral("chemprop__example_model_v2_regression_mol.ckpt");
        QTest::newRow("chemprop Lightning checkpoint")
            << realworldDir() + QLatin1Char('/') + chemprop << oracleDir() + QLatin1Char('/') + chemprop + QStringLiteral(".expected.json");
    }

    void rowsAreTheOraclesEntries()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const QJsonArray entries = readJsonObject(expected).value(QStringLiteral("entries")).toArray();
        QVERIFY(entries.size() >= 8);
        EntryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const auto checkpoint = open(file);
        model.setCheckpoint(checkpoint);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), int(entries.size()));
        QCOMPARE(model.columnCount(), 3);
        int scalars = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QJsonObject e = entries.at(row).toObject();
            const QString name = e.value(QStringLiteral("name")).toString();
            QCOMPARE(display(model, row, EntryTableModel::Name), name.isEmpty() ? QStringLiteral("(root)") : name);
            QCOMPARE(display(model, row, EntryTableModel::Type), e.value(QStringLiteral("type")).toString());
            // Scalars: torch.load's exact value; other objects: the reader's short description.
            const QString value = e.value(QStringLiteral("value")).isString() ? e.value(QStringLiteral("value")).toString()
                                                                              : QString::fromStdString(checkpoint->entries()[std::size_t(row)].value);
            scalars += e.value(QStringLiteral("value")).isString();
            QCOMPARE(display(model, row, EntryTableModel::Value), shortened(value));
            // The tooltip is the whole text of the cell.
            QCOMPARE(display(model, row, EntryTableModel::Name, Qt::ToolTipRole), display(model, row, EntryTableModel::Name));
            QCOMPARE(display(model, row, EntryTableModel::Type, Qt::ToolTipRole), display(model, row, EntryTableModel::Type));
            QCOMPARE(display(model, row, EntryTableModel::Value, Qt::ToolTipRole), value);
            // Nothing else: no check boxes, no editing.
            QVERIFY(!model.data(model.index(row, EntryTableModel::Value), Qt::CheckStateRole).isValid());
            QVERIFY(!model.data(model.index(row, EntryTableModel::Name), Qt::EditRole).isValid());
            QVERIFY(!(model.flags(model.index(row, EntryTableModel::Value)) & Qt::ItemIsEditable));
        }
        QVERIFY(scalars >= 3);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a table: no children
        // Another checkpoint replaces the rows in one reset; none empties the table.
        model.setCheckpoint(open(fixtureDir() + QStringLiteral("/cnn_state_dict.pt")));
        QCOMPARE(reset.size(), 2);
        QCOMPARE(model.rowCount(), int(open(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"))->entries().size()));
        model.setCheckpoint(nullptr);
        QCOMPARE(reset.size(), 3);
        QCOMPARE(model.rowCount(), 0);
    }

    // Long values are cut after 300 characters on screen, with an ellipsis; the tooltip has them whole.
    void longValuesAreShortenedOnScreenOnly()
    {
        EntryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto checkpoint = open(m_long);
        model.setCheckpoint(checkpoint);
        QHash<QString, int> rowOf;
        for (int row = 0; row < model.rowCount(); ++row)
            rowOf.insert(display(model, row, EntryTableModel::Name), row);
        const QString longNote = QString(299, u'x') + QStringLiteral("yz") + QString(200, u'w');
        const int longRow = rowOf.value(QStringLiteral("long_note"), -1);
        QVERIFY(longRow >= 0);
        QCOMPARE(display(model, longRow, EntryTableModel::Type), QStringLiteral("str"));
        QCOMPARE(display(model, longRow, EntryTableModel::Value), QString(299, u'x') + QStringLiteral("y…"));
        QCOMPARE(display(model, longRow, EntryTableModel::Value, Qt::ToolTipRole), longNote);
        const int exact = rowOf.value(QStringLiteral("exactly_300"), -1);
        QVERIFY(exact >= 0);
        QCOMPARE(display(model, exact, EntryTableModel::Value), QString(300, u'a')); // not cut
        const int unicode = rowOf.value(QStringLiteral("unicode"), -1);
        QVERIFY(unicode >= 0);
        QCOMPARE(display(model, unicode, EntryTableModel::Value, Qt::ToolTipRole), QStringLiteral("é层").repeated(200));
        QCOMPARE(display(model, unicode, EntryTableModel::Value), QStringLiteral("é层").repeated(150) + QStringLiteral("…"));
        const int lr = rowOf.value(QStringLiteral("lr"), -1);
        QVERIFY(lr >= 0);
        QCOMPARE(display(model, lr, EntryTableModel::Type), QStringLiteral("float"));
        QCOMPARE(display(model, lr, EntryTableModel::Value), QStringLiteral("0.001"));
        const int names = rowOf.value(QStringLiteral("names"), -1);
        QVERIFY(names >= 0);
        QCOMPARE(display(model, names, EntryTableModel::Type), QStringLiteral("list"));
        const QString full = QString::fromStdString(checkpoint->entries()[std::size_t(names)].value);
        QCOMPARE(display(model, names, EntryTableModel::Value), shortened(full));
        QCOMPARE(display(model, names, EntryTableModel::Value, Qt::ToolTipRole), full);
        QVERIFY(!rowOf.contains(QStringLiteral("w"))); // tensors are in the parameter tree, not here
    }
};

QTEST_MAIN(TestEntryTableModel)
#include "tst_entrytablemodel.moc"

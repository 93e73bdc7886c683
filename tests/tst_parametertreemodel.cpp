// SPDX-License-Identifier: MIT
// The parameter tree: module hierarchy, numeric order, totals, tristate freeze propagation, undo,
// and filtering, all under QAbstractItemModelTester.
#include "testsupport.h"

#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "freezestate.h"
#include "parameterfilter.h"
#include "parametertreemodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace testsupport;

namespace {
// Loads a checkpoint the way the app does (off the GUI thread) and wraps it in a document.
std::shared_ptr<LoadedCheckpoint> load(const QString &path)
{
    CheckpointLoader loader;
    QSignalSpy loaded(&loader, &CheckpointLoader::loaded);
    loader.load(path);
    if (!loaded.wait(60000))
        qFatal("could not load %s", qPrintable(path));
    return loaded.first().at(1).value<std::shared_ptr<LoadedCheckpoint>>();
}

// A tiny safetensors file with the given names (4 float32 values each), in this header order.
QString writeSafetensors(const QString &dir, const QStringList &names)
{
    QByteArray header = "{";
    qsizetype offset = 0;
    for (int i = 0; i < names.size(); ++i) {
        header += (i ? "," : "") + QByteArray("\"") + names[i].toUtf8() + "\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + QByteArray::number(offset)
            + "," + QByteArray::number(offset + 16) + "]}";
        offset += 16;
    }
    header += "}";
    while (header.size() % 8)
        header += ' ';
    QByteArray file(8, '\0');
    const quint64 n = static_cast<quint64>(header.size());
    memcpy(file.data(), &n, 8);
    file += header;
    file += QByteArray(offset, '\0');
    const QString path = dir + QStringLiteral("/names.safetensors");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(file);
    return path;
}

QStringList childNames(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r)
        out << model.index(r, 0, parent).data().toString();
    return out;
}

QModelIndex find(const QAbstractItemModel &model, const QString &dottedPath, int column = 0)
{
    QModelIndex current;
    for (const QString &segment : dottedPath.split(QLatin1Char('.'))) {
        QModelIndex next;
        for (int r = 0; r < model.rowCount(current); ++r)
            if (model.index(r, 0, current).data().toString() == segment)
                next = model.index(r, 0, current);
        if (!next.isValid())
            return {};
        current = next;
    }
    return current.siblingAtColumn(column);
}

Qt::CheckState state(const QAbstractItemModel &model, const QString &path)
{
    return static_cast<Qt::CheckState>(find(model, path, ParameterTreeModel::Frozen).data(Qt::CheckStateRole).toInt());
}
} // namespace

Q_DECLARE_METATYPE(std::shared_ptr<LoadedCheckpoint>)

class TestParameterTreeModel : public QObject
{
    Q_OBJECT
private:
    struct Fixture
    {
        std::shared_ptr<LoadedCheckpoint> loaded;
        std::unique_ptr<CheckpointDocument> document;
        ParameterTreeModel model;
        std::unique_ptr<QAbstractItemModelTester> tester;

        explicit Fixture(const QString &path)
        {
            tester = std::make_unique<QAbstractItemModelTester>(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            loaded = load(path);
            document = std::make_unique<CheckpointDocument>(loaded->checkpoint, std::move(loaded->freeze), loaded->freezeNote);
            model.setDocument(document.get(), std::move(loaded->tree));
        }
    };

private slots:
    void hierarchyAndTotals()
    {
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        QCOMPARE(childNames(f.model, {}), (QStringList{QStringLiteral("conv"), QStringLiteral("bn"), QStringLiteral("fc"), QStringLiteral("embed")}));
        QCOMPARE(childNames(f.model, find(f.model, QStringLiteral("bn"))),
            (QStringList{QStringLiteral("weight"), QStringLiteral("bias"), QStringLiteral("running_mean"), QStringLiteral("running_var"),
                QStringLiteral("num_batches_tracked")}));
        // conv: weight [4,3,3,3] + bias [4]
        QCOMPARE(find(f.model, QStringLiteral("conv"), ParameterTreeModel::Parameters).data().toString(), QStringLiteral("112"));
        QCOMPARE(find(f.model, QStringLiteral("conv.weight"), ParameterTreeModel::Shape).data().toString(), QStringLiteral("[4, 3, 3, 3]"));
        // Buffers have no checkbox and are greyed.
        const QModelIndex buffer = find(f.model, QStringLiteral("bn.running_mean"), ParameterTreeModel::Frozen);
        QVERIFY(!(f.model.flags(buffer) & Qt::ItemIsUserCheckable));
        QVERIFY(!buffer.data(Qt::CheckStateRole).isValid());
        QVERIFY(find(f.model, QStringLiteral("bn.running_mean")).data(Qt::ForegroundRole).isValid());
        QVERIFY(f.model.flags(find(f.model, QStringLiteral("bn.weight"), ParameterTreeModel::Frozen)) & Qt::ItemIsUserCheckable);
    }

    void numericSegmentsSortNumerically()
    {
        QTemporaryDir dir;
        Fixture f(writeSafetensors(
            dir.path(), {QStringLiteral("blocks.10.w"), QStringLiteral("blocks.2.w"), QStringLiteral("head.w"), QStringLiteral("blocks.1.w")}));
        QCOMPARE(childNames(f.model, {}), (QStringList{QStringLiteral("blocks"), QStringLiteral("head")}));
        QCOMPARE(childNames(f.model, find(f.model, QStringLiteral("blocks"))), (QStringList{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("10")}));
    }

    void tensorsOutsideTheModelStateAreGroupedByPath()
    {
        Fixture f(fixtureDir() + QStringLiteral("/training_checkpoint.pt"));
        const QStringList top = childNames(f.model, {});
        QVERIFY(top.contains(QStringLiteral("optimizer_state")));
        const QModelIndex optimizer = find(f.model, QStringLiteral("optimizer_state"));
        QVERIFY(!(f.model.flags(optimizer.siblingAtColumn(ParameterTreeModel::Frozen)) & Qt::ItemIsUserCheckable));
        QVERIFY(f.model.rowCount(optimizer) > 0);
    }

    // Lightning keeps best_k_models keyed by checkpoint paths: one row per key, not a tree of its '/' parts.
    void pathKeysStayOneRow()
    {
        Fixture f(realworldDir() + QStringLiteral("/chemprop__example_model_v2_regression_mol.ckpt"));
        QModelIndex callbacks = find(f.model, QStringLiteral("callbacks"));
        QVERIFY(callbacks.isValid());
        QModelIndex best;
        for (int r = 0; r < f.model.rowCount(callbacks); ++r) {
            const QModelIndex cb = f.model.index(r, 0, callbacks);
            for (int k = 0; k < f.model.rowCount(cb); ++k)
                if (f.model.index(k, 0, cb).data().toString() == QLatin1String("best_k_models"))
                    best = f.model.index(k, 0, cb);
        }
        QVERIFY(best.isValid());
        QCOMPARE(f.model.rowCount(best), 1);
        const QModelIndex leaf = f.model.index(0, 0, best);
        QVERIFY2(leaf.data().toString().endsWith(QLatin1String("/checkpoints/best-epoch=0-val_loss=0.87.ckpt")), qPrintable(leaf.data().toString()));
        QVERIFY(leaf.data().toString().startsWith(QLatin1Char('/')));
        QCOMPARE(f.model.rowCount(leaf), 0);
        QCOMPARE(f.model.data(leaf.siblingAtColumn(ParameterTreeModel::Shape)).toString(), QStringLiteral("[]"));
    }

    // A tensor pickled as nn.Parameter outside the found model state (a loss weight) is no parameter of the model.
    void parametersOutsideTheModelStateHaveNoBox()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("loss_weight.pt"));
        const ProcessResult r = runProcess(QStringLiteral("/usr/bin/python3"),
            {QStringLiteral("-c"),
                QStringLiteral("import torch,sys; torch.manual_seed(0); "
                               "m=torch.nn.Linear(3,2); "
                               "torch.save({'state_dict': m.state_dict(), "
                               "'loss_weight': torch.nn.Parameter(torch.ones(2))}, sys.argv[1])"),
                path});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        Fixture f(path);
        const QModelIndex loss = find(f.model, QStringLiteral("loss_weight"), ParameterTreeModel::Frozen);
        QVERIFY(loss.isValid());
        QVERIFY(!(f.model.flags(loss) & Qt::ItemIsUserCheckable));
        QVERIFY(f.model.flags(find(f.model, QStringLiteral("weight"), ParameterTreeModel::Frozen)) & Qt::ItemIsUserCheckable);
        QCOMPARE(f.document->checkpoint().parameterCount(), std::uint64_t(8)); // 2x3 weight + 2 bias; not the loss weight
    }

    void tristatePropagation_data()
    {
        QTest::addColumn<QStringList>("tick"); // nodes ticked in order
        QTest::addColumn<QStringList>("untick"); // then unticked
        QTest::addColumn<QStringList>("checked");
        QTest::addColumn<QStringList>("partial");
        QTest::addColumn<QStringList>("unchecked");
        QTest::addColumn<int>("frozenCount");
        const QString conv = QStringLiteral("conv"), bn = QStringLiteral("bn"), fc = QStringLiteral("fc");
        QTest::newRow("a leaf makes its group partial")
            << QStringList{QStringLiteral("conv.weight")} << QStringList() << QStringList{QStringLiteral("conv.weight")} << QStringList{conv}
            << QStringList{QStringLiteral("conv.bias"), bn} << 1;
        QTest::newRow("all leaves make the group checked") << QStringList{QStringLiteral("conv.weight"), QStringLiteral("conv.bias")} << QStringList()
                                                           << QStringList{conv} << QStringList() << QStringList{bn} << 2;
        QTest::newRow("a group freezes its subtree") << QStringList{bn} << QStringList()
                                                     << QStringList{bn, QStringLiteral("bn.weight"), QStringLiteral("bn.bias")} << QStringList()
                                                     << QStringList{conv, fc} << 2;
        QTest::newRow("buffers do not count") << QStringList{QStringLiteral("bn.weight"), QStringLiteral("bn.bias")} << QStringList() << QStringList{bn}
                                              << QStringList() << QStringList() << 2;
        QTest::newRow("unticking a leaf of a frozen group")
            << QStringList{fc} << QStringList{QStringLiteral("fc.bias")} << QStringList{QStringLiteral("fc.weight")} << QStringList{fc}
            << QStringList{QStringLiteral("fc.bias")} << 1;
        QTest::newRow("unticking a group") << QStringList{conv, bn} << QStringList{conv} << QStringList{bn} << QStringList()
                                           << QStringList{conv, QStringLiteral("conv.weight")} << 2;
    }

    void tristatePropagation()
    {
        QFETCH(QStringList, tick);
        QFETCH(QStringList, untick);
        QFETCH(QStringList, checked);
        QFETCH(QStringList, partial);
        QFETCH(QStringList, unchecked);
        QFETCH(int, frozenCount);
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        for (const auto &p : tick)
            QVERIFY(f.model.setData(find(f.model, p, ParameterTreeModel::Frozen), Qt::Checked, Qt::CheckStateRole));
        for (const auto &p : untick)
            QVERIFY(f.model.setData(find(f.model, p, ParameterTreeModel::Frozen), Qt::Unchecked, Qt::CheckStateRole));
        for (const auto &p : checked)
            QCOMPARE(state(f.model, p), Qt::Checked);
        for (const auto &p : partial)
            QCOMPARE(state(f.model, p), Qt::PartiallyChecked);
        for (const auto &p : unchecked)
            QCOMPARE(state(f.model, p), Qt::Unchecked);
        QCOMPARE(static_cast<int>(f.document->freeze().frozenCount()), frozenCount);
    }

    void tickingPartialGroupFreezesAll()
    {
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        f.model.setData(find(f.model, QStringLiteral("conv.weight"), ParameterTreeModel::Frozen), Qt::Checked, Qt::CheckStateRole);
        // A view cycles a partial box to "checked"; the model then freezes the whole group.
        f.model.setData(find(f.model, QStringLiteral("conv"), ParameterTreeModel::Frozen), Qt::PartiallyChecked, Qt::CheckStateRole);
        QCOMPARE(state(f.model, QStringLiteral("conv")), Qt::Checked);
    }

    void undoAndRedo()
    {
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        QSignalSpy modified(f.document.get(), &CheckpointDocument::modifiedChanged);
        QVERIFY(!f.document->isModified());
        f.model.setData(find(f.model, QStringLiteral("conv"), ParameterTreeModel::Frozen), Qt::Checked, Qt::CheckStateRole);
        f.model.setData(find(f.model, QStringLiteral("fc.weight"), ParameterTreeModel::Frozen), Qt::Checked, Qt::CheckStateRole);
        QVERIFY(f.document->isModified());
        QCOMPARE(f.document->undoStack()->count(), 2);
        QCOMPARE(f.document->undoStack()->undoText(), QStringLiteral("Freeze fc.weight"));
        f.document->undoStack()->undo();
        QCOMPARE(state(f.model, QStringLiteral("fc")), Qt::Unchecked);
        QCOMPARE(state(f.model, QStringLiteral("conv")), Qt::Checked);
        f.document->undoStack()->undo();
        QCOMPARE(state(f.model, QStringLiteral("conv")), Qt::Unchecked);
        QVERIFY(!f.document->isModified());
        f.document->undoStack()->redo();
        f.document->undoStack()->redo();
        QCOMPARE(state(f.model, QStringLiteral("fc")), Qt::PartiallyChecked);
        QCOMPARE(f.document->freeze().frozenCount(), std::size_t(3));
        QVERIFY(modified.size() >= 2);
        // An edit that changes nothing is not an undo step.
        f.document->setFrozen(f.document->frozen(), QStringLiteral("nothing"));
        QCOMPARE(f.document->undoStack()->count(), 2);
    }

    void filteringKeepsGroupsOfMatches_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<bool>("regex");
        QTest::addColumn<QStringList>("top");
        QTest::newRow("text matches anywhere") << QStringLiteral("bias") << false
                                               << QStringList{QStringLiteral("conv"), QStringLiteral("bn"), QStringLiteral("fc")};
        QTest::newRow("glob") << QStringLiteral("bn.*") << false << QStringList{QStringLiteral("bn")};
        QTest::newRow("regex") << QStringLiteral("^(fc|embed)\\.") << true << QStringList{QStringLiteral("fc"), QStringLiteral("embed")};
        QTest::newRow("nothing") << QStringLiteral("zzz") << false << QStringList();
        QTest::newRow("empty shows all") << QString() << false
                                         << QStringList{QStringLiteral("conv"), QStringLiteral("bn"), QStringLiteral("fc"), QStringLiteral("embed")};
    }

    void filteringKeepsGroupsOfMatches()
    {
        QFETCH(QString, pattern);
        QFETCH(bool, regex);
        QFETCH(QStringList, top);
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        ParameterFilter filter;
        QCOMPARE(filter.set(pattern, regex ? ParameterFilter::Mode::Regex : ParameterFilter::Mode::Glob), QString());
        f.model.setFilter(filter);
        QCOMPARE(childNames(f.model, {}), top);
        // Freezing a group through the filtered view freezes only what the view shows of it.
        if (!top.isEmpty()) {
            const QModelIndex first = f.model.index(0, ParameterTreeModel::Frozen);
            f.model.setData(first, Qt::Checked, Qt::CheckStateRole);
            QVERIFY(f.document->freeze().frozenCount() > 0);
        }
        // Back to everything.
        f.model.setFilter(ParameterFilter());
        QCOMPARE(f.model.rowCount(), 4);
    }

    // Issue 13: a name of 200,000 characters or 50,000 segments under the filter in regex and glob mode
    // (std::regex recursed per character and crashed): the match shows, the other tensor does not.
    void filteringHostileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<bool>("regex");
        QTest::addColumn<bool>("matches");
        QString longName; // 200,000 characters: 'a' in four segments under 64 KiB, then 'b'
        while (longName.size() < 199999)
            longName += (longName.size() % 50000 == 49999) ? QLatin1Char('.') : QLatin1Char('a');
        longName += QLatin1Char('b');
        QStringList segments;
        for (int i = 0; i < 50000; ++i)
            segments << QStringLiteral("s");
        const QString manySegments = segments.join(QLatin1Char('.'));
        QTest::newRow("200,000 chars, regex a.*b") << longName << QStringLiteral("a.*b") << true << true;
        QTest::newRow("200,000 chars, regex a.*c") << longName << QStringLiteral("a.*c") << true << false;
        QTest::newRow("200,000 chars, glob *a*a*a*a*a*a*b") << longName << QStringLiteral("*a*a*a*a*a*a*b") << false << true;
        QTest::newRow("50,000 segments, regex ^(s\\.)+s$") << manySegments << QStringLiteral("^(s\\.)+s$") << true << true;
        QTest::newRow("50,000 segments, regex s\\.s") << manySegments << QStringLiteral("s\\.s") << true << true;
        QTest::newRow("50,000 segments, glob *s*s*s*s*s*s*x") << manySegments << QStringLiteral("*s*s*s*s*s*s*x") << false << false;
    }

    void filteringHostileNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, pattern);
        QFETCH(bool, regex);
        QFETCH(bool, matches);
        QTemporaryDir dir;
        Fixture f(writeSafetensors(dir.path(), {QStringLiteral("x.weight"), name}));
        QCOMPARE(f.model.rowCount(), 2);
        ParameterFilter filter;
        QCOMPARE(filter.set(pattern, regex ? ParameterFilter::Mode::Regex : ParameterFilter::Mode::Glob), QString());
        QCOMPARE(filter.matches(name.toStdString()), matches);
        QVERIFY(!filter.matches("x.weight"));
        f.model.setFilter(filter);
        QCOMPARE(f.model.rowCount(), matches ? 1 : 0);
        if (matches)
            QCOMPARE(f.model.index(0, 0).data().toString(), name.section(QLatin1Char('.'), 0, 0));
        f.model.setFilter(ParameterFilter());
        QCOMPARE(f.model.rowCount(), 2);
    }

    void invalidRegexIsReported()
    {
        ParameterFilter filter;
        QVERIFY(filter.set(QStringLiteral("(unclosed"), ParameterFilter::Mode::Regex).contains(QStringLiteral("unclosed")));
        QVERIFY(filter.isEmpty());
    }

    void statisticsColumns()
    {
        Fixture f(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
        ckpt::TensorStatistics s;
        s.valid = true;
        s.count = s.finite = 4;
        s.mean = 0.5;
        s.std = 0.25;
        s.min = -1;
        s.max = 2;
        f.model.setStatistics(1, s);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(f.model.indexOfTensor(1, ParameterTreeModel::Mean).data().toString(), QStringLiteral("0.5"));
        QCOMPARE(f.model.indexOfTensor(1, ParameterTreeModel::Max).data().toString(), QStringLiteral("2"));
        QVERIFY(!f.model.indexOfTensor(0, ParameterTreeModel::Mean).data().isValid());
    }

    // Issue 14, item 12: a group counts parameters only (bn = 4 + 4, not its 9 buffer elements), and the top
    // level adds up to the status bar's total, a tied weight counted once.
    void groupsCountParametersOnly_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("batch norm buffers") << QStringLiteral("cnn_state_dict.pt");
        QTest::newRow("tied weights") << QStringLiteral("tied_weights.pt");
    }

    void groupsCountParametersOnly()
    {
        QFETCH(QString, file);
        Fixture f(fixtureDir() + QLatin1Char('/') + file);
        if (file == QLatin1String("cnn_state_dict.pt")) {
            QCOMPARE(find(f.model, QStringLiteral("bn"), ParameterTreeModel::Parameters).data().toString(), QStringLiteral("8"));
            QCOMPARE(find(f.model, QStringLiteral("bn.running_mean"), ParameterTreeModel::Parameters).data().toString(), QStringLiteral("4"));
            QVERIFY(find(f.model, QStringLiteral("bn"), ParameterTreeModel::Parameters).data(Qt::ToolTipRole).toString().contains(QStringLiteral("buffers")));
        }
        std::uint64_t total = 0;
        for (int r = 0; r < f.model.rowCount(); ++r) {
            const QModelIndex top = f.model.index(r, ParameterTreeModel::Parameters);
            const QString text = top.data().toString().remove(QLatin1Char(','));
            if (f.model.hasChildren(top.siblingAtColumn(0)) || top.siblingAtColumn(0).data(ParameterTreeModel::FreezableRole).toBool())
                total += text.toULongLong();
        }
        QCOMPARE(total, f.document->freeze().totalElements());
    }

    void tiedWeightsShareTheirBox()
    {
        Fixture f(fixtureDir() + QStringLiteral("/tied_weights.pt"));
        f.model.setData(find(f.model, QStringLiteral("encoder.weight"), ParameterTreeModel::Frozen), Qt::Checked, Qt::CheckStateRole);
        QCOMPARE(state(f.model, QStringLiteral("decoder.weight")), Qt::Checked);
    }
};

QTEST_MAIN(TestParameterTreeModel)
#include "tst_parametertreemodel.moc"

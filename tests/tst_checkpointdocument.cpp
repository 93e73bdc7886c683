// SPDX-License-Identifier: MIT
// The document controller without widgets: every freeze operation gives what `ckpt freeze` gives for the
// same request (both call FreezeState), as one undo step that undo reverts.
#include "testsupport.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "format/error.h"
#include "freezelist.h"
#include "freezestate.h"
#include "parameterfilter.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace testsupport;

namespace {
std::unique_ptr<CheckpointDocument> openDocument(const QString &path)
{
    std::shared_ptr<const ckpt::Checkpoint> c = ckpt::Checkpoint::open(path.toStdString());
    auto freeze = std::make_unique<ckpt::FreezeState>(ckpt::FreezeState::initial(*c));
    return std::make_unique<CheckpointDocument>(c, std::move(freeze), QString());
}
} // namespace

class TestCheckpointDocument : public QObject
{
    Q_OBJECT
private slots:
    void operationsMatchTheCommandLine_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QStringList>("cli");
        const QString cnn = QStringLiteral("cnn_state_dict.pt"), st = QStringLiteral("safetensors_plain.safetensors");
        QTest::newRow("first 3") << cnn << "first"
                                 << "3" << QStringList{"--first", "3"};
        QTest::newRow("first 2 in file order") << st << "first"
                                               << "2" << QStringList{"--first", "2"};
        QTest::newRow("indices") << cnn << "indices"
                                 << "0,2-3" << QStringList{"--indices", "0,2-3"};
        QTest::newRow("glob matching") << cnn << "glob"
                                       << "bn.*" << QStringList{"--glob", "bn.*"};
        QTest::newRow("regex matching") << cnn << "regex"
                                        << "^(conv|fc)\\.bias$" << QStringList{"--regex", "^(conv|fc)\\.bias$"};
        QTest::newRow("invert") << cnn << "invert"
                                << "" << QStringList{"--invert"};
        QTest::newRow("import") << cnn << "import"
                                << "{\"fc.weight\": 0, \"nope\": 0}" << QStringList{"--clear", "--names-file"};
    }

    void operationsMatchTheCommandLine()
    {
        QFETCH(QString, file);
        QFETCH(QString, operation);
        QFETCH(QString, argument);
        QFETCH(QStringList, cli);
        const QString path = fixtureDir() + QLatin1Char('/') + file;
        auto document = openDocument(path);
        const auto before = document->freeze().frozenNames();
        QSignalSpy changed(document.get(), &CheckpointDocument::freezeChanged);
        QTemporaryDir dir;
        QStringList args{QStringLiteral("freeze"), path};
        args += cli;
        if (operation == QLatin1String("first")) {
            document->freezeFirst(argument.toULongLong());
        } else if (operation == QLatin1String("indices")) {
            document->freezeIndices(argument);
        } else if (operation == QLatin1String("glob") || operation == QLatin1String("regex")) {
            ParameterFilter filter;
            QVERIFY(filter.set(argument, operation == QLatin1String("glob") ? ParameterFilter::Mode::Glob : ParameterFilter::Mode::Regex).isEmpty());
            document->setMatchingFrozen(filter, true);
        } else if (operation == QLatin1String("invert")) {
            document->invert();
        } else if (operation == QLatin1String("import")) {
            const QString list = dir.filePath(QStringLiteral("list.json"));
            QFile f(list);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(argument.toUtf8());
            f.close();
            QCOMPARE(document->importFreezeList(list), std::vector<std::string>{"nope"});
            args << list;
        }
        const auto r = runCkpt(args);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QByteArray::fromStdString(ckpt::freezeListJson(document->freeze().frozenNames())), r.out.trimmed());
        QVERIFY(document->isModified());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(document->undoStack()->count(), 1);
        document->undoStack()->undo();
        QCOMPARE(document->freeze().frozenNames(), before);
        QVERIFY(!document->isModified());
    }

    void clearAfterFreezing()
    {
        auto document = openDocument(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        document->freezeFirst(4);
        document->clear();
        QCOMPARE(document->freeze().frozenCount(), std::size_t(0));
        QCOMPARE(document->undoStack()->count(), 2);
        document->undoStack()->undo();
        QCOMPARE(document->freeze().frozenCount(), std::size_t(4));
    }

    void badIndicesChangeNothing()
    {
        auto document = openDocument(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"));
        bool threw = false;
        try {
            document->freezeIndices(QStringLiteral("0,99"));
        } catch (const ckpt::Error &e) {
            threw = std::string(e.what()).find("out of range") != std::string::npos;
        }
        QVERIFY(threw);
        QCOMPARE(document->freeze().frozenCount(), std::size_t(0));
        QCOMPARE(document->undoStack()->count(), 0);
    }

    // Save writes beside the checkpoint, keeps other checkpoints' names, and only then counts as saved;
    // an export elsewhere does neither.
    void saveAndExportTargets()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), model));
        QFile existing(dir.filePath(QStringLiteral("frozen_layers.json")));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{\"conv.bias\": 0, \"other.weight\": 0}");
        existing.close();
        auto document = openDocument(model);
        QCOMPARE(document->freezeListTarget(), dir.filePath(QStringLiteral("frozen_layers.json")));
        QCOMPARE(document->freeze().frozenNames(), std::vector<std::string>{"conv.bias"});
        document->freezeFirst(1);
        document->exportFreezeList(dir.filePath(QStringLiteral("copy.txt")));
        QVERIFY(document->isModified());
        const auto saved = document->saveFreezeList();
        QCOMPARE(saved.keptForeign, std::size_t(1));
        QVERIFY(!document->isModified());
        QFile f(saved.path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("{\"conv.weight\": 0, \"conv.bias\": 0, \"other.weight\": 0}"));
    }

    // A file in the way that is not a freeze list is not overwritten.
    void saveRefusesToOverwriteWhatItCannotRead()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), model));
        auto document = openDocument(model);
        QFile existing(document->freezeListTarget());
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{\"broken\": ");
        existing.close();
        document->freezeFirst(1);
        bool threw = false;
        try {
            document->saveFreezeList();
        } catch (const ckpt::Error &e) {
            threw = std::string(e.what()).find("frozen_layers.json") != std::string::npos; // the message names the file
        }
        QVERIFY(threw);
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), QByteArray("{\"broken\": "));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointDocument)
#include "tst_checkpointdocument.moc"

// Freeze state operations (the seed's templates), index lists, and freeze list files in every accepted form.
#include "testsupport.h"

#include "format/error.h"
#include "freezelist.h"
#include "freezestate.h"
#include "keyrules.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;

namespace {
// cnn_state_dict.pt's parameters in model order (BatchNorm buffers excluded).
const QStringList kCnnParameters{QStringLiteral("conv.weight"), QStringLiteral("conv.bias"), QStringLiteral("bn.weight"),
                                 QStringLiteral("bn.bias"), QStringLiteral("fc.weight"), QStringLiteral("fc.bias"),
                                 QStringLiteral("embed.weight")};

QStringList frozen(const ckpt::FreezeState &s)
{
    QStringList out;
    for (const auto &n : s.frozenNames())
        out << QString::fromStdString(n);
    return out;
}

std::unique_ptr<ckpt::Checkpoint> cnn()
{
    return ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/cnn_state_dict.pt")).toStdString());
}
} // namespace

class TestFreeze : public QObject
{
    Q_OBJECT
private slots:
    void parametersAreInModelOrderWithoutBuffers()
    {
        const auto c = cnn();
        const ckpt::FreezeState s(*c);
        QStringList names;
        for (const auto &p : s.parameters())
            names << QString::fromStdString(p.name);
        QCOMPARE(names, kCnnParameters);
    }

    void tiedWeightsCountOnce()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/tied_weights.pt")).toStdString());
        const ckpt::FreezeState s(*c);
        QStringList names;
        for (const auto &p : s.parameters())
            names << QString::fromStdString(p.name);
        QVERIFY(names.contains(QStringLiteral("encoder.weight")));
        QVERIFY(!names.contains(QStringLiteral("decoder.weight")));
    }

    void operations_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("arg");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("first 3") << QStringLiteral("first") << QStringLiteral("3") << kCnnParameters.mid(0, 3);
        QTest::newRow("first 0") << QStringLiteral("first") << QStringLiteral("0") << QStringList();
        QTest::newRow("first more than there are") << QStringLiteral("first") << QStringLiteral("100") << kCnnParameters;
        QTest::newRow("indices list") << QStringLiteral("indices") << QStringLiteral("0,2,6") << QStringList{kCnnParameters[0], kCnnParameters[2], kCnnParameters[6]};
        QTest::newRow("indices range") << QStringLiteral("indices") << QStringLiteral("4-5") << kCnnParameters.mid(4, 2);
        QTest::newRow("indices mixed") << QStringLiteral("indices") << QStringLiteral(" 1, 3-4 ") << QStringList{kCnnParameters[1], kCnnParameters[3], kCnnParameters[4]};
        QTest::newRow("glob prefix") << QStringLiteral("glob") << QStringLiteral("bn.*") << kCnnParameters.mid(2, 2);
        QTest::newRow("glob suffix") << QStringLiteral("glob") << QStringLiteral("*.bias") << QStringList{kCnnParameters[1], kCnnParameters[3], kCnnParameters[5]};
        QTest::newRow("glob class") << QStringLiteral("glob") << QStringLiteral("[cf]*.weight") << QStringList{kCnnParameters[0], kCnnParameters[4]};
        QTest::newRow("glob negated class") << QStringLiteral("glob") << QStringLiteral("[!cfb]*") << QStringList{kCnnParameters[6]};
        QTest::newRow("glob question mark") << QStringLiteral("glob") << QStringLiteral("?c.*") << kCnnParameters.mid(4, 2);
        QTest::newRow("glob matching nothing") << QStringLiteral("glob") << QStringLiteral("layer9.*") << QStringList();
        QTest::newRow("regex search") << QStringLiteral("regex") << QStringLiteral("weight$") << QStringList{kCnnParameters[0], kCnnParameters[2], kCnnParameters[4], kCnnParameters[6]};
        QTest::newRow("regex anchored") << QStringLiteral("regex") << QStringLiteral("^(conv|fc)\\.") << QStringList{kCnnParameters[0], kCnnParameters[1], kCnnParameters[4], kCnnParameters[5]};
        QTest::newRow("names") << QStringLiteral("names") << QStringLiteral("fc.bias,conv.weight") << QStringList{kCnnParameters[0], kCnnParameters[5]};
        QTest::newRow("invert of first 5") << QStringLiteral("invert-first") << QStringLiteral("5") << kCnnParameters.mid(5);
    }

    void operations()
    {
        QFETCH(QString, op);
        QFETCH(QString, arg);
        QFETCH(QStringList, expected);
        const auto c = cnn();
        ckpt::FreezeState s(*c);
        if (op == QLatin1String("first")) {
            s.setFirst(arg.toULongLong());
        } else if (op == QLatin1String("indices")) {
            s.setByIndices(ckpt::parseIndexList(arg.toStdString()));
        } else if (op == QLatin1String("glob")) {
            s.setByGlob(arg.toStdString());
        } else if (op == QLatin1String("regex")) {
            s.setByRegex(ckpt::Regex(arg.toStdString()));
        } else if (op == QLatin1String("names")) {
            std::vector<std::string> names;
            for (const auto &n : arg.split(QLatin1Char(',')))
                names.push_back(n.toStdString());
            QVERIFY(s.setByNames(names).empty());
        } else if (op == QLatin1String("invert-first")) {
            s.setFirst(arg.toULongLong());
            s.invert();
        }
        QCOMPARE(frozen(s), expected);
        s.clear();
        QCOMPARE(s.frozenCount(), std::size_t(0));
    }

    void outOfRangeIndexIsAnError()
    {
        const auto c = cnn();
        ckpt::FreezeState s(*c);
        try {
            s.setByIndices({0, 7});
            QFAIL("index 7 of 7 parameters was accepted");
        } catch (const ckpt::Error &e) {
            QVERIFY(std::string(e.what()).find("0 to 6") != std::string::npos);
        }
        QCOMPARE(s.frozenCount(), std::size_t(0)); // nothing half-applied
    }

    void badIndexLists_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("letters") << QStringLiteral("a,b");
        QTest::newRow("negative") << QStringLiteral("-3");
        QTest::newRow("reversed range") << QStringLiteral("9-5");
        QTest::newRow("dangling comma") << QStringLiteral("1,");
        QTest::newRow("huge range") << QStringLiteral("0-99999999999");
    }

    void badIndexLists()
    {
        QFETCH(QString, text);
        QVERIFY_THROWS_EXCEPTION(ckpt::Error, ckpt::parseIndexList(text.toStdString()));
    }

    // A frozen_layers.json beside the checkpoint is the state it opens with, and the note says so.
    void sidecarIsAppliedAndSaidSo()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/cnn_state_dict.pt"), file));
        QFile sidecar(dir.filePath(QStringLiteral("frozen_layers.json")));
        QVERIFY(sidecar.open(QIODevice::WriteOnly));
        sidecar.write("{\"conv.weight\": 0, \"fc.weight\": 0, \"gone.weight\": 0}");
        sidecar.close();
        const auto c = ckpt::Checkpoint::open(file.toStdString());
        std::string note;
        const ckpt::FreezeState s = ckpt::FreezeState::initial(*c, &note);
        QCOMPARE(frozen(s), (QStringList{QStringLiteral("conv.weight"), QStringLiteral("fc.weight")}));
        QVERIFY2(note.find("frozen_layers.json") != std::string::npos && note.find("2 of 7") != std::string::npos
                     && note.find("gone.weight") != std::string::npos,
                 note.c_str());
        // ckpt inspect shows it too.
        const QString text = QString::fromUtf8(runCkpt({QStringLiteral("inspect"), file}).out);
        QVERIFY2(text.contains(QStringLiteral("Freeze:        applied")), qPrintable(text));
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("fc\\.weight .* no \\(frozen\\)"))));
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("fc\\.bias .* yes"))));
    }

    // Without a sidecar, the requires_grad flags stored in the file are the initial state.
    void storedFlagsAreTheInitialState()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/parameters.pt")).toStdString());
        std::string note;
        const ckpt::FreezeState s = ckpt::FreezeState::initial(*c, &note);
        QCOMPARE(frozen(s), QStringList{QStringLiteral("frozen")});
        QVERIFY(note.find("requires_grad=False") != std::string::npos);
    }

    void unmatchedNamesAreReported()
    {
        const auto c = cnn();
        ckpt::FreezeState s(*c);
        const auto unmatched = s.setByNames({"fc.weight", "head.weight", "bn.running_mean"});
        QCOMPARE(unmatched, (std::vector<std::string>{"head.weight", "bn.running_mean"}));
        QCOMPARE(frozen(s), QStringList{QStringLiteral("fc.weight")});
    }

    void listFormatsParse_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QStringList>("names");
        const QStringList two{QStringLiteral("conv.weight"), QStringLiteral("fc.bias")};
        QTest::newRow("seed json object") << QByteArray("{\"conv.weight\": 0, \"fc.bias\": 0}") << two;
        QTest::newRow("json list") << QByteArray("[\"conv.weight\", \"fc.bias\"]\n") << two;
        QTest::newRow("text") << QByteArray("conv.weight\nfc.bias\n") << two;
        QTest::newRow("text with comments and blanks") << QByteArray("# frozen\n\n  conv.weight  \r\nfc.bias") << two;
        QTest::newRow("empty object") << QByteArray("{}") << QStringList();
        QTest::newRow("empty text") << QByteArray("\n\n") << QStringList();
    }

    void listFormatsParse()
    {
        QFETCH(QByteArray, content);
        QFETCH(QStringList, names);
        QStringList got;
        for (const auto &n : ckpt::parseFreezeList(std::string_view(content.constData(), static_cast<std::size_t>(content.size()))))
            got << QString::fromStdString(n);
        QCOMPARE(got, names);
    }

    void badListsAreErrors()
    {
        QVERIFY_THROWS_EXCEPTION(ckpt::Error, ckpt::parseFreezeList("[1, 2]"));
        QVERIFY_THROWS_EXCEPTION(ckpt::Error, ckpt::parseFreezeList("{\"a\": 0"));
    }

    // frozen_layers.json is byte-for-byte what Python's json.dumps({name: 0}) writes.
    void seedJsonFormat_data()
    {
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty") << QStringList() << QByteArray("{}");
        QTest::newRow("two") << QStringList{QStringLiteral("a.weight"), QStringLiteral("b")} << QByteArray("{\"a.weight\": 0, \"b\": 0}");
        QTest::newRow("non-ascii") << QStringList{QStringLiteral("层.权重"), QStringLiteral("é😀")}
                                   << QByteArray("{\"\\u5c42.\\u6743\\u91cd\": 0, \"\\u00e9\\ud83d\\ude00\": 0}");
        QTest::newRow("quotes") << QStringList{QStringLiteral("a\"b\\c")} << QByteArray("{\"a\\\"b\\\\c\": 0}");
    }

    void seedJsonFormat()
    {
        QFETCH(QStringList, names);
        QFETCH(QByteArray, json);
        std::vector<std::string> v;
        for (const auto &n : names)
            v.push_back(n.toStdString());
        QCOMPARE(QByteArray::fromStdString(ckpt::freezeListJson(v)), json);
        // and it reads back
        QCOMPARE(ckpt::parseFreezeList(ckpt::freezeListJson(v)), v);
    }

    void globMatchesLikeFnmatch_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("match");
        QTest::newRow("star crosses dots") << QStringLiteral("layer1*") << QStringLiteral("layer1.0.conv1.weight") << true;
        QTest::newRow("exact") << QStringLiteral("fc.bias") << QStringLiteral("fc.bias") << true;
        QTest::newRow("prefix only") << QStringLiteral("fc") << QStringLiteral("fc.bias") << false;
        QTest::newRow("star middle") << QStringLiteral("*.0.*.weight") << QStringLiteral("layer1.0.conv1.weight") << true;
        QTest::newRow("star backtracks") << QStringLiteral("*a*b") << QStringLiteral("xaxxaxb") << true;
        QTest::newRow("range") << QStringLiteral("layer[1-2].*") << QStringLiteral("layer2.x") << true;
        QTest::newRow("range miss") << QStringLiteral("layer[1-2].*") << QStringLiteral("layer3.x") << false;
        QTest::newRow("unclosed bracket is literal") << QStringLiteral("a[b") << QStringLiteral("a[b") << true;
        QTest::newRow("empty pattern") << QString() << QStringLiteral("x") << false;
        QTest::newRow("only star") << QStringLiteral("*") << QString() << true;
    }

    void globMatchesLikeFnmatch()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, name);
        QFETCH(bool, match);
        QCOMPARE(ckpt::globMatch(pattern.toStdString(), name.toStdString()), match);
    }
};

QTEST_GUILESS_MAIN(TestFreeze)
#include "tst_freeze.moc"

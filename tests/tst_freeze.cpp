// SPDX-License-Identifier: MIT
// Freeze state operations (the seed's templates), index lists, and freeze list files in every accepted form.
#include "testsupport.h"

#include "format/error.h"
#include "freezelist.h"
#include "freezestate.h"
#include "keyrules.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;

namespace {
// cnn_state_dict.pt's parameters in model order (BatchNorm buffers excluded).
const QStringList kCnnParameters{QStringLiteral("conv.weight"), QStringLiteral("conv.bias"), QStringLiteral("bn.weight"), QStringLiteral("bn.bias"),
    QStringLiteral("fc.weight"), QStringLiteral("fc.bias"), QStringLiteral("embed.weight")};

QStringList frozen(const ckpt::FreezeState &s)
{
    QStringList out;
    for (const auto &n : s.frozenNames())
        out << QString::fromStdString(n);
    return out;
}

// Runs a Python snippet with /usr/bin/python3 (the oracle): sys.argv[1] is a file holding input as JSON,
// sys.argv[2] a folder it may write to. Returns what it prints, parsed as JSON; stops the test binary when
// Python fails, as a data function cannot fail a test.
QJsonValue python(const char *code, const QJsonValue &input, const QString &folder)
{
    const QString in = folder + QStringLiteral("/input.json");
    QFile f(in);
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(QJsonArray{input}).toJson()) <= 0)
        qFatal("cannot write %s", qPrintable(in));
    f.close();
    const QString script = QStringLiteral("import json, sys\ninput = json.load(open(sys.argv[1], encoding='utf-8'))[0]\n") + QString::fromUtf8(code);
    const ProcessResult r = runProcess(QStringLiteral(CKPT_TEST_PYTHON), {QStringLiteral("-c"), script, in, folder});
    if (r.exitCode != 0)
        qFatal("python failed: %s", r.err.constData());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + r.out + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("python printed no JSON: %s", r.out.constData());
    return doc.array().at(0);
}

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
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
        QTest::newRow("indices list") << QStringLiteral("indices") << QStringLiteral("0,2,6")
                                      << QStringList{kCnnParameters[0], kCnnParameters[2], kCnnParameters[6]};
        QTest::newRow("indices range") << QStringLiteral("indices") << QStringLiteral("4-5") << kCnnParameters.mid(4, 2);
        QTest::newRow("indices mixed") << QStringLiteral("indices") << QStringLiteral(" 1, 3-4 ")
                                       << QStringList{kCnnParameters[1], kCnnParameters[3], kCnnParameters[4]};
        QTest::newRow("glob prefix") << QStringLiteral("glob") << QStringLiteral("bn.*") << kCnnParameters.mid(2, 2);
        QTest::newRow("glob suffix") << QStringLiteral("glob") << QStringLiteral("*.bias")
                                     << QStringList{kCnnParameters[1], kCnnParameters[3], kCnnParameters[5]};
        QTest::newRow("glob class") << QStringLiteral("glob") << QStringLiteral("[cf]*.weight") << QStringList{kCnnParameters[0], kCnnParameters[4]};
        QTest::newRow("glob negated class") << QStringLiteral("glob") << QStringLiteral("[!cfb]*") << QStringList{kCnnParameters[6]};
        QTest::newRow("glob question mark") << QStringLiteral("glob") << QStringLiteral("?c.*") << kCnnParameters.mid(4, 2);
        QTest::newRow("glob matching nothing") << QStringLiteral("glob") << QStringLiteral("layer9.*") << QStringList();
        QTest::newRow("regex search") << QStringLiteral("regex") << QStringLiteral("weight$")
                                      << QStringList{kCnnParameters[0], kCnnParameters[2], kCnnParameters[4], kCnnParameters[6]};
        QTest::newRow("regex anchored") << QStringLiteral("regex") << QStringLiteral("^(conv|fc)\\.")
                                        << QStringList{kCnnParameters[0], kCnnParameters[1], kCnnParameters[4], kCnnParameters[5]};
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
        QVERIFY2(
            note.find("frozen_layers.json") != std::string::npos && note.find("2 of 7") != std::string::npos && note.find("gone.weight") != std::string::npos,
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

    // frozen_layers.json is byte-for-byte what the seed's json.dump({name: 0, ...}, f) writes (default
    // arguments: ", " and ": " separators, ensure_ascii), with Python itself as the oracle.
    void seedJsonFormat_data()
    {
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QByteArray>("json");
        const QList<QPair<const char *, QStringList>> rows{
            {"empty", {}},
            {"two", {QStringLiteral("a.weight"), QStringLiteral("b")}},
            {"cnn", kCnnParameters},
            {"non-ascii", {QStringLiteral("层.权重"), QStringLiteral("é😀")}},
            {"quotes and backslashes", {QStringLiteral("a\"b\\c"), QStringLiteral("\\\\")}},
            {"control characters", {QStringLiteral("tab\there"), QStringLiteral("nl\nx\r"), QString(QChar(1)) + QChar(0x1f) + QChar(8) + QChar(12)}},
            {"printable ascii", {QStringLiteral(" !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~")}},
            {"delete and C1 controls", {QString(QChar(0x7f)), QString(QChar(0x80)) + QChar(0x9f) + QChar(0xa0)}},
            {"BMP edge and astral", {QString(QChar(0xfffd)) + QChar(0xffff), QString::fromUcs4(U"\U0001F600\U0010FFFF")}},
            {"empty name", {QString()}},
        };
        QTemporaryDir dir;
        QJsonArray input;
        for (const auto &row : rows)
            input.append(QJsonArray::fromStringList(row.second));
        // One file per row, written as the seed writes frozen_layers.json.
        python("import os\n"
               "for i, names in enumerate(input):\n"
               "    with open(os.path.join(sys.argv[2], '%d.json' % i), 'w') as f:\n"
               "        json.dump({name: 0 for name in names}, f)\n"
               "print('null')\n",
            input, dir.path());
        for (qsizetype i = 0; i < rows.size(); ++i)
            QTest::newRow(rows[i].first) << rows[i].second << readBytes(dir.filePath(QStringLiteral("%1.json").arg(i)));
    }

    void seedJsonFormat()
    {
        QFETCH(QStringList, names);
        QFETCH(QByteArray, json);
        QVERIFY(json.startsWith('{')); // Python wrote it
        std::vector<std::string> v;
        for (const auto &n : names)
            v.push_back(n.toStdString());
        QCOMPARE(QByteArray::fromStdString(ckpt::freezeListJson(v)), json);
        // and it reads back
        QCOMPARE(ckpt::parseFreezeList(ckpt::freezeListJson(v)), v);
    }

    // What the window's Export and ckpt freeze write for a real checkpoint goes through the same format.
    void exportedJsonIsPythons()
    {
        const auto c = cnn();
        ckpt::FreezeState s(*c);
        s.setByIndices({0, 3, 6});
        QTemporaryDir dir;
        const QJsonValue names = QJsonArray::fromStringList(frozen(s));
        python("import os\n"
               "with open(os.path.join(sys.argv[2], 'frozen_layers.json'), 'w') as f:\n"
               "    json.dump({name: 0 for name in input}, f)\n"
               "print('null')\n",
            names, dir.path());
        QCOMPARE(QByteArray::fromStdString(ckpt::formatFreezeList(s, ckpt::FreezeListFormat::Json, "cnn_state_dict.pt")),
            readBytes(dir.filePath(QStringLiteral("frozen_layers.json"))));
    }

    // ckpt::globMatch is fnmatch.fnmatchcase (what the seed's freeze-by-pattern used): every name against every
    // pattern, Python's answer the expected one.
    void globMatchesLikeFnmatch_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("match");
        const QStringList names{
            QStringLiteral("layer1.0.conv1.weight"),
            QStringLiteral("layer2.x"),
            QStringLiteral("layer3.x"),
            QStringLiteral("fc.bias"),
            QStringLiteral("fc"),
            QStringLiteral("FC.bias"),
            QStringLiteral("xaxxaxb"),
            QStringLiteral("a[b"),
            QStringLiteral("a]b"),
            QStringLiteral("a-b"),
            QStringLiteral("a!b"),
            QStringLiteral("a^b"),
            QStringLiteral("a*b"),
            QStringLiteral("a?b"),
            QStringLiteral("a\\b"),
            QStringLiteral("[ab]"),
            QStringLiteral("b"),
            QStringLiteral("]"),
            QStringLiteral("-"),
            QString(),
            QStringLiteral("embed.weight"),
            QStringLiteral("module.encoder.layers.10.attn.in_proj_weight"),
            QStringLiteral("é.weight"),
            QStringLiteral("层.权重"),
        };
        const QStringList patterns{
            QStringLiteral("layer1*"),
            QStringLiteral("fc.bias"),
            QStringLiteral("fc"),
            QStringLiteral("*.0.*.weight"),
            QStringLiteral("*a*b"),
            QStringLiteral("layer[1-2].*"),
            QStringLiteral("a[b"),
            QString(),
            QStringLiteral("*"),
            QStringLiteral("**"),
            QStringLiteral("?"),
            QStringLiteral("*?*"),
            QStringLiteral("?c.*"),
            QStringLiteral("[cf]*.weight"),
            QStringLiteral("[!cfb]*"),
            QStringLiteral("[!a-c]*"),
            QStringLiteral("[]]*"),
            QStringLiteral("[!]]*"),
            QStringLiteral("[]-]"),
            QStringLiteral("[a-]*"),
            QStringLiteral("a[-]b"),
            QStringLiteral("[z-a]*"),
            QStringLiteral("a[!]b"),
            QStringLiteral("a[]]b"),
            QStringLiteral("a[^]b"),
            QStringLiteral("a[*]b"),
            QStringLiteral("a[?]b"),
            QStringLiteral("a\\b"),
            QStringLiteral("a\\*"),
            QStringLiteral("[[]ab]"),
            QStringLiteral("[ab"),
            QStringLiteral("a*b*"),
            QStringLiteral("*.bias"),
            QStringLiteral("*bias"),
            QStringLiteral("*.*.*"),
            QStringLiteral("*[0-9]*"),
            QStringLiteral("*[!0-9]"),
            QStringLiteral("layer?.*"),
            QStringLiteral("*layers.1?.*"),
            QStringLiteral("[A-Z]*"),
            QStringLiteral("[f-]c*"),
            QStringLiteral("[!]"),
            QStringLiteral("[]"),
            QStringLiteral("a[!-]b"),
            QStringLiteral("*["),
            QStringLiteral("?.weight"),
            QStringLiteral("[é]*"),
            QStringLiteral("*.权重"),
            QStringLiteral("??.??"),
        };
        QTemporaryDir dir;
        const QJsonArray answers = python("import fnmatch\n"
                                          "print(json.dumps([[fnmatch.fnmatchcase(n, p) for n in input[0]] for p in input[1]]))\n",
            QJsonArray{QJsonArray::fromStringList(names), QJsonArray::fromStringList(patterns)}, dir.path())
                                       .toArray();
        if (answers.size() != patterns.size())
            qFatal("fnmatch gave %d answers", int(answers.size()));
        for (qsizetype p = 0; p < patterns.size(); ++p)
            for (qsizetype n = 0; n < names.size(); ++n)
                QTest::addRow("'%s' ~ '%s'", qPrintable(patterns[p]), qPrintable(names[n]))
                    << patterns[p] << names[n] << answers.at(p).toArray().at(n).toBool();
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

// SPDX-License-Identifier: MIT
// The data-only pickle VM: every protocol Python writes, and every limit a hostile pickle can hit.
#include "testsupport.h"

#include "format/error.h"
#include "format/hashsort.h"
#include "format/pickle/picklemachine.h"
#include "format/pickle/pyrepr.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace ckpt;
using namespace ckpt::pickle;

namespace {
// A byte string literal with its embedded NULs (QByteArray(const char *) would stop at the first).
template<std::size_t N>
QByteArray raw(const char (&s)[N])
{
    return QByteArray(s, N - 1);
}

std::span<const std::byte> bytesOf(const QByteArray &a)
{
    return {reinterpret_cast<const std::byte *>(a.constData()), static_cast<std::size_t>(a.size())};
}

QJsonArray pythonPickles()
{
    QFile f(testsupport::fixtureDir() + QStringLiteral("/pickles.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("pickles.json missing: run the generate_pickles test first");
    return QJsonDocument::fromJson(f.readAll()).array();
}
} // namespace

class TestPickleMachine : public QObject
{
    Q_OBJECT
private slots:
    void readsWhatPythonWrites_data()
    {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<QString>("repr");
        const QJsonArray rows = pythonPickles();
        QVERIFY(rows.size() >= 90);
        for (const auto &v : rows) {
            const QJsonObject o = v.toObject();
            QTest::newRow(qPrintable(o.value(QStringLiteral("name")).toString()))
                << QByteArray::fromHex(o.value(QStringLiteral("hex")).toString().toLatin1()) << o.value(QStringLiteral("repr")).toString();
        }
    }

    void readsWhatPythonWrites()
    {
        QFETCH(QByteArray, pickle);
        QFETCH(QString, repr);
        Arena arena(1'000'000);
        PickleMachine vm(arena, nullptr);
        std::size_t consumed = 0;
        const Value *v = vm.load(bytesOf(pickle), &consumed);
        QCOMPARE(consumed, static_cast<std::size_t>(pickle.size()));
        QCOMPARE(QString::fromStdString(shortRepr(v, 1u << 20)), repr);
    }

    // Every prefix of a valid pickle is an error, never a crash or a partial value.
    void everyTruncationIsAnError_data() { readsWhatPythonWrites_data(); }
    void everyTruncationIsAnError()
    {
        QFETCH(QByteArray, pickle);
        const qsizetype step = std::max<qsizetype>(1, pickle.size() / 200);
        for (qsizetype n = 0; n < pickle.size(); n += step) {
            Arena arena(1'000'000);
            PickleMachine vm(arena, nullptr);
            try {
                vm.load(bytesOf(pickle.left(n)));
                QFAIL(qPrintable(QStringLiteral("a pickle cut at %1 of %2 bytes was accepted").arg(n).arg(pickle.size())));
            } catch (const Error &e) {
                QVERIFY(e.kind() == ErrorKind::Truncated || e.kind() == ErrorKind::Malformed);
                QVERIFY(std::string(e.what()).find("byte") != std::string::npos);
            }
        }
    }

    void rejectsHostileInput_data()
    {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<int>("kind");
        const int malformed = int(ErrorKind::Malformed), truncated = int(ErrorKind::Truncated), limit = int(ErrorKind::LimitExceeded),
                  unsupported = int(ErrorKind::Unsupported);
        QTest::newRow("empty") << QByteArray() << truncated;
        QTest::newRow("no STOP") << raw("\x80\x02]") << truncated;
        QTest::newRow("STOP on empty stack") << raw("\x80\x02.") << malformed;
        QTest::newRow("stack underflow") << raw("\x80\x02"
                                                "a.")
                                         << malformed;
        QTest::newRow("pop below a mark") << raw("\x80\x02](a.") << malformed;
        QTest::newRow("mark underflow") << raw("\x80\x02t.") << malformed;
        QTest::newRow("memo read before write") << raw("\x80\x02h\x05.") << malformed;
        QTest::newRow("LONG_BINGET past end") << raw("\x80\x02j\xff\xff") << truncated;
        QTest::newRow("unknown opcode") << raw("\x80\x02\xff") << malformed;
        QTest::newRow("protocol 6") << raw("\x80\x06N.") << unsupported;
        QTest::newRow("EXT1") << raw("\x80\x02\x82\x01.") << unsupported;
        QTest::newRow("NEXT_BUFFER") << raw("\x80\x05\x97.") << unsupported;
        QTest::newRow("LONG4 of 2 GiB") << raw("\x80\x02\x8b\xff\xff\xff\x7f") << truncated;
        QTest::newRow("LONG4 negative") << raw("\x80\x02\x8b\xff\xff\xff\xff") << malformed;
        QTest::newRow("BINUNICODE past end") << raw("\x80\x02X\xff\xff\xff\xff"
                                                    "abc")
                                             << truncated;
        QTest::newRow("BINBYTES8 past end") << raw("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff") << truncated;
        QTest::newRow("FRAME past end") << raw("\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.") << truncated;
        QTest::newRow("odd SETITEMS") << raw("\x80\x02}(K\x01u.") << malformed;
        QTest::newRow("APPEND to a tuple") << raw("\x80\x02)K\x01"
                                                  "a.")
                                           << malformed;
        QTest::newRow("SETITEM on a list") << raw("\x80\x02]K\x01K\x02s.") << malformed;
        QTest::newRow("BUILD on an int") << raw("\x80\x02K\x01}b.") << malformed;
        QTest::newRow("REDUCE args not a tuple") << raw("\x80\x02"
                                                        "cos\nsystem\nK\x01R.")
                                                 << malformed;
        QTest::newRow("STACK_GLOBAL of ints") << raw("\x80\x04K\x01K\x02\x93.") << malformed;
        QTest::newRow("persistent id without loader") << raw("\x80\x02NQ.") << malformed;
        QTest::newRow("STRING unquoted") << raw("Sabc\n.") << malformed;
        QTest::newRow("INT garbage") << raw("Ixyz\n.") << malformed;
        QTest::newRow("FLOAT garbage") << raw("Fxyz\n.") << malformed;
        QTest::newRow("decimal int of 5000 digits") << QByteArray("L") + QByteArray(5000, '7') + QByteArray("\n.") << limit;
        QTest::newRow("70000 MARKs") << QByteArray("\x80\x02") + QByteArray(70000, '(') << limit;
        QByteArray manyPushes("\x80\x02", 2);
        manyPushes += QByteArray(1100000, 'N');
        QTest::newRow("stack of 1.1M entries") << manyPushes << limit;
        QByteArray tensor = raw("\x80\x02"
                                "ctorch._utils\n_rebuild_tensor_v2\n(X\x03\x00\x00\x00"
                                "abcK\x00))\x89NtR.");
        QTest::newRow("tensor storage not a storage") << tensor << malformed;
    }

    void rejectsHostileInput()
    {
        QFETCH(QByteArray, pickle);
        QFETCH(int, kind);
        Arena arena(1'000'000);
        PickleMachine vm(arena, nullptr);
        try {
            vm.load(bytesOf(pickle));
            QFAIL("a hostile pickle was accepted");
        } catch (const Error &e) {
            QCOMPARE(errorKindName(ErrorKind(e.kind())), errorKindName(ErrorKind(kind)));
        }
    }

    void objectCountIsCapped()
    {
        QByteArray p("\x80\x02(", 3);
        p += QByteArray(5000, ']'); // 5000 new lists
        p += "l.";
        Arena arena(1000);
        PickleMachine vm(arena, nullptr);
        try {
            vm.load(bytesOf(p));
            QFAIL("object cap not enforced");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::LimitExceeded);
        }
    }

    void hugeMemoIndexIsFine()
    {
        const QByteArray p("\x80\x02]r\xff\xff\xff\xffj\xff\xff\xff\xff\x86.", 15);
        Arena arena(1000);
        PickleMachine vm(arena, nullptr);
        QCOMPARE(shortRepr(vm.load(bytesOf(p))), std::string("([], [])"));
    }

    void unknownGlobalsStayInert()
    {
        // os.system('touch <sentinel>') via GLOBAL + REDUCE: an opaque object, never a call.
        const QString sentinel = QDir::tempPath() + QStringLiteral("/ckpt_pickle_vm_sentinel");
        QFile::remove(sentinel);
        const QByteArray p = "cos\nsystem\n(S'touch " + sentinel.toUtf8() + "'\ntR.";
        Arena arena(1000);
        PickleMachine vm(arena, nullptr);
        const Value *v = vm.load(bytesOf(p));
        QCOMPARE(pythonTypeName(v), std::string("os.system"));
        QCOMPARE(vm.globals().size(), std::size_t(1));
        QCOMPARE(vm.globals()[0].module, std::string("os"));
        QCOMPARE(vm.globals()[0].name, std::string("system"));
        QVERIFY(!QFile::exists(sentinel));
    }

    void stackGlobalIsRecorded()
    {
        // STACK_GLOBAL with module and name built from memoised strings.
        const QByteArray p = raw("\x80\x04\x8c\x08"
                                 "builtins\x94\x8c\x04"
                                 "exec\x94h\x00h\x01\x93\x94.");
        Arena arena(1000);
        PickleMachine vm(arena, nullptr);
        vm.load(bytesOf(p));
        QCOMPARE(vm.globals().size(), std::size_t(1));
        QVERIFY(vm.globals()[0].viaStackGlobal);
        QCOMPARE(vm.globals()[0].name, std::string("exec"));
    }

    void repeatedDictKeysReplaceValues()
    {
        // {'a': 1, 'a': 2} built with SETITEMS, and a big dict with a repeat: Python keeps one key.
        QByteArray p = raw("\x80\x02}(X\x01\x00\x00\x00"
                           "aK\x01X\x01\x00\x00\x00"
                           "aK\x02u.");
        Arena arena(1000);
        PickleMachine vm(arena, nullptr);
        QCOMPARE(shortRepr(vm.load(bytesOf(p))), std::string("{'a': 2}"));
        QByteArray big("\x80\x02}(", 4);
        for (int i = 0; i < 40; ++i)
            big += "K" + QByteArray(1, char(i)) + "K" + QByteArray(1, char(i));
        big += "K\x05K\x63u.";
        Arena arena2(10000);
        PickleMachine vm2(arena2, nullptr);
        const auto *d = asDict(vm2.load(bytesOf(big)));
        QCOMPARE(d->items.size(), std::size_t(40));
        QCOMPARE(static_cast<const IntValue *>(d->items[5].second)->v, std::int64_t(99));
    }

    void repeatedKeysOfALargeDict()
    {
        // 20,000 keys (past the size where the key hashes are radix sorted), key 7 repeated at the end.
        QByteArray big("\x80\x02}(", 4);
        for (int i = 0; i < 20000; ++i)
            big += "M" + QByteArray(1, char(i & 0xFF)) + QByteArray(1, char(i >> 8)) + "K\x01";
        big += "K\x07K\x02u.";
        Arena arena(100000);
        PickleMachine vm(arena, nullptr);
        const auto *d = asDict(vm.load(bytesOf(big)));
        QCOMPARE(d->items.size(), std::size_t(20000));
        QCOMPARE(static_cast<const IntValue *>(d->items[7].first)->v, std::int64_t(7));
        QCOMPARE(static_cast<const IntValue *>(d->items[7].second)->v, std::int64_t(2));
        QCOMPARE(static_cast<const IntValue *>(d->items[8].second)->v, std::int64_t(1));
    }

    void hashSortOrdersAsStdSort_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("distinctHashes"); // few: many ties, ordered by index
        QTest::addRow("small") << 100 << 1000000;
        QTest::addRow("radix, distinct") << 50000 << 1000000000;
        QTest::addRow("radix, many ties") << 50000 << 7;
    }

    void hashSortOrdersAsStdSort()
    {
        QFETCH(int, size);
        QFETCH(int, distinctHashes);
        QRandomGenerator random(16);
        std::vector<ckpt::HashIndex> v;
        for (int i = 0; i < size; ++i) // indices out of order too
            v.emplace_back(random.bounded(distinctHashes) * 0x9e3779b97f4a7c15ull, random.generate());
        std::vector<ckpt::HashIndex> expected = v;
        std::sort(expected.begin(), expected.end());
        ckpt::sortHashIndex(v);
        QVERIFY(v == expected);
    }
};

QTEST_GUILESS_MAIN(TestPickleMachine)
#include "tst_picklemachine.moc"

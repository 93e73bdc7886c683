// SPDX-License-Identifier: MIT
// The strict JSON reader used for safetensors headers and sharded indexes, and the writer behind every JSON output.
#include "format/error.h"
#include "format/json.h"
#include "format/jsonwriter.h"

#include <clocale>
#include <cmath>
#include <cstring>
#include <limits>

#include <QTest>

using ckpt::ErrorKind;
namespace json = ckpt::json;

class TestJson : public QObject
{
    Q_OBJECT
private slots:
    void valid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("summary");
        QTest::newRow("empty object") << QByteArray("{}") << QStringLiteral("object:0");
        QTest::newRow("padded like safetensors") << QByteArray("{\"a\":1}      ") << QStringLiteral("object:1");
        QTest::newRow("nested") << QByteArray("{\"a\":{\"b\":[1,2,{\"c\":null}]}}") << QStringLiteral("object:1");
        QTest::newRow("array") << QByteArray("[true,false,null]") << QStringLiteral("array:3");
        QTest::newRow("string escapes") << QByteArray("\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"") << QStringLiteral("string:a\"b\\c\né😀");
        QTest::newRow("utf8 passthrough") << QByteArray("\"\xe6\x9d\x83\xe9\x87\x8d\"") << QStringLiteral("string:权重");
        QTest::newRow("integer") << QByteArray("9007199254740993") << QStringLiteral("integer:9007199254740993");
        QTest::newRow("negative integer") << QByteArray("-42") << QStringLiteral("integer:-42");
        QTest::newRow("float") << QByteArray("1.5e3") << QStringLiteral("number:1500");
        QTest::newRow("huge integer is a number") << QByteArray("123456789012345678901234") << QStringLiteral("number:1.23457e+23");
    }

    void valid()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, summary);
        const json::Value v = json::parse(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QString got;
        switch (v.type) {
        case json::Value::Type::Object: got = QStringLiteral("object:%1").arg(v.object().size()); break;
        case json::Value::Type::Array: got = QStringLiteral("array:%1").arg(v.array().size()); break;
        case json::Value::Type::String: got = QStringLiteral("string:") + QString::fromStdString(v.string()); break;
        case json::Value::Type::Number: got = v.isInteger ? QStringLiteral("integer:%1").arg(v.integer) : QStringLiteral("number:%1").arg(v.number); break;
        default: got = QStringLiteral("other"); break;
        }
        QCOMPARE(got, summary);
    }

    void objectKeepsDocumentOrder()
    {
        const auto v = json::parse("{\"z\":1,\"a\":2,\"m\":3}");
        QCOMPARE(v.object().size(), std::size_t(3));
        QCOMPARE(v.object()[0].first, std::string("z"));
        QCOMPARE(v.object()[1].first, std::string("a"));
        QCOMPARE(v.object()[2].first, std::string("m"));
        QVERIFY(v.find("a") && v.find("a")->integer == 2);
        QVERIFY(!v.find("q"));
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("kind");
        const int malformed = int(ErrorKind::Malformed);
        QTest::newRow("empty") << QByteArray("") << malformed;
        QTest::newRow("duplicate key") << QByteArray("{\"a\":1,\"a\":2}") << malformed;
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}") << malformed;
        QTest::newRow("trailing garbage") << QByteArray("{} x") << malformed;
        QTest::newRow("unterminated string") << QByteArray("\"abc") << malformed;
        QTest::newRow("control char") << QByteArray("\"a\x01\"") << malformed;
        QTest::newRow("bad escape") << QByteArray("\"\\q\"") << malformed;
        QTest::newRow("lone surrogate") << QByteArray("\"\\ud800\"") << malformed;
        QTest::newRow("invalid utf8") << QByteArray("\"\xff\"") << malformed;
        QTest::newRow("overlong utf8") << QByteArray("\"\xc0\xaf\"") << malformed;
        QTest::newRow("leading zero") << QByteArray("01") << malformed;
        QTest::newRow("bare minus") << QByteArray("-") << malformed;
        QTest::newRow("single quotes") << QByteArray("{'a':1}") << malformed;
        QTest::newRow("nan literal") << QByteArray("NaN") << malformed;
        QTest::newRow("truncated literal") << QByteArray("tru") << malformed;
        QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << malformed;
        QTest::newRow("deep nesting") << QByteArray(200, '[') << int(ErrorKind::LimitExceeded);
        QTest::newRow("array over the length limit") << QByteArray("[") + QByteArray("0,").repeated(70) + QByteArray("0]") << int(ErrorKind::LimitExceeded);
    }

    void invalid()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, kind);
        try {
            json::Limits limits;
            limits.maxArrayLength = 64;
            json::parse(std::string_view(text.constData(), static_cast<std::size_t>(text.size())), limits);
            QFAIL("accepted invalid JSON");
        } catch (const ckpt::Error &e) {
            QCOMPARE(int(e.kind()), kind);
            QVERIFY(std::string(e.what()).find("byte") != std::string::npos);
        }
    }

    void quoteRoundTrips_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::newRow("plain") << QByteArray("model_state/layer1.0.conv1.weight");
        QTest::newRow("quotes and backslashes") << QByteArray("a\"b\\c");
        QTest::newRow("controls") << QByteArray("tab\there\nnl\x01");
        QTest::newRow("utf8") << QByteArray("冻结/权重");
    }

    void quoteRoundTrips()
    {
        QFETCH(QByteArray, raw);
        const std::string in(raw.constData(), static_cast<std::size_t>(raw.size()));
        QCOMPARE(json::parse(json::quote(in)).string(), in);
    }

    void writerLayouts_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("inline") << int(json::Layout::Inline) << QByteArray("{\"a\": [1, 2], \"b\": {\"c\": true, \"d\": null}, \"e\": [], \"f\": {}}");
        QTest::newRow("lines") << int(json::Layout::Lines)
                               << QByteArray("{\n  \"a\": [1, 2],\n  \"b\": {\"c\": true, \"d\": null},\n  \"e\": [],\n  \"f\": {}\n}");
    }

    // The exact bytes of both layouts, empty containers included: outputs are diffed and grepped by people.
    void writerLayouts()
    {
        QFETCH(int, layout);
        QFETCH(QByteArray, expected);
        std::string out;
        json::Writer w(out);
        w.beginObject(static_cast<json::Layout>(layout));
        w.key("a").beginArray().integer(1).integer(2).end();
        w.key("b").beginObject().key("c").boolean(true).key("d").null().end();
        w.key("e").beginArray(json::Layout::Lines).end();
        w.key("f").beginObject(json::Layout::Lines).end();
        w.end();
        QVERIFY(w.complete());
        QCOMPARE(QByteArray::fromStdString(out), expected);
        QVERIFY(json::parse(out).isObject());
    }

    void writerNestedLinesIndent()
    {
        std::string out;
        json::Writer w(out);
        w.beginObject(json::Layout::Lines).key("list").beginArray(json::Layout::Lines).string("x").beginObject().key("k").integer(-3).end().end().end();
        QCOMPARE(QByteArray::fromStdString(out), QByteArray("{\n  \"list\": [\n    \"x\",\n    {\"k\": -3}\n  ]\n}"));
    }

    void writerNumbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("negative zero") << -0.0 << QByteArray("-0");
        QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
        QTest::newRow("float32 value as double") << double(0.1f) << QByteArray("0.10000000149011612");
        QTest::newRow("large") << 1e300 << QByteArray("1e+300");
        QTest::newRow("denormal") << 5e-324 << QByteArray("5e-324");
        QTest::newRow("max") << std::numeric_limits<double>::max() << QByteArray("1.7976931348623157e+308");
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QByteArray("null");
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QByteArray("null");
        QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << QByteArray("null");
    }

    // Shortest round trip, and the same bytes when the C library's locale writes a decimal comma.
    void writerNumbers()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, expected);
        const std::string before = std::setlocale(LC_ALL, nullptr);
        for (const char *locale : {"C", "de_DE.UTF-8", "fr_FR.UTF-8"}) {
            if (!std::setlocale(LC_ALL, locale))
                continue; // not generated on this machine; tst_cli's locale test generates one
            std::string out;
            json::Writer w(out);
            w.beginArray().number(value).end();
            QCOMPARE(QByteArray::fromStdString(out), "[" + expected + "]");
        }
        std::setlocale(LC_ALL, before.c_str());
        if (std::isfinite(value)) {
            // Bit for bit, except that "-0" reads back as the integer 0 (as Python's json.loads reads it).
            const double back = json::parse(json::number(value)).number;
            QVERIFY(value == 0 ? back == 0 : std::memcmp(&back, &value, sizeof value) == 0);
        }
    }

    void writerIntegers()
    {
        std::string out;
        json::Writer w(out);
        w.beginArray().integer(std::numeric_limits<std::int64_t>::min()).integer(std::numeric_limits<std::uint64_t>::max()).integer(0).end();
        QCOMPARE(QByteArray::fromStdString(out), QByteArray("[-9223372036854775808, 18446744073709551615, 0]"));
    }

    void writerEscapes_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("utf8");
        QTest::addColumn<QByteArray>("ascii");
        QTest::newRow("plain") << QByteArray("layer1.0.weight") << QByteArray("\"layer1.0.weight\"") << QByteArray("\"layer1.0.weight\"");
        QTest::newRow("quote and backslash") << QByteArray("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"") << QByteArray("\"a\\\"b\\\\c\"");
        QTest::newRow("controls") << QByteArray("\b\f\n\r\t\x01\x1f") << QByteArray("\"\\b\\f\\n\\r\\t\\u0001\\u001f\"")
                                  << QByteArray("\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
        QTest::newRow("DEL") << QByteArray("a\x7f") << QByteArray("\"a\x7f\"") << QByteArray("\"a\\u007f\"");
        QTest::newRow("BMP") << QByteArray("冻结") << QByteArray("\"冻结\"") << QByteArray("\"\\u51bb\\u7ed3\"");
        QTest::newRow("astral: surrogate pair") << QByteArray("\xf0\x9f\x98\x80") << QByteArray("\"\xf0\x9f\x98\x80\"") << QByteArray("\"\\ud83d\\ude00\"");
        QTest::newRow("invalid UTF-8") << QByteArray("a\xff"
                                                     "b")
                                       << QByteArray("\"a\\ufffdb\"") << QByteArray("\"a\\ufffdb\"");
        QTest::newRow("truncated sequence") << QByteArray("\xe5\x86") << QByteArray("\"\\ufffd\\ufffd\"") << QByteArray("\"\\ufffd\\ufffd\"");
    }

    // Both escapings read back (invalid bytes aside) as the same string. The ASCII form is the one json.dump
    // writes; tst_freeze compares whole freeze lists with Python's.
    void writerEscapes()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, utf8);
        QFETCH(QByteArray, ascii);
        const std::string in = raw.toStdString();
        QCOMPARE(QByteArray::fromStdString(json::quote(in)), utf8);
        QCOMPARE(QByteArray::fromStdString(json::quote(in, json::Escape::Ascii)), ascii);
        QCOMPARE(json::parse(json::quote(in)).string(), json::parse(json::quote(in, json::Escape::Ascii)).string());
        std::string keyed;
        json::Writer(keyed, json::Escape::Ascii).beginObject().key(in).integer(0).end();
        QCOMPARE(QByteArray::fromStdString(keyed), "{" + ascii + ": 0}");
    }

    void quoteReplacesInvalidUtf8()
    {
        QCOMPARE(json::quote("a\xff"
                             "b"),
            std::string("\"a\\ufffdb\""));
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"

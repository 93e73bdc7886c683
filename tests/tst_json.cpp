// The strict JSON reader used for safetensors headers and sharded indexes.
#include "format/error.h"
#include "format/json.h"

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
        case json::Value::Type::Number:
            got = v.isInteger ? QStringLiteral("integer:%1").arg(v.integer) : QStringLiteral("number:%1").arg(v.number);
            break;
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
        QTest::newRow("array over the length limit") << QByteArray("[") + QByteArray("0,").repeated(70) + QByteArray("0]")
                                                    << int(ErrorKind::LimitExceeded);
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

    void quoteReplacesInvalidUtf8()
    {
        QCOMPARE(json::quote("a\xff" "b"), std::string("\"a\\ufffdb\""));
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"

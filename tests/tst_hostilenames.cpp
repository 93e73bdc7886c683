// SPDX-License-Identifier: MIT
// Issue 13: hostile names meet user patterns. A name of 200,000 characters or of 50,000 segments goes
// through ckpt freeze --regex / --glob, ckpt save --rename and ckpt transplant --rename without a crash and
// with the right result (std::regex recursed per character and died with SIGSEGV); globs do not backtrack
// exponentially; and the readers bound a name segment to 64 KiB (LimitExceeded).
#include "testsupport.h"

#include "checkpoint.h"
#include "format/error.h"
#include "format/namelimit.h"
#include "freezelist.h"
#include "keyrules.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace testsupport;

Q_DECLARE_METATYPE(std::string)

namespace {

// 200,000 characters: 'a' in four segments of 49,999 (under the 64 KiB segment bound) and a final 'b'.
std::string longName()
{
    std::string s;
    s.reserve(200000);
    while (s.size() < 199999)
        s += (s.size() % 50000 == 49999) ? '.' : 'a';
    return s + 'b';
}

// 50,000 segments: s.s.s. ... .s
std::string manySegments()
{
    std::string s;
    s.reserve(100000);
    for (int i = 0; i < 50000; ++i)
        s += i ? ".s" : "s";
    return s;
}

std::string replaceAll(std::string s, char from, char to)
{
    std::replace(s.begin(), s.end(), from, to);
    return s;
}

// A safetensors file with one float32 per name, in this header order.
QString writeSafetensors(const QString &path, const std::vector<std::string> &names)
{
    std::string header = "{";
    std::size_t offset = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        header += (i ? ",\"" : "\"") + names[i] + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + std::to_string(offset) + ","
            + std::to_string(offset + 4) + "]}";
        offset += 4;
    }
    header += "}";
    while (header.size() % 8)
        header += ' ';
    QByteArray file(8, '\0');
    const quint64 n = header.size();
    memcpy(file.data(), &n, 8);
    file += QByteArray::fromStdString(header);
    file += QByteArray(static_cast<qsizetype>(offset), '\0');
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(file) != file.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

std::vector<std::string> sortedNames(const QString &path)
{
    std::vector<std::string> names;
    const auto c = ckpt::Checkpoint::open(path.toStdString());
    for (const auto &t : c->tensors())
        names.push_back(t.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> sorted(std::vector<std::string> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

QByteArray head(const QByteArray &b)
{
    return b.left(300);
}

} // namespace

class TestHostileNames : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString file(const QString &name, const std::vector<std::string> &names) { return writeSafetensors(m_dir.filePath(name), names); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // ckpt freeze with a regex or a glob over the hostile name: exit 0 and exactly that name frozen.
    void freezeByPattern_data()
    {
        QTest::addColumn<std::string>("name");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<bool>("matches");
        const std::string l = longName(), s = manySegments();
        QTest::newRow("200,000 chars, --regex a.*b") << l << QStringLiteral("--regex") << QStringLiteral("a.*b") << true;
        QTest::newRow("200,000 chars, --regex ^(a|\\.)+b$") << l << QStringLiteral("--regex") << QStringLiteral("^(a|\\.)+b$") << true;
        QTest::newRow("200,000 chars, --regex no match") << l << QStringLiteral("--regex") << QStringLiteral("a.*c") << false;
        QTest::newRow("200,000 chars, --glob *a*a*a*a*a*a*b") << l << QStringLiteral("--glob") << QStringLiteral("*a*a*a*a*a*a*b") << true;
        QTest::newRow("200,000 chars, --glob *a*a*a*a*a*a*c") << l << QStringLiteral("--glob") << QStringLiteral("*a*a*a*a*a*a*c") << false;
        QTest::newRow("50,000 segments, --regex (s\\.)+s") << s << QStringLiteral("--regex") << QStringLiteral("^(s\\.)+s$") << true;
        QTest::newRow("50,000 segments, --regex s.*s") << s << QStringLiteral("--regex") << QStringLiteral("s.*s") << true;
        QTest::newRow("50,000 segments, --glob *.s.*.s") << s << QStringLiteral("--glob") << QStringLiteral("*.s.*.s") << true;
        QTest::newRow("50,000 segments, --glob *s*s*s*s*s*s*x") << s << QStringLiteral("--glob") << QStringLiteral("*s*s*s*s*s*s*x") << false;
        QTest::newRow("64 KiB of a, --glob *a*a*a*a*a*a*b")
            << std::string(ckpt::kMaxNameSegment, 'a') << QStringLiteral("--glob") << QStringLiteral("*a*a*a*a*a*a*b") << false;
    }

    void freezeByPattern()
    {
        QFETCH(std::string, name);
        QFETCH(QString, option);
        QFETCH(QString, pattern);
        QFETCH(bool, matches);
        const QString path = file(QStringLiteral("freeze.safetensors"), {name, "x.weight"});
        const QString out = m_dir.filePath(QStringLiteral("frozen_layers.json"));
        QFile::remove(out);
        const ProcessResult r = runCkpt({QStringLiteral("freeze"), path, option, pattern, QStringLiteral("--clear"), QStringLiteral("-o"), out});
        QVERIFY2(r.exitCode == 0, head(r.err).constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::vector<std::string> frozen = ckpt::parseFreezeList(f.readAll().toStdString());
        QCOMPARE(frozen, matches ? std::vector<std::string>{name} : std::vector<std::string>{});
        if (!matches)
            QVERIFY2(r.err.contains("matches no parameter"), head(r.err).constData());
    }

    // ckpt save --rename over the hostile names: every match replaced, with group references.
    void saveRenames_data()
    {
        QTest::addColumn<std::string>("name");
        QTest::addColumn<QString>("rename");
        QTest::addColumn<std::string>("renamed");
        const std::string l = longName(), s = manySegments();
        QTest::newRow("200,000 chars, a=c") << l << QStringLiteral("a=c") << replaceAll(l, 'a', 'c');
        QTest::newRow("200,000 chars, ^(a+)\\.=\\1/") << l << QStringLiteral("^(a+)\\.=\\1/") << std::string(49999, 'a') + "/" + l.substr(50000);
        QTest::newRow("200,000 chars, a+b=x") << l << QStringLiteral("a+b=x") << l.substr(0, 150000) + "x";
        QTest::newRow("50,000 segments, s=t") << s << QStringLiteral("s=t") << replaceAll(s, 's', 't');
        QTest::newRow("50,000 segments, ^(s\\.)+s$=y") << s << QStringLiteral("^(s\\.)+s$=y") << std::string("y");
        QTest::newRow("50,000 segments, (s)\\.(s)=$2:$1") << s << QStringLiteral("(s)\\.(s)=$2:$1") << [&] {
            std::string e;
            for (int i = 0; i < 25000; ++i)
                e += i ? ".s:s" : "s:s";
            return e;
        }();
    }

    void saveRenames()
    {
        QFETCH(std::string, name);
        QFETCH(QString, rename);
        QFETCH(std::string, renamed);
        const QString path = file(QStringLiteral("save.safetensors"), {name, "x.weight"});
        const QString out = m_dir.filePath(QStringLiteral("saved.safetensors"));
        const ProcessResult r = runCkpt({QStringLiteral("save"), path, out, QStringLiteral("--rename"), rename});
        QVERIFY2(r.exitCode == 0, head(r.err).constData());
        QCOMPARE(sortedNames(out), sorted({renamed, "x.weight"}));
    }

    // ckpt transplant --rename: the renamed hostile source name pairs with the target's name.
    void transplantRenames_data()
    {
        QTest::addColumn<std::string>("source");
        QTest::addColumn<QString>("rename");
        QTest::addColumn<std::string>("target");
        const std::string l = longName(), s = manySegments();
        QTest::newRow("200,000 chars, a=c") << l << QStringLiteral("a=c") << replaceAll(l, 'a', 'c');
        QTest::newRow("50,000 segments, s=t") << s << QStringLiteral("s=t") << replaceAll(s, 's', 't');
        QTest::newRow("50,000 segments, ^s\\.(.*)=\\1") << s << QStringLiteral("^s\\.(.*)=\\1") << s.substr(2);
    }

    void transplantRenames()
    {
        QFETCH(std::string, source);
        QFETCH(QString, rename);
        QFETCH(std::string, target);
        const QString from = file(QStringLiteral("from.safetensors"), {source, "x.weight"});
        const QString into = file(QStringLiteral("into.safetensors"), {target, "y.weight"});
        const QString out = m_dir.filePath(QStringLiteral("transplanted.safetensors"));
        const ProcessResult r = runCkpt({QStringLiteral("transplant"), QStringLiteral("--from"), from, QStringLiteral("--into"), into,
            QStringLiteral("--rename"), rename, QStringLiteral("-o"), out, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, head(r.err).constData());
        QVERIFY2(r.out.contains("\"copied\""), head(r.out).constData());
        QCOMPARE(sortedNames(out), sorted({target, "y.weight"}));
    }

    // The glob matcher itself: '*a*a*a*a*a*a*b' against 100,000 'a's returns (no exponential backtracking).
    void globsStayLinear_data()
    {
        QTest::addColumn<std::string>("pattern");
        QTest::addColumn<std::string>("name");
        QTest::addColumn<bool>("match");
        const std::string as(100000, 'a');
        QTest::newRow("*a*a*a*a*a*a*b vs a x 100,000") << std::string("*a*a*a*a*a*a*b") << as << false;
        QTest::newRow("*a*a*a*a*a*a*a vs a x 100,000") << std::string("*a*a*a*a*a*a*a") << as << true;
        QTest::newRow("*a?a*a?*b vs a x 100,000") << std::string("*a?a*a?*b") << as << false;
        QTest::newRow("*[a]*[!b]*b vs a x 100,000") << std::string("*[a]*[!b]*b") << as << false;
        QTest::newRow("*é*é*é*x vs é x 50,000") << std::string("*é*é*é*x") << [] {
            std::string s;
            for (int i = 0; i < 50000; ++i)
                s += "é";
            return s;
        }() << false;
        QTest::newRow("*.s.*.s vs 50,000 segments") << std::string("*.s.*.s") << manySegments() << true;
        QTest::newRow("*a*b vs 200,000 chars") << std::string("*a*b") << longName() << true;
    }

    void globsStayLinear()
    {
        QFETCH(std::string, pattern);
        QFETCH(std::string, name);
        QFETCH(bool, match);
        QCOMPARE(ckpt::globMatch(pattern, name), match);
    }

    // Key rules keep std::regex_replace's semantics: every match, $n and \n groups, $&, $$, empty matches.
    void renameSemantics_data()
    {
        QTest::addColumn<std::string>("rule");
        QTest::addColumn<std::string>("name");
        QTest::addColumn<std::string>("renamed");
        QTest::newRow("group \\1") << std::string("^bn\\.(.*)=norm.\\1") << std::string("bn.weight") << std::string("norm.weight");
        QTest::newRow("group $1") << std::string("^layer(\\d)\\.=stage$1.") << std::string("layer3.0.w") << std::string("stage3.0.w");
        QTest::newRow("every match") << std::string("\\.=/") << std::string("a.b.c") << std::string("a/b/c");
        QTest::newRow("whole match $&") << std::string("b+=<$&>") << std::string("abbcb") << std::string("a<bb>c<b>");
        QTest::newRow("dollar $$") << std::string("x=$$") << std::string("axb") << std::string("a$b");
        QTest::newRow("prefix and suffix") << std::string("b=[$`|$']") << std::string("abc") << std::string("a[a|c]c");
        QTest::newRow("missing group is empty") << std::string("(a)|(b)=<$2>") << std::string("ab") << std::string("<><b>");
        QTest::newRow("two-digit group") << std::string("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)=$10") << std::string("abcdefghij") << std::string("j");
        QTest::newRow("empty matches") << std::string("x*=-") << std::string("abc") << std::string("-a-b-c-");
        QTest::newRow("empty after a match") << std::string("a*=-") << std::string("baac") << std::string("-b--c-");
        QTest::newRow("empty matches, UTF-8") << std::string("x*=-") << std::string("é层") << std::string("-é-层-");
        QTest::newRow("anchor stays at the start") << std::string("^a=x") << std::string("aaa") << std::string("xaa");
        QTest::newRow("no match") << std::string("z=y") << std::string("abc") << std::string("abc");
    }

    void renameSemantics()
    {
        QFETCH(std::string, rule);
        QFETCH(std::string, name);
        QFETCH(std::string, renamed);
        ckpt::KeyRules rules;
        rules.renames.push_back(ckpt::RenameRule::parse(rule));
        QCOMPARE(rules.apply(name), renamed);
    }

    void invalidPatternIsAClearError_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::newRow("unclosed group") << QStringLiteral("(a");
        QTest::newRow("unclosed class") << QStringLiteral("[a");
        QTest::newRow("nothing to repeat") << QStringLiteral("*a");
    }

    void invalidPatternIsAClearError()
    {
        QFETCH(QString, pattern);
        try {
            ckpt::Regex re(pattern.toStdString());
            QFAIL("no error");
        } catch (const ckpt::Error &e) {
            QCOMPARE(e.kind(), ckpt::ErrorKind::Malformed);
            QVERIFY2(e.detail().starts_with("invalid regular expression '" + pattern.toStdString() + "': "), e.detail().c_str());
        }
        QTemporaryDir dir; // no frozen_layers.json next to the file
        const QString path = writeSafetensors(dir.filePath(QStringLiteral("small.safetensors")), {"a.weight"});
        for (const QStringList &args : {QStringList{QStringLiteral("freeze"), path, QStringLiteral("--regex"), pattern},
                 QStringList{
                     QStringLiteral("save"), path, dir.filePath(QStringLiteral("bad.pt")), QStringLiteral("--rename"), pattern + QStringLiteral("=x")}}) {
            const ProcessResult r = runCkpt(args);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.startsWith("ckpt: ") && r.err.count('\n') == 1, r.err.constData());
            QVERIFY2(r.err.contains("invalid regular expression"), r.err.constData());
        }
    }

    // The readers bound a name's segment to 64 KiB: the longest allowed segment reads, one byte more is
    // LimitExceeded, in a safetensors file, a sharded index's weight_map and a pickled state_dict.
    void nameSegmentLimit_data()
    {
        QTest::addColumn<std::string>("name");
        QTest::addColumn<bool>("ok");
        const std::size_t max = ckpt::kMaxNameSegment;
        QTest::newRow("64 KiB") << std::string(max, 'a') << true;
        QTest::newRow("64 KiB + 1") << std::string(max + 1, 'a') << false;
        QTest::newRow("64 KiB + 1 after a dot") << "x." + std::string(max + 1, 'a') << false;
        QTest::newRow("64 KiB segments, three") << std::string(max, 'a') + "." + std::string(max, 'b') + "." + std::string(max, 'c') << true;
        QTest::newRow("200,000 chars in one segment") << std::string(200000, 'a') << false;
        QTest::newRow("200,000 chars in four segments") << longName() << true;
        QTest::newRow("50,000 segments") << manySegments() << true;
    }

    void nameSegmentLimit()
    {
        QFETCH(std::string, name);
        QFETCH(bool, ok);
        const QString path = file(QStringLiteral("limit.safetensors"), {name, "x.weight"});
        try {
            const auto c = ckpt::Checkpoint::open(path.toStdString());
            QVERIFY2(ok, "no error");
            QCOMPARE(sortedNames(path), sorted({name, "x.weight"}));
        } catch (const ckpt::Error &e) {
            QVERIFY2(!ok, e.what());
            QCOMPARE(e.kind(), ckpt::ErrorKind::LimitExceeded);
            QVERIFY2(QByteArray::fromStdString(e.detail()).contains("64 KiB"), e.what());
            QVERIFY2(e.detail().size() < 300, "the message quotes only the start of the name");
        }
        // The same name in a sharded index's weight_map.
        const QString index = m_dir.filePath(QStringLiteral("model.safetensors.index.json"));
        writeSafetensors(m_dir.filePath(QStringLiteral("model-00001-of-00001.safetensors")), {name});
        QFile f(index);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(
            QJsonObject{{QStringLiteral("weight_map"), QJsonObject{{QString::fromStdString(name), QStringLiteral("model-00001-of-00001.safetensors")}}}})
                    .toJson());
        f.close();
        try {
            const auto c = ckpt::Checkpoint::open(index.toStdString());
            QVERIFY2(ok, "no error");
            QCOMPARE(c->tensors().size(), std::size_t(1));
            QCOMPARE(c->tensors().front().name, name);
        } catch (const ckpt::Error &e) {
            QVERIFY2(!ok, e.what());
            QCOMPARE(e.kind(), ckpt::ErrorKind::LimitExceeded);
        }
        // ckpt inspect: exit 2 with the one-line message.
        if (!ok) {
            const ProcessResult r = runCkpt({QStringLiteral("inspect"), path});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("64 KiB") && r.err.count('\n') == 1, head(r.err).constData());
        }
    }

    // A pickled state_dict (torch.save) whose key has a segment over the bound is refused the same way.
    void nameSegmentLimitInPickles()
    {
        const QString path = m_dir.filePath(QStringLiteral("long_key.pt"));
        const ProcessResult py = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {QStringLiteral("-c"),
                QStringLiteral("import sys, torch\n"
                               "torch.save({'a' * 65537: torch.zeros(1), 'ok': torch.zeros(1)}, sys.argv[1])\n"),
                path});
        QVERIFY2(py.exitCode == 0, py.err.constData());
        try {
            ckpt::Checkpoint::open(path.toStdString());
            QFAIL("no error");
        } catch (const ckpt::Error &e) {
            QCOMPARE(e.kind(), ckpt::ErrorKind::LimitExceeded);
        }
    }
};

QTEST_GUILESS_MAIN(TestHostileNames)
#include "tst_hostilenames.moc"

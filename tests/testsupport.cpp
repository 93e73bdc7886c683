// SPDX-License-Identifier: MIT
#include "testsupport.h"

#include "quantization.h"

#include "tensordata.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <sys/wait.h>
#include <unistd.h>

namespace testsupport {

QString sourceDir()
{
    return QStringLiteral(CKPT_TEST_SOURCE_DIR);
}
QString fixtureDir()
{
    return QStringLiteral(CKPT_TEST_FIXTURES);
}
QString oracleDir()
{
    return QStringLiteral(CKPT_TEST_ORACLE);
}
QString realworldDir()
{
    return sourceDir() + QStringLiteral("/data/realworld");
}
QString malformedDir()
{
    return sourceDir() + QStringLiteral("/data/malformed");
}
QString binDir()
{
    return QStringLiteral(CKPT_TEST_BIN_DIR);
}

namespace {
QJsonArray generatedCases(const QString &file, const char *generator)
{
    QFile f(fixtureDir() + file);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("%s missing: run the %s test first", qPrintable(file), generator);
    return QJsonDocument::fromJson(f.readAll()).array();
}
} // namespace

QJsonArray diffCases()
{
    return generatedCases(QStringLiteral("/diff/diff_cases.json"), "generate_diff_fixtures");
}

QJsonArray transplantCases()
{
    return generatedCases(QStringLiteral("/transplant/transplant_cases.json"), "generate_transplant_fixtures");
}

QJsonObject transplantCase(const QString &name)
{
    for (const auto &c : transplantCases())
        if (c.toObject().value(QStringLiteral("name")).toString() == name)
            return c.toObject();
    qFatal("no transplant case '%s'", qPrintable(name));
}

ckpt::TransplantRules transplantRules(const QJsonObject &rules)
{
    ckpt::TransplantRules r;
    for (const auto &p : rules.value(QStringLiteral("strip")).toArray())
        r.keys.stripPrefixes.push_back(p.toString().toStdString());
    r.keys.addPrefix = rules.value(QStringLiteral("add")).toString().toStdString();
    for (const auto &rule : rules.value(QStringLiteral("rename")).toArray())
        r.keys.renames.push_back({ckpt::Regex(rule.toArray().at(0).toString().toStdString()), rule.toArray().at(1).toString().toStdString()});
    for (const auto &g : rules.value(QStringLiteral("include")).toArray())
        r.include.push_back(g.toString().toStdString());
    for (const auto &g : rules.value(QStringLiteral("exclude")).toArray())
        r.exclude.push_back(g.toString().toStdString());
    if (rules.value(QStringLiteral("first")).isDouble())
        r.first = static_cast<std::size_t>(rules.value(QStringLiteral("first")).toInt());
    return r;
}

QStringList transplantArguments(const QJsonObject &rules)
{
    QStringList args;
    for (const auto &p : rules.value(QStringLiteral("strip")).toArray())
        args << QStringLiteral("--strip-prefix") << p.toString();
    if (!rules.value(QStringLiteral("add")).toString().isEmpty())
        args << QStringLiteral("--add-prefix") << rules.value(QStringLiteral("add")).toString();
    for (const auto &rule : rules.value(QStringLiteral("rename")).toArray())
        args << QStringLiteral("--rename") << rule.toArray().at(0).toString() + QLatin1Char('=') + rule.toArray().at(1).toString();
    for (const auto &g : rules.value(QStringLiteral("include")).toArray())
        args << QStringLiteral("--include") << g.toString();
    for (const auto &g : rules.value(QStringLiteral("exclude")).toArray())
        args << QStringLiteral("--exclude") << g.toString();
    if (rules.value(QStringLiteral("first")).isDouble())
        args << QStringLiteral("--first") << QString::number(rules.value(QStringLiteral("first")).toInt());
    return args;
}

QJsonObject readJsonObject(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(path));
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("%s: %s", qPrintable(path), qPrintable(err.errorString()));
    return doc.object();
}

void addFixtureRows()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("expected");
    const QJsonObject manifest = readJsonObject(fixtureDir() + QStringLiteral("/manifest.json"));
    const QJsonArray fixtures = manifest.value(QStringLiteral("fixtures")).toArray();
    if (fixtures.size() < 20)
        qFatal("the fixture manifest lists only %d fixtures", int(fixtures.size()));
    for (const auto &v : fixtures) {
        const QJsonObject f = v.toObject();
        QTest::newRow(qPrintable(f.value(QStringLiteral("name")).toString())) << fixtureDir() + QLatin1Char('/')
                + f.value(QStringLiteral("path")).toString() << fixtureDir() + QLatin1Char('/') + f.value(QStringLiteral("expected")).toString();
    }
}

QString sha256Hex(const ckpt::TensorInfo &t)
{
    const auto bytes = ckpt::contiguousBytes(*t.value);
    const QByteArray view = QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    return QString::fromLatin1(QCryptographicHash::hash(view, QCryptographicHash::Sha256).toHex());
}

QHash<QString, QString> tensorHashes(const QString &path)
{
    QHash<QString, QString> out;
    const auto c = ckpt::Checkpoint::open(path.toStdString());
    for (const auto &t : c->tensors())
        out.insert(QString::fromStdString(t.name), sha256Hex(t));
    return out;
}

ProcessResult runProcess(const QString &program, const QStringList &args, const std::function<void(QProcess &)> &setUp)
{
    QProcess p;
    setUp(p);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForFinished(300000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

ProcessResult runProcess(const QString &program, const QStringList &args)
{
    return runProcess(program, args, [](QProcess &) {});
}

ProcessResult runCkpt(const QStringList &args)
{
    return runProcess(binDir() + QStringLiteral("/ckpt"), args);
}

ProcessResult runStudio(const QStringList &args)
{
    // The child renders offscreen, also when a test binary is run by hand with a display, and reads and writes
    // settings of its own: the user's (or an earlier run's) window and splitter sizes would change its layout.
    const QTemporaryDir config;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    return runProcess(binDir() + QStringLiteral("/checkpoint-studio"), args, [&](QProcess &p) { p.setProcessEnvironment(environment); });
}

ProcessResult runStudioScreenshot(const QString &png, const QStringList &files)
{
    return runStudio(QStringList{QStringLiteral("--screenshot"), png} + files);
}

std::string runAsNobody(const std::function<std::string()> &fn)
{
    int fds[2];
    if (pipe(fds) != 0)
        return "pipe failed";
    const pid_t pid = fork();
    if (pid < 0)
        return "fork failed";
    if (pid == 0) {
        ::close(fds[0]);
        std::string result = "could not drop privileges";
        if (setgid(65534) == 0 && setuid(65534) == 0)
            result = fn();
        (void)!::write(fds[1], result.data(), result.size());
        _exit(0);
    }
    ::close(fds[1]);
    std::string result;
    char buf[1024];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        result.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return result;
}

namespace {
QList<qint64> toList(std::span<const std::int64_t> v)
{
    return {v.begin(), v.end()};
}

QList<qint64> toList(const QJsonArray &a)
{
    QList<qint64> out;
    for (const auto &x : a)
        out.push_back(x.toInteger());
    return out;
}
} // namespace

void compareWithOracle(const ckpt::Checkpoint &c, const QJsonObject &expected)
{
    QCOMPARE(QString::fromLatin1(ckpt::formatName(c.format())), expected.value(QStringLiteral("format")).toString());
    if (expected.value(QStringLiteral("model_state")).isString()) {
        QVERIFY2(c.modelState().found(), "the model state was not found");
        QCOMPARE(QString::fromStdString(c.modelState().path), expected.value(QStringLiteral("model_state")).toString());
    } else if (expected.value(QStringLiteral("model_state")).isBool()) { // false: the file has none
        QVERIFY2(!c.modelState().found(), ("a model state was chosen at '" + c.modelState().path + "'").c_str());
        QVERIFY(!c.modelState().reason.empty());
    }
    const QJsonArray tensors = expected.value(QStringLiteral("tensors")).toArray();
    QStringList ourNames, theirNames;
    for (const auto &t : c.tensors())
        ourNames << QString::fromStdString(t.name);
    for (const auto &t : tensors)
        theirNames << t.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(ourNames, theirNames);

    QHash<int, std::uint32_t> groupToStorage;
    QHash<std::uint32_t, int> storageToGroup;
    for (qsizetype i = 0; i < tensors.size(); ++i) {
        const QJsonObject e = tensors.at(i).toObject();
        const ckpt::TensorInfo &t = c.tensors()[static_cast<std::size_t>(i)];
        const QByteArray where = t.name.c_str();
        QVERIFY2(toList(t.shape()) == toList(e.value(QStringLiteral("shape")).toArray()), where + " shape");
        QCOMPARE(QString::fromLatin1(ckpt::dtypeName(t.dtype())), e.value(QStringLiteral("dtype")).toString());
        QVERIFY2(toList(t.stride()) == toList(e.value(QStringLiteral("stride")).toArray()), where + " stride");
        QVERIFY2(t.storageOffset() == e.value(QStringLiteral("storage_offset")).toInteger(), where + " storage offset");
        QVERIFY2(t.requiresGrad() == e.value(QStringLiteral("requires_grad")).toBool(), where + " requires_grad");
        if (e.value(QStringLiteral("is_parameter")).isBool())
            QVERIFY2(t.isParameter == e.value(QStringLiteral("is_parameter")).toBool(), where + " is_parameter");
        const int group = e.value(QStringLiteral("storage_group")).toInt();
        const auto g = groupToStorage.constFind(group);
        const auto s = storageToGroup.constFind(t.storageId());
        QVERIFY2((g == groupToStorage.cend()) == (s == storageToGroup.cend()), where + " storage sharing differs");
        if (g != groupToStorage.cend())
            QVERIFY2(*g == t.storageId() && *s == group, where + " storage sharing differs");
        groupToStorage.insert(group, t.storageId());
        storageToGroup.insert(t.storageId(), group);
        QVERIFY2(sha256Hex(t) == e.value(QStringLiteral("sha256")).toString(), where + " values differ from torch.load");
        const auto q = ckpt::quantizationOf(*t.value);
        QVERIFY2(q.has_value() == e.contains(QStringLiteral("quant")), where + " quantizer found or missed");
        if (q) {
            const QJsonObject eq = e.value(QStringLiteral("quant")).toObject();
            QCOMPARE(QString::fromStdString(q->scheme), eq.value(QStringLiteral("qscheme")).toString());
            if (q->perChannel()) {
                QCOMPARE(q->axis, eq.value(QStringLiteral("axis")).toInteger());
                QList<double> scales, zeros, theirScales, theirZeros;
                scales = {q->scales.begin(), q->scales.end()};
                zeros = {q->zeroPoints.begin(), q->zeroPoints.end()};
                for (const auto &v : eq.value(QStringLiteral("scales")).toArray())
                    theirScales << v.toDouble();
                for (const auto &v : eq.value(QStringLiteral("zero_points")).toArray())
                    theirZeros << v.toDouble();
                QCOMPARE(scales, theirScales);
                QCOMPARE(zeros, theirZeros);
            } else {
                QCOMPARE(q->scale, eq.value(QStringLiteral("scale")).toDouble());
                QCOMPARE(q->zeroPoint, eq.value(QStringLiteral("zero_point")).toDouble());
            }
        }
    }

    const QJsonValue entries = expected.value(QStringLiteral("entries"));
    if (entries.isArray()) {
        QStringList ours, theirs;
        for (const auto &e : c.entries()) {
            ours << QString::fromStdString(e.name + " : " + e.type);
            if (e.isScalar)
                ours.back() += QStringLiteral(" = ") + QString::fromStdString(e.value);
        }
        for (const auto &v : entries.toArray()) {
            const QJsonObject e = v.toObject();
            theirs << e.value(QStringLiteral("name")).toString() + QStringLiteral(" : ") + e.value(QStringLiteral("type")).toString();
            if (e.value(QStringLiteral("value")).isString())
                theirs.back() += QStringLiteral(" = ") + e.value(QStringLiteral("value")).toString();
        }
        QCOMPARE(ours, theirs);
    }
}

} // namespace testsupport

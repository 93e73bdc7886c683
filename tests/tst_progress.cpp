// SPDX-License-Identifier: MIT
// Progress on the command line: long ckpt work draws one line on stderr, redrawn with \r, when and only when a
// person watches a terminal. ckpt runs here with stderr on a pseudo-terminal (openpty) and stdout on a pipe,
// and as a plain child process (both pipes), on the checkpoints of make_progress_fixtures.py.
#include "testsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <string>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

using namespace testsupport;

namespace {

QString progressFixture(const char *name)
{
    return fixtureDir() + QStringLiteral("/progress/") + QLatin1String(name);
}

struct TerminalRun
{
    int exitCode = -1; // -1: did not exit normally
    int signal = 0; // the signal that ended it, if one did
    QByteArray out; // the pipe
    QByteArray err; // what the terminal received
};

// Runs ckpt with stderr on the slave side of a new pseudo-terminal and stdout on a pipe, with extra environment
// variables. The terminal does not translate \n to \r\n (no OPOST), so every \r read is one ckpt wrote.
// onErr sees the terminal output as it arrives and may act on the child (send it a signal).
TerminalRun runOnTerminal(const QStringList &args, const QHash<QString, QString> &env, const std::function<void(pid_t, const QByteArray &)> &onErr = {})
{
    TerminalRun run;
    int master = -1, slave = -1;
    winsize size{};
    size.ws_col = 120;
    size.ws_row = 40;
    if (::openpty(&master, &slave, nullptr, nullptr, &size) != 0)
        qFatal("openpty: %s", std::strerror(errno));
    termios mode{};
    ::tcgetattr(slave, &mode);
    mode.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    ::tcsetattr(slave, TCSANOW, &mode);
    int out[2];
    if (::pipe(out) != 0)
        qFatal("pipe: %s", std::strerror(errno));

    // Everything the child needs is built before fork(): after it only async-signal-safe calls are allowed.
    const std::string program = (binDir() + QStringLiteral("/ckpt")).toStdString();
    std::vector<std::string> argStrings{program};
    for (const QString &a : args)
        argStrings.push_back(a.toStdString());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        environment.insert(it.key(), it.value());
    std::vector<std::string> envStrings;
    for (const QString &e : environment.toStringList())
        envStrings.push_back(e.toStdString());
    std::vector<char *> argv, envp;
    for (auto &s : argStrings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto &s : envStrings)
        envp.push_back(s.data());
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0)
        qFatal("fork: %s", std::strerror(errno));
    if (pid == 0) {
        const int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(slave, STDERR_FILENO);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(slave);
    ::close(out[1]);

    // Read both until they end: the pipe at EOF, the terminal with EIO once no process holds its slave side.
    pollfd fds[2] = {{master, POLLIN, 0}, {out[0], POLLIN, 0}};
    QByteArray *into[2] = {&run.err, &run.out};
    int open = 2;
    while (open > 0) {
        const int n = ::poll(fds, 2, 300'000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            char buffer[65536];
            const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
            if (got > 0) {
                into[i]->append(buffer, got);
                if (i == 0 && onErr)
                    onErr(pid, run.err);
            } else if (got == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (const pollfd &f : fds)
        if (f.fd >= 0)
            ::close(f.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status))
        run.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        run.signal = WTERMSIG(status);
    return run;
}

ProcessResult runOnPipes(const QStringList &args, const QHash<QString, QString> &env)
{
    return runProcess(binDir() + QStringLiteral("/ckpt"), args, [&](QProcess &p) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            environment.insert(it.key(), it.value());
        p.setProcessEnvironment(environment);
    });
}

// A comma-decimal locale (de_DE, generated into a temporary LOCPATH as tst_cli does): the line must not
// print 1,5 MiB there.
QString germanLocales()
{
    static QTemporaryDir locales;
    static bool made = false;
    if (!made) {
        const ProcessResult r = runProcess(QStringLiteral("localedef"),
            {QStringLiteral("-i"), QStringLiteral("de_DE"), QStringLiteral("-f"), QStringLiteral("UTF-8"), locales.filePath(QStringLiteral("de_DE.UTF-8"))});
        if (!QFileInfo(locales.filePath(QStringLiteral("de_DE.UTF-8"))).isDir())
            qFatal("localedef failed: %s", r.err.constData());
        made = true;
    }
    return locales.path();
}

QStringList withOutput(QStringList args, const QString &out)
{
    args.replaceInStrings(QStringLiteral("OUT"), out);
    return args;
}

const QHash<QString, QString> kDrawAtOnce{{QStringLiteral("CKPT_PROGRESS_DELAY_MS"), QStringLiteral("0")}};

} // namespace

class TestProgress : public QObject
{
    Q_OBJECT
private slots:
    void drawsOnATerminal_data() { rows(); }
    // On a terminal: a line "<Label>  412.0 MiB / 1.0 GiB  38%  1.2 GiB/s  ETA 0:01" redrawn with \r, cleared at
    // the end; stdout and the rest of stderr are what a run without a terminal prints; numbers use '.' in a
    // comma-decimal locale.
    void drawsOnATerminal()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, label);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        const QStringList command = withOutput(args, dir.filePath(QStringLiteral("out.pt")));
        QHash<QString, QString> german = kDrawAtOnce;
        german.insert(QStringLiteral("LOCPATH"), germanLocales());
        german.insert(QStringLiteral("LC_ALL"), QStringLiteral("de_DE.UTF-8"));
        german.insert(QStringLiteral("LANG"), QStringLiteral("de_DE.UTF-8"));
        const TerminalRun terminal = runOnTerminal(command, german);
        QVERIFY2(terminal.exitCode == exitCode, terminal.err.constData());
        const ProcessResult plain = runOnPipes(command, kDrawAtOnce);
        QVERIFY2(plain.exitCode == exitCode, plain.err.constData());

        QVERIFY2(terminal.err.contains('\r'), terminal.err.constData());
        QVERIFY2(terminal.err.contains("ETA"), terminal.err.constData());
        // Everything up to the last \r is the line being drawn and cleared (it never ends a line); what follows
        // is the command's own stderr, the same as without a terminal.
        const qsizetype last = terminal.err.lastIndexOf('\r');
        const QByteArray drawing = terminal.err.left(last + 1);
        QVERIFY2(!drawing.contains('\n'), drawing.constData());
        QCOMPARE(terminal.err.mid(last + 1), plain.err);
        QCOMPARE(terminal.out, plain.out);

        const QRegularExpression line(QStringLiteral("^%1  \\d+(\\.\\d)? (B|KiB|MiB) / \\d+\\.\\d MiB  \\d{1,3}%  "
                                                     "(ETA -:--|\\d+(\\.\\d)? (B|KiB|MiB|GiB)/s  ETA \\d+:\\d\\d) *$")
                                          .arg(label));
        const QList<QByteArray> draws = drawing.split('\r');
        int drawn = 0;
        for (qsizetype i = 1; i + 1 < draws.size(); ++i) { // between the first \r and the last one
            const QString text = QString::fromUtf8(draws[i]);
            if (text.trimmed().isEmpty())
                continue; // the clearing
            QVERIFY2(line.match(text).hasMatch(), qPrintable(QStringLiteral("drawn: '%1'").arg(text)));
            QVERIFY(text.size() < 120); // fits the terminal's 120 columns: \r redraws it in place
            ++drawn;
        }
        QVERIFY(drawn > 0);
        // Cleared at the end: spaces over the last line drawn, then back to the margin.
        QVERIFY2(draws.at(draws.size() - 2).trimmed().isEmpty(), drawing.constData());
        QCOMPARE(draws.at(draws.size() - 2).size(), draws.at(draws.size() - 3).size());
    }

    void silentWhenAsked_data() { rows(); }
    // --quiet, and output for programs (--json, --csv), draw nothing even on a terminal.
    void silentWhenAsked()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, silencers);
        QFETCH(int, exitCode);
        for (const QString &silencer : silencers) {
            QTemporaryDir dir;
            const TerminalRun r = runOnTerminal(withOutput(args, dir.filePath(QStringLiteral("out.pt"))) << silencer, kDrawAtOnce);
            QVERIFY2(r.exitCode == exitCode, qPrintable(silencer + QStringLiteral(": ") + QString::fromUtf8(r.err)));
            QVERIFY2(!r.err.contains('\r') && !r.err.contains("ETA"), qPrintable(silencer + QStringLiteral(": ") + QString::fromUtf8(r.err)));
        }
    }

    void silentOnAPipe_data() { rows(); }
    // stderr redirected to a file or a pipe (a log, CI) gets no \r lines.
    void silentOnAPipe()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        const ProcessResult r = runOnPipes(withOutput(args, dir.filePath(QStringLiteral("out.pt"))), kDrawAtOnce);
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        QVERIFY2(!r.err.contains('\r') && !r.err.contains("ETA"), r.err.constData());
    }

    // Ctrl+C while a save writes: the save stops, its temporary file is removed, OUT is not created, and ckpt
    // ends by SIGINT as an interrupted program does (a shell script running it stops too).
    void interruptedSaveLeavesNothing()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.pt"));
        bool sent = false;
        const TerminalRun r = runOnTerminal({QStringLiteral("save"), progressFixture("a.pt"), out}, kDrawAtOnce, [&](pid_t pid, const QByteArray &err) {
            if (!sent && err.contains("Saving")) { // the save is under way
                ::kill(pid, SIGINT);
                sent = true;
            }
        });
        QVERIFY(sent);
        QVERIFY2(r.signal == SIGINT, qPrintable(QStringLiteral("exit %1, signal %2: %3").arg(r.exitCode).arg(r.signal).arg(QString::fromUtf8(r.err))));
        QVERIFY2(r.err.contains("cancelled"), r.err.constData());
        const QStringList left = QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
    }

private:
    // One row per command that reports progress. OUT in args is replaced by a file in a temporary folder.
    static void rows()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("label");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("silencers"); // options that turn the line off
        const QString a = progressFixture("a.pt"), b = progressFixture("b.pt"), folder = progressFixture("dcp");
        const QString quiet = QStringLiteral("--quiet"), json = QStringLiteral("--json");
        QTest::newRow("save") << QStringList{QStringLiteral("save"), a, QStringLiteral("OUT")} << QStringLiteral("Saving") << 0 << QStringList{quiet};
        QTest::newRow("inspect --stats") << QStringList{QStringLiteral("inspect"), QStringLiteral("--stats"), a} << QStringLiteral("Statistics") << 0
                                         << QStringList{quiet, json};
        QTest::newRow("diff") << QStringList{QStringLiteral("diff"), a, b} << QStringLiteral("Comparing") << 1
                              << QStringList{quiet, json, QStringLiteral("--csv")};
        QTest::newRow("transplant -o") << QStringList{QStringLiteral("transplant"), QStringLiteral("--from"), b, QStringLiteral("--into"), a,
            QStringLiteral("-o"), QStringLiteral("OUT")}
                                       << QStringLiteral("Saving") << 0 << QStringList{quiet, json};
        QTest::newRow("save folder (consolidation)") << QStringList{QStringLiteral("save"), folder, QStringLiteral("OUT")} << QStringLiteral("Saving") << 0
                                                     << QStringList{quiet};
    }
};

QTEST_GUILESS_MAIN(TestProgress)
#include "tst_progress.moc"

// SPDX-License-Identifier: MIT
// ckpt: Checkpoint Studio's command-line tool. Each subcommand runs the same core as the GUI.
#include "commandline.h"
#include "interrupt.h"
#include "../lastresort.h"

#include <QCoreApplication>

#include <csignal>

#include <string>

namespace {
std::string usage()
{
    std::string s = "Usage: ckpt <command> [options] [arguments]\n\n"
                    "Inspect PyTorch checkpoints without Python and without running code from the file.\n\n"
                    "Commands:\n";
    std::size_t n = 0;
    const cli::Command *cmds = cli::commands(n);
    for (std::size_t i = 0; i < n; ++i)
        s += "  " + std::string(cmds[i].name) + std::string(12 - std::string(cmds[i].name).size(), ' ') + cmds[i].summary + "\n";
    s += "\nRun 'ckpt <command> --help' for a command's options and examples.\n"
         "Options:\n  -h, --help     show this help\n  -v, --version  show the version\n";
    return s;
}

int run(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ckpt"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));
    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty() || args.front() == QLatin1String("-h") || args.front() == QLatin1String("--help") || args.front() == QLatin1String("help")) {
        if (args.size() > 1 && args.front() == QLatin1String("help")) {
            if (const cli::Command *c = cli::findCommand(args.at(1)))
                return c->run({QStringLiteral("--help")});
        }
        cli::print(usage());
        return args.isEmpty() ? cli::Error : cli::Ok;
    }
    if (args.front() == QLatin1String("-v") || args.front() == QLatin1String("--version")) {
        // The LibTorch version is the one built against: asking the plugin would cost its start-up.
        cli::print(std::string("ckpt ") + CKPT_VERSION + " (Qt " + qVersion() + ", LibTorch " + CKPT_TORCH_VERSION + ")\n");
        return cli::Ok;
    }
    const cli::Command *command = cli::findCommand(args.front());
    if (!command)
        return cli::reportError("unknown command '" + args.front().toStdString() + "' (run 'ckpt --help' for the list)");
    return command->run(args.mid(1));
}
} // namespace

int main(int argc, char **argv)
{
    // A file-size limit must fail the write (EFBIG, reported and cleaned up), not kill the process.
    std::signal(SIGXFSZ, SIG_IGN);
    lastresort::install("ckpt");
    // Each command reports its own failures naming its file; this is the last resort (exit 2, one line, no
    // abort), e.g. when memory runs out before a command starts.
    try {
        const int status = run(argc, argv);
        // Ctrl+C stopped the work, which cleaned up: end as the signal would have, so that a calling script
        // stops too.
        cli::InterruptScope::reraiseIfRequested();
        return status;
    } catch (const std::exception &e) {
        return cli::reportException({}, e);
    } catch (...) {
        return cli::reportError("unexpected error");
    }
}

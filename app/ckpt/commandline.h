// SPDX-License-Identifier: MIT
// The subcommands of `ckpt` and the shared conventions: exit codes, error printing, help text.
#pragma once

#include <QStringList>

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <QCommandLineOption>

class QCommandLineParser;

namespace ckpt {
struct KeyRules;
}

namespace cli {

enum ExitCode { Ok = 0, Differs = 1, Error = 2 }; // scan also exits 1 (needs full unpickling) and 3 (dangerous)

struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &args); // args: everything after the command name
};

const Command *findCommand(const QString &name);
const Command *commands(std::size_t &count);

// Writes text to stdout as UTF-8 (std::string is UTF-8 throughout core).
void print(std::string_view text);
// "ckpt: <message>" on stderr, one line, and returns Error.
int reportError(const std::string &message);
// For exceptions other than ckpt::Error (out of memory, a thread that cannot start ...): "ckpt: FILE: cause"
// on stderr, one line, and returns Error. file may be empty when not known.
int reportException(const std::string &file, const std::exception &e);
// A line of information on stderr (summaries, notes), so stdout stays machine-readable.
void printError(const std::string &line);

// Parses a subcommand's arguments and answers --help. Returns the exit code when the command is done
// (help shown, or a usage error reported), nothing when it should run. positional: how many it needs.
std::optional<int> parseArguments(QCommandLineParser &parser, const char *command, const QStringList &args, int positional, const char *positionalHint);

// --strip-prefix, --add-prefix and --rename (what each does to a name is described by "what"), and the
// KeyRules they give; throws ckpt::Error for an invalid regular expression.
QList<QCommandLineOption> keyRuleOptions(const char *what);
ckpt::KeyRules keyRulesFrom(const QCommandLineParser &parser);

// --quiet: no progress line (one is drawn on stderr during long work, only when stderr is a terminal).
QCommandLineOption quietOption();

int inspectCommand(const QStringList &args);
int freezeCommand(const QStringList &args);
int saveCommand(const QStringList &args);
int diffCommand(const QStringList &args);
int transplantCommand(const QStringList &args);
int scanCommand(const QStringList &args);

} // namespace cli

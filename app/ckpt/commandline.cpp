// SPDX-License-Identifier: MIT
#include "commandline.h"

#include "keyrules.h"

#include <QCommandLineParser>

#include <cstdio>
#include <iterator>

namespace cli {

namespace {
const Command kCommands[] = {
    {"inspect", "list the tensors and other content of a checkpoint", &inspectCommand},
    {"freeze", "write a freeze list (frozen_layers.json, text, Python) for a checkpoint", &freezeCommand},
    {"save", "write a checkpoint again, optionally edited (model only, renames, dtype, freeze)", &saveCommand},
    {"diff", "compare two checkpoints tensor by tensor (exit 0 identical, 1 different)", &diffCommand},
    {"transplant", "copy the weights whose names and shapes match from a pretrained checkpoint into another", &transplantCommand},
    {"scan", "say whether loading a file in Python would run code (exit 0 safe, 1 needs full unpickling, 3 dangerous)", &scanCommand},
};
} // namespace

const Command *commands(std::size_t &count)
{
    count = std::size(kCommands);
    return kCommands;
}

const Command *findCommand(const QString &name)
{
    for (const auto &c : kCommands)
        if (name == QLatin1String(c.name))
            return &c;
    return nullptr;
}

void print(std::string_view text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

std::optional<int> parseArguments(QCommandLineParser &parser, const char *command, const QStringList &args, int positional, const char *positionalHint)
{
    QStringList argv = args;
    argv.prepend(QStringLiteral("ckpt ") + QLatin1String(command));
    if (!parser.parse(argv))
        return reportError(parser.errorText().toStdString());
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText().toStdString());
        return Ok;
    }
    if (parser.positionalArguments().size() != positional)
        return reportError(std::string(command) + " needs " + positionalHint + " (see ckpt " + command + " --help)");
    return std::nullopt;
}

QList<QCommandLineOption> keyRuleOptions(const char *what)
{
    const QString names = QString::fromUtf8(what);
    return {
        {QStringLiteral("strip-prefix"), QStringLiteral("Remove this prefix from %1 that start with it (repeatable).").arg(names), QStringLiteral("P")},
        {QStringLiteral("add-prefix"), QStringLiteral("Put this prefix before every one of the %1.").arg(names), QStringLiteral("P")},
        {QStringLiteral("rename"), QStringLiteral("Rename %1: REGEX=REPLACEMENT, \\1 or $1 for groups (repeatable, in order).").arg(names),
            QStringLiteral("RULE")},
    };
}

ckpt::KeyRules keyRulesFrom(const QCommandLineParser &parser)
{
    ckpt::KeyRules rules;
    for (const QString &p : parser.values(QStringLiteral("strip-prefix")))
        rules.stripPrefixes.push_back(p.toStdString());
    rules.addPrefix = parser.value(QStringLiteral("add-prefix")).toStdString();
    for (const QString &r : parser.values(QStringLiteral("rename")))
        rules.renames.push_back(ckpt::RenameRule::parse(r.toStdString()));
    return rules;
}

QCommandLineOption quietOption()
{
    return {{QStringLiteral("q"), QStringLiteral("quiet")},
        QStringLiteral("Draw no progress line. Long work shows one on stderr (bytes done, rate, time left) only when stderr is a "
                       "terminal, and never with --json or --csv.")};
}

void printError(const std::string &line)
{
    std::fprintf(stderr, "%s\n", line.c_str());
}

int reportException(const std::string &file, const std::exception &e)
{
    const std::string cause = dynamic_cast<const std::bad_alloc *>(&e) ? std::string("out of memory")
        : *e.what()                                                    ? std::string(e.what())
                                                                       : std::string("unexpected error");
    return reportError(file.empty() ? cause : file + ": " + cause);
}

int reportError(const std::string &message)
{
    std::string line = message;
    for (auto &c : line)
        if (c == '\n')
            c = ' ';
    std::fprintf(stderr, "ckpt: %s\n", line.c_str());
    return Error;
}

} // namespace cli

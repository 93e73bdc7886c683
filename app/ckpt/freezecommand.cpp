// SPDX-License-Identifier: MIT
// ckpt freeze FILE [--glob G]... [--regex R]... [--indices 0,1,5-9] [--first N] [--names-file F] [--invert] [-o OUT]
#include "commandline.h"
#include "../lastresort.h"

#include "checkpoint.h"
#include "format/error.h"
#include "freezelist.h"
#include "freezestate.h"
#include "inspectreport.h"
#include "keyrules.h"
#include "format/atomicfile.h"

#include <QCommandLineParser>

namespace cli {

int freezeCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Build a freeze list for a checkpoint's parameters (names as model.named_parameters() prints them) and write it\n"
                       "as frozen_layers.json ({\"name\": 0, ...} in model order), a text list (one name per line) or a Python snippet\n"
                       "that applies it and builds the optimizer over the trainable parameters. The format follows -o's extension\n"
                       "(.json, .txt, .py) or --format. Without -o the list goes to stdout; a summary always goes to stderr.\n\n"
                       "The list starts from the checkpoint's own state: a frozen_layers.json beside it, else the requires_grad flags\n"
                       "the file stores (TorchScript, saved nn.Parameters). Then, in this order: --clear, --first, --indices, --glob,\n"
                       "--regex, --names-file each add to the frozen set, and --invert flips the result. Indices count parameters in\n"
                       "model order, buffers excluded, as enumerate(model.named_parameters()) does.\n\n"
                       "Examples:\n"
                       "  ckpt freeze resnet18.pth --first 10 -o frozen_layers.json\n"
                       "  ckpt freeze model.pt --glob 'layer1.*' --glob 'conv1.*'\n"
                       "  ckpt freeze model.pt --glob 'fc.*' --invert -o freeze.py     # train only the head\n"
                       "  ckpt freeze model.pt --indices 0,1,5-9 --format text\n\n"
                       "Exit status: 0 on success, 2 on error."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("glob"), QStringLiteral("Freeze parameters whose name matches the glob (fnmatch: * ? [seq])."), QStringLiteral("G")},
        {QStringLiteral("regex"), QStringLiteral("Freeze parameters whose name contains a match of the regular expression."), QStringLiteral("R")},
        {QStringLiteral("indices"), QStringLiteral("Freeze parameters by index in model order: 0,1,5-9."), QStringLiteral("LIST")},
        {QStringLiteral("first"), QStringLiteral("Freeze the first N parameters in model order."), QStringLiteral("N")},
        {QStringLiteral("names-file"), QStringLiteral("Freeze the names listed in a file (frozen_layers.json, a JSON list, or one name per line)."),
            QStringLiteral("F")},
        {QStringLiteral("clear"), QStringLiteral("Start from nothing frozen instead of the checkpoint's own state.")},
        {QStringLiteral("invert"), QStringLiteral("Freeze exactly the parameters that would otherwise train.")},
        {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Write the list to this file (atomically)."), QStringLiteral("OUT")},
        {QStringLiteral("format"), QStringLiteral("json, text or python (default: from -o's extension, else json)."), QStringLiteral("FORMAT")},
    });
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The checkpoint."));
    if (const auto done = parseArguments(parser, "freeze", args, 1, "exactly one FILE"))
        return *done;
    const std::string file = parser.positionalArguments().front().toStdString();
    lastresort::setSubject(file);
    const std::string output = parser.value(QStringLiteral("output")).toStdString();
    try {
        ckpt::FreezeListFormat format = output.empty() ? ckpt::FreezeListFormat::Json : ckpt::freezeListFormatFor(output);
        if (parser.isSet(QStringLiteral("format"))) {
            const QString f = parser.value(QStringLiteral("format"));
            if (f == QLatin1String("json"))
                format = ckpt::FreezeListFormat::Json;
            else if (f == QLatin1String("text"))
                format = ckpt::FreezeListFormat::Text;
            else if (f == QLatin1String("python"))
                format = ckpt::FreezeListFormat::Python;
            else
                return reportError("--format must be json, text or python, not '" + f.toStdString() + "'");
        }
        const auto checkpoint = ckpt::Checkpoint::open(file);
        std::string note;
        ckpt::FreezeState state = ckpt::FreezeState::initial(*checkpoint, &note);
        if (state.parameters().empty())
            return reportError(file + ": has no model parameters to freeze (model state: "
                + (checkpoint->modelState().found() ? "'" + checkpoint->modelState().path + "'" : std::string("not found")) + ")");
        if (!note.empty())
            printError(note);
        if (parser.isSet(QStringLiteral("clear")))
            state.clear();
        if (parser.isSet(QStringLiteral("first"))) {
            bool ok = false;
            const qulonglong n = parser.value(QStringLiteral("first")).toULongLong(&ok);
            if (!ok)
                return reportError("--first needs a number, not '" + parser.value(QStringLiteral("first")).toStdString() + "'");
            state.setFirst(n);
        }
        if (parser.isSet(QStringLiteral("indices")))
            state.setByIndices(ckpt::parseIndexList(parser.value(QStringLiteral("indices")).toStdString()));
        for (const QString &g : parser.values(QStringLiteral("glob")))
            if (state.setByGlob(g.toStdString()) == 0)
                printError("note: --glob '" + g.toStdString() + "' matches no parameter");
        for (const QString &r : parser.values(QStringLiteral("regex")))
            if (state.setByRegex(ckpt::Regex(r.toStdString())) == 0)
                printError("note: --regex '" + r.toStdString() + "' matches no parameter");
        if (parser.isSet(QStringLiteral("names-file"))) {
            const std::string namesFile = parser.value(QStringLiteral("names-file")).toStdString();
            const auto unmatched = state.setByNames(ckpt::readFreezeList(namesFile));
            if (!unmatched.empty())
                printError("note: " + std::to_string(unmatched.size()) + " names in " + namesFile + " match no parameter, e.g. '" + unmatched.front() + "'");
        }
        if (parser.isSet(QStringLiteral("invert")))
            state.invert();
        if ((parser.isSet(QStringLiteral("first")) || parser.isSet(QStringLiteral("indices"))) && !state.hasModelOrder())
            printError("warning: " + state.orderWarning());

        // Writing over a list that other checkpoints in the folder share keeps their names.
        const std::vector<std::string> foreign
            = output.empty() || format == ckpt::FreezeListFormat::Python ? std::vector<std::string>() : ckpt::foreignFreezeNames(output, state);
        if (!foreign.empty())
            printError("kept " + std::to_string(foreign.size()) + " names in " + output + " that belong to no parameter of " + file + ", e.g. '"
                + foreign.front() + "'");
        const std::string text = ckpt::formatFreezeList(state, format, file, foreign);
        if (output.empty())
            print(text + (format == ckpt::FreezeListFormat::Json ? "\n" : ""));
        else
            ckpt::writeFileAtomically(output, text);
        printError("frozen: " + std::to_string(state.frozenCount()) + " of " + std::to_string(state.parameters().size()) + " parameters ("
            + ckpt::groupThousands(state.frozenElements()) + " values); trainable: " + std::to_string(state.parameters().size() - state.frozenCount()) + " ("
            + ckpt::groupThousands(state.totalElements() - state.frozenElements()) + " values)" + (output.empty() ? std::string() : "; written to " + output));
    } catch (const ckpt::Error &e) {
        return reportError(e.file().empty() ? file + ": " + e.what() : e.what());
    } catch (const std::exception &e) {
        return reportException(file, e);
    }
    return Ok;
}

} // namespace cli

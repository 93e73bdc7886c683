// SPDX-License-Identifier: MIT
// ckpt scan FILE... [--json]: what each file would do in Python's torch.load.
#include "commandline.h"
#include "../lastresort.h"

#include "format/error.h"
#include "safetyreport.h"

#include <QCommandLineParser>

#include <algorithm>

namespace cli {

int scanCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Report what each checkpoint would do when Python's torch.load reads it, without running any of it: every\n"
                       "global its pickles reference (also those built on the stack for STACK_GLOBAL), where, and a verdict against\n"
                       "the weights_only allowlist of PyTorch >= 2.6:\n"
                       "  weights-only         only what torch.load(weights_only=True) allows; a note says when an older PyTorch\n"
                       "                       (1.13 ...) still refuses it (no BINFLOAT in 1.13, quantized tensors before 2.4 ...)\n"
                       "  needs-full-unpickle  other classes (argparse.Namespace, numpy, Lightning ...), pickle opcodes the\n"
                       "                       weights-only unpickler lacks (protocol 4 ...), or a TorchScript archive: Python needs\n"
                       "                       weights_only=False (torch.jit.load for TorchScript) and then imports and calls them\n"
                       "  dangerous            code execution or system access: os / posix / subprocess, builtins eval / exec /\n"
                       "                       getattr / __import__ / open, socket, runpy, nested pickle, torch.hub ...\n"
                       "safetensors files hold no pickle and are always weights-only. A file that does not read as a checkpoint is\n"
                       "still scanned opcode by opcode: Python runs whatever comes before the point where a pickle breaks. When its\n"
                       "pickles scan to their end and only the tensor data cannot be read, it still gets its verdict.\n\n"
                       "Examples:\n"
                       "  ckpt scan downloaded_model.pth\n"
                       "  ckpt scan *.pt --json > scan.json\n\n"
                       "Exit status: the worst verdict over all files: 0 weights-only, 1 needs full unpickling, 3 dangerous;\n"
                       "2 when a file cannot be opened or its pickles cannot be scanned to their end (the others are still scanned)."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object per file, one per line group.")});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Checkpoints to scan."), QStringLiteral("FILE..."));
    QStringList argv = args;
    argv.prepend(QStringLiteral("ckpt scan"));
    if (!parser.parse(argv))
        return reportError(parser.errorText().toStdString());
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText().toStdString());
        return Ok;
    }
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return reportError("scan needs at least one FILE (see ckpt scan --help)");
    int worst = 0;
    bool failed = false;
    for (const QString &file : files) {
        const std::string path = file.toStdString();
        lastresort::setSubject(path);
        try {
            const ckpt::SafetyReport report = ckpt::scanFile(path);
            failed = failed || report.incomplete();
            print(parser.isSet(QStringLiteral("json")) ? ckpt::safetyJson(report, path) : ckpt::safetyText(report, path));
            worst = std::max(worst, static_cast<int>(report.verdict));
        } catch (const ckpt::Error &e) {
            reportError(e.file().empty() ? path + ": " + e.what() : e.what());
            failed = true;
        } catch (const std::exception &e) {
            reportException(path, e);
            failed = true;
        }
    }
    // A dangerous file outranks an unreadable one: that is the answer a script most needs.
    return worst == static_cast<int>(ckpt::Safety::Dangerous) ? worst : failed ? Error : worst;
}

} // namespace cli

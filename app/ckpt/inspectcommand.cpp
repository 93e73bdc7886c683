// SPDX-License-Identifier: MIT
// ckpt inspect FILE [--json] [--stats] [--quiet]
#include "commandline.h"
#include "progressline.h"
#include "../lastresort.h"

#include "checkpoint.h"
#include "format/error.h"
#include "freezestate.h"
#include "inspectreport.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace cli {

int inspectCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("List every tensor of a checkpoint (name, shape, dtype, parameters, bytes, trainable) and summarise the rest:\n"
                       "format, model state, size by dtype, epoch / hyper-parameters / optimizer entries, object types.\n"
                       "Nothing in the file is executed. Formats are detected by content: torch.save zip and legacy files,\n"
                       "TorchScript archives, safetensors, sharded *.index.json checkpoints, and .tar/.tar.gz archives holding one.\n\n"
                       "Examples:\n"
                       "  ckpt inspect model.pt\n"
                       "  ckpt inspect --json checkpoint.pth | jq '.tensors[] | select(.is_parameter) | .name'\n"
                       "  ckpt inspect model.safetensors.index.json\n"
                       "  ckpt inspect --stats model.pt        # mean / std / min / max, NaN and Inf counts per tensor\n\n"
                       "A frozen_layers.json beside FILE decides which parameters show as frozen (the summary says so).\n\n"
                       "Exit status: 0 on success, 2 when the file cannot be read."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object instead of the table.")});
    parser.addOption({QStringLiteral("stats"),
        QStringLiteral("Also compute each tensor's mean, std, min, max (over finite values) and NaN/Inf counts. "
                       "Reads every tensor's bytes and loads LibTorch, so it is slower than a listing.")});
    parser.addOption(quietOption());
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The checkpoint to inspect."));
    if (const auto done = parseArguments(parser, "inspect", args, 1, "exactly one FILE"))
        return *done;
    const QStringList files = parser.positionalArguments();
    lastresort::setSubject(files.front().toStdString());
    try {
        const auto checkpoint = ckpt::Checkpoint::open(files.front().toStdString());
        std::vector<ckpt::TensorStatistics> stats;
        ckpt::InspectOptions options;
        if (parser.isSet(QStringLiteral("stats"))) {
            ProgressLine progress(
                "Statistics", checkpoint->tensorBytes(), ProgressLine::shouldDraw(parser.isSet(QStringLiteral("quiet")), parser.isSet(QStringLiteral("json"))));
            stats = ckpt::computeStatistics(*checkpoint, progress.progress());
            options.stats = &stats;
        }
        // "trainable" as a user opening the file sees it: a frozen_layers.json beside it counts.
        const ckpt::FreezeState freeze = ckpt::FreezeState::initial(*checkpoint, &options.freezeNote);
        options.freeze = &freeze;
        // Printed block by block as it is written: 100,000 tensors make 27 MB of JSON.
        const auto toStdout = [](std::string_view block) { print(block); };
        if (parser.isSet(QStringLiteral("json")))
            ckpt::inspectJson(*checkpoint, options, toStdout);
        else
            ckpt::inspectText(*checkpoint, options, toStdout);
    } catch (const ckpt::Error &e) {
        return reportError(e.file().empty() ? files.front().toStdString() + ": " + e.what() : e.what());
    } catch (const std::exception &e) { // out of memory, among others
        return reportException(files.front().toStdString(), e);
    }
    return Ok;
}

} // namespace cli

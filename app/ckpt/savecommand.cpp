// SPDX-License-Identifier: MIT
// ckpt save IN OUT [--model-only] [--drop GLOB]... [--strip-prefix P] [--add-prefix P] [--rename REGEX=REPL]...
//                  [--dtype float16|bfloat16|float32] [--freeze frozen_layers.json] [--store-freeze] [--force]
//                  [--max-shard-size SIZE] [--quiet]
#include "commandline.h"
#include "progressline.h"
#include "../lastresort.h"

#include "checkpoint.h"
#include "checkpointsaver.h"
#include "format/error.h"
#include "freezelist.h"
#include "inspectreport.h"

#include <QCommandLineParser>

namespace cli {

int saveCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Write a checkpoint again, untouched or edited. A torch.save checkpoint (zip or legacy) is written as a torch.save\n"
                       "zip that Python's torch.load reads - with weights_only=True when it holds only tensors and dicts (e.g. with\n"
                       "--model-only); everything else (optimizer state, argparse.Namespace, numpy arrays, pickled modules) comes back\n"
                       "as it was. safetensors stays safetensors (a sharded checkpoint becomes one file), and OUT named .safetensors is\n"
                       "written as safetensors (the model state: --model-only unless IN is a bare state_dict); a TorchScript archive is\n"
                       "re-saved through LibTorch with each parameter's requires_grad from the freeze list, and with --model-only its\n"
                       "module's state_dict() is written as a torch.save zip. A torch.distributed.checkpoint or DeepSpeed ZeRO folder is\n"
                       "consolidated, tensor by tensor from its chunks or partitions.\n"
                       "Nothing is lost silently: an output without tensors from an input with tensors is an error (exit 2).\n\n"
                       "Edits apply to the model state (names as model.state_dict() prints them): --drop, then the key rules in the\n"
                       "order --strip-prefix, --add-prefix, --rename (each REGEX=REPLACEMENT, \\\\1 or $1 for groups, applied in order).\n"
                       "If two names would become one, nothing is written and the colliding names are reported.\n"
                       "The file is written beside OUT under a temporary name, read back and checked, then renamed over OUT.\n"
                       "OUT may not be the input unless --force. On a terminal a progress line is drawn on stderr (--quiet: none);\n"
                       "Ctrl+C stops the save and removes the temporary file, leaving OUT as it was.\n\n"
                       "Examples:\n"
                       "  ckpt save last.ckpt model.pt --model-only --strip-prefix model.\n"
                       "  ckpt save model.pt model_fp16.pt --model-only --dtype float16\n"
                       "  ckpt save ddp.pth clean.pth --strip-prefix module. --drop '*.num_batches_tracked'\n"
                       "  ckpt save model.pt frozen.pt --freeze frozen_layers.json --store-freeze\n"
                       "  ckpt save traced.pt traced_frozen.pt --freeze frozen_layers.json\n"
                       "  ckpt save checkpoints/ out/model.safetensors --max-shard-size 5GB   (a DeepSpeed folder, in shards)\n\n"
                       "Exit status: 0 on success, 2 on error (nothing is written then)."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("model-only"), QStringLiteral("Write only the model state, as a state_dict (drops optimizer state, epoch ...).")},
        {QStringLiteral("drop"), QStringLiteral("Leave out model-state tensors whose name matches the glob."), QStringLiteral("GLOB")},
        {QStringLiteral("dtype"), QStringLiteral("Convert floating model-state tensors: float16, bfloat16, float32 or float64."), QStringLiteral("DTYPE")},
        {QStringLiteral("freeze"), QStringLiteral("The freeze list to use (default: frozen_layers.json beside IN, else the flags IN stores)."),
            QStringLiteral("F")},
        {QStringLiteral("store-freeze"), QStringLiteral("Write parameters as nn.Parameter with requires_grad=False when frozen, True otherwise.")},
        {QStringLiteral("force"), QStringLiteral("Allow OUT to be the input file (it is replaced only after the new file is verified).")},
        {QStringLiteral("max-shard-size"),
            QStringLiteral("Write the model state in shards of at most SIZE (5GB, 500MB, 2GiB) named after OUT (model-00001-of-00003.safetensors), "
                           "plus OUT.index.json, as Hugging Face's save_pretrained does."),
            QStringLiteral("SIZE")},
        quietOption(),
    });
    parser.addOptions(keyRuleOptions("model-state names"));
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("The checkpoint to read."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("The file to write."));
    if (const auto done = parseArguments(parser, "save", args, 2, "IN and OUT"))
        return *done;
    const std::string in = parser.positionalArguments().at(0).toStdString();
    const std::string out = parser.positionalArguments().at(1).toStdString();
    lastresort::setSubject(in);
    try {
        ckpt::SaveOptions options;
        options.modelOnly = parser.isSet(QStringLiteral("model-only"));
        for (const QString &g : parser.values(QStringLiteral("drop")))
            options.dropGlobs.push_back(g.toStdString());
        options.keyRules = keyRulesFrom(parser);
        if (parser.isSet(QStringLiteral("dtype"))) {
            const auto dt = ckpt::dtypeFromName(parser.value(QStringLiteral("dtype")).toStdString());
            if (!dt || !(*dt == ckpt::DType::Float16 || *dt == ckpt::DType::BFloat16 || *dt == ckpt::DType::Float32 || *dt == ckpt::DType::Float64))
                return reportError("--dtype must be float16, bfloat16, float32 or float64, not '" + parser.value(QStringLiteral("dtype")).toStdString() + "'");
            options.dtype = dt;
        }
        if (parser.isSet(QStringLiteral("freeze")))
            options.frozenNames = ckpt::readFreezeList(parser.value(QStringLiteral("freeze")).toStdString());
        options.storeFreeze = parser.isSet(QStringLiteral("store-freeze"));
        options.force = parser.isSet(QStringLiteral("force"));
        if (parser.isSet(QStringLiteral("max-shard-size"))) {
            try {
                options.maxShardSize = ckpt::parseByteSize(parser.value(QStringLiteral("max-shard-size")).toStdString());
            } catch (const ckpt::Error &e) {
                return reportError("--max-shard-size: " + e.detail());
            }
        }

        const auto checkpoint = ckpt::Checkpoint::open(in);
        ProgressLine progress(
            "Saving", ProgressLine::tensorBytes(*checkpoint, options.modelOnly), ProgressLine::shouldDraw(parser.isSet(QStringLiteral("quiet")), false));
        options.progress = progress.progress();
        const ckpt::SaveResult result = ckpt::saveCheckpoint(*checkpoint, out, options);
        progress.finish();
        for (const auto &note : result.notes)
            printError("note: " + note);
        printError("wrote " + (result.files.empty() ? out : result.files.back()) + ": " + std::string(ckpt::formatName(result.format)) + ", "
            + std::to_string(result.tensors) + " tensors, " + ckpt::humanBytes(result.bytes));
    } catch (const ckpt::Error &e) {
        return reportError(e.file().empty() ? in + ": " + e.what() : e.what());
    } catch (const std::exception &e) {
        return reportException(in, e);
    }
    return Ok;
}

} // namespace cli

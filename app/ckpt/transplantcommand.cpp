// SPDX-License-Identifier: MIT
// ckpt transplant --from SRC --into TARGET [-o OUT] [key rules] [--include G]... [--exclude G]... [--first N]
//                 [--freeze-copied F | --freeze-rest F] [--source-state P] [--target-state P] [--force] [--json] [--quiet]
#include "commandline.h"
#include "progressline.h"
#include "../lastresort.h"

#include "checkpoint.h"
#include "format/error.h"
#include "inspectreport.h"
#include "transplant.h"

#include <QCommandLineParser>

namespace cli {

namespace {

constexpr std::size_t kListed = 40; // per group in the text report; --json lists everything

std::string modelStateText(const ckpt::Checkpoint &c)
{
    std::size_t n = 0;
    for (const auto &t : c.tensors())
        n += t.inModelState;
    return c.path() + " (model state: " + (c.modelState().path.empty() ? std::string("top level") : "'" + c.modelState().path + "'") + ", " + std::to_string(n)
        + " tensors)";
}

std::string group(const ckpt::TransplantReport &report, ckpt::TransplantStatus status, const std::string &title, bool list)
{
    const std::size_t n = report.count(status);
    const std::uint64_t elements = report.elements[static_cast<std::size_t>(status)];
    std::string out = title + ": " + std::to_string(n) + (n == 1 ? " tensor, " : " tensors, ") + ckpt::groupThousands(elements)
        + (elements == 1 ? " element\n" : " elements\n");
    if (!list)
        return out;
    std::size_t shown = 0;
    for (const auto &e : report.entries) {
        if (e.status != status)
            continue;
        if (shown++ == kListed) {
            out += "  ... and " + std::to_string(report.count(status) - kListed) + " more (--json lists all)\n";
            break;
        }
        out += "  " + e.name;
        if (e.renamed())
            out += "  (source " + e.source->modelName + ")";
        if (status == ckpt::TransplantStatus::ShapeMismatch || status == ckpt::TransplantStatus::Skipped
            || (status == ckpt::TransplantStatus::Missing && e.reason != "not in the source"))
            out += "  " + e.reason;
        else if (status == ckpt::TransplantStatus::Unexpected)
            out += "  " + ckpt::shapeText(e.source->shape());
        out += "\n";
    }
    return out;
}

std::string textReport(const ckpt::TransplantReport &report, const ckpt::Checkpoint &source, const ckpt::Checkpoint &target)
{
    using S = ckpt::TransplantStatus;
    std::string out = "source: " + modelStateText(source) + "\ntarget: " + modelStateText(target) + "\n\n";
    out += group(report, S::Copied, "Copied", false);
    if (report.casts)
        out += "  " + std::to_string(report.casts) + " of them cast to the target's dtype\n";
    out += group(report, S::ShapeMismatch, "Shape mismatch (the target keeps its own)", true);
    out += group(report, S::Missing, "Missing in source (the target keeps its own)", true);
    out += group(report, S::Unexpected, "Unexpected in source (unused)", true);
    if (report.count(S::Skipped))
        out += group(report, S::Skipped, "Left out by --include / --exclude / --first", true);
    if (const auto &hint = report.suggestion)
        out += "Hint: " + std::to_string(hint->wouldPair) + " unexpected names match missing ones after "
            + (hint->sideA ? "stripping '" + hint->prefix + "' from" : "adding '" + hint->prefix + "' to") + " the source's names: add "
            + (hint->sideA ? "--strip-prefix " : "--add-prefix ") + hint->prefix + "\n";
    return out;
}

std::optional<std::string> optionalValue(const QCommandLineParser &parser, const char *name)
{
    const QString option = QString::fromLatin1(name);
    if (!parser.isSet(option))
        return std::nullopt;
    return parser.value(option).toStdString();
}

} // namespace

int transplantCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Copy the weights of a pretrained checkpoint (--from) into another model's checkpoint (--into) where the\n"
                       "names match after the rules and the shapes are equal, as load_state_dict(strict=False) does with the\n"
                       "filtered pretrained state_dict. The report comes first, like a load report: copied, shape mismatch (both\n"
                       "shapes; the target keeps its tensor), missing in source (the target keeps its own), unexpected in source\n"
                       "(unused). Values of another dtype are cast to the target's. Both model states are found automatically.\n\n"
                       "Rules apply to the source's names in this order: --strip-prefix, --add-prefix, --rename, then --include /\n"
                       "--exclude globs on the renamed names, then --first N (the first N tensors of the source that are left).\n\n"
                       "With -o the target is written again with the copied values, in its own format (a TorchScript archive stays\n"
                       "TorchScript), atomically and verified; only when at least one tensor was copied. Without -o only the\n"
                       "report is printed.\n\n"
                       "Examples:\n"
                       "  ckpt transplant --from resnet18_imagenet.pth --into resnet18_10cls.pth -o init.pth\n"
                       "  ckpt transplant --from ddp_run.pth --into model.pt --strip-prefix module. -o init.pt\n"
                       "  ckpt transplant --from backbone.pth --into detector.pth --add-prefix backbone. --exclude 'fc.*' -o init.pth\n"
                       "  ckpt transplant --from big.pth --into small.pth --first 40 --freeze-copied frozen_layers.json -o init.pth\n\n"
                       "Exit status: 0 on success, 2 on error (nothing is written then)."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("from"), QStringLiteral("The source (pretrained) checkpoint."), QStringLiteral("SRC")},
        {QStringLiteral("into"), QStringLiteral("The target: the new model's checkpoint, state_dict or TorchScript archive."), QStringLiteral("TARGET")},
        {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Write the target with the copied weights here."), QStringLiteral("OUT")},
    });
    parser.addOptions(keyRuleOptions("source names"));
    parser.addOptions({
        {QStringLiteral("include"), QStringLiteral("Only source names (after renaming) that match one of these globs."), QStringLiteral("G")},
        {QStringLiteral("exclude"), QStringLiteral("Leave out source names (after renaming) that match this glob."), QStringLiteral("G")},
        {QStringLiteral("first"), QStringLiteral("Only the first N source tensors that are left, in the source's order."), QStringLiteral("N")},
        {QStringLiteral("freeze-copied"), QStringLiteral("Also write a freeze list that freezes exactly the copied parameters."), QStringLiteral("F")},
        {QStringLiteral("freeze-rest"), QStringLiteral("Also write a freeze list that freezes every parameter that was not copied."), QStringLiteral("F")},
        {QStringLiteral("source-state"), QStringLiteral("Where the source's model state is (dict keys joined by '/', '' = top level)."),
            QStringLiteral("PATH")},
        {QStringLiteral("target-state"), QStringLiteral("Where the target's model state is."), QStringLiteral("PATH")},
        {QStringLiteral("force"), QStringLiteral("Allow OUT to be the target file (replaced only after the new file is verified).")},
        {QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout.")},
        quietOption(),
    });
    if (const auto done = parseArguments(parser, "transplant", args, 0, "no positional arguments (use --from and --into)"))
        return *done;
    if (!parser.isSet(QStringLiteral("from")) || !parser.isSet(QStringLiteral("into")))
        return reportError("transplant needs --from SRC and --into TARGET (see ckpt transplant --help)");
    if (parser.isSet(QStringLiteral("freeze-copied")) && parser.isSet(QStringLiteral("freeze-rest")))
        return reportError("--freeze-copied and --freeze-rest exclude each other");
    const std::string from = parser.value(QStringLiteral("from")).toStdString();
    const std::string into = parser.value(QStringLiteral("into")).toStdString();
    lastresort::setSubject(from + ", " + into);
    try {
        ckpt::TransplantRules rules;
        rules.keys = keyRulesFrom(parser);
        for (const QString &g : parser.values(QStringLiteral("include")))
            rules.include.push_back(g.toStdString());
        for (const QString &g : parser.values(QStringLiteral("exclude")))
            rules.exclude.push_back(g.toStdString());
        if (parser.isSet(QStringLiteral("first"))) {
            bool ok = false;
            const qlonglong n = parser.value(QStringLiteral("first")).toLongLong(&ok);
            if (!ok || n < 0)
                return reportError("--first needs a count >= 0, not '" + parser.value(QStringLiteral("first")).toStdString() + "'");
            rules.first = static_cast<std::size_t>(n);
        }
        const auto source = ckpt::Checkpoint::open(from, {}, optionalValue(parser, "source-state"));
        const auto target = ckpt::Checkpoint::open(into, {}, optionalValue(parser, "target-state"));
        const ckpt::TransplantReport report = ckpt::planTransplant(*source, *target, rules);
        print(parser.isSet(QStringLiteral("json")) ? ckpt::transplantJson(report, *source, *target) : textReport(report, *source, *target));

        if (!parser.isSet(QStringLiteral("output")))
            return Ok;
        const std::string out = parser.value(QStringLiteral("output")).toStdString();
        const bool freezeCopied = parser.isSet(QStringLiteral("freeze-copied"));
        ckpt::TransplantFreezeList freezeList;
        freezeList.path = parser.value(freezeCopied ? QStringLiteral("freeze-copied") : QStringLiteral("freeze-rest")).toStdString();
        if (!freezeList.path.empty())
            freezeList.which = freezeCopied ? ckpt::TransplantFreeze::Copied : ckpt::TransplantFreeze::Rest;
        ckpt::SaveOptions options;
        options.force = parser.isSet(QStringLiteral("force"));
        ProgressLine progress(
            "Saving", target->tensorBytes(), ProgressLine::shouldDraw(parser.isSet(QStringLiteral("quiet")), parser.isSet(QStringLiteral("json"))));
        options.progress = progress.progress();
        const ckpt::TransplantResult result = ckpt::writeTransplant(report, *source, *target, out, options, freezeList);
        progress.finish();
        for (const auto &note : result.saved.notes)
            printError("note: " + note);
        printError("wrote " + out + ": " + std::string(ckpt::formatName(result.saved.format)) + ", " + std::to_string(result.saved.tensors) + " tensors, "
            + ckpt::humanBytes(result.saved.bytes));
        if (freezeList.which != ckpt::TransplantFreeze::None)
            printError("wrote " + freezeList.path + ": " + std::to_string(result.frozenParameters) + " frozen parameters");
    } catch (const ckpt::Error &e) {
        return reportError(e.file().empty() ? std::string(e.what()) : e.what());
    } catch (const std::exception &e) {
        return reportException(from + ", " + into, e);
    }
    return Ok;
}

} // namespace cli

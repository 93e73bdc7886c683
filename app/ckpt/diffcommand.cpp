// SPDX-License-Identifier: MIT
// ckpt diff A B [--all] [--strip-prefix-a P] [--strip-prefix-b P] [--atol X] [--json | --csv] [--quiet]
#include "commandline.h"
#include "progressline.h"
#include "../lastresort.h"

#include "checkpoint.h"
#include "checkpointdiff.h"
#include "format/error.h"
#include "format/json.h"
#include "inspectreport.h"

#include <QCommandLineParser>

#include <cmath>
#include <cstdio>

namespace cli {

namespace {
std::string g(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return "inf";
    return ckpt::formatGeneral(v, 4);
}

std::string metricsText(const ckpt::PairMetrics &m)
{
    if (!m.valid)
        return "(values not compared: " + m.unsupportedReason + ")";
    return "max|a-b| " + g(m.maxAbs) + "  mean|a-b| " + g(m.meanAbs) + "  rel_l2 " + g(m.relL2) + "  cos " + g(m.cosine) + "  changed "
        + g(100.0 * m.changedFraction()) + "%";
}

std::string describe(const ckpt::TensorInfo *t)
{
    return ckpt::shapeText(t->shape()) + " " + std::string(ckpt::dtypeName(t->dtype()));
}

std::string humanDiff(const ckpt::DiffResult &diff, const std::string &a, const std::string &b)
{
    std::string out = "--- " + a + "\n+++ " + b + "\n";
    for (const auto &e : diff.entries) {
        switch (e.status) {
        case ckpt::DiffStatus::OnlyA: out += "- " + e.name + "  " + describe(e.a) + "\n"; break;
        case ckpt::DiffStatus::OnlyB: out += "+ " + e.name + "  " + describe(e.b) + "\n"; break;
        case ckpt::DiffStatus::Shape: out += "! " + e.name + "  shape " + ckpt::shapeText(e.a->shape()) + " -> " + ckpt::shapeText(e.b->shape()) + "\n"; break;
        case ckpt::DiffStatus::DType:
            out += "! " + e.name + "  dtype " + std::string(ckpt::dtypeName(e.a->dtype())) + " -> " + std::string(ckpt::dtypeName(e.b->dtype())) + "  "
                + metricsText(e.metrics) + "\n";
            break;
        case ckpt::DiffStatus::Changed: out += "! " + e.name + "  " + metricsText(e.metrics) + "\n"; break;
        case ckpt::DiffStatus::Identical: break;
        }
    }
    const auto &s = diff.summary;
    auto count = [&](ckpt::DiffStatus st) { return s.counts[static_cast<int>(st)]; };
    out += "\n" + std::to_string(diff.entries.size()) + (diff.entries.size() == 1 ? " name: " : " names: ") + std::to_string(count(ckpt::DiffStatus::Identical))
        + " identical, " + std::to_string(count(ckpt::DiffStatus::Changed)) + " changed, " + std::to_string(count(ckpt::DiffStatus::DType)) + " dtype changed, "
        + std::to_string(count(ckpt::DiffStatus::Shape)) + " shape changed, " + std::to_string(count(ckpt::DiffStatus::OnlyA)) + " only in A, "
        + std::to_string(count(ckpt::DiffStatus::OnlyB)) + " only in B; " + ckpt::humanBytes(s.comparedBytes) + " compared\n";
    if (!s.mostChanged.empty()) {
        out += "Most changed (relative L2):";
        for (std::size_t i = 0; i < s.mostChanged.size() && i < 5; ++i)
            out += (i ? ", " : " ") + diff.entries[s.mostChanged[i]].name + " " + g(diff.entries[s.mostChanged[i]].metrics.relL2);
        out += "\n";
    }
    if (!s.modules.empty() && !s.identical()) {
        out += "By module (parameter-weighted relative L2):";
        for (std::size_t i = 0; i < s.modules.size() && i < 12; ++i)
            out += (i ? ", " : " ") + s.modules[i].module + " " + g(s.modules[i].weightedRelL2);
        out += s.modules.size() > 12 ? ", ...\n" : "\n";
    }
    if (const auto hint = ckpt::suggestPrefix(diff))
        out += "Hint: " + std::to_string(hint->wouldPair) + " unpaired names pair after stripping '" + hint->prefix + "' from " + (hint->sideA ? "A" : "B")
            + ": add --strip-prefix-" + (hint->sideA ? "a " : "b ") + hint->prefix + "\n";
    out += s.identical() ? "The compared tensors are identical.\n" : "The checkpoints differ.\n";
    return out;
}
} // namespace

int diffCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Compare two checkpoints tensor by tensor. By default the two model states are paired by name (so a bare\n"
                       "state_dict can be compared with the model_state of a training checkpoint); --all pairs every tensor by its\n"
                       "full path. Prefix rules apply to one side before pairing. Each pair is only in A (-), only in B (+), or\n"
                       "changed (!) in shape, dtype or values, with max |a-b|, mean |a-b|, relative L2 ||a-b||/||a||, cosine\n"
                       "similarity and the fraction of elements that differ by more than --atol. Identical pairs are counted,\n"
                       "not listed (byte-equal tensors are never compared as numbers). dtype-changed pairs are compared after\n"
                       "rounding both to float32.\n\n"
                       "Examples:\n"
                       "  ckpt diff pretrained.pth finetuned.pth\n"
                       "  ckpt diff model.pt model_fp16.pt --atol 1e-3\n"
                       "  ckpt diff ddp.pth plain.pth --strip-prefix-a module.\n"
                       "  ckpt diff run1/last.ckpt run2/last.ckpt --all --json > diff.json\n\n"
                       "Exit status: 0 when the compared tensors are identical, 1 when they differ, 2 on error."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("all"), QStringLiteral("Compare every tensor by its full path, not just the model states.")},
        {QStringLiteral("strip-prefix-a"), QStringLiteral("Remove this prefix from A's names before pairing."), QStringLiteral("P")},
        {QStringLiteral("strip-prefix-b"), QStringLiteral("Remove this prefix from B's names before pairing."), QStringLiteral("P")},
        {QStringLiteral("atol"), QStringLiteral("Elements differing by at most this count as unchanged (default 0)."), QStringLiteral("X")},
        {QStringLiteral("json"), QStringLiteral("Print every pair, identical ones included, as one JSON object.")},
        {QStringLiteral("csv"), QStringLiteral("Print every pair as a CSV table (one row per pair).")},
        quietOption(),
    });
    parser.addPositionalArgument(QStringLiteral("A"), QStringLiteral("The first checkpoint."));
    parser.addPositionalArgument(QStringLiteral("B"), QStringLiteral("The second checkpoint."));
    if (const auto done = parseArguments(parser, "diff", args, 2, "A and B"))
        return *done;
    const std::string a = parser.positionalArguments().at(0).toStdString();
    const std::string b = parser.positionalArguments().at(1).toStdString();
    lastresort::setSubject(a + ", " + b);
    try {
        ckpt::DiffOptions options;
        options.all = parser.isSet(QStringLiteral("all"));
        for (const QString &p : parser.values(QStringLiteral("strip-prefix-a")))
            options.rulesA.stripPrefixes.push_back(p.toStdString());
        for (const QString &p : parser.values(QStringLiteral("strip-prefix-b")))
            options.rulesB.stripPrefixes.push_back(p.toStdString());
        if (parser.isSet(QStringLiteral("atol"))) {
            bool ok = false;
            options.atol = parser.value(QStringLiteral("atol")).toDouble(&ok);
            if (!ok || options.atol < 0)
                return reportError("--atol needs a number >= 0, not '" + parser.value(QStringLiteral("atol")).toStdString() + "'");
        }
        const auto ca = ckpt::Checkpoint::open(a);
        const auto cb = ckpt::Checkpoint::open(b);
        const bool machineOutput = parser.isSet(QStringLiteral("json")) || parser.isSet(QStringLiteral("csv"));
        ProgressLine progress("Comparing", ProgressLine::tensorBytes(*ca, !options.all) + ProgressLine::tensorBytes(*cb, !options.all),
            ProgressLine::shouldDraw(parser.isSet(QStringLiteral("quiet")), machineOutput));
        options.progress = progress.progress();
        const ckpt::DiffResult diff = ckpt::diffCheckpoints(*ca, *cb, options);
        progress.finish();
        if (parser.isSet(QStringLiteral("json")))
            print(ckpt::diffJson(diff, *ca, *cb));
        else if (parser.isSet(QStringLiteral("csv")))
            print(ckpt::diffCsv(diff));
        else
            print(humanDiff(diff, a, b));
        return diff.summary.identical() ? Ok : Differs;
    } catch (const ckpt::Error &e) {
        return reportError(e.file().empty() ? std::string(e.what()) : e.what());
    } catch (const std::exception &e) {
        return reportException(a + ", " + b, e);
    }
}

} // namespace cli

// SPDX-License-Identifier: MIT
#include "safetybanner.h"

#include <QMessageBox>

namespace {
// The first few names of one severity, for the banner's sentence.
QString names(const ckpt::SafetyReport &report, ckpt::Safety safety)
{
    QStringList out;
    int more = 0;
    for (const auto &g : report.globals) {
        if (g.safety != safety)
            continue;
        if (out.size() < 3)
            out << QString::fromStdString(g.qualifiedName());
        else
            ++more;
    }
    QString text = out.join(QStringLiteral(", "));
    if (more)
        text += SafetyBanner::tr(" and %1 more").arg(more);
    return text;
}

// The globals Python would import and call with weights_only=False: those off the allowlist, or, when the
// file needs full unpickling only for its pickle opcodes, the allowlisted ones it then imports all the same.
bool onlyAllowlisted(const ckpt::SafetyReport &report)
{
    return report.verdict == ckpt::Safety::NeedsFullUnpickle && report.count(ckpt::Safety::NeedsFullUnpickle) == 0;
}
} // namespace

SafetyBanner::SafetyBanner(QWidget *parent)
    : QLabel(parent)
{
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setContentsMargins(6, 4, 6, 4);
    hide();
    connect(this, &QLabel::linkActivated, this, [this] {
        auto *box = new QMessageBox(m_report.verdict == ckpt::Safety::Dangerous ? QMessageBox::Warning : QMessageBox::Information,
            tr("What this file would do in Python"), details(), QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void SafetyBanner::setReport(const ckpt::SafetyReport &report)
{
    m_report = report;
    switch (report.verdict) {
    case ckpt::Safety::WeightsOnly: hide(); return;
    case ckpt::Safety::NeedsFullUnpickle:
        if (report.globals.empty()) { // only pickle opcodes the weights-only unpickler lacks: nothing to import
            hide();
            return;
        }
        setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; border: 1px solid #e6c77a; }")); // untranslated: a style
        setText(tr("Python's <tt>torch.load</tt> needs <tt>weights_only=False</tt> for this file and would then import and call "
                   "%1. Nothing of it runs here. <a href=\"details\">Details</a>")
                    .arg(names(report, onlyAllowlisted(report) ? ckpt::Safety::WeightsOnly : ckpt::Safety::NeedsFullUnpickle).toHtmlEscaped()));
        break;
    case ckpt::Safety::Dangerous:
        setStyleSheet(QStringLiteral("QLabel { background: #fde2e1; border: 1px solid #d6453d; color: #7a1410; }")); // untranslated: a style
        setText(tr("<b>Dangerous:</b> loading this file with Python's <tt>torch.load</tt> would run %1. Checkpoint Studio never "
                   "runs it; the file is open for inspection only. <a href=\"details\">Details</a>")
                    .arg(names(report, ckpt::Safety::Dangerous).toHtmlEscaped()));
        break;
    }
    show();
}

QString SafetyBanner::details() const
{
    QStringList lines;
    const bool allowlistedToo = onlyAllowlisted(m_report);
    for (const auto &g : m_report.globals) {
        if (g.safety == ckpt::Safety::WeightsOnly && !allowlistedToo)
            continue;
        QStringList places;
        for (const auto &p : g.places)
            places << tr("%1 at byte %2").arg(QString::fromStdString(p.record)).arg(p.offset) + (p.viaStackGlobal ? tr(" (built on the stack)") : QString());
        lines << (g.safety == ckpt::Safety::Dangerous ? tr("Runs code: %1") : tr("Imported and called: %1")).arg(QString::fromStdString(g.qualifiedName()))
                + QStringLiteral("\n    ") + places.join(QStringLiteral("\n    "));
    }
    return lines.join(QLatin1Char('\n'));
}

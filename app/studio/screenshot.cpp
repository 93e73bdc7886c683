// SPDX-License-Identifier: MIT
#include "screenshot.h"

#include "checkpoint.h"
#include "checkpointdiff.h"
#include "checkpointdocument.h"
#include "diffpairwidget.h"
#include "diffwindow.h"
#include "mainwindow.h"
#include "parameterpanel.h"
#include "tensordetailswidget.h"
#include "tensorsummary.h"

#include <QStatusBar>
#include <QTreeView>

#include <memory>

namespace {
// Calls ready() the first time signal fires and passes accept(); then lets go of the connection.
template<typename Sender, typename Signal, typename Accept>
void once(Sender *sender, Signal signal, Accept accept, const std::function<void()> &ready)
{
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(sender, signal, sender, [connection, accept, ready](const auto &...args) {
        if (!accept(args...))
            return;
        QObject::disconnect(*connection);
        ready();
    });
}
} // namespace

namespace screenshot {

void prepare(MainWindow &window, const std::function<void()> &ready)
{
    if (!window.document()) {
        ready();
        return;
    }
    window.treeView()->expandToDepth(1);
    // A representative tensor: the largest parameter among the first ones, so the histogram has substance.
    int best = -1;
    std::uint64_t bestSize = 0;
    const auto &tensors = window.document()->checkpoint().tensors();
    for (std::size_t i = 0; i < tensors.size() && i < 64; ++i)
        if (tensors[i].isParameter && tensors[i].inModelState && tensors[i].numel() > bestSize) {
            bestSize = tensors[i].numel();
            best = static_cast<int>(i);
        }
    if (best < 0 && !tensors.empty())
        best = 0;
    if (best < 0) {
        ready();
        return;
    }
    once(
        window.details(), &TensorDetailsWidget::summaryReady, [best](const TensorSummary &summary) { return summary.tensor == best; }, ready);
    window.parameters()->selectTensor(best);
}

void prepare(DiffWindow &window, const std::function<void()> &ready)
{
    // The largest changed pair: its two histograms have the most to show.
    int entry = -1;
    std::uint64_t most = 0;
    if (const auto &session = window.session())
        for (std::size_t i = 0; i < session->result.entries.size(); ++i) {
            const auto &e = session->result.entries[i];
            if (e.status == ckpt::DiffStatus::Changed && e.metrics.valid && e.a->numel() > most) {
                most = e.a->numel();
                entry = static_cast<int>(i);
            }
        }
    if (entry < 0) {
        ready();
        return;
    }
    once(
        window.pairView(), &DiffPairWidget::histogramsShown, [entry](int shown) { return shown == entry; }, ready);
    window.selectEntry(entry);
    window.statusBar()->clearMessage(); // the screenshot shows the summary, not what selecting the pair said
}

} // namespace screenshot

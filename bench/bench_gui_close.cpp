// SPDX-License-Identifier: MIT
// What a statistics run over one huge tensor costs the user who moves on: how long opening another
// checkpoint and closing the window take while it runs, against how long the run itself takes (the wait
// the user would sit through if the window waited for it). Run with QT_QPA_PLATFORM=offscreen.
// Usage: bench_gui_close BIG OTHER   (BIG: a checkpoint with one large tensor; OTHER: any small checkpoint)
#include "guibench.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "mainwindow.h"
#include "parameterpanel.h"
#include "tensordetailswidget.h"
#include "tensorsummary.h"

#include <QApplication>
#include <QSignalSpy>
#include <QThreadPool>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {
int largestTensor(const MainWindow &window)
{
    int best = -1;
    std::uint64_t most = 0;
    const auto &tensors = window.document()->checkpoint().tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].numel() > most) {
            most = tensors[i].numel();
            best = static_cast<int>(i);
        }
    return best;
}

bool open(MainWindow &window, const QString &file)
{
    QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
    window.openFile(file);
    return loaded.wait(600000);
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio-bench"));
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s BIG OTHER\n", argv[0]);
        return 2;
    }
    const QString big = QString::fromLocal8Bit(argv[1]), other = QString::fromLocal8Bit(argv[2]);
    auto window = std::make_unique<MainWindow>();
    window->resize(1440, 900);
    window->show();
    settle();
    if (!open(*window, big)) {
        std::fprintf(stderr, "could not open %s\n", argv[1]);
        return 2;
    }
    const int tensor = largestTensor(*window);

    // The baseline: the whole statistics run, waited for.
    QSignalSpy summaries(window->details(), &TensorDetailsWidget::summaryReady);
    QElapsedTimer t;
    t.start();
    window->parameters()->selectTensor(tensor);
    if (!summaries.wait(600000))
        return 2;
    const double statsMs = ms(t);

    // Select it again in a fresh document (no cached result), and open another checkpoint while it runs.
    if (!open(*window, big))
        return 2;
    window->parameters()->selectTensor(largestTensor(*window));
    settle();
    const bool runningBeforeOpen = QThreadPool::globalInstance()->activeThreadCount() > 0;
    t.restart();
    if (!open(*window, other))
        return 2;
    const double openOtherMs = ms(t);

    // The same, then the window closes and is destroyed.
    if (!open(*window, big))
        return 2;
    window->parameters()->selectTensor(largestTensor(*window));
    settle();
    const bool runningBeforeClose = QThreadPool::globalInstance()->activeThreadCount() > 0;
    t.restart();
    window->close();
    window.reset();
    const double closeMs = ms(t);

    std::printf("| step (one tensor of %s) | time | ratio to the statistics run |\n|---|---:|---:|\n", argv[1]);
    std::printf("| statistics and histogram of the tensor (baseline) | %.0f ms | 1 |\n", statsMs);
    std::printf("| open another checkpoint while they run%s | %.0f ms | %.3f |\n", runningBeforeOpen ? "" : " (the run had already ended)", openOtherMs,
        openOtherMs / statsMs);
    std::printf("| close and destroy the window while they run%s | %.0f ms | %.3f |\n", runningBeforeClose ? "" : " (the run had already ended)", closeMs,
        closeMs / statsMs);
    // The runs let go finish on their own; ~QApplication waits for them (checkpoint-studio never destroys it).
    std::fflush(stdout);
    std::_Exit(0);
}

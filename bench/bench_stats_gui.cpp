// SPDX-License-Identifier: MIT
// View > Compute Statistics for All Tensors in the main window: how long until every row shows its
// statistics, the first time in a session (the LibTorch plugin used to load here) and again, with the
// longest stall of the GUI thread meanwhile. Run with QT_QPA_PLATFORM=offscreen. Usage: bench_stats_gui FILE
#include "guibench.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "checkpointloader.h"
#include "mainwindow.h"
#include "parametertreemodel.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QMenuBar>
#include <QSignalSpy>

#include <cstdio>

namespace {
QAction *computeAll(MainWindow &window)
{
    for (QAction *menu : window.menuBar()->actions())
        if (menu->menu())
            for (QAction *item : menu->menu()->actions())
                if (item->text().startsWith(QStringLiteral("Compute &Statistics")))
                    return item;
    return nullptr;
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio-bench"));
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    std::printf("| GUI: View > Compute Statistics for All Tensors | time | longest GUI-thread stall |\n|---|---:|---:|\n");
    for (const char *when : {"first time in the session", "again, on a new window"}) {
        MainWindow window;
        window.resize(1440, 900);
        window.show();
        QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
        window.openFile(QString::fromLocal8Bit(argv[1]));
        if (!loaded.wait(600000)) {
            std::fprintf(stderr, "could not open %s\n", argv[1]);
            return 2;
        }
        settle();
        QAction *action = computeAll(window);
        if (!action) {
            std::fprintf(stderr, "no Compute Statistics action\n");
            return 2;
        }
        StallMeter stalls;
        stalls.start();
        QElapsedTimer t;
        t.start();
        action->trigger(); // returns once the job is done: it runs behind a modal progress dialog
        settle();
        const double elapsed = ms(t);
        const double stall = stalls.stop();
        const auto tensors = window.document()->checkpoint().tensors().size();
        std::size_t shown = 0;
        for (std::size_t i = 0; i < tensors; ++i)
            shown += window.treeModel()->hasStatistics(static_cast<int>(i));
        if (shown != tensors) {
            std::fprintf(stderr, "%zu of %zu tensors got statistics\n", shown, tensors);
            return 2;
        }
        std::printf("| %zu tensors, %s | %.2f s | %.0f ms |\n", tensors, when, elapsed / 1000, stall);
        window.document()->markSaved();
    }
    return 0;
}

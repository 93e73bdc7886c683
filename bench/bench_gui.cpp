// SPDX-License-Identifier: MIT
// How the main window copes with a 100,000-parameter checkpoint: open, expand, scroll, filter, tick,
// undo, and the longest stall of the GUI thread while the file loads. Run with QT_QPA_PLATFORM=offscreen.
// Usage: bench_gui FILE
#include "guibench.h"

#include "checkpoint.h"
#include "checkpointdocument.h"
#include "freezestate.h"
#include "checkpointloader.h"
#include "mainwindow.h"
#include "parameterpanel.h"
#include "parametertreemodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTimer>
#include <QTreeView>
#include <QUndoStack>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio-bench"));
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    const QString file = QString::fromLocal8Bit(argv[1]);
    MainWindow window;
    window.resize(1440, 900);
    window.show();
    settle();

    StallMeter stalls;
    QElapsedTimer t;
    t.start();
    QSignalSpy loaded(window.loader(), &CheckpointLoader::loaded);
    stalls.start();
    window.openFile(file);
    if (!loaded.wait(600000)) {
        std::fprintf(stderr, "could not open %s\n", argv[1]);
        return 2;
    }
    settle();
    const double openMs = ms(t);
    const double loadStall = stalls.stop();
    const auto tensors = window.document()->checkpoint().tensors().size();
    const auto params = window.document()->freeze().parameters().size();

    QTreeView *tree = window.treeView();
    t.restart();
    tree->expandAll();
    settle();
    const double expandMs = ms(t);

    t.restart();
    tree->scrollToBottom();
    tree->viewport()->repaint();
    tree->scrollToTop();
    tree->viewport()->repaint();
    const double scrollMs = ms(t);

    t.restart();
    window.filterEdit()->setText(QStringLiteral("*.experts.7.*"));
    window.parameters()->setMatchingFrozen(true); // applies the typed filter at once (no typing pause), then freezes
    tree->viewport()->repaint();
    const double filterMs = ms(t);
    const int filteredTop = window.treeModel()->rowCount();
    window.document()->undoStack()->undo();
    t.restart();
    window.filterEdit()->clear();
    window.parameters()->setMatchingFrozen(false); // with an empty filter this only applies it and says so
    settle();
    const double unfilterMs = ms(t);

    // Tick the first top-level group (most of the model), then undo it.
    tree->expandAll();
    const QModelIndex group = window.treeModel()->index(0, ParameterTreeModel::Frozen);
    t.restart();
    window.treeModel()->setData(group, Qt::Checked, Qt::CheckStateRole);
    tree->viewport()->repaint();
    const double tickMs = ms(t);
    const auto frozen = window.document()->freeze().frozenCount();
    t.restart();
    window.document()->undoStack()->undo();
    tree->viewport()->repaint();
    const double undoMs = ms(t);
    t.restart();
    window.freezeFirst(static_cast<int>(params / 2));
    tree->viewport()->repaint();
    const double firstNMs = ms(t);

    std::printf("| step | time |\n|---|---:|\n");
    std::printf("| open %zu tensors (%zu parameters): read, name, build the tree, show | %.0f ms |\n", tensors, params, openMs);
    std::printf("| longest GUI-thread stall while opening | %.0f ms |\n", loadStall);
    std::printf("| expand all | %.0f ms |\n", expandMs);
    std::printf("| scroll to the bottom and back, repainting | %.0f ms |\n", scrollMs);
    std::printf("| filter `*.experts.7.*` and freeze what matches (%d top-level rows left) | %.0f ms |\n", filteredTop, filterMs);
    std::printf("| clear the filter | %.0f ms |\n", unfilterMs);
    std::printf("| tick the first top-level group (%zu parameters frozen) | %.0f ms |\n", frozen, tickMs);
    std::printf("| undo that | %.0f ms |\n", undoMs);
    std::printf("| freeze first %zu | %.0f ms |\n", params / 2, firstNMs);
    window.document()->markSaved();
    return 0;
}

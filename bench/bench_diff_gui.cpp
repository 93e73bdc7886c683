// SPDX-License-Identifier: MIT
// How the diff window copes with large comparisons: a 1 GiB pair and a 100,000-tensor pair, from
// compare() to the coloured tree and chart on screen, the longest GUI-thread stall meanwhile, and
// expanding, sorting, filtering and clicking a bar. Run with QT_QPA_PLATFORM=offscreen.
// Usage: bench_diff_gui A1 B1 [A2 B2 ...]
#include "guibench.h"

#include "diffchartwidget.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "difftreemodel.h"
#include "diffwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTimer>
#include <QTreeView>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio-bench"));
    if (argc < 3 || argc % 2 == 0) {
        std::fprintf(stderr, "usage: %s A B [A B ...]\n", argv[0]);
        return 2;
    }
    std::printf("| comparison | step | time |\n|---|---|---:|\n");
    for (int i = 1; i + 1 < argc; i += 2) {
        const QString a = QString::fromLocal8Bit(argv[i]), b = QString::fromLocal8Bit(argv[i + 1]);
        const QString label = QFileInfo(a).fileName() + QStringLiteral(" vs ") + QFileInfo(b).fileName();
        DiffWindow window;
        window.resize(1440, 900);
        window.show();
        settle();

        StallMeter stalls;
        QElapsedTimer t;
        t.start();
        QSignalSpy finished(window.runner(), &DiffRunner::finished);
        stalls.start();
        window.compare({a, nullptr}, {b, nullptr});
        if (!finished.wait(600000)) {
            std::fprintf(stderr, "could not compare %s with %s\n", argv[i], argv[i + 1]);
            return 2;
        }
        window.treeView()->viewport()->repaint();
        settle();
        const double openMs = ms(t);
        const double worstGap = stalls.stop();
        const auto &result = window.session()->result;
        const QByteArray name = label.toUtf8();
        std::printf("| %s | read both, compare %zu names, build the tree and chart, show | %.0f ms |\n", name.constData(), result.entries.size(), openMs);
        std::printf("| | of which reading and comparing, off the GUI thread | %.0f ms |\n", window.session()->seconds * 1000);
        std::printf("| | longest GUI-thread stall meanwhile | %.0f ms |\n", worstGap);

        QTreeView *tree = window.treeView();
        t.restart();
        tree->expandAll();
        tree->viewport()->repaint();
        std::printf("| | expand all | %.0f ms |\n", ms(t));
        t.restart();
        tree->sortByColumn(DiffTreeModel::RelL2, Qt::DescendingOrder);
        tree->viewport()->repaint();
        std::printf("| | sort the tree by relative change | %.0f ms |\n", ms(t));
        t.restart();
        window.model()->setFlat(true);
        tree->viewport()->repaint();
        std::printf("| | flat list of all pairs, sorted | %.0f ms |\n", ms(t));
        t.restart();
        window.setStatusFilter(diffstyle::kDifferences);
        tree->viewport()->repaint();
        std::printf("| | show differences only (%d pairs) | %.0f ms |\n", window.model()->visiblePairs(), ms(t));
        window.setStatusFilter(diffstyle::kAllStatuses);
        window.model()->setFlat(false);
        t.restart();
        window.chart()->setDepth(0);
        settle();
        std::printf("| | chart per layer (%zu bars) | %.0f ms |\n", window.chart()->bars().size(), ms(t));
        t.restart();
        window.chart()->setDepth(1);
        settle();
        std::printf("| | chart per top-level module (%zu bars) | %.0f ms |\n", window.chart()->bars().size(), ms(t));
        if (!window.chart()->bars().empty()) {
            t.restart();
            window.chart()->activateBar(0);
            tree->viewport()->repaint();
            std::printf(
                "| | click the first bar (%zu pairs selected) | %.0f ms |\n", static_cast<std::size_t>(tree->selectionModel()->selectedRows().size()), ms(t));
        }
    }
    return 0;
}

// SPDX-License-Identifier: MIT
// How the transplant dialog copes with a 100,000-tensor pair: opening both sides until the report shows,
// then a rule typed into the dialog until the new report shows, each with the longest GUI-thread stall.
// Run with QT_QPA_PLATFORM=offscreen.  Usage: bench_transplant_gui SOURCE TARGET
#include "guibench.h"

#include "transplantdialog.h"
#include "transplantreportmodel.h"

#include <QApplication>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>

#include <cstdio>

Q_DECLARE_METATYPE(std::shared_ptr<const TransplantPlan>)

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    qRegisterMetaType<std::shared_ptr<const TransplantPlan>>();
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SOURCE TARGET\n", argv[0]);
        return 2;
    }
    TransplantDialog dialog;
    dialog.show();
    settle();
    QSignalSpy planned(dialog.planner(), &TransplantPlanner::planned);
    StallMeter stalls;
    QElapsedTimer t;

    // Each step ends when the new report is in the table and painted.
    auto step = [&](const char *what, const std::function<void()> &trigger) {
        planned.clear();
        stalls.start();
        t.restart();
        trigger();
        if (!planned.wait(600000)) {
            std::fprintf(stderr, "no report after: %s\n", what);
            std::exit(2);
        }
        dialog.table()->viewport()->repaint();
        settle();
        const double total = ms(t);
        const double planMs = dialog.model()->plan()->milliseconds;
        std::printf("| %s | %.0f ms | %.0f ms | %.0f ms |\n", what, total, planMs, stalls.stop());
    };
    std::printf("| transplant dialog, %s into %s | until the report shows | of which planning, off the GUI thread | longest GUI stall |\n"
                "|---|---:|---:|---:|\n",
        qPrintable(QFileInfo(QString::fromLocal8Bit(argv[1])).fileName()), qPrintable(QFileInfo(QString::fromLocal8Bit(argv[2])).fileName()));
    step("open both sides (read, plan, fill the table)", [&] {
        dialog.openSource(QString::fromLocal8Bit(argv[1]));
        dialog.openTarget(QString::fromLocal8Bit(argv[2]));
    });
    // A rule as typed: the dialog waits 150 ms after the last key, then plans off the GUI thread.
    step("type an exclude glob (150 ms debounce included)", [&] { dialog.excludeEdit()->setText(QStringLiteral("*.w3.*")); });
    step("type a regex rename", [&] { dialog.renameEdit()->setPlainText(QStringLiteral("^model\\.layers\\.(\\d+)\\.=model.blocks.\\1.")); });
    std::printf("\n%d rows in the table at the end.\n", dialog.model()->rowCount());
    return 0;
}

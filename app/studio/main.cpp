// SPDX-License-Identifier: MIT
// checkpoint-studio: the desktop application. One file opens it; two files open their comparison.
#include "appsettings.h"
#include "diffwindow.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "transplantdialog.h"
#include "translations.h"
#include "../lastresort.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>

namespace {
// Prepares window for its screenshot, renders it to out once it is drawn (after the chart has laid itself
// out), then quits.
template<typename Window>
void screenshotWhenReady(QApplication &app, Window &window, const QString &out, int &status)
{
    screenshot::prepare(window, [&app, &window, out, &status] {
        QTimer::singleShot(300, &app, [&app, &window, out, &status] {
            if (!window.grab().save(out)) {
                std::fprintf(stderr, "checkpoint-studio: cannot write %s\n", qPrintable(out));
                status = 2;
            }
            app.quit();
        });
    });
}

int run(int argc, char **argv)
{
    // Never destroyed: ~QApplication waits for the global thread pool, where a statistics run over a tensor of
    // gigabytes cannot be interrupted, and it would keep the process alive for seconds after its last window
    // closed. main() ends the process with _Exit once run() returns.
    QApplication &app = *new QApplication(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Checkpoint Studio")); // untranslated: names the settings file
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio"));
    QApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));
    installTranslations(app, appsettings::language());
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("checkpoint-studio"), QIcon(QStringLiteral(":/icons/checkpoint-studio.png"))));
    QGuiApplication::setDesktopFileName(QStringLiteral("checkpoint-studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Inspect, freeze, save and compare PyTorch checkpoints.")); // untranslated: terminal help
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("screenshot"),
        QStringLiteral("Open FILE (or compare FILE with OTHER), select a tensor, render the window to OUT.png and "
                       "exit (works with QT_QPA_PLATFORM=offscreen)."),
        QStringLiteral("OUT.png")});
    parser.addOption({QStringLiteral("transplant"),
        QStringLiteral("Open the transplant dialog with SOURCE as the pretrained checkpoint and FILE (if given) as "
                       "the target. With --screenshot, renders the dialog once its report shows."),
        QStringLiteral("SOURCE")});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Checkpoint to open."), QStringLiteral("[FILE]")); // untranslated: terminal help
    parser.addPositionalArgument(QStringLiteral("OTHER"),
        QStringLiteral("A second checkpoint: compare FILE (A) with it (B). Three or more files open "
                       "in a window each."),
        QStringLiteral("[OTHER...]"));
    parser.process(app);

    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty())
        lastresort::setSubject(files.front().toStdString());
    if (files.size() > 2 && parser.isSet(QStringLiteral("screenshot"))) {
        std::fprintf(stderr, "checkpoint-studio: --screenshot takes one checkpoint, or two to compare\n");
        return 2;
    }
    if (files.size() > 2) {
        // Several files from the desktop (%F): each opens in a window of its own.
        for (const QString &file : files) {
            auto *window = new MainWindow;
            window->setAttribute(Qt::WA_DeleteOnClose);
            window->show();
            window->openFile(file);
        }
        return app.exec();
    }
    const bool screenshot = parser.isSet(QStringLiteral("screenshot"));
    const QString out = parser.value(QStringLiteral("screenshot"));
    if (screenshot && files.isEmpty() && !parser.isSet(QStringLiteral("transplant"))) {
        std::fprintf(stderr, "checkpoint-studio: --screenshot needs a FILE\n");
        return 2;
    }
    int status = 0;

    if (parser.isSet(QStringLiteral("transplant"))) {
        if (files.size() > 1) {
            std::fprintf(stderr, "checkpoint-studio: --transplant takes one target FILE\n");
            return 2;
        }
        MainWindow window;
        window.show();
        if (!files.isEmpty())
            window.openFile(files.front());
        TransplantDialog *dialog = nullptr;
        // The target is the main window's document: open the dialog once it is read.
        auto openDialog = [&] {
            dialog = window.openTransplantDialog(parser.value(QStringLiteral("transplant")));
            if (!screenshot)
                return;
            dialog->resize(1180, 820);
            QObject::connect(dialog->planner(), &TransplantPlanner::planned, &app, [&app, &dialog, out, &status] {
                QTimer::singleShot(300, &app, [&app, &dialog, out, &status] {
                    if (!dialog->grab().save(out)) {
                        std::fprintf(stderr, "checkpoint-studio: cannot write %s\n", qPrintable(out));
                        status = 2;
                    }
                    app.quit();
                });
            });
            QObject::connect(
                dialog->planner(), &TransplantPlanner::openFailed, &app, [&app, &status](TransplantPlanner::Side, const QString &, const QString &message) {
                    std::fprintf(stderr, "checkpoint-studio: %s\n", qPrintable(message));
                    status = 2;
                    app.quit();
                });
        };
        if (files.isEmpty())
            openDialog();
        else
            QObject::connect(window.loader(), &CheckpointLoader::loaded, &window, [&] {
                if (!dialog)
                    openDialog();
            });
        const int code = app.exec();
        return screenshot ? status : code;
    }

    if (files.size() == 2) {
        DiffWindow window;
        if (screenshot)
            window.resize(1440, 900); // not the size the user left it at: screenshots are reproducible
        window.show();
        if (screenshot) {
            QObject::connect(window.runner(), &DiffRunner::finished, &window,
                [&] { QTimer::singleShot(0, &window, [&] { screenshotWhenReady(app, window, out, status); }); });
            QObject::connect(window.runner(), &DiffRunner::failed, &app, [&](const QString &message) {
                std::fprintf(stderr, "checkpoint-studio: %s\n", qPrintable(message));
                status = 2;
                app.quit();
            });
        }
        window.compare({files[0], nullptr}, {files[1], nullptr});
        const int code = app.exec();
        return screenshot ? status : code;
    }

    MainWindow window;
    if (screenshot) {
        window.resize(1440, 900);
        window.show();
        QObject::connect(window.loader(), &CheckpointLoader::loaded, &window,
            [&] { QTimer::singleShot(0, &window, [&] { screenshotWhenReady(app, window, out, status); }); });
        QObject::connect(window.loader(), &CheckpointLoader::failed, &app, [&](const QString &, const QString &message) {
            std::fprintf(stderr, "checkpoint-studio: %s\n", qPrintable(message));
            status = 2;
            app.quit();
        });
        window.openFile(files.front());
        app.exec();
        return status;
    }
    window.show();
    if (!files.isEmpty())
        window.openFile(files.front());
    return app.exec();
}
} // namespace

int main(int argc, char **argv)
{
    // The windows turn errors of their work (out of memory among them) into messages and keep their documents;
    // anything that still escapes ends the program with exit status 2 and one line, not an abort.
    lastresort::install("checkpoint-studio");
    try {
        const int status = run(argc, argv);
        // Everything is saved and every window is gone once run() returns. What remains are the static
        // destructors, and LibTorch's unregister thousands of operator kernels one by one: the process
        // lingered 0.3-3 s after its window closed. Nothing of ours needs them.
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(status);
    } catch (const std::bad_alloc &) {
        std::fprintf(stderr, "checkpoint-studio: out of memory\n");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "checkpoint-studio: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "checkpoint-studio: unexpected error\n");
    }
    return 2;
}

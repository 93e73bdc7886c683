// checkpoint-studio: the desktop application.
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Checkpoint Studio"));
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio"));
    QApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Inspect, freeze and save PyTorch checkpoints."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("screenshot"),
                      QStringLiteral("Open FILE, select a tensor, render the window to OUT.png and exit (works with "
                                     "QT_QPA_PLATFORM=offscreen)."),
                      QStringLiteral("OUT.png")});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Checkpoint to open."), QStringLiteral("[FILE]"));
    parser.process(app);

    MainWindow window;
    const QStringList files = parser.positionalArguments();
    if (parser.isSet(QStringLiteral("screenshot"))) {
        if (files.isEmpty()) {
            std::fprintf(stderr, "checkpoint-studio: --screenshot needs a FILE\n");
            return 2;
        }
        const QString out = parser.value(QStringLiteral("screenshot"));
        window.resize(1440, 900);
        window.show();
        int status = 0;
        QObject::connect(window.loader(), &CheckpointLoader::loaded, &window, [&window] {
            QTimer::singleShot(0, &window, &MainWindow::prepareScreenshot);
        });
        QObject::connect(window.loader(), &CheckpointLoader::failed, &app, [&](const QString &, const QString &message) {
            std::fprintf(stderr, "checkpoint-studio: %s\n", qPrintable(message));
            status = 2;
            app.quit();
        });
        QObject::connect(&window, &MainWindow::screenshotReady, &app, [&] {
            QTimer::singleShot(200, &app, [&] { // let the chart lay itself out
                if (!window.grab().save(out)) {
                    std::fprintf(stderr, "checkpoint-studio: cannot write %s\n", qPrintable(out));
                    status = 2;
                }
                app.quit();
            });
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

// checkpoint-studio: the desktop application.
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Checkpoint Studio"));
    QApplication::setOrganizationName(QStringLiteral("checkpoint-studio"));
    QApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Inspect PyTorch checkpoints."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Checkpoint to open."), QStringLiteral("[FILE]"));
    parser.process(app);

    MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.openFile(parser.positionalArguments().front());
    return app.exec();
}

// SPDX-License-Identifier: MIT
#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

QStringList availableTranslations()
{
    return {QStringLiteral("zh_CN")};
}

QString installTranslations(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Ours first: without them Qt's own strings alone would give a half-translated window.
    auto *ours = new QTranslator(&app);
    if (!ours->load(locale, QStringLiteral("checkpoint-studio"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        delete ours;
        return {};
    }
    app.installTranslator(ours);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    return locale.name();
}

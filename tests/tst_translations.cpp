// SPDX-License-Identifier: MIT
// The Chinese translation is complete and current: every string of the interface goes through tr(), every
// one has a translation that keeps its placeholders and accelerators, the terms are used consistently, and
// the application actually comes up in Chinese (with Qt's own dialogs) when asked to.
#include "testsupport.h"

#include "mainwindow.h"
#include "preferencesdialog.h"
#include "translations.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QFile>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace testsupport;

namespace {
struct Message
{
    QString context, source, translation, type; // type: "", "unfinished", "vanished", "obsolete"
};

QList<Message> readTs(const QString &path)
{
    QList<Message> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QXmlStreamReader xml(&f);
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            m = Message{context, {}, {}, {}};
        else if (xml.name() == QLatin1String("source"))
            m.source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            m.translation = xml.readElementText();
            out << m;
        }
    }
    return out;
}

QString tsFile()
{
    return sourceDir() + QStringLiteral("/../resources/translations/checkpoint-studio_zh_CN.ts");
}

QSet<QString> placeholders(const QString &s)
{
    QSet<QString> out;
    static const QRegularExpression re(QStringLiteral("%[1-9]"));
    for (auto it = re.globalMatch(s); it.hasNext();)
        out.insert(it.next().captured());
    return out;
}
} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT
private slots:
    void everyEntryIsTranslated()
    {
        const QList<Message> messages = readTs(tsFile());
        QVERIFY(messages.size() > 350);
        QStringList problems;
        for (const Message &m : messages) {
            const QString where = m.context + QStringLiteral(": ") + m.source.left(60);
            if (!m.type.isEmpty())
                problems << where + QStringLiteral(" is ") + m.type;
            else if (m.translation.isEmpty())
                problems << where + QStringLiteral(" has no translation");
            else if (placeholders(m.source) != placeholders(m.translation))
                problems << where + QStringLiteral(" loses or adds a %n placeholder");
            else if (m.source.contains(QRegularExpression(QStringLiteral("&[A-Za-z]"))) && !m.translation.contains(QLatin1Char('&')))
                problems << where + QStringLiteral(" loses its keyboard accelerator");
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // lupdate over today's sources finds nothing new (unfinished) and nothing gone (vanished).
    void translationSourceIsCurrent()
    {
        QTemporaryDir dir;
        const QString ts = dir.filePath(QStringLiteral("current_zh_CN.ts"));
        QVERIFY(QFile::copy(tsFile(), ts));
        QFile::setPermissions(ts, QFile::ReadOwner | QFile::WriteOwner);
        const QString root = sourceDir() + QStringLiteral("/..");
        const ProcessResult r = runProcess(QStringLiteral(CKPT_LUPDATE),
            {QStringLiteral("-locations"), QStringLiteral("none"), root + QStringLiteral("/ui"), root + QStringLiteral("/app/studio"), QStringLiteral("-ts"),
                ts});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QStringList stale;
        for (const Message &m : readTs(ts))
            if (!m.type.isEmpty())
                stale << m.type + QStringLiteral(": ") + m.context + QStringLiteral(": ") + m.source.left(80);
        QVERIFY2(stale.isEmpty(), qPrintable(QStringLiteral("run the update_translations target and translate:\n") + stale.join(QLatin1Char('\n'))));
    }

    // Words a person sees must go through tr(): a QStringLiteral holding words (a space and a word of three
    // letters or more) fails, unless a stylesheet or the line says why with "// untranslated: <reason>".
    void noInterfaceStringBypassesTr()
    {
        static const QRegularExpression literal(QStringLiteral("QStringLiteral\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)"));
        static const QRegularExpression word(QStringLiteral("[A-Za-z]{3,}"));
        QStringList found;
        const QString root = sourceDir() + QStringLiteral("/..");
        QStringList files{root + QStringLiteral("/app/studio/main.cpp")};
        for (QDirIterator it(root + QStringLiteral("/ui"), {QStringLiteral("*.cpp"), QStringLiteral("*.h")}); it.hasNext();)
            files << it.next();
        for (const QString &path : files) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            int line = 0;
            while (!f.atEnd()) {
                const QString text = QString::fromUtf8(f.readLine());
                ++line;
                if (text.contains(QStringLiteral("// untranslated:")))
                    continue;
                for (auto it = literal.globalMatch(text); it.hasNext();) {
                    const QString s = it.next().captured(1);
                    if (s.contains(QLatin1Char(' ')) && word.match(s).hasMatch() && !s.contains(QLatin1Char('{')))
                        found << QStringLiteral("%1:%2: \"%3\"").arg(QFileInfo(path).fileName()).arg(line).arg(s);
                }
            }
        }
        QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    }

    // The same English term always becomes the same Chinese one.
    void termsAreConsistent_data()
    {
        QTest::addColumn<QString>("english");
        QTest::addColumn<QString>("chinese");
        QTest::newRow("unfreeze") << QStringLiteral("unfreeze") << QStringLiteral("解冻");
        QTest::newRow("freeze") << QStringLiteral("freeze") << QStringLiteral("冻结");
        QTest::newRow("checkpoint") << QStringLiteral("checkpoint") << QStringLiteral("检查点");
        QTest::newRow("weights") << QStringLiteral("weights") << QStringLiteral("权重");
        QTest::newRow("shape") << QStringLiteral("shape") << QStringLiteral("形状");
        QTest::newRow("tensor") << QStringLiteral("tensor") << QStringLiteral("张量");
        QTest::newRow("dtype") << QStringLiteral("dtype") << QStringLiteral("数据类型");
        QTest::newRow("model state") << QStringLiteral("model state") << QStringLiteral("模型状态");
    }

    void termsAreConsistent()
    {
        QFETCH(QString, english);
        QFETCH(QString, chinese);
        QStringList problems;
        int checked = 0;
        for (const Message &m : readTs(tsFile())) {
            // Code, file names and file filters keep the English word: only prose is checked.
            QString prose = QString(m.source).remove(QRegularExpression(QStringLiteral("\\w*\\.json|\\(\\*[^)]*\\)|requires_grad\\S*")));
            // Whole words: "tensor" is not in "safetensors", nor "freeze" in "unfreeze".
            const QRegularExpression word(
                QStringLiteral("\\b") + QRegularExpression::escape(english) + QStringLiteral("s?\\b"), QRegularExpression::CaseInsensitiveOption);
            if (!word.match(prose).hasMatch())
                continue;
            ++checked;
            if (!m.translation.contains(chinese))
                problems << m.source.left(70) + QStringLiteral(" → ") + m.translation.left(40);
        }
        QVERIFY(checked > 0);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Asked for zh_CN, the windows and Qt's own buttons come up in Chinese; English leaves them alone.
    void theApplicationSpeaksChinese()
    {
        QVERIFY(availableTranslations().contains(QStringLiteral("zh_CN")));
        QCOMPARE(installTranslations(*qApp, QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        MainWindow window;
        QStringList menus;
        for (QAction *a : window.menuBar()->actions())
            menus << a->text();
        QVERIFY2(menus.contains(QStringLiteral("文件(&F)")) && menus.contains(QStringLiteral("冻结(&R)")), qPrintable(menus.join(u' ')));
        PreferencesDialog preferences;
        QCOMPARE(preferences.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->text(), QStringLiteral("取消"));
        QCOMPARE(preferences.languageBox()->itemData(2).toString(), QStringLiteral("zh_CN"));
        QVERIFY(preferences.languageBox()->itemText(2).startsWith(QStringLiteral("简体中文")));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"

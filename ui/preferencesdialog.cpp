// SPDX-License-Identifier: MIT
#include "preferencesdialog.h"

#include "appsettings.h"
#include "translations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <algorithm>

PreferencesDialog::PreferencesDialog(QWidget *parent)
    : QDialog(parent)
    , m_autoStatistics(new QCheckBox(tr("Compute the selected tensor's statistics and histogram as soon as it is selected"), this))
    , m_freezeFormat(new QComboBox(this))
    , m_language(new QComboBox(this))
{
    setWindowTitle(tr("Preferences — Checkpoint Studio"));
    auto *layout = new QVBoxLayout(this);
    auto *note = new QLabel(tr("Turn this off for checkpoints on slow disks or with huge tensors: statistics are then "
                               "computed when you click “Compute statistics and histogram” in the details."),
        this);
    note->setWordWrap(true);
    note->setIndent(20);
    layout->addWidget(m_autoStatistics);
    layout->addWidget(note);
    auto *form = new QFormLayout;
    m_freezeFormat->addItem(tr("frozen_layers.json (the seed's format)"), int(ckpt::FreezeListFormat::Json));
    m_freezeFormat->addItem(tr("Text list, one name per line"), int(ckpt::FreezeListFormat::Text));
    m_freezeFormat->addItem(tr("Python snippet with the optimizer filter"), int(ckpt::FreezeListFormat::Python));
    form->addRow(tr("Export freeze lists as:"), m_freezeFormat);
    // Each language named in itself, so that a person can find their own whatever the current one is.
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en")); // untranslated: each language is named in itself
    for (const QString &name : availableTranslations())
        m_language->addItem(QLocale(name).nativeLanguageName() + QStringLiteral(" (") + QLocale(name).nativeTerritoryName() + QLatin1Char(')'), name);
    form->addRow(tr("Language:"), m_language);
    layout->addLayout(form);
    auto *restart = new QLabel(tr("The language takes effect when Checkpoint Studio starts again."), this);
    restart->setWordWrap(true);
    layout->addWidget(restart);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    m_autoStatistics->setChecked(appsettings::autoStatistics());
    m_freezeFormat->setCurrentIndex(m_freezeFormat->findData(int(appsettings::freezeListFormat())));
    m_language->setCurrentIndex(std::max(0, m_language->findData(appsettings::language())));
}

void PreferencesDialog::apply()
{
    appsettings::setAutoStatistics(m_autoStatistics->isChecked());
    appsettings::setFreezeListFormat(static_cast<ckpt::FreezeListFormat>(m_freezeFormat->currentData().toInt()));
    appsettings::setLanguage(m_language->currentData().toString());
}

#include "preferencesdialog.h"

#include "appsettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

PreferencesDialog::PreferencesDialog(QWidget *parent)
    : QDialog(parent)
    , m_autoStatistics(new QCheckBox(tr("Compute the selected tensor's statistics and histogram as soon as it is selected"), this))
    , m_freezeFormat(new QComboBox(this))
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
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    m_autoStatistics->setChecked(appsettings::autoStatistics());
    m_freezeFormat->setCurrentIndex(m_freezeFormat->findData(int(appsettings::freezeListFormat())));
}

void PreferencesDialog::apply()
{
    appsettings::setAutoStatistics(m_autoStatistics->isChecked());
    appsettings::setFreezeListFormat(static_cast<ckpt::FreezeListFormat>(m_freezeFormat->currentData().toInt()));
}

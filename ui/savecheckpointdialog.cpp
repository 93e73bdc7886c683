// SPDX-License-Identifier: MIT
#include "savecheckpointdialog.h"

#include "appsettings.h"
#include "checkpoint.h"
#include "format/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

SaveCheckpointDialog::SaveCheckpointDialog(const ckpt::Checkpoint &checkpoint, const QString &suggestedPath, QWidget *parent)
    : QDialog(parent)
    , m_checkpoint(checkpoint)
    , m_path(new QLineEdit(suggestedPath, this))
    , m_modelOnly(new QCheckBox(tr("Model state only (a state_dict: no optimizer state, epoch …)"), this))
    , m_dtype(new QComboBox(this))
    , m_stripPrefix(new QLineEdit(commonPrefix(checkpoint), this))
    , m_storeFreeze(new QCheckBox(tr("Store the freeze state (parameters saved as nn.Parameter with requires_grad)"), this))
    , m_shards(new QCheckBox(tr("Split the model state into shards of at most"), this))
    , m_shardSize(new QLineEdit(QStringLiteral("5GB"), this))
    , m_shardProblem(new QLabel(this))
    , m_note(new QLabel(this))
{
    setWindowTitle(tr("Save Checkpoint As"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    pathRow->addWidget(browse);
    form->addRow(tr("File:"), pathRow);
    m_dtype->addItem(tr("Keep as is"), QString());
    m_dtype->addItem(QStringLiteral("float16"), QStringLiteral("float16"));
    m_dtype->addItem(QStringLiteral("bfloat16"), QStringLiteral("bfloat16"));
    m_dtype->addItem(QStringLiteral("float32"), QStringLiteral("float32"));
    form->addRow(tr("Floating tensors:"), m_dtype);
    m_stripPrefix->setPlaceholderText(tr("e.g. module."));
    form->addRow(tr("Strip prefix:"), m_stripPrefix);
    // As save_pretrained(max_shard_size=...) writes them: shards named after the file, plus FILE.index.json.
    auto *shardRow = new QHBoxLayout;
    shardRow->addWidget(m_shards);
    m_path->setObjectName(QStringLiteral("path"));
    m_shards->setObjectName(QStringLiteral("shards"));
    m_shardSize->setObjectName(QStringLiteral("shardSize"));
    m_shardSize->setMaximumWidth(m_shardSize->fontMetrics().horizontalAdvance(QStringLiteral("0000MiB")) + 24);
    m_shardSize->setToolTip(tr("5GB, 500MB, 2GiB or a number of bytes. The shards are named after the file (model-00001-of-00003.safetensors), "
                               "listed in the file's name plus .index.json."));
    shardRow->addWidget(m_shardSize);
    shardRow->addStretch(1);
    form->addRow(tr("Shards:"), shardRow);
    m_shardProblem->setObjectName(QStringLiteral("shardProblem"));
    m_shardProblem->setWordWrap(true);
    m_shardProblem->hide();
    form->addRow(QString(), m_shardProblem);
    layout->addLayout(form);
    layout->addWidget(m_modelOnly);
    layout->addWidget(m_storeFreeze);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        // What was chosen is offered again next time.
        appsettings::setSaveChoices({m_modelOnly->isChecked(), m_dtype->currentData().toString(), m_storeFreeze->isChecked()});
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &SaveCheckpointDialog::browse);
    connect(m_path, &QLineEdit::textChanged, this, &SaveCheckpointDialog::updateState);
    connect(m_modelOnly, &QCheckBox::toggled, this, &SaveCheckpointDialog::updateState);
    connect(m_shards, &QCheckBox::toggled, this, &SaveCheckpointDialog::updateState);
    connect(m_shardSize, &QLineEdit::textChanged, this, &SaveCheckpointDialog::updateState);
    const bool safetensors = checkpoint.format() == ckpt::Format::Safetensors || checkpoint.format() == ckpt::Format::Sharded;
    m_modelOnly->setEnabled(checkpoint.modelState().found());
    m_storeFreeze->setEnabled(!safetensors);
    if (safetensors)
        m_note->setText(tr("safetensors files stay safetensors; they cannot store requires_grad, so export the freeze "
                           "list as well."));
    const appsettings::SaveChoices last = appsettings::saveChoices();
    m_modelOnly->setChecked(last.modelOnly && m_modelOnly->isEnabled());
    m_storeFreeze->setChecked(last.storeFreeze && m_storeFreeze->isEnabled());
    if (const int i = m_dtype->findData(last.dtype); i >= 0)
        m_dtype->setCurrentIndex(i);
    // Choices carried over from the last save are said, with a way back to the defaults: a float16 or
    // model-only save must not repeat itself unnoticed.
    QStringList remembered;
    if (m_modelOnly->isChecked())
        remembered << tr("model state only");
    if (!last.dtype.isEmpty() && m_dtype->currentIndex() > 0)
        remembered << tr("floating tensors as %1").arg(last.dtype);
    if (m_storeFreeze->isChecked())
        remembered << tr("store the freeze state");
    if (!remembered.isEmpty()) {
        auto *row = new QHBoxLayout;
        m_remembered = new QLabel(tr("Remembered from your last save: %1.").arg(remembered.join(QStringLiteral(", "))), this);
        m_remembered->setObjectName(QStringLiteral("remembered"));
        m_remembered->setWordWrap(true);
        auto *reset = new QPushButton(tr("&Reset to Defaults"), this);
        reset->setObjectName(QStringLiteral("resetDefaults"));
        reset->setAutoDefault(false);
        row->addWidget(m_remembered, 1);
        row->addWidget(reset);
        layout->insertLayout(layout->indexOf(m_note), row);
        connect(reset, &QPushButton::clicked, this, [this, row, reset] {
            m_modelOnly->setChecked(false);
            m_storeFreeze->setChecked(false);
            m_dtype->setCurrentIndex(0);
            appsettings::setSaveChoices({});
            m_remembered->hide();
            reset->hide();
            row->invalidate();
        });
    }
    updateState();
    resize(sizeHint().expandedTo(QSize(680, 0)));
}

QString SaveCheckpointDialog::commonPrefix(const ckpt::Checkpoint &checkpoint)
{
    static const char *const kPrefixes[] = {"module.", "_orig_mod.", "model."};
    for (const char *prefix : kPrefixes) {
        std::size_t n = 0;
        bool all = true;
        for (const auto &t : checkpoint.tensors()) {
            if (!t.inModelState)
                continue;
            ++n;
            all = all && t.modelName.starts_with(prefix);
        }
        if (n > 0 && all)
            return QString::fromLatin1(prefix);
    }
    return {};
}

void SaveCheckpointDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Checkpoint As"), m_path->text(), tr("Checkpoints (*.pt *.pth *.bin *.ckpt *.safetensors);;All files (*)"));
    if (!path.isEmpty())
        m_path->setText(path);
}

void SaveCheckpointDialog::updateState()
{
    // Shards hold a state_dict: the model state, or a checkpoint that is nothing else.
    const bool shardable = m_checkpoint.format() != ckpt::Format::TorchScript || m_modelOnly->isChecked();
    m_shards->setEnabled(shardable && (ckpt::isBareStateDict(m_checkpoint) || m_modelOnly->isChecked()));
    m_shardSize->setEnabled(m_shards->isEnabled() && m_shards->isChecked());
    QString problem;
    if (m_shardSize->isEnabled()) {
        try {
            ckpt::parseByteSize(m_shardSize->text().trimmed().toStdString());
        } catch (const ckpt::Error &e) {
            problem = QString::fromStdString(e.detail());
        }
    }
    m_shardProblem->setText(problem);
    m_shardProblem->setVisible(!problem.isEmpty());
    if (auto *save = findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save))
        save->setEnabled(!m_path->text().trimmed().isEmpty() && problem.isEmpty());
    // A TorchScript archive keeps its code and names when re-saved whole; its model state alone is written as
    // the module's state_dict in a torch.save zip, where names can change.
    if (m_checkpoint.format() != ckpt::Format::TorchScript)
        return;
    m_stripPrefix->setEnabled(m_modelOnly->isChecked());
    m_note->setText(m_modelOnly->isChecked() ? tr("The module's state_dict() is written as a torch.save zip, which torch.load(weights_only=True) "
                                                  "reads; the TorchScript code is left out.")
                                             : tr("A TorchScript archive is re-saved through LibTorch with each parameter's requires_grad "
                                                  "from the freeze state; its keys cannot be changed."));
}

QString SaveCheckpointDialog::path() const
{
    return m_path->text().trimmed();
}

ckpt::SaveOptions SaveCheckpointDialog::options() const
{
    ckpt::SaveOptions o;
    o.modelOnly = m_modelOnly->isEnabled() && m_modelOnly->isChecked();
    if (m_stripPrefix->isEnabled() && !m_stripPrefix->text().isEmpty())
        o.keyRules.stripPrefixes.push_back(m_stripPrefix->text().toStdString());
    if (const QString dt = m_dtype->currentData().toString(); !dt.isEmpty())
        o.dtype = ckpt::dtypeFromName(dt.toStdString());
    o.storeFreeze = m_storeFreeze->isEnabled() && m_storeFreeze->isChecked();
    if (m_shardSize->isEnabled())
        o.maxShardSize = ckpt::parseByteSize(m_shardSize->text().trimmed().toStdString());
    return o;
}

// SPDX-License-Identifier: MIT
// Edit > Preferences: the few settings that are real choices (statistics on selection or on request, the
// freeze-list format offered first, the language). Accepting stores them; the windows read them through
// appsettings.
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;

class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget *parent = nullptr);

    QCheckBox *autoStatisticsBox() const { return m_autoStatistics; }
    QComboBox *freezeFormatBox() const { return m_freezeFormat; }
    QComboBox *languageBox() const { return m_language; }

    // Stores what the dialog shows (what OK does).
    void apply();

private:
    QCheckBox *m_autoStatistics;
    QComboBox *m_freezeFormat;
    QComboBox *m_language;
};

// SPDX-License-Identifier: MIT
// The bar above the tree that says what the open file would do in Python's torch.load: hidden for
// weights-only files, amber when Python needs full unpickling, red when loading it would run code.
#pragma once

#include "safetyreport.h"

#include <QLabel>

class SafetyBanner : public QLabel
{
    Q_OBJECT
public:
    explicit SafetyBanner(QWidget *parent = nullptr);

    void setReport(const ckpt::SafetyReport &report);
    const ckpt::SafetyReport &report() const { return m_report; }
    // Every global that is not on the weights_only allowlist, with where it occurs (the Details text).
    QString details() const;

private:
    ckpt::SafetyReport m_report;
};

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

namespace smoothwan {

// Typed configuration. Placeholder until the configuration loader lands.
struct WanConfig
{
    QString name;
    QString interface;
};

struct Config
{
    QList<WanConfig> wans;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigError.h"

namespace smoothwan {

QString ConfigError::toString() const
{
    QString out = file;
    if (line > 0)
        out += QStringLiteral(":%1:%2").arg(line).arg(column);
    out += QStringLiteral(": ");
    if (!keyPath.isEmpty())
        out += keyPath + QStringLiteral(": ");
    return out + message;
}

} // namespace smoothwan

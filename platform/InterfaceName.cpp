// SPDX-License-Identifier: GPL-3.0-or-later
#include "InterfaceName.h"

namespace smoothwan {

bool isValidInterfaceName(const QString &name)
{
    if (name.isEmpty() || name.size() > 15 || name == QLatin1String(".") || name == QLatin1String(".."))
        return false;
    if (name.startsWith(QLatin1Char('-')))
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (u <= 0x20 || u >= 0x7f || u == u'/' || u == u':')
            return false;
    }
    return true;
}

} // namespace smoothwan

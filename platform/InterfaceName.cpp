// SPDX-License-Identifier: GPL-3.0-or-later
#include "InterfaceName.h"

namespace smoothwan {

bool isValidInterfaceName(const QString &name)
{
    if (name.isEmpty() || name.size() > 15)
        return false;
    const auto alnum = [](char16_t u) {
        return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
    };
    if (!alnum(name.front().unicode()))
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (!alnum(u) && u != u'.' && u != u'_' && u != u'-' && u != u'@')
            return false;
    }
    return true;
}

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "LinkMonitor.h"

namespace smoothwan {

std::optional<LinkInfo> LinkMonitor::link(int index) const
{
    for (const LinkInfo &l : links())
        if (l.index == index)
            return l;
    return std::nullopt;
}

std::optional<LinkInfo> LinkMonitor::linkByName(const QString &name) const
{
    for (const LinkInfo &l : links())
        if (l.name == name)
            return l;
    return std::nullopt;
}

} // namespace smoothwan

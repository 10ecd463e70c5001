// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeRouteApplier.h"

namespace smoothwan {

bool FakeRouteApplier::apply(const RoutePlan &plan, QString *error)
{
    if (!m_failWith.isEmpty()) {
        if (error)
            *error = std::exchange(m_failWith, {});
        return false;
    }
    m_plan = plan;
    ++m_applies;
    return true;
}

bool FakeRouteApplier::cleanup(QString *)
{
    m_plan = {};
    return true;
}

} // namespace smoothwan

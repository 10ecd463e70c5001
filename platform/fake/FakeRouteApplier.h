// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RouteApplier.h"

namespace smoothwan {

// Records what would be applied: the last plan, how often, the flushed addresses.
class FakeRouteApplier final : public RouteApplier
{
    Q_OBJECT

public:
    using RouteApplier::RouteApplier;

    bool apply(const RoutePlan &plan, QString *error) override;
    bool cleanup(QString *) override;
    void flushConnections(const QHostAddress &address) override { m_flushed.append(address); }

    const RoutePlan &plan() const { return m_plan; }
    int applyCount() const { return m_applies; }
    const QList<QHostAddress> &flushed() const { return m_flushed; }
    void failNextApply(const QString &error) { m_failWith = error; }

private:
    RoutePlan m_plan;
    int m_applies = 0;
    QList<QHostAddress> m_flushed;
    QString m_failWith;
};

} // namespace smoothwan

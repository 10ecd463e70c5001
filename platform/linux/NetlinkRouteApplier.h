// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RouteApplier.h"

struct nl_sock;

namespace smoothwan {

// The kernel's side of a RoutePlan: rules and routes through libnl (rules as raw rtnetlink
// messages, since libnl has no accessor for suppress_prefixlength), nftables as one atomic
// `nft -f -` transaction fed on stdin, sysctls by writing /proc/sys, conntrack flushes through
// the conntrack tool (argument lists, never a shell). Our rules also carry our protocol number.
class NetlinkRouteApplier final : public RouteApplier
{
    Q_OBJECT

public:
    explicit NetlinkRouteApplier(QObject *parent = nullptr);
    ~NetlinkRouteApplier() override;

    bool apply(const RoutePlan &plan, QString *error) override;
    bool cleanup(QString *error) override;
    void flushConnections(const QHostAddress &address) override;

    // Ours, as the kernel has them now (for tests and diagnostics).
    QList<PlannedRule> currentRules(QString *error = nullptr);

private:
    bool open(QString *error);
    bool applyRules(const QList<PlannedRule> &rules, QString *error);
    bool applyRoutes(const QList<PlannedRoute> &routes, QString *error);
    bool applyNft(const QString &ruleset, QString *error);
    void applySysctls(const QMap<QString, QString> &sysctls);
    bool ruleRequest(int type, const PlannedRule &rule, QString *error);
    bool deleteOurRoutes(const QList<PlannedRoute> &keep, QString *error);

    nl_sock *m_sock = nullptr;
    QString m_appliedNft;
};

} // namespace smoothwan

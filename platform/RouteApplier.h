// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

#include <cstdint>

namespace smoothwan {

// Everything SmoothWAN adds to the kernel's routing is recognisable by these: its routes carry
// RouteProtocol, its rules sit in [RulePriorityFirst, RulePriorityLast], its tables are in
// [TableFirst, TableLast] and its nftables rules live in table `inet smoothwan`.
namespace routing {
constexpr std::uint8_t RouteProtocol = 201; // "smoothwan" (iproute2 names 186-192 for routing daemons)
constexpr std::uint32_t RulePriorityFirst = 5000;
constexpr std::uint32_t RulePriorityLast = 5399;
constexpr std::uint32_t TableFirst = 5100;
constexpr std::uint32_t TableLast = 5299;
constexpr const char *NftTable = "smoothwan"; // family inet
} // namespace routing

struct PlannedNexthop
{
    QHostAddress gateway; // null: the device is point-to-point (no gateway)
    QString device;
    int weight = 1;
    friend bool operator==(const PlannedNexthop &, const PlannedNexthop &) = default;
};

// A default route (0.0.0.0/0) in one of our tables.
struct PlannedRoute
{
    enum class Type { Unicast, Unreachable, Blackhole };
    std::uint32_t table = 0;
    Type type = Type::Unicast;
    int metric = 0;
    QList<PlannedNexthop> nexthops; // one for a plain route, several for multipath; none otherwise
    friend bool operator==(const PlannedRoute &, const PlannedRoute &) = default;
};

struct PlannedRule
{
    std::uint32_t priority = 0;
    std::uint32_t table = 0;
    std::uint32_t mark = 0; // fwmark match when mask != 0
    std::uint32_t mask = 0;
    QHostAddress from;             // source match (a host) when not null
    int suppressPrefixLength = -1; // >= 0: ignore routes with a prefix this short or shorter
    QHostAddress to {};            // destination match (a host) when not null
    bool localOnly = false;        // only what the router itself sends (iif lo)
    friend bool operator==(const PlannedRule &, const PlannedRule &) = default;
};

struct RoutePlan
{
    QList<PlannedRule> rules;
    QList<PlannedRoute> routes;
    QString nftRuleset;             // the whole `table inet smoothwan { … }`, applied atomically
    QMap<QString, QString> sysctls; // path under /proc/sys/ (e.g. "net/ipv4/ip_forward") -> value
    friend bool operator==(const RoutePlan &, const RoutePlan &) = default;
};

// Contract: apply() makes the kernel hold exactly `plan` among what is ours (routes with our
// protocol in our tables, rules in our priority range, our nftables table), touching nothing
// else. It adds before it removes, so no packet meets a moment without a route; it is idempotent
// and safe after a restart (what is already there is adopted, never duplicated). cleanup()
// removes everything that is ours and nothing else. flushConnections() forgets the tracked
// connections whose replies come back to `address` (flows NATed through one WAN).
class RouteApplier : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~RouteApplier() override = default;

    virtual bool apply(const RoutePlan &plan, QString *error) = 0;
    virtual bool cleanup(QString *error) = 0;
    // Asynchronous: the connections are gone shortly after the call returns.
    virtual void flushConnections(const QHostAddress &address) = 0;
};

} // namespace smoothwan

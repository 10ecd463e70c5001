// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "HealthTracker.h"
#include "RouteApplier.h"

#include <QtCore/QMap>
#include <QtCore/QStringList>

namespace smoothwan {

// The routing scheme (mwan3's idea, with marks and tables of our own):
//   table TableFirst + slot  one per WAN: its default route
//   table DirectTable        the WANs in order of preference (bypass "around the bond")
//   table LanTable           the LAN's path under the policy
//   rule 5000                main table without its default routes (LAN, connected, static)
//   rule 5100 + slot         from <WAN address>            -> WAN table
//   rule 5200 + slot         fwmark slot << 8 / 0xff00     -> WAN table   (bypass pinned to a WAN)
//   rule 5300                fwmark DirectMark             -> DirectTable (bypass around the bond)
//   rule 5310                iif lo to <engine server>     -> DirectTable (the bond's own traffic)
//   rule 5320 + slot         fwmark slot << 24 / 0xff000000 -> WAN table  (a flow sticks to its WAN)
//   rule 5390                fwmark LanMark                -> LanTable    (everything from the LAN)
// nftables marks packets that come in from anything but a WAN, the tunnel or lo as LAN, applies
// the bypass rules to new LAN flows, remembers each flow's marks in its conntrack entry, and
// masquerades on every WAN and on the tunnel. Every table ends in an unreachable route, so LAN
// traffic never falls through to the main table's routes.
namespace routing {
constexpr std::uint32_t DirectTable = 5200;
constexpr std::uint32_t LanTable = 5201;
constexpr std::uint32_t LanMark = 0x00010000;
constexpr std::uint32_t DirectMark = 0x00020000;
constexpr std::uint32_t BypassWanMask = 0x0000ff00;
constexpr std::uint32_t StickyWanMask = 0xff000000;
constexpr int MaxSlots = 64;
inline std::uint32_t wanTable(int slot)
{
    return TableFirst + static_cast<std::uint32_t>(slot);
}
} // namespace routing

struct PlannerWan
{
    QString name;
    int slot = 0;   // 1..64, stable for the WAN (its position in the configuration)
    QString device; // empty: its link is absent
    HealthState state = HealthState::Unknown;
    WanPriority priority = WanPriority::Always;
    int weight = 1;
    QHostAddress address; // its IPv4 address
    QHostAddress gateway; // its next hop; null or 0.0.0.0 for a point-to-point link
    friend bool operator==(const PlannerWan &, const PlannerWan &) = default;
};

struct PlannerEngine
{
    bool configured = false; // policy bonded has an engine to use
    bool up = false;         // its tunnel is up and carries traffic
    QString tunnel;          // e.g. connectify0
    QHostAddress gateway;    // e.g. 10.202.0.1; null: route on the device
    QString reason;          // why it is down, for the user
    // The self-hosted engine: LAN TCP goes to this local port (ss-redir) while the LAN goes
    // through the bond (0: none); guardPort is let in only when redirected (0: none); the server
    // is reached over the best usable WAN (DirectTable), never through the tunnel.
    quint16 tcpRedirectPort = 0;
    quint16 guardPort = 0;
    QHostAddress server;
    friend bool operator==(const PlannerEngine &, const PlannerEngine &) = default;
};

struct PlannerInput
{
    QList<PlannerWan> wans;
    RoutingConfig routing;
    PlannerEngine engine;
};

struct PlannerResult
{
    RoutePlan plan;
    QString path;                 // what carries the LAN: a WAN name, "balance", "tunnel", "blocked" or "none"
    QStringList lanWans;          // the WANs the LAN may use, best first
    QMap<QString, double> shares; // balance: each WAN's share of new flows, 0..1
    QString reason;               // a sentence for the user: why the LAN goes where it goes
};

// Pure: from WAN states, the routing configuration and the engine's state to the desired plan.
class RoutePlanner
{
public:
    static PlannerResult plan(const PlannerInput &input);
    // The WANs usable for LAN traffic, best first: present, not disabled/down/never; by tier,
    // then up before degraded before unknown, then configuration order.
    static QList<PlannerWan> ranked(const QList<PlannerWan> &wans);
    static QString nftRuleset(const PlannerInput &input, bool blockLan, bool redirectTcp = false);
};

} // namespace smoothwan

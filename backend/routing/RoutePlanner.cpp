// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoutePlanner.h"

#include <algorithm>

namespace smoothwan {

using namespace routing;

namespace {

int tierRank(WanPriority p)
{
    switch (p) {
    case WanPriority::Always:
        return 0;
    case WanPriority::Secondary:
        return 1;
    case WanPriority::Backup:
        return 2;
    case WanPriority::Never:
        return 3;
    }
    return 3;
}

int stateRank(HealthState s)
{
    switch (s) {
    case HealthState::Up:
        return 0;
    case HealthState::Degraded:
        return 1;
    case HealthState::Unknown:
        return 2;
    default:
        return 3;
    }
}

bool usable(const PlannerWan &w)
{
    return !w.device.isEmpty() && w.priority != WanPriority::Never && stateRank(w.state) < 3 && w.slot >= 1 &&
           w.slot <= MaxSlots;
}

PlannedNexthop nexthopOf(const PlannerWan &w, int weight = 1)
{
    PlannedNexthop n;
    n.device = w.device;
    n.weight = std::clamp(weight, 1, 256);
    if (!w.gateway.isNull() && w.gateway != QHostAddress(QHostAddress::AnyIPv4))
        n.gateway = w.gateway;
    return n;
}

PlannedRoute unicast(std::uint32_t table, int metric, QList<PlannedNexthop> nexthops)
{
    PlannedRoute r;
    r.table = table;
    r.metric = metric;
    r.nexthops = std::move(nexthops);
    return r;
}

PlannedRoute unreachable(std::uint32_t table)
{
    PlannedRoute r;
    r.table = table;
    r.type = PlannedRoute::Type::Unreachable;
    r.metric = 0x7fffffff; // last resort: only when nothing else in the table is usable
    return r;
}

// One route per usable WAN, in order of preference, then unreachable.
void failoverRoutes(QList<PlannedRoute> &out, std::uint32_t table, const QList<PlannerWan> &ranked, int firstMetric)
{
    int metric = firstMetric;
    for (const PlannerWan &w : ranked)
        out.append(unicast(table, metric++, {nexthopOf(w)}));
    out.append(unreachable(table));
}

QString quoted(const QString &name)
{
    return u'"' + name + u'"'; // interface names are validated: no quotes, spaces or control characters
}

QString hex(std::uint32_t v)
{
    return QStringLiteral("0x%1").arg(v, 8, 16, QLatin1Char('0'));
}

QString prefixMatch(const char *direction, const IpPrefix &p)
{
    const bool v6 = p.address.protocol() == QAbstractSocket::IPv6Protocol;
    return QStringLiteral("%1 %2 %3")
        .arg(v6 ? QStringLiteral("ip6") : QStringLiteral("ip"), QLatin1String(direction), p.toString());
}

} // namespace

QList<PlannerWan> RoutePlanner::ranked(const QList<PlannerWan> &wans)
{
    QList<PlannerWan> out;
    for (const PlannerWan &w : wans)
        if (usable(w))
            out.append(w);
    std::stable_sort(out.begin(), out.end(), [](const PlannerWan &a, const PlannerWan &b) {
        if (tierRank(a.priority) != tierRank(b.priority))
            return tierRank(a.priority) < tierRank(b.priority);
        if (stateRank(a.state) != stateRank(b.state))
            return stateRank(a.state) < stateRank(b.state);
        return a.slot < b.slot;
    });
    return out;
}

QString RoutePlanner::nftRuleset(const PlannerInput &input, bool blockLan, bool redirectTcp)
{
    QStringList wanDevices;
    for (const PlannerWan &w : input.wans)
        if (!w.device.isEmpty())
            wanDevices << quoted(w.device);
    QStringList notLan {quoted(QStringLiteral("lo"))};
    notLan += wanDevices;
    QStringList natDevices = wanDevices;
    if (input.engine.configured && !input.engine.tunnel.isEmpty()) {
        notLan << quoted(input.engine.tunnel);
        natDevices << quoted(input.engine.tunnel);
    }
    const QString lan = hex(LanMark);
    const QString isLan = QStringLiteral("meta mark & %1 == %1").arg(lan);

    QStringList pre;
    pre << QStringLiteral("ct direction original ct mark != 0 meta mark set ct mark accept");
    pre << QStringLiteral("iifname != { %1 } meta mark set meta mark | %2").arg(notLan.join(QStringLiteral(", ")), lan);
    for (const BypassRule &rule : input.routing.bypass) {
        std::uint32_t mark = 0;
        if (rule.aroundBond) {
            mark = DirectMark;
        } else {
            const auto wan = std::find_if(input.wans.begin(), input.wans.end(),
                                          [&rule](const PlannerWan &w) { return w.name == rule.via; });
            if (wan == input.wans.end() || wan->slot < 1 || wan->slot > MaxSlots)
                continue;
            mark = static_cast<std::uint32_t>(wan->slot) << 8;
        }
        QStringList match {isLan};
        if (rule.match.source)
            match << prefixMatch("saddr", *rule.match.source);
        if (rule.match.destination)
            match << prefixMatch("daddr", *rule.match.destination);
        const QString proto = rule.match.protocol == IpProtocol::Tcp   ? QStringLiteral("tcp")
                              : rule.match.protocol == IpProtocol::Udp ? QStringLiteral("udp")
                                                                       : QString();
        if (!proto.isEmpty()) {
            if (rule.match.ports) {
                const PortRange &p = *rule.match.ports;
                match << (p.first == p.last ? QStringLiteral("%1 dport %2").arg(proto).arg(p.first)
                                            : QStringLiteral("%1 dport %2-%3").arg(proto).arg(p.first).arg(p.last));
            } else {
                match << QStringLiteral("meta l4proto %1").arg(proto);
            }
        }
        pre << QStringLiteral("%1 meta mark set meta mark | %2 comment %3")
                   .arg(match.join(u' '), hex(mark), quoted(rule.name));
    }
    pre << QStringLiteral("%1 ct mark set meta mark").arg(isLan);

    // A new LAN flow that routing sent out of a WAN (not pinned by a bypass rule) sticks to it.
    const QString unpinned = QStringLiteral("meta mark & %1 == %2").arg(hex(LanMark | DirectMark | BypassWanMask), lan);
    QStringList out;
    for (const PlannerWan &w : input.wans)
        if (!w.device.isEmpty() && w.slot >= 1 && w.slot <= MaxSlots)
            out << QStringLiteral("ct state new %1 oifname %2 ct mark set meta mark | %3")
                       .arg(unpinned, quoted(w.device), hex(static_cast<std::uint32_t>(w.slot) << 24));

    QStringList forward;
    if (blockLan && !wanDevices.isEmpty())
        forward << QStringLiteral("%1 oifname { %2 } counter drop comment \"kill switch\"")
                       .arg(unpinned, wanDevices.join(QStringLiteral(", ")));

    // The tunnel's MTU is below the LAN's: TCP through it gets an MSS that fits.
    if (input.engine.configured && !input.engine.tunnel.isEmpty())
        forward << QStringLiteral("oifname %1 tcp flags syn tcp option maxseg size set rt mtu")
                       .arg(quoted(input.engine.tunnel));

    QString s;
    s += QStringLiteral("table inet %1 {}\ndelete table inet %1\ntable inet %1 {\n").arg(QLatin1String(NftTable));
    const auto chain = [&s](const QString &name, const QString &hook, const QStringList &rules) {
        s += QStringLiteral("    chain %1 {\n        %2\n").arg(name, hook);
        for (const QString &r : rules)
            s += QStringLiteral("        ") + r + u'\n';
        s += QStringLiteral("    }\n");
    };
    chain(QStringLiteral("mark_in"), QStringLiteral("type filter hook prerouting priority mangle; policy accept;"),
          pre);
    chain(QStringLiteral("mark_out"), QStringLiteral("type filter hook postrouting priority mangle; policy accept;"),
          out);
    chain(QStringLiteral("forward"), QStringLiteral("type filter hook forward priority filter; policy accept;"),
          forward);
    // The self-hosted engine: new LAN TCP flows that are not pinned by a bypass rule go to
    // ss-redir (MPTCP over every WAN), except to the router itself and private or special
    // destinations; its port takes only such redirected connections.
    const PlannerEngine &engine = input.engine;
    QStringList redirect;
    if (redirectTcp && engine.tcpRedirectPort != 0)
        redirect << QStringLiteral("meta nfproto ipv4 meta l4proto tcp %1 fib daddr type != local ip daddr != { "
                                   "0.0.0.0/8, 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, "
                                   "192.168.0.0/16, 224.0.0.0/3 } redirect to :%2")
                        .arg(unpinned)
                        .arg(engine.tcpRedirectPort);
    QStringList guard;
    if (engine.guardPort != 0)
        guard << QStringLiteral("tcp dport %1 ct status dnat accept").arg(engine.guardPort)
              << QStringLiteral("tcp dport %1 iifname != \"lo\" counter drop comment \"ss-redir takes redirected "
                                "LAN TCP only\"")
                     .arg(engine.guardPort);
    QStringList nat;
    if (!natDevices.isEmpty())
        nat << QStringLiteral("oifname { %1 } masquerade").arg(natDevices.join(QStringLiteral(", ")));
    chain(QStringLiteral("nat"), QStringLiteral("type nat hook postrouting priority srcnat; policy accept;"), nat);
    if (!redirect.isEmpty())
        chain(QStringLiteral("tcp_redirect"),
              QStringLiteral("type nat hook prerouting priority dstnat; policy accept;"), redirect);
    if (!guard.isEmpty())
        chain(QStringLiteral("input"), QStringLiteral("type filter hook input priority filter; policy accept;"), guard);
    s += QStringLiteral("}\n");
    return s;
}

PlannerResult RoutePlanner::plan(const PlannerInput &input)
{
    PlannerResult result;
    RoutePlan &plan = result.plan;
    const QList<PlannerWan> best = ranked(input.wans);
    for (const PlannerWan &w : best)
        result.lanWans << w.name;

    // Rules.
    PlannedRule main;
    main.priority = RulePriorityFirst;
    main.table = 254; // RT_TABLE_MAIN
    main.suppressPrefixLength = 0;
    plan.rules.append(main);
    for (const PlannerWan &w : input.wans) {
        if (w.slot < 1 || w.slot > MaxSlots)
            continue;
        const auto slot = static_cast<std::uint32_t>(w.slot);
        if (!w.address.isNull())
            plan.rules.append({5100 + slot, wanTable(w.slot), 0, 0, w.address, -1, {}});
        plan.rules.append({5200 + slot, wanTable(w.slot), slot << 8, BypassWanMask, {}, -1, {}});
        plan.rules.append({5320 + slot, wanTable(w.slot), slot << 24, StickyWanMask, {}, -1, {}});
    }
    plan.rules.append({5300, DirectTable, DirectMark, DirectMark, {}, -1, {}});
    if (input.engine.configured && !input.engine.server.isNull() &&
        input.engine.server.protocol() == QAbstractSocket::IPv4Protocol)
        plan.rules.append({5310, DirectTable, 0, 0, {}, -1, input.engine.server, true});
    plan.rules.append({5390, LanTable, LanMark, LanMark, {}, -1, {}});

    // Each WAN's own table: its default route while its link is there, whatever its health
    // (probes and replies from its address use it).
    for (const PlannerWan &w : input.wans) {
        if (w.slot < 1 || w.slot > MaxSlots || w.device.isEmpty())
            continue;
        plan.routes.append(unicast(wanTable(w.slot), 0, {nexthopOf(w)}));
    }
    failoverRoutes(plan.routes, DirectTable, best, 1);

    // The LAN's path.
    bool blockLan = false;
    bool redirectTcp = false;
    const auto failover = [&] {
        failoverRoutes(plan.routes, LanTable, best, 1);
        if (best.isEmpty()) {
            result.path = QStringLiteral("none");
            result.reason = QStringLiteral("no WAN is usable");
        } else {
            result.path = best.first().name;
            result.reason =
                QStringLiteral("%1 is the best usable WAN (%2, %3)")
                    .arg(best.first().name, configName(best.first().priority), healthStateName(best.first().state));
        }
    };
    switch (input.routing.policy) {
    case RoutingPolicy::Failover:
        failover();
        break;
    case RoutingPolicy::Balance: {
        if (best.isEmpty()) {
            failover();
            break;
        }
        // Balance across the WANs of the best tier in the best health class present.
        QList<PlannerWan> group;
        for (const PlannerWan &w : best)
            if (w.priority == best.first().priority && stateRank(w.state) == stateRank(best.first().state))
                group.append(w);
        QList<PlannedNexthop> nexthops;
        int total = 0;
        for (const PlannerWan &w : group) {
            nexthops.append(nexthopOf(w, w.weight));
            total += std::clamp(w.weight, 1, 256);
        }
        for (const PlannerWan &w : group)
            result.shares.insert(w.name, static_cast<double>(std::clamp(w.weight, 1, 256)) / total);
        plan.routes.append(unicast(LanTable, 1, nexthops));
        // The rest, in order, for when every WAN of the group is cut.
        int metric = 10;
        for (const PlannerWan &w : best)
            if (!group.contains(w))
                plan.routes.append(unicast(LanTable, metric++, {nexthopOf(w)}));
        plan.routes.append(unreachable(LanTable));
        result.path = group.size() > 1 ? QStringLiteral("balance") : group.first().name;
        QStringList names;
        for (const PlannerWan &w : group)
            names << w.name;
        result.reason = QStringLiteral("new flows are spread over %1 by weight").arg(names.join(QStringLiteral(", ")));
        break;
    }
    case RoutingPolicy::Bonded:
        if (input.engine.configured && input.engine.up && !input.engine.tunnel.isEmpty()) {
            PlannedNexthop n;
            n.device = input.engine.tunnel;
            n.gateway = input.engine.gateway;
            plan.routes.append(unicast(LanTable, 1, {n}));
            plan.routes.append(unreachable(LanTable));
            result.path = QStringLiteral("tunnel");
            result.reason = QStringLiteral("the LAN goes through the bond (%1)").arg(input.engine.tunnel);
            redirectTcp = input.engine.tcpRedirectPort != 0;
            if (redirectTcp)
                result.reason += QStringLiteral("; TCP through MPTCP over every WAN");
        } else if (input.routing.killSwitch) {
            plan.routes.append(unreachable(LanTable));
            blockLan = true;
            result.path = QStringLiteral("blocked");
            result.reason = QStringLiteral("the bond is down (%1) and the kill switch is on: LAN traffic is blocked, "
                                           "bypass rules still apply")
                                .arg(input.engine.reason.isEmpty() ? QStringLiteral("no tunnel") : input.engine.reason);
        } else {
            failover();
            result.reason = QStringLiteral("the bond is down (%1); falling back: %2")
                                .arg(input.engine.reason.isEmpty() ? QStringLiteral("no tunnel") : input.engine.reason,
                                     result.reason);
        }
        break;
    }
    // With the kill switch on, LAN traffic that is not bypassed never leaves by a WAN, even if a
    // route appeared by mistake.
    if (input.routing.policy == RoutingPolicy::Bonded && input.routing.killSwitch)
        blockLan = true;

    plan.nftRuleset = nftRuleset(input, blockLan, redirectTcp);
    plan.sysctls = {
        {QStringLiteral("net/ipv4/ip_forward"), QStringLiteral("1")},
        // Skip routes through a link without carrier at once: a cut moves traffic to the next
        // route before userspace hears of it.
        {QStringLiteral("net/ipv4/conf/all/ignore_routes_with_linkdown"), QStringLiteral("1")},
        // Per-flow hashing (addresses and ports) for multipath routes.
        {QStringLiteral("net/ipv4/fib_multipath_hash_policy"), QStringLiteral("1")},
    };
    // Loose reverse-path filtering on WANs: replies may come back on another WAN than the one the
    // kernel's main table would pick.
    for (const PlannerWan &w : input.wans)
        if (!w.device.isEmpty())
            plan.sysctls.insert(QStringLiteral("net/ipv4/conf/%1/rp_filter").arg(w.device), QStringLiteral("2"));
    return result;
}

} // namespace smoothwan

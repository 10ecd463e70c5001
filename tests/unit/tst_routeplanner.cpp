// SPDX-License-Identifier: GPL-3.0-or-later
// The route planner for every policy: which WANs carry the LAN and in what order, balance
// weights, the bond with its fallback and kill switch, bypass rules, and the rules and marks
// that make it all recognisable as ours.
#include "RoutePlanner.h"

#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtTest/QTest>

#include <unistd.h>

using namespace smoothwan;
using namespace smoothwan::routing;

namespace {

PlannerWan wan(const QString &name, int slot, HealthState state, WanPriority priority = WanPriority::Always,
               int weight = 1)
{
    PlannerWan w;
    w.name = name;
    w.slot = slot;
    w.device = QStringLiteral("wan%1").arg(slot - 1);
    w.state = state;
    w.priority = priority;
    w.weight = weight;
    w.address = QHostAddress(QStringLiteral("100.64.%1.2").arg(slot - 1));
    w.gateway = QHostAddress(QStringLiteral("100.64.%1.1").arg(slot - 1));
    return w;
}

// nft's check mode (-c) in a throw-away network namespace: parses and validates without applying.
bool nftAccepts(const QString &ruleset)
{
    if (QStandardPaths::findExecutable(QStringLiteral("nft")).isEmpty())
        return true;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("unshare"), {QStringLiteral("--net"), QStringLiteral("nft"), QStringLiteral("-c"),
                                        QStringLiteral("-f"), QStringLiteral("-")});
    if (!p.waitForStarted(5000))
        return false;
    p.write(ruleset.toUtf8());
    p.closeWriteChannel();
    p.waitForFinished(10000);
    if (p.exitCode() != 0)
        qWarning().noquote() << p.readAll();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QList<PlannedRoute> routesOf(const RoutePlan &plan, std::uint32_t table)
{
    QList<PlannedRoute> out;
    for (const PlannedRoute &r : plan.routes)
        if (r.table == table)
            out.append(r);
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.metric < b.metric; });
    return out;
}

QStringList devicesOf(const QList<PlannedRoute> &routes)
{
    QStringList out;
    for (const PlannedRoute &r : routes) {
        if (r.type == PlannedRoute::Type::Unreachable)
            out << QStringLiteral("unreachable");
        for (const PlannedNexthop &n : r.nexthops)
            out << n.device;
    }
    return out;
}

PlannerInput input(QList<PlannerWan> wans, RoutingPolicy policy = RoutingPolicy::Failover)
{
    PlannerInput in;
    in.wans = std::move(wans);
    in.routing.policy = policy;
    return in;
}

} // namespace

class TestRoutePlanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failoverOrdersByTierThenHealth()
    {
        const auto in = input(
            {wan(QStringLiteral("lte"), 1, HealthState::Up, WanPriority::Backup),
             wan(QStringLiteral("cable"), 2, HealthState::Degraded), wan(QStringLiteral("fibre"), 3, HealthState::Up),
             wan(QStringLiteral("dsl"), 4, HealthState::Up, WanPriority::Secondary),
             wan(QStringLiteral("dead"), 5, HealthState::Down), wan(QStringLiteral("off"), 6, HealthState::Disabled),
             wan(QStringLiteral("spare"), 7, HealthState::Up, WanPriority::Never)});
        const PlannerResult r = RoutePlanner::plan(in);
        QCOMPARE(r.lanWans, (QStringList {QStringLiteral("fibre"), QStringLiteral("cable"), QStringLiteral("dsl"),
                                          QStringLiteral("lte")}));
        QCOMPARE(r.path, QStringLiteral("fibre"));
        // Every fallback is installed ahead of time, best first, ending in unreachable.
        QCOMPARE(devicesOf(routesOf(r.plan, LanTable)),
                 (QStringList {QStringLiteral("wan2"), QStringLiteral("wan1"), QStringLiteral("wan3"),
                               QStringLiteral("wan0"), QStringLiteral("unreachable")}));
        QCOMPARE(devicesOf(routesOf(r.plan, DirectTable)), devicesOf(routesOf(r.plan, LanTable)));
        // Each present WAN keeps its own table, even when it is down.
        QCOMPARE(devicesOf(routesOf(r.plan, wanTable(5))), QStringList {QStringLiteral("wan4")});
        QCOMPARE(routesOf(r.plan, wanTable(5)).first().nexthops.first().gateway,
                 QHostAddress(QStringLiteral("100.64.4.1")));
    }

    void nothingUsableIsUnreachable()
    {
        const PlannerResult r = RoutePlanner::plan(input({wan(QStringLiteral("a"), 1, HealthState::Down)}));
        QCOMPARE(r.path, QStringLiteral("none"));
        QCOMPARE(devicesOf(routesOf(r.plan, LanTable)), QStringList {QStringLiteral("unreachable")});
    }

    void absentLinkIsNotRouted()
    {
        PlannerWan gone = wan(QStringLiteral("usb"), 1, HealthState::Unknown);
        gone.device.clear();
        const PlannerResult r = RoutePlanner::plan(input({gone, wan(QStringLiteral("b"), 2, HealthState::Up)}));
        QCOMPARE(r.lanWans, QStringList {QStringLiteral("b")});
        QVERIFY(routesOf(r.plan, wanTable(1)).isEmpty());
        QVERIFY(!r.plan.nftRuleset.contains(QStringLiteral("\"\"")));
    }

    void pointToPointWanHasNoGateway()
    {
        PlannerWan ppp = wan(QStringLiteral("ppp"), 1, HealthState::Up);
        ppp.gateway = QHostAddress(QHostAddress::AnyIPv4);
        const PlannerResult r = RoutePlanner::plan(input({ppp}));
        QVERIFY(routesOf(r.plan, wanTable(1)).first().nexthops.first().gateway.isNull());
    }

    void balanceSpreadsByWeightWithinTheBestTier()
    {
        const auto in = input({wan(QStringLiteral("a"), 1, HealthState::Up, WanPriority::Always, 3),
                               wan(QStringLiteral("b"), 2, HealthState::Up, WanPriority::Always, 1),
                               wan(QStringLiteral("c"), 3, HealthState::Degraded, WanPriority::Always, 5),
                               wan(QStringLiteral("d"), 4, HealthState::Up, WanPriority::Backup, 1)},
                              RoutingPolicy::Balance);
        const PlannerResult r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("balance"));
        const QList<PlannedRoute> lan = routesOf(r.plan, LanTable);
        QCOMPARE(lan.first().nexthops.size(), 2); // a and b: degraded c is not balanced onto
        QCOMPARE(lan.first().nexthops[0].weight, 3);
        QCOMPARE(lan.first().nexthops[1].weight, 1);
        QCOMPARE(r.shares.value(QStringLiteral("a")), 0.75);
        QCOMPARE(r.shares.value(QStringLiteral("b")), 0.25);
        // Fallbacks after the multipath route: c, then d, then unreachable.
        QCOMPARE(devicesOf(lan.mid(1)),
                 (QStringList {QStringLiteral("wan2"), QStringLiteral("wan3"), QStringLiteral("unreachable")}));
        QCOMPARE(r.plan.sysctls.value(QStringLiteral("net/ipv4/fib_multipath_hash_policy")), QStringLiteral("1"));
    }

    void bondedUsesTheTunnelFallsBackOrBlocks()
    {
        PlannerInput in =
            input({wan(QStringLiteral("a"), 1, HealthState::Up), wan(QStringLiteral("b"), 2, HealthState::Up)},
                  RoutingPolicy::Bonded);
        in.engine.configured = true;
        in.engine.tunnel = QStringLiteral("connectify0");
        in.engine.gateway = QHostAddress(QStringLiteral("10.202.0.1"));
        in.engine.up = true;
        PlannerResult r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("tunnel"));
        QCOMPARE(devicesOf(routesOf(r.plan, LanTable)),
                 (QStringList {QStringLiteral("connectify0"), QStringLiteral("unreachable")}));
        QVERIFY(
            r.plan.nftRuleset.contains(QStringLiteral("oifname { \"wan0\", \"wan1\", \"connectify0\" } masquerade")));
        QVERIFY(!r.plan.nftRuleset.contains(QStringLiteral("kill switch")));

        in.engine.up = false;
        in.engine.reason = QStringLiteral("connectify0 does not exist");
        r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("a")); // falls back to failover
        QVERIFY(r.reason.contains(QStringLiteral("connectify0 does not exist")));

        in.routing.killSwitch = true;
        r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("blocked"));
        QCOMPARE(devicesOf(routesOf(r.plan, LanTable)), QStringList {QStringLiteral("unreachable")});
        QVERIFY(r.plan.nftRuleset.contains(
            QStringLiteral("oifname { \"wan0\", \"wan1\" } counter drop comment \"kill switch\"")));
        // Bypass still has its way out: the direct table keeps the WANs.
        QCOMPARE(devicesOf(routesOf(r.plan, DirectTable)).size(), 3);

        in.engine.up = true; // kill switch on and the bond up: still never out of a WAN unbypassed
        r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("tunnel"));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("kill switch")));
    }

    // The self-hosted engine: LAN TCP to ss-redir only while the LAN goes through its tunnel, its
    // port guarded whatever the state, its server reached over the WANs, never the tunnel.
    void selfHostedEngineRedirectsTcpWhileBonded()
    {
        PlannerInput in =
            input({wan(QStringLiteral("a"), 1, HealthState::Up), wan(QStringLiteral("b"), 2, HealthState::Up)},
                  RoutingPolicy::Bonded);
        in.engine.configured = true;
        in.engine.tunnel = QStringLiteral("smoothwan0");
        in.engine.up = true;
        in.engine.tcpRedirectPort = 7421;
        in.engine.guardPort = 7421;
        in.engine.server = QHostAddress(QStringLiteral("198.51.100.7"));
        PlannerResult r = RoutePlanner::plan(in);
        QCOMPARE(r.path, QStringLiteral("tunnel"));
        QVERIFY(r.reason.contains(QStringLiteral("MPTCP")));
        const QString redirect = QStringLiteral("meta l4proto tcp meta mark & 0x0003ff00 == 0x00010000 fib daddr type "
                                                "!= local");
        QVERIFY2(r.plan.nftRuleset.contains(redirect), qPrintable(r.plan.nftRuleset));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("redirect to :7421")));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("192.168.0.0/16")));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("tcp dport 7421 ct status dnat accept")));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("oifname \"smoothwan0\" tcp flags syn tcp option maxseg size "
                                                          "set rt mtu")));
        const auto server = std::find_if(r.plan.rules.cbegin(), r.plan.rules.cend(),
                                         [](const PlannedRule &rule) { return rule.priority == 5310; });
        QVERIFY(server != r.plan.rules.cend());
        QCOMPARE(server->to, QHostAddress(QStringLiteral("198.51.100.7")));
        QCOMPARE(server->table, DirectTable);
        QVERIFY(server->from.isNull() && server->mask == 0);
        QVERIFY(server->localOnly); // the router's own traffic: LAN traffic to the VPS goes through the bond
        if (::geteuid() == 0)       // the whole ruleset as nft parses it (check mode, nothing applied)
            QVERIFY2(nftAccepts(r.plan.nftRuleset), qPrintable(r.plan.nftRuleset));

        // The bond down: no redirect (TCP falls back with the rest), the guard stays.
        in.engine.up = false;
        r = RoutePlanner::plan(in);
        QVERIFY(!r.plan.nftRuleset.contains(QStringLiteral("redirect to")));
        QVERIFY(r.plan.nftRuleset.contains(QStringLiteral("tcp dport 7421 iifname != \"lo\" counter drop")));
        // Another policy: the LAN does not go through the tunnel, so neither does its TCP.
        in.engine.up = true;
        in.routing.policy = RoutingPolicy::Failover;
        QVERIFY(!RoutePlanner::plan(in).plan.nftRuleset.contains(QStringLiteral("redirect to")));
        // Redundant mode: the engine names no port.
        in.routing.policy = RoutingPolicy::Bonded;
        in.engine.tcpRedirectPort = 0;
        QVERIFY(!RoutePlanner::plan(in).plan.nftRuleset.contains(QStringLiteral("redirect to")));
    }

    void bypassRulesBecomeMarks()
    {
        PlannerInput in =
            input({wan(QStringLiteral("fibre"), 1, HealthState::Up), wan(QStringLiteral("lte"), 2, HealthState::Up)});
        BypassRule tv;
        tv.name = QStringLiteral("tv");
        tv.match.source = IpPrefix {QHostAddress(QStringLiteral("192.168.50.20")), 32};
        tv.via = QStringLiteral("lte");
        BypassRule games;
        games.name = QStringLiteral("games");
        games.match.protocol = IpProtocol::Udp;
        games.match.ports = PortRange {27000, 27100};
        games.match.destination = IpPrefix {QHostAddress(QStringLiteral("203.0.113.0")), 24};
        games.aroundBond = true;
        BypassRule orphan;
        orphan.name = QStringLiteral("orphan");
        orphan.match.protocol = IpProtocol::Tcp;
        orphan.via = QStringLiteral("nosuchwan");
        in.routing.bypass = {tv, games, orphan};
        const QString nft = RoutePlanner::plan(in).plan.nftRuleset;
        QVERIFY2(nft.contains(QStringLiteral("meta mark & 0x00010000 == 0x00010000 ip saddr 192.168.50.20/32 "
                                             "meta mark set meta mark | 0x00000200 comment \"tv\"")),
                 qPrintable(nft));
        QVERIFY2(nft.contains(QStringLiteral("ip daddr 203.0.113.0/24 udp dport 27000-27100 meta mark set meta mark | "
                                             "0x00020000 comment \"games\"")),
                 qPrintable(nft));
        QVERIFY(!nft.contains(QStringLiteral("orphan")));
    }

    void rulesAreOursAndComplete()
    {
        const PlannerResult r = RoutePlanner::plan(
            input({wan(QStringLiteral("a"), 1, HealthState::Up), wan(QStringLiteral("b"), 2, HealthState::Down)}));
        QList<std::uint32_t> priorities;
        for (const PlannedRule &rule : r.plan.rules) {
            QVERIFY(rule.priority >= RulePriorityFirst && rule.priority <= RulePriorityLast);
            priorities << rule.priority;
        }
        QCOMPARE(priorities, (QList<std::uint32_t> {5000, 5101, 5201, 5321, 5102, 5202, 5322, 5300, 5390}));
        QCOMPARE(r.plan.rules.first().suppressPrefixLength, 0);
        const PlannedRule source = r.plan.rules.at(1);
        QCOMPARE(source.from, QHostAddress(QStringLiteral("100.64.0.2")));
        QCOMPARE(source.table, wanTable(1));
        for (const PlannedRoute &route : r.plan.routes)
            QVERIFY(route.table >= TableFirst && route.table <= TableLast);
        QVERIFY(r.plan.nftRuleset.startsWith(QStringLiteral("table inet smoothwan {}\ndelete table inet smoothwan\n")));
        QCOMPARE(r.plan.sysctls.value(QStringLiteral("net/ipv4/conf/wan1/rp_filter")), QStringLiteral("2"));
    }

    void sameInputSamePlan()
    {
        const auto in =
            input({wan(QStringLiteral("a"), 1, HealthState::Up), wan(QStringLiteral("b"), 2, HealthState::Up)},
                  RoutingPolicy::Balance);
        QCOMPARE(RoutePlanner::plan(in).plan, RoutePlanner::plan(in).plan);
    }
};

QTEST_GUILESS_MAIN(TestRoutePlanner)
#include "tst_routeplanner.moc"

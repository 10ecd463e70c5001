// SPDX-License-Identifier: GPL-3.0-or-later
// Routing the LAN with the real daemon in the lab, checked on the ISP side (nftables counters
// of what each ISP forwards to the internet), never by trusting the daemon's own state:
// failover follows health and comes back only after the up-rounds, balance spreads flows by
// weight, bypass rules hold in every policy, the kill switch leaks nothing, and --cleanup
// leaves the kernel as it was.
#include "DaemonProcess.h"
#include "Lab.h"

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <csignal>
#include <unistd.h>

using namespace smoothwan;
using smoothwan::lab::ExecResult;
using smoothwan::lab::Lab;
using smoothwan::test::DaemonProcess;

namespace {

// LAN traffic goes to 198.18.0.3 (and 198.18.0.2 for bypass rules); the daemon probes other
// targets, so the counters below see the LAN's packets only.
const QString lanTarget = QStringLiteral("198.18.0.3");
const QString bypassTarget = QStringLiteral("198.18.0.2");

QByteArray wansYaml(int wans, const QByteArray &extra = {}, const QList<int> &weights = {})
{
    static const char *names[] = {"fibre", "cable", "lte"};
    static const char *tiers[] = {"always", "secondary", "backup"};
    QByteArray yaml = "wans:\n";
    for (int i = 0; i < wans; ++i) {
        yaml += QByteArray("  - name: ") + names[i] + "\n    interface: wan" + QByteArray::number(i) + "\n";
        yaml += QByteArray("    priority: ") + (weights.isEmpty() ? tiers[i] : "always") + "\n";
        if (!weights.isEmpty())
            yaml += "    weight: " + QByteArray::number(weights.value(i, 1)) + "\n";
        yaml += "    probe:\n      targets: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n      interval: 200ms\n"
                "      timeout: 150ms\n      reliability: 1\n      down: 3\n      up: 3\n";
    }
    return yaml + extra;
}

} // namespace

class TestRouting : public QObject
{
    Q_OBJECT

    Lab m_lab;
    QByteArray m_pristine; // the router's rules, routes and nftables before any daemon ran

    QByteArray kernelState()
    {
        QByteArray out;
        for (const QStringList &argv :
             {QStringList {QStringLiteral("ip"), QStringLiteral("rule")},
              QStringList {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("show"),
                           QStringLiteral("table"), QStringLiteral("all")},
              QStringList {QStringLiteral("nft"), QStringLiteral("list"), QStringLiteral("ruleset")}})
            out += Lab::exec(m_lab.routerNs(), argv).output;
        return out;
    }

    // Packets ISP `wan` forwarded towards `destination` since the lab was made.
    qint64 sent(int wan, const QString &destination)
    {
        const QString counter = destination == lanTarget ? QStringLiteral("lan") : QStringLiteral("bypass");
        const ExecResult r =
            Lab::exec(m_lab.ispNs(wan), {QStringLiteral("nft"), QStringLiteral("list"), QStringLiteral("counter"),
                                         QStringLiteral("inet"), QStringLiteral("swtest"), counter});
        const auto m = QRegularExpression(QStringLiteral("packets (\\d+)")).match(QString::fromUtf8(r.output));
        return m.hasMatch() ? m.captured(1).toLongLong() : -1;
    }

    // Equal texts, or a failure that shows the lines that differ.
    static void compareLines(const QByteArray &actual, const QByteArray &expected)
    {
        const QList<QByteArray> a = actual.split('\n');
        const QList<QByteArray> e = expected.split('\n');
        QByteArray diff;
        for (const QByteArray &l : a)
            if (!e.contains(l))
                diff += "+ " + l + '\n';
        for (const QByteArray &l : e)
            if (!a.contains(l))
                diff += "- " + l + '\n';
        QVERIFY2(actual == expected, diff.isEmpty() ? "same lines, other order" : diff.constData());
    }

    QList<qint64> snapshot(const QString &destination)
    {
        QList<qint64> out;
        for (int i = 0; i < m_lab.wanCount(); ++i)
            out << sent(i, destination);
        return out;
    }

    // Which WANs carried LAN packets to `destination` since `before`.
    QList<qint64> delta(const QList<qint64> &before, const QString &destination)
    {
        QList<qint64> now = snapshot(destination);
        for (int i = 0; i < now.size(); ++i)
            now[i] -= before.value(i);
        return now;
    }

    bool ping(const QString &destination, int count = 3)
    {
        return Lab::exec(m_lab.lanNs(),
                         {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-q"), QStringLiteral("-c"),
                          QString::number(count), QStringLiteral("-i"), QStringLiteral("0.05"), QStringLiteral("-W"),
                          QStringLiteral("1"), destination})
            .ok();
    }

    void startDaemon(DaemonProcess &d, const QByteArray &yaml, int wans = 2)
    {
        QVERIFY(d.start(m_lab.routerNs(), yaml));
        for (int i = 0; i < wans; ++i)
            QVERIFY2(d.waitFor(QByteArrayList {"fibre up", "cable up", "lte up"}.at(i), 5000), d.log().constData());
        QVERIFY2(d.waitFor("routing: LAN now", 5000), d.log().constData());
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces");
        QVERIFY2(m_lab.create(3), qPrintable(m_lab.errorString()));
        QVERIFY2(m_lab.startUdpEcho(), qPrintable(m_lab.errorString()));
        // IPv6 link-local addresses and routes appear a moment after the links come up (duplicate
        // address detection): let all four interfaces get theirs first.
        QTRY_VERIFY_WITH_TIMEOUT(kernelState().count("local fe80::") == 4, 10000);
        m_pristine = kernelState();
        for (int i = 0; i < 3; ++i) {
            const QString script = QStringLiteral("table inet swtest {\n"
                                                  "    counter lan {}\n"
                                                  "    counter bypass {}\n"
                                                  "    chain count {\n"
                                                  "        type filter hook forward priority -10; policy accept;\n"
                                                  "        iifname \"isp%1\" ip daddr %2 counter name lan\n"
                                                  "        iifname \"isp%1\" ip daddr %3 counter name bypass\n"
                                                  "    }\n"
                                                  "}\n")
                                       .arg(i)
                                       .arg(lanTarget, bypassTarget);
            QVERIFY(Lab::exec(m_lab.ispNs(i), {QStringLiteral("nft"), QStringLiteral("-f"), QStringLiteral("-")},
                              script.toUtf8())
                        .ok());
        }
    }

    void failoverFollowsHealth()
    {
        DaemonProcess d;
        startDaemon(d, wansYaml(2, "routing:\n  policy: failover\n"));
        auto before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {3, 0, 0}));

        // Cut: the kernel moves the LAN at once (routes on a dead link are ignored).
        QVERIFY(m_lab.cut(0));
        before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {0, 3, 0}));
        QVERIFY2(d.waitFor("LAN now via cable", 3000), d.log().constData());

        // Restored: not back before its up-rounds (3 x 200 ms, more after a flap).
        const qsizetype mark = d.lineCount();
        QVERIFY(m_lab.restore(0));
        before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget, 2));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {0, 2, 0}));
        QVERIFY2(d.waitFor("LAN now via fibre", 15000, mark), d.log().constData());
        before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {3, 0, 0}));

        // Blackhole: the link stays up; the daemon moves the LAN after its down-rounds.
        QTest::qWait(7000); // let the flap of the cut above decay out of its window (30 x 200 ms)
        const qsizetype mark2 = d.lineCount();
        QVERIFY(m_lab.blackhole(0));
        QVERIFY2(d.waitFor("LAN now via cable", 3000, mark2), d.log().constData());
        before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {0, 3, 0}));
        QVERIFY(m_lab.restore(0));
        QVERIFY2(d.waitFor("LAN now via fibre", 15000, mark2), d.log().constData());
    }

    void balanceSpreadsFlowsByWeight()
    {
        DaemonProcess d;
        startDaemon(d, wansYaml(2, "routing:\n  policy: balance\n", {3, 1}));
        const auto before = snapshot(lanTarget);
        // Each run of the echo client is a new socket, so a new flow.
        const int flows = 200;
        for (int i = 0; i < flows; ++i)
            QVERIFY(Lab::exec(m_lab.lanNs(), {Lab::udpEchoProgram(), QStringLiteral("client"), lanTarget,
                                              QStringLiteral("7"), QStringLiteral("--count"), QStringLiteral("1")})
                        .ok());
        const auto d2 = delta(before, lanTarget);
        QCOMPARE(d2[0] + d2[1], qint64(flows));
        const double share = double(d2[0]) / flows;
        qInfo("balance 3:1 over %d flows: %lld / %lld (%.2f)", flows, d2[0], d2[1], share);
        // 3:1 is 0.75; binomial spread over 200 flows is about 0.03, so this allows four of them.
        QVERIFY2(share > 0.62 && share < 0.88, qPrintable(QString::number(share)));
    }

    void bypassHoldsInEveryPolicy_data()
    {
        QTest::addColumn<QByteArray>("routing");
        QTest::addColumn<bool>("tunnel");
        QTest::addColumn<int>("lanVia"); // -1: the tunnel; -2: blocked
        const QByteArray bypass = "  bypass:\n    - name: pinned\n      match: {destination: 198.18.0.2/32}\n"
                                  "      via: lte\n";
        QTest::newRow("failover") << QByteArray("routing:\n  policy: failover\n" + bypass) << false << 0;
        QTest::newRow("balance") << QByteArray("routing:\n  policy: balance\n" + bypass) << false << -3;
        QTest::newRow("bonded, bond up") << QByteArray("engine:\n  type: speedify\nrouting:\n  policy: bonded\n" +
                                                       bypass)
                                         << true << -1;
        QTest::newRow("bonded, bond down, kill switch")
            << QByteArray("engine:\n  type: speedify\nrouting:\n  policy: bonded\n  kill_switch: true\n" + bypass)
            << false << -2;
    }

    void bypassHoldsInEveryPolicy()
    {
        QFETCH(QByteArray, routing);
        QFETCH(bool, tunnel);
        QFETCH(int, lanVia);
        if (tunnel)
            QVERIFY2(m_lab.startTunnel(QStringLiteral("connectify0"), QStringLiteral("10.202.0.2/24")),
                     qPrintable(m_lab.errorString()));
        DaemonProcess d;
        startDaemon(d, wansYaml(3, routing), 3);
        auto before = snapshot(bypassTarget);
        QVERIFY(ping(bypassTarget));
        QCOMPARE(delta(before, bypassTarget), (QList<qint64> {0, 0, 3})); // pinned to lte, whatever the policy

        before = snapshot(lanTarget);
        const qint64 tunnelBefore = m_lab.tunnelPackets();
        const bool reached = ping(lanTarget);
        const auto lan = delta(before, lanTarget);
        if (lanVia >= 0) {
            QVERIFY(reached);
            QCOMPARE(lan[lanVia], qint64(3));
        } else if (lanVia == -1) {
            QCOMPARE(lan, (QList<qint64> {0, 0, 0})); // into the tunnel, out of no WAN
            QVERIFY(m_lab.tunnelPackets() - tunnelBefore >= 3);
        } else if (lanVia == -2) {
            QVERIFY(!reached);
            QCOMPARE(lan, (QList<qint64> {0, 0, 0}));
        } else {
            QVERIFY(reached);
        }
        m_lab.stopTunnel();
    }

    void killSwitchLeaksNothingWhenTheBondFails()
    {
        QVERIFY(m_lab.startTunnel(QStringLiteral("connectify0"), QStringLiteral("10.202.0.2/24")));
        DaemonProcess d;
        startDaemon(d, wansYaml(2, "engine:\n  type: speedify\nrouting:\n  policy: bonded\n  kill_switch: true\n"
                                   "  bypass:\n    - name: around\n      match: {destination: 198.18.0.2/32}\n"
                                   "      around_bond: true\n"));
        QVERIFY2(d.waitFor("LAN now via tunnel", 3000), d.log().constData());
        // A steady stream from the LAN while the engine crashes and comes back.
        const auto before = snapshot(lanTarget);
        QProcess stream;
        stream.start(QStringLiteral("ip"),
                     {QStringLiteral("netns"), QStringLiteral("exec"), m_lab.lanNs(), QStringLiteral("ping"),
                      QStringLiteral("-n"), QStringLiteral("-q"), QStringLiteral("-i"), QStringLiteral("0.01"),
                      QStringLiteral("-c"), QStringLiteral("300"), QStringLiteral("-W"), QStringLiteral("1"),
                      lanTarget});
        QVERIFY(stream.waitForStarted());
        QTest::qWait(500);
        const qsizetype mark = d.lineCount();
        m_lab.stopTunnel(); // the engine dies
        QVERIFY2(d.waitFor("LAN now blocked", 3000, mark), d.log().constData());
        // Around-the-bond bypass still gets out while the LAN is blocked.
        const auto bypassBefore = snapshot(bypassTarget);
        QVERIFY(ping(bypassTarget));
        const auto bypassed = delta(bypassBefore, bypassTarget);
        QCOMPARE(bypassed[0] + bypassed[1], qint64(3));
        QVERIFY(m_lab.startTunnel(QStringLiteral("connectify0"), QStringLiteral("10.202.0.2/24")));
        QVERIFY2(d.waitFor("LAN now via tunnel", 3000, mark), d.log().constData());
        QVERIFY(stream.waitForFinished(20000));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {0, 0, 0})); // not one LAN packet left by a WAN
        m_lab.stopTunnel();
    }

    // The real engine path: the Speedify stand-in, driven by the daemon's adapter, brings the
    // tunnel up on connect and down on disconnect, and the bonded policy follows it.
    void bondedFollowsTheSpeedifyStandIn()
    {
        QTemporaryDir speedify;
        qputenv("SPEEDIFY_FAKE_STATE_DIR", speedify.path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_CONNECT_MS", "50");
        qputenv("SPEEDIFY_FAKE_STATS_MS", "200");
        const QString cli = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);
        const auto speedifyCli = [&](const QStringList &args) {
            const QStringList argv = QStringList {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"),
                                                  m_lab.routerNs(), cli} +
                                     args;
            return Lab::exec(QString(), argv);
        };
        QVERIFY(speedifyCli(
                    {QStringLiteral("-s"), QStringLiteral("login"), QStringLiteral("lab"), QStringLiteral("secret")})
                    .ok());
        DaemonProcess d;
        startDaemon(d, wansYaml(2, "engine:\n  type: speedify\n  speedify:\n    cli_path: " + cli.toUtf8() +
                                       "\n    startup_connect: true\nrouting:\n  policy: bonded\n"));
        QVERIFY2(d.waitFor("LAN now via tunnel", 15000), d.log().constData());
        auto before = snapshot(lanTarget);
        const qint64 tunnelBefore = m_lab.tunnelPackets(QStringLiteral("connectify0"));
        ping(lanTarget); // the stand-in's tunnel has no far end: nothing answers
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {0, 0, 0}));
        QVERIFY(m_lab.tunnelPackets(QStringLiteral("connectify0")) - tunnelBefore >= 3);

        // Speedify disconnects: the tunnel goes, the LAN falls back to the best WAN.
        const qsizetype mark = d.lineCount();
        QVERIFY(speedifyCli({QStringLiteral("-s"), QStringLiteral("disconnect")}).ok());
        QVERIFY2(d.waitFor("LAN now via fibre", 10000, mark), d.log().constData());
        before = snapshot(lanTarget);
        QVERIFY(ping(lanTarget));
        QCOMPARE(delta(before, lanTarget), (QList<qint64> {3, 0, 0}));

        // Connected again, then the Speedify daemon crashes: its tunnel loses carrier, the LAN
        // falls back at once, the supervisor restarts the daemon, and the LAN is bonded again.
        const qsizetype mark2 = d.lineCount();
        QVERIFY(speedifyCli({QStringLiteral("-s"), QStringLiteral("connect")}).ok());
        QVERIFY2(d.waitFor("LAN now via tunnel", 10000, mark2), d.log().constData());
        QFile pidFile(speedify.filePath(QStringLiteral("daemon.pid")));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const pid_t speedifyPid = static_cast<pid_t>(pidFile.readAll().trimmed().toLongLong());
        QVERIFY(speedifyPid > 1);
        const qsizetype mark3 = d.lineCount();
        QCOMPARE(::kill(speedifyPid, SIGKILL), 0);
        QVERIFY2(d.waitFor("LAN now via fibre", 5000, mark3), d.log().constData());
        QVERIFY2(d.waitFor("LAN now via tunnel", 15000, mark3), d.log().constData());
        QVERIFY2(d.log().contains("Speedify crashed; restarting in"), d.log().constData());
        d.stop();
        speedifyCli({QStringLiteral("-s"), QStringLiteral("logout")});
        qunsetenv("SPEEDIFY_FAKE_STATE_DIR");
    }

    void cleanupLeavesTheKernelAsItWas()
    {
        const auto state = [this] { return kernelState(); };
        const auto cleanup = [this] {
            const ExecResult r = Lab::exec(m_lab.routerNs(), {DaemonProcess::binary(), QStringLiteral("--cleanup")});
            QVERIFY2(r.ok(), r.errorOutput.constData());
        };
        // Earlier tests' daemons stopped and, by design, left their routing in place.
        const QByteArray &pristine = m_pristine;
        const QByteArray yaml = wansYaml(2, "routing:\n  policy: balance\n  bypass:\n    - name: b\n      match: "
                                            "{destination: 198.18.0.2/32}\n      via: cable\n");
        {
            DaemonProcess d;
            startDaemon(d, yaml);
            QVERIFY(state() != pristine);
            d.stop();
        }
        cleanup();
        compareLines(state(), pristine);

        // Killed without a chance to clean up, restarted: it adopts what is there, nothing doubles.
        QByteArray applied;
        {
            DaemonProcess d;
            startDaemon(d, yaml);
            applied = Lab::exec(m_lab.routerNs(), {QStringLiteral("ip"), QStringLiteral("rule")}).output;
            ::kill(static_cast<pid_t>(d.pid()), SIGKILL);
        }
        {
            DaemonProcess d;
            startDaemon(d, yaml);
            QCOMPARE(Lab::exec(m_lab.routerNs(), {QStringLiteral("ip"), QStringLiteral("rule")}).output, applied);
            ::kill(static_cast<pid_t>(d.pid()), SIGKILL);
        }
        cleanup();
        compareLines(state(), pristine);
    }

    void cleanup() { m_lab.stopTunnel(); }
    void cleanupTestCase() { m_lab.destroy(); }
};

QTEST_GUILESS_MAIN(TestRouting)
#include "tst_routing.moc"

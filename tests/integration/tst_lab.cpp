// SPDX-License-Identifier: GPL-3.0-or-later
// The network-namespace lab itself: topology, failure injection, cleanup (needs root).
#include "Lab.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <unistd.h>

using namespace smoothwan::lab;

namespace {

struct PingResult
{
    int sent = 0;
    int received = 0;
};

PingResult ping(const Lab &lab, const QString &ns, const QString &target, int count, const QStringList &options = {})
{
    const ExecResult result =
        lab.exec(ns, QStringList {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-q"),
                                  QStringLiteral("-c"), QString::number(count)} +
                         options + QStringList {target});
    static const QRegularExpression summary(QStringLiteral("(\\d+) packets transmitted, (\\d+) received"));
    const QRegularExpressionMatch match = summary.match(QString::fromLatin1(result.output));
    return {match.captured(1).toInt(), match.captured(2).toInt()};
}

// Quick pings: 50 ms apart, one second for the last answer.
PingResult quickPing(const Lab &lab, const QString &ns, const QString &target, int count, QStringList options = {})
{
    options << QStringLiteral("-i") << QStringLiteral("0.05") << QStringLiteral("-W") << QStringLiteral("1");
    return ping(lab, ns, target, count, options);
}

QStringList lines(const QStringList &argv)
{
    const ExecResult result = Lab::exec({}, argv);
    QStringList out = QString::fromLocal8Bit(result.output).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    out.sort();
    return out;
}

// Names of the root namespace's links ("3: eth0@if2: <…" → "eth0@if2").
QStringList rootLinks()
{
    QStringList names;
    for (const QString &line :
         lines({QStringLiteral("ip"), QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show")}))
        names << line.section(QLatin1Char(':'), 1, 1).trimmed();
    names.sort();
    return names;
}

QStringList rootTables()
{
    return lines({QStringLiteral("nft"), QStringLiteral("list"), QStringLiteral("tables")});
}

// Lab namespaces created by this test process.
QStringList ourNamespaces()
{
    const QString mine = QStringLiteral("swlab%1x").arg(::getpid());
    QStringList names;
    for (const QString &ns : Lab::existingNamespaces()) {
        if (ns.startsWith(mine))
            names << ns;
    }
    return names;
}

// The flags of the router's wan<i>: "<NO-CARRIER,BROADCAST,…,UP>" or "<BROADCAST,…,UP,LOWER_UP>".
QString wanFlags(const Lab &lab, int wan)
{
    const ExecResult result =
        lab.exec({}, {QStringLiteral("ip"), QStringLiteral("-n"), lab.routerNs(), QStringLiteral("-o"),
                      QStringLiteral("link"), QStringLiteral("show"), Lab::wanInterface(wan)});
    static const QRegularExpression flags(QStringLiteral("<([^>]*)>"));
    return flags.match(QString::fromLatin1(result.output)).captured(1);
}

bool hasCarrier(const Lab &lab, int wan)
{
    return wanFlags(lab, wan).split(QLatin1Char(',')).contains(QStringLiteral("LOWER_UP"));
}

bool processGone(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2, 1) == "Z";
}

// Starts `smoothwan-lab up` and waits for its "ready" line; returns the key=value facts it printed.
QHash<QString, QString> startCli(QProcess &cli, const QStringList &extra = {})
{
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(QStringLiteral(SMOOTHWAN_LAB_BIN),
              QStringList {QStringLiteral("up"), QStringLiteral("--wans"), QStringLiteral("2")} + extra);
    QHash<QString, QString> facts;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000 && cli.state() != QProcess::NotRunning) {
        if (!cli.canReadLine() && !cli.waitForReadyRead(500))
            continue;
        while (cli.canReadLine()) {
            const QString line = QString::fromUtf8(cli.readLine()).trimmed();
            if (line == QLatin1String("ready"))
                return facts;
            facts.insert(line.section(QLatin1Char('='), 0, 0), line.section(QLatin1Char('='), 1));
        }
    }
    return {};
}

} // namespace

class TestLab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces");
        m_links = rootLinks();
        m_tables = rootTables();
        QVERIFY(!m_links.isEmpty());
    }

    void createsThreeWansAndTheLanReachesTheInternet()
    {
        Lab lab;
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(lab.create(3), qPrintable(lab.errorString()));
        const qint64 elapsed = timer.elapsed();
        qCInfo(lcLab) << "3-WAN lab created in" << elapsed << "ms";
        QVERIFY2(elapsed < 2000, qPrintable(QStringLiteral("creation took %1 ms").arg(elapsed)));
        QCOMPARE(Lab::existingNamespaces(lab.prefix()).size(), 6);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(hasCarrier(lab, i), qPrintable(wanFlags(lab, i)));

        const QStringList routes = lines({QStringLiteral("ip"), QStringLiteral("-n"), lab.routerNs(),
                                          QStringLiteral("route"), QStringLiteral("show"), QStringLiteral("default")});
        QCOMPARE(routes.size(), 3);
        QVERIFY(routes.at(0).contains(QStringLiteral("dev wan0 metric 100")));

        const qint64 before[3] = {lab.ispPacketCount(0), lab.ispPacketCount(1), lab.ispPacketCount(2)};
        QCOMPARE(before[0], 0);
        const PingResult result = quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 3);
        QCOMPARE(result.received, 3);
        // The lowest-metric WAN carried it, and only that one.
        QCOMPARE(lab.ispPacketCount(0) - before[0], 3);
        QCOMPARE(lab.ispPacketCount(0, Lab::Direction::Downstream), 3);
        QCOMPARE(lab.ispPacketCount(1), before[1]);
        QCOMPARE(lab.ispPacketCount(2), before[2]);
        for (const QString &target : lab.targets())
            QVERIFY2(quickPing(lab, lab.lanNs(), target, 1).received == 1, qPrintable(target));

        const QString prefix = lab.prefix();
        lab.destroy();
        QVERIFY(!lab.isValid());
        QVERIFY(Lab::existingNamespaces(prefix).isEmpty());
    }

    void cutMovesTrafficToTheNextWan()
    {
        Lab lab;
        QVERIFY2(lab.create(3), qPrintable(lab.errorString()));
        QVERIFY(lab.cut(0));
        QVERIFY2(wanFlags(lab, 0).contains(QStringLiteral("NO-CARRIER")), qPrintable(wanFlags(lab, 0)));
        const qint64 before0 = lab.ispPacketCount(0);
        const qint64 before1 = lab.ispPacketCount(1);
        QCOMPARE(quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 3).received, 3);
        QCOMPARE(lab.ispPacketCount(0), before0);
        QCOMPARE(lab.ispPacketCount(1) - before1, 3);

        QVERIFY(lab.restore(0));
        QTRY_VERIFY_WITH_TIMEOUT(hasCarrier(lab, 0), 2000);
        QCOMPARE(
            quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 3, {QStringLiteral("-W"), QStringLiteral("2")})
                .received,
            3);
        QCOMPARE(lab.ispPacketCount(0) - before0, 3);
        QCOMPARE(lab.ispPacketCount(1) - before1, 3);
    }

    void blackholeKeepsTheLinkUpButNothingPasses()
    {
        Lab lab;
        QVERIFY2(lab.create(2), qPrintable(lab.errorString()));
        QVERIFY(lab.blackhole(1));
        QVERIFY(hasCarrier(lab, 1));
        const QStringList viaWan1 {QStringLiteral("-I"), Lab::wanInterface(1)};
        QCOMPARE(quickPing(lab, lab.routerNs(), QStringLiteral("198.18.0.1"), 2, viaWan1).received, 0);
        QCOMPARE(quickPing(lab, lab.routerNs(), Lab::ispGateway(1), 1, viaWan1).received, 1); // the modem answers
        QVERIFY(lab.ispPacketCount(1) >= 2);                                                  // counted, then dropped
        QCOMPARE(quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 2).received, 2);   // WAN 0 unaffected

        // The kernel cannot see a blackhole: LAN traffic stays on a blackholed first WAN.
        QVERIFY(lab.blackhole(0));
        QCOMPARE(quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 2).received, 0);

        QVERIFY(lab.restore(0));
        QVERIFY(lab.restore(1));
        QCOMPARE(quickPing(lab, lab.routerNs(), QStringLiteral("198.18.0.1"), 2, viaWan1).received, 2);
        QCOMPARE(quickPing(lab, lab.lanNs(), QStringLiteral("198.18.0.1"), 2).received, 2);
    }

    void impairedLossIsWithinTolerance()
    {
        Lab lab;
        QVERIFY2(lab.create(3), qPrintable(lab.errorString()));
        QVERIFY(lab.impair(2, 0, 30));
        // 30 % each way: round trip loss 1 - 0.7² = 51 %; with 200 pings σ ≈ 3.5 %, so ± 15 % is > 4 σ.
        const QStringList burst {QStringLiteral("-I"),    Lab::wanInterface(2), QStringLiteral("-i"),
                                 QStringLiteral("0.005"), QStringLiteral("-W"), QStringLiteral("1")};
        const qint64 before = lab.ispPacketCount(2);
        const PingResult result = ping(lab, lab.routerNs(), QStringLiteral("198.18.0.2"), 200, burst);
        QCOMPARE(result.sent, 200);
        const double loss = 100.0 * (result.sent - result.received) / result.sent;
        qCInfo(lcLab) << "round-trip loss with 30 % each way:" << loss << "%";
        QVERIFY2(loss >= 36 && loss <= 66, qPrintable(QStringLiteral("loss %1 %").arg(loss)));
        QCOMPARE(lab.ispPacketCount(2) - before, 200); // counted before the drop

        QVERIFY(lab.restore(2));
        QCOMPARE(ping(lab, lab.routerNs(), QStringLiteral("198.18.0.2"), 50, burst).received, 50);
    }

    void impairedRateLimitsThroughput()
    {
        Lab lab;
        QVERIFY2(lab.create(2), qPrintable(lab.errorString()));
        QVERIFY(lab.impair(0, 2000, 0));
        QVERIFY2(lab.startIperfServer(), qPrintable(lab.errorString()));
        const ExecResult result = lab.exec(
            lab.lanNs(), {QStringLiteral("iperf3"), QStringLiteral("-c"), QStringLiteral("198.18.0.1"),
                          QStringLiteral("-t"), QStringLiteral("2"), QStringLiteral("-R"), QStringLiteral("-J")});
        QVERIFY2(result.ok(), result.output.constData());
        const double bps = QJsonDocument::fromJson(result.output)
                               .object()
                               .value(QStringLiteral("end"))
                               .toObject()
                               .value(QStringLiteral("sum_received"))
                               .toObject()
                               .value(QStringLiteral("bits_per_second"))
                               .toDouble();
        qCInfo(lcLab) << "download through a 2000 kbit/s WAN:" << bps / 1000 << "kbit/s";
        QVERIFY2(bps > 1000e3 && bps < 2300e3, qPrintable(QString::number(bps)));
    }

    void udpEchoAnswersThroughTheRouter()
    {
        Lab lab;
        QVERIFY2(lab.create(2), qPrintable(lab.errorString()));
        QVERIFY2(lab.startUdpEcho(7), qPrintable(lab.errorString()));
        const ExecResult result =
            lab.exec(lab.lanNs(), {Lab::udpEchoProgram(), QStringLiteral("client"), QStringLiteral("198.18.0.3"),
                                   QStringLiteral("7"), QStringLiteral("--count"), QStringLiteral("20")});
        QVERIFY2(result.ok(), result.output.constData());
        QCOMPARE(result.output.trimmed(), QByteArray("sent 20 received 20"));
        QCOMPARE(lab.ispPacketCount(0), 20);
    }

    void failureHalfWayLeavesNothing()
    {
        LabOptions options;
        options.targets = {QStringLiteral("198.18.0.1"), QStringLiteral("not-an-address")};
        Lab lab;
        QVERIFY(!lab.create(2, options)); // fails in the internet namespace, after the veths exist
        QVERIFY2(lab.errorString().contains(QStringLiteral("not-an-address")), qPrintable(lab.errorString()));
        QVERIFY(!lab.isValid());
        QCOMPARE(ourNamespaces(), QStringList());
    }

    void cliActsOnARunningLabAndTearsDownOnSigterm()
    {
        QTemporaryDir dir;
        const QString stateFile = dir.filePath(QStringLiteral("lab.state"));
        QProcess cli;
        const QHash<QString, QString> facts = startCli(cli, {QStringLiteral("--state-file"), stateFile});
        const QString prefix = facts.value(QStringLiteral("prefix"));
        QVERIFY2(!prefix.isEmpty(), "smoothwan-lab up never became ready");
        QCOMPARE(facts.value(QStringLiteral("router")), prefix + QStringLiteral("-router"));
        QCOMPARE(Lab::existingNamespaces(prefix).size(), 5);
        QVERIFY(QFile::exists(stateFile));

        Lab view;
        QVERIFY2(view.attach(prefix), qPrintable(view.errorString()));
        QCOMPARE(view.wanCount(), 2);
        QCOMPARE(QProcess::execute(QStringLiteral(SMOOTHWAN_LAB_BIN), {QStringLiteral("cut"), QStringLiteral("0"),
                                                                       QStringLiteral("--state-file"), stateFile}),
                 0);
        QVERIFY(!hasCarrier(view, 0));
        QCOMPARE(
            QProcess::execute(QStringLiteral(SMOOTHWAN_LAB_BIN),
                              {QStringLiteral("restore"), QStringLiteral("wan0"), QStringLiteral("--name"), prefix}),
            0);
        QTRY_VERIFY_WITH_TIMEOUT(hasCarrier(view, 0), 2000);
        view.destroy(); // attached: leaves the lab alone
        QCOMPARE(Lab::existingNamespaces(prefix).size(), 5);

        cli.terminate();
        QVERIFY(cli.waitForFinished(20000));
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(Lab::existingNamespaces(prefix), QStringList());
        QVERIFY(!QFile::exists(stateFile));
    }

    void sweepRemovesTheLabOfAKilledProcess()
    {
        QProcess cli;
        const QString prefix = startCli(cli).value(QStringLiteral("prefix"));
        QVERIFY2(!prefix.isEmpty(), "smoothwan-lab up never became ready");
        Lab view;
        QVERIFY(view.attach(prefix));
        const QStringList servers =
            lines({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("pids"), view.internetNs()});
        QCOMPARE(servers.size(), 2); // iperf3 and the UDP echo

        cli.kill();
        QVERIFY(cli.waitForFinished(10000));
        QCOMPARE(Lab::existingNamespaces(prefix).size(), 5); // SIGKILL: nothing could clean up

        QProcess sweep;
        sweep.start(QStringLiteral(SMOOTHWAN_LAB_BIN), {QStringLiteral("sweep")});
        QVERIFY(sweep.waitForFinished(20000));
        QCOMPARE(sweep.exitCode(), 0);
        QCOMPARE(Lab::existingNamespaces(prefix), QStringList());
        for (const QString &pid : servers)
            QTRY_VERIFY_WITH_TIMEOUT(processGone(pid.toLongLong()), 3000);
    }

    void leavesNothingBehind()
    {
        QCOMPARE(ourNamespaces(), QStringList());
        QCOMPARE(rootLinks(), m_links);
        QCOMPARE(rootTables(), m_tables);
    }

private:
    QStringList m_links;
    QStringList m_tables;
};

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"

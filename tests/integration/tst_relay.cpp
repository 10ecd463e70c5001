// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-relay in the lab (root): the client relay in the router namespace with one path per
// WAN, the server relay in the internet namespace forwarding to the lab's UDP echo server. A test
// stream (100 datagrams/s) goes from the router namespace into the client relay's local port and
// comes back echoed; what a user checks is that no datagram is lost while a WAN is cut or
// blackholed (duplicate mode), that best mode leaves a blackholed WAN and says so in `stats`,
// that WANs can be added and removed through the control socket mid-stream, and that junk,
// replayed and forged frames at the server's port are dropped, counted, and change nothing.
#include "Lab.h"
#include "LabTraffic.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QScopeGuard>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

using namespace smoothwan;
using namespace smoothwan::lab;

namespace {

constexpr quint16 ServerPort = 7400;
constexpr quint16 ClientPort = 7401;
constexpr quint16 EchoPort = 7;
const char *const ServerAddress = "198.18.0.1";

// A socket created inside namespace `ns` (from a helper thread that enters it: sockets stay in
// the namespace they were made in, the test process does not move).
int socketIn(const QString &ns, int domain, int type, int protocol)
{
    int fd = -1;
    std::thread helper([&] {
        const int nsFd = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        if (nsFd < 0)
            return;
        if (::setns(nsFd, CLONE_NEWNET) == 0)
            fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
        ::close(nsFd);
    });
    helper.join();
    return fd;
}

QJsonObject stats(const QString &path)
{
    return QJsonDocument::fromJson(unixRequest(path, "stats")).object();
}

QJsonObject pathOf(const QJsonObject &s, int id)
{
    for (const QJsonValue &p : s.value(QStringLiteral("paths")).toArray()) {
        if (p.toObject().value(QStringLiteral("id")).toInt() == id)
            return p.toObject();
    }
    return {};
}

// The test stream: `count` numbered datagrams at 100/s from the router namespace to the client
// relay, echoes counted by number (the lab's udpStream).
UdpStreamResult stream(const QString &routerNs, int count, const std::function<void(int)> &at = {})
{
    return udpStream(routerNs, QStringLiteral("127.0.0.1"), ClientPort, count, at);
}

} // namespace

class TestRelayLab : public QObject
{
    Q_OBJECT

private:
    Lab m_lab;
    QTemporaryDir m_dir;
    QProcess m_server, m_client;
    QString m_serverControl, m_clientControl, m_keyFile;

    bool startRelay(QProcess &process, const QString &ns, const QStringList &args)
    {
        process.setProgram(QStringLiteral("ip"));
        process.setArguments(
            QStringList {QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral(SMOOTHWAN_RELAY_BIN)} +
            args);
        process.setProcessChannelMode(QProcess::ForwardedOutputChannel); // stderr kept for checks
        process.start();
        return process.waitForStarted(5000);
    }

    // Stops a relay with SIGTERM; true when it exited 0 (and never crashed).
    static bool stopRelay(QProcess &process)
    {
        if (process.state() == QProcess::NotRunning)
            return false;
        process.terminate();
        if (!process.waitForFinished(10000)) {
            process.kill();
            process.waitForFinished();
            return false;
        }
        const QByteArray err = process.readAllStandardError();
        if (err.contains("ERROR: AddressSanitizer") || err.contains("runtime error:"))
            qWarning().noquote() << err;
        return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0 &&
               !err.contains("ERROR: AddressSanitizer") && !err.contains("runtime error:");
    }

    // Path p runs over the lab's WAN p - 1.
    bool startClient(const QString &mode, const QList<int> &wans)
    {
        QStringList args {
            QStringLiteral("--role"),     QStringLiteral("client"),
            QStringLiteral("--key-file"), m_keyFile,
            QStringLiteral("--local"),    QStringLiteral("127.0.0.1:%1").arg(ClientPort),
            QStringLiteral("--server"),   QStringLiteral("%1:%2").arg(QLatin1String(ServerAddress)).arg(ServerPort),
            QStringLiteral("--mode"),     mode,
            QStringLiteral("--control"),  m_clientControl};
        for (int wan : wans)
            args << QStringLiteral("--path")
                 << QStringLiteral("%1=%2,%3").arg(wan).arg(Lab::wanInterface(wan - 1), Lab::wanAddress(wan - 1));
        if (!startRelay(m_client, m_lab.routerNs(), args))
            return false;
        // Ready when every path answers probes.
        for (int i = 0; i < 100; ++i) {
            QTest::qWait(100);
            const QJsonObject s = stats(m_clientControl);
            bool all = !s.isEmpty();
            for (int wan : wans)
                all = all && pathOf(s, wan).value(QStringLiteral("answering")).toBool();
            if (all)
                return true;
        }
        qWarning().noquote() << "client relay not ready; stats:" << unixRequest(m_clientControl, "stats")
                             << "server stats:" << unixRequest(m_serverControl, "stats")
                             << "stderr:" << m_client.readAllStandardError();
        return false;
    }

    bool waitFor(const std::function<bool()> &condition, int ms = 10000)
    {
        for (int waited = 0; waited < ms; waited += 50) {
            if (condition())
                return true;
            QTest::qWait(50);
        }
        return condition();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (network namespaces)");
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        QVERIFY(m_lab.startUdpEcho(EchoPort));
        m_keyFile = m_dir.filePath(QStringLiteral("relay.key"));
        QFile key(m_keyFile);
        QVERIFY(key.open(QIODevice::WriteOnly));
        QByteArray raw(32, 0);
        for (auto &b : raw)
            b = char(QRandomGenerator::global()->bounded(256));
        key.write(raw.toHex() + '\n');
        key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        key.close();
        m_serverControl = m_dir.filePath(QStringLiteral("server.sock"));
        m_clientControl = m_dir.filePath(QStringLiteral("client.sock"));
        QVERIFY(startRelay(m_server, m_lab.internetNs(),
                           {QStringLiteral("--role"), QStringLiteral("server"), QStringLiteral("--key-file"), m_keyFile,
                            QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(ServerPort),
                            QStringLiteral("--forward"), QStringLiteral("127.0.0.1:%1").arg(EchoPort),
                            QStringLiteral("--control"), m_serverControl}));
        QVERIFY(waitFor([&] { return !stats(m_serverControl).isEmpty(); }));
    }

    void cleanup()
    {
        if (m_client.state() != QProcess::NotRunning)
            QVERIFY2(stopRelay(m_client), "the client relay did not exit 0 on SIGTERM");
        for (int wan = 0; wan < m_lab.wanCount(); ++wan)
            m_lab.restore(wan);
    }

    void cleanupTestCase()
    {
        if (m_server.state() != QProcess::NotRunning)
            QVERIFY2(stopRelay(m_server), "the server relay did not exit 0 on SIGTERM");
        m_lab.destroy();
    }

    void badArgumentsExit2()
    {
        const QList<QStringList> bad {
            {},
            {QStringLiteral("--role"), QStringLiteral("client")},
            {QStringLiteral("--role"), QStringLiteral("client"), QStringLiteral("--key-file"), m_keyFile,
             QStringLiteral("--local"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--server"),
             QStringLiteral("1.2.3.4:5"), QStringLiteral("--path"), QStringLiteral("1=$(reboot),1.2.3.4")},
            {QStringLiteral("--role"), QStringLiteral("server"), QStringLiteral("--key-file"),
             m_dir.filePath(QStringLiteral("missing")), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:1"),
             QStringLiteral("--forward"), QStringLiteral("127.0.0.1:2")},
        };
        for (const QStringList &args : bad) {
            QProcess p;
            p.start(QStringLiteral(SMOOTHWAN_RELAY_BIN), args);
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitCode(), 2);
            QVERIFY(p.readAllStandardError().startsWith("<3>smoothwan-relay: "));
        }
    }

    void duplicateLosesNothingWhenAWanIsCut()
    {
        QVERIFY(startClient(QStringLiteral("duplicate"), {1, 2}));
        const UdpStreamResult r = stream(m_lab.routerNs(), 500, [&](int i) {
            if (i == 150)
                QVERIFY(m_lab.cut(0)); // path 1
        });
        QVERIFY2(r.received == r.sent, qPrintable(r.describe()));
        qInfo().noquote() << "cut:" << r.describe();
        // The client sees that path 1 stopped answering; path 2 carried everything.
        QVERIFY(
            waitFor([&] { return !pathOf(stats(m_clientControl), 1).value(QStringLiteral("answering")).toBool(); }));
    }

    void duplicateLosesNothingWhenAWanIsBlackholed()
    {
        QVERIFY(startClient(QStringLiteral("duplicate"), {1, 2}));
        const UdpStreamResult r = stream(m_lab.routerNs(), 500, [&](int i) {
            if (i == 150)
                QVERIFY(m_lab.blackhole(0)); // path 1
        });
        QVERIFY2(r.received == r.sent, qPrintable(r.describe()));
        const QJsonObject s = stats(m_clientControl);
        QVERIFY(!pathOf(s, 1).value(QStringLiteral("answering")).toBool());
        QVERIFY(pathOf(s, 2).value(QStringLiteral("answering")).toBool());
        // The server dropped the second copy of every datagram both paths carried.
        QVERIFY(stats(m_serverControl).value(QStringLiteral("dropped_dup")).toInteger() >= 150);
    }

    void pathsAddedAndRemovedMidStreamLoseNothing()
    {
        QVERIFY(startClient(QStringLiteral("duplicate"), {1}));
        const UdpStreamResult r = stream(m_lab.routerNs(), 500, [&](int i) {
            if (i == 100)
                QCOMPARE(unixRequest(m_clientControl, "path add 2 " + Lab::wanInterface(1).toLatin1() + ' ' +
                                                          Lab::wanAddress(1).toLatin1()),
                         QByteArray("ok"));
            if (i == 250)
                QCOMPARE(unixRequest(m_clientControl, "path del 1"), QByteArray("ok"));
            if (i == 350)
                QCOMPARE(unixRequest(m_clientControl, "path add 1 " + Lab::wanInterface(0).toLatin1() + ' ' +
                                                          Lab::wanAddress(0).toLatin1()),
                         QByteArray("ok"));
            if (i == 400)
                QCOMPARE(unixRequest(m_clientControl, "path down 2"), QByteArray("ok"));
        });
        QVERIFY2(r.received == r.sent, qPrintable(r.describe()));
        const QJsonObject s = stats(m_clientControl);
        QCOMPARE(s.value(QStringLiteral("paths")).toArray().size(), 2);
        QCOMPARE(pathOf(s, 2).value(QStringLiteral("up")).toBool(), false);
        // Bad control input is refused with a reason, and changes nothing.
        QVERIFY(unixRequest(m_clientControl, "path add 3 $(reboot) 1.2.3.4").startsWith("error"));
        QVERIFY(unixRequest(m_clientControl, "path add 3 wan1 300.1.1.1").startsWith("error"));
        QVERIFY(unixRequest(m_clientControl, "path del 9").startsWith("error"));
        QVERIFY(unixRequest(m_clientControl, "mode fastest").startsWith("error"));
        QVERIFY(unixRequest(m_clientControl, "").startsWith("error"));
        QCOMPARE(stats(m_clientControl).value(QStringLiteral("paths")).toArray().size(), 2);
    }

    void bestModeLeavesABlackholedWan()
    {
        QVERIFY(startClient(QStringLiteral("best"), {1, 2}));
        int active = 0;
        QVERIFY(waitFor([&] {
            active = stats(m_clientControl).value(QStringLiteral("active_path")).toInt();
            return active != 0;
        }));
        const int other = active == 1 ? 2 : 1;
        QVERIFY(m_lab.blackhole(active - 1));
        QVERIFY(waitFor([&] { return stats(m_clientControl).value(QStringLiteral("active_path")).toInt() == other; }));
        const QJsonObject s = stats(m_clientControl);
        QCOMPARE(s.value(QStringLiteral("mode")).toString(), QStringLiteral("best"));
        QVERIFY(s.value(QStringLiteral("switches")).toInteger() >= 1);
        QVERIFY(!pathOf(s, active).value(QStringLiteral("answering")).toBool());
        // Traffic flows over the new path, and the server follows the client into best mode.
        const UdpStreamResult r = stream(m_lab.routerNs(), 100);
        QVERIFY2(r.received == r.sent, qPrintable(r.describe()));
        QCOMPARE(stats(m_serverControl).value(QStringLiteral("mode")).toString(), QStringLiteral("best"));
        // Switching modes through the control socket.
        QCOMPARE(unixRequest(m_clientControl, "mode duplicate"), QByteArray("ok"));
        QCOMPARE(stats(m_clientControl).value(QStringLiteral("mode")).toString(), QStringLiteral("duplicate"));
    }

    void junkReplayedAndForgedFramesAreDroppedAndCounted()
    {
        QVERIFY(startClient(QStringLiteral("duplicate"), {1, 2}));
        // Capture frames the client relay sends on path 1 (a packet socket in the router namespace).
        // ETH_P_ALL: outgoing packets reach only "all protocols" taps.
        const int capture = socketIn(m_lab.routerNs(), AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
        QVERIFY(capture >= 0);
        sockaddr_ll ll {};
        ll.sll_family = AF_PACKET;
        ll.sll_protocol = htons(ETH_P_ALL);
        std::thread lookup([&] { // the interface index inside the router namespace
            const int nsFd = ::open(QByteArray("/run/netns/" + m_lab.routerNs().toLocal8Bit()).constData(), O_RDONLY);
            if (nsFd >= 0 && ::setns(nsFd, CLONE_NEWNET) == 0)
                ll.sll_ifindex = int(::if_nametoindex(qPrintable(Lab::wanInterface(0))));
            if (nsFd >= 0)
                ::close(nsFd);
        });
        lookup.join();
        QVERIFY(ll.sll_ifindex > 0);
        QCOMPARE(::bind(capture, reinterpret_cast<sockaddr *>(&ll), sizeof ll), 0);
        std::vector<QByteArray> frames;
        std::thread capturer([&] {
            char buffer[4096];
            pollfd pfd {capture, POLLIN, 0};
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (frames.size() < 20 && std::chrono::steady_clock::now() < deadline && ::poll(&pfd, 1, 500) >= 0) {
                if (!(pfd.revents & POLLIN))
                    continue;
                const ssize_t n = ::recv(capture, buffer, sizeof buffer, 0);
                if (n < ssize_t(sizeof(iphdr) + sizeof(udphdr)))
                    continue;
                const auto *ip = reinterpret_cast<const iphdr *>(buffer);
                if (ip->version != 4)
                    continue;
                const std::size_t ipLen = std::size_t(ip->ihl) * 4;
                if (ip->protocol != IPPROTO_UDP || n < ssize_t(ipLen + sizeof(udphdr)))
                    continue;
                const auto *udp = reinterpret_cast<const udphdr *>(buffer + ipLen);
                if (ntohs(udp->dest) == ServerPort)
                    frames.emplace_back(buffer + ipLen + sizeof(udphdr), int(n - ssize_t(ipLen + sizeof(udphdr))));
            }
        });
        (void)stream(m_lab.routerNs(), 30); // traffic to capture
        capturer.join();
        ::close(capture);
        QVERIFY(frames.size() >= 10);

        const QJsonObject before = stats(m_serverControl);
        // The attacker: another socket on the router's WAN address.
        const int attacker = socketIn(m_lab.routerNs(), AF_INET, SOCK_DGRAM, 0);
        QVERIFY(attacker >= 0);
        sockaddr_in from = ipv4Endpoint(qPrintable(Lab::wanAddress(0)), 0);
        QCOMPARE(::bind(attacker, reinterpret_cast<sockaddr *>(&from), sizeof from), 0);
        const sockaddr_in server = ipv4Endpoint(ServerAddress, ServerPort);
        auto sendRaw = [&](const QByteArray &data) {
            ::sendto(attacker, data.constData(), size_t(data.size()), 0, reinterpret_cast<const sockaddr *>(&server),
                     sizeof server);
        };
        for (const QByteArray &f : frames) // replayed as captured
            sendRaw(f);
        int forged = 0;
        for (const QByteArray &f : frames) { // altered: one bit in the header, payload or MAC
            QByteArray g = f;
            g[int(QRandomGenerator::global()->bounded(qsizetype(g.size())))] ^= 0x01;
            sendRaw(g);
            ++forged;
        }
        for (int i = 0; i < 200; ++i) { // junk of every size
            QByteArray junk(int(QRandomGenerator::global()->bounded(1, 1600)), Qt::Uninitialized);
            for (auto &b : junk)
                b = char(QRandomGenerator::global()->bounded(256));
            sendRaw(junk);
        }
        ::close(attacker);
        QTest::qWait(500);

        const QJsonObject after = stats(m_serverControl);
        auto grew = [&](const char *key) {
            return after.value(QLatin1String(key)).toInteger() - before.value(QLatin1String(key)).toInteger();
        };
        qInfo() << "server counters grew: replay" << grew("dropped_replay") << "forged" << grew("dropped_forged")
                << "junk" << grew("dropped_junk") << "delivered" << grew("delivered");
        QCOMPARE(grew("dropped_replay"), qint64(frames.size()));
        QCOMPARE(grew("dropped_forged") + grew("dropped_junk"), qint64(forged + 200));
        QCOMPARE(grew("delivered"), qint64(0)); // nothing reached WireGuard's side
        // The replays did not redirect the server's answers to the attacker's port: the stream
        // still works end to end, with no loss.
        const UdpStreamResult r = stream(m_lab.routerNs(), 100);
        QVERIFY2(r.received == r.sent, qPrintable(r.describe()));
        QVERIFY(m_server.state() == QProcess::Running);
    }

    // WireGuard (wireguard-go) on both ends with the relays as its endpoint: a 100 packets/s ping
    // through the tunnel loses nothing when a WAN is cut (duplicate mode).
    void wireguardThroughTheRelayLosesNothingOnACut()
    {
        const QString wgGo = QStandardPaths::findExecutable(QStringLiteral("wireguard-go"));
        const QString wg = QStandardPaths::findExecutable(QStringLiteral("wg"));
        if (wgGo.isEmpty() || wg.isEmpty())
            QSKIP("needs wireguard-go and wireguard-tools (scripts/install-deps.sh)");
        // Interface names are unique per run: wireguard-go's UAPI sockets are shared by all
        // namespaces (/var/run/wireguard/<name>.sock).
        const QString clientIf = QStringLiteral("swrc%1").arg(::getpid()),
                      serverIf = QStringLiteral("swrs%1").arg(::getpid());
        QStringList pub;
        QStringList keyFiles;
        for (const QString &name : {clientIf, serverIf}) {
            const ExecResult key = Lab::exec({}, {wg, QStringLiteral("genkey")});
            QVERIFY(key.ok());
            const ExecResult pk = Lab::exec({}, {wg, QStringLiteral("pubkey")}, key.output);
            QVERIFY(pk.ok());
            pub << QString::fromLatin1(pk.output.trimmed());
            const QString file = m_dir.filePath(name + QStringLiteral(".key"));
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            f.write(key.output);
            keyFiles << file;
        }
        constexpr quint16 WgServerRelayPort = 7410, WgClientRelayPort = 7411, WgPort = 51820;
        QProcess serverRelay, wgClient, wgServer;
        auto stopAll = qScopeGuard([&] {
            for (QProcess *p : {&wgClient, &wgServer}) {
                if (p->state() != QProcess::NotRunning) {
                    p->terminate();
                    if (!p->waitForFinished(5000))
                        p->kill();
                }
            }
            if (serverRelay.state() != QProcess::NotRunning)
                stopRelay(serverRelay);
        });
        QVERIFY(startRelay(serverRelay, m_lab.internetNs(),
                           {QStringLiteral("--role"), QStringLiteral("server"), QStringLiteral("--key-file"), m_keyFile,
                            QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(WgServerRelayPort),
                            QStringLiteral("--forward"), QStringLiteral("127.0.0.1:%1").arg(WgPort)}));
        QStringList clientArgs {QStringLiteral("--role"),
                                QStringLiteral("client"),
                                QStringLiteral("--key-file"),
                                m_keyFile,
                                QStringLiteral("--local"),
                                QStringLiteral("127.0.0.1:%1").arg(WgClientRelayPort),
                                QStringLiteral("--server"),
                                QStringLiteral("%1:%2").arg(QLatin1String(ServerAddress)).arg(WgServerRelayPort),
                                QStringLiteral("--control"),
                                m_clientControl};
        for (int path = 1; path <= 2; ++path)
            clientArgs
                << QStringLiteral("--path")
                << QStringLiteral("%1=%2,%3").arg(path).arg(Lab::wanInterface(path - 1), Lab::wanAddress(path - 1));
        QVERIFY(startRelay(m_client, m_lab.routerNs(), clientArgs));

        const struct
        {
            QProcess *process;
            QString ns, name, address, keyFile, peer;
            QStringList peerOptions;
        } ends[] = {
            {&wgClient,
             m_lab.routerNs(),
             clientIf,
             QStringLiteral("10.99.0.1/24"),
             keyFiles[0],
             pub[1],
             {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(WgClientRelayPort),
              QStringLiteral("persistent-keepalive"), QStringLiteral("1")}},
            {&wgServer, m_lab.internetNs(), serverIf, QStringLiteral("10.99.0.2/24"), keyFiles[1], pub[0], {}},
        };
        for (const auto &end : ends) {
            end.process->setProgram(QStringLiteral("ip"));
            end.process->setArguments(
                {QStringLiteral("netns"), QStringLiteral("exec"), end.ns, wgGo, QStringLiteral("-f"), end.name});
            end.process->start();
            QVERIFY(end.process->waitForStarted(5000));
            QVERIFY(waitFor([&] { return QFile::exists(QStringLiteral("/var/run/wireguard/%1.sock").arg(end.name)); }));
            QStringList set {wg, QStringLiteral("set"), end.name, QStringLiteral("private-key"), end.keyFile};
            if (end.process == &wgServer)
                set << QStringLiteral("listen-port") << QString::number(WgPort);
            set << QStringLiteral("peer") << end.peer << QStringLiteral("allowed-ips") << QStringLiteral("10.99.0.0/24")
                << end.peerOptions;
            const ExecResult r = Lab::exec(end.ns, set);
            QVERIFY2(r.ok(), r.errorOutput.constData());
            QVERIFY(Lab::exec(end.ns, {QStringLiteral("ip"), QStringLiteral("address"), QStringLiteral("add"),
                                       end.address, QStringLiteral("dev"), end.name})
                        .ok());
            QVERIFY(Lab::exec(end.ns, {QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), end.name,
                                       QStringLiteral("up")})
                        .ok());
        }
        // The first packets wait for the handshake.
        QVERIFY(waitFor(
            [&] {
                return Lab::exec(m_lab.routerNs(),
                                 {QStringLiteral("ping"), QStringLiteral("-c"), QStringLiteral("1"),
                                  QStringLiteral("-W"), QStringLiteral("1"), QStringLiteral("10.99.0.2")})
                    .ok();
            },
            20000));
        QProcess ping;
        ping.setProgram(QStringLiteral("ip"));
        ping.setArguments({QStringLiteral("netns"), QStringLiteral("exec"), m_lab.routerNs(), QStringLiteral("ping"),
                           QStringLiteral("-q"), QStringLiteral("-i"), QStringLiteral("0.01"), QStringLiteral("-c"),
                           QStringLiteral("500"), QStringLiteral("-W"), QStringLiteral("2"),
                           QStringLiteral("10.99.0.2")});
        ping.start();
        QVERIFY(ping.waitForStarted(5000));
        QTest::qWait(1500);
        QVERIFY(m_lab.cut(0));
        QVERIFY(ping.waitForFinished(30000));
        const QByteArray out = ping.readAllStandardOutput();
        qInfo().noquote() << "wireguard through the relay, WAN 0 cut:" << out.trimmed().split('\n').mid(1).join(' ');
        QVERIFY2(out.contains("500 packets transmitted, 500 received"), out.constData());
    }
};

QTEST_GUILESS_MAIN(TestRelayLab)
#include "tst_relay.moc"

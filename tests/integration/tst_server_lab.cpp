// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-server in the lab (root): the lab's internet namespace plays the VPS (public address
// 198.18.0.1), with one more namespace behind it standing for the rest of the internet. What a
// user checks: `init` prints a pairing code; `run` brings up WireGuard behind the relay; a router
// that knows nothing but the code (parsed here by test code, as the daemon will) reaches the
// server's tunnel address over both WANs and, through the server's masquerade, a host that only
// knows the VPS's address; the firewall lets SSH, the relay and ss-server in and drops other new
// connections; a mistyped code is refused with the clear error; SIGTERM removes the table and the
// interface and exits 0.
#include "Lab.h"
#include "PairingCode.h"
#include "WireGuardUapi.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QScopeGuard>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>

using namespace smoothwan;
using namespace smoothwan::lab;

namespace {

constexpr quint16 ClientRelayPort = 7421;
const char *const PublicAddress = "198.18.0.1";
// The host behind the VPS: knows 203.0.113.1 (the VPS) and nothing else.
const QString BeyondHost = Lab::beyondHost();

enum class Connect { Connected, Refused, TimedOut, Error };

// A TCP connect from inside namespace `ns` (a helper thread enters it).
Connect tcpConnect(const QString &ns, const char *address, quint16 port, int timeoutMs = 1500)
{
    Connect result = Connect::Error;
    std::thread helper([&] {
        const int nsFd = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        if (nsFd < 0 || ::setns(nsFd, CLONE_NEWNET) != 0)
            return;
        ::close(nsFd);
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, address, &a.sin_addr);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0) {
            result = Connect::Connected;
        } else if (errno == EINPROGRESS) {
            pollfd pfd {fd, POLLOUT, 0};
            if (::poll(&pfd, 1, timeoutMs) <= 0) {
                result = Connect::TimedOut;
            } else {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                result = err == 0 ? Connect::Connected : err == ECONNREFUSED ? Connect::Refused : Connect::Error;
            }
        }
        ::close(fd);
    });
    helper.join();
    return result;
}

bool waitFor(const std::function<bool()> &condition, int ms = 10000)
{
    for (int waited = 0; waited < ms; waited += 100) {
        if (condition())
            return true;
        QTest::qWait(100);
    }
    return condition();
}

bool ip(const QString &ns, const QStringList &args)
{
    const ExecResult r = Lab::exec(ns, QStringList {QStringLiteral("ip")} + args);
    if (!r.ok())
        qWarning().noquote() << "ip" << args.join(u' ') << "in" << ns << "failed:" << r.errorOutput.trimmed();
    return r.ok();
}

bool ping(const QString &ns, const QString &target, const QString &source = {})
{
    QStringList args {QStringLiteral("ping"), QStringLiteral("-c"), QStringLiteral("1"), QStringLiteral("-W"),
                      QStringLiteral("1")};
    if (!source.isEmpty())
        args << QStringLiteral("-I") << source;
    return Lab::exec(ns, args << target).ok();
}

} // namespace

class TestServerLab : public QObject
{
    Q_OBJECT

private:
    Lab m_lab;
    QTemporaryDir m_dir;
    QString m_stateDir, m_wireguardGo, m_serverIf, m_clientIf, m_code;
    QProcess m_server, m_relay, m_wgClient;
    QByteArray m_log; // the server's output

    QString server() const { return QStringLiteral(SMOOTHWAN_SERVER_BIN); }

    static void stop(QProcess &p)
    {
        if (p.state() == QProcess::NotRunning)
            return;
        p.terminate();
        if (!p.waitForFinished(10000)) {
            p.kill();
            p.waitForFinished();
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (network namespaces)");
        m_wireguardGo = QStandardPaths::findExecutable(QStringLiteral("wireguard-go"));
        if (m_wireguardGo.isEmpty())
            QSKIP("needs wireguard-go (scripts/install-deps.sh)");
        if (QStandardPaths::findExecutable(QStringLiteral("nft")).isEmpty())
            QSKIP("needs nft (nftables)");
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        // Unique names: wireguard-go's sockets in /var/run/wireguard are shared by all namespaces.
        m_serverIf = QStringLiteral("swsv%1").arg(::getpid());
        m_clientIf = QStringLiteral("swcl%1").arg(::getpid());
        m_stateDir = m_dir.filePath(QStringLiteral("state"));

        // The rest of the internet, behind the VPS: a namespace with no route back to the tunnel.
        QVERIFY(m_lab.addHostBeyond());
    }

    void cleanupTestCase()
    {
        stop(m_wgClient);
        stop(m_relay);
        stop(m_server);
        m_lab.destroy();
    }

    void initPrintsAPairingCode()
    {
        const ExecResult r =
            Lab::exec(m_lab.internetNs(), {server(), QStringLiteral("init"), QStringLiteral("--public-address"),
                                           QLatin1String(PublicAddress), QStringLiteral("--state-dir"), m_stateDir,
                                           QStringLiteral("--interface"), m_serverIf});
        QVERIFY2(r.ok(), r.errorOutput.constData());
        m_code = QString::fromLatin1(r.output.trimmed());
        QVERIFY(m_code.startsWith(QLatin1String("swpair1:")));
        QVERIFY(!m_code.contains(QLatin1Char('\n')));
        // Secrets are the owner's only.
        QCOMPARE(
            QFile(m_stateDir + QStringLiteral("/server.json")).permissions() &
                (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
            QFileDevice::Permissions());
        // `pairing-code` prints the same code again; a second `init` refuses to replace the keys.
        const ExecResult again =
            Lab::exec({}, {server(), QStringLiteral("pairing-code"), QStringLiteral("--state-dir"), m_stateDir});
        QVERIFY(again.ok());
        QCOMPARE(QString::fromLatin1(again.output.trimmed()), m_code);
        const ExecResult twice =
            Lab::exec({}, {server(), QStringLiteral("init"), QStringLiteral("--public-address"),
                           QLatin1String(PublicAddress), QStringLiteral("--state-dir"), m_stateDir});
        QCOMPARE(twice.exitCode, 2);
        QVERIFY(twice.errorOutput.contains("--force"));
    }

    // Bad command lines exit 2 naming the problem; a damaged state file is refused with its name.
    void badInputIsRefused()
    {
        const QString scratch = m_dir.filePath(QStringLiteral("scratch"));
        const QList<QPair<QStringList, QByteArray>> bad {
            {{QStringLiteral("init")}, "--public-address"},
            {{QStringLiteral("init"), QStringLiteral("--public-address"), QStringLiteral("$(reboot)")},
             "server address"},
            {{QStringLiteral("init"), QStringLiteral("--public-address"), QStringLiteral("127.0.0.1")},
             "cannot be reached"},
            {{QStringLiteral("init"), QStringLiteral("--public-address"), QLatin1String(PublicAddress),
              QStringLiteral("--relay-port"), QStringLiteral("70000")},
             "--relay-port"},
            {{QStringLiteral("init"), QStringLiteral("--public-address"), QLatin1String(PublicAddress),
              QStringLiteral("--interface"), QStringLiteral("a;b")},
             "interface"},
            {{QStringLiteral("frobnicate")}, "unknown command"},
            {{}, "one command"},
        };
        for (const auto &[args, says] : bad) {
            const ExecResult r =
                Lab::exec({}, QStringList {server()} + args + QStringList {QStringLiteral("--state-dir"), scratch});
            QVERIFY2(r.exitCode == 2, qPrintable(args.join(u' ')));
            QVERIFY2(r.errorOutput.contains(says), r.errorOutput.constData());
        }
        QVERIFY(!QFile::exists(scratch + QStringLiteral("/server.json")));
        // No state yet: `run` and `pairing-code` say to run init.
        const ExecResult none =
            Lab::exec({}, {server(), QStringLiteral("run"), QStringLiteral("--state-dir"), scratch});
        QCOMPARE(none.exitCode, 1);
        QVERIFY(none.errorOutput.contains("smoothwan-server init"));
        // A damaged key in the state file.
        QVERIFY(QDir().mkpath(scratch));
        QFile f(scratch + QStringLiteral("/server.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format":1,"public_address":"198.18.0.1","server_private_key":"zz"})");
        f.close();
        const ExecResult damaged =
            Lab::exec({}, {server(), QStringLiteral("pairing-code"), QStringLiteral("--state-dir"), scratch});
        QCOMPARE(damaged.exitCode, 1);
        QVERIFY2(damaged.errorOutput.contains("server.json") && damaged.errorOutput.contains("private key"),
                 damaged.errorOutput.constData());
        QVERIFY(damaged.output.isEmpty());
    }

    void wrongPairingCodeIsRefusedClearly()
    {
        QVERIFY(!m_code.isEmpty());
        QString typo = m_code;
        typo[20] = typo.at(20) == QLatin1Char('x') ? QLatin1Char('y') : QLatin1Char('x');
        auto r = PairingCode::parse(typo);
        QVERIFY(!r.code);
        QCOMPARE(r.error, PairingCode::Error::ChecksumMismatch);
        QVERIFY2(r.message.contains(QLatin1String("mistyped or truncated")), qPrintable(r.message));
        r = PairingCode::parse(m_code.left(m_code.size() - 10));
        QVERIFY(!r.code);
        QVERIFY2(r.message.contains(QLatin1String("truncated")), qPrintable(r.message));
        r = PairingCode::parse(QStringLiteral("swpair1:$(reboot)"));
        QVERIFY(!r.code);
        QCOMPARE(r.error, PairingCode::Error::BadCharacter);
    }

    void runBringsUpTheServerEnds()
    {
        m_server.setProcessChannelMode(QProcess::MergedChannels);
        connect(&m_server, &QProcess::readyRead, this, [this] { m_log += m_server.readAll(); });
        m_server.start(QStringLiteral("ip"),
                       {QStringLiteral("netns"), QStringLiteral("exec"), m_lab.internetNs(), server(),
                        QStringLiteral("run"), QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("--relay"),
                        QStringLiteral(SMOOTHWAN_RELAY_BIN)});
        QVERIFY(m_server.waitForStarted(5000));
        // WireGuard is up when it holds the server's tunnel address.
        const bool up = waitFor(
            [&] {
                const ExecResult r = Lab::exec(m_lab.internetNs(),
                                               {QStringLiteral("ip"), QStringLiteral("-o"), QStringLiteral("address"),
                                                QStringLiteral("show"), QStringLiteral("dev"), m_serverIf});
                return r.ok() && r.output.contains("10.201.0.1/24");
            },
            20000);
        QVERIFY2(up, m_log.constData());
        // Configured through the UAPI: the key in the code is the server's, the router its peer.
        const auto code = PairingCode::parse(m_code).code;
        QVERIFY(code);
        QString error;
        const auto device = WireGuardUapi(m_serverIf).get(&error);
        QVERIFY2(device, qPrintable(error));
        QCOMPARE(wireguard::publicKeyOf(device->privateKey), code->serverPublicKey);
        QCOMPARE(device->listenPort, 51820);
        QCOMPARE(device->peers.size(), 1);
        QCOMPARE(device->peers[0].publicKey, wireguard::publicKeyOf(code->clientPrivateKey));
        // With mptcpize, ss-server's MPTCP side: the server accepts a subflow per WAN.
        if (!QStandardPaths::findExecutable(QStringLiteral("mptcpize")).isEmpty()) {
            const ExecResult limits = Lab::exec(m_lab.internetNs(), {QStringLiteral("ip"), QStringLiteral("mptcp"),
                                                                     QStringLiteral("limits"), QStringLiteral("show")});
            QVERIFY2(limits.output.contains("subflows 8"), limits.output.constData());
        }
        // Its firewall table is in place.
        const ExecResult table =
            Lab::exec(m_lab.internetNs(), {QStringLiteral("nft"), QStringLiteral("list"), QStringLiteral("table"),
                                           QStringLiteral("inet"), QStringLiteral("smoothwan_server")});
        QVERIFY2(table.ok() && table.output.contains("masquerade"), table.errorOutput.constData());
    }

    // The router side, as the daemon will do it: everything from the code.
    void routerWithTheCodeReachesTheServerAndBeyond()
    {
        QVERIFY(m_server.state() == QProcess::Running);
        const auto parsed = PairingCode::parse(m_code);
        QVERIFY2(parsed.code, qPrintable(parsed.message));
        const PairingCode code = *parsed.code;
        const QString router = m_lab.routerNs();

        const QString keyFile = m_dir.filePath(QStringLiteral("client-relay.key"));
        QFile key(keyFile);
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        key.write(code.relayKeyHex().toLatin1() + '\n');
        key.close();
        QStringList relayArgs {QStringLiteral("netns"),
                               QStringLiteral("exec"),
                               router,
                               QStringLiteral(SMOOTHWAN_RELAY_BIN),
                               QStringLiteral("--role"),
                               QStringLiteral("client"),
                               QStringLiteral("--key-file"),
                               keyFile,
                               QStringLiteral("--local"),
                               QStringLiteral("127.0.0.1:%1").arg(ClientRelayPort),
                               QStringLiteral("--server"),
                               QStringLiteral("%1:%2").arg(code.serverAddress).arg(code.relayPort)};
        for (int wan = 0; wan < 2; ++wan)
            relayArgs << QStringLiteral("--path")
                      << QStringLiteral("%1=%2,%3").arg(wan + 1).arg(Lab::wanInterface(wan), Lab::wanAddress(wan));
        m_relay.setProcessChannelMode(QProcess::ForwardedChannels);
        m_relay.start(QStringLiteral("ip"), relayArgs);
        QVERIFY(m_relay.waitForStarted(5000));

        m_wgClient.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_wgClient.start(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("exec"), router, m_wireguardGo,
                                                QStringLiteral("-f"), m_clientIf});
        QVERIFY(m_wgClient.waitForStarted(5000));
        WireGuardUapi uapi(m_clientIf);
        QVERIFY(waitFor([&] { return uapi.exists(); }));
        WireGuardUapi::Config c;
        c.privateKey = code.clientPrivateKey;
        WireGuardUapi::Peer peer;
        peer.publicKey = code.serverPublicKey;
        peer.endpoint = QStringLiteral("127.0.0.1:%1").arg(ClientRelayPort);
        peer.allowedIps = {code.serverTunnelAddress + QStringLiteral("/32"), BeyondHost + QStringLiteral("/32")};
        peer.persistentKeepalive = 1;
        c.peers = {peer};
        QString error;
        QVERIFY2(uapi.set(c, &error), qPrintable(error));
        QVERIFY(ip(router, {QStringLiteral("address"), QStringLiteral("add"),
                            code.clientTunnelAddress + QLatin1Char('/') + QString::number(code.tunnelPrefix),
                            QStringLiteral("dev"), m_clientIf}));
        QVERIFY(ip(router, {QStringLiteral("link"), QStringLiteral("set"), m_clientIf, QStringLiteral("mtu"),
                            QStringLiteral("1368"), QStringLiteral("up")}));
        QVERIFY(ip(router, {QStringLiteral("route"), QStringLiteral("add"), BeyondHost + QStringLiteral("/32"),
                            QStringLiteral("dev"), m_clientIf}));

        // The first packets wait for the handshake.
        QVERIFY2(waitFor([&] { return ping(router, code.serverTunnelAddress); }, 20000),
                 "the server's tunnel address does not answer through WireGuard and the relays");
        // Beyond the VPS: that host has no route to the tunnel, so its answer proves the masquerade.
        QVERIFY2(waitFor([&] { return ping(router, BeyondHost, code.clientTunnelAddress); }, 10000),
                 "the host behind the VPS does not answer: no masquerade?");
        // Both WANs carried the relay's frames.
        for (int wan = 0; wan < 2; ++wan)
            QVERIFY(m_lab.ispPacketCount(wan) > 0);
        // A link cut: the tunnel keeps working over the other WAN.
        QVERIFY(m_lab.cut(0));
        QVERIFY(waitFor([&] { return ping(router, code.serverTunnelAddress); }, 10000));
        QVERIFY(m_lab.restore(0));
    }

    void firewallAcceptsOnlyItsPorts()
    {
        QVERIFY(m_server.state() == QProcess::Running);
        const QString router = m_lab.routerNs();
        // SSH's port is let in (nothing listens in the lab: refused, not dropped).
        QCOMPARE(tcpConnect(router, PublicAddress, 22), Connect::Refused);
        // Any other port: the SYN is dropped.
        QCOMPARE(tcpConnect(router, PublicAddress, 9999), Connect::TimedOut);
        // ss-server listens on its port (when shadowsocks-libev is installed).
        if (!QStandardPaths::findExecutable(QStringLiteral("ss-server")).isEmpty())
            QVERIFY(waitFor([&] { return tcpConnect(router, PublicAddress, 8388) == Connect::Connected; }));
        else
            qInfo() << "ss-server not installed: its port not checked";
    }

    // wireguard-go killed on the server: the service restarts and reconfigures it, and the router's
    // tunnel comes back by itself (WireGuard re-handshakes).
    void killedWireguardGoIsRestartedAndReconfigured()
    {
        QVERIFY(m_server.state() == QProcess::Running);
        const auto code = PairingCode::parse(m_code).code;
        QVERIFY(code);
        // Our server's wireguard-go: the process whose command line is exactly `wireguard-go -f <if>`.
        qint64 pid = 0;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
            if (!entry.at(0).isDigit() || !cmdline.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> argv = cmdline.readAll().split('\0');
            if (argv.size() >= 3 && argv[0].endsWith("wireguard-go") && argv[1] == "-f" &&
                argv[2] == m_serverIf.toLatin1())
                pid = entry.toLongLong();
        }
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY(waitFor(
            [&] {
                return !Lab::exec(m_lab.internetNs(), {QStringLiteral("ip"), QStringLiteral("link"),
                                                       QStringLiteral("show"), QStringLiteral("dev"), m_serverIf})
                            .ok();
            },
            5000));
        QVERIFY2(waitFor([&] { return ping(m_lab.routerNs(), code->serverTunnelAddress); }, 60000), m_log.constData());
        QVERIFY(m_log.count("wireguard-go is running") >= 2);
    }

    void sigtermRemovesWhatItSetUp()
    {
        QVERIFY(m_server.state() == QProcess::Running);
        m_server.terminate();
        QVERIFY(m_server.waitForFinished(20000));
        m_log += m_server.readAll();
        qInfo().noquote() << "server log:\n" << m_log;
        QVERIFY2(m_server.exitStatus() == QProcess::NormalExit && m_server.exitCode() == 0, m_log.constData());
        // It ran every part and stopped cleanly.
        QVERIFY(m_log.contains(QByteArray("WireGuard " + m_serverIf.toLatin1() + " up")));
        QVERIFY(!m_log.contains("<3>"));
        QVERIFY(!Lab::exec(m_lab.internetNs(), {QStringLiteral("nft"), QStringLiteral("list"), QStringLiteral("table"),
                                                QStringLiteral("inet"), QStringLiteral("smoothwan_server")})
                     .ok());
        QVERIFY(waitFor([&] {
            return !Lab::exec(m_lab.internetNs(), {QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("show"),
                                                   QStringLiteral("dev"), m_serverIf})
                        .ok();
        }));
        QVERIFY(!WireGuardUapi(m_serverIf).exists());
        // The port the firewall dropped is reachable again (refused by the kernel).
        QCOMPARE(tcpConnect(m_lab.routerNs(), PublicAddress, 9999), Connect::Refused);
    }
};

QTEST_GUILESS_MAIN(TestServerLab)
#include "tst_server_lab.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerRunner.h"

#include "AtomicFile.h"
#include "NetlinkMptcpEndpoints.h"
#include "WireGuardUapi.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcServer, "smoothwan.server", QtInfoMsg)

namespace smoothwan::server {

namespace {

constexpr int ConfigureRetryMs = 200;
constexpr int ConfigureAttempts = 100; // 20 s for wireguard-go to open its socket
constexpr std::uint32_t MaxSubflows = 8;

const QLatin1String TableName("smoothwan_server");

} // namespace

ServerRunner::ServerRunner(ServerState state, QString stateDir, Programs programs, bool firewall, QObject *parent)
    : QObject(parent)
    , m_state(std::move(state))
    , m_stateDir(std::move(stateDir))
    , m_programs(std::move(programs))
    , m_firewall(firewall)
{
    m_configureTimer.setInterval(ConfigureRetryMs);
    connect(&m_configureTimer, &QTimer::timeout, this, &ServerRunner::configureWireGuard);
}

ServerRunner::~ServerRunner()
{
    stop();
}

QString ServerRunner::nftScript(const ServerState &s)
{
    const QString iface = s.interfaceName;
    // Declared, deleted and made again in one transaction: a restart replaces our table whole.
    return QStringLiteral("table inet %1 {}\n"
                          "delete table inet %1\n"
                          "table inet %1 {\n"
                          "    chain input {\n"
                          "        type filter hook input priority filter; policy accept;\n"
                          "        iifname \"lo\" accept\n"
                          "        ct state established,related accept\n"
                          "        ct state invalid drop\n"
                          "        iifname \"%2\" accept\n"
                          "        meta l4proto { icmp, ipv6-icmp } accept\n"
                          "        tcp dport %3 accept\n"
                          "        udp dport %4 accept\n"
                          "        tcp dport %5 accept\n"
                          "        ct state new drop\n"
                          "    }\n"
                          "    chain forward {\n"
                          "        type filter hook forward priority filter; policy accept;\n"
                          "        iifname \"%2\" accept\n"
                          "        oifname \"%2\" ct state established,related accept\n"
                          "        oifname \"%2\" drop\n"
                          "    }\n"
                          "    chain postrouting {\n"
                          "        type nat hook postrouting priority srcnat; policy accept;\n"
                          "        ip saddr %6 oifname != \"%2\" masquerade\n"
                          "    }\n"
                          "}\n")
        .arg(TableName, iface)
        .arg(s.sshPort)
        .arg(s.relayPort)
        .arg(s.shadowsocksPort)
        .arg(s.tunnelNetwork());
}

int ServerRunner::sendBufferFor(int downlinkMbit)
{
    const double bytes = double(downlinkMbit) * 1e6 / 8 * 0.130;
    const int rounded = int(std::ceil(bytes / 16384.0)) * 16384;
    return std::max(rounded, 65536);
}

QByteArray ServerRunner::shadowsocksConfig(const ServerState &s)
{
    QJsonObject o;
    o[QStringLiteral("server")] =
        s.publicAddress.contains(QLatin1Char(':')) ? QStringLiteral("::") : QStringLiteral("0.0.0.0");
    o[QStringLiteral("server_port")] = s.shadowsocksPort;
    o[QStringLiteral("password")] = s.pairingCode().shadowsocksPasswordText();
    o[QStringLiteral("method")] = QStringLiteral("chacha20-ietf-poly1305");
    o[QStringLiteral("mode")] = QStringLiteral("tcp_only");
    o[QStringLiteral("timeout")] = 300;
    return QJsonDocument(o).toJson();
}

bool ServerRunner::runTool(const QString &program, const QStringList &arguments, const QByteArray &input,
                           QString *error)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, arguments);
    if (!p.waitForStarted(5000)) {
        *error = QStringLiteral("cannot run %1: %2").arg(program, p.errorString());
        return false;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        *error = QStringLiteral("%1 did not finish").arg(program);
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3")
                     .arg(program, arguments.join(u' '), QString::fromLocal8Bit(p.readAll().trimmed().left(500)));
        return false;
    }
    return true;
}

std::unique_ptr<ProcessSupervisor> ServerRunner::supervise(const QString &name, const QString &program,
                                                           const QStringList &arguments, const QString &hint)
{
    ProcessSupervisor::Options o;
    o.name = name;
    o.program = program;
    o.arguments = arguments;
    o.installHint = hint;
    o.initialBackoffMs = 1000;
    o.maxBackoffMs = 30000;
    o.crashLoopExits = 1000000; // a server keeps trying, with backoff
    auto s = std::make_unique<ProcessSupervisor>(m_clock, o);
    connect(s.get(), &ProcessSupervisor::lineReceived, this,
            [name](const QString &line) { qCInfo(lcServer).noquote() << name + QStringLiteral(":") << line; });
    connect(s.get(), &ProcessSupervisor::stateChanged, this, [this, name, sup = s.get()](ProcessSupervisor::State st) {
        qCInfo(lcServer).noquote() << name << ProcessSupervisor::stateName(st) << sup->message();
        if (st == ProcessSupervisor::State::NotInstalled)
            Q_EMIT fatal(sup->message());
    });
    return s;
}

bool ServerRunner::start(QString *error)
{
    // What cannot be done without, before touching anything.
    const QString wgGo = ProcessSupervisor::findExecutable(m_programs.wireguardGo);
    if (wgGo.isEmpty()) {
        *error = QStringLiteral("wireguard-go is not installed (apt install wireguard-go)");
        return false;
    }
    const QString relay = ProcessSupervisor::findExecutable(m_programs.relay);
    if (relay.isEmpty()) {
        *error = QStringLiteral("smoothwan-relay (%1) is not installed").arg(m_programs.relay);
        return false;
    }
    // Secrets for the children, 0600 in the state directory.
    const QString keyFile = QDir(m_stateDir).filePath(QStringLiteral("relay.key"));
    auto w = writeAtomically(keyFile, m_state.relayKey.toHex() + '\n', 0600);
    if (!w.ok) {
        *error = w.error;
        return false;
    }
    const QString ssFile = QDir(m_stateDir).filePath(QStringLiteral("ss-server.json"));
    w = writeAtomically(ssFile, shadowsocksConfig(m_state), 0600);
    if (!w.ok) {
        *error = w.error;
        return false;
    }

    QFile forwarding(QStringLiteral("/proc/sys/net/ipv4/ip_forward"));
    if (!forwarding.open(QIODevice::WriteOnly) || forwarding.write("1\n") != 2)
        qCWarning(lcServer) << "cannot enable IPv4 forwarding:" << forwarding.errorString();
    forwarding.close();

    if (m_downlinkMbit > 0) {
        QFile wmem(QStringLiteral("/proc/sys/net/ipv4/tcp_wmem"));
        if (wmem.open(QIODevice::ReadOnly))
            m_savedWmem = wmem.readAll().simplified();
        wmem.close();
        const QList<QByteArray> fields = m_savedWmem.split(' ');
        const QByteArray value = (fields.size() == 3 ? fields[0] + ' ' + fields[1] : QByteArray("4096 16384")) + ' ' +
                                 QByteArray::number(sendBufferFor(m_downlinkMbit)) + '\n';
        if (!wmem.open(QIODevice::WriteOnly) || wmem.write(value) != value.size()) {
            qCWarning(lcServer) << "cannot set net.ipv4.tcp_wmem:" << wmem.errorString();
            m_savedWmem.clear();
        } else {
            qCInfo(lcServer).noquote() << "TCP send buffer capped at" << sendBufferFor(m_downlinkMbit) << "bytes for"
                                       << m_downlinkMbit << "Mbit/s of router downlink";
        }
    }

    if (m_firewall) {
        if (!runTool(m_programs.nft, {QStringLiteral("-f"), QStringLiteral("-")}, nftScript(m_state).toUtf8(), error))
            return false;
        m_firewallApplied = true;
        qCInfo(lcServer) << "nftables table inet" << TableName << "in place";
    }

    m_wireguard = supervise(QStringLiteral("wireguard-go"), wgGo, {QStringLiteral("-f"), m_state.interfaceName},
                            QStringLiteral("apt install wireguard-go"));
    connect(m_wireguard.get(), &ProcessSupervisor::stateChanged, this, [this](ProcessSupervisor::State st) {
        if (st == ProcessSupervisor::State::Running) {
            m_configureAttempts = 0;
            m_configureTimer.start();
        } else {
            m_configureTimer.stop();
        }
    });

    m_relay = supervise(QStringLiteral("smoothwan-relay"), relay,
                        {QStringLiteral("--role"), QStringLiteral("server"), QStringLiteral("--key-file"), keyFile,
                         QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(m_state.relayPort),
                         QStringLiteral("--forward"), QStringLiteral("127.0.0.1:%1").arg(m_state.wireguardPort),
                         QStringLiteral("--control"), QDir(m_stateDir).filePath(QStringLiteral("relay.sock"))},
                        QStringLiteral("install the smoothwan package"));

    const QString ss = ProcessSupervisor::findExecutable(m_programs.shadowsocks);
    if (ss.isEmpty()) {
        qCWarning(lcServer) << "ss-server is not installed (apt install shadowsocks-libev): TCP is carried by "
                               "WireGuard only, without MPTCP aggregation";
    } else {
        const QString mptcpize = ProcessSupervisor::findExecutable(m_programs.mptcpize);
        const QStringList ssArgs {QStringLiteral("-c"), ssFile};
        if (mptcpize.isEmpty()) {
            qCWarning(lcServer) << "mptcpize is not installed (apt install mptcpd): ss-server runs on plain TCP";
            m_shadowsocks =
                supervise(QStringLiteral("ss-server"), ss, ssArgs, QStringLiteral("apt install shadowsocks-libev"));
        } else {
            m_shadowsocks =
                supervise(QStringLiteral("ss-server"), mptcpize, QStringList {QStringLiteral("run"), ss} + ssArgs,
                          QStringLiteral("apt install mptcpd shadowsocks-libev"));
            enableMptcp();
        }
    }

    m_wireguard->start();
    m_relay->start();
    if (m_shadowsocks)
        m_shadowsocks->start();
    return true;
}

void ServerRunner::enableMptcp()
{
    // The router opens one subflow per WAN to the server's one address: the server accepts up to
    // MaxSubflows of them per connection (the kernel's default limit may be 0 or 2).
    QFile enabled(QStringLiteral("/proc/sys/net/mptcp/enabled"));
    if (!enabled.open(QIODevice::WriteOnly) || enabled.write("1\n") != 2) {
        qCWarning(lcServer) << "cannot enable MPTCP (/proc/sys/net/mptcp/enabled):" << enabled.errorString();
        return;
    }
    NetlinkMptcpEndpoints endpoints;
    QString error;
    if (!endpoints.setLimits({MaxSubflows, MaxSubflows}, &error))
        qCWarning(lcServer).noquote() << "cannot raise the MPTCP limits:" << error;
}

void ServerRunner::configureWireGuard()
{
    if (++m_configureAttempts > ConfigureAttempts) {
        m_configureTimer.stop();
        qCCritical(lcServer) << "wireguard-go did not accept its configuration; restarting it";
        m_wireguard->restart();
        return;
    }
    WireGuardUapi uapi(m_state.interfaceName);
    if (!uapi.exists())
        return; // not listening yet
    WireGuardUapi::Config c;
    c.privateKey = m_state.serverPrivateKey;
    c.listenPort = m_state.wireguardPort;
    WireGuardUapi::Peer peer;
    peer.publicKey = wireguard::publicKeyOf(m_state.clientPrivateKey);
    peer.allowedIps = {m_state.clientTunnelAddress + QStringLiteral("/32")};
    c.peers = {peer};
    QString error;
    if (!uapi.set(c, &error)) {
        qCWarning(lcServer).noquote() << error;
        return;
    }
    const QString address = m_state.serverTunnelAddress + QLatin1Char('/') + QString::number(m_state.tunnelPrefix);
    if (!uapi.bringUp(address, m_state.mtu, &error)) {
        qCWarning(lcServer).noquote() << error;
        return;
    }
    m_configureTimer.stop();
    qCInfo(lcServer).noquote() << QStringLiteral("WireGuard %1 up: %2, port %3 (firewalled: reached through the relay "
                                                 "on port %4)")
                                      .arg(m_state.interfaceName, address)
                                      .arg(m_state.wireguardPort)
                                      .arg(m_state.relayPort);
}

void ServerRunner::stop()
{
    m_configureTimer.stop();
    // The destructors stop the children synchronously (SIGTERM, then SIGKILL).
    m_shadowsocks.reset();
    m_relay.reset();
    m_wireguard.reset(); // wireguard-go removes its interface and socket as it exits
    if (!m_savedWmem.isEmpty()) {
        QFile wmem(QStringLiteral("/proc/sys/net/ipv4/tcp_wmem"));
        if (!wmem.open(QIODevice::WriteOnly) || wmem.write(m_savedWmem + '\n') != m_savedWmem.size() + 1)
            qCWarning(lcServer) << "cannot restore net.ipv4.tcp_wmem:" << wmem.errorString();
        m_savedWmem.clear();
    }
    if (m_firewallApplied) {
        QString error;
        if (!runTool(m_programs.nft,
                     {QStringLiteral("delete"), QStringLiteral("table"), QStringLiteral("inet"), TableName}, {},
                     &error))
            qCWarning(lcServer).noquote() << error;
        m_firewallApplied = false;
    }
}

} // namespace smoothwan::server

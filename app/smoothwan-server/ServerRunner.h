// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Clock.h"
#include "ProcessSupervisor.h"
#include "ServerState.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace smoothwan::server {

// `smoothwan-server run`: sets up the server ends and supervises them.
//
//  - wireguard-go on the configured interface, configured through its UAPI socket (keys, listen
//    port on which only the relay talks to it, the router as its one peer), then the tunnel
//    address, MTU and link state (rtnetlink);
//  - smoothwan-relay --role server, listening on the relay port, forwarding to WireGuard;
//  - ss-server (shadowsocks-libev) on the ss port, under `mptcpize run` when mptcpize exists
//    (then MPTCP is switched on and the namespace's limits raised to 8 subflows per connection);
//  - IPv4 forwarding and one nftables table, inet smoothwan_server (fed to `nft -f -` on stdin):
//    masquerade of the tunnel subnet, the relay/ss/ssh ports and established traffic accepted,
//    any other new inbound connection dropped; nothing from outside into the tunnel.
//
// Children are restarted with backoff (ProcessSupervisor); wireguard-go is reconfigured after
// each restart. stop() stops them all and removes the nftables table; the interface goes with
// wireguard-go.
class ServerRunner : public QObject
{
    Q_OBJECT

public:
    struct Programs
    {
        QString wireguardGo = QStringLiteral("wireguard-go");
        QString relay = QStringLiteral("smoothwan-relay");
        QString shadowsocks = QStringLiteral("ss-server");
        QString mptcpize = QStringLiteral("mptcpize");
        QString nft = QStringLiteral("nft");
    };

    ServerRunner(ServerState state, QString stateDir, Programs programs, bool firewall, QObject *parent = nullptr);
    ~ServerRunner() override;

    // False (with *error) when something essential cannot be set up.
    bool start(QString *error);
    void stop();

    // The sum of the router's WAN download rates: TCP's send buffer is capped to what they carry in
    // 130 ms (tcp_wmem max, this namespace), so after a WAN cut the kernel's re-injection of the
    // whole MPTCP queue stalls a download for about 2 x 130 ms instead of up to seconds. 0: the
    // kernel's autotuning (the default). Restored on stop().
    void setRouterDownlinkMbit(int mbit) { m_downlinkMbit = mbit; }
    static int sendBufferFor(int downlinkMbit); // bytes: rounded up to 16 KiB, at least 64 KiB

    static QString nftScript(const ServerState &state);
    static QByteArray shadowsocksConfig(const ServerState &state);

Q_SIGNALS:
    void fatal(const QString &message);

private:
    std::unique_ptr<ProcessSupervisor> supervise(const QString &name, const QString &program,
                                                 const QStringList &arguments, const QString &hint);
    void configureWireGuard();
    void enableMptcp();
    bool runTool(const QString &program, const QStringList &arguments, const QByteArray &input, QString *error);

    ServerState m_state;
    QString m_stateDir;
    Programs m_programs;
    bool m_firewall;
    bool m_firewallApplied = false;
    SystemClock m_clock;
    int m_downlinkMbit = 0;
    QByteArray m_savedWmem; // tcp_wmem before we changed it
    std::unique_ptr<ProcessSupervisor> m_wireguard, m_relay, m_shadowsocks;
    QTimer m_configureTimer;
    int m_configureAttempts = 0;
};

} // namespace smoothwan::server

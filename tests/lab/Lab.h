// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <memory>
#include <vector>

class QProcess;

namespace smoothwan::lab {

Q_DECLARE_LOGGING_CATEGORY(lcLab)

// The output of one command run by the lab.
struct ExecResult
{
    int exitCode = -1; // -1: could not start, crashed or timed out
    QByteArray output;
    QByteArray errorOutput;
    bool ok() const { return exitCode == 0; }
};

struct LabOptions
{
    int rateKbit = 0;       // initial shaping of every WAN (both directions); 0 = unshaped
    double lossPercent = 0; // initial random loss of every WAN, per direction
    int lanSubnet = 50;     // the LAN is 192.168.<lanSubnet>.0/24
    QStringList targets = defaultTargets();
    bool sweepStale = true; // remove labs left behind by dead processes before creating

    // Addresses held by the internet namespace: three benchmark addresses, plus the public resolvers
    // a default configuration probes, so the daemon runs unchanged inside the lab.
    static QStringList defaultTargets();
};

// A throw-away network for integration tests and demos (needs root):
//
//   lan ns            router ns                    isp<i> ns                       internet ns
//   eth0 .2 ──── lan0 192.168.X.1   wan<i> 100.64.i.2 ── isp<i> 100.64.i.1
//                                                        uplink 198.19.i.2 ──── isp<i> 198.19.i.1
//                                                                                lo: targets (198.18.0.1 …)
//
// The router masquerades LAN traffic on every wan<i>; its main table holds one default route per WAN
// with metric 100 + i, and ignore_routes_with_linkdown=1 makes the kernel skip a WAN without carrier.
// ISPs route plainly (no NAT); the internet knows the way back to each 100.64.i.0/24.
// Each ISP counts the IPv4 packets it forwards in nft named counters (table inet swlab): "upstream"
// (from the router) and "downstream" (to the router), counted before any impairment drops them.
//
// Namespace names are "swlab<pid>x<n>-<role>"; interface names exist only inside their namespaces.
// A lab is removed on destroy(), by the destructor and when create() fails half-way; labs whose
// owner process died (SIGKILL) are removed by sweepStale() (run by create()).
class Lab
{
public:
    enum class Direction { Upstream, Downstream };

    Lab();
    ~Lab();
    Lab(const Lab &) = delete;
    Lab &operator=(const Lab &) = delete;

    bool create(int wans, const LabOptions &options = {});
    // Operates on a lab created by another process (prefix "swlab<pid>x<n>"); never destroys it.
    bool attach(const QString &prefix);
    void destroy();
    bool isValid() const { return m_wans > 0; }
    QString errorString() const { return m_error; }

    // Link down on the ISP side: the router's wan<i> loses carrier.
    bool cut(int wan);
    // The link stays up and the ISP gateway still answers, but nothing is forwarded either way.
    bool blackhole(int wan);
    // Replaces any blackhole or earlier impairment of the WAN: tbf at rateKbit on both ISP egresses
    // (0 = unshaped) and random drops of lossPercent in each direction (round trip ≈ 1-(1-p)²).
    bool impair(int wan, int rateKbit, double lossPercent);
    // Link up, no shaping, no drops.
    bool restore(int wan);

    // IPv4 packets forwarded by ISP i in that direction since the lab was created; -1 on error.
    qint64 ispPacketCount(int wan, Direction direction = Direction::Upstream) const;

    // Runs argv inside a namespace (root namespace when ns is empty), stdin from input.
    static ExecResult exec(const QString &ns, const QStringList &argv, const QByteArray &input = {},
                           int timeoutMs = 30000);

    // Servers in the internet namespace, stopped by destroy(). They return once the port listens.
    bool startIperfServer(quint16 port = 5201);
    bool startUdpEcho(quint16 port = 7);
    // A bonding engine's tunnel in the router: a TUN device held open (so it has carrier) with the
    // address `cidr`, up; stopTunnel() removes it as an engine crash would.
    bool startTunnel(const QString &name, const QString &cidr);
    void stopTunnel();
    // Packets the router has routed into the tunnel (ours, or the named device); -1 without one.
    qint64 tunnelPackets(const QString &device = {}) const;
    // A host behind the internet namespace, as the rest of the internet seen from a VPS the internet
    // namespace plays: namespace beyondNs(), address beyondHost() on a veth whose other end,
    // beyondGateway(), is in the internet namespace. It has no route to anything else, so what
    // reaches it from the router came through the internet namespace's NAT. Removed by destroy().
    bool addHostBeyond();
    QString beyondNs() const { return nsName(QStringLiteral("beyond")); }
    static QString beyondGateway() { return QStringLiteral("203.0.113.1"); }
    static QString beyondHost() { return QStringLiteral("203.0.113.2"); }
    // A DNS server that answers every query with "refused": enough for DNS liveness probes.
    bool startDnsResponder(quint16 port = 53);

    QString prefix() const { return m_prefix; }
    int wanCount() const { return m_wans; }
    QString routerNs() const { return nsName(QStringLiteral("router")); }
    QString internetNs() const { return nsName(QStringLiteral("inet")); }
    QString lanNs() const { return nsName(QStringLiteral("lan")); }
    QString ispNs(int wan) const { return nsName(QStringLiteral("isp%1").arg(wan)); }
    QStringList namespaces() const;
    QStringList targets() const { return m_options.targets; }
    QString lanRouterAddress() const { return QStringLiteral("192.168.%1.1").arg(m_options.lanSubnet); }
    QString lanClientAddress() const { return QStringLiteral("192.168.%1.2").arg(m_options.lanSubnet); }

    static QString wanInterface(int wan) { return QStringLiteral("wan%1").arg(wan); }
    static QString wanAddress(int wan) { return QStringLiteral("100.64.%1.2").arg(wan); }
    static QString ispGateway(int wan) { return QStringLiteral("100.64.%1.1").arg(wan); }
    static int wanMetric(int wan) { return 100 + wan; }

    // key=value facts for scripts (namespace names, interfaces, addresses), in a stable order.
    QList<QPair<QString, QString>> describe() const;

    // Names of all lab namespaces on the machine, and the removal of those whose owner is gone.
    static QStringList existingNamespaces(const QString &prefix = {});
    static int sweepStale();
    // The UDP echo tool built with the lab (server and counting client).
    static QString udpEchoProgram();

    static constexpr int MaxWans = 16;

private:
    QString nsName(const QString &role) const { return m_prefix + QLatin1Char('-') + role; }
    bool checkWan(int wan);
    bool run(const QString &what, const QStringList &argv, const QByteArray &input = {});
    bool ipBatch(const QString &ns, const QStringList &lines);
    bool nft(const QString &ns, const QString &script);
    bool writeSysctls(const QString &ns, const QList<QPair<QByteArray, QByteArray>> &values);
    bool setShaping(int wan, int rateKbit);
    bool startServer(const QStringList &argv, quint16 port, bool udp);
    bool waitListening(quint16 port, bool udp);
    bool build();
    void stopServers();
    static void removeNamespaces(const QStringList &names);

    QString m_prefix;
    int m_wans = 0;
    bool m_owned = false;
    LabOptions m_options;
    QString m_error;
    std::vector<std::unique_ptr<QProcess>> m_servers;
    std::unique_ptr<QProcess> m_tunnel;
    QString m_tunnelName;
};

// Moves the calling thread into the network namespace `ns` (a name under /run/netns) and back
// when it is destroyed or leave() is called. For tests whose sockets must live in the lab's
// router (the daemon listens on the router's loopback).
class ThreadInNamespace
{
public:
    explicit ThreadInNamespace(const QString &ns);
    ~ThreadInNamespace();
    ThreadInNamespace(const ThreadInNamespace &) = delete;
    ThreadInNamespace &operator=(const ThreadInNamespace &) = delete;

    bool ok() const { return m_ok; }
    QString errorString() const { return m_error; }
    void leave();

private:
    int m_home = -1;
    bool m_ok = false;
    QString m_error;
};

} // namespace smoothwan::lab

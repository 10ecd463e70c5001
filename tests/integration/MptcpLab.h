// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// SmoothWAN's own engine, TCP aggregation, in the lab: shared by tst_mptcp_lab and bench_mptcp.
// MptcpPath sets a lab up so the LAN client's TCP to the internet goes through ss-redir (router)
// and ss-server (internet namespace), both under `mptcpize run`, over kernel MPTCP with one
// endpoint per WAN kept by MptcpManager (NetlinkMptcpEndpoints in the router namespace). Sender
// and Download are the two ends of a download, each socket created in its own namespace.
#include "Lab.h"
#include "MptcpManager.h"
#include "NetlinkMptcpEndpoints.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QStandardPaths>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace smoothwan::test::mptcp {

inline const QLoggingCategory &lcMptcpLab()
{
    static const QLoggingCategory category("smoothwan.test.mptcp");
    return category;
}

inline const QString ServerAddress = QStringLiteral("198.18.0.1"); // in the internet namespace (lo)
constexpr quint16 SinkPort = 9100;                                 // the sender (this process)
constexpr quint16 SsServerPort = 8388;
constexpr quint16 SsRedirPort = 12345;
constexpr int RateKbit = 10000;
inline const QString Method = QStringLiteral("chacha20-ietf-poly1305");

// The calling thread in another network namespace for the lifetime of the object.
class InNamespace
{
public:
    explicit InNamespace(const QString &ns)
    {
        m_self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        const int target = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        m_ok = m_self >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
        if (target >= 0)
            ::close(target);
    }
    ~InNamespace()
    {
        if (m_ok)
            ::setns(m_self, CLONE_NEWNET);
        if (m_self >= 0)
            ::close(m_self);
    }
    InNamespace(const InNamespace &) = delete;
    InNamespace &operator=(const InNamespace &) = delete;
    bool ok() const { return m_ok; }

private:
    int m_self = -1;
    bool m_ok = false;
};

inline sockaddr_in socketAddress(const QString &address, quint16 port)
{
    sockaddr_in sa = {};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, address.toLatin1().constData(), &sa.sin_addr);
    return sa;
}

// Sends endless data to every connection, keeping a little queued.
class Sender : public QObject
{
public:
    bool listen(const QString &ns)
    {
        int fd = -1;
        {
            InNamespace in(ns);
            if (!in.ok())
                return false;
            fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            const sockaddr_in sa = socketAddress(ServerAddress, SinkPort);
            if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr *>(&sa), sizeof sa) != 0 || ::listen(fd, 8) != 0) {
                if (fd >= 0)
                    ::close(fd);
                return false;
            }
        }
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::bytesWritten, s, [s] { fill(s); });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                fill(s);
            }
        });
        return m_server.setSocketDescriptor(fd);
    }

private:
    static void fill(QTcpSocket *s)
    {
        static const QByteArray chunk(64 * 1024, 'x');
        while (s->state() == QAbstractSocket::ConnectedState && s->bytesToWrite() < 256 * 1024)
            s->write(chunk);
    }
    QTcpServer m_server;
};

// A download from the LAN: the receive timeline.
class Download : public QObject
{
public:
    bool start(const QString &ns)
    {
        int fd = -1;
        {
            InNamespace in(ns);
            if (!in.ok())
                return false;
            fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const sockaddr_in sa = socketAddress(ServerAddress, SinkPort);
            if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&sa), sizeof sa) != 0) {
                if (fd >= 0)
                    ::close(fd);
                return false;
            }
        }
        m_clock.start();
        QObject::connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            const qint64 n = m_socket.skip(m_socket.bytesAvailable());
            if (n > 0) {
                m_total += n;
                m_samples.push_back({m_clock.nsecsElapsed(), m_total});
            }
        });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (m_error.isEmpty())
                m_error = QStringLiteral("%1 (%2) after %3 bytes").arg(m_socket.errorString()).arg(e).arg(m_total);
        });
        return m_socket.setSocketDescriptor(fd);
    }
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }
    qint64 total() const { return m_total; }
    QString error() const { return m_error; }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // Bytes received in [fromNs, toNs).
    qint64 bytesBetween(qint64 fromNs, qint64 toNs) const
    {
        qint64 before = 0, upTo = 0;
        for (const auto &s : m_samples) {
            if (s.ns < fromNs)
                before = s.total;
            if (s.ns < toNs)
                upTo = s.total;
        }
        return upTo - before;
    }
    // The longest time without a received byte in [fromNs, toNs), in ms.
    double longestGapMs(qint64 fromNs, qint64 toNs) const
    {
        qint64 last = fromNs, longest = 0;
        for (const auto &s : m_samples) {
            if (s.ns < fromNs)
                continue;
            if (s.ns >= toNs)
                break;
            longest = std::max(longest, s.ns - last);
            last = s.ns;
        }
        longest = std::max(longest, toNs - last);
        return double(longest) / 1e6;
    }
    // Every gap of at least minMs in [fromNs, toNs): (start - fromNs, length), in ms.
    QList<QPair<double, double>> gaps(qint64 fromNs, qint64 toNs, double minMs) const
    {
        QList<QPair<double, double>> out;
        qint64 last = fromNs;
        for (const auto &s : m_samples) {
            if (s.ns < fromNs)
                continue;
            if (s.ns >= toNs)
                break;
            if (double(s.ns - last) / 1e6 >= minMs)
                out.append({double(last - fromNs) / 1e6, double(s.ns - last) / 1e6});
            last = s.ns;
        }
        if (double(toNs - last) / 1e6 >= minMs)
            out.append({double(last - fromNs) / 1e6, double(toNs - last) / 1e6});
        return out;
    }
    void close() { m_socket.abort(); }

private:
    struct Sample
    {
        qint64 ns;
        qint64 total;
    };
    QTcpSocket m_socket;
    QElapsedTimer m_clock;
    qint64 m_total = 0;
    std::vector<Sample> m_samples;
    QString m_error;
};

inline void runEventLoop(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

// Runs the event loop for `ms` while sleeping between events (runEventLoop above polls and keeps a
// core busy, which the benchmark cannot afford on a small machine).
inline void waitEvents(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Why the MPTCP lab cannot run here, or an empty string.
inline QString missingPrerequisite()
{
    if (::geteuid() != 0)
        return QStringLiteral("needs root (network namespaces)");
    for (const char *tool : {"mptcpize", "ss-redir", "ss-server", "nft", "ss"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            return QStringLiteral("needs %1 (apt-get install mptcpize shadowsocks-libev nftables iproute2)")
                .arg(QString::fromLatin1(tool));
    }
    if (!QFile::exists(QStringLiteral("/proc/sys/net/mptcp/enabled")))
        return QStringLiteral("the kernel has no MPTCP");
    return {};
}

class MptcpPath
{
public:
    explicit MptcpPath(lab::Lab &lab)
        : m_lab(lab)
    { }
    ~MptcpPath() { stop(); }
    MptcpPath(const MptcpPath &) = delete;
    MptcpPath &operator=(const MptcpPath &) = delete;

    QString errorString() const { return m_error; }

    // Source rules per WAN, server limits, the manager with every WAN usable, ss-server, ss-redir,
    // the redirect of the LAN's TCP to 198.18.0.0/15.
    bool start()
    {
        const QString router = m_lab.routerNs();
        // MPTCP needs each subflow to leave through its own WAN: a source rule per WAN address
        // (the daemon's routing has them, 5100+n `from <WAN n address>`; here the lab gets its own).
        for (int i = 0; i < m_lab.wanCount(); ++i) {
            const QString table = QString::number(1000 + i);
            if (!ip(router, {QStringLiteral("route"), QStringLiteral("add"), QStringLiteral("default"),
                             QStringLiteral("via"), lab::Lab::ispGateway(i), QStringLiteral("dev"),
                             lab::Lab::wanInterface(i), QStringLiteral("table"), table}) ||
                !ip(router, {QStringLiteral("rule"), QStringLiteral("add"), QStringLiteral("from"),
                             lab::Lab::wanAddress(i), QStringLiteral("lookup"), table, QStringLiteral("pref"), table}))
                return false;
        }
        // The server accepts a join per WAN.
        if (!ip(m_lab.internetNs(),
                {QStringLiteral("mptcp"), QStringLiteral("limits"), QStringLiteral("set"), QStringLiteral("subflow"),
                 QStringLiteral("8"), QStringLiteral("add_addr_accepted"), QStringLiteral("8")}))
            return false;
        {
            InNamespace in(router);
            if (!in.ok())
                return fail(QStringLiteral("cannot enter %1").arg(router));
            m_endpoints = std::make_unique<NetlinkMptcpEndpoints>();
            m_manager = std::make_unique<MptcpManager>(m_endpoints.get());
        }
        QList<bool> all;
        for (int i = 0; i < m_lab.wanCount(); ++i)
            all.append(true);
        if (!manage(all))
            return false;
        const QString password = QString::number(QRandomGenerator::global()->generate64(), 16);
        if (!startDaemon(m_lab.internetNs(),
                         {QStringLiteral("ss-server"), QStringLiteral("-s"), ServerAddress, QStringLiteral("-p"),
                          QString::number(SsServerPort), QStringLiteral("-k"), password, QStringLiteral("-m"), Method},
                         SsServerPort) ||
            !startDaemon(router,
                         {QStringLiteral("ss-redir"), QStringLiteral("-s"), ServerAddress, QStringLiteral("-p"),
                          QString::number(SsServerPort), QStringLiteral("-b"), QStringLiteral("0.0.0.0"),
                          QStringLiteral("-l"), QString::number(SsRedirPort), QStringLiteral("-k"), password,
                          QStringLiteral("-m"), Method},
                         SsRedirPort))
            return false;
        return setRedirect(true);
    }

    // The LAN client's TCP to the internet goes to ss-redir (a test-owned table; in production the
    // routing manager's `inet smoothwan` table carries this rule), or straight out (plain TCP).
    bool setRedirect(bool on)
    {
        QString script = QStringLiteral("table ip swmptcptest {\n}\ndelete table ip swmptcptest\n");
        if (on)
            script += QStringLiteral("table ip swmptcptest {\n"
                                     "chain prerouting { type nat hook prerouting priority dstnat; policy accept; "
                                     "iifname \"lan0\" ip daddr 198.18.0.0/15 meta l4proto tcp redirect to :%1; }\n"
                                     "}\n")
                          .arg(SsRedirPort);
        const auto r = lab::Lab::exec(
            m_lab.routerNs(), {QStringLiteral("nft"), QStringLiteral("-f"), QStringLiteral("-")}, script.toUtf8());
        return r.ok() || fail(QStringLiteral("nft: %1").arg(QString::fromLocal8Bit(r.errorOutput)));
    }

    // WAN i of the lab is usable when usable[i]: what the daemon would pass on a WAN state change.
    bool manage(const QList<bool> &usable)
    {
        QList<MptcpWan> wans;
        for (int i = 0; i < usable.size(); ++i)
            wans.append({QStringLiteral("wan%1").arg(i), lab::Lab::wanInterface(i),
                         QHostAddress(lab::Lab::wanAddress(i)), usable[i], false});
        InNamespace in(m_lab.routerNs());
        QString error;
        if (!in.ok() || !m_manager->update(wans, &error))
            return fail(QStringLiteral("mptcp manager: %1").arg(error));
        return true;
    }

    // Runs `sysctl -w` (argument list) in the internet namespace (the VPS end) or the router.
    bool serverSysctl(const QString &assignment) { return sysctl(m_lab.internetNs(), assignment); }
    bool routerSysctl(const QString &assignment) { return sysctl(m_lab.routerNs(), assignment); }
    bool sysctl(const QString &ns, const QString &assignment)
    {
        const auto r =
            lab::Lab::exec(ns, {QStringLiteral("sysctl"), QStringLiteral("-q"), QStringLiteral("-w"), assignment});
        return r.ok() || fail(QStringLiteral("sysctl %1: %2").arg(assignment, QString::fromLocal8Bit(r.errorOutput)));
    }

    bool ip(const QString &ns, const QStringList &args)
    {
        const auto r = lab::Lab::exec(ns, QStringList {QStringLiteral("ip")} + args);
        return r.ok() ||
               fail(QStringLiteral("ip %1: %2").arg(args.join(u' '), QString::fromLocal8Bit(r.errorOutput).trimmed()));
    }

    void stop()
    {
        if (m_manager) {
            InNamespace in(m_lab.routerNs());
            QString error;
            m_manager->cleanup(&error);
            m_manager.reset();
            m_endpoints.reset();
        }
        for (auto &p : m_daemons) {
            p->kill();
            p->waitForFinished(3000);
        }
        m_daemons.clear();
    }

private:
    bool fail(const QString &error)
    {
        m_error = error;
        qCWarning(lcMptcpLab()).noquote() << error;
        return false;
    }

    // Runs argv under `mptcpize run` in a namespace; returns once `port` listens there.
    bool startDaemon(const QString &ns, const QStringList &argv, quint16 port)
    {
        auto p = std::make_unique<QProcess>();
        p->setProgram(QStringLiteral("ip"));
        p->setArguments(QStringList {QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral("mptcpize"),
                                     QStringLiteral("run")} +
                        argv);
        p->setStandardOutputFile(QProcess::nullDevice());
        p->setStandardErrorFile(QProcess::nullDevice());
        p->start();
        if (!p->waitForStarted(5000))
            return fail(QStringLiteral("cannot start %1").arg(argv.first()));
        m_daemons.push_back(std::move(p));
        for (int i = 0; i < 50; ++i) {
            const auto r = lab::Lab::exec(
                ns, {QStringLiteral("ss"), QStringLiteral("-Hltn"), QStringLiteral("sport = :%1").arg(port)});
            if (r.ok() && !r.output.trimmed().isEmpty())
                return true;
            QThread::msleep(100);
        }
        return fail(QStringLiteral("%1 does not listen on %2").arg(argv.first()).arg(port));
    }

    lab::Lab &m_lab;
    QString m_error;
    std::unique_ptr<NetlinkMptcpEndpoints> m_endpoints;
    std::unique_ptr<MptcpManager> m_manager;
    std::vector<std::unique_ptr<QProcess>> m_daemons;
};

} // namespace smoothwan::test::mptcp

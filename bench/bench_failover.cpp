// SPDX-License-Identifier: GPL-3.0-or-later
// Failover as the LAN sees it, in the lab with the real daemon (needs root), beside the bare
// kernel (static default routes with metrics, ignore_routes_with_linkdown=1, masquerade) in the
// same run. Prints, over N trials:
//   - outage of a 100 packets/s ping stream from the LAN (lost packets x 10 ms) when the active
//     WAN's link is cut, and when it is blackholed (fast and default probe profiles);
//   - the time until a TCP download whose client reconnects on error runs again on the new path;
//   - aggregate throughput in balance mode over two tbf-limited WANs with 8 flows, against one WAN.
// Figures only: nothing here passes or fails on time.
#include "BenchSupport.h"
#include "DaemonProcess.h"
#include "Lab.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

using smoothwan::bench::printFigures;
using smoothwan::lab::Lab;
using smoothwan::test::DaemonProcess;

namespace {

const QString target = QStringLiteral("198.18.0.3");

QByteArray config(const char *profile, const char *policy = "failover")
{
    QByteArray yaml = "wans:\n";
    const char *names[] = {"fibre", "cable"};
    const char *tiers[] = {"always", "secondary"};
    for (int i = 0; i < 2; ++i)
        yaml += QByteArray("  - name: ") + names[i] + "\n    interface: wan" + QByteArray::number(i) +
                "\n    priority: " + (QByteArray(policy) == "balance" ? "always" : tiers[i]) +
                "\n    probe:\n      targets: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n" + profile;
    return yaml + "routing:\n  policy: " + policy + "\n";
}

const char *fastProfile = "      interval: 200ms\n      timeout: 150ms\n      down: 3\n      up: 2\n";
const char *defaultProfile = ""; // 2 s interval, 1 s timeout, 3 down-rounds

struct Outage
{
    double lostMs = NAN;    // lost packets x 10 ms: the longest run of missing sequence numbers
    double silenceMs = NAN; // the longest time without a reply, less the 10 ms between packets
};

// A 100 packets/s ping from the LAN for `seconds`; `during` breaks something after a second.
// Lost x 10 ms understates long outages (ping sends more slowly while nothing comes back), so the
// longest silence is measured too. A stream that never recovers counts until the window's end.
Outage pingOutage(Lab &lab, int seconds, const std::function<void()> &during)
{
    QProcess ping;
    const double startedAt = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    ping.start(QStringLiteral("ip"),
               {QStringLiteral("netns"), QStringLiteral("exec"), lab.lanNs(), QStringLiteral("ping"),
                QStringLiteral("-n"), QStringLiteral("-D"), QStringLiteral("-i"), QStringLiteral("0.01"),
                QStringLiteral("-w"), QString::number(seconds), QStringLiteral("-W"), QStringLiteral("1"), target});
    ping.waitForStarted();
    QThread::msleep(1000);
    during();
    ping.waitForFinished(seconds * 1000 + 15000);
    const double windowEnd = startedAt + seconds;
    static const QRegularExpression reply(QStringLiteral("^\\[(\\d+\\.\\d+)\\] .* icmp_seq=(\\d+)"));
    static const QRegularExpression sentLine(QStringLiteral("(\\d+) packets transmitted"));
    const QString out = QString::fromUtf8(ping.readAllStandardOutput());
    double last = -1;
    int lastSeq = 0;
    double gap = 0;
    int missing = 0;
    for (const QString &line : out.split(u'\n')) {
        const auto m = reply.match(line);
        if (!m.hasMatch())
            continue;
        const double at = m.captured(1).toDouble();
        const int seq = m.captured(2).toInt();
        if (last >= 0)
            gap = std::max(gap, at - last);
        missing = std::max(missing, seq - lastSeq - 1);
        last = at;
        lastSeq = seq;
    }
    Outage o;
    if (last < 0)
        return o;
    if (const auto sent = sentLine.match(out); sent.hasMatch())
        missing = std::max(missing, sent.captured(1).toInt() - lastSeq);
    gap = std::max(gap, windowEnd - last);
    o.lostMs = 10.0 * missing;
    o.silenceMs = std::max(0.0, gap * 1000.0 - 10.0);
    return o;
}

void printOutages(const char *what, const QList<Outage> &outages, const char *goal = "")
{
    QList<double> lost, silence;
    for (const Outage &o : outages) {
        lost << o.lostMs;
        silence << o.silenceMs;
    }
    printFigures(qPrintable(QStringLiteral("%1: lost x 10 ms").arg(QLatin1String(what))), lost, "ms",
                 QLatin1String(goal));
    printFigures(qPrintable(QStringLiteral("%1: longest silence").arg(QLatin1String(what))), silence, "ms");
}

bool enterNamespace(const QString &ns)
{
    const QByteArray path = "/run/netns/" + ns.toLatin1();
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::setns(fd, CLONE_NEWNET) == 0;
    ::close(fd);
    return ok;
}

// A TCP source in the internet namespace and a downloading client in the LAN namespace, both in
// this process (a socket stays in the namespace it was made in). The client writes one byte every
// 100 ms (as real protocols' keep-alives do) and reconnects at once on any error.
class Download
{
public:
    bool open(Lab &lab)
    {
        m_home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        m_lan = ::open(QByteArray("/run/netns/" + lab.lanNs().toLatin1()).constData(), O_RDONLY | O_CLOEXEC);
        if (!enterNamespace(lab.internetNs()))
            return false;
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int on = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(5999);
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(m_listener, 16) != 0)
            return false;
        if (!enterNamespace(lab.lanNs()))
            return false;
        connectClient();
        ::setns(m_home, CLONE_NEWNET);
        return true;
    }
    ~Download()
    {
        for (int fd : {m_listener, m_client, m_server, m_home, m_lan})
            if (fd >= 0)
                ::close(fd);
    }

    // Runs the exchange for `ms`, reconnecting the client whenever its connection fails.
    void run(int ms, QElapsedTimer &clock)
    {
        char buffer[65536];
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            // The newest connection is the client's current one: serve it, drop the old one.
            if (const int fresh = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); fresh >= 0) {
                if (m_server >= 0)
                    ::close(m_server);
                m_server = fresh;
            }
            if (m_server >= 0) {
                ::send(m_server, buffer, 1400, MSG_NOSIGNAL);
                if (::recv(m_server, buffer, sizeof buffer, 0) == 0) {
                    ::close(m_server);
                    m_server = -1;
                }
            }
            if (m_client >= 0) {
                const ssize_t n = ::recv(m_client, buffer, sizeof buffer, 0);
                if (n > 0 && m_reconnectedAt >= 0 && m_resumedAt < 0)
                    m_resumedAt = clock.elapsed();
                const bool failed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
                if (m_keepalive.elapsed() > 100) {
                    m_keepalive.restart();
                    if (::send(m_client, "k", 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
                        reconnect(clock);
                }
                if (failed)
                    reconnect(clock);
            }
            QThread::usleep(1000);
        }
    }
    qint64 resumedAt() const { return m_resumedAt; }
    void resetMeasurement()
    {
        m_reconnectedAt = -1;
        m_resumedAt = -1;
    }

private:
    void connectClient()
    {
        m_client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(5999);
        ::inet_pton(AF_INET, "198.18.0.3", &a.sin_addr);
        ::connect(m_client, reinterpret_cast<sockaddr *>(&a), sizeof a);
        m_keepalive.start();
    }
    void reconnect(QElapsedTimer &clock)
    {
        ::close(m_client);
        ::setns(m_lan, CLONE_NEWNET);
        connectClient();
        ::setns(m_home, CLONE_NEWNET);
        if (m_reconnectedAt < 0)
            m_reconnectedAt = clock.elapsed();
    }

    int m_lan = -1;
    int m_home = -1;
    int m_listener = -1;
    int m_client = -1;
    int m_server = -1;
    QElapsedTimer m_keepalive;
    qint64 m_reconnectedAt = -1;
    qint64 m_resumedAt = -1;
};

double iperf(Lab &lab, int parallel)
{
    const auto r =
        Lab::exec(lab.lanNs(),
                  {QStringLiteral("iperf3"), QStringLiteral("-c"), target, QStringLiteral("-P"),
                   QString::number(parallel), QStringLiteral("-t"), QStringLiteral("5"), QStringLiteral("-J")},
                  {}, 30000);
    const QJsonObject end = QJsonDocument::fromJson(r.output).object().value(QStringLiteral("end")).toObject();
    return end.value(QStringLiteral("sum_received")).toObject().value(QStringLiteral("bits_per_second")).toDouble() /
           1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("smoothwan.lab.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Failover benchmark (root, lab)"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("trials"), QStringLiteral("Trials per figure (default 20)."), QStringLiteral("n"),
                      QStringLiteral("20")});
    parser.process(app);
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_failover: needs root (network namespaces)\n");
        return 1;
    }
    const int trials = parser.value(QStringLiteral("trials")).toInt();
    Lab lab;
    if (!lab.create(2) || !lab.startIperfServer()) {
        std::fprintf(stderr, "bench_failover: %s\n", qPrintable(lab.errorString()));
        return 1;
    }
    std::printf("Failover in the lab, 2 WANs, %d trials per figure\n", trials);

    // Bare kernel: no daemon; the lab's router has default routes with metrics and masquerade.
    std::printf("bare kernel (metric-ordered default routes, ignore_routes_with_linkdown=1, masquerade):\n");
    QList<Outage> bareCut, bareBlackhole;
    for (int t = 0; t < trials; ++t) {
        bareCut << pingOutage(lab, 2, [&] { lab.cut(0); });
        lab.restore(0);
        QThread::msleep(200);
    }
    printOutages("link cut", bareCut);
    for (int t = 0; t < std::min(trials, 3); ++t) {
        bareBlackhole << pingOutage(lab, 5, [&] { lab.blackhole(0); });
        lab.restore(0);
        QThread::msleep(200);
    }
    printOutages("blackhole (5 s window: never recovers)", bareBlackhole);

    // The daemon. A fresh daemon per trial, so flap damping of earlier trials does not delay
    // the recovery between trials.
    const auto withDaemon = [&](const char *profile, const std::function<void()> &breakIt, int seconds) {
        QList<Outage> out;
        for (int t = 0; t < trials; ++t) {
            DaemonProcess d;
            d.start(lab.routerNs(), config(profile));
            if (!d.waitFor("LAN now via fibre", 8000)) {
                std::fprintf(stderr, "daemon did not route the LAN:\n%s\n", d.log().constData());
                continue;
            }
            out << pingOutage(lab, seconds, breakIt);
            lab.restore(0);
            d.stop();
            QThread::msleep(100);
        }
        return out;
    };
    std::printf("smoothwand:\n");
    printOutages("link cut",
                 withDaemon(
                     fastProfile, [&] { lab.cut(0); }, 2),
                 "target p95 <= 20 ms");
    printOutages("blackhole, fast profile (200 ms x 3 + 150 ms)",
                 withDaemon(
                     fastProfile, [&] { lab.blackhole(0); }, 3),
                 "target <= 200 ms x 3 + 200 ms, and <= 1 s");
    printOutages("blackhole, default profile (2 s x 3)",
                 withDaemon(
                     defaultProfile, [&] { lab.blackhole(0); }, 10),
                 "target <= 2 s x 3 + 200 ms");
    std::printf("  %-52s mwan3 defaults: 20-70 s; bare kernel: never\n", "for comparison (blackhole)");

    // TCP: a download whose client reconnects on error, across a cut of the active WAN.
    const auto tcpResume = [&](bool daemon) {
        QList<double> out;
        for (int t = 0; t < std::max(1, daemon ? trials : 3); ++t) {
            std::unique_ptr<DaemonProcess> d;
            if (daemon) {
                d = std::make_unique<DaemonProcess>();
                d->start(lab.routerNs(), config(fastProfile));
                d->waitFor("LAN now via fibre", 8000);
            }
            Download download;
            if (!download.open(lab)) {
                std::fprintf(stderr, "cannot set up the download\n");
                break;
            }
            QElapsedTimer clock;
            clock.start();
            download.run(1000, clock);
            download.resetMeasurement();
            const qint64 cutAt = clock.elapsed();
            lab.cut(0);
            download.run(daemon ? 3000 : 10000, clock);
            out << (download.resumedAt() >= 0 ? double(download.resumedAt() - cutAt) : NAN);
            lab.restore(0);
            if (d)
                d->stop();
            QThread::msleep(300);
        }
        return out;
    };
    const QList<double> bareTcp = tcpResume(false);
    int hung = 0;
    for (double v : bareTcp)
        hung += std::isnan(v) ? 1 : 0;
    std::printf("  %-52s %d of %lld hung for the whole 10 s window\n", "bare kernel: TCP download after a cut", hung,
                static_cast<long long>(bareTcp.size()));
    printFigures("smoothwand: TCP download running again after a cut", tcpResume(true), "ms",
                 QStringLiteral("target <= 1000 ms after the switch"));

    // Balance: two WANs limited to 10 Mbit/s each, 8 parallel flows.
    lab.impair(0, 10000, 0);
    lab.impair(1, 10000, 0);
    const double bareOne = iperf(lab, 8);
    DaemonProcess balance;
    balance.start(lab.routerNs(), config(fastProfile, "balance"));
    balance.waitFor("LAN now via balance", 8000);
    const double both = iperf(lab, 8);
    balance.stop();
    std::printf("  %-52s one WAN (bare kernel) %.1f Mbit/s, balance %.1f Mbit/s, ratio %.2f (target >= 1.8)\n",
                "balance, 2 x 10 Mbit/s tbf, 8 flows:", bareOne, both, both / bareOne);
    lab.restore(0);
    lab.restore(1);
    lab.destroy();
    return 0;
}

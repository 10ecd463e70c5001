// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-relay on veth in the lab's namespaces (needs root), beside the bare kernel in the
// same run. The client relay runs in the router namespace with one path per WAN (two WANs), the
// server relay in the internet namespace. Prints, for the bare path and for the relay in duplicate
// and best mode, over --trials N:
//   - added latency: UDP ping-pong RTT (p50/p99) from the router namespace to the lab's UDP echo
//     server, directly and through both relays;
//   - throughput at 1400-byte datagrams: a sender blasting for a few seconds into the relay (or
//     straight at the sink), datagrams/s and Mbit/s of payload reaching a sink in the internet
//     namespace, and the CPU time the two relay processes used (from /proc/PID/stat), as
//     datagrams per CPU-second of the busier relay ("per core");
//   - loss on a WAN failure: a 100 datagrams/s stream (--stream N datagrams, the event after the
//     first second) from the router namespace to the echo server while the WAN in use is cut (link
//     down) or blackholed (link up, nothing forwarded): datagrams lost, bare kernel (plain UDP over
//     the default route, WAN 0) beside the relay in duplicate mode (WAN 0 cut) and best mode (its
//     active WAN cut; once more with the cut path set down through the control socket at once, as
//     the daemon does when the WAN loses carrier).
// Figures only: nothing here passes or fails on time. Build without sanitizers for real figures.
#include "BenchSupport.h"
#include "Lab.h"
#include "LabTraffic.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

using smoothwan::bench::percentile;
using smoothwan::bench::printFigures;
using smoothwan::lab::ipv4Endpoint;
using smoothwan::lab::Lab;
using smoothwan::lab::unixRequest;

namespace {

constexpr quint16 ServerPort = 7400, ClientPort = 7401, EchoPort = 7, SinkPort = 9, DirectSinkPort = 10;
const char *const Target = "198.18.0.1";
constexpr int DatagramSize = 1400;

int socketIn(const QString &ns)
{
    int fd = -1;
    std::thread helper([&] {
        const int nsFd = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        if (nsFd >= 0 && ::setns(nsFd, CLONE_NEWNET) == 0)
            fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (nsFd >= 0)
            ::close(nsFd);
    });
    helper.join();
    const int size = 8 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return fd;
}

// CPU seconds (user + system) a process has used.
double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(::sysconf(_SC_CLK_TCK));
}

// Sequential UDP ping-pong: RTTs in microseconds.
QList<double> pingPong(int fd, const sockaddr_in &to, int count)
{
    QList<double> rtts;
    char buffer[2048] = {};
    for (int i = 0; i < count; ++i) {
        const quint32 n = htonl(quint32(i));
        std::memcpy(buffer, &n, sizeof n);
        const auto start = std::chrono::steady_clock::now();
        ::sendto(fd, buffer, 64, 0, reinterpret_cast<const sockaddr *>(&to), sizeof to);
        pollfd pfd {fd, POLLIN, 0};
        while (::poll(&pfd, 1, 200) > 0) {
            char in[2048];
            const ssize_t got = ::recv(fd, in, sizeof in, 0);
            quint32 m = 0;
            if (got >= 4)
                std::memcpy(&m, in, sizeof m);
            if (got >= 4 && ntohl(m) == quint32(i)) {
                rtts.append(double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count()) /
                            1000.0);
                break;
            }
        }
    }
    return rtts;
}

// `count` numbered 64-byte datagrams at 100/s from `fd` to `to`, echoes counted by number;
// `event` runs (on the calling thread) when datagram `eventAt` is due. Returns the datagrams lost.
int streamLoss(int fd, const sockaddr_in &to, int count, int eventAt, const std::function<void()> &event)
{
    std::vector<std::atomic<bool>> seen(static_cast<std::size_t>(count));
    std::atomic<bool> stop {false};
    std::thread receiver([&] {
        char buffer[2048];
        pollfd pfd {fd, POLLIN, 0};
        while (!stop) {
            if (::poll(&pfd, 1, 50) <= 0)
                continue;
            ssize_t n;
            while ((n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT)) >= 4) {
                quint32 v;
                std::memcpy(&v, buffer, sizeof v);
                v = ntohl(v);
                if (v < quint32(count))
                    seen[v] = true;
            }
        }
    });
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * i));
        if (i == eventAt && event)
            event();
        char payload[64] = {};
        const quint32 n = htonl(quint32(i));
        std::memcpy(payload, &n, sizeof n);
        ::sendto(fd, payload, sizeof payload, 0, reinterpret_cast<const sockaddr *>(&to), sizeof to);
    }
    QThread::msleep(1000); // the last echoes
    stop = true;
    receiver.join();
    int lost = 0;
    for (const auto &s : seen)
        lost += s ? 0 : 1;
    return lost;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(f.readAll()).section(u' ', 0, 2);
}

struct Blast
{
    double pps = 0, mbits = 0, sentPps = 0;
};

// Sends 1400-byte datagrams as fast as one thread can for `seconds`; counts what the sink gets.
Blast blast(int sender, const sockaddr_in &to, int sink, double seconds)
{
    std::atomic<bool> stop {false};
    std::atomic<qint64> received {0};
    std::thread counter([&] {
        char buffer[2048];
        pollfd pfd {sink, POLLIN, 0};
        while (!stop) {
            if (::poll(&pfd, 1, 100) <= 0)
                continue;
            while (::recv(sink, buffer, sizeof buffer, MSG_DONTWAIT) > 0)
                ++received;
        }
    });
    constexpr int Batch = 32;
    static char payload[DatagramSize] = {};
    mmsghdr messages[Batch] = {};
    iovec iov {payload, DatagramSize};
    for (auto &m : messages) {
        m.msg_hdr.msg_name = const_cast<sockaddr_in *>(&to);
        m.msg_hdr.msg_namelen = sizeof to;
        m.msg_hdr.msg_iov = &iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    qint64 sent = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        const int n = ::sendmmsg(sender, messages, Batch, 0);
        if (n > 0)
            sent += n;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QThread::msleep(300); // the tail drains
    stop = true;
    counter.join();
    return {double(received) / elapsed, double(received) * DatagramSize * 8 / elapsed / 1e6, double(sent) / elapsed};
}

class Bench
{
public:
    bool setUp()
    {
        if (!m_dir.isValid() || !m_lab.create(2) || !m_lab.startUdpEcho(EchoPort)) {
            std::fprintf(stderr, "bench_relay: cannot create the lab: %s\n", qPrintable(m_lab.errorString()));
            return false;
        }
        m_key = m_dir.filePath(QStringLiteral("relay.key"));
        QFile key(m_key);
        QByteArray raw(32, 0);
        for (auto &b : raw)
            b = char(QRandomGenerator::global()->bounded(256));
        if (!key.open(QIODevice::WriteOnly))
            return false;
        key.write(raw.toHex());
        key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return true;
    }

    bool startRelays(const QString &mode, quint16 forwardPort)
    {
        stopRelays();
        const QString relay = QStringLiteral(SMOOTHWAN_RELAY_BIN);
        m_server.setProgram(QStringLiteral("ip"));
        m_server.setArguments({QStringLiteral("netns"), QStringLiteral("exec"), m_lab.internetNs(), relay,
                               QStringLiteral("--role"), QStringLiteral("server"), QStringLiteral("--key-file"), m_key,
                               QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(ServerPort),
                               QStringLiteral("--forward"), QStringLiteral("127.0.0.1:%1").arg(forwardPort)});
        QStringList clientArgs {QStringLiteral("netns"),
                                QStringLiteral("exec"),
                                m_lab.routerNs(),
                                relay,
                                QStringLiteral("--role"),
                                QStringLiteral("client"),
                                QStringLiteral("--key-file"),
                                m_key,
                                QStringLiteral("--local"),
                                QStringLiteral("127.0.0.1:%1").arg(ClientPort),
                                QStringLiteral("--server"),
                                QStringLiteral("%1:%2").arg(QLatin1String(Target)).arg(ServerPort),
                                QStringLiteral("--mode"),
                                mode,
                                QStringLiteral("--control"),
                                clientControl()};
        for (int wan = 0; wan < 2; ++wan)
            clientArgs << QStringLiteral("--path")
                       << QStringLiteral("%1=%2,%3").arg(wan + 1).arg(Lab::wanInterface(wan), Lab::wanAddress(wan));
        m_client.setProgram(QStringLiteral("ip"));
        m_client.setArguments(clientArgs);
        m_server.start();
        m_client.start();
        if (!m_server.waitForStarted() || !m_client.waitForStarted())
            return false;
        // Ready when both paths answer probes (at most 5 s; the figures say so if not).
        for (int i = 0; i < 50; ++i) {
            QThread::msleep(100);
            const QJsonObject stats = clientStats();
            const QByteArray raw = QJsonDocument(stats).toJson(QJsonDocument::Compact);
            if (raw.count("\"answering\":true") == 2)
                return true;
        }
        std::fprintf(stderr, "bench_relay: the client relay's paths do not both answer\n");
        return true;
    }

    QString clientControl() const { return m_dir.filePath(QStringLiteral("client.sock")); }
    QJsonObject clientStats() const { return QJsonDocument::fromJson(unixRequest(clientControl(), "stats")).object(); }

    void stopRelays()
    {
        for (QProcess *p : {&m_client, &m_server}) {
            if (p->state() != QProcess::NotRunning) {
                p->terminate();
                p->waitForFinished(5000);
            }
        }
    }

    void run(int trials, int pings, double seconds, int streamCount)
    {
        const QString router = m_lab.routerNs();
        const int pinger = socketIn(router);
        const int sender = socketIn(router);
        const int sink = socketIn(m_lab.internetNs()), directSink = socketIn(m_lab.internetNs());
        const sockaddr_in sinkAt = ipv4Endpoint("127.0.0.1", SinkPort),
                          directAt = ipv4Endpoint("0.0.0.0", DirectSinkPort);
        ::bind(sink, reinterpret_cast<const sockaddr *>(&sinkAt), sizeof sinkAt);
        ::bind(directSink, reinterpret_cast<const sockaddr *>(&directAt), sizeof directAt);

        std::printf("bench_relay: %d trials, %d pings each, %.1f s blasts of %d-byte datagrams, 2 WANs on veth, "
                    "load %s\n",
                    trials, pings, seconds, DatagramSize, qPrintable(loadAverage()));
        std::printf("\nAdded latency (UDP ping-pong RTT, router ns -> echo in internet ns)\n");
        QList<double> direct, viaDup, viaBest;
        for (int t = 0; t < trials; ++t)
            direct += pingPong(pinger, ipv4Endpoint(Target, EchoPort), pings);
        printLatency("bare kernel", direct);
        for (const char *mode : {"duplicate", "best"}) {
            QList<double> &via = QByteArray(mode) == "duplicate" ? viaDup : viaBest;
            for (int t = 0; t < trials; ++t) {
                if (!startRelays(QLatin1String(mode), EchoPort))
                    return;
                via += pingPong(pinger, ipv4Endpoint("127.0.0.1", ClientPort), pings);
            }
            printLatency(qPrintable(QStringLiteral("relay, %1 mode").arg(QLatin1String(mode))), via);
            std::printf("    added: p50 %+.1f us  p99 %+.1f us\n", percentile(via, 50) - percentile(direct, 50),
                        percentile(via, 99) - percentile(direct, 99));
        }

        std::printf("\nThroughput (%d-byte datagrams, one sender thread, received at the sink)\n", DatagramSize);
        QList<double> directPps, directMbit;
        for (int t = 0; t < trials; ++t) {
            const Blast b = blast(sender, ipv4Endpoint(Target, DirectSinkPort), directSink, seconds);
            directPps << b.pps;
            directMbit << b.mbits;
        }
        printFigures("bare kernel: datagrams/s", directPps, "pps");
        printFigures("bare kernel: Mbit/s", directMbit, "Mbit");
        for (const char *mode : {"duplicate", "best"}) {
            QList<double> pps, mbit, perCore, clientCpu, serverCpu;
            for (int t = 0; t < trials; ++t) {
                if (!startRelays(QLatin1String(mode), SinkPort))
                    return;
                const double c0 = cpuSeconds(m_client.processId()), s0 = cpuSeconds(m_server.processId());
                const Blast b = blast(sender, ipv4Endpoint("127.0.0.1", ClientPort), sink, seconds);
                const double c = cpuSeconds(m_client.processId()) - c0, s = cpuSeconds(m_server.processId()) - s0;
                pps << b.pps;
                mbit << b.mbits;
                clientCpu << c / seconds * 100;
                serverCpu << s / seconds * 100;
                const double busiest = std::max(c, s);
                perCore << (busiest > 0 ? b.pps * seconds / busiest : 0);
            }
            const QString m = QLatin1String(mode);
            printFigures(qPrintable(QStringLiteral("relay %1: datagrams/s at the sink").arg(m)), pps, "pps");
            printFigures(qPrintable(QStringLiteral("relay %1: Mbit/s at the sink").arg(m)), mbit, "Mbit");
            printFigures(qPrintable(QStringLiteral("relay %1: client relay CPU").arg(m)), clientCpu, "%");
            printFigures(qPrintable(QStringLiteral("relay %1: server relay CPU").arg(m)), serverCpu, "%");
            printFigures(qPrintable(QStringLiteral("relay %1: datagrams per CPU-second (busier relay)").arg(m)),
                         perCore, "pps");
        }
        const int eventAt = 100;
        std::printf("\nLoss on a WAN failure (%d datagrams at 100/s, router ns -> echo, the event at datagram %d, "
                    "%d after it), load %s\n",
                    streamCount, eventAt, streamCount - eventAt, qPrintable(loadAverage()));
        struct LossCase
        {
            const char *what;
            const char *mode; // nullptr: bare kernel
            bool blackhole;
            bool setDown = false; // then `path down` on the control socket, as the daemon does on carrier loss
        };
        for (const LossCase &c : {LossCase {"bare kernel: WAN 0 cut", nullptr, false},
                                  LossCase {"bare kernel: WAN 0 blackholed", nullptr, true},
                                  LossCase {"relay duplicate: WAN 0 cut", "duplicate", false},
                                  LossCase {"relay duplicate: WAN 0 blackholed", "duplicate", true},
                                  LossCase {"relay best: active WAN cut", "best", false},
                                  LossCase {"relay best: active WAN cut, path set down", "best", false, true},
                                  LossCase {"relay best: active WAN blackholed", "best", true}}) {
            QList<double> lost;
            for (int t = 0; t < trials; ++t) {
                for (int wan = 0; wan < 2; ++wan)
                    m_lab.restore(wan);
                int wan = 0;
                sockaddr_in to = ipv4Endpoint(Target, EchoPort);
                if (c.mode) {
                    if (!startRelays(QLatin1String(c.mode), EchoPort))
                        return;
                    to = ipv4Endpoint("127.0.0.1", ClientPort);
                    const int active = clientStats().value(QStringLiteral("active_path")).toInt();
                    if (QByteArray(c.mode) == "best" && active > 0)
                        wan = active - 1; // path p runs over WAN p - 1
                } else {
                    stopRelays();
                }
                const int fd = socketIn(router); // a fresh socket: no late echo of an earlier trial
                lost << streamLoss(fd, to, streamCount, eventAt, [&] {
                    if (c.blackhole)
                        m_lab.blackhole(wan);
                    else
                        m_lab.cut(wan);
                    if (c.setDown)
                        unixRequest(clientControl(), "path down " + QByteArray::number(wan + 1));
                });
                ::close(fd);
                m_lab.restore(wan);
            }
            printFigures(c.what, lost, "lost", QStringLiteral("of %1 after the event").arg(streamCount - eventAt));
        }
        std::printf("\nload at the end %s\n", qPrintable(loadAverage()));
        stopRelays();
        for (int fd : {pinger, sender, sink, directSink})
            ::close(fd);
    }

private:
    static void printLatency(const char *what, const QList<double> &rtts)
    {
        std::printf("  %-32s n=%-6lld p50=%8.1f us  p99=%8.1f us  max=%8.1f us\n", what,
                    static_cast<long long>(rtts.size()), percentile(rtts, 50), percentile(rtts, 99),
                    percentile(rtts, 100));
        std::fflush(stdout);
    }

    Lab m_lab;
    QTemporaryDir m_dir;
    QString m_key;
    QProcess m_server, m_client;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("smoothwan-relay throughput and added latency (root)"));
    parser.addHelpOption();
    const QCommandLineOption trialsOption(QStringLiteral("trials"), QStringLiteral("Trials per figure."),
                                          QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption pingsOption(QStringLiteral("pings"), QStringLiteral("Pings per trial."),
                                         QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Length of each blast."),
                                           QStringLiteral("S"), QStringLiteral("2"));
    const QCommandLineOption streamOption(QStringLiteral("stream"),
                                          QStringLiteral("Datagrams (at 100/s) per WAN-failure trial."),
                                          QStringLiteral("N"), QStringLiteral("400"));
    parser.addOptions({trialsOption, pingsOption, secondsOption, streamOption});
    parser.process(app);
    const int trials = std::clamp(parser.value(trialsOption).toInt(), 1, 100);
    const int pings = std::clamp(parser.value(pingsOption).toInt(), 10, 1'000'000);
    const double seconds = std::clamp(parser.value(secondsOption).toDouble(), 0.5, 600.0);
    const int streamCount = std::clamp(parser.value(streamOption).toInt(), 200, 100'000);
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_relay: needs root (network namespaces)\n");
        return 1;
    }
    QLoggingCategory::setFilterRules(QStringLiteral("smoothwan.lab.info=false"));
    Bench bench;
    if (!bench.setUp())
        return 1;
    bench.run(trials, pings, seconds, streamCount);
    return 0;
}

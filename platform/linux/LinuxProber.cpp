// SPDX-License-Identifier: GPL-3.0-or-later
#include "LinuxProber.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace smoothwan {

namespace {

constexpr int icmpPayload = 24;

quint16 checksum(const unsigned char *data, size_t length)
{
    quint32 sum = 0;
    for (size_t i = 0; i + 1 < length; i += 2)
        sum += static_cast<quint32>(data[i] << 8 | data[i + 1]);
    if (length & 1)
        sum += static_cast<quint32>(data[length - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<quint16>(~sum);
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// The socket address for `address`:`port`; returns its length, 0 for an unusable address.
socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage &out)
{
    std::memset(&out, 0, sizeof out);
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        return sizeof(sockaddr_in);
    }
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&out);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, a.c, 16);
        return sizeof(sockaddr_in6);
    }
    return 0;
}

// DNS query for `name`, type A, recursion desired. Empty if the name is not a valid host name.
QByteArray dnsQuery(quint16 id, const QString &name)
{
    const QByteArray ascii = name.toLatin1();
    if (name.isEmpty() || name.size() > 253 || ascii != name.toUtf8())
        return {};
    QByteArray q;
    q.append(static_cast<char>(id >> 8)).append(static_cast<char>(id & 0xff));
    q.append("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10); // RD; 1 question
    QList<QByteArray> labels = ascii.split('.');
    if (labels.size() > 1 && labels.constLast().isEmpty())
        labels.removeLast(); // a fully qualified "example.com."
    for (const QByteArray &label : std::as_const(labels)) {
        if (label.isEmpty() || label.size() > 63)
            return {};
        for (char c : label)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                return {};
        q.append(static_cast<char>(label.size())).append(label);
    }
    q.append('\0');
    q.append("\x00\x01\x00\x01", 4); // QTYPE A, QCLASS IN
    return q;
}

} // namespace

class LinuxProber::Probe : public QObject
{
public:
    Probe(LinuxProber &owner, const ProbeRequest &request, std::function<void(const ProbeResult &)> done)
        : m_owner(owner)
        , m_request(request)
        , m_done(std::move(done))
    { }

    ~Probe() override
    {
        delete m_notifier;
        if (m_fd >= 0)
            ::close(m_fd);
    }

    void start()
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer); // coarse timers may fire 5 % late
        connect(&m_timer, &QTimer::timeout, this, [this] { finish(false, QStringLiteral("timeout")); });
        m_timer.start(std::max(1, m_request.timeoutMs));
        m_clock.start();
        const QString error = open();
        if (!error.isEmpty()) {
            // Report on the next event-loop turn: probe() never calls back synchronously.
            QTimer::singleShot(0, this, [this, error] { finish(false, error); });
        }
    }

private:
    bool isV6() const { return m_request.target.protocol() == QAbstractSocket::IPv6Protocol; }

    QString bindToWan(int fd)
    {
        if (!m_request.interface.isEmpty()) {
            const QByteArray dev = m_request.interface.toLatin1();
            if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.constData(), static_cast<socklen_t>(dev.size())) != 0)
                return QStringLiteral("cannot bind to %1: %2").arg(m_request.interface, errnoText(errno));
        }
        if (m_request.mark != 0 && ::setsockopt(fd, SOL_SOCKET, SO_MARK, &m_request.mark, sizeof m_request.mark) != 0)
            return QStringLiteral("cannot set mark: %1").arg(errnoText(errno));
        if (!m_request.source.isNull()) {
            sockaddr_storage src;
            const socklen_t len = toSockaddr(m_request.source, 0, src);
            if (len == 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&src), len) != 0)
                return QStringLiteral("cannot bind to %1: %2").arg(m_request.source.toString(), errnoText(errno));
        }
        return {};
    }

    QString open()
    {
        sockaddr_storage dst;
        quint16 port = m_request.port;
        if (m_request.method == ProbeRequest::Method::Dns && port == 0)
            port = 53;
        const socklen_t dstLen =
            toSockaddr(m_request.target, m_request.method == ProbeRequest::Method::Icmp ? 0 : port, dst);
        if (dstLen == 0)
            return QStringLiteral("bad target address");
        const int family = isV6() ? AF_INET6 : AF_INET;
        switch (m_request.method) {
        case ProbeRequest::Method::Icmp:
            m_fd = ::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            isV6() ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP));
            break;
        case ProbeRequest::Method::Tcp:
            m_fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            break;
        case ProbeRequest::Method::Dns:
            m_fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            break;
        }
        if (m_fd < 0)
            return QStringLiteral("cannot open a socket: %1").arg(errnoText(errno));
        if (const QString e = bindToWan(m_fd); !e.isEmpty())
            return e;

        if (m_request.method == ProbeRequest::Method::Tcp) {
            const linger hard {1, 0}; // close with a reset: frequent probes leave no TIME_WAIT behind
            ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            if (::connect(m_fd, reinterpret_cast<sockaddr *>(&dst), dstLen) != 0 && errno != EINPROGRESS)
                return connectError(errno);
            watch(QSocketNotifier::Write);
            return {};
        }

        QByteArray packet;
        if (m_request.method == ProbeRequest::Method::Icmp) {
            m_id = static_cast<quint16>(QRandomGenerator::global()->generate());
            m_seq = static_cast<quint16>(QRandomGenerator::global()->generate());
            packet.resize(8 + icmpPayload);
            packet.fill('\0');
            auto *p = reinterpret_cast<unsigned char *>(packet.data());
            p[0] = isV6() ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
            p[4] = static_cast<unsigned char>(m_id >> 8);
            p[5] = static_cast<unsigned char>(m_id & 0xff);
            p[6] = static_cast<unsigned char>(m_seq >> 8);
            p[7] = static_cast<unsigned char>(m_seq & 0xff);
            std::memcpy(p + 8, "smoothwan-probe", 15);
            if (isV6()) {
                icmp6_filter filter;
                ICMP6_FILTER_SETBLOCKALL(&filter);
                ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
                ::setsockopt(m_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
            } else {
                icmp_filter filter {~(1U << ICMP_ECHOREPLY)};
                ::setsockopt(m_fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
                const quint16 sum = checksum(p, static_cast<size_t>(packet.size()));
                p[2] = static_cast<unsigned char>(sum >> 8);
                p[3] = static_cast<unsigned char>(sum & 0xff);
            } // the kernel computes ICMPv6 checksums itself
        } else {
            m_id = static_cast<quint16>(QRandomGenerator::global()->generate());
            packet = dnsQuery(m_id, m_request.dnsName);
            if (packet.isEmpty())
                return QStringLiteral("bad DNS name");
            if (::connect(m_fd, reinterpret_cast<sockaddr *>(&dst), dstLen) != 0)
                return connectError(errno);
        }
        if (::sendto(m_fd, packet.constData(), static_cast<size_t>(packet.size()), 0,
                     reinterpret_cast<sockaddr *>(&dst), dstLen) < 0)
            return connectError(errno);
        watch(QSocketNotifier::Read);
        return {};
    }

    QString connectError(int error) const
    {
        switch (error) {
        case ENETUNREACH:
            return QStringLiteral("network unreachable");
        case EHOSTUNREACH:
            return QStringLiteral("host unreachable");
        case ENETDOWN:
            return QStringLiteral("network down");
        case EPERM:
        case EACCES:
            return QStringLiteral("not permitted (needs CAP_NET_RAW or a firewall blocks it)");
        default:
            return errnoText(error);
        }
    }

    void watch(QSocketNotifier::Type type)
    {
        m_notifier = new QSocketNotifier(m_fd, type);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] { onReady(); });
    }

    void onReady()
    {
        if (m_request.method == ProbeRequest::Method::Tcp) {
            int error = 0;
            socklen_t len = sizeof error;
            ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &len);
            // Connected, refused or reset: in each case the target answered, so the path works.
            if (error == 0 || error == ECONNREFUSED || error == ECONNRESET)
                finish(true, {});
            else
                finish(false, connectError(error));
            return;
        }
        unsigned char buffer[1500];
        for (;;) {
            sockaddr_storage from;
            socklen_t fromLen = sizeof from;
            const ssize_t n = ::recvfrom(m_fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &fromLen);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    return;
                finish(false, connectError(errno));
                return;
            }
            if (matches(buffer, static_cast<size_t>(n), from)) {
                finish(true, {});
                return;
            }
        }
    }

    bool matches(const unsigned char *data, size_t n, const sockaddr_storage &from) const
    {
        if (m_request.method == ProbeRequest::Method::Dns)
            return n >= 12 && (data[0] << 8 | data[1]) == m_id && (data[2] & 0x80);
        // ICMP: v4 raw sockets deliver the IP header, v6 raw sockets do not.
        if (!isV6()) {
            if (n < 20)
                return false;
            const size_t ihl = static_cast<size_t>(data[0] & 0x0f) * 4;
            const auto *in = reinterpret_cast<const sockaddr_in *>(&from);
            if (n < ihl + 8 || ntohl(in->sin_addr.s_addr) != m_request.target.toIPv4Address())
                return false;
            data += ihl;
            n -= ihl;
            if (data[0] != ICMP_ECHOREPLY)
                return false;
        } else {
            const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&from);
            const Q_IPV6ADDR want = m_request.target.toIPv6Address();
            if (n < 8 || std::memcmp(&in6->sin6_addr, want.c, 16) != 0 || data[0] != ICMP6_ECHO_REPLY)
                return false;
        }
        return (data[4] << 8 | data[5]) == m_id && (data[6] << 8 | data[7]) == m_seq;
    }

    void finish(bool answered, const QString &error)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timer.stop();
        // Close now, not when the object is freed: once the callback runs the probe is over and
        // sends nothing more (a TCP probe's reset goes out here).
        delete m_notifier;
        m_notifier = nullptr;
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        ProbeResult result;
        result.answered = answered;
        result.rttMs = answered ? static_cast<double>(m_clock.nsecsElapsed()) / 1e6 : 0;
        result.error = error;
        auto done = std::move(m_done);
        m_owner.finished(this);
        done(result);
    }

    LinuxProber &m_owner;
    ProbeRequest m_request;
    std::function<void(const ProbeResult &)> m_done;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_timer;
    QElapsedTimer m_clock;
    quint16 m_id = 0;
    quint16 m_seq = 0;
    bool m_finished = false;
};

LinuxProber::LinuxProber(QObject *parent)
    : Prober(parent)
{ }

LinuxProber::~LinuxProber() = default;

void LinuxProber::probe(const ProbeRequest &request, std::function<void(const ProbeResult &)> done)
{
    auto probe = std::make_unique<Probe>(*this, request, std::move(done));
    Probe *raw = probe.get();
    m_active.push_back(std::move(probe));
    raw->start();
}

void LinuxProber::finished(Probe *probe)
{
    // The probe is still on the stack of its own callback: free it on the next loop turn. If
    // this prober dies first, m_active frees it instead.
    QTimer::singleShot(0, this, [this, probe] {
        std::erase_if(m_active, [probe](const std::unique_ptr<Probe> &p) { return p.get() == probe; });
    });
}

} // namespace smoothwan

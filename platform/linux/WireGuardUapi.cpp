// SPDX-License-Identifier: GPL-3.0-or-later
#include "WireGuardUapi.h"

#include "InterfaceName.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>

#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace smoothwan {

namespace {

bool isIpv4(const QString &s)
{
    in_addr a {};
    return s.size() <= 15 && ::inet_pton(AF_INET, s.toLatin1().constData(), &a) == 1;
}

bool isIpv6(const QString &s)
{
    in6_addr a {};
    return s.size() <= 45 && ::inet_pton(AF_INET6, s.toLatin1().constData(), &a) == 1;
}

bool isAscii(const QString &s)
{
    for (QChar c : s) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

bool parsePort(const QString &s, int *port)
{
    bool ok = false;
    const int p = s.toInt(&ok);
    if (!ok || p < 1 || p > 65535 || s.startsWith(QLatin1Char('+')) || s.startsWith(QLatin1Char('0')))
        return false;
    *port = p;
    return true;
}

bool parseU64(const QByteArray &s, quint64 *out)
{
    bool ok = false;
    *out = s.toULongLong(&ok);
    return ok;
}

} // namespace

WireGuardUapi::WireGuardUapi(QString interfaceName, QString socketDir, int timeoutMs)
    : m_interface(std::move(interfaceName))
    , m_socketDir(std::move(socketDir))
    , m_timeoutMs(timeoutMs)
{ }

QString WireGuardUapi::socketPath() const
{
    return m_socketDir + QLatin1Char('/') + m_interface + QStringLiteral(".sock");
}

bool WireGuardUapi::exists() const
{
    return isValidInterfaceName(m_interface) && QFileInfo(socketPath()).exists();
}

bool WireGuardUapi::isValidEndpoint(const QString &endpoint)
{
    if (!isAscii(endpoint))
        return false;
    const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    int port = 0;
    if (!parsePort(endpoint.mid(colon + 1), &port))
        return false;
    const QString host = endpoint.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        return isIpv6(host.mid(1, host.size() - 2));
    return isIpv4(host);
}

bool WireGuardUapi::isValidAllowedIp(const QString &cidr)
{
    if (!isAscii(cidr))
        return false;
    const qsizetype slash = cidr.indexOf(QLatin1Char('/'));
    if (slash <= 0)
        return false;
    const QString address = cidr.left(slash), prefix = cidr.mid(slash + 1);
    bool ok = false;
    const int length = prefix.toInt(&ok);
    if (!ok || prefix.isEmpty() || prefix.size() > 3 || !prefix.at(0).isDigit())
        return false;
    if (isIpv4(address))
        return length >= 0 && length <= 32;
    if (isIpv6(address))
        return length >= 0 && length <= 128;
    return false;
}

std::optional<QByteArray> WireGuardUapi::setRequest(const Config &config, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<QByteArray> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QByteArray r = "set=1\n";
    if (!config.privateKey.isEmpty()) {
        if (config.privateKey.size() != 32)
            return fail(QStringLiteral("the private key is not 32 bytes"));
        r += "private_key=" + config.privateKey.toHex() + '\n';
    }
    if (config.listenPort >= 0) {
        if (config.listenPort > 65535)
            return fail(QStringLiteral("listen port %1 is out of range").arg(config.listenPort));
        r += "listen_port=" + QByteArray::number(config.listenPort) + '\n';
    }
    if (config.replacePeers)
        r += "replace_peers=true\n";
    for (const Peer &peer : config.peers) {
        if (peer.publicKey.size() != 32)
            return fail(QStringLiteral("a peer's public key is not 32 bytes"));
        r += "public_key=" + peer.publicKey.toHex() + '\n';
        if (!peer.presharedKey.isEmpty()) {
            if (peer.presharedKey.size() != 32)
                return fail(QStringLiteral("a peer's preshared key is not 32 bytes"));
            r += "preshared_key=" + peer.presharedKey.toHex() + '\n';
        }
        if (!peer.endpoint.isEmpty()) {
            if (!isValidEndpoint(peer.endpoint))
                return fail(QStringLiteral("the endpoint \"%1\" is not ADDRESS:PORT").arg(peer.endpoint.left(64)));
            r += "endpoint=" + peer.endpoint.toLatin1() + '\n';
        }
        if (peer.persistentKeepalive < 0 || peer.persistentKeepalive > 65535)
            return fail(QStringLiteral("persistent keepalive %1 is out of range").arg(peer.persistentKeepalive));
        r += "persistent_keepalive_interval=" + QByteArray::number(peer.persistentKeepalive) + '\n';
        r += "replace_allowed_ips=true\n";
        for (const QString &ip : peer.allowedIps) {
            if (!isValidAllowedIp(ip))
                return fail(QStringLiteral("the allowed IP \"%1\" is not ADDRESS/PREFIX").arg(ip.left(64)));
            r += "allowed_ip=" + ip.toLatin1() + '\n';
        }
    }
    r += '\n';
    return r;
}

std::optional<WireGuardUapi::Device> WireGuardUapi::parseGet(const QByteArray &reply, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<Device> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    Device device;
    Peer *peer = nullptr;
    bool sawErrno = false;
    for (const QByteArray &line : reply.split('\n')) {
        if (line.isEmpty())
            continue;
        const qsizetype eq = line.indexOf('=');
        if (eq <= 0)
            return fail(QStringLiteral("malformed line in the reply"));
        const QByteArray key = line.left(eq), value = line.mid(eq + 1);
        quint64 number = 0;
        if (key == "errno") {
            sawErrno = true;
            if (value != "0")
                return fail(QStringLiteral("wireguard-go answered errno=%1").arg(QString::fromLatin1(value.left(16))));
        } else if (key == "private_key") {
            device.privateKey = QByteArray::fromHex(value);
        } else if (key == "listen_port") {
            if (!parseU64(value, &number) || number > 65535)
                return fail(QStringLiteral("bad listen_port in the reply"));
            device.listenPort = int(number);
        } else if (key == "public_key") {
            device.peers.append(Peer {});
            peer = &device.peers.last();
            peer->publicKey = QByteArray::fromHex(value);
        } else if (peer) {
            if (key == "preshared_key") {
                const QByteArray psk = QByteArray::fromHex(value);
                if (psk != QByteArray(32, '\0'))
                    peer->presharedKey = psk;
            } else if (key == "endpoint") {
                peer->endpoint = QString::fromLatin1(value);
            } else if (key == "allowed_ip") {
                peer->allowedIps.append(QString::fromLatin1(value));
            } else if (key == "persistent_keepalive_interval" && parseU64(value, &number)) {
                peer->persistentKeepalive = int(number);
            } else if (key == "last_handshake_time_sec" && parseU64(value, &number)) {
                peer->lastHandshakeSec = qint64(number);
            } else if (key == "rx_bytes" && parseU64(value, &number)) {
                peer->rxBytes = number;
            } else if (key == "tx_bytes" && parseU64(value, &number)) {
                peer->txBytes = number;
            }
        }
    }
    if (!sawErrno)
        return fail(QStringLiteral("the reply ended without errno"));
    return device;
}

std::optional<QByteArray> WireGuardUapi::transact(const QByteArray &request, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<QByteArray> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(socketPath(), why);
        return std::nullopt;
    };
    if (!isValidInterfaceName(m_interface))
        return fail(QStringLiteral("invalid interface name"));
    const QByteArray path = QFile::encodeName(socketPath());
    sockaddr_un address {};
    if (path.size() >= qsizetype(sizeof address.sun_path))
        return fail(QStringLiteral("path too long"));
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.constData(), std::size_t(path.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } closer {fd};
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        return fail(QStringLiteral("cannot connect (%1); is wireguard-go running?")
                        .arg(QString::fromLocal8Bit(std::strerror(errno))));
    const QDeadlineTimer deadline(m_timeoutMs);
    qsizetype sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.constData() + sent, std::size_t(request.size() - sent), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(QString::fromLocal8Bit(std::strerror(errno)));
        sent += n;
    }
    QByteArray reply;
    char buffer[4096];
    // The reply ends with "errno=N\n\n".
    while (!(reply.contains("errno=") && reply.endsWith("\n\n"))) {
        pollfd pfd {fd, POLLIN, 0};
        const int r = ::poll(&pfd, 1, int(qMax<qint64>(0, deadline.remainingTime())));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return fail(QStringLiteral("no complete answer within %1 ms").arg(m_timeoutMs));
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        reply.append(buffer, n);
        if (reply.size() > 4 * 1024 * 1024)
            return fail(QStringLiteral("answer too long"));
    }
    return reply;
}

bool WireGuardUapi::set(const Config &config, QString *error)
{
    const auto request = setRequest(config, error);
    if (!request)
        return false;
    const auto reply = transact(*request, error);
    if (!reply)
        return false;
    if (reply->trimmed() != "errno=0") {
        if (error)
            *error = QStringLiteral("wireguard-go %1 refused the configuration (%2)")
                         .arg(m_interface, QString::fromLatin1(reply->trimmed().left(64)));
        return false;
    }
    return true;
}

std::optional<WireGuardUapi::Device> WireGuardUapi::get(QString *error)
{
    const auto reply = transact("get=1\n\n", error);
    if (!reply)
        return std::nullopt;
    return parseGet(*reply, error);
}

bool WireGuardUapi::bringUp(const QString &addressCidr, int mtu, QString *error)
{
    const qsizetype slash = addressCidr.indexOf(QLatin1Char('/'));
    bool prefixOk = false;
    const int prefix = addressCidr.mid(slash + 1).toInt(&prefixOk);
    if (slash < 0 || !isIpv4(addressCidr.left(slash)) || !prefixOk || prefix < 1 || prefix > 32) {
        *error = QStringLiteral("not an IPv4 address/prefix: %1").arg(addressCidr.left(64));
        return false;
    }
    if (mtu < 576 || mtu > 9000) {
        *error = QStringLiteral("MTU %1 is out of range").arg(mtu);
        return false;
    }
    nl_sock *sock = nl_socket_alloc();
    if (!sock || nl_connect(sock, NETLINK_ROUTE) < 0) {
        if (sock)
            nl_socket_free(sock);
        *error = QStringLiteral("cannot open rtnetlink");
        return false;
    }
    const auto fail = [&](const QString &what, int err) {
        *error = QStringLiteral("%1 %2: %3").arg(what, m_interface, QString::fromLocal8Bit(nl_geterror(err)));
        return false;
    };
    bool ok = true;
    rtnl_link *link = nullptr;
    int err = rtnl_link_get_kernel(sock, 0, m_interface.toLatin1().constData(), &link);
    if (err < 0) {
        ok = fail(QStringLiteral("no interface"), err);
    } else {
        rtnl_addr *addr = rtnl_addr_alloc();
        nl_addr *local = nullptr;
        nl_addr_parse(addressCidr.toLatin1().constData(), AF_INET, &local);
        rtnl_addr_set_ifindex(addr, rtnl_link_get_ifindex(link));
        rtnl_addr_set_local(addr, local);
        rtnl_addr_set_prefixlen(addr, prefix);
        err = rtnl_addr_add(sock, addr, NLM_F_REPLACE);
        if (err < 0)
            ok = fail(QStringLiteral("cannot set the address %1 on").arg(addressCidr), err);
        nl_addr_put(local);
        rtnl_addr_put(addr);
        if (ok) {
            rtnl_link *change = rtnl_link_alloc();
            rtnl_link_set_mtu(change, static_cast<unsigned>(mtu));
            rtnl_link_set_flags(change, IFF_UP);
            err = rtnl_link_change(sock, link, change, 0);
            if (err < 0)
                ok = fail(QStringLiteral("cannot set the MTU and bring up"), err);
            rtnl_link_put(change);
        }
        rtnl_link_put(link);
    }
    nl_socket_free(sock);
    return ok;
}

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "NetlinkLinkMonitor.h"

#include "LinuxLogging.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QSocketNotifier>
#include <QtCore/QtEndian>

#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/rtnl.h>
#include <netlink/socket.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace smoothwan {

namespace {

// Dumps are retried when the kernel reports them inconsistent (NLM_F_DUMP_INTR).
constexpr int DumpAttempts = 5;
// Receive calls per socket notification before returning to the event loop.
constexpr int MaxReceivesPerWakeup = 256;
// Upper bound on the datagrams thrown away before a re-dump (a flood may never pause).
constexpr int MaxDiscardedReceives = 4096;

int collectMessage(nl_msg *msg, void *arg)
{
    const nlmsghdr *hdr = nlmsg_hdr(msg);
    static_cast<QList<QByteArray> *>(arg)->append(
        QByteArray(reinterpret_cast<const char *>(hdr), static_cast<qsizetype>(hdr->nlmsg_len)));
    return NL_OK;
}

QString errorText(int nlError)
{
    return QString::fromLocal8Bit(nl_geterror(nlError));
}

QString stringAttribute(const nlattr *attr)
{
    if (!attr)
        return {};
    const auto *data = static_cast<const char *>(nla_data(attr));
    return QString::fromUtf8(data, static_cast<qsizetype>(::strnlen(data, static_cast<size_t>(nla_len(attr)))));
}

QByteArray bytesAttribute(const nlattr *attr)
{
    if (!attr)
        return {};
    return QByteArray(static_cast<const char *>(nla_data(attr)), nla_len(attr));
}

QHostAddress addressFrom(int family, const void *data, int length)
{
    if (family == AF_INET && length >= 4) {
        quint32 v4 = 0;
        std::memcpy(&v4, data, sizeof v4);
        return QHostAddress(qFromBigEndian(v4));
    }
    if (family == AF_INET6 && length >= 16)
        return QHostAddress(static_cast<const quint8 *>(data));
    return {};
}

QHostAddress addressAttribute(int family, const nlattr *attr)
{
    return attr ? addressFrom(family, nla_data(attr), nla_len(attr)) : QHostAddress();
}

QByteArray sortKey(const QHostAddress &a)
{
    if (a.protocol() == QHostAddress::IPv4Protocol) {
        const quint32 v4 = qToBigEndian(a.toIPv4Address());
        return QByteArray(1, '4') + QByteArray(reinterpret_cast<const char *>(&v4), sizeof v4);
    }
    const Q_IPV6ADDR v6 = a.toIPv6Address();
    return QByteArray(1, '6') + QByteArray(reinterpret_cast<const char *>(v6.c), sizeof v6.c);
}

void sortAddresses(QList<LinkAddress> &addresses)
{
    std::sort(addresses.begin(), addresses.end(), [](const LinkAddress &a, const LinkAddress &b) {
        const QByteArray ka = sortKey(a.address);
        const QByteArray kb = sortKey(b.address);
        return ka != kb ? ka < kb : a.prefixLength < b.prefixLength;
    });
}

void sortHosts(QList<QHostAddress> &hosts)
{
    std::sort(hosts.begin(), hosts.end(),
              [](const QHostAddress &a, const QHostAddress &b) { return sortKey(a) < sortKey(b); });
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
}

LinkInfo withoutCounters(LinkInfo link)
{
    link.rxBytes = link.txBytes = link.rxPackets = link.txPackets = 0;
    return link;
}

bool sameIgnoringCounters(const LinkInfo &a, const LinkInfo &b)
{
    return withoutCounters(a) == withoutCounters(b);
}

// sysfs shows the links of the namespace it was mounted in, which need not be ours: only
// trust /sys/class/net/<name> when its ifindex is the link's.
// Fills the link's sysfs device path and kernel driver, where it has a device.
void readDevice(LinkInfo &link)
{
    link.devicePath.clear();
    link.driver.clear();
    link.devType.clear();
    link.wireless = false;
    const QString &name = link.name;
    if (name.isEmpty() || name.contains(u'/') || name == QLatin1String(".") || name == QLatin1String(".."))
        return;
    const QString base = QStringLiteral("/sys/class/net/") + name;
    QFile ifindex(base + QStringLiteral("/ifindex"));
    if (!ifindex.open(QIODevice::ReadOnly) || ifindex.readAll().trimmed().toInt() != link.index)
        return;
    QFile uevent(base + QStringLiteral("/uevent"));
    if (uevent.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : uevent.readAll().split('\n'))
            if (line.startsWith("DEVTYPE="))
                link.devType = QString::fromLatin1(line.mid(8).trimmed());
    }
    link.wireless = link.devType == QLatin1String("wlan") || QFileInfo::exists(base + QStringLiteral("/wireless")) ||
                    QFileInfo::exists(base + QStringLiteral("/phy80211"));
    const QFileInfo device(base + QStringLiteral("/device"));
    if (!device.exists())
        return;
    link.devicePath = device.canonicalFilePath();
    const QFileInfo driver(base + QStringLiteral("/device/driver"));
    if (driver.exists())
        link.driver = QFileInfo(driver.canonicalFilePath()).fileName();
}

const nla_policy *linkPolicy()
{
    static const auto policy = [] {
        std::array<nla_policy, IFLA_MAX + 1> p {};
        p[IFLA_MTU].type = NLA_U32;
        p[IFLA_MASTER].type = NLA_U32;
        p[IFLA_OPERSTATE].type = NLA_U8;
        p[IFLA_LINKINFO].type = NLA_NESTED;
        return p;
    }();
    return policy.data();
}

const nla_policy *routePolicy()
{
    static const auto policy = [] {
        std::array<nla_policy, RTA_MAX + 1> p {};
        p[RTA_TABLE].type = NLA_U32;
        p[RTA_OIF].type = NLA_U32;
        return p;
    }();
    return policy.data();
}

std::optional<LinkInfo> parseLink(nlmsghdr *hdr)
{
    if (!nlmsg_valid_hdr(hdr, sizeof(ifinfomsg)))
        return std::nullopt;
    const auto *ifi = static_cast<const ifinfomsg *>(nlmsg_data(hdr));
    // Bridge port notifications (AF_BRIDGE) describe the port's bridging state only; a
    // RTM_DELLINK among them means "left the bridge", not "gone".
    if (ifi->ifi_family == AF_BRIDGE || ifi->ifi_index <= 0)
        return std::nullopt;
    std::array<nlattr *, IFLA_MAX + 1> tb {};
    if (nlmsg_parse(hdr, sizeof(ifinfomsg), tb.data(), IFLA_MAX, linkPolicy()) < 0)
        return std::nullopt;

    LinkInfo link;
    link.index = ifi->ifi_index;
    link.name = stringAttribute(tb[IFLA_IFNAME]);
    link.mac = bytesAttribute(tb[IFLA_ADDRESS]);
    link.permanentMac = bytesAttribute(tb[IFLA_PERM_ADDRESS]);
    link.masterIndex = tb[IFLA_MASTER] ? static_cast<int>(nla_get_u32(tb[IFLA_MASTER])) : 0;
    link.mtu = tb[IFLA_MTU] ? static_cast<int>(nla_get_u32(tb[IFLA_MTU])) : 0;
    const unsigned flags = ifi->ifi_flags;
    link.adminUp = flags & IFF_UP;
    link.carrier = flags & IFF_LOWER_UP;
    link.loopback = flags & IFF_LOOPBACK;
    const int operState = tb[IFLA_OPERSTATE] ? int(nla_get_u8(tb[IFLA_OPERSTATE])) : int(IF_OPER_UNKNOWN);
    link.operUp = operState == IF_OPER_UP || (operState == IF_OPER_UNKNOWN && (flags & IFF_RUNNING));
    if (tb[IFLA_LINKINFO]) {
        std::array<nlattr *, IFLA_INFO_MAX + 1> info {};
        if (nla_parse_nested(info.data(), IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) >= 0)
            link.kind = stringAttribute(info[IFLA_INFO_KIND]);
    }
    if (tb[IFLA_STATS64]) {
        // Copy what is there: the structure has grown over kernel versions, in both directions.
        rtnl_link_stats64 stats {};
        std::memcpy(&stats, nla_data(tb[IFLA_STATS64]),
                    std::min(sizeof stats, static_cast<size_t>(nla_len(tb[IFLA_STATS64]))));
        link.rxBytes = stats.rx_bytes;
        link.txBytes = stats.tx_bytes;
        link.rxPackets = stats.rx_packets;
        link.txPackets = stats.tx_packets;
    } else if (tb[IFLA_STATS]) {
        rtnl_link_stats stats {};
        std::memcpy(&stats, nla_data(tb[IFLA_STATS]),
                    std::min(sizeof stats, static_cast<size_t>(nla_len(tb[IFLA_STATS]))));
        link.rxBytes = stats.rx_bytes;
        link.txBytes = stats.tx_bytes;
        link.rxPackets = stats.rx_packets;
        link.txPackets = stats.tx_packets;
    }
    return link;
}

struct ParsedAddress
{
    int index = 0;
    int family = 0;
    LinkAddress address;
    bool reported = false; // false for the addresses this monitor leaves out (IPv6 link-local)
};

std::optional<ParsedAddress> parseAddress(nlmsghdr *hdr)
{
    if (!nlmsg_valid_hdr(hdr, sizeof(ifaddrmsg)))
        return std::nullopt;
    const auto *ifa = static_cast<const ifaddrmsg *>(nlmsg_data(hdr));
    if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
        return std::nullopt;
    std::array<nlattr *, IFA_MAX + 1> tb {};
    if (nlmsg_parse(hdr, sizeof(ifaddrmsg), tb.data(), IFA_MAX, nullptr) < 0)
        return std::nullopt;
    // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links.
    const nlattr *local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
    ParsedAddress parsed;
    parsed.index = static_cast<int>(ifa->ifa_index);
    parsed.family = ifa->ifa_family;
    parsed.address.address = addressAttribute(ifa->ifa_family, local);
    parsed.address.prefixLength = ifa->ifa_prefixlen;
    if (parsed.address.address.isNull())
        return std::nullopt;
    parsed.reported = !(ifa->ifa_family == AF_INET6 && parsed.address.address.isLinkLocal());
    return parsed;
}

struct NextHop
{
    int index = 0;
    QHostAddress gateway;
};

QHostAddress gatewayOf(int family, nlattr *const *tb)
{
    if (tb[RTA_GATEWAY])
        return addressAttribute(family, tb[RTA_GATEWAY]);
    if (tb[RTA_VIA] && static_cast<size_t>(nla_len(tb[RTA_VIA])) >= sizeof(rtvia)) {
        const auto *via = static_cast<const rtvia *>(nla_data(tb[RTA_VIA]));
        return addressFrom(via->rtvia_family, via->rtvia_addr,
                           nla_len(tb[RTA_VIA]) - static_cast<int>(offsetof(rtvia, rtvia_addr)));
    }
    return QHostAddress(family == AF_INET ? QHostAddress::AnyIPv4 : QHostAddress::AnyIPv6);
}

// The next hops of a unicast default route in the main table; nullopt for any other route.
std::optional<QList<NextHop>> parseDefaultRoute(nlmsghdr *hdr)
{
    if (!nlmsg_valid_hdr(hdr, sizeof(rtmsg)))
        return std::nullopt;
    const auto *rtm = static_cast<const rtmsg *>(nlmsg_data(hdr));
    if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || rtm->rtm_dst_len != 0 ||
        rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
        return std::nullopt;
    std::array<nlattr *, RTA_MAX + 1> tb {};
    if (nlmsg_parse(hdr, sizeof(rtmsg), tb.data(), RTA_MAX, routePolicy()) < 0)
        return std::nullopt;
    const unsigned table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
    if (table != RT_TABLE_MAIN)
        return std::nullopt;

    QList<NextHop> hops;
    if (tb[RTA_MULTIPATH]) {
        int remaining = nla_len(tb[RTA_MULTIPATH]);
        auto *nh = static_cast<rtnexthop *>(nla_data(tb[RTA_MULTIPATH]));
        while (RTNH_OK(nh, remaining)) {
            std::array<nlattr *, RTA_MAX + 1> hop {};
            const int attrLength = nh->rtnh_len - static_cast<int>(sizeof(rtnexthop));
            if (nla_parse(hop.data(), RTA_MAX, reinterpret_cast<nlattr *>(RTNH_DATA(nh)), attrLength, nullptr) >= 0)
                hops.append({nh->rtnh_ifindex, gatewayOf(rtm->rtm_family, hop.data())});
            remaining -= static_cast<int>(RTNH_ALIGN(nh->rtnh_len));
            nh = RTNH_NEXT(nh);
        }
    } else if (tb[RTA_OIF]) {
        hops.append({static_cast<int>(nla_get_u32(tb[RTA_OIF])), gatewayOf(rtm->rtm_family, tb.data())});
    }
    return hops;
}

nlmsghdr *header(QByteArray &message)
{
    return reinterpret_cast<nlmsghdr *>(message.data());
}

} // namespace

NetlinkLinkMonitor::NetlinkLinkMonitor(QObject *parent)
    : LinkMonitor(parent)
{
    m_resyncTimer.setSingleShot(true);
    connect(&m_resyncTimer, &QTimer::timeout, this, &NetlinkLinkMonitor::resyncNow);
}

NetlinkLinkMonitor::~NetlinkLinkMonitor()
{
    stop();
}

void NetlinkLinkMonitor::stop()
{
    m_notifier.reset();
    if (m_eventCb)
        nl_cb_put(m_eventCb);
    m_eventCb = nullptr;
    if (m_events)
        nl_socket_free(m_events);
    m_events = nullptr;
    if (m_request)
        nl_socket_free(m_request);
    m_request = nullptr;
}

bool NetlinkLinkMonitor::start(QString *error)
{
    if (m_notifier)
        return true;
    const auto fail = [this, error](const QString &what, int nlError) {
        if (error)
            *error = QStringLiteral("netlink: %1: %2").arg(what, errorText(nlError));
        stop();
        return false;
    };

    m_request = nl_socket_alloc();
    m_events = nl_socket_alloc();
    if (!m_request || !m_events)
        return fail(QStringLiteral("cannot allocate a socket"), NLE_NOMEM);
    if (const int err = nl_connect(m_request, NETLINK_ROUTE); err < 0)
        return fail(QStringLiteral("cannot open the request socket"), err);
    nl_socket_enable_msg_peek(m_request);
    nl_socket_modify_cb(m_request, NL_CB_VALID, NL_CB_CUSTOM, collectMessage, &m_requestMessages);

    // Events are not replies: no sequence numbers to check. Subscribe before dumping so that
    // nothing happening during the dump is missed (applying a change twice is harmless).
    nl_socket_disable_seq_check(m_events);
    nl_socket_modify_cb(m_events, NL_CB_VALID, NL_CB_CUSTOM, collectMessage, &m_eventMessages);
    if (const int err = nl_connect(m_events, NETLINK_ROUTE); err < 0)
        return fail(QStringLiteral("cannot open the event socket"), err);
    nl_socket_enable_msg_peek(m_events);
    if (const int err =
            nl_socket_add_memberships(m_events, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE, 0);
        err < 0)
        return fail(QStringLiteral("cannot subscribe to link, address and route events"), err);
    if (const int err = nl_socket_set_nonblocking(m_events); err < 0)
        return fail(QStringLiteral("cannot make the event socket non-blocking"), err);
    applyReceiveBufferSize();
    m_eventCb = nl_socket_get_cb(m_events);

    QMap<int, LinkInfo> links;
    QString dumpError;
    if (!readKernel(&links, &dumpError)) {
        if (error)
            *error = dumpError;
        stop();
        return false;
    }
    m_links = links;
    m_routesDirty = false;

    m_notifier = std::make_unique<QSocketNotifier>(nl_socket_get_fd(m_events), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &NetlinkLinkMonitor::onEventsReadable);
    qCDebug(lcNetlink) << "watching" << m_links.size() << "links, receive buffer" << m_receiveBufferSize << "bytes";
    return true;
}

void NetlinkLinkMonitor::setReceiveBufferSize(int bytes)
{
    m_receiveBufferSize = std::max(bytes, 1024);
    if (m_events)
        applyReceiveBufferSize();
}

void NetlinkLinkMonitor::applyReceiveBufferSize()
{
    if (const int err = nl_socket_set_buffer_size(m_events, m_receiveBufferSize, 0); err < 0)
        qCWarning(lcNetlink).noquote() << "cannot set the receive buffer size:" << errorText(err);
    // SO_RCVBUF is capped at net.core.rmem_max; with CAP_NET_ADMIN the cap can be lifted.
    const int size = m_receiveBufferSize;
    if (::setsockopt(nl_socket_get_fd(m_events), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        qCDebug(lcNetlink) << "SO_RCVBUFFORCE not permitted; receive buffer capped by net.core.rmem_max";
}

bool NetlinkLinkMonitor::dump(int type, QList<QByteArray> *messages, QString *error)
{
    int err = 0;
    for (int attempt = 0; attempt < DumpAttempts; ++attempt) {
        m_requestMessages.clear();
        err = nl_rtgen_request(m_request, type, AF_UNSPEC, NLM_F_DUMP);
        if (err >= 0)
            err = nl_recvmsgs_default(m_request);
        if (err != -NLE_DUMP_INTR)
            break;
        qCDebug(lcNetlink) << "dump" << type << "interrupted by a change, retrying";
    }
    *messages = std::exchange(m_requestMessages, {});
    if (err < 0) {
        if (error)
            *error = QStringLiteral("netlink: dump of type %1 failed: %2").arg(type).arg(errorText(err));
        return false;
    }
    return true;
}

bool NetlinkLinkMonitor::readKernel(QMap<int, LinkInfo> *links, QString *error)
{
    QList<QByteArray> messages;
    if (!dump(RTM_GETLINK, &messages, error))
        return false;
    for (QByteArray &message : messages) {
        if (header(message)->nlmsg_type != RTM_NEWLINK)
            continue;
        if (std::optional<LinkInfo> link = parseLink(header(message))) {
            readDevice(*link);
            links->insert(link->index, *link);
        }
    }

    if (!dump(RTM_GETADDR, &messages, error))
        return false;
    for (QByteArray &message : messages) {
        if (header(message)->nlmsg_type != RTM_NEWADDR)
            continue;
        const std::optional<ParsedAddress> parsed = parseAddress(header(message));
        const auto link = parsed ? links->find(parsed->index) : links->end();
        if (link != links->end() && parsed->reported && !link->addresses.contains(parsed->address))
            link->addresses.append(parsed->address);
    }
    for (LinkInfo &link : *links)
        sortAddresses(link.addresses);

    QHash<int, QList<QHostAddress>> gateways;
    if (!readGateways(&gateways, error))
        return false;
    for (auto it = gateways.cbegin(); it != gateways.cend(); ++it)
        if (const auto link = links->find(it.key()); link != links->end())
            link->gateways = it.value();
    return true;
}

bool NetlinkLinkMonitor::readGateways(QHash<int, QList<QHostAddress>> *gateways, QString *error)
{
    QList<QByteArray> messages;
    if (!dump(RTM_GETROUTE, &messages, error))
        return false;
    for (QByteArray &message : messages) {
        if (header(message)->nlmsg_type != RTM_NEWROUTE)
            continue;
        if (const std::optional<QList<NextHop>> hops = parseDefaultRoute(header(message)))
            for (const NextHop &hop : *hops)
                (*gateways)[hop.index].append(hop.gateway);
    }
    for (QList<QHostAddress> &list : *gateways)
        sortHosts(list);
    return true;
}

void NetlinkLinkMonitor::onEventsReadable()
{
    for (int i = 0; i < MaxReceivesPerWakeup && m_events; ++i) {
        const int result = nl_recvmsgs_report(m_events, m_eventCb);
        // Apply in kernel order; take the batch first, as slots may call back into us.
        QList<QByteArray> batch = std::exchange(m_eventMessages, {});
        for (QByteArray &message : batch)
            applyEvent(message);
        if (result > 0)
            continue;
        if (result == -NLE_NOMEM) {
            onOverflow();
            continue;
        }
        if (result < 0 && result != -NLE_AGAIN)
            qCWarning(lcNetlink).noquote() << "receiving events failed:" << errorText(result);
        break;
    }
    if (m_routesDirty)
        refreshGateways();
}

void NetlinkLinkMonitor::applyEvent(QByteArray &message)
{
    nlmsghdr *hdr = header(message);
    switch (hdr->nlmsg_type) {
    case RTM_NEWLINK:
        if (const std::optional<LinkInfo> link = parseLink(hdr))
            upsertLink(*link);
        break;
    case RTM_DELLINK:
        if (const std::optional<LinkInfo> link = parseLink(hdr))
            removeLink(link->index);
        break;
    case RTM_NEWADDR:
    case RTM_DELADDR: {
        const std::optional<ParsedAddress> parsed = parseAddress(hdr);
        if (!parsed)
            break;
        const bool added = hdr->nlmsg_type == RTM_NEWADDR;
        // Losing its last IPv4 address makes the kernel flush the link's IPv4 routes silently.
        if (!added && parsed->family == AF_INET)
            m_routesDirty = true;
        const auto it = m_links.find(parsed->index);
        if (!parsed->reported || it == m_links.end() || it->addresses.contains(parsed->address) == added)
            break;
        const LinkInfo before = *it;
        if (added) {
            it->addresses.append(parsed->address);
            sortAddresses(it->addresses);
        } else {
            it->addresses.removeAll(parsed->address);
        }
        const LinkInfo after = *it;
        Q_EMIT linkChanged(before, after);
        break;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
        if (parseDefaultRoute(hdr))
            m_routesDirty = true;
        break;
    default:
        break; // rules: subscribed for the route reconciler, not needed here
    }
}

void NetlinkLinkMonitor::upsertLink(const LinkInfo &fresh)
{
    const auto it = m_links.find(fresh.index);
    if (it == m_links.end()) {
        LinkInfo link = fresh;
        readDevice(link);
        m_links.insert(link.index, link);
        qCDebug(lcNetlink).noquote() << "link" << link.index << link.name << "added";
        Q_EMIT linkAdded(link);
        return;
    }
    const LinkInfo before = *it;
    LinkInfo after = fresh;
    after.addresses = before.addresses;
    after.gateways = before.gateways;
    if (after.name == before.name) {
        after.devicePath = before.devicePath;
        after.driver = before.driver;
        after.devType = before.devType;
        after.wireless = before.wireless;
    } else {
        readDevice(after);
    }
    *it = after;
    // Setting a link down flushes its IPv4 routes without a notification.
    if (before.adminUp && !after.adminUp)
        m_routesDirty = true;
    if (!sameIgnoringCounters(before, after))
        Q_EMIT linkChanged(before, after);
}

void NetlinkLinkMonitor::removeLink(int index)
{
    const auto it = m_links.find(index);
    if (it == m_links.end())
        return;
    const LinkInfo gone = *it;
    m_links.erase(it);
    qCDebug(lcNetlink).noquote() << "link" << gone.index << gone.name << "removed";
    Q_EMIT linkRemoved(gone);
}

void NetlinkLinkMonitor::refreshGateways()
{
    m_routesDirty = false;
    QHash<int, QList<QHostAddress>> gateways;
    QString error;
    if (!readGateways(&gateways, &error)) {
        qCWarning(lcNetlink).noquote() << error;
        return;
    }
    const QList<int> indexes = m_links.keys();
    for (int index : indexes) {
        const auto it = m_links.find(index);
        if (it == m_links.end())
            continue;
        const QList<QHostAddress> now = gateways.value(index);
        if (it->gateways == now)
            continue;
        const LinkInfo before = *it;
        it->gateways = now;
        const LinkInfo after = *it;
        Q_EMIT linkChanged(before, after);
    }
}

void NetlinkLinkMonitor::refreshCounters()
{
    if (!m_request)
        return;
    QList<QByteArray> messages;
    QString error;
    if (!dump(RTM_GETLINK, &messages, &error)) {
        qCWarning(lcNetlink).noquote() << error;
        return;
    }
    for (QByteArray &message : messages) {
        if (header(message)->nlmsg_type != RTM_NEWLINK)
            continue;
        const std::optional<LinkInfo> fresh = parseLink(header(message));
        if (!fresh)
            continue;
        if (const auto it = m_links.find(fresh->index); it != m_links.end()) {
            it->rxBytes = fresh->rxBytes;
            it->txBytes = fresh->txBytes;
            it->rxPackets = fresh->rxPackets;
            it->txPackets = fresh->txPackets;
        }
    }
}

void NetlinkLinkMonitor::onOverflow()
{
    qCWarning(lcNetlink) << "netlink receive buffer overflowed, events were lost (ENOBUFS)";
    if (m_resyncTimer.isActive())
        return;
    const auto sinceLast = std::chrono::milliseconds(m_lastResync.isValid() ? m_lastResync.elapsed() : 0);
    if (m_lastResync.isValid() && sinceLast < m_resyncHoldOff) {
        const auto wait = m_resyncHoldOff - sinceLast;
        qCInfo(lcNetlink) << "re-reading links, addresses and routes in" << wait.count() << "ms (hold-off)";
        m_resyncTimer.start(wait);
        return;
    }
    resyncNow();
}

void NetlinkLinkMonitor::resyncNow()
{
    if (!m_events)
        return;
    m_resyncTimer.stop();
    // What is queued predates the dump below and is incomplete anyway; applying it after the
    // dump would roll the model back.
    discardQueuedEvents();
    QMap<int, LinkInfo> fresh;
    QString error;
    if (!readKernel(&fresh, &error)) {
        qCWarning(lcNetlink).noquote() << "re-reading the kernel's links failed:" << error;
        m_resyncTimer.start(m_resyncHoldOff);
        return;
    }
    m_lastResync.start();
    m_routesDirty = false;
    qCInfo(lcNetlink) << "resynchronized with the kernel after lost events:" << fresh.size() << "links";
    reconcile(fresh);
    Q_EMIT resynced();
}

void NetlinkLinkMonitor::discardQueuedEvents()
{
    int discarded = 0;
    for (int i = 0; i < MaxDiscardedReceives; ++i) {
        const int result = nl_recvmsgs_report(m_events, m_eventCb);
        discarded += static_cast<int>(m_eventMessages.size());
        m_eventMessages.clear();
        if (result <= 0 && result != -NLE_NOMEM)
            break;
    }
    qCDebug(lcNetlink) << "discarded" << discarded << "queued events";
}

void NetlinkLinkMonitor::reconcile(const QMap<int, LinkInfo> &fresh)
{
    const QList<int> known = m_links.keys();
    for (int index : known)
        if (!fresh.contains(index))
            removeLink(index);
    for (const LinkInfo &now : fresh) {
        const auto it = m_links.find(now.index);
        if (it == m_links.end()) {
            m_links.insert(now.index, now);
            Q_EMIT linkAdded(now);
            continue;
        }
        const LinkInfo before = *it;
        *it = now;
        if (!sameIgnoringCounters(before, now))
            Q_EMIT linkChanged(before, now);
    }
}

} // namespace smoothwan

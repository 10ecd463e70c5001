// SPDX-License-Identifier: GPL-3.0-or-later
#include "NetlinkMptcpEndpoints.h"

#include "InterfaceName.h"
#include "LinuxLogging.h"

#include <QtCore/QtEndian>

#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/mptcp.h>

#include <algorithm>
#include <cstring>
#include <sys/socket.h>

namespace smoothwan {

namespace {

QString nlError(int err)
{
    switch (-err) {
    case NLE_EXIST:
        return QStringLiteral("already exists");
    case NLE_OBJ_NOTFOUND:
        return QStringLiteral("no such endpoint");
    case NLE_PERM:
        return QStringLiteral("operation not permitted (needs CAP_NET_ADMIN)");
    default:
        return QString::fromLocal8Bit(nl_geterror(err));
    }
}

int collect(nl_msg *msg, void *arg)
{
    auto *out = static_cast<QList<QByteArray> *>(arg);
    const nlmsghdr *h = nlmsg_hdr(msg);
    out->append(QByteArray(reinterpret_cast<const char *>(h), static_cast<qsizetype>(h->nlmsg_len)));
    return NL_OK;
}

// The attributes of one message (after the generic netlink header).
bool parseAttributes(const QByteArray &raw, nlattr **tb)
{
    auto *h = reinterpret_cast<nlmsghdr *>(const_cast<char *>(raw.constData()));
    return genlmsg_parse(h, 0, tb, MPTCP_PM_ATTR_MAX, nullptr) == 0;
}

bool parseEndpoint(nlattr *nested, MptcpEndpoint *e)
{
    nlattr *tb[MPTCP_PM_ADDR_ATTR_MAX + 1] = {};
    if (nla_parse_nested(tb, MPTCP_PM_ADDR_ATTR_MAX, nested, nullptr) < 0)
        return false;
    if (tb[MPTCP_PM_ADDR_ATTR_ID])
        e->id = nla_get_u8(tb[MPTCP_PM_ADDR_ATTR_ID]);
    if (tb[MPTCP_PM_ADDR_ATTR_ADDR4] && nla_len(tb[MPTCP_PM_ADDR_ATTR_ADDR4]) == 4) {
        quint32 v4;
        std::memcpy(&v4, nla_data(tb[MPTCP_PM_ADDR_ATTR_ADDR4]), 4);
        e->address = QHostAddress(qFromBigEndian(v4));
    } else if (tb[MPTCP_PM_ADDR_ATTR_ADDR6] && nla_len(tb[MPTCP_PM_ADDR_ATTR_ADDR6]) == 16) {
        Q_IPV6ADDR v6;
        std::memcpy(v6.c, nla_data(tb[MPTCP_PM_ADDR_ATTR_ADDR6]), 16);
        e->address = QHostAddress(v6);
    }
    if (tb[MPTCP_PM_ADDR_ATTR_FLAGS])
        e->flags = nla_get_u32(tb[MPTCP_PM_ADDR_ATTR_FLAGS]);
    if (tb[MPTCP_PM_ADDR_ATTR_IF_IDX]) {
        const auto index = static_cast<int>(nla_get_u32(tb[MPTCP_PM_ADDR_ATTR_IF_IDX]));
        char name[IF_NAMESIZE] = {};
        if (index > 0 && ::if_indextoname(static_cast<unsigned>(index), name))
            e->interface = QString::fromLocal8Bit(name);
    }
    return true;
}

} // namespace

NetlinkMptcpEndpoints::NetlinkMptcpEndpoints(QObject *parent)
    : MptcpEndpoints(parent)
{ }

NetlinkMptcpEndpoints::~NetlinkMptcpEndpoints()
{
    if (m_sock)
        nl_socket_free(m_sock);
}

bool NetlinkMptcpEndpoints::open(QString *error)
{
    if (m_sock)
        return true;
    m_sock = nl_socket_alloc();
    if (!m_sock) {
        *error = QStringLiteral("mptcp: out of memory");
        return false;
    }
    if (const int err = genl_connect(m_sock); err < 0) {
        *error = QStringLiteral("mptcp: cannot open generic netlink: %1").arg(nlError(err));
        nl_socket_free(m_sock);
        m_sock = nullptr;
        return false;
    }
    m_family = genl_ctrl_resolve(m_sock, MPTCP_PM_NAME);
    if (m_family < 0) {
        *error = QStringLiteral("mptcp: the kernel has no MPTCP path manager (%1)").arg(nlError(m_family));
        nl_socket_free(m_sock);
        m_sock = nullptr;
        return false;
    }
    return true;
}

// Sends one request built by `fill` and collects the replies (for GET commands) or waits for the ack.
namespace {
template<typename Fill>
int request(nl_sock *sock, int family, std::uint8_t cmd, int flags, Fill fill, QList<QByteArray> *replies)
{
    nl_msg *msg = nlmsg_alloc();
    if (!msg)
        return -NLE_NOMEM;
    if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, MPTCP_PM_VER)) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    if (!fill(msg)) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
    if (replies)
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect, replies);
    int err = nl_send_auto(sock, msg);
    nlmsg_free(msg);
    if (err >= 0)
        err = replies ? nl_recvmsgs(sock, cb) : nl_wait_for_ack(sock);
    // A non-dump GET answers with its message and then an ack.
    if (err >= 0 && replies && !(flags & NLM_F_DUMP))
        err = nl_wait_for_ack(sock);
    nl_cb_put(cb);
    return err < 0 ? err : 0;
}
} // namespace

bool NetlinkMptcpEndpoints::list(QList<MptcpEndpoint> *out, QString *error)
{
    out->clear();
    if (!open(error))
        return false;
    QList<QByteArray> replies;
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP, [](nl_msg *) { return true; }, &replies);
    if (err < 0) {
        *error = QStringLiteral("mptcp: cannot list endpoints: %1").arg(nlError(err));
        return false;
    }
    for (const QByteArray &raw : std::as_const(replies)) {
        nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {};
        MptcpEndpoint e;
        if (parseAttributes(raw, tb) && tb[MPTCP_PM_ATTR_ADDR] && parseEndpoint(tb[MPTCP_PM_ATTR_ADDR], &e))
            out->append(e);
    }
    std::sort(out->begin(), out->end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return true;
}

bool NetlinkMptcpEndpoints::add(const MptcpEndpoint &endpoint, QString *error)
{
    const QString what = QStringLiteral("mptcp endpoint %1 (%2)").arg(endpoint.id).arg(endpoint.address.toString());
    int ifindex = 0;
    if (!endpoint.interface.isEmpty()) {
        if (!isValidInterfaceName(endpoint.interface)) {
            *error = QStringLiteral("%1: invalid interface name \"%2\"").arg(what, endpoint.interface);
            return false;
        }
        ifindex = static_cast<int>(::if_nametoindex(endpoint.interface.toLocal8Bit().constData()));
        if (ifindex == 0) {
            *error = QStringLiteral("%1: no such interface \"%2\"").arg(what, endpoint.interface);
            return false;
        }
    }
    const bool v4 = endpoint.address.protocol() == QHostAddress::IPv4Protocol;
    if (!v4 && endpoint.address.protocol() != QHostAddress::IPv6Protocol) {
        *error = QStringLiteral("%1: an IPv4 or IPv6 address is required").arg(what);
        return false;
    }
    // The kernel answers a duplicate with EINVAL or EEXIST depending on its version: look first,
    // so the caller always hears "already exists".
    QList<MptcpEndpoint> existing;
    if (!list(&existing, error))
        return false;
    for (const auto &x : std::as_const(existing)) {
        if ((endpoint.id != 0 && x.id == endpoint.id) || x.address == endpoint.address) {
            *error =
                QStringLiteral("%1: already exists (as endpoint %2, %3)").arg(what).arg(x.id).arg(x.address.toString());
            return false;
        }
    }
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_ADD_ADDR, 0,
        [&](nl_msg *msg) {
            nlattr *nest = nla_nest_start(msg, MPTCP_PM_ATTR_ADDR | NLA_F_NESTED);
            if (!nest)
                return false;
            nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_FAMILY, v4 ? AF_INET : AF_INET6);
            if (endpoint.id != 0)
                nla_put_u8(msg, MPTCP_PM_ADDR_ATTR_ID, endpoint.id);
            if (v4) {
                const quint32 a = qToBigEndian(endpoint.address.toIPv4Address());
                nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR4, 4, &a);
            } else {
                const Q_IPV6ADDR a = endpoint.address.toIPv6Address();
                nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR6, 16, a.c);
            }
            nla_put_u32(msg, MPTCP_PM_ADDR_ATTR_FLAGS, endpoint.flags);
            if (ifindex > 0)
                nla_put_s32(msg, MPTCP_PM_ADDR_ATTR_IF_IDX, ifindex);
            nla_nest_end(msg, nest);
            return true;
        },
        nullptr);
    if (err < 0) {
        *error = QStringLiteral("%1: %2").arg(what, nlError(err));
        return false;
    }
    qCDebug(lcNetlink) << "mptcp: added" << what << "flags" << endpoint.flags << endpoint.interface;
    return true;
}

namespace {
bool hasId(const QList<MptcpEndpoint> &endpoints, std::uint8_t id)
{
    return std::any_of(endpoints.cbegin(), endpoints.cend(), [id](const auto &x) { return x.id == id; });
}
} // namespace

bool NetlinkMptcpEndpoints::remove(std::uint8_t id, QString *error)
{
    QList<MptcpEndpoint> existing;
    if (!list(&existing, error))
        return false;
    if (id == 0 || !hasId(existing, id)) { // the kernel says EINVAL "address not found"
        *error = QStringLiteral("mptcp endpoint %1: no such endpoint").arg(id);
        return false;
    }
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_DEL_ADDR, 0,
        [id](nl_msg *msg) {
            nlattr *nest = nla_nest_start(msg, MPTCP_PM_ATTR_ADDR | NLA_F_NESTED);
            if (!nest)
                return false;
            nla_put_u8(msg, MPTCP_PM_ADDR_ATTR_ID, id);
            nla_nest_end(msg, nest);
            return true;
        },
        nullptr);
    if (err < 0) {
        *error = QStringLiteral("mptcp endpoint %1: cannot remove: %2").arg(id).arg(nlError(err));
        return false;
    }
    return true;
}

bool NetlinkMptcpEndpoints::setBackup(std::uint8_t id, bool backup, QString *error)
{
    QList<MptcpEndpoint> existing;
    if (!list(&existing, error))
        return false;
    if (id == 0 || !hasId(existing, id)) {
        *error = QStringLiteral("mptcp endpoint %1: no such endpoint").arg(id);
        return false;
    }
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_SET_FLAGS, 0,
        [id, backup](nl_msg *msg) {
            nlattr *nest = nla_nest_start(msg, MPTCP_PM_ATTR_ADDR | NLA_F_NESTED);
            if (!nest)
                return false;
            nla_put_u8(msg, MPTCP_PM_ADDR_ATTR_ID, id);
            nla_put_u32(msg, MPTCP_PM_ADDR_ATTR_FLAGS, backup ? MPTCP_PM_ADDR_FLAG_BACKUP : 0);
            nla_nest_end(msg, nest);
            return true;
        },
        nullptr);
    if (err < 0) {
        *error = QStringLiteral("mptcp endpoint %1: cannot set the backup flag: %2").arg(id).arg(nlError(err));
        return false;
    }
    return true;
}

bool NetlinkMptcpEndpoints::limits(MptcpLimits *out, QString *error)
{
    if (!open(error))
        return false;
    QList<QByteArray> replies;
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_GET_LIMITS, 0, [](nl_msg *) { return true; }, &replies);
    if (err < 0 || replies.isEmpty()) {
        *error = QStringLiteral("mptcp: cannot read the limits: %1")
                     .arg(err < 0 ? nlError(err) : QStringLiteral("no answer"));
        return false;
    }
    nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {};
    if (!parseAttributes(replies.first(), tb)) {
        *error = QStringLiteral("mptcp: cannot parse the limits");
        return false;
    }
    *out = {};
    if (tb[MPTCP_PM_ATTR_SUBFLOWS])
        out->subflows = nla_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]);
    if (tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS])
        out->addAddrAccepted = nla_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]);
    return true;
}

bool NetlinkMptcpEndpoints::setLimits(const MptcpLimits &limits, QString *error)
{
    if (limits.subflows > 8 || limits.addAddrAccepted > 8) { // MPTCP_PM_ADDR_MAX
        *error =
            QStringLiteral("mptcp limits: at most 8 (got %1, %2)").arg(limits.subflows).arg(limits.addAddrAccepted);
        return false;
    }
    if (!open(error))
        return false;
    const int err = request(
        m_sock, m_family, MPTCP_PM_CMD_SET_LIMITS, 0,
        [&limits](nl_msg *msg) {
            nla_put_u32(msg, MPTCP_PM_ATTR_RCV_ADD_ADDRS, limits.addAddrAccepted);
            nla_put_u32(msg, MPTCP_PM_ATTR_SUBFLOWS, limits.subflows);
            return true;
        },
        nullptr);
    if (err < 0) {
        *error = QStringLiteral("mptcp limits: %1").arg(nlError(err));
        return false;
    }
    return true;
}

} // namespace smoothwan

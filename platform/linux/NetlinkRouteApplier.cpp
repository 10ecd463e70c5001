// SPDX-License-Identifier: GPL-3.0-or-later
#include "NetlinkRouteApplier.h"

#include "LinuxLogging.h"

#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QtEndian>

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <netlink/socket.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

namespace smoothwan {

using namespace routing;

namespace {

QString nlError(int err)
{
    return QString::fromLocal8Bit(nl_geterror(err));
}

struct RouteKey
{
    std::uint32_t table;
    std::uint32_t metric;
    int type;
    friend bool operator==(const RouteKey &, const RouteKey &) = default;
};

size_t qHash(const RouteKey &k, size_t seed = 0)
{
    return ::qHash(k.table, seed) ^ ::qHash(k.metric, seed << 1) ^ ::qHash(k.type, seed << 2);
}

int kernelType(PlannedRoute::Type t)
{
    switch (t) {
    case PlannedRoute::Type::Unicast:
        return RTN_UNICAST;
    case PlannedRoute::Type::Unreachable:
        return RTN_UNREACHABLE;
    case PlannedRoute::Type::Blackhole:
        return RTN_BLACKHOLE;
    }
    return RTN_UNICAST;
}

nl_addr *toNlAddr(const QHostAddress &a)
{
    const quint32 v4 = qToBigEndian(a.toIPv4Address());
    return nl_addr_build(AF_INET, &v4, sizeof v4);
}

// Collects the messages of a dump.
int collect(nl_msg *msg, void *arg)
{
    auto *out = static_cast<QList<QByteArray> *>(arg);
    const nlmsghdr *h = nlmsg_hdr(msg);
    out->append(QByteArray(reinterpret_cast<const char *>(h), static_cast<qsizetype>(h->nlmsg_len)));
    return NL_OK;
}

PlannedRule parseRule(const QByteArray &raw, bool *ours)
{
    PlannedRule r;
    const auto *h = reinterpret_cast<const nlmsghdr *>(raw.constData());
    const auto *frh = static_cast<const fib_rule_hdr *>(nlmsg_data(h));
    nlattr *tb[FRA_MAX + 1] = {};
    nlmsg_parse(const_cast<nlmsghdr *>(h), sizeof(fib_rule_hdr), tb, FRA_MAX, nullptr);
    r.table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
    r.priority = tb[FRA_PRIORITY] ? nla_get_u32(tb[FRA_PRIORITY]) : 0;
    r.mark = tb[FRA_FWMARK] ? nla_get_u32(tb[FRA_FWMARK]) : 0;
    r.mask = tb[FRA_FWMASK] ? nla_get_u32(tb[FRA_FWMASK]) : (tb[FRA_FWMARK] ? 0xffffffff : 0);
    if (tb[FRA_SRC] && frh->src_len == 32 && nla_len(tb[FRA_SRC]) == 4) {
        quint32 v4;
        std::memcpy(&v4, nla_data(tb[FRA_SRC]), 4);
        r.from = QHostAddress(qFromBigEndian(v4));
    }
    r.localOnly = tb[FRA_IIFNAME] && QByteArray(static_cast<const char *>(nla_data(tb[FRA_IIFNAME]))) == "lo";
    if (tb[FRA_DST] && frh->dst_len == 32 && nla_len(tb[FRA_DST]) == 4) {
        quint32 v4;
        std::memcpy(&v4, nla_data(tb[FRA_DST]), 4);
        r.to = QHostAddress(qFromBigEndian(v4));
    }
    const std::uint32_t suppress = tb[FRA_SUPPRESS_PREFIXLEN] ? nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) : 0xffffffff;
    r.suppressPrefixLength = suppress == 0xffffffff ? -1 : static_cast<int>(suppress);
    *ours = frh->family == AF_INET && r.priority >= RulePriorityFirst && r.priority <= RulePriorityLast;
    return r;
}

} // namespace

NetlinkRouteApplier::NetlinkRouteApplier(QObject *parent)
    : RouteApplier(parent)
{ }

NetlinkRouteApplier::~NetlinkRouteApplier()
{
    if (m_sock)
        nl_socket_free(m_sock);
}

bool NetlinkRouteApplier::open(QString *error)
{
    if (m_sock)
        return true;
    m_sock = nl_socket_alloc();
    if (!m_sock) {
        *error = QStringLiteral("netlink: out of memory");
        return false;
    }
    if (const int err = nl_connect(m_sock, NETLINK_ROUTE); err < 0) {
        *error = QStringLiteral("netlink: cannot connect: %1").arg(nlError(err));
        nl_socket_free(m_sock);
        m_sock = nullptr;
        return false;
    }
    return true;
}

QList<PlannedRule> NetlinkRouteApplier::currentRules(QString *error)
{
    QString ignored;
    QString *e = error ? error : &ignored;
    QList<PlannedRule> out;
    if (!open(e))
        return out;
    QList<QByteArray> messages;
    fib_rule_hdr hdr = {};
    hdr.family = AF_INET;
    nl_msg *msg = nlmsg_alloc_simple(RTM_GETRULE, NLM_F_DUMP);
    nlmsg_append(msg, &hdr, sizeof hdr, NLMSG_ALIGNTO);
    nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect, &messages);
    int err = nl_send_auto(m_sock, msg);
    nlmsg_free(msg);
    if (err >= 0)
        err = nl_recvmsgs(m_sock, cb);
    nl_cb_put(cb);
    if (err < 0) {
        *e = QStringLiteral("netlink: cannot list rules: %1").arg(nlError(err));
        return out;
    }
    for (const QByteArray &raw : std::as_const(messages)) {
        bool ours = false;
        const PlannedRule r = parseRule(raw, &ours);
        if (ours)
            out.append(r);
    }
    return out;
}

bool NetlinkRouteApplier::ruleRequest(int type, const PlannedRule &rule, QString *error)
{
    fib_rule_hdr hdr = {};
    hdr.family = AF_INET;
    hdr.action = FR_ACT_TO_TBL;
    hdr.table = rule.table < 256 ? static_cast<std::uint8_t>(rule.table) : std::uint8_t(RT_TABLE_UNSPEC);
    if (!rule.from.isNull())
        hdr.src_len = 32;
    if (!rule.to.isNull())
        hdr.dst_len = 32;
    nl_msg *msg = nlmsg_alloc_simple(type, type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0);
    nlmsg_append(msg, &hdr, sizeof hdr, NLMSG_ALIGNTO);
    nla_put_u32(msg, FRA_PRIORITY, rule.priority);
    nla_put_u32(msg, FRA_TABLE, rule.table);
    if (rule.mask != 0) {
        nla_put_u32(msg, FRA_FWMARK, rule.mark);
        nla_put_u32(msg, FRA_FWMASK, rule.mask);
    }
    if (!rule.from.isNull()) {
        const quint32 v4 = qToBigEndian(rule.from.toIPv4Address());
        nla_put(msg, FRA_SRC, 4, &v4);
    }
    if (!rule.to.isNull()) {
        const quint32 v4 = qToBigEndian(rule.to.toIPv4Address());
        nla_put(msg, FRA_DST, 4, &v4);
    }
    if (rule.localOnly)
        nla_put_string(msg, FRA_IIFNAME, "lo");
    if (rule.suppressPrefixLength >= 0)
        nla_put_u32(msg, FRA_SUPPRESS_PREFIXLEN, static_cast<std::uint32_t>(rule.suppressPrefixLength));
    if (type == RTM_NEWRULE)
        nla_put_u8(msg, FRA_PROTOCOL, RouteProtocol);
    int err = nl_send_auto(m_sock, msg);
    nlmsg_free(msg);
    if (err >= 0)
        err = nl_wait_for_ack(m_sock);
    if (err < 0 && !(type == RTM_NEWRULE && err == -NLE_EXIST)) {
        *error = QStringLiteral("netlink: cannot %1 rule %2: %3")
                     .arg(type == RTM_NEWRULE ? QStringLiteral("add") : QStringLiteral("delete"))
                     .arg(rule.priority)
                     .arg(nlError(err));
        return false;
    }
    return true;
}

bool NetlinkRouteApplier::applyRules(const QList<PlannedRule> &rules, QString *error)
{
    QString listError;
    const QList<PlannedRule> current = currentRules(&listError);
    if (!listError.isEmpty()) {
        *error = listError;
        return false;
    }
    for (const PlannedRule &r : rules)
        if (!current.contains(r) && !ruleRequest(RTM_NEWRULE, r, error))
            return false;
    for (const PlannedRule &r : current)
        if (!rules.contains(r) && !ruleRequest(RTM_DELRULE, r, error))
            return false;
    return true;
}

bool NetlinkRouteApplier::applyRoutes(const QList<PlannedRoute> &routes, QString *error)
{
    for (const PlannedRoute &planned : routes) {
        rtnl_route *route = rtnl_route_alloc();
        rtnl_route_set_family(route, AF_INET);
        rtnl_route_set_table(route, planned.table);
        rtnl_route_set_protocol(route, RouteProtocol);
        rtnl_route_set_priority(route, static_cast<std::uint32_t>(planned.metric));
        rtnl_route_set_type(route, static_cast<std::uint8_t>(kernelType(planned.type)));
        nl_addr *dst = nullptr;
        nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
        rtnl_route_set_dst(route, dst);
        nl_addr_put(dst);
        bool onLink = planned.nexthops.size() == 1 && planned.nexthops.first().gateway.isNull();
        bool missingDevice = false;
        for (const PlannedNexthop &n : planned.nexthops) {
            const unsigned index = if_nametoindex(n.device.toLatin1().constData());
            if (index == 0) {
                missingDevice = true;
                break;
            }
            rtnl_nexthop *nh = rtnl_route_nh_alloc();
            rtnl_route_nh_set_ifindex(nh, static_cast<int>(index));
            if (!n.gateway.isNull()) {
                nl_addr *gw = toNlAddr(n.gateway);
                rtnl_route_nh_set_gateway(nh, gw);
                nl_addr_put(gw);
            }
            if (planned.nexthops.size() > 1)
                rtnl_route_nh_set_weight(nh, static_cast<std::uint8_t>(std::clamp(n.weight, 1, 256) - 1));
            rtnl_route_add_nexthop(route, nh);
        }
        rtnl_route_set_scope(route, onLink ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
        int err = 0;
        if (!missingDevice)
            err = rtnl_route_add(m_sock, route, NLM_F_CREATE | NLM_F_REPLACE);
        rtnl_route_put(route);
        if (missingDevice) {
            qCDebug(lcNetlink) << "route in table" << planned.table << "skipped: its device is gone";
            continue;
        }
        if (err < 0) {
            *error = QStringLiteral("netlink: cannot add the default route of table %1 (metric %2): %3")
                         .arg(planned.table)
                         .arg(planned.metric)
                         .arg(nlError(err));
            return false;
        }
    }
    return deleteOurRoutes(routes, error);
}

bool NetlinkRouteApplier::deleteOurRoutes(const QList<PlannedRoute> &keep, QString *error)
{
    QSet<RouteKey> wanted;
    for (const PlannedRoute &r : keep)
        wanted.insert({r.table, static_cast<std::uint32_t>(r.metric), kernelType(r.type)});
    nl_cache *cache = nullptr;
    if (const int err = rtnl_route_alloc_cache(m_sock, AF_INET, 0, &cache); err < 0) {
        *error = QStringLiteral("netlink: cannot list routes: %1").arg(nlError(err));
        return false;
    }
    QList<rtnl_route *> stale;
    for (nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        auto *route = reinterpret_cast<rtnl_route *>(o);
        if (rtnl_route_get_protocol(route) != RouteProtocol)
            continue;
        const RouteKey key {rtnl_route_get_table(route), rtnl_route_get_priority(route), rtnl_route_get_type(route)};
        if (!wanted.contains(key)) {
            nl_object_get(o);
            stale.append(route);
        }
    }
    nl_cache_free(cache);
    bool ok = true;
    for (rtnl_route *route : stale) {
        if (const int err = rtnl_route_delete(m_sock, route, 0); err < 0 && err != -NLE_OBJ_NOTFOUND) {
            *error = QStringLiteral("netlink: cannot delete a route of table %1: %2")
                         .arg(rtnl_route_get_table(route))
                         .arg(nlError(err));
            ok = false;
        }
        rtnl_route_put(route);
    }
    return ok;
}

bool NetlinkRouteApplier::applyNft(const QString &ruleset, QString *error)
{
    if (ruleset == m_appliedNft)
        return true;
    QProcess nft;
    nft.start(QStringLiteral("nft"), {QStringLiteral("-f"), QStringLiteral("-")});
    if (!nft.waitForStarted(5000)) {
        *error = QStringLiteral("cannot run nft: %1 (install the nftables package)").arg(nft.errorString());
        return false;
    }
    nft.write(ruleset.toUtf8());
    nft.closeWriteChannel();
    if (!nft.waitForFinished(10000) || nft.exitStatus() != QProcess::NormalExit || nft.exitCode() != 0) {
        *error = QStringLiteral("nft refused our ruleset: %1")
                     .arg(QString::fromLocal8Bit(nft.readAllStandardError()).trimmed());
        return false;
    }
    m_appliedNft = ruleset;
    return true;
}

void NetlinkRouteApplier::applySysctls(const QMap<QString, QString> &sysctls)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./-]+$"));
    for (auto it = sysctls.constBegin(); it != sysctls.constEnd(); ++it) {
        if (!safe.match(it.key()).hasMatch() || it.key().contains(QLatin1String("..")))
            continue;
        QFile f(QStringLiteral("/proc/sys/") + it.key());
        if (!f.open(QIODevice::ReadWrite)) {
            qCDebug(lcNetlink).noquote() << "sysctl" << it.key() << "not writable:" << f.errorString();
            continue;
        }
        if (f.readAll().trimmed() == it.value().toLatin1())
            continue;
        f.seek(0);
        if (f.write(it.value().toLatin1() + '\n') < 0)
            qCWarning(lcNetlink).noquote() << "cannot set" << it.key() << ":" << f.errorString();
    }
}

bool NetlinkRouteApplier::apply(const RoutePlan &plan, QString *error)
{
    QString ignored;
    QString *e = error ? error : &ignored;
    if (!open(e))
        return false;
    applySysctls(plan.sysctls);
    // Routes first (tables are inert until a rule points at them), then the rules, then the
    // marks that make the rules match.
    return applyRoutes(plan.routes, e) && applyRules(plan.rules, e) && applyNft(plan.nftRuleset, e);
}

bool NetlinkRouteApplier::cleanup(QString *error)
{
    QString ignored;
    QString *e = error ? error : &ignored;
    if (!open(e))
        return false;
    bool ok = applyRules({}, e);
    ok = deleteOurRoutes({}, e) && ok;
    m_appliedNft.clear();
    ok = applyNft(QStringLiteral("table inet %1 {}\ndelete table inet %1\n").arg(QLatin1String(NftTable)), e) && ok;
    m_appliedNft.clear();
    return ok;
}

void NetlinkRouteApplier::flushConnections(const QHostAddress &address)
{
    if (address.isNull())
        return;
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this, [process, address](int code, QProcess::ExitStatus) {
        const QString out = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
        qCInfo(lcNetlink).noquote() << "conntrack flush for" << address.toString() << ":"
                                    << (out.isEmpty() ? QStringLiteral("exit %1").arg(code) : out);
        process->deleteLater();
    });
    connect(process, &QProcess::errorOccurred, this, [process](QProcess::ProcessError) {
        qCWarning(lcNetlink).noquote() << "cannot run conntrack (install the conntrack package):"
                                       << process->errorString();
        process->deleteLater();
    });
    process->start(QStringLiteral("conntrack"),
                   {QStringLiteral("-D"), QStringLiteral("--reply-dst"), address.toString()});
}

} // namespace smoothwan

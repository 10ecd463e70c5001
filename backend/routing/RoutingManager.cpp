// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoutingManager.h"

#include "LinkMonitor.h"
#include "Logging.h"
#include "RouteApplier.h"
#include "StateStore.h"
#include "WanManager.h"

#include <QtCore/QJsonArray>

namespace smoothwan {

namespace {

QHostAddress firstIPv4(const LinkInfo &l)
{
    for (const LinkAddress &a : l.addresses)
        if (a.address.protocol() == QAbstractSocket::IPv4Protocol)
            return a.address;
    return {};
}

QHostAddress firstIPv4Gateway(const LinkInfo &l)
{
    for (const QHostAddress &g : l.gateways)
        if (g.protocol() == QAbstractSocket::IPv4Protocol)
            return g;
    return {};
}

} // namespace

RoutingManager::RoutingManager(WanManager &wans, LinkMonitor &links, RouteApplier &applier, StateStore &state,
                               QObject *parent)
    : QObject(parent)
    , m_wans(wans)
    , m_links(links)
    , m_applier(applier)
    , m_state(state)
{
    connect(&m_wans, &WanManager::healthChanged, this,
            [this](const QString &, HealthState, HealthState, const QString &reason) { update(reason); });
    // Addresses, gateways and tunnels come and go with links.
    connect(&m_links, &LinkMonitor::linkChanged, this, [this] { update(); });
    connect(&m_links, &LinkMonitor::linkAdded, this, [this] { update(); });
    connect(&m_links, &LinkMonitor::linkRemoved, this, [this] { update(); });
}

namespace {

// The configured bypass rules as the API names their members (routing.bypass.create).
QJsonArray bypassJson(const QList<BypassRule> &rules)
{
    QJsonArray out;
    for (const BypassRule &r : rules) {
        const BypassMatch &m = r.match;
        out.append(QJsonObject {
            {QStringLiteral("name"), r.name},
            {QStringLiteral("source"), m.source ? QJsonValue(m.source->toString()) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("destination"),
             m.destination ? QJsonValue(m.destination->toString()) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("protocol"), configName(m.protocol)},
            {QStringLiteral("ports"),
             m.ports ? QJsonValue(m.ports->first == m.ports->last
                                      ? QString::number(m.ports->first)
                                      : QStringLiteral("%1-%2").arg(m.ports->first).arg(m.ports->last))
                     : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("via"), r.aroundBond ? QJsonValue(QJsonValue::Null) : QJsonValue(r.via)},
            {QStringLiteral("aroundBond"), r.aroundBond},
        });
    }
    return out;
}

} // namespace

void RoutingManager::setConfig(const Config &config)
{
    m_config = config;
    update(QStringLiteral("configuration changed"));
}

void RoutingManager::setEngineStatus(const PlannerEngine &engine)
{
    m_engine = engine;
    update(engine.up ? QStringLiteral("the bond is up") : QStringLiteral("the bond is down"));
}

void RoutingManager::setEngineTunnel(const QString &interface, const QHostAddress &gateway, const QString &why)
{
    setEngineTunnel(EngineTunnel {interface, gateway, true, why, 0, {}});
}

void RoutingManager::setEngineTunnel(const EngineTunnel &tunnel)
{
    if (tunnel == m_tunnel)
        return;
    const bool renamed = tunnel.interface != m_tunnel.interface;
    m_tunnel = tunnel;
    update(renamed ? (tunnel.interface.isEmpty() ? QStringLiteral("the engine's tunnel is gone")
                                                 : QStringLiteral("the engine's tunnel is %1").arg(tunnel.interface))
                   : QString());
}

void RoutingManager::start()
{
    m_started = true;
    update();
}

PlannerEngine RoutingManager::derivedEngine() const
{
    PlannerEngine e;
    const EngineConfig &c = m_config.engine;
    e.configured = c.type != EngineType::None;
    e.tunnel = m_tunnel.interface;
    e.gateway = m_tunnel.gateway;
    e.server = m_tunnel.server;
    if (c.type == EngineType::SelfHosted)
        e.guardPort = c.selfhosted.tcpPort;
    if (e.tunnel.isEmpty()) {
        e.reason = m_tunnel.why.isEmpty() ? QStringLiteral("the bonding engine has no tunnel") : m_tunnel.why;
        return e;
    }
    const auto link = m_links.linkByName(e.tunnel);
    const bool linkUp = link && link->adminUp && !firstIPv4(*link).isNull() && (link->operUp || link->carrier);
    e.up = linkUp && m_tunnel.up;
    if (!linkUp)
        e.reason =
            link ? QStringLiteral("%1 is not up").arg(e.tunnel) : QStringLiteral("%1 does not exist").arg(e.tunnel);
    else if (!e.up)
        e.reason = m_tunnel.why.isEmpty() ? QStringLiteral("the bonding engine is not connected") : m_tunnel.why;
    if (e.up)
        e.tcpRedirectPort = m_tunnel.tcpRedirectPort;
    return e;
}

PlannerInput RoutingManager::input() const
{
    PlannerInput in;
    in.routing = m_config.routing;
    in.engine = m_engine ? *m_engine : derivedEngine();
    const QList<WanManager::WanStatus> status = m_wans.status();
    for (int i = 0; i < m_config.wans.size(); ++i) {
        const WanConfig &c = m_config.wans.at(i);
        const auto s = std::find_if(status.begin(), status.end(), [&c](const auto &w) { return w.name == c.name; });
        PlannerWan w;
        w.name = c.name;
        w.slot = i + 1;
        w.priority = c.priority;
        w.weight = c.weight;
        if (s != status.end()) {
            w.state = s->state;
            if (s->ifindex != 0) {
                if (const auto link = m_links.link(s->ifindex)) {
                    w.device = link->name;
                    w.address = firstIPv4(*link);
                    w.gateway = firstIPv4Gateway(*link);
                }
            }
        }
        in.wans.append(w);
    }
    return in;
}

void RoutingManager::update(const QString &trigger)
{
    if (!m_started)
        return;
    if (m_config.wans.isEmpty()) {
        // Nothing is routed, but the settings (and the bypass rules to edit) are shown.
        m_state.setSlice(QStringLiteral("routing"),
                         QJsonObject {{QStringLiteral("policy"), configName(m_config.routing.policy)},
                                      {QStringLiteral("killSwitch"), m_config.routing.killSwitch},
                                      {QStringLiteral("path"), QStringLiteral("none")},
                                      {QStringLiteral("reason"), QStringLiteral("no WAN is configured")},
                                      {QStringLiteral("lanWans"), QJsonArray {}},
                                      {QStringLiteral("shares"), QJsonObject {}},
                                      {QStringLiteral("tunnel"), QJsonObject {{QStringLiteral("name"), QString()},
                                                                              {QStringLiteral("up"), false}}},
                                      {QStringLiteral("bypassRules"), m_config.routing.bypass.size()},
                                      {QStringLiteral("bypass"), bypassJson(m_config.routing.bypass)},
                                      {QStringLiteral("error"), QString()}});
        return;
    }
    const PlannerInput in = input();
    const PlannerResult before = m_result;
    m_result = RoutePlanner::plan(in);

    // Connections NATed through a WAN that no longer carries LAN traffic would hang: forget them
    // so clients reconnect through the new path at once. Only that WAN's, never all.
    QHash<QString, QHostAddress> usable;
    for (const QString &name : m_result.lanWans)
        for (const PlannerWan &w : in.wans)
            if (w.name == name && !w.address.isNull())
                usable.insert(name, w.address);
    for (auto it = m_usableAddress.constBegin(); it != m_usableAddress.constEnd(); ++it) {
        if (!usable.contains(it.key())) {
            m_applier.flushConnections(it.value());
            qCInfo(lcRouting).noquote() << "flushed the connections of" << it.key() << "(" << it.value().toString()
                                        << ")";
        }
    }
    m_usableAddress = usable;

    QString error;
    if (!m_haveApplied || m_result.plan != m_applied) {
        if (m_applier.apply(m_result.plan, &error)) {
            m_applied = m_result.plan;
            m_haveApplied = true;
            if (!m_lastError.isEmpty())
                m_state.appendEvent(QStringLiteral("routing"), QStringLiteral("info"),
                                    QStringLiteral("routing applied again after an error"));
            m_lastError.clear();
        } else if (error != m_lastError) {
            m_lastError = error;
            m_state.appendEvent(QStringLiteral("routing"), QStringLiteral("error"),
                                QStringLiteral("cannot apply the routing plan: %1").arg(error));
        }
    }

    if (before.path != m_result.path) {
        const QString why = trigger.isEmpty() ? m_result.reason : trigger + QStringLiteral("; ") + m_result.reason;
        const QString where = m_result.path == QLatin1String("blocked") ? QStringLiteral("blocked")
                              : m_result.path == QLatin1String("none")  ? QStringLiteral("without a path")
                                                                        : QStringLiteral("via ") + m_result.path;
        m_state.appendEvent(QStringLiteral("routing"),
                            m_result.path == QLatin1String("blocked") || m_result.path == QLatin1String("none")
                                ? QStringLiteral("warning")
                                : QStringLiteral("info"),
                            QStringLiteral("LAN now %1: %2").arg(where, why),
                            QJsonObject {{QStringLiteral("from"), before.path}, {QStringLiteral("to"), m_result.path}});
    }

    QJsonObject shares;
    for (auto it = m_result.shares.constBegin(); it != m_result.shares.constEnd(); ++it)
        shares.insert(it.key(), std::round(it.value() * 1000) / 1000);
    m_state.setSlice(QStringLiteral("routing"),
                     QJsonObject {{QStringLiteral("policy"), configName(m_config.routing.policy)},
                                  {QStringLiteral("killSwitch"), m_config.routing.killSwitch},
                                  {QStringLiteral("path"), m_result.path},
                                  {QStringLiteral("reason"), m_result.reason},
                                  {QStringLiteral("lanWans"), QJsonArray::fromStringList(m_result.lanWans)},
                                  {QStringLiteral("shares"), shares},
                                  {QStringLiteral("tunnel"), QJsonObject {{QStringLiteral("name"), in.engine.tunnel},
                                                                          {QStringLiteral("up"), in.engine.up}}},
                                  {QStringLiteral("bypassRules"), m_config.routing.bypass.size()},
                                  {QStringLiteral("bypass"), bypassJson(m_config.routing.bypass)},
                                  {QStringLiteral("error"), m_lastError}});
}

} // namespace smoothwan

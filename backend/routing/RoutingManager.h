// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RoutePlanner.h"

#include <QtCore/QObject>

namespace smoothwan {

class LinkMonitor;
class RouteApplier;
class StateStore;
class WanManager;

// Keeps the kernel's routing equal to the plan for the current WAN health, configuration and
// engine state: re-plans on every change that matters, applies only when the plan changes,
// flushes the tracked connections of a WAN that stops carrying traffic, and publishes the
// LAN's path in the "routing" slice with an event for each switch.
// Routing is only managed while at least one WAN is configured: a daemon without WANs leaves
// the host's routing alone.
class RoutingManager : public QObject
{
    Q_OBJECT

public:
    RoutingManager(WanManager &wans, LinkMonitor &links, RouteApplier &applier, StateStore &state,
                   QObject *parent = nullptr);

    void setConfig(const Config &config);
    // The running engine's tunnel, as the engine manager knows it (Engine::tunnelInterface() and
    // tunnelGateway()): the bond counts as up while that link is up with an address. An empty
    // interface means no engine tunnel; `why` says why (shown as the routing reason).
    void setEngineTunnel(const QString &interface, const QHostAddress &gateway, const QString &why);
    // The same with what the engine itself says: `up` false keeps the LAN out of the tunnel even
    // while the link is up (the self-hosted engine's server does not answer); the TCP redirect
    // port and server as in PlannerEngine.
    struct EngineTunnel
    {
        QString interface;
        QHostAddress gateway;
        bool up = true;
        QString why;
        quint16 tcpRedirectPort = 0;
        QHostAddress server;
        bool operator==(const EngineTunnel &) const = default;
    };
    void setEngineTunnel(const EngineTunnel &tunnel);
    // Overrides the tunnel check with a complete engine status (tests).
    void setEngineStatus(const PlannerEngine &engine);
    void start();
    // Re-plans and applies now (also after kernel drift: apply() adopts and repairs). `trigger`
    // says why, for the event of a path switch.
    void update(const QString &trigger = {});

    const PlannerResult &result() const { return m_result; }

private:
    PlannerInput input() const;
    PlannerEngine derivedEngine() const;

    WanManager &m_wans;
    LinkMonitor &m_links;
    RouteApplier &m_applier;
    StateStore &m_state;
    Config m_config;
    std::optional<PlannerEngine> m_engine;
    EngineTunnel m_tunnel;
    PlannerResult m_result;
    RoutePlan m_applied;
    bool m_haveApplied = false;
    bool m_started = false;
    QString m_lastError;
    QHash<QString, QHostAddress> m_usableAddress; // WANs carrying LAN traffic and their address
};

} // namespace smoothwan

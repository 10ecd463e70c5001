// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QJsonArray>
#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

namespace smoothwan {

class Clock;
class ConfigStore;
class EngineManager;
class LinkMonitor;
struct LinkInfo;
class Prober;
class RouteApplier;
class RoutingManager;
class StateStore;
class WanManager;

// The backend service's composition root: wires the configuration, the platform's views of
// the kernel and the state store together. Owns no platform implementation; the main()
// passes them in, so the same Daemon runs on the Linux platform and on the fake.
class Daemon : public QObject
{
    Q_OBJECT

public:
    // `stateDirectory` keeps what must survive restarts (usage totals); empty keeps nothing.
    Daemon(const Clock &clock, ConfigStore &config, LinkMonitor &links, Prober &prober, RouteApplier &routes,
           StateStore &state, const QString &stateDirectory, QObject *parent = nullptr);
    ~Daemon() override;

    // Loads the configuration and starts the platform sources. Returns false with a message
    // when the daemon cannot run at all; a bad configuration is not such a case (the daemon
    // runs on the last good one, or on defaults, and says why).
    bool start(QString *error);
    // SIGHUP: re-read the configuration; a bad file keeps the current one.
    void reload();
    // SIGTERM: an engine whose tunnel dies with the daemon (Engine::outlivesDaemon false) is
    // stopped first, so routing moves the LAN off its tunnel (to the WANs, or blocks it with the
    // kill switch) before the daemon exits; the rest of the routing stays. shutdownComplete()
    // follows (at the latest after the engine manager's stop timeout).
    void shutdown();

    // The API's listen addresses minus any that belongs to a WAN's link or the engine's tunnel:
    // the API is served on loopback and the LAN only. `refused` says which were dropped and why.
    QList<QHostAddress> apiListenAddresses(const QList<QHostAddress> &configured, QStringList *refused) const;

    EngineManager &engines() const { return *m_engines; }

Q_SIGNALS:
    void shutdownComplete();

public:
    WanManager &wans() const { return *m_wans; }
    RoutingManager &routing() const { return *m_routing; }

private:
    void publishInterfaces();
    void onLinkAdded(const LinkInfo &link);
    void onLinkChanged(const LinkInfo &before, const LinkInfo &after);
    void onLinkRemoved(const LinkInfo &link);
    void publishConfigStatus(const QString &status, const QJsonArray &errors);
    void pushEngineWans();

    ConfigStore &m_config;
    LinkMonitor &m_links;
    StateStore &m_state;
    WanManager *m_wans = nullptr;
    RoutingManager *m_routing = nullptr;
    EngineManager *m_engines = nullptr;
    bool m_shuttingDown = false;
};

} // namespace smoothwan

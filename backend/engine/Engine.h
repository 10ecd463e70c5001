// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Clock.h"
#include "Config.h"

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>

#include <algorithm>
#include <functional>

namespace smoothwan {

// A WAN as an engine needs it: the interface it is bound to right now (resolved by the WAN
// manager, also for match-rule WANs), its tier and its caps.
struct EngineWan
{
    QString name;
    QString interface;
    WanPriority priority = WanPriority::Always;
    UsageCaps caps;
    bool enabled = true;
    bool metered = false;
    // What changes at run time (health, DHCP): engines that only read settings ignore these
    // (sameSettings()); the self-hosted engine follows them.
    QHostAddress address {}; // its IPv4 address; null while it has none
    bool usable = false;     // health up or degraded
    bool carrier = true;     // its link has carrier (false: cut, seen on netlink at once)

    bool operator==(const EngineWan &) const = default;
    static bool sameSettings(const QList<EngineWan> &a, const QList<EngineWan> &b)
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const EngineWan &x, const EngineWan &y) {
            return x.name == y.name && x.interface == y.interface && x.priority == y.priority && x.caps == y.caps &&
                   x.enabled == y.enabled && x.metered == y.metered;
        });
    }
};

// The outcome of one engine command, for the API: ok with data, or a stable error kind and a
// message for the user.
struct EngineResult
{
    bool ok = true;
    QString errorKind;
    QString message;
    QJsonValue data;
};
using EngineCallback = std::function<void(const EngineResult &)>;

// Contract: one bonding engine behind a common face. start() brings it up and keeps it up (its
// own supervision); stop() tears it down cleanly and emits stopped() exactly once, from the event
// loop, when nothing of it runs any more. status() is the engine's part of the "engine" slice
// (state, installed, installHint, server, mode, adapters[], session{}, lastError, logTail[]);
// statusChanged() says it changed. event() reports what users should see in the events log.
class Engine : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual QString type() const = 0; // "speedify", "engarde", "tinyfec", "selfhosted"
    virtual void start() = 0;
    virtual void stop() = 0;
    virtual QJsonObject status() const = 0;
    virtual void setWans(const QList<EngineWan> &wans) = 0;
    virtual QString tunnelInterface() const = 0;              // the device the LAN is routed into when bonded
    virtual QHostAddress tunnelGateway() const { return {}; } // null: route on the device
    // The local port LAN TCP is redirected to while the tunnel is up (ss-redir of the self-hosted
    // engine); 0: none, LAN TCP is routed into the tunnel like everything else.
    virtual quint16 tcpRedirectPort() const { return 0; }
    // The engine's server, when routing must reach it over the best WAN (not the tunnel).
    virtual QHostAddress serverAddress() const { return {}; }
    // True when the tunnel link being up with an address does not mean it carries traffic, so
    // routing must also wait for the engine's own tunnelUp (the self-hosted engine's WireGuard
    // device exists while its server does not answer). Other engines' links come and go with
    // their connection: routing follows the link alone.
    virtual bool judgesTunnel() const { return false; }
    // True when the engine's tunnel keeps running without SmoothWAN (the Speedify daemon is a
    // service of its own); false when it dies with the daemon (our children), so the daemon stops
    // it first on shutdown and routing moves the LAN off it before the daemon exits.
    virtual bool outlivesDaemon() const { return false; }

protected:
    // The lastError member of status(): {kind "error", message, at (wall clock, ISO 8601)}.
    static QJsonObject errorRecord(const Clock &clock, const QString &message)
    {
        return QJsonObject {{QStringLiteral("kind"), QStringLiteral("error")},
                            {QStringLiteral("message"), message},
                            {QStringLiteral("at"), clock.wallClock().toString(Qt::ISODateWithMs)}};
    }

Q_SIGNALS:
    void statusChanged();
    void event(const QString &severity, const QString &message);
    void stopped();
};

} // namespace smoothwan

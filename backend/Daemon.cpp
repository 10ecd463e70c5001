// SPDX-License-Identifier: GPL-3.0-or-later
#include "Daemon.h"

#include "Clock.h"
#include "ConfigStore.h"
#include "Engine.h"
#include "EngineManager.h"
#include "LinkMonitor.h"
#include "Logging.h"
#include "RoutingManager.h"
#include "StateStore.h"
#include "WanManager.h"

#include <QtCore/QDir>
#include <QtCore/QFile>

#include <QtCore/QJsonObject>

namespace smoothwan {

namespace {

QString linkState(const LinkInfo &l)
{
    if (!l.adminUp)
        return QStringLiteral("disabled");
    if (!l.carrier)
        return QStringLiteral("no-carrier");
    return l.operUp ? QStringLiteral("up") : QStringLiteral("down");
}

QJsonObject linkToJson(const LinkInfo &l)
{
    QJsonArray addresses;
    for (const LinkAddress &a : l.addresses)
        addresses.append(QStringLiteral("%1/%2").arg(a.address.toString()).arg(a.prefixLength));
    QJsonArray gateways;
    for (const QHostAddress &g : l.gateways)
        gateways.append(g.toString());
    return {
        {QStringLiteral("index"), l.index},       {QStringLiteral("name"), l.name},
        {QStringLiteral("kind"), l.kind},         {QStringLiteral("state"), linkState(l)},
        {QStringLiteral("carrier"), l.carrier},   {QStringLiteral("mtu"), l.mtu},
        {QStringLiteral("addresses"), addresses}, {QStringLiteral("gateways"), gateways},
    };
}

QJsonArray errorsToJson(const ConfigErrors &errors)
{
    QJsonArray out;
    for (const ConfigError &e : errors)
        out.append(e.toString());
    return out;
}

// system.ui: the touchscreen's settings from the configuration's ui section.
void publishUi(StateStore &state, const UiConfig &ui)
{
    QJsonObject system = state.slice(QStringLiteral("system")).toObject();
    system.insert(QStringLiteral("ui"), QJsonObject {{QStringLiteral("kiosk"), ui.kiosk},
                                                     {QStringLiteral("blankAfter"), ui.blankAfterSeconds},
                                                     {QStringLiteral("theme"), configName(ui.theme)}});
    state.setSlice(QStringLiteral("system"), system);
}

} // namespace

Daemon::Daemon(const Clock &clock, ConfigStore &config, LinkMonitor &links, Prober &prober, RouteApplier &routes,
               StateStore &state, const QString &stateDirectory, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_links(links)
    , m_state(state)
    , m_wans(new WanManager(clock, links, prober, state, this))
    , m_routing(new RoutingManager(*m_wans, links, routes, state, this))
    , m_engines(new EngineManager(clock, state, this))
{
    m_engines->setRuntimeDirectory(stateDirectory.isEmpty() ? QStringLiteral("/run/smoothwan")
                                                            : QDir(stateDirectory).filePath(QStringLiteral("run")));
    if (!stateDirectory.isEmpty())
        m_engines->setStateDirectory(stateDirectory);
    // The engine manager tells the engine which WANs it may use, and routing which tunnel is the
    // engine's (its name and gateway, from the engine itself); routing then follows that link
    // (up with an address = the bond is up), the same for every engine and their stand-ins.
    connect(m_wans, &WanManager::healthChanged, this, [this] { pushEngineWans(); });
    connect(m_engines, &EngineManager::tunnelChanged, this, [this] {
        m_routing->setEngineTunnel({m_engines->tunnelInterface(), m_engines->tunnelGateway(), m_engines->tunnelUsable(),
                                    m_engines->tunnelReason(), m_engines->tcpRedirectPort(),
                                    m_engines->serverAddress()});
    });
    if (!stateDirectory.isEmpty()) {
        if (!QDir().mkpath(stateDirectory))
            qCWarning(lcDaemon).noquote() << "cannot create the state directory" << stateDirectory;
        m_wans->setUsageFile(QDir(stateDirectory).filePath(QStringLiteral("usage.json")));
    }
    QFile bootId(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    if (bootId.open(QIODevice::ReadOnly))
        m_wans->setBootId(QString::fromLatin1(bootId.readAll().trimmed()));
    connect(&m_config, &ConfigStore::changed, this, [this](const Config &, const Config &after) {
        m_wans->setConfig(after.wans);
        m_routing->setConfig(after);
        publishUi(m_state, after.ui);
        // The engine follows its section (a new type, new settings) and the WANs it may use.
        m_engines->setConfig(after.engine);
        pushEngineWans();
    });
    connect(&m_links, &LinkMonitor::linkAdded, this, &Daemon::onLinkAdded);
    connect(&m_links, &LinkMonitor::linkChanged, this, &Daemon::onLinkChanged);
    connect(&m_links, &LinkMonitor::linkRemoved, this, &Daemon::onLinkRemoved);
    connect(&m_links, &LinkMonitor::resynced, this,
            [this] { qCWarning(lcDaemon) << "netlink events were lost; re-read the kernel's state"; });
}

bool Daemon::start(QString *error)
{
    ConfigErrors errors;
    const bool usable = m_config.load(&errors);
    for (const ConfigError &e : std::as_const(errors))
        qCWarning(lcConfig).noquote() << e.toString();
    if (errors.isEmpty()) {
        qCInfo(lcConfig).noquote() << "loaded" << m_config.path();
        publishConfigStatus(QStringLiteral("ok"), {});
    } else {
        const QString what = usable ? QStringLiteral("running on the last good configuration")
                                    : QStringLiteral("running on built-in defaults");
        m_state.appendEvent(QStringLiteral("config"), QStringLiteral("error"),
                            QStringLiteral("%1 has %2 error(s); %3").arg(m_config.path()).arg(errors.size()).arg(what));
        publishConfigStatus(usable ? QStringLiteral("last-good") : QStringLiteral("defaults"), errorsToJson(errors));
    }

    QString linkError;
    if (!m_links.start(&linkError)) {
        if (error)
            *error = QStringLiteral("cannot watch network links: %1").arg(linkError);
        return false;
    }
    publishInterfaces();
    publishUi(m_state, m_config.current().ui);
    m_wans->setConfig(m_config.current().wans);
    m_routing->setConfig(m_config.current());
    m_wans->start();
    m_routing->start();
    pushEngineWans();
    m_engines->setConfig(m_config.current().engine);
    for (const LinkInfo &l : m_links.links())
        qCInfo(lcDaemon).noquote()
            << QStringLiteral("interface %1 (%2): %3 %4")
                   .arg(l.name, l.kind.isEmpty() ? QStringLiteral("device") : l.kind, linkState(l),
                        linkToJson(l).value(QStringLiteral("addresses")).toVariant().toStringList().join(u' '));
    m_state.appendEvent(QStringLiteral("daemon"), QStringLiteral("info"),
                        QStringLiteral("smoothwand %1 started").arg(QStringLiteral(SMOOTHWAN_VERSION)));
    return true;
}

Daemon::~Daemon()
{
    m_wans->saveUsage();
}

QList<QHostAddress> Daemon::apiListenAddresses(const QList<QHostAddress> &configured, QStringList *refused) const
{
    QHash<QString, QString> owner; // address -> what it belongs to
    const auto claim = [&owner](const std::optional<LinkInfo> &link, const QString &what) {
        if (!link)
            return;
        for (const LinkAddress &a : link->addresses)
            owner.insert(a.address.toString(), QStringLiteral("%1 (%2)").arg(what, link->name));
    };
    for (const WanManager::WanStatus &w : m_wans->status())
        if (w.ifindex != 0)
            claim(m_links.link(w.ifindex), QStringLiteral("WAN %1").arg(w.name));
    if (const QString tunnel = m_engines->tunnelInterface(); !tunnel.isEmpty())
        claim(m_links.linkByName(tunnel), QStringLiteral("the engine's tunnel"));
    QList<QHostAddress> out;
    for (const QHostAddress &a : configured) {
        const auto it = owner.constFind(a.toString());
        if (it == owner.constEnd()) {
            out.append(a);
        } else if (refused) {
            refused->append(QStringLiteral("refusing to listen on %1: it belongs to %2, and the API is served on "
                                           "loopback and the LAN only")
                                .arg(a.toString(), it.value()));
        }
    }
    return out;
}

void Daemon::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    const Engine *engine = m_engines->engine();
    if (!engine || engine->outlivesDaemon()) {
        QMetaObject::invokeMethod(this, &Daemon::shutdownComplete, Qt::QueuedConnection);
        return;
    }
    qCInfo(lcDaemon).noquote() << "stopping the" << engine->type() << "engine before exiting";
    connect(m_engines, &EngineManager::shutdownComplete, this, &Daemon::shutdownComplete, Qt::SingleShotConnection);
    m_engines->shutdown();
}

void Daemon::pushEngineWans()
{
    m_engines->setWans(EngineManager::engineWans(m_config.current().wans, m_wans->status()));
}

void Daemon::reload()
{
    ConfigErrors errors;
    if (m_config.reload(&errors)) {
        qCInfo(lcConfig).noquote() << "reloaded" << m_config.path();
        m_state.appendEvent(QStringLiteral("config"), QStringLiteral("info"),
                            QStringLiteral("configuration reloaded from %1").arg(m_config.path()));
        publishConfigStatus(QStringLiteral("ok"), {});
        return;
    }
    for (const ConfigError &e : std::as_const(errors))
        qCWarning(lcConfig).noquote() << e.toString();
    m_state.appendEvent(QStringLiteral("config"), QStringLiteral("error"),
                        QStringLiteral("reload of %1 refused, %2 error(s); keeping the last good configuration: %3")
                            .arg(m_config.path())
                            .arg(errors.size())
                            .arg(errors.isEmpty() ? QString() : errors.first().toString()));
    publishConfigStatus(QStringLiteral("last-good"), errorsToJson(errors));
}

void Daemon::publishConfigStatus(const QString &status, const QJsonArray &errors)
{
    QJsonObject system = m_state.slice(QStringLiteral("system")).toObject();
    system.insert(QStringLiteral("version"), QStringLiteral(SMOOTHWAN_VERSION));
    system.insert(QStringLiteral("config"), QJsonObject {{QStringLiteral("path"), m_config.path()},
                                                         {QStringLiteral("status"), status},
                                                         {QStringLiteral("errors"), errors}});
    m_state.setSlice(QStringLiteral("system"), system);
}

void Daemon::publishInterfaces()
{
    QJsonArray interfaces;
    for (const LinkInfo &l : m_links.links())
        interfaces.append(linkToJson(l));
    QJsonObject system = m_state.slice(QStringLiteral("system")).toObject();
    system.insert(QStringLiteral("interfaces"), interfaces);
    m_state.setSlice(QStringLiteral("system"), system);
}

void Daemon::onLinkAdded(const LinkInfo &link)
{
    pushEngineWans();
    m_state.appendEvent(QStringLiteral("links"), QStringLiteral("info"),
                        QStringLiteral("interface %1 appeared").arg(link.name));
    publishInterfaces();
}

void Daemon::onLinkChanged(const LinkInfo &before, const LinkInfo &after)
{
    pushEngineWans();
    const QString was = linkState(before);
    const QString now = linkState(after);
    if (was != now) {
        m_state.appendEvent(QStringLiteral("links"),
                            now == QLatin1String("up") ? QStringLiteral("info") : QStringLiteral("warning"),
                            QStringLiteral("interface %1: %2 -> %3").arg(after.name, was, now));
    }
    publishInterfaces();
}

void Daemon::onLinkRemoved(const LinkInfo &link)
{
    pushEngineWans();
    m_state.appendEvent(QStringLiteral("links"), QStringLiteral("warning"),
                        QStringLiteral("interface %1 disappeared").arg(link.name));
    publishInterfaces();
}

} // namespace smoothwan

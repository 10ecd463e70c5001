// SPDX-License-Identifier: GPL-3.0-or-later
#include "EngineManager.h"

#include "EngardeAdapter.h"
#include "Logging.h"
#include "StateStore.h"
#include "TinyFecAdapter.h"

namespace smoothwan {

EngineManager::EngineManager(const Clock &clock, StateStore &store, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_store(store)
{
    m_stopTimer.setSingleShot(true);
    connect(&m_stopTimer, &QTimer::timeout, this, [this] {
        if (!m_engine)
            return;
        m_store.appendEvent(
            QStringLiteral("engine"), QStringLiteral("warning"),
            tr("%1 did not stop within %2 s; abandoning it").arg(m_engine->type()).arg(m_stopTimeoutMs / 1000));
        onStopped();
    });
    publish();
}

EngineManager::~EngineManager()
{
    // Engines stop their children synchronously in their destructors.
    delete m_engine;
}

SpeedifyAdapter *EngineManager::speedify() const
{
    return qobject_cast<SpeedifyAdapter *>(m_engine);
}

SelfHostedEngine *EngineManager::selfHosted() const
{
    return qobject_cast<SelfHostedEngine *>(m_engine);
}

void EngineManager::restartEngine()
{
    if (!m_engine || m_stopping)
        return;
    m_pending = m_config;
    m_stopping = true;
    m_stopTimer.start(m_stopTimeoutMs);
    m_engine->stop();
}

EngineResult EngineManager::pair(const QString &code)
{
    const PairingCode::ParseResult parsed = PairingCode::parse(code);
    if (!parsed.code)
        return {false, QStringLiteral("invalid_format"), parsed.message, {}};
    QString error;
    if (!SelfHostedEngine::savePairing(m_stateDir, code, &error))
        return {false, QStringLiteral("internal"), error, {}};
    const PairingCode &c = *parsed.code;
    m_store.appendEvent(QStringLiteral("engine"), QStringLiteral("info"),
                        tr("Paired with the self-hosted server %1").arg(c.serverAddress));
    if (selfHosted())
        restartEngine();
    return {true,
            {},
            {},
            QJsonObject {{QStringLiteral("server"), c.serverAddress},
                         {QStringLiteral("relayPort"), c.relayPort},
                         {QStringLiteral("shadowsocksPort"), c.shadowsocksPort},
                         {QStringLiteral("tunnelAddress"), c.clientTunnelAddress}}};
}

EngineResult EngineManager::unpair()
{
    QString error;
    if (!SelfHostedEngine::removePairing(m_stateDir, &error))
        return {false, QStringLiteral("internal"), error, {}};
    m_store.appendEvent(QStringLiteral("engine"), QStringLiteral("info"), tr("Unpaired from the self-hosted server"));
    if (selfHosted())
        restartEngine();
    return {true, {}, {}, QJsonObject {}};
}

QString EngineManager::tunnelInterface() const
{
    return m_engine ? m_engine->tunnelInterface() : QString();
}

QString EngineManager::tunnelReason() const
{
    if (m_tunnelUp)
        return {};
    if (!m_engine)
        return m_config.type == EngineType::None ? tr("No bonding engine is configured")
                                                 : tr("The bonding engine is not running");
    const QJsonObject status = m_engine->status();
    const QString error =
        status.value(QStringLiteral("lastError")).toObject().value(QStringLiteral("message")).toString();
    const QString state = status.value(QStringLiteral("state")).toString();
    return error.isEmpty() ? tr("%1 is %2").arg(m_engine->type(), state)
                           : tr("%1 is %2: %3").arg(m_engine->type(), state, error);
}

Engine *EngineManager::createEngine(const EngineConfig &config)
{
    switch (config.type) {
    case EngineType::Speedify:
        return new SpeedifyAdapter(m_clock, config.speedify, m_speedifyOptions, this);
    case EngineType::Engarde: {
        auto *e = new EngardeAdapter(m_clock, config.engarde, m_runtimeDir, m_engardeProgram, this);
        e->setSupervision(m_initialBackoffMs, m_maxBackoffMs, 5000);
        return e;
    }
    case EngineType::TinyFec: {
        auto *e = new TinyFecAdapter(m_clock, config.tinyfec, m_tinyfecProgram, this);
        e->setSupervision(m_initialBackoffMs, m_maxBackoffMs, 5000);
        return e;
    }
    case EngineType::SelfHosted: {
        SelfHostedEngine::Options o = m_selfHostedOptions;
        o.stateDir = m_stateDir;
        o.runtimeDir = m_runtimeDir;
        o.initialBackoffMs = m_initialBackoffMs;
        o.maxBackoffMs = std::min(m_maxBackoffMs, 30000);
        return new SelfHostedEngine(m_clock, config.selfhosted, o, this);
    }
    case EngineType::None:
        break;
    }
    return nullptr;
}

void EngineManager::setConfig(const EngineConfig &config)
{
    if (m_shuttingDown)
        return;
    if (m_stopping) {
        m_pending = config; // the newest wins once the old engine is down
        return;
    }
    const bool sameType = m_engine && config.type == m_config.type;
    const EngineConfig old = m_config;
    m_config = config;
    if (sameType) {
        if (auto *s = speedify()) {
            if (config.speedify != old.speedify) // the other engines' sections are not Speedify's
                s->setConfig(config.speedify);
        } else if (auto *h = selfHosted()) {
            // Mode and TCP aggregation apply live; the rest restarts it.
            if (!(config.selfhosted == old.selfhosted) && !h->setConfig(config.selfhosted))
                restartEngine();
        } else if ((config.type == EngineType::Engarde && !(config.engarde == old.engarde)) ||
                   (config.type == EngineType::TinyFec && !(config.tinyfec == old.tinyfec))) {
            // Engarde/tinyfecVPN read their settings at start: restart them with the new ones.
            restartEngine();
        }
        return;
    }
    if (m_engine) {
        m_pending = config;
        m_stopping = true;
        m_store.appendEvent(
            QStringLiteral("engine"), QStringLiteral("info"),
            tr("Switching the bonding engine from %1 to %2").arg(m_engine->type(), configName(config.type)));
        publish();
        m_stopTimer.start(m_stopTimeoutMs);
        m_engine->stop();
        return;
    }
    startEngine();
}

void EngineManager::startEngine()
{
    m_engine = createEngine(m_config);
    if (m_engine) {
        connect(m_engine, &Engine::statusChanged, this, &EngineManager::publish);
        connect(m_engine, &Engine::event, this, [this](const QString &severity, const QString &message) {
            m_store.appendEvent(QStringLiteral("engine"), severity, message);
        });
        connect(m_engine, &Engine::stopped, this, &EngineManager::onStopped);
        m_engine->setWans(m_wans);
        m_engine->start();
        qCInfo(lcEngine) << "engine" << m_engine->type() << "started";
    } else if (m_config.type != EngineType::None) {
        m_store.appendEvent(QStringLiteral("engine"), QStringLiteral("error"),
                            tr("The %1 engine is not available in this build").arg(configName(m_config.type)));
    }
    publish();
    Q_EMIT engineChanged(configName(m_config.type));
}

void EngineManager::onStopped()
{
    if (!m_stopping || !m_engine)
        return;
    m_stopTimer.stop();
    m_stopping = false;
    Engine *old = m_engine;
    m_engine = nullptr;
    old->disconnect(this);
    old->deleteLater();
    if (m_shuttingDown) {
        publish();
        Q_EMIT shutdownComplete();
        return;
    }
    if (m_pending) {
        m_config = *m_pending;
        m_pending.reset();
    }
    startEngine();
}

void EngineManager::setWans(const QList<EngineWan> &wans)
{
    if (wans == m_wans)
        return;
    m_wans = wans;
    if (m_engine && !m_stopping)
        m_engine->setWans(wans);
}

QList<EngineWan> EngineManager::engineWans(const QList<WanConfig> &config, const QList<WanManager::WanStatus> &status)
{
    QList<EngineWan> out;
    for (const WanConfig &c : config) {
        EngineWan w;
        w.name = c.name;
        w.interface = c.interface;
        for (const WanManager::WanStatus &s : status) {
            if (s.name != c.name)
                continue;
            w.interface = s.interface;
            w.address = s.address;
            w.usable = s.state == HealthState::Up || s.state == HealthState::Degraded;
            w.carrier = s.carrier;
        }
        w.priority = c.priority;
        w.caps = c.caps;
        w.enabled = c.enabled;
        w.metered = c.metered;
        out.append(w);
    }
    return out;
}

void EngineManager::shutdown()
{
    m_shuttingDown = true;
    m_pending.reset();
    if (!m_engine) {
        QMetaObject::invokeMethod(this, &EngineManager::shutdownComplete, Qt::QueuedConnection);
        return;
    }
    if (m_stopping)
        return;
    if (auto *s = speedify())
        s->setDisconnectOnStop(false);
    m_stopping = true;
    m_stopTimer.start(m_stopTimeoutMs);
    m_engine->stop();
}

void EngineManager::publish()
{
    QJsonObject slice;
    if (m_engine) {
        slice = m_engine->status();
        if (m_stopping)
            slice.insert(QStringLiteral("state"), QStringLiteral("stopping"));
    } else {
        slice =
            QJsonObject {{QStringLiteral("type"), configName(m_config.type)},
                         {QStringLiteral("state"),
                          m_config.type == EngineType::None ? QStringLiteral("off") : QStringLiteral("unavailable")},
                         {QStringLiteral("installed"), false},
                         {QStringLiteral("adapters"), QJsonArray {}},
                         {QStringLiteral("logTail"), QJsonArray {}}};
    }
    // Speedify says "connected"; supervised engines say tunnelUp themselves.
    const bool up = m_engine && !m_stopping &&
                    (slice.contains(QStringLiteral("tunnelUp"))
                         ? slice.value(QStringLiteral("tunnelUp")).toBool()
                         : slice.value(QStringLiteral("state")).toString() == QLatin1String("connected"));
    slice.insert(QStringLiteral("tunnelUp"), up);
    m_store.setSlice(QStringLiteral("engine"), slice);
    const QString tunnel = m_engine ? m_engine->tunnelInterface() : QString();
    const quint16 redirect = up ? m_engine->tcpRedirectPort() : 0;
    const QHostAddress server = m_engine ? m_engine->serverAddress() : QHostAddress();
    if (up != m_tunnelUp || tunnel != m_tunnelName || redirect != m_redirectPort || server != m_server) {
        m_tunnelUp = up;
        m_tunnelName = tunnel;
        m_redirectPort = redirect;
        m_server = server;
        Q_EMIT tunnelChanged(tunnel, up);
    }
}

} // namespace smoothwan

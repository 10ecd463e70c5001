// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "Engine.h"
#include "SelfHostedEngine.h"
#include "SpeedifyAdapter.h"
#include "WanManager.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <optional>

namespace smoothwan {

class Clock;
class StateStore;

// Contract: owns the one active bonding engine (Speedify, Engarde or tinyfecVPN; none at all
// for type none) and publishes the "engine" slice of the state store: {type, state, installed,
// installHint, server, mode, adapters[], session{}, lastError, logTail[], tunnel, tunnelUp, ...}.
// setConfig() starts the configured engine, reconfigures it in place, or switches: the old engine
// is stopped (and its stopped() awaited, at most stopTimeoutMs) before the new one starts, so two
// engines never run at once. Engine events go to the events log (area "engine"). shutdown() stops
// the engine and emits shutdownComplete(). tunnelChanged() tells routing when the engine's tunnel
// is usable (bonded policy) or not (fall back or block).
class EngineManager : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultStopTimeoutMs = 15000;

    EngineManager(const Clock &clock, StateStore &store, QObject *parent = nullptr);
    ~EngineManager() override;

    void setConfig(const EngineConfig &config);
    void setWans(const QList<EngineWan> &wans);
    // The engines' view of the WANs: each configured WAN with the interface its link is bound
    // to now (WanManager::status(); empty while absent), its tier, caps and enabled flag.
    static QList<EngineWan> engineWans(const QList<WanConfig> &config, const QList<WanManager::WanStatus> &status);
    void shutdown();

    Engine *engine() const { return m_engine; }
    SpeedifyAdapter *speedify() const; // the active engine if it is Speedify, else nullptr
    QString tunnelInterface() const;
    bool tunnelUp() const { return m_tunnelUp; }
    // What routing needs besides the tunnel link: false only while an engine that judges its own
    // tunnel (Engine::judgesTunnel) says it is not up.
    bool tunnelUsable() const { return !m_engine || !m_engine->judgesTunnel() || m_tunnelUp; }
    QHostAddress tunnelGateway() const { return m_engine ? m_engine->tunnelGateway() : QHostAddress(); }
    // While the tunnel is up: the port LAN TCP is redirected to (0: none) and the engine's server.
    quint16 tcpRedirectPort() const { return m_engine && m_tunnelUp ? m_engine->tcpRedirectPort() : 0; }
    QHostAddress serverAddress() const { return m_engine ? m_engine->serverAddress() : QHostAddress(); }
    SelfHostedEngine *selfHosted() const; // the active engine if it is the self-hosted one

    // The self-hosted engine's pairing (engine.pair / engine.unpair): checked, kept in the state
    // directory, and the running self-hosted engine restarted with it.
    EngineResult pair(const QString &code);
    EngineResult unpair();
    // Why the tunnel is not usable, for the user ("Speedify is logged-in", the last error...).
    QString tunnelReason() const;

    // For tests: timeouts and backoff of the engines created from now on.
    void setSpeedifyOptions(const SpeedifyAdapter::Options &options) { m_speedifyOptions = options; }
    void setStopTimeoutMs(int ms) { m_stopTimeoutMs = ms; }
    // Where generated engine configuration goes (Engarde's YAML); default /run/smoothwan.
    void setRuntimeDirectory(const QString &dir) { m_runtimeDir = dir; }
    // Program paths for Engarde's client and tinyfecVPN; empty: looked up in PATH, /usr/local/bin.
    void setPrograms(const QString &engardeClient, const QString &tinyfec)
    {
        m_engardeProgram = engardeClient;
        m_tinyfecProgram = tinyfec;
    }
    // Where the self-hosted engine keeps its pairing (default /var/lib/smoothwan) and what it runs.
    void setStateDirectory(const QString &dir) { m_stateDir = dir; }
    void setSelfHostedOptions(const SelfHostedEngine::Options &options) { m_selfHostedOptions = options; }
    void setSupervision(int initialBackoffMs, int maxBackoffMs)
    {
        m_initialBackoffMs = initialBackoffMs;
        m_maxBackoffMs = maxBackoffMs;
    }

Q_SIGNALS:
    void engineChanged(const QString &type);
    void tunnelChanged(const QString &interface, bool up);
    void shutdownComplete();

private:
    void startEngine();
    void onStopped();
    void publish();
    void restartEngine(); // stop the engine, then start it again with m_config (the pairing read anew)
    Engine *createEngine(const EngineConfig &config);

    const Clock &m_clock;
    StateStore &m_store;
    EngineConfig m_config;
    std::optional<EngineConfig> m_pending; // the configuration to start once the old engine stopped
    QList<EngineWan> m_wans;
    Engine *m_engine = nullptr;
    bool m_stopping = false;
    bool m_shuttingDown = false;
    bool m_tunnelUp = false;
    QString m_tunnelName;
    quint16 m_redirectPort = 0;
    QHostAddress m_server;
    QString m_stateDir = QStringLiteral("/var/lib/smoothwan");
    SelfHostedEngine::Options m_selfHostedOptions;
    QTimer m_stopTimer;
    int m_stopTimeoutMs = DefaultStopTimeoutMs;
    SpeedifyAdapter::Options m_speedifyOptions;
    QString m_runtimeDir = QStringLiteral("/run/smoothwan");
    QString m_engardeProgram;
    QString m_tinyfecProgram;
    int m_initialBackoffMs = 1000;
    int m_maxBackoffMs = 60000;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Engine.h"
#include "SpeedifyCli.h"
#include "SpeedifyTypes.h"

#include <QtCore/QHash>

#include <deque>

namespace smoothwan {

class Clock;
class ProcessSupervisor;

// Contract: drives Speedify through speedify_cli (SpeedifyCli: -s, argv lists, a queue, typed
// errors). start() makes sure the daemon runs (its systemd unit `speedify` when installed, else
// the `speedify` binary beside the CLI, supervised; nothing when neither exists, e.g. with the
// stand-in), reads Speedify's state, settings, adapters and server, applies our configuration
// (mode, transport, startup-connect, then the WAN mapping) and keeps one `stats` reader running
// (restarted with backoff when it exits) for live state and per-connection stats.
// Every command validates its values (SpeedifyArgs) before anything reaches argv; a refused value
// or a failed command completes the callback with ok=false, sets lastError and emits event().
// Multi-step applies stop at the first failing step, say which step failed and which were
// applied, then re-read what Speedify really has so the status never shows a half-applied guess.
// WAN mapping: a Speedify adapter whose adapterID is a WAN's interface gets that WAN's tier
// (disabled WAN: never) and caps; every other adapter (LAN, bridges) gets `never`. The mapping is
// applied only once a non-empty WAN list is known, and only values that differ are sent.
class SpeedifyAdapter : public Engine
{
    Q_OBJECT

public:
    struct Options
    {
        int commandTimeoutMs = SpeedifyCli::DefaultTimeoutMs;
        int speedTestTimeoutMs = 120000;
        int statsInitialBackoffMs = 1000;
        int statsMaxBackoffMs = 60000;
        int retryInitialMs = 1000; // reading Speedify's state again while its daemon does not answer
        int retryMaxMs = 30000;
        int daemonInitialBackoffMs = 1000;
        int daemonMaxBackoffMs = 60000;
        bool manageDaemon = true;
    };

    SpeedifyAdapter(const Clock &clock, const SpeedifyConfig &config, Options options, QObject *parent = nullptr);
    ~SpeedifyAdapter() override;

    QString type() const override { return QStringLiteral("speedify"); }
    void start() override;
    void stop() override;
    QJsonObject status() const override;
    void setWans(const QList<EngineWan> &wans) override;
    QString tunnelInterface() const override { return QStringLiteral("connectify0"); }
    bool outlivesDaemon() const override { return true; }
    QHostAddress tunnelGateway() const override { return QHostAddress(QStringLiteral("10.202.0.1")); }
    void setConfig(const SpeedifyConfig &config);
    // Whether stop() disconnects Speedify (switching engines: yes; the daemon shutting down or
    // restarting: no, Speedify keeps carrying the LAN on its own).
    void setDisconnectOnStop(bool on) { m_disconnectOnStop = on; }

    // Commands (reference §3). Callbacks run from the event loop.
    void refresh(EngineCallback done = {});
    void login(const QString &user, const QString &password, EngineCallback done);
    void loginAuto(EngineCallback done);
    void logout(EngineCallback done);
    // {} (last), {"closest"|"public"|"private"|"p2p"|"last"}, {country[, city[, num]]}, {tag}, {"#tag"}
    void connectServer(const QStringList &target, EngineCallback done);
    void disconnectServer(EngineCallback done);
    void servers(EngineCallback done);
    void setMode(const QString &mode, EngineCallback done);           // speed|redundant|streaming
    void setTransport(const QString &transport, EngineCallback done); // auto|tcp|tcp-multi|udp|https
    // encryption|jumbo|packetaggr|headercompression|startupconnect
    void setToggle(const QString &setting, bool on, EngineCallback done);
    void setOverflow(double mbps, EngineCallback done);
    void setPriorityOverflow(double mbps, EngineCallback done);
    void setMaxRedundant(int connections, EngineCallback done);
    void setAdapterPriority(const QString &adapterId, const QString &priority, EngineCallback done);
    void setAdapterRateLimit(const QString &adapterId, qint64 downBps, qint64 upBps, EngineCallback done);
    // kind daily|dailyboost|monthly; bytes nullopt = unlimited; resetDay 0 = rolling 30 days
    void setAdapterDataLimit(const QString &adapterId, const QString &kind, std::optional<qint64> bytes, int resetDay,
                             EngineCallback done);
    void setAdapterOverlimitRateLimit(const QString &adapterId, qint64 bps, EngineCallback done);
    void resetAdapterUsage(const QString &adapterId, EngineCallback done);
    void setAdapterDirectionalMode(const QString &adapterId, const QString &upload, const QString &download,
                                   EngineCallback done);
    void setAdapterEncryption(const QString &adapterId, bool on, EngineCallback done);
    // target "streamingbypass" or "streaming"; list domains|ipv4|ipv6|ports; op add|rem|set
    void editList(const QString &target, const QString &list, const QString &op, const QStringList &values,
                  EngineCallback done);
    void setBypassService(const QString &service, bool on, EngineCallback done);
    void speedTest(bool streaming, const QString &adapterId, EngineCallback done);
    void version(EngineCallback done);

    SpeedifyState speedifyState() const { return m_state; }
    const QList<SpeedifyAdapterInfo> &speedifyAdapters() const { return m_adapters; }
    const SpeedifySettings &speedifySettings() const { return m_settings; }
    const SpeedifyBypass &streamingBypass() const { return m_bypass; }
    SpeedifyCli &cli() { return m_cli; }
    // Whether SmoothWAN maps its WANs onto the adapters (then it sets every adapter's priority,
    // and the caps of the adapters that are WANs), and which WAN an adapter is ("" for none).
    bool mapsWans() const { return !m_wans.isEmpty(); }
    QString wanFor(const QString &adapterId) const;
    QString adapterForWan(const QString &wan) const; // "" when the WAN is not one of the adapters

private:
    struct Step
    {
        QStringList args;
        int timeoutMs = 0;
        QStringList undo = {}; // puts back what `args` changes; empty when there is nothing to put back
    };

    void run(const QStringList &args, EngineCallback done, bool userCommand = true, int timeoutMs = 0);
    void runSteps(const QString &purpose, QList<Step> steps, EngineCallback done, bool userCommand);
    // Runs the undo commands in order; `finished` gets an empty string, or what failed.
    void rollBack(QList<QStringList> undo, std::function<void(const QString &)> finished);
    void refuse(const QStringList &args, const QString &message, EngineCallback done);
    QJsonValue absorb(const QStringList &args, const QList<QJsonValue> &docs);
    void recordError(const QString &kind, const QString &message, const QString &command);
    void applyConfig(EngineCallback done);
    void applyWans();
    void startStatsReader();
    void initialRead();
    void onStatsLine(const QString &line);
    void startDaemon();
    void appendLog(const QString &line);
    void publish();
    QString engineState() const;

    const Clock &m_clock;
    SpeedifyConfig m_config;
    Options m_options;
    SpeedifyCli m_cli;
    ProcessSupervisor *m_stats = nullptr;
    ProcessSupervisor *m_daemon = nullptr;
    QByteArray m_statsBuffer;
    bool m_running = false;
    bool m_stopping = false;
    bool m_reachable = true;
    bool m_disconnectOnStop = true;
    int m_retryMs = 0;

    SpeedifyState m_state = SpeedifyState::Unknown;
    SpeedifySettings m_settings;
    bool m_haveSettings = false;
    QList<SpeedifyAdapterInfo> m_adapters;
    bool m_haveAdapters = false;
    bool m_haveLists = false; // the bypass and streaming lists were read once
    SpeedifyServer m_server;
    SpeedifyVersion m_version;
    SpeedifySessionStats m_session;
    SpeedifyBypass m_bypass;
    SpeedifyBypass m_streaming;
    QList<SpeedifyTestResult> m_lastTests;
    QHash<QString, QJsonObject> m_linkStats; // adapterID -> aggregated connection stats
    QJsonObject m_lastError;

    QList<EngineWan> m_wans;
    bool m_applyingWans = false;
    bool m_wansDirty = false;
    std::deque<QString> m_log;
};

} // namespace smoothwan

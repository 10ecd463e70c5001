// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "Engine.h"
#include "PairingCode.h"
#include "ProcessSupervisor.h"

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace smoothwan {

class Clock;
class MptcpEndpoints;
class MptcpManager;
class RelayControl;
class WireGuardControl;

// Contract: SmoothWAN's own engine on the router (issue 8), paired with a VPS that runs
// smoothwan-server. Three supervised children and two kernel facilities:
//
//  - wireguard-go on `interface` (configured through a WireGuardControl: the client key from the
//    pairing, the server as its one peer at 127.0.0.1:relayPort, allowed 0.0.0.0/0), then its
//    tunnel address, MTU and link state (WireGuardControl::bringUp: rtnetlink);
//  - smoothwan-relay --role client: WireGuard's datagrams over one socket per WAN to the server's
//    relay port, `duplicate` (redundant, streaming) or `best` (speed); one path per WAN with an
//    address (path ids stable per WAN name), changed through its control socket as WANs come and
//    go, so flows never restart; a WAN of tier backup is set down while a better WAN is usable,
//    and a WAN without carrier while another has it (a cut moves traffic at once);
//  - ss-redir (under `mptcpize run` when it is installed) towards the server's ss-server, for LAN
//    TCP in speed and streaming mode (tcpRedirectPort() tells routing to redirect it);
//  - MPTCP endpoints, one per usable WAN (MptcpManager; none without an MptcpEndpoints);
//  - net.mptcp.enabled.
//
// State (the engine slice; see docs/protocol.md): `unpaired` without a pairing, `disconnected`
// after disconnectTunnel(), `connecting` until the VPS answers on some WAN and WireGuard has shaken
// hands, `connected`, `unreachable` when no WAN has had an answer for UnreachableAfterMs
// (lastError says which server and port), `not-installed` when wireguard-go or the relay is
// missing. tunnelUp only while connected. Mode and TCP aggregation change at run time without a
// restart: the relay's mode through its control socket, the redirect through routing; ss-redir
// keeps running so connections it carries survive a switch to redundant.
//
// The pairing (PairingCode text) is kept in <stateDir>/selfhosted/pairing, mode 0600; the
// secrets the children need are written to <runtimeDir>/selfhosted, mode 0600, and never appear
// on a command line.
class SelfHostedEngine : public Engine
{
    Q_OBJECT

public:
    static constexpr int UnreachableAfterMs = 3000;
    static constexpr int StatsIntervalMs = 1000;
    static constexpr int PersistentKeepaliveSec = 15;
    static constexpr int HandshakeStaleSec = 200;   // WireGuard re-keys every 120 s while packets flow
    static constexpr int ControlReplyMs = 3000;     // a relay that answers nothing for 3 tries is restarted
    static constexpr int SsCheckIntervalMs = 15000; // ss-server answered: check again after this
    static constexpr int SsRecheckFailingMs = 5000; // it did not: sooner

    using WireGuardFactory = std::function<std::unique_ptr<WireGuardControl>(const QString &interface)>;

    struct Options
    {
        QString stateDir;   // the pairing
        QString runtimeDir; // secrets for the children, the relay's control socket
        QString wireguardGo = QStringLiteral("wireguard-go");
        QString relay = QStringLiteral("smoothwan-relay");
        QString ssRedir = QStringLiteral("ss-redir");
        QString mptcpize = QStringLiteral("mptcpize");
        WireGuardFactory wireguard; // required to configure WireGuard
        MptcpEndpoints *mptcp = nullptr;
        int initialBackoffMs = 1000;
        int maxBackoffMs = 30000;
    };

    SelfHostedEngine(const Clock &clock, const SelfHostedConfig &config, Options options, QObject *parent = nullptr);
    ~SelfHostedEngine() override;

    QString type() const override { return QStringLiteral("selfhosted"); }
    void start() override;
    void stop() override;
    QJsonObject status() const override;
    void setWans(const QList<EngineWan> &wans) override;
    QString tunnelInterface() const override { return m_config.interface; }
    quint16 tcpRedirectPort() const override;
    QHostAddress serverAddress() const override;
    bool judgesTunnel() const override { return true; }

    // Mode and TCP aggregation at run time; false when the change needs a restart.
    bool setConfig(const SelfHostedConfig &config);
    void setMode(SelfHostedMode mode);
    // The user's connect/disconnect (engine.connect / engine.disconnect).
    void connectTunnel();
    void disconnectTunnel();

    // The pairing file in a state directory; load (nullopt when there is none; *error when it is
    // damaged), save (0600, atomically) and remove.
    static QString pairingPath(const QString &stateDir);
    static std::optional<PairingCode> loadPairing(const QString &stateDir, QString *error);
    static bool savePairing(const QString &stateDir, const QString &codeText, QString *error);
    static bool removePairing(const QString &stateDir, QString *error);

    // Pure parts, for tests.
    static QByteArray ssRedirConfig(const PairingCode &code, quint16 localPort);
    struct RelayPath
    {
        int id = 0;
        QString device;
        QHostAddress source;
        bool up = true;
        bool operator==(const RelayPath &) const = default;
    };
    // The relay's paths for `wans`: every enabled WAN with an interface and an address that is
    // not of tier never; ids from `ids` (WAN name -> 1..16, new names get the lowest free id).
    // Set down: a backup-tier WAN while a better one is usable; a WAN without carrier while another
    // WAN has it.
    static QList<RelayPath> relayPaths(const QList<EngineWan> &wans, QHash<QString, int> &ids);

private:
    void startChildren();
    void stopChildren();
    std::unique_ptr<ProcessSupervisor> supervise(const QString &name, const QString &program,
                                                 const QStringList &arguments, const QString &hint);
    void onChildState(const QString &name, ProcessSupervisor::State state);
    void configureWireGuard();
    void tick();
    void onRelayStats(const QJsonObject &stats);
    void syncRelay();
    void updateMptcp();
    void setError(const QString &message);
    void updateTunnel();
    bool modeUsesTcp() const;
    QString relayMode() const;
    QJsonObject component(const QString &name, const ProcessSupervisor *s) const;
    void statusChangedSoon();

    const Clock &m_clock;
    SelfHostedConfig m_config;
    Options m_options;
    std::optional<PairingCode> m_pairing;
    QString m_pairingError;
    QList<EngineWan> m_wans;
    QHash<QString, int> m_pathIds;
    bool m_started = false;      // start() called, stop() not
    bool m_disconnected = false; // the user disconnected
    QString m_state = QStringLiteral("stopped");
    QString m_message;
    QJsonObject m_lastError;

    std::unique_ptr<ProcessSupervisor> m_wireguard, m_relay, m_ssRedir;
    std::unique_ptr<WireGuardControl> m_wg;
    std::unique_ptr<MptcpManager> m_mptcp;
    RelayControl *m_control = nullptr;
    QTimer m_configureTimer;
    QTimer m_statsTimer;
    int m_configureAttempts = 0;
    bool m_wgConfigured = false;
    QList<RelayPath> m_relayPaths; // what the relay has now, as far as we know
    QString m_relayLaunchMode;
    QString m_relayModeSet; // the mode it runs in now
    bool m_relaySyncing = false;
    std::int64_t m_syncBlockedUntilMs = 0; // after a refused command: retry from then on
    int m_controlMisses = 0;               // control replies that did not come in time, in a row
    // ss-server on the VPS, checked with a TCP connect before LAN TCP is sent its way.
    void checkShadowsocks();
    std::optional<bool> m_ssReachable;
    std::int64_t m_ssCheckedMs = -1;
    bool m_ssChecking = false;
    QString m_tcpReason;
    int m_mptcpEndpoints = 0;
    bool m_mptcpActive = false;  // this engine has set endpoints up
    bool m_wroteSecrets = false; // this engine wrote the children's key and configuration files

    // From the last stats.
    QJsonArray m_adapters;
    QJsonObject m_session;
    std::int64_t m_startedAtMs = 0;
    std::int64_t m_lastAnswerMs = -1;
    qint64 m_lastHandshakeSec = 0;
    quint64 m_rxBytes = 0, m_txBytes = 0;
    double m_rxBps = 0, m_txBps = 0;
    std::int64_t m_lastTickMs = -1;
    QHash<int, QPair<quint64, quint64>> m_pathBytes; // path id -> rx, tx at the last tick
    bool m_tunnelUp = false;
    bool m_statusQueued = false;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "SelfHostedEngine.h"

#include "AtomicFile.h"
#include "Clock.h"
#include "Logging.h"
#include "MptcpManager.h"
#include "WireGuardControl.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QUdpSocket>

#include <deque>

namespace smoothwan {

namespace {

constexpr int ConfigureRetryMs = 200;
constexpr int ConfigureAttempts = 100; // 20 s for wireguard-go to open its socket
constexpr int MaxPaths = 16;

const QLatin1String WireGuardName("wireguard-go");
const QLatin1String RelayName("smoothwan-relay");
const QLatin1String SsRedirName("ss-redir");

QString subdir(const QString &base)
{
    return QDir(base).filePath(QStringLiteral("selfhosted"));
}

} // namespace

// The relay's control socket: one command per line, one reply line each, in order. Commands
// sent while the socket is not connected yet are answered with an empty reply.
class RelayControl : public QObject
{
public:
    using Reply = std::function<void(const QByteArray &)>;

    RelayControl(QString path, QObject *parent)
        : QObject(parent)
        , m_path(std::move(path))
    {
        connect(&m_socket, &QLocalSocket::readyRead, this, [this] {
            while (m_socket.canReadLine()) {
                const QByteArray line = m_socket.readLine().trimmed();
                if (m_pending.empty())
                    continue;
                Reply r = std::move(m_pending.front());
                m_pending.pop_front();
                m_since.start();
                r(line);
            }
        });
        connect(&m_socket, &QLocalSocket::disconnected, this, [this] { failAll(); });
        connect(&m_socket, &QLocalSocket::errorOccurred, this, [this] { failAll(); });
    }

    void send(const QByteArray &command, Reply reply)
    {
        if (m_socket.state() == QLocalSocket::UnconnectedState) {
            m_socket.connectToServer(m_path);
            // A local socket connects at once or not at all.
            if (!m_socket.waitForConnected(200)) {
                m_socket.abort();
                reply({});
                return;
            }
        }
        if (m_pending.empty())
            m_since.start();
        m_pending.push_back(std::move(reply));
        m_socket.write(command + '\n');
    }

    bool busy() const { return !m_pending.empty(); }
    // How long the oldest unanswered command has waited (0 when none waits).
    qint64 waitingMs() const { return m_pending.empty() ? 0 : m_since.elapsed(); }
    void reset()
    {
        m_socket.abort();
        failAll();
    }

private:
    void failAll()
    {
        std::deque<Reply> pending;
        pending.swap(m_pending);
        for (Reply &r : pending)
            r({});
    }

    QString m_path;
    QLocalSocket m_socket;
    std::deque<Reply> m_pending;
    QElapsedTimer m_since;
};

SelfHostedEngine::SelfHostedEngine(const Clock &clock, const SelfHostedConfig &config, Options options, QObject *parent)
    : Engine(parent)
    , m_clock(clock)
    , m_config(config)
    , m_options(std::move(options))
{
    m_configureTimer.setInterval(ConfigureRetryMs);
    connect(&m_configureTimer, &QTimer::timeout, this, &SelfHostedEngine::configureWireGuard);
    m_statsTimer.setInterval(StatsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &SelfHostedEngine::tick);
    if (m_options.mptcp)
        m_mptcp = std::make_unique<MptcpManager>(m_options.mptcp);
}

SelfHostedEngine::~SelfHostedEngine()
{
    stopChildren();
}

// --- pairing ---------------------------------------------------------------------------------

QString SelfHostedEngine::pairingPath(const QString &stateDir)
{
    return QDir(subdir(stateDir)).filePath(QStringLiteral("pairing"));
}

std::optional<PairingCode> SelfHostedEngine::loadPairing(const QString &stateDir, QString *error)
{
    QFile f(pairingPath(stateDir));
    if (!f.exists())
        return std::nullopt;
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString());
        return std::nullopt;
    }
    const auto parsed = PairingCode::parse(QString::fromLatin1(f.read(PairingCode::MaxTextLength + 2)));
    if (!parsed.code)
        *error = QStringLiteral("%1 is damaged (%2); pair again").arg(f.fileName(), parsed.message);
    return parsed.code;
}

bool SelfHostedEngine::savePairing(const QString &stateDir, const QString &codeText, QString *error)
{
    if (!QDir().mkpath(subdir(stateDir)) ||
        !QFile::setPermissions(subdir(stateDir),
                               QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        *error = QStringLiteral("cannot create %1").arg(subdir(stateDir));
        return false;
    }
    const AtomicWriteResult w = writeAtomically(pairingPath(stateDir), codeText.trimmed().toLatin1() + '\n', 0600);
    if (!w.ok)
        *error = w.error;
    return w.ok;
}

bool SelfHostedEngine::removePairing(const QString &stateDir, QString *error)
{
    QFile f(pairingPath(stateDir));
    if (f.exists() && !f.remove()) {
        *error = QStringLiteral("cannot remove %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

// --- pure parts ------------------------------------------------------------------------------

QByteArray SelfHostedEngine::ssRedirConfig(const PairingCode &code, quint16 localPort)
{
    QJsonObject o;
    o[QStringLiteral("server")] = code.serverAddress;
    o[QStringLiteral("server_port")] = code.shadowsocksPort;
    // Redirected connections arrive addressed to the LAN address they came in on; the nftables
    // table lets only redirected connections reach this port.
    o[QStringLiteral("local_address")] = QStringLiteral("0.0.0.0");
    o[QStringLiteral("local_port")] = localPort;
    o[QStringLiteral("password")] = code.shadowsocksPasswordText();
    o[QStringLiteral("method")] = QStringLiteral("chacha20-ietf-poly1305");
    o[QStringLiteral("mode")] = QStringLiteral("tcp_only");
    o[QStringLiteral("timeout")] = 300;
    o[QStringLiteral("no_delay")] = true;
    return QJsonDocument(o).toJson();
}

QList<SelfHostedEngine::RelayPath> SelfHostedEngine::relayPaths(const QList<EngineWan> &wans, QHash<QString, int> &ids)
{
    const auto carries = [](const EngineWan &w) {
        return w.enabled && w.priority != WanPriority::Never && !w.interface.isEmpty() && !w.address.isNull() &&
               w.address.protocol() == QAbstractSocket::IPv4Protocol;
    };
    bool betterUsable = false; // a WAN above the backup tier works
    int withCarrier = 0;       // WANs that may carry and whose link has carrier
    for (const EngineWan &w : wans) {
        if (!carries(w))
            continue;
        if (w.usable && (w.priority == WanPriority::Always || w.priority == WanPriority::Secondary))
            betterUsable = true;
        if (w.carrier)
            ++withCarrier;
    }
    QList<RelayPath> out;
    for (const EngineWan &w : wans) {
        if (!carries(w))
            continue;
        int id = ids.value(w.name);
        if (id == 0) {
            for (int candidate = 1; candidate <= MaxPaths && id == 0; ++candidate) {
                bool taken = false;
                for (auto it = ids.cbegin(); it != ids.cend(); ++it)
                    taken = taken || it.value() == candidate;
                if (!taken)
                    id = candidate;
            }
            if (id == 0)
                continue; // more than 16 WANs
            ids.insert(w.name, id);
        }
        // A backup WAN carries nothing while a better one works. A WAN whose link lost carrier (a
        // cut, seen on netlink at once) carries nothing while another has carrier: the relay moves
        // off it now instead of after its own 350 ms without answers, and back the moment carrier
        // returns. (Health is not used for this: it recovers only after its up-rounds.) Never all
        // paths down.
        const bool backupIdle = w.priority == WanPriority::Backup && betterUsable;
        const bool dead = !w.carrier && withCarrier > 0;
        out.append({id, w.interface, w.address, !backupIdle && !dead});
    }
    return out;
}

// --- life cycle ------------------------------------------------------------------------------

void SelfHostedEngine::statusChangedSoon()
{
    if (m_statusQueued)
        return;
    m_statusQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_statusQueued = false;
            Q_EMIT statusChanged();
        },
        Qt::QueuedConnection);
}

void SelfHostedEngine::setError(const QString &message)
{
    m_lastError = errorRecord(m_clock, message);
    qCWarning(lcEngine).noquote() << "self-hosted:" << message;
    Q_EMIT event(QStringLiteral("error"), message);
}

void SelfHostedEngine::start()
{
    if (m_started)
        return;
    m_started = true;
    m_pairingError.clear();
    m_pairing = loadPairing(m_options.stateDir, &m_pairingError);
    if (!m_pairing) {
        m_state = m_pairingError.isEmpty() ? QStringLiteral("unpaired") : QStringLiteral("error");
        m_message = m_pairingError.isEmpty()
                        ? tr("Not paired with a server: run smoothwan-server init on your VPS and enter the pairing "
                             "code it prints")
                        : m_pairingError;
        if (!m_pairingError.isEmpty())
            setError(m_pairingError);
        Q_EMIT statusChanged();
        return;
    }
    if (!m_disconnected)
        startChildren();
    else
        m_state = QStringLiteral("disconnected");
    Q_EMIT statusChanged();
}

void SelfHostedEngine::stop()
{
    m_started = false;
    stopChildren();
    m_state = QStringLiteral("stopped");
    m_message.clear();
    updateTunnel();
    Q_EMIT statusChanged();
    QMetaObject::invokeMethod(this, &Engine::stopped, Qt::QueuedConnection);
}

void SelfHostedEngine::connectTunnel()
{
    m_disconnected = false;
    const auto givenUp = [](const std::unique_ptr<ProcessSupervisor> &p) {
        return p && (p->state() == ProcessSupervisor::State::CrashLoop ||
                     p->state() == ProcessSupervisor::State::NotInstalled);
    };
    if (m_started && m_pairing && (givenUp(m_wireguard) || givenUp(m_relay) || givenUp(m_ssRedir)))
        stopChildren(); // a user's Connect starts over what supervision gave up on
    if (m_started && m_pairing && !m_relay) {
        startChildren();
        Q_EMIT event(QStringLiteral("info"), tr("Connecting to %1").arg(m_pairing->serverAddress));
        Q_EMIT statusChanged();
    }
}

void SelfHostedEngine::disconnectTunnel()
{
    m_disconnected = true;
    if (m_relay) {
        stopChildren();
        m_state = QStringLiteral("disconnected");
        m_message = tr("Disconnected by the user");
        updateTunnel();
        Q_EMIT event(QStringLiteral("info"), tr("Disconnected from the self-hosted server"));
        Q_EMIT statusChanged();
    }
}

std::unique_ptr<ProcessSupervisor> SelfHostedEngine::supervise(const QString &name, const QString &program,
                                                               const QStringList &arguments, const QString &hint)
{
    ProcessSupervisor::Options o;
    o.name = name;
    o.program = program;
    o.arguments = arguments;
    o.installHint = hint;
    o.initialBackoffMs = m_options.initialBackoffMs;
    o.maxBackoffMs = m_options.maxBackoffMs;
    auto s = std::make_unique<ProcessSupervisor>(m_clock, o);
    connect(s.get(), &ProcessSupervisor::stateChanged, this,
            [this, name](ProcessSupervisor::State st) { onChildState(name, st); });
    connect(s.get(), &ProcessSupervisor::lineReceived, this, [this, name](const QString &line) {
        qCDebug(lcEngine).noquote() << name + QLatin1Char(':') << line;
        statusChangedSoon();
    });
    return s;
}

void SelfHostedEngine::startChildren()
{
    const PairingCode &code = *m_pairing;
    const QString runtime = subdir(m_options.runtimeDir);
    const auto fail = [this](const QString &message) {
        m_state = QStringLiteral("error");
        m_message = message;
        setError(message);
    };
    if (!QDir().mkpath(runtime)) {
        fail(tr("cannot create %1").arg(runtime));
        return;
    }
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString keyFile = QDir(runtime).filePath(QStringLiteral("relay.key"));
    AtomicWriteResult w = writeAtomically(keyFile, code.relayKey.toHex() + '\n', 0600);
    if (!w.ok) {
        fail(w.error);
        return;
    }
    m_wroteSecrets = true;
    const QString ssFile = QDir(runtime).filePath(QStringLiteral("ss-redir.json"));
    w = writeAtomically(ssFile, ssRedirConfig(code, m_config.tcpPort), 0600);
    if (!w.ok) {
        fail(w.error);
        return;
    }
    if (!m_options.wireguard) {
        fail(tr("this build cannot configure WireGuard"));
        return;
    }
    m_wg = m_options.wireguard(m_config.interface);
    m_startedAtMs = m_clock.monotonicMs();
    m_lastAnswerMs = -1;
    m_lastHandshakeSec = 0;
    m_wgConfigured = false;
    m_lastError = {};
    m_state = QStringLiteral("starting");
    m_message = tr("Starting WireGuard and the relay towards %1").arg(code.serverAddress);

    const QString wgGo = ProcessSupervisor::findExecutable(m_options.wireguardGo);
    m_wireguard = supervise(QString(WireGuardName), wgGo.isEmpty() ? m_options.wireguardGo : wgGo,
                            {QStringLiteral("-f"), m_config.interface}, tr("apt install wireguard-go"));

    const QString controlPath = QDir(runtime).filePath(QStringLiteral("relay.sock"));
    // No --path: every path is added through the control socket once the relay runs, so a restart
    // never binds to a WAN address or device that is gone since (the relay would exit and the
    // supervisor give up); the mode is given at start and corrected the same way.
    QStringList relayArgs {
        QStringLiteral("--role"),     QStringLiteral("client"),
        QStringLiteral("--key-file"), keyFile,
        QStringLiteral("--local"),    QStringLiteral("127.0.0.1:%1").arg(m_config.relayPort),
        QStringLiteral("--server"),   QStringLiteral("%1:%2").arg(code.serverAddress).arg(code.relayPort),
        QStringLiteral("--mode"),     relayMode(),
        QStringLiteral("--control"),  controlPath};
    m_relayLaunchMode = relayMode();
    m_relayModeSet = m_relayLaunchMode;
    m_relay = supervise(QString(RelayName), m_options.relay, relayArgs, tr("install the smoothwan package"));
    m_control = new RelayControl(controlPath, this);

    m_tcpReason.clear();
    const QString ssRedir = ProcessSupervisor::findExecutable(m_options.ssRedir);
    if (!m_config.tcpAggregation) {
        m_tcpReason = tr("TCP aggregation is off in the configuration");
    } else if (ssRedir.isEmpty()) {
        m_tcpReason = tr("ss-redir is not installed (apt install shadowsocks-libev): TCP goes through WireGuard");
    } else {
        const QString mptcpize = ProcessSupervisor::findExecutable(m_options.mptcpize);
        const QStringList ssArgs {QStringLiteral("-c"), ssFile};
        if (mptcpize.isEmpty()) {
            m_tcpReason = tr("mptcpize is not installed (apt install mptcpd): TCP uses one WAN at a time");
            m_ssRedir = supervise(QString(SsRedirName), ssRedir, ssArgs, tr("apt install shadowsocks-libev"));
        } else {
            m_ssRedir = supervise(QString(SsRedirName), mptcpize, QStringList {QStringLiteral("run"), ssRedir} + ssArgs,
                                  tr("apt install mptcpd shadowsocks-libev"));
        }
        QFile enabled(QStringLiteral("/proc/sys/net/mptcp/enabled"));
        if (!enabled.open(QIODevice::WriteOnly) || enabled.write("1\n") != 2)
            qCWarning(lcEngine) << "cannot enable MPTCP (/proc/sys/net/mptcp/enabled):" << enabled.errorString();
    }

    m_wireguard->start();
    m_relay->start();
    if (m_ssRedir)
        m_ssRedir->start();
    updateMptcp();
    m_statsTimer.start();
    qCInfo(lcEngine).noquote() << "self-hosted: started towards" << code.serverAddress << "with"
                               << "mode" << configName(m_config.mode);
}

void SelfHostedEngine::stopChildren()
{
    m_configureTimer.stop();
    m_statsTimer.stop();
    if (m_control) {
        m_control->reset();
        delete m_control;
        m_control = nullptr;
    }
    // The destructors stop the children synchronously (SIGTERM, then SIGKILL).
    m_ssRedir.reset();
    m_relay.reset();
    m_wireguard.reset(); // wireguard-go removes its interface as it exits
    m_wg.reset();
    m_wgConfigured = false;
    // The children's secrets go with them (only this engine's: an engine that wrote none must not
    // remove those of the one that replaced it).
    if (m_wroteSecrets)
        for (const char *secret : {"relay.key", "ss-redir.json"})
            QFile::remove(QDir(subdir(m_options.runtimeDir)).filePath(QLatin1String(secret)));
    m_wroteSecrets = false;
    m_ssReachable.reset();
    m_ssCheckedMs = -1;
    m_controlMisses = 0;
    m_relayPaths.clear();
    m_adapters = {};
    m_session = {};
    m_pathBytes.clear();
    m_lastTickMs = -1;
    // Only an engine that set endpoints up removes them: an engine that never ran children (not
    // paired, disconnected) must not take away the endpoints of the one that replaced it.
    if (m_mptcp && m_mptcpActive) {
        QString error;
        if (!m_mptcp->cleanup(&error))
            qCWarning(lcEngine).noquote() << "self-hosted: MPTCP endpoints:" << error;
    }
    m_mptcpActive = false;
    m_mptcpEndpoints = 0;
}

void SelfHostedEngine::onChildState(const QString &name, ProcessSupervisor::State st)
{
    ProcessSupervisor *s = name == WireGuardName ? m_wireguard.get()
                           : name == RelayName   ? m_relay.get()
                                                 : m_ssRedir.get();
    if (!s)
        return;
    switch (st) {
    case ProcessSupervisor::State::Running:
        qCInfo(lcEngine).noquote() << "self-hosted:" << name << "is running";
        if (name == WireGuardName) {
            m_wgConfigured = false;
            m_configureAttempts = 0;
            m_configureTimer.start();
        } else if (name == RelayName) {
            // Started with its launch arguments: bring it to what the WANs and mode are now.
            m_relayPaths.clear(); // started without paths
            m_relayModeSet = m_relayLaunchMode;
            // Liveness starts again with this relay: old answers say nothing about it.
            m_startedAtMs = m_clock.monotonicMs();
            m_lastAnswerMs = -1;
            m_syncBlockedUntilMs = 0;
            if (m_control)
                m_control->reset();
            QTimer::singleShot(300, this, &SelfHostedEngine::syncRelay);
        }
        break;
    case ProcessSupervisor::State::Backoff:
        Q_EMIT event(QStringLiteral("warning"), s->message());
        if (name == WireGuardName) {
            m_configureTimer.stop();
            m_wgConfigured = false;
        }
        if (name == RelayName && m_control)
            m_control->reset();
        break;
    case ProcessSupervisor::State::CrashLoop:
    case ProcessSupervisor::State::NotInstalled:
        if (name == SsRedirName) {
            m_tcpReason = s->message();
            Q_EMIT event(QStringLiteral("warning"), s->message());
        } else {
            m_state = st == ProcessSupervisor::State::NotInstalled ? QStringLiteral("not-installed")
                                                                   : QStringLiteral("crash-loop");
            m_message = s->message();
            setError(s->message());
        }
        break;
    default:
        break;
    }
    updateTunnel();
    Q_EMIT statusChanged();
}

void SelfHostedEngine::configureWireGuard()
{
    if (!m_pairing || !m_wg || !m_wireguard)
        return;
    if (++m_configureAttempts > ConfigureAttempts) {
        m_configureTimer.stop();
        setError(tr("wireguard-go did not accept its configuration; restarting it"));
        m_wireguard->restart();
        return;
    }
    if (!m_wg->exists())
        return; // not listening yet
    const PairingCode &code = *m_pairing;
    WireGuardControl::Config c;
    c.privateKey = code.clientPrivateKey;
    WireGuardControl::Peer peer;
    peer.publicKey = code.serverPublicKey;
    peer.endpoint = QStringLiteral("127.0.0.1:%1").arg(m_config.relayPort);
    peer.allowedIps = {QStringLiteral("0.0.0.0/0")};
    peer.persistentKeepalive = PersistentKeepaliveSec;
    c.peers = {peer};
    QString error;
    const QString address = code.clientTunnelAddress + QLatin1Char('/') + QString::number(code.tunnelPrefix);
    if (!m_wg->set(c, &error) || !m_wg->bringUp(address, m_config.mtu, &error)) {
        qCWarning(lcEngine).noquote() << "self-hosted: configuring WireGuard:" << error;
        return;
    }
    m_configureTimer.stop();
    m_wgConfigured = true;
    qCInfo(lcEngine).noquote() << "self-hosted: WireGuard" << m_config.interface << "up:" << address << "mtu"
                               << m_config.mtu;
    if (m_state == QLatin1String("starting")) {
        m_state = QStringLiteral("connecting");
        m_message = tr("Waiting for %1 to answer").arg(code.serverAddress);
    }
    tick();
}

// --- run time --------------------------------------------------------------------------------

QString SelfHostedEngine::relayMode() const
{
    return m_config.mode == SelfHostedMode::Speed ? QStringLiteral("best") : QStringLiteral("duplicate");
}

bool SelfHostedEngine::modeUsesTcp() const
{
    return m_config.tcpAggregation && m_config.mode != SelfHostedMode::Redundant;
}

quint16 SelfHostedEngine::tcpRedirectPort() const
{
    return m_tunnelUp && modeUsesTcp() && m_ssRedir && m_ssRedir->state() == ProcessSupervisor::State::Running &&
                   m_ssReachable.value_or(false)
               ? m_config.tcpPort
               : 0;
}

QHostAddress SelfHostedEngine::serverAddress() const
{
    return m_pairing ? QHostAddress(m_pairing->serverAddress) : QHostAddress();
}

bool SelfHostedEngine::setConfig(const SelfHostedConfig &config)
{
    if (!config.sameExceptLive(m_config))
        return false;
    const bool modeChanged = config.mode != m_config.mode;
    const bool tcpChanged = config.tcpAggregation != m_config.tcpAggregation;
    if (tcpChanged && config.tcpAggregation && !m_ssRedir && m_relay)
        return false; // ss-redir was not started: a restart starts it
    m_config = config;
    if (modeChanged) {
        Q_EMIT event(QStringLiteral("info"), tr("Bonding mode: %1").arg(configName(config.mode)));
        syncRelay();
    }
    updateTunnel();
    Q_EMIT statusChanged();
    return true;
}

void SelfHostedEngine::setMode(SelfHostedMode mode)
{
    SelfHostedConfig c = m_config;
    c.mode = mode;
    setConfig(c);
}

void SelfHostedEngine::setWans(const QList<EngineWan> &wans)
{
    if (wans == m_wans)
        return;
    m_wans = wans;
    if (!m_relay)
        return;
    syncRelay();
    updateMptcp();
    statusChangedSoon();
}

void SelfHostedEngine::updateMptcp()
{
    if (!m_mptcp || !m_ssRedir)
        return;
    QList<MptcpWan> wans;
    for (const EngineWan &w : std::as_const(m_wans)) {
        if (!w.enabled || w.priority == WanPriority::Never || w.interface.isEmpty() || w.address.isNull())
            continue;
        wans.append({w.name, w.interface, w.address, w.usable, w.metered || w.priority == WanPriority::Backup});
    }
    QString error;
    m_mptcpActive = true;
    if (!m_mptcp->update(wans, &error))
        qCWarning(lcEngine).noquote() << "self-hosted: MPTCP endpoints:" << error;
    m_mptcpEndpoints = 0;
    for (const MptcpWan &w : std::as_const(wans))
        m_mptcpEndpoints += w.usable ? 1 : 0;
}

// Brings the relay's paths and mode to what they should be, one control command at a time.
void SelfHostedEngine::syncRelay()
{
    if (!m_control || !m_relay || m_relay->state() != ProcessSupervisor::State::Running || m_relaySyncing ||
        m_clock.monotonicMs() < m_syncBlockedUntilMs)
        return;
    const QList<RelayPath> want = relayPaths(m_wans, m_pathIds);
    QByteArray command;
    std::function<void()> onOk;
    if (m_relayModeSet != relayMode()) {
        const QString mode = relayMode();
        command = "mode " + mode.toLatin1();
        onOk = [this, mode] { m_relayModeSet = mode; };
    }
    for (const RelayPath &have : std::as_const(m_relayPaths)) {
        if (!command.isEmpty())
            break;
        const auto it = std::find_if(want.begin(), want.end(), [&have](const RelayPath &p) { return p.id == have.id; });
        if (it == want.end() || it->device != have.device || it->source != have.source) {
            command = "path del " + QByteArray::number(have.id);
            const int id = have.id;
            onOk = [this, id] { m_relayPaths.removeIf([id](const RelayPath &p) { return p.id == id; }); };
        } else if (it->up != have.up) {
            command = (it->up ? "path up " : "path down ") + QByteArray::number(have.id);
            const RelayPath now = *it;
            onOk = [this, now] {
                for (RelayPath &p : m_relayPaths)
                    if (p.id == now.id)
                        p.up = now.up;
            };
        }
    }
    for (const RelayPath &p : want) {
        if (!command.isEmpty())
            break;
        if (std::none_of(m_relayPaths.begin(), m_relayPaths.end(), [&p](const RelayPath &h) { return h.id == p.id; })) {
            command = QStringLiteral("path add %1 %2 %3").arg(p.id).arg(p.device, p.source.toString()).toLatin1();
            onOk = [this, p] {
                RelayPath added = p;
                added.up = true; // a path is added up; the next round sets it down if it must be
                m_relayPaths.append(added);
            };
        }
    }
    if (command.isEmpty())
        return;
    m_relaySyncing = true;
    m_control->send(command, [this, command, onOk](const QByteArray &reply) {
        m_relaySyncing = false;
        if (reply == "ok") {
            qCInfo(lcEngine).noquote() << "self-hosted: relay:" << QString::fromLatin1(command);
            onOk();
            syncRelay();
        } else if (reply.startsWith("error no such path") && !command.startsWith("path add")) {
            onOk(); // gone already: what the command wanted
            syncRelay();
        } else if (!reply.isEmpty()) {
            // Refused (an address the kernel will not bind, ...): try again in a while instead of
            // every second, and say it once.
            qCWarning(lcEngine).noquote() << "self-hosted: relay refused" << QString::fromLatin1(command) << ":"
                                          << QString::fromLatin1(reply) << "; retrying in 10 s";
            m_syncBlockedUntilMs = m_clock.monotonicMs() + 10000;
        } // no reply: not connected yet; the next tick tries again
    });
}

// LAN TCP goes to ss-redir only once ss-server answers on the VPS (a TCP connect over the best
// WAN, every SsCheckIntervalMs while the bond is up): a provider firewall that lets the relay's
// UDP in but not ss-server's TCP must not break every LAN connection while the bond looks fine.
void SelfHostedEngine::checkShadowsocks()
{
    const std::int64_t now = m_clock.monotonicMs();
    if (!m_pairing || !m_ssRedir || !m_tunnelUp || !modeUsesTcp() || m_ssChecking ||
        (m_ssCheckedMs >= 0 &&
         now - m_ssCheckedMs < (m_ssReachable.value_or(false) ? SsCheckIntervalMs : SsRecheckFailingMs)))
        return;
    m_ssChecking = true;
    auto *socket = new QTcpSocket(this);
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    const auto done = [this, socket](bool ok) {
        if (!m_ssChecking)
            return;
        m_ssChecking = false;
        m_ssCheckedMs = m_clock.monotonicMs();
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        if (m_ssReachable == ok)
            return;
        const bool first = !m_ssReachable.has_value();
        m_ssReachable = ok;
        if (!ok || !first)
            Q_EMIT event(ok ? QStringLiteral("info") : QStringLiteral("warning"),
                         ok ? tr("ss-server on %1 answers again: LAN TCP goes over MPTCP").arg(m_pairing->serverAddress)
                            : tr("ss-server on %1:%2 does not answer (TCP): LAN TCP goes through WireGuard; is "
                                 "the port open on the VPS?")
                                  .arg(m_pairing->serverAddress)
                                  .arg(m_pairing->shadowsocksPort));
        Q_EMIT statusChanged();
    };
    connect(socket, &QTcpSocket::connected, this, [done] { done(true); });
    connect(socket, &QTcpSocket::errorOccurred, this, [done] { done(false); });
    connect(timeout, &QTimer::timeout, this, [done] { done(false); });
    timeout->start(3000);
    socket->connectToHost(QHostAddress(m_pairing->serverAddress), m_pairing->shadowsocksPort);
}

void SelfHostedEngine::tick()
{
    if (!m_relay)
        return;
    // WireGuard's counters and last handshake.
    if (m_wgConfigured && m_wg) {
        QString error;
        if (const auto device = m_wg->get(&error); device && !device->peers.isEmpty()) {
            const WireGuardControl::Peer &p = device->peers.first();
            const std::int64_t now = m_clock.monotonicMs();
            if (m_lastTickMs >= 0 && now > m_lastTickMs) {
                const double seconds = double(now - m_lastTickMs) / 1000.0;
                m_rxBps = p.rxBytes >= m_rxBytes ? double(p.rxBytes - m_rxBytes) * 8 / seconds : 0;
                m_txBps = p.txBytes >= m_txBytes ? double(p.txBytes - m_txBytes) * 8 / seconds : 0;
            }
            m_rxBytes = p.rxBytes;
            m_txBytes = p.txBytes;
            m_lastHandshakeSec = p.lastHandshakeSec;
        } else if (!device) {
            qCDebug(lcEngine).noquote() << "self-hosted: WireGuard get:" << error;
        }
    }
    // No handshake yet: a datagram into the tunnel makes WireGuard start one now rather than at
    // the first LAN packet (routing sends the LAN into the tunnel only once it is up).
    if (m_wgConfigured && m_pairing && m_lastHandshakeSec == 0) {
        QUdpSocket kick;
        kick.writeDatagram(QByteArrayLiteral("smoothwan"), QHostAddress(m_pairing->serverTunnelAddress), 9);
    }
    // A relay that stops answering its control socket (hung, not exited) is reset, then restarted.
    if (m_control && m_control->waitingMs() > ControlReplyMs) {
        m_control->reset();
        if (++m_controlMisses >= 3 && m_relay->state() == ProcessSupervisor::State::Running) {
            m_controlMisses = 0;
            Q_EMIT event(QStringLiteral("warning"), tr("smoothwan-relay stopped answering; restarting it"));
            m_relay->restart();
            return;
        }
    }
    checkShadowsocks();
    if (m_control && m_relay->state() == ProcessSupervisor::State::Running && !m_control->busy()) {
        m_control->send("stats", [this](const QByteArray &reply) {
            if (reply.isEmpty())
                return;
            m_controlMisses = 0;
            const QJsonDocument doc = QJsonDocument::fromJson(reply);
            if (doc.isObject())
                onRelayStats(doc.object());
        });
        syncRelay();
    }
    updateTunnel();
    statusChangedSoon();
}

void SelfHostedEngine::onRelayStats(const QJsonObject &stats)
{
    const std::int64_t now = m_clock.monotonicMs();
    const double seconds = m_lastTickMs >= 0 && now > m_lastTickMs ? double(now - m_lastTickMs) / 1000.0 : 0;
    m_lastTickMs = now;
    const int active = stats.value(QStringLiteral("active_path")).toInt();
    const bool best = stats.value(QStringLiteral("mode")).toString() == QLatin1String("best");
    QString activeWan;
    QJsonArray adapters;
    bool anyAnswering = false;
    QHash<int, QPair<quint64, quint64>> bytes;
    for (const QJsonValue &v : stats.value(QStringLiteral("paths")).toArray()) {
        const QJsonObject p = v.toObject();
        const int id = p.value(QStringLiteral("id")).toInt();
        QString wan;
        for (auto it = m_pathIds.cbegin(); it != m_pathIds.cend(); ++it)
            if (it.value() == id)
                wan = it.key();
        bool mptcp = false;
        for (const EngineWan &w : std::as_const(m_wans))
            if (w.name == wan)
                mptcp = m_mptcpEndpoints > 0 && w.usable && m_ssRedir;
        const bool up = p.value(QStringLiteral("up")).toBool();
        const bool answering = p.value(QStringLiteral("answering")).toBool();
        anyAnswering = anyAnswering || (up && answering);
        const auto rx = quint64(p.value(QStringLiteral("rx_bytes")).toDouble());
        const auto tx = quint64(p.value(QStringLiteral("tx_bytes")).toDouble());
        bytes.insert(id, {rx, tx});
        double rxBps = 0, txBps = 0;
        if (const auto before = m_pathBytes.constFind(id); before != m_pathBytes.constEnd() && seconds > 0) {
            rxBps = rx >= before->first ? double(rx - before->first) * 8 / seconds : 0;
            txBps = tx >= before->second ? double(tx - before->second) * 8 / seconds : 0;
        }
        QString state;
        if (!up)
            state = QStringLiteral("down");
        else if (!answering)
            state = QStringLiteral("silent");
        else if (!best || id == active)
            state = QStringLiteral("active");
        else
            state = QStringLiteral("standby");
        if (best && id == active)
            activeWan = wan;
        const double rttUs = p.value(QStringLiteral("rtt_us")).toDouble(-1);
        adapters.append(QJsonObject {
            {QStringLiteral("wan"), wan},
            {QStringLiteral("interface"), p.value(QStringLiteral("dev")).toString()},
            {QStringLiteral("pathId"), id},
            {QStringLiteral("state"), state},
            {QStringLiteral("answering"), answering},
            {QStringLiteral("rttMs"), rttUs < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(rttUs / 1000.0)},
            {QStringLiteral("jitterMs"), p.value(QStringLiteral("jitter_us")).toDouble() / 1000.0},
            {QStringLiteral("lossPercent"), p.value(QStringLiteral("loss_ppm")).toDouble() / 10000.0},
            {QStringLiteral("probeLossPercent"), p.value(QStringLiteral("probe_loss_ppm")).toDouble() / 10000.0},
            {QStringLiteral("rxBytes"), double(rx)},
            {QStringLiteral("txBytes"), double(tx)},
            {QStringLiteral("rxBps"), rxBps},
            {QStringLiteral("txBps"), txBps},
            {QStringLiteral("mptcp"), mptcp},
        });
    }
    m_pathBytes = bytes;
    m_adapters = adapters;
    if (anyAnswering)
        m_lastAnswerMs = now;
    m_session = QJsonObject {
        {QStringLiteral("activeWan"), activeWan.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(activeWan)},
        {QStringLiteral("switches"), stats.value(QStringLiteral("switches")).toDouble()},
        {QStringLiteral("dropped"),
         QJsonObject {{QStringLiteral("junk"), stats.value(QStringLiteral("dropped_junk")).toDouble()},
                      {QStringLiteral("forged"), stats.value(QStringLiteral("dropped_forged")).toDouble()},
                      {QStringLiteral("replay"), stats.value(QStringLiteral("dropped_replay")).toDouble()}}},
    };
    updateTunnel();
    statusChangedSoon();
}

// connected / connecting / unreachable from what the relay and WireGuard report.
void SelfHostedEngine::updateTunnel()
{
    const bool running = m_relay && m_wireguard && m_relay->state() == ProcessSupervisor::State::Running &&
                         m_wireguard->state() == ProcessSupervisor::State::Running;
    const std::int64_t now = m_clock.monotonicMs();
    const bool answered = m_lastAnswerMs >= 0 && now - m_lastAnswerMs < UnreachableAfterMs;
    const qint64 handshakeAge = m_clock.wallClock().toSecsSinceEpoch() - m_lastHandshakeSec;
    const bool up = running && m_wgConfigured && answered && m_lastHandshakeSec > 0 && handshakeAge < HandshakeStaleSec;
    if (running && m_wgConfigured && m_pairing) {
        const bool silentTooLong = !answered && now - std::max(m_startedAtMs, m_lastAnswerMs) >= UnreachableAfterMs;
        if (up) {
            if (m_state != QLatin1String("connected")) {
                m_state = QStringLiteral("connected");
                m_message = tr("Connected to %1").arg(m_pairing->serverAddress);
                m_lastError = {};
                Q_EMIT event(QStringLiteral("info"), tr("The bond to %1 is up").arg(m_pairing->serverAddress));
            }
        } else if (silentTooLong) {
            if (m_state != QLatin1String("unreachable")) {
                m_state = QStringLiteral("unreachable");
                m_message = tr("The server %1 does not answer on any WAN (UDP port %2): is smoothwan-server running "
                               "there, and the port open?")
                                .arg(m_pairing->serverAddress)
                                .arg(m_pairing->relayPort);
                setError(m_message);
            }
        } else if (m_state == QLatin1String("connected") || m_state == QLatin1String("starting")) {
            m_state = QStringLiteral("connecting");
            m_message = tr("Waiting for %1 to answer").arg(m_pairing->serverAddress);
        }
    } else if (m_relay && (m_state == QLatin1String("connected") || m_state == QLatin1String("unreachable"))) {
        m_state = QStringLiteral("starting");
        m_message = tr("Restarting a part of the engine");
    }
    if (up != m_tunnelUp) {
        m_tunnelUp = up;
        Q_EMIT statusChanged();
    }
}

QJsonObject SelfHostedEngine::component(const QString &name, const ProcessSupervisor *s) const
{
    return QJsonObject {
        {QStringLiteral("name"), name},
        {QStringLiteral("state"), s ? ProcessSupervisor::stateName(s->state()) : QStringLiteral("stopped")},
        {QStringLiteral("message"), s ? s->message() : QString()},
        {QStringLiteral("restarts"), s ? s->restartCount() : 0},
    };
}

QJsonObject SelfHostedEngine::status() const
{
    QJsonArray log;
    QStringList lines;
    for (const ProcessSupervisor *s : {m_wireguard.get(), m_relay.get(), m_ssRedir.get()})
        if (s)
            for (const QString &line : s->logTail(20))
                lines << s->options().name + QStringLiteral(": ") + line;
    for (const QString &line : std::as_const(lines))
        log.append(line);
    bool installed = true;
    QString installHint;
    int restarts = 0;
    for (const ProcessSupervisor *s : {m_wireguard.get(), m_relay.get()})
        if (s) {
            restarts += s->restartCount();
            if (s->state() == ProcessSupervisor::State::NotInstalled) {
                installed = false;
                installHint = s->options().installHint;
            }
        }
    const std::int64_t nowSec = m_clock.wallClock().toSecsSinceEpoch();
    QJsonObject session = m_session;
    session.insert(QStringLiteral("rxBytes"), double(m_rxBytes));
    session.insert(QStringLiteral("txBytes"), double(m_txBytes));
    session.insert(QStringLiteral("rxBps"), m_rxBps);
    session.insert(QStringLiteral("txBps"), m_txBps);
    session.insert(QStringLiteral("handshakeAgeSec"),
                   m_lastHandshakeSec > 0 ? QJsonValue(double(std::max<qint64>(0, nowSec - m_lastHandshakeSec)))
                                          : QJsonValue(QJsonValue::Null));
    QJsonObject pairing {{QStringLiteral("paired"), m_pairing.has_value()}};
    if (m_pairing) {
        pairing.insert(QStringLiteral("server"), m_pairing->serverAddress);
        pairing.insert(QStringLiteral("relayPort"), m_pairing->relayPort);
        pairing.insert(QStringLiteral("shadowsocksPort"), m_pairing->shadowsocksPort);
        pairing.insert(QStringLiteral("tunnelAddress"), m_pairing->clientTunnelAddress);
    }
    const quint16 redirect = tcpRedirectPort();
    QString tcpReason = m_tcpReason;
    if (tcpReason.isEmpty() && !redirect) {
        if (!modeUsesTcp())
            tcpReason = tr("redundant mode carries TCP through WireGuard too");
        else if (!m_tunnelUp)
            tcpReason = tr("the bond is not up");
        else if (!m_ssRedir || m_ssRedir->state() != ProcessSupervisor::State::Running)
            tcpReason = tr("ss-redir is not running");
        else if (!m_ssReachable.has_value())
            tcpReason = tr("checking that ss-server answers");
        else
            tcpReason = tr("ss-server on %1:%2 does not answer (TCP): is the port open on the VPS?")
                            .arg(m_pairing->serverAddress)
                            .arg(m_pairing->shadowsocksPort);
    }
    QJsonArray components;
    components.append(component(QString(WireGuardName), m_wireguard.get()));
    components.append(component(QString(RelayName), m_relay.get()));
    components.append(component(QString(SsRedirName), m_ssRedir.get()));
    return QJsonObject {
        {QStringLiteral("type"), type()},
        {QStringLiteral("state"), m_state},
        {QStringLiteral("installed"), installed},
        {QStringLiteral("installHint"), installHint},
        {QStringLiteral("message"), m_message},
        {QStringLiteral("restarts"), restarts},
        {QStringLiteral("server"), m_pairing ? QJsonValue(m_pairing->serverAddress) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("mode"), configName(m_config.mode)},
        {QStringLiteral("pairing"), pairing},
        {QStringLiteral("adapters"), m_adapters},
        {QStringLiteral("session"), session},
        {QStringLiteral("tcpAggregation"), QJsonObject {{QStringLiteral("enabled"), modeUsesTcp()},
                                                        {QStringLiteral("active"), redirect != 0},
                                                        {QStringLiteral("port"), m_config.tcpPort},
                                                        {QStringLiteral("endpoints"), m_mptcpEndpoints},
                                                        {QStringLiteral("reason"), redirect ? QString() : tcpReason}}},
        {QStringLiteral("components"), components},
        {QStringLiteral("tunnel"), m_config.interface},
        {QStringLiteral("tunnelUp"), m_tunnelUp},
        {QStringLiteral("lastError"), m_lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_lastError)},
        {QStringLiteral("logTail"), log},
    };
}

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AuthStore.h"
#include "CommandRegistry.h"
#include "HistoryBuffer.h"
#include "TlsIdentity.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>

#include <memory>
#include <optional>

class QWebSocket;
class QWebSocketServer;

namespace smoothwan {

class ApiBackend;
class Clock;
class StateStore;

// The smoothwan.v1 WebSocket server (docs/protocol.md is its specification).
// Contract:
// - Listens on the given addresses only; wildcard and public (non-LAN) addresses are refused, so
//   the API is never reachable from a WAN or the tunnel. Non-loopback listeners are wss with the
//   TlsIdentity; loopback ones are plain ws (the touchscreen and smoothwanctl on the box).
// - A connection must use the subprotocol smoothwan.v1; it gets auth_required and must send
//   `auth` as its first frame within authTimeoutMs; anything else closes it with 4401.
// - After auth, requests {id,type,...} are looked up in the CommandRegistry, the role enforced,
//   arguments validated, and answered with exactly one result frame carrying the same id.
// - subscribe{topics} sends a result, then snapshot{sub,rev,state}, then delta{sub,rev,patch}
//   frames with rev + 1 each; changes are coalesced to at most one delta per coalesceMs per
//   subscription (the first change after a quiet period goes out at once).
// - Limits: handshake timeout, message size, connection count, command rate, Origin allow-list;
//   a client whose send queue passes sendQueueSoftBytes stops getting deltas and is resynced with
//   a snapshot once drained; past sendQueueHardBytes it is closed. The daemon never blocks on it.
// - When a user's credentials change (AuthStore::userCredentialsChanged) their connections are
//   closed with 4401 "credentials changed" (on a password change, all but the one that made it);
//   a revoked device token's connections likewise. Local-token connections never are.
// - Samples the "wans" slice into a HistoryBuffer at 1 Hz and puts the TLS fingerprint in
//   system.tls.fingerprint.
class ApiServer : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int maxConnections = 64;
        int maxUnauthenticatedPerAddress = 8;        // one LAN host cannot hold every slot before auth
        qint64 maxMessageBytes = 1024 * 1024 + 4096; // a whole configuration file fits
        int handshakeTimeoutMs = 5000;
        int authTimeoutMs = 10000;
        double commandsPerSecond = 20;
        double commandBurst = 40;
        qint64 sendQueueSoftBytes = 1024 * 1024;
        qint64 sendQueueHardBytes = 8 * 1024 * 1024;
        int coalesceMs = 500;
        int historyIntervalMs = 1000;
        QStringList allowedOrigins;        // browser origins allowed in; requests without Origin always are
        bool allowPublicAddresses = false; // tests only
        bool tlsOnLoopback = false;        // tests only: wss on loopback too
    };

    ApiServer(const Clock &clock, StateStore &state, AuthStore &auth, ApiBackend &backend, Options options,
              QObject *parent = nullptr);
    ~ApiServer() override;

    // Starts listening on each address at `port` (0: any free port, for tests). Returns false with
    // *error if an address is refused or cannot be bound; the others stay open.
    bool listen(const QList<QHostAddress> &addresses, quint16 port, const std::optional<TlsIdentity> &tls,
                QString *error);
    // Closes the listeners but not the open connections: call it, then listen() again, when
    // api.listen or api.port change in an applied configuration.
    void stopListening();
    // Closes the listeners and every connection.
    void close();
    QList<quint16> ports() const;

    CommandRegistry &commands() { return m_commands; }
    HistoryBuffer &history() { return m_history; }
    int connectionCount() const { return int(m_clients.size()); }
    // Samples the history now (the 1 Hz timer calls this).
    void sampleHistory();

private:
    struct Subscription
    {
        QStringList topics; // empty: the whole document
        quint64 rev = 0;
        std::uint64_t sentStoreRev = 0;
        QJsonObject sent;
        bool stale = false;
    };
    struct Client
    {
        quint64 id = 0;
        QWebSocket *socket = nullptr;
        QString peer;
        bool authenticating = false;
        std::optional<AuthStore::Identity> identity;
        QTimer *authTimer = nullptr;
        QHash<qint64, Subscription> subscriptions;
        double tokens = 0;
        std::int64_t tokensAt = 0;
        int malformed = 0;
        int limited = 0;
        bool closing = false;
    };

    void onNewConnection(QWebSocketServer *server);
    void onText(quint64 clientId, const QString &text);
    void handleAuth(Client &client, const QJsonObject &message);
    void handleRequest(Client &client, const QJsonObject &message);
    void send(Client &client, const QJsonObject &message);
    void sendEncoded(Client &client, const QByteArray &frame);
    void sendTo(quint64 clientId, const QJsonObject &message);
    static constexpr int CloseGraceMs = 2000;
    void closeClient(Client &client, int code, const QString &reason);
    void refuse(QWebSocket *socket, int code, const QString &reason);
    void dropClient(quint64 clientId);
    void registerBuiltins();
    void onUserCredentialsChanged(const QString &user, AuthStore::Change change);
    void onDeviceTokenRevoked(const QByteArray &sha256);
    // Serves nothing more to the client and closes it once the current request is answered.
    void endConnection(Client &client, const QString &why);

    QJsonObject project(const QStringList &topics) const;
    void sendSnapshot(Client &client, qint64 subId, Subscription &sub);
    void scheduleFlush();
    void flush();

    const Clock &m_clock;
    StateStore &m_state;
    AuthStore &m_auth;
    ApiBackend &m_backend;
    Options m_options;
    CommandRegistry m_commands;
    HistoryBuffer m_history;
    QList<QWebSocketServer *> m_servers;
    std::map<quint64, std::unique_ptr<Client>> m_clients;
    quint64 m_nextClient = 1;
    quint64 m_actingClient = 0; // the connection whose request is being handled
    QTimer m_flushTimer;
    QTimer m_historyTimer;
    QElapsedTimer m_sinceFlush;
    bool m_dirty = false;
};

} // namespace smoothwan

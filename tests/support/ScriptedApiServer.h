// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QVariant>
#include <QtNetwork/QSslConfiguration>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace smoothwan::test {

// A scripted stand-in for the daemon's API (docs/protocol.md) for client and Quick tests: it
// authenticates one token (or one user/password), serves `subscribe` with a snapshot and then a
// delta per change of `state`, answers `resync`, `ping` and programmed command replies, and
// records every request. QtCore/Network/WebSockets only.
class ScriptedApiServer : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QVariant state READ state WRITE setState NOTIFY stateChanged)
    Q_PROPERTY(QVariant requests READ requests NOTIFY requestsChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    Q_PROPERTY(int resyncs READ resyncs NOTIFY resyncsChanged)
    Q_PROPERTY(QString role READ role WRITE setRole NOTIFY roleChanged)
    Q_PROPERTY(QString user READ user WRITE setUser NOTIFY userChanged)
    Q_PROPERTY(QString password READ password WRITE setPassword NOTIFY passwordChanged)
    Q_PROPERTY(bool setupRequired READ setupRequired WRITE setSetupRequired NOTIFY setupRequiredChanged)
    Q_PROPERTY(bool answerPings READ answerPings WRITE setAnswerPings NOTIFY answerPingsChanged)
    Q_PROPERTY(int clientCount READ clientCount NOTIFY clientCountChanged)
    Q_PROPERTY(int connections READ connections NOTIFY clientCountChanged)
    Q_PROPERTY(QString url READ url NOTIFY urlChanged)

public:
    explicit ScriptedApiServer(QObject *parent = nullptr);
    ~ScriptedApiServer() override;

    // Listens on 127.0.0.1:port (0: the port of the last start() when it is free, else any free
    // port); returns the ws:// URL ("" on failure). Calling it again while listening returns the
    // same URL.
    Q_INVOKABLE QString start(int port = 0);
    // The same over TLS (wss://) with the given certificate and key.
    QString startSecure(const QSslConfiguration &tls, int port = 0);
    int port() const;
    // Stops listening and closes every client.
    Q_INVOKABLE void stop();

    QVariant state() const;
    void setState(const QVariant &state);
    void setDocument(const QJsonObject &document);
    const QJsonObject &document() const { return m_state; }

    // One `replace` (or `add` when the member is new) at `jsonPointer`, sent as one delta.
    Q_INVOKABLE void setValue(const QString &jsonPointer, const QVariant &value);
    // Sends `patch` as the next delta without changing the state (e.g. a patch that cannot apply).
    Q_INVOKABLE void sendPatch(const QVariant &patch);
    // The next delta skips one rev (a gap).
    Q_INVOKABLE void skipRev() { m_skipRev = true; }
    // Aborts every client connection (the server keeps listening).
    Q_INVOKABLE void dropClients();
    // The answer to commands of `type`: ok → result value; !ok → error {code, message[, details]}.
    // `subscribe` and `resync` are served as the daemon does unless refused this way.
    Q_INVOKABLE void setReply(const QString &type, bool ok, const QVariant &resultOrError = {});
    // Commands of `type` get no answer at all (to see a command still running).
    Q_INVOKABLE void ignore(const QString &type) { m_ignored.append(type); }
    Q_INVOKABLE void clearRequests();
    // The last request of `type` (an empty map when none).
    Q_INVOKABLE QVariantMap lastRequest(const QString &type) const;

    QVariant requests() const { return m_requests; }
    QString token() const { return m_token; }
    void setToken(const QString &token);
    int resyncs() const { return m_resyncs; }
    QString role() const { return m_role; }
    void setRole(const QString &role);
    QString user() const { return m_user; }
    void setUser(const QString &user);
    QString password() const { return m_password; }
    void setPassword(const QString &password);
    bool setupRequired() const { return m_setupRequired; }
    void setSetupRequired(bool required);
    bool answerPings() const { return m_answerPings; }
    void setAnswerPings(bool answer);
    int clientCount() const { return static_cast<int>(m_clients.size()); }
    int connections() const { return m_connections; }
    QString url() const { return m_url; }
    // Deltas sent so far (all clients).
    int deltasSent() const { return m_deltasSent; }

Q_SIGNALS:
    void stateChanged();
    void requestsChanged();
    void tokenChanged();
    void resyncsChanged();
    void roleChanged();
    void userChanged();
    void passwordChanged();
    void setupRequiredChanged();
    void answerPingsChanged();
    void clientCountChanged();
    void urlChanged();
    // Emitted right before a delta frame is written (for latency benches).
    void deltaSending();

private:
    struct Subscription
    {
        qint64 id = 0;
        qint64 rev = 0;
        QStringList topics; // empty: the whole document
    };
    struct Client
    {
        QWebSocket *socket = nullptr;
        bool authenticated = false;
        QList<Subscription> subscriptions;
    };

    QString listen(bool secure, const QSslConfiguration &tls, int port);
    void onNewConnection();
    void onText(QWebSocket *socket, const QString &text);
    void sendTo(QWebSocket *socket, const QJsonObject &message);
    void sendSnapshot(Client &client, Subscription &sub);
    void broadcast(const QJsonObject &before, const QJsonArray *onlyPatch);
    QJsonObject view(const QJsonObject &document, const QStringList &topics) const;
    Client *clientOf(QWebSocket *socket);

    QWebSocketServer *m_server = nullptr;
    QList<Client *> m_clients;
    QJsonObject m_state;
    QVariantList m_requests;
    QHash<QString, QPair<bool, QJsonValue>> m_replies;
    QStringList m_ignored;
    QString m_token = QStringLiteral("test-token");
    QString m_role = QStringLiteral("admin");
    QString m_user;
    QString m_password;
    QString m_url;
    bool m_setupRequired = false;
    bool m_answerPings = true;
    bool m_skipRev = false;
    int m_resyncs = 0;
    int m_connections = 0;
    int m_deltasSent = 0;
    qint64 m_storeRev = 0;
    quint16 m_lastPort = 0;
};

} // namespace smoothwan::test

// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApiServer.h"

#include "ApiBackend.h"
#include "Clock.h"
#include "JsonPatch.h"
#include "Logging.h"
#include "StateStore.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QScopeGuard>
#include <QtNetwork/QSslConfiguration>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketCorsAuthenticator>
#include <QtWebSockets/QWebSocketServer>

#include <algorithm>

namespace smoothwan {

using namespace protocol;

namespace {

QString text(const char *s)
{
    return QString::fromLatin1(s);
}

// Loopback, RFC 1918, CGNAT-free private ranges, link-local and IPv6 ULA: the LAN side only.
bool isLanAddress(const QHostAddress &a)
{
    if (a.isLoopback() || a.isLinkLocal())
        return true;
    if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        for (const char *net : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"})
            if (a.isInSubnet(QHostAddress::parseSubnet(QLatin1String(net))))
                return true;
        return false;
    }
    return a.isUniqueLocalUnicast();
}

} // namespace

ApiServer::ApiServer(const Clock &clock, StateStore &state, AuthStore &auth, ApiBackend &backend, Options options,
                     QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_state(state)
    , m_auth(auth)
    , m_backend(backend)
    , m_options(std::move(options))
{
    registerBuiltins();
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ApiServer::flush);
    connect(&m_state, &StateStore::changed, this, &ApiServer::scheduleFlush);
    connect(&m_auth, &AuthStore::userCredentialsChanged, this, &ApiServer::onUserCredentialsChanged);
    connect(&m_auth, &AuthStore::deviceTokenRevoked, this, &ApiServer::onDeviceTokenRevoked);
    connect(&m_historyTimer, &QTimer::timeout, this, &ApiServer::sampleHistory);
    m_historyTimer.setTimerType(Qt::PreciseTimer);
    m_historyTimer.start(m_options.historyIntervalMs);
}

ApiServer::~ApiServer()
{
    close();
}

bool ApiServer::listen(const QList<QHostAddress> &addresses, quint16 port, const std::optional<TlsIdentity> &tls,
                       QString *error)
{
    bool ok = true;
    for (const QHostAddress &a : addresses) {
        if (a.isNull() || a == QHostAddress::Any || a == QHostAddress::AnyIPv4 || a == QHostAddress::AnyIPv6 ||
            (!isLanAddress(a) && !m_options.allowPublicAddresses)) {
            *error = QStringLiteral("refusing to listen on %1: only loopback and LAN addresses are allowed")
                         .arg(a.toString());
            ok = false;
            continue;
        }
        const bool secure = !a.isLoopback() || (m_options.tlsOnLoopback && tls);
        if (secure && !tls) {
            *error = QStringLiteral("refusing to listen on %1 without TLS").arg(a.toString());
            ok = false;
            continue;
        }
        auto *server =
            new QWebSocketServer(QStringLiteral("smoothwand"),
                                 secure ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
        server->setSupportedSubprotocols({text(Subprotocol)});
        server->setHandshakeTimeout(std::chrono::milliseconds(m_options.handshakeTimeoutMs));
        if (secure) {
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setLocalCertificate(tls->certificate());
            ssl.setPrivateKey(tls->key());
            ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
            ssl.setProtocol(QSsl::TlsV1_2OrLater);
            server->setSslConfiguration(ssl);
        }
        connect(server, &QWebSocketServer::originAuthenticationRequired, this,
                [this](QWebSocketCorsAuthenticator *auth) {
                    // Browsers always send Origin; other clients don't. In-band tokens are the real
                    // defence against cross-site hijacking, this is the second layer.
                    const QString origin = auth->origin();
                    auth->setAllowed(origin.isEmpty() || m_options.allowedOrigins.contains(origin));
                    if (!auth->allowed())
                        qCWarning(lcApi, "refused a handshake from origin %s", qPrintable(origin.left(100)));
                });
        connect(server, &QWebSocketServer::newConnection, this, [this, server] { onNewConnection(server); });
        if (!server->listen(a, port)) {
            *error = QStringLiteral("cannot listen on %1 port %2: %3")
                         .arg(a.toString())
                         .arg(port)
                         .arg(server->errorString());
            delete server;
            ok = false;
            continue;
        }
        qCInfo(lcApi, "listening on %s://%s:%u", secure ? "wss" : "ws", qPrintable(a.toString()),
               unsigned(server->serverPort()));
        m_servers.append(server);
    }
    if (tls) {
        QJsonObject system = m_state.slice(QStringLiteral("system")).toObject();
        system.insert(QStringLiteral("tls"), QJsonObject {{QStringLiteral("fingerprint"), tls->fingerprint()}});
        m_state.setSlice(QStringLiteral("system"), system);
    }
    return ok;
}

void ApiServer::close()
{
    for (auto &[id, client] : m_clients) {
        client->socket->disconnect(this);
        client->socket->abort();
        client->socket->deleteLater();
    }
    m_clients.clear();
    stopListening();
}

void ApiServer::stopListening()
{
    // Closed, not deleted: the server object may still own the TCP sockets of open connections.
    // It goes with this object.
    for (QWebSocketServer *s : std::as_const(m_servers))
        s->close();
    m_servers.clear();
}

QList<quint16> ApiServer::ports() const
{
    QList<quint16> p;
    for (const QWebSocketServer *s : m_servers)
        p.append(s->serverPort());
    return p;
}

void ApiServer::onNewConnection(QWebSocketServer *server)
{
    while (QWebSocket *socket = server->nextPendingConnection()) {
        socket->setParent(this);
        if (int(m_clients.size()) >= m_options.maxConnections) {
            refuse(socket, CloseTooManyConnections, QStringLiteral("too many connections"));
            continue;
        }
        const QString peer = socket->peerAddress().toString();
        const auto waiting = std::count_if(m_clients.begin(), m_clients.end(), [&](const auto &c) {
            return !c.second->identity && c.second->peer == peer;
        });
        if (waiting >= m_options.maxUnauthenticatedPerAddress) {
            refuse(socket, CloseTooManyConnections, QStringLiteral("too many unauthenticated connections"));
            continue;
        }
        if (socket->subprotocol() != text(Subprotocol)) {
            refuse(socket, CloseProtocolError, QStringLiteral("use the subprotocol smoothwan.v1"));
            continue;
        }
        socket->setMaxAllowedIncomingMessageSize(quint64(m_options.maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_options.maxMessageBytes));
        auto client = std::make_unique<Client>();
        client->id = m_nextClient++;
        client->socket = socket;
        client->peer = peer;
        client->tokens = m_options.commandBurst;
        client->tokensAt = m_clock.monotonicMs();
        client->authTimer = new QTimer(socket);
        client->authTimer->setSingleShot(true);
        const quint64 id = client->id;
        connect(client->authTimer, &QTimer::timeout, this, [this, id] {
            auto it = m_clients.find(id);
            if (it != m_clients.end() && !it->second->identity)
                closeClient(*it->second, CloseAuthTimeout, QStringLiteral("no authentication in time"));
        });
        client->authTimer->start(m_options.authTimeoutMs);
        connect(socket, &QWebSocket::textMessageReceived, this, [this, id](const QString &t) { onText(id, t); });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, id] {
            auto it = m_clients.find(id);
            if (it != m_clients.end())
                closeClient(*it->second, CloseProtocolError, QStringLiteral("binary frames are not part of v1"));
        });
        connect(socket, &QWebSocket::disconnected, this, [this, id] { dropClient(id); });
        // A drained queue lets a stale subscriber catch up with a fresh snapshot.
        connect(socket, &QWebSocket::bytesWritten, this, [this, id] {
            auto it = m_clients.find(id);
            if (it == m_clients.end())
                return;
            Client &c = *it->second;
            if (c.socket->bytesToWrite() > m_options.sendQueueSoftBytes / 2)
                return;
            for (auto s = c.subscriptions.begin(); s != c.subscriptions.end(); ++s)
                if (s->stale)
                    sendSnapshot(c, s.key(), *s);
        });
        Client &c = *client;
        m_clients.emplace(id, std::move(client));
        send(c, QJsonObject {{QStringLiteral("type"), QStringLiteral("auth_required")},
                             {QStringLiteral("server_version"), QStringLiteral(SMOOTHWAN_VERSION)},
                             {QStringLiteral("api_minor"), ApiMinor}});
    }
}

void ApiServer::dropClient(quint64 clientId)
{
    // Deferred: disconnected() can be emitted from inside close() or a send, while a caller up the
    // stack still holds this Client.
    QMetaObject::invokeMethod(
        this,
        [this, clientId] {
            auto it = m_clients.find(clientId);
            if (it == m_clients.end())
                return;
            it->second->socket->deleteLater();
            m_clients.erase(it);
        },
        Qt::QueuedConnection);
}

void ApiServer::closeClient(Client &client, int code, const QString &reason)
{
    client.closing = true;
    // A peer that never answers the close must not keep its slot.
    QTimer::singleShot(CloseGraceMs, client.socket, &QWebSocket::abort);
    client.socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void ApiServer::refuse(QWebSocket *socket, int code, const QString &reason)
{
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(CloseGraceMs, socket, &QWebSocket::abort);
    socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void ApiServer::send(Client &client, const QJsonObject &message)
{
    sendEncoded(client, encode(message));
}

void ApiServer::sendEncoded(Client &client, const QByteArray &frame)
{
    if (client.socket->bytesToWrite() > m_options.sendQueueHardBytes) {
        if (!client.closing) {
            qCWarning(lcApi, "closing %s: its send queue is full", qPrintable(client.peer));
            closeClient(client, CloseSlowClient, QStringLiteral("send queue overflow"));
        }
        return;
    }
    client.socket->sendTextMessage(QString::fromUtf8(frame));
}

void ApiServer::sendTo(quint64 clientId, const QJsonObject &message)
{
    auto it = m_clients.find(clientId);
    if (it != m_clients.end())
        send(*it->second, message);
}

void ApiServer::onText(quint64 clientId, const QString &frame)
{
    auto it = m_clients.find(clientId);
    if (it == m_clients.end())
        return;
    Client &client = *it->second;
    if (client.closing)
        return; // nothing more is served on a connection being closed
    QString why;
    const auto message = decode(frame.toUtf8(), &why);
    if (!client.identity) {
        // Nothing but one auth frame before auth_ok; a second frame while verifying is refused too.
        if (client.authenticating || !message ||
            message->value(QStringLiteral("type")).toString() != QLatin1String("auth")) {
            send(client, QJsonObject {{QStringLiteral("type"), QStringLiteral("auth_invalid")},
                                      {QStringLiteral("error"),
                                       QJsonObject {{QStringLiteral("code"), text(Error::Unauthorized)},
                                                    {QStringLiteral("message"),
                                                     QStringLiteral("the first frame must be auth")}}}});
            closeClient(client, CloseAuthFailed, QStringLiteral("authenticate first"));
            return;
        }
        handleAuth(client, *message);
        return;
    }
    if (!message) {
        send(client, error(0, text(Error::InvalidFormat), why));
        if (++client.malformed > 100)
            closeClient(client, CloseProtocolError, QStringLiteral("too many malformed frames"));
        return;
    }
    // Token bucket per connection.
    const std::int64_t now = m_clock.monotonicMs();
    client.tokens = std::min(m_options.commandBurst,
                             client.tokens + double(now - client.tokensAt) * m_options.commandsPerSecond / 1000.0);
    client.tokensAt = now;
    if (client.tokens < 1) {
        send(client, error(requestId(*message).value_or(0), text(Error::RateLimited),
                           QStringLiteral("too many requests; slow down")));
        // A client that ignores the answers is flooding: drop it.
        if (++client.limited > 100)
            closeClient(client, CloseRateLimited, QStringLiteral("too many requests"));
        return;
    }
    client.limited = 0;
    client.tokens -= 1;
    handleRequest(client, *message);
}

void ApiServer::handleAuth(Client &client, const QJsonObject &message)
{
    const quint64 id = client.id;
    auto finish = [this, id](const AuthStore::LoginResult &r) {
        auto it = m_clients.find(id);
        if (it == m_clients.end())
            return;
        Client &c = *it->second;
        c.authenticating = false;
        if (!r.identity) {
            send(c, QJsonObject {{QStringLiteral("type"), QStringLiteral("auth_invalid")},
                                 {QStringLiteral("error"), QJsonObject {{QStringLiteral("code"), r.code},
                                                                        {QStringLiteral("message"), r.message}}}});
            closeClient(c, CloseAuthFailed, r.message.left(100));
            return;
        }
        c.identity = r.identity;
        c.authTimer->stop();
        qCInfo(lcApi, "%s authenticated as %s (%s)", qPrintable(c.peer), qPrintable(r.identity->user),
               qPrintable(roleName(r.identity->role)));
        send(c, QJsonObject {
                    {QStringLiteral("type"), QStringLiteral("auth_ok")},
                    {QStringLiteral("user"), r.identity->user},
                    {QStringLiteral("role"), roleName(r.identity->role)},
                    {QStringLiteral("local"), r.identity->local},
                    {QStringLiteral("features"), QJsonArray {QStringLiteral("coalesce"), QStringLiteral("history")}},
                    {QStringLiteral("session_token"), r.identity->sessionToken},
                    {QStringLiteral("expires"),
                     QJsonObject {{QStringLiteral("idle_seconds"), qint64(r.identity->expiresIdleMs / 1000)}}},
                    {QStringLiteral("setup_required"), !m_auth.hasAdmin()}});
    };
    const QJsonValue token = message.value(QStringLiteral("token"));
    const QJsonValue user = message.value(QStringLiteral("username"));
    const QJsonValue password = message.value(QStringLiteral("password"));
    if (token.isString() && token.toString().size() <= 256 && user.isUndefined()) {
        finish(m_auth.loginWithToken(token.toString(), client.peer));
        return;
    }
    if (user.isString() && password.isString() && checkString(user.toString(), ArgSpec::Kind::Name, 32).isEmpty() &&
        password.toString().toUtf8().size() <= 256) {
        client.authenticating = true;
        m_auth.loginWithPassword(user.toString(), password.toString(), client.peer, finish);
        return;
    }
    finish(AuthStore::LoginResult {std::nullopt, text(Error::InvalidFormat),
                                   QStringLiteral("auth needs a token, or a username and a password")});
}

void ApiServer::handleRequest(Client &client, const QJsonObject &message)
{
    const auto id = requestId(message);
    if (!id) {
        send(client, error(0, text(Error::InvalidFormat), QStringLiteral("a request needs an integer id ≥ 1")));
        return;
    }
    const QJsonValue typeValue = message.value(QStringLiteral("type"));
    if (!typeValue.isString()) {
        send(client, error(*id, text(Error::InvalidFormat), QStringLiteral("a request needs a type")));
        return;
    }
    const QString type = typeValue.toString();
    if (type == QLatin1String("ping")) {
        send(client, QJsonObject {{QStringLiteral("id"), *id}, {QStringLiteral("type"), QStringLiteral("pong")}});
        return;
    }
    const CommandSpec *spec = m_commands.find(type);
    if (!spec) {
        send(client, error(*id, text(Error::UnknownCommand), QStringLiteral("unknown type '%1'").arg(type.left(40))));
        return;
    }
    if (client.identity->role < spec->role) {
        send(client, error(*id, text(Error::Forbidden),
                           QStringLiteral("%1 needs the %2 role").arg(spec->name, roleName(spec->role))));
        return;
    }
    QString why;
    const auto args = CommandRegistry::validate(*spec, message, &why);
    if (!args) {
        send(client, error(*id, text(Error::InvalidFormat), why));
        return;
    }
    CommandContext ctx;
    ctx.connection = client.id;
    ctx.user = client.identity->user;
    ctx.role = client.identity->role;
    ctx.local = client.identity->local;
    ctx.peer = client.peer;
    ctx.args = *args;
    ctx.requestId = *id;
    const quint64 clientId = client.id;
    const qint64 requestIdValue = *id;
    auto answered = std::make_shared<bool>(false);
    const QString name = spec->name;
    // Credential changes made by this request know who made them (see onUserCredentialsChanged).
    m_actingClient = clientId;
    m_auth.setActingSession(client.identity->sessionToken);
    auto notActing = qScopeGuard([this] {
        m_actingClient = 0;
        m_auth.setActingSession({});
    });
    spec->handler(ctx, [this, clientId, requestIdValue, answered, name](const CommandOutcome &o) {
        if (*answered)
            return;
        *answered = true;
        if (o.ok)
            sendTo(clientId, result(requestIdValue, o.result));
        else
            sendTo(clientId, error(requestIdValue, o.code, o.message, o.details));
        if (!o.ok || (name != QLatin1String("subscribe") && name != QLatin1String("resync")))
            return;
        // A subscription's snapshot follows its result.
        auto it = m_clients.find(clientId);
        if (it == m_clients.end())
            return;
        const qint64 subId = qint64(o.result.toObject().value(QStringLiteral("subscription")).toDouble());
        auto sub = it->second->subscriptions.find(subId);
        if (sub != it->second->subscriptions.end())
            sendSnapshot(*it->second, sub.key(), *sub);
    });
}

void ApiServer::endConnection(Client &client, const QString &why)
{
    qCInfo(lcApi, "closing the connection of %s from %s: %s", qPrintable(client.identity->user),
           qPrintable(client.peer), qPrintable(why));
    client.closing = true; // from now on nothing is served to it, no request and no delta
    // Closed after the current request's answer went out (the changer may be this very client).
    QMetaObject::invokeMethod(
        this,
        [this, id = client.id] {
            auto it = m_clients.find(id);
            if (it != m_clients.end())
                closeClient(*it->second, CloseAuthFailed, QStringLiteral("credentials changed"));
        },
        Qt::QueuedConnection);
}

void ApiServer::onUserCredentialsChanged(const QString &user, AuthStore::Change change)
{
    const char *why = change == AuthStore::Change::Password ? "password changed"
                      : change == AuthStore::Change::Role   ? "role changed"
                                                            : "user deleted";
    for (auto &[id, client] : m_clients) {
        if (!client->identity || client->identity->local || client->closing || client->identity->user != user)
            continue;
        // One's own password change keeps the connection that made it.
        if (change == AuthStore::Change::Password && id == m_actingClient)
            continue;
        endConnection(*client, QString::fromLatin1(why));
    }
}

void ApiServer::onDeviceTokenRevoked(const QByteArray &sha256)
{
    for (auto &[id, client] : m_clients) {
        if (client->identity && !client->identity->local && !client->closing && client->identity->deviceToken == sha256)
            endConnection(*client, QStringLiteral("device token revoked"));
    }
}

QJsonObject ApiServer::project(const QStringList &topics) const
{
    if (topics.isEmpty())
        return m_state.document();
    QJsonObject o;
    for (const QString &t : topics) {
        const QJsonValue v = m_state.slice(t);
        if (!v.isUndefined())
            o.insert(t, v);
    }
    return o;
}

void ApiServer::sendSnapshot(Client &client, qint64 subId, Subscription &sub)
{
    sub.sent = project(sub.topics);
    sub.sentStoreRev = m_state.revision();
    sub.stale = false;
    ++sub.rev;
    send(client, QJsonObject {{QStringLiteral("type"), QStringLiteral("snapshot")},
                              {QStringLiteral("sub"), subId},
                              {QStringLiteral("rev"), qint64(sub.rev)},
                              {QStringLiteral("store_rev"), qint64(sub.sentStoreRev)},
                              {QStringLiteral("state"), sub.sent}});
}

void ApiServer::scheduleFlush()
{
    m_dirty = true;
    if (m_flushTimer.isActive())
        return;
    // The first change after a quiet period goes out at once; later ones wait for the window.
    const qint64 since = m_sinceFlush.isValid() ? m_sinceFlush.elapsed() : m_options.coalesceMs;
    const qint64 wait = std::max<qint64>(0, m_options.coalesceMs - since);
    m_flushTimer.start(int(wait));
}

void ApiServer::flush()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    m_sinceFlush.restart();
    // Subscribers that saw the same store revision of the same topics get the same patch: compute
    // each (topics, revision) pair's patch once per flush.
    QHash<QString, QJsonObject> projections;
    // The patch is encoded once too; each subscriber's frame only differs in sub and rev.
    QHash<QString, QByteArray> patches; // empty: nothing changed for these topics
    const std::uint64_t rev = m_state.revision();
    for (auto &[id, client] : m_clients) {
        if (!client->identity || client->closing)
            continue;
        for (auto s = client->subscriptions.begin(); s != client->subscriptions.end(); ++s) {
            Subscription &sub = *s;
            if (sub.stale || sub.sentStoreRev == rev)
                continue;
            if (client->socket->bytesToWrite() > m_options.sendQueueSoftBytes) {
                sub.stale = true; // resynced with a snapshot once the queue drains
                continue;
            }
            const QString key = sub.topics.join(QLatin1Char(','));
            auto p = projections.find(key);
            if (p == projections.end())
                p = projections.insert(key, project(sub.topics));
            const QString patchKey = key + QLatin1Char('@') + QString::number(sub.sentStoreRev);
            auto patch = patches.find(patchKey);
            if (patch == patches.end()) {
                const QJsonArray ops = protocol::JsonPatch::diff(sub.sent, *p);
                patch = patches.insert(patchKey, ops.isEmpty() ? QByteArray()
                                                               : QJsonDocument(ops).toJson(QJsonDocument::Compact));
            }
            sub.sent = *p;
            sub.sentStoreRev = rev;
            if (patch->isEmpty())
                continue;
            ++sub.rev;
            QByteArray frame;
            frame.reserve(patch->size() + 96);
            frame += "{\"type\":\"delta\",\"sub\":" + QByteArray::number(s.key()) +
                     ",\"rev\":" + QByteArray::number(qulonglong(sub.rev)) +
                     ",\"store_rev\":" + QByteArray::number(qulonglong(rev)) + ",\"patch\":" + *patch + '}';
            sendEncoded(*client, frame);
        }
    }
}

void ApiServer::sampleHistory()
{
    m_history.sample(m_state.slice(QStringLiteral("wans")), m_clock.wallClock().toSecsSinceEpoch());
}

void ApiServer::registerBuiltins()
{
    using K = ArgSpec::Kind;
    auto clientOf = [this](const CommandContext &ctx) -> Client * {
        auto it = m_clients.find(ctx.connection);
        return it == m_clients.end() ? nullptr : it->second.get();
    };
    m_commands.add(
        {QStringLiteral("subscribe"),
         Role::Viewer,
         QStringLiteral("Subscribe to state topics (top-level slices); no topics: the whole document. The request id "
                        "names the subscription; a snapshot follows the result."),
         {ArgSpec::list(QStringLiteral("topics"), K::Name, 16, 32).optional()},
         [clientOf](const CommandContext &ctx, const CommandReply &reply) {
             Client *c = clientOf(ctx);
             if (!c)
                 return;
             if (c->subscriptions.size() >= 16 || c->subscriptions.contains(ctx.requestId))
                 return reply(CommandOutcome::failure(text(Error::Conflict),
                                                      QStringLiteral("too many subscriptions, or the id is in use")));
             Subscription s;
             for (const QJsonValue &t : ctx.args.value(QStringLiteral("topics")).toArray())
                 s.topics.append(t.toString());
             s.topics.removeDuplicates();
             s.topics.sort();
             c->subscriptions.insert(ctx.requestId, s);
             reply(CommandOutcome::success(QJsonObject {{QStringLiteral("subscription"), ctx.requestId}}));
         }});
    m_commands.add({QStringLiteral("unsubscribe"),
                    Role::Viewer,
                    QStringLiteral("End a subscription."),
                    {ArgSpec::integer(QStringLiteral("subscription"), 1, (qint64(1) << 53) - 1)},
                    [clientOf](const CommandContext &ctx, const CommandReply &reply) {
                        Client *c = clientOf(ctx);
                        if (c &&
                            c->subscriptions.remove(qint64(ctx.args.value(QStringLiteral("subscription")).toDouble())))
                            return reply(CommandOutcome::success());
                        reply(CommandOutcome::failure(text(Error::NotFound), QStringLiteral("no such subscription")));
                    }});
    m_commands.add({QStringLiteral("resync"),
                    Role::Viewer,
                    QStringLiteral("Ask for a fresh snapshot of a subscription (after a gap in rev)."),
                    {ArgSpec::integer(QStringLiteral("subscription"), 1, (qint64(1) << 53) - 1)},
                    [clientOf](const CommandContext &ctx, const CommandReply &reply) {
                        Client *c = clientOf(ctx);
                        const qint64 sub = qint64(ctx.args.value(QStringLiteral("subscription")).toDouble());
                        if (!c || !c->subscriptions.contains(sub))
                            return reply(
                                CommandOutcome::failure(text(Error::NotFound), QStringLiteral("no such subscription")));
                        reply(CommandOutcome::success(QJsonObject {{QStringLiteral("subscription"), sub}}));
                    }});
    m_commands.add(
        {QStringLiteral("history.get"),
         Role::Viewer,
         QStringLiteral("Per-WAN rxBps, txBps, latencyMs and lossPct sampled at 1 Hz, last ≤ 600 s."),
         {ArgSpec::string(QStringLiteral("wan"), K::Name, 32).optional(),
          ArgSpec::integer(QStringLiteral("seconds"), 1, HistoryBuffer::Capacity).optional()},
         [this](const CommandContext &ctx, const CommandReply &reply) {
             const QString wan = ctx.args.value(QStringLiteral("wan")).toString();
             if (!wan.isEmpty() && !m_history.contains(wan))
                 return reply(
                     CommandOutcome::failure(text(Error::NotFound), QStringLiteral("no history for that WAN")));
             const int seconds = ctx.args.value(QStringLiteral("seconds")).toInt(HistoryBuffer::Capacity);
             reply(CommandOutcome::success(QJsonObject {{QStringLiteral("interval_ms"), m_options.historyIntervalMs},
                                                        {QStringLiteral("wans"), m_history.query(wan, seconds)}}));
         }});
    m_commands.add(
        {QStringLiteral("session.info"),
         Role::Viewer,
         QStringLiteral("Who this connection is."),
         {},
         [this](const CommandContext &ctx, const CommandReply &reply) {
             reply(CommandOutcome::success(QJsonObject {{QStringLiteral("user"), ctx.user},
                                                        {QStringLiteral("role"), roleName(ctx.role)},
                                                        {QStringLiteral("local"), ctx.local},
                                                        {QStringLiteral("setup_required"), !m_auth.hasAdmin()}}));
         }});
    m_commands.add({QStringLiteral("session.logout"),
                    Role::Viewer,
                    QStringLiteral("End this connection's session token; the connection closes."),
                    {},
                    [this, clientOf](const CommandContext &ctx, const CommandReply &reply) {
                        Client *c = clientOf(ctx);
                        if (!c)
                            return;
                        m_auth.endSession(c->identity->sessionToken);
                        reply(CommandOutcome::success());
                        closeClient(*c, 1000, QStringLiteral("logged out"));
                    }});
}

} // namespace smoothwan

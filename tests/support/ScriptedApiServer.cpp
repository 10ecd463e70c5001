// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScriptedApiServer.h"

#include "JsonPatch.h"
#include "Protocol.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtNetwork/QHostAddress>
#include <QtQml/QJSValue>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

namespace smoothwan::test {

namespace {

QJsonValue toJson(const QVariant &value)
{
    // From QML, a JS object or array (a `var` property or argument) arrives as a QJSValue, which
    // QJsonValue::fromVariant() turns into null.
    if (value.metaType() == QMetaType::fromType<QJSValue>())
        return QJsonValue::fromVariant(value.value<QJSValue>().toVariant());
    return QJsonValue::fromVariant(value);
}

QJsonObject error(const QString &code, const QString &message)
{
    return {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
}

} // namespace

ScriptedApiServer::ScriptedApiServer(QObject *parent)
    : QObject(parent)
{ }

ScriptedApiServer::~ScriptedApiServer()
{
    stop();
}

QString ScriptedApiServer::start(int port)
{
    return listen(false, {}, port);
}

QString ScriptedApiServer::startSecure(const QSslConfiguration &tls, int port)
{
    return listen(true, tls, port);
}

int ScriptedApiServer::port() const
{
    return m_server && m_server->isListening() ? m_server->serverPort() : 0;
}

QString ScriptedApiServer::listen(bool secure, const QSslConfiguration &tls, int port)
{
    if (m_server && m_server->isListening())
        return m_url;
    delete m_server;
    m_server = new QWebSocketServer(QStringLiteral("scripted"),
                                    secure ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    m_server->setSupportedSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
    if (secure)
        m_server->setSslConfiguration(tls);
    connect(m_server, &QWebSocketServer::newConnection, this, &ScriptedApiServer::onNewConnection);
    // A restart (start() after stop()) comes back on the same port when it can, as a restarted
    // daemon would, so connected clients find it again by themselves.
    const quint16 wanted = static_cast<quint16>(port ? port : m_lastPort);
    if (!m_server->listen(QHostAddress::LocalHost, wanted) && (port || !m_server->listen(QHostAddress::LocalHost, 0)))
        return {};
    m_lastPort = m_server->serverPort();
    m_url = QStringLiteral("%1://127.0.0.1:%2")
                .arg(secure ? QStringLiteral("wss") : QStringLiteral("ws"))
                .arg(m_server->serverPort());
    Q_EMIT urlChanged();
    return m_url;
}

void ScriptedApiServer::stop()
{
    dropClients();
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
}

void ScriptedApiServer::dropClients()
{
    const QList<Client *> clients = std::exchange(m_clients, {});
    for (Client *c : clients) {
        c->socket->disconnect(this);
        c->socket->abort();
        c->socket->deleteLater();
        delete c;
    }
    if (!clients.isEmpty())
        Q_EMIT clientCountChanged();
}

ScriptedApiServer::Client *ScriptedApiServer::clientOf(QWebSocket *socket)
{
    for (Client *c : std::as_const(m_clients)) {
        if (c->socket == socket)
            return c;
    }
    return nullptr;
}

void ScriptedApiServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        auto *client = new Client;
        client->socket = socket;
        m_clients.append(client);
        ++m_connections;
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &text) { onText(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            for (qsizetype i = 0; i < m_clients.size(); ++i) {
                if (m_clients.at(i)->socket == socket) {
                    delete m_clients.takeAt(i);
                    break;
                }
            }
            socket->deleteLater();
            Q_EMIT clientCountChanged();
        });
        Q_EMIT clientCountChanged();
        sendTo(socket, {{QStringLiteral("type"), QStringLiteral("auth_required")},
                        {QStringLiteral("server_version"), QStringLiteral("0.1.0-scripted")},
                        {QStringLiteral("api_minor"), protocol::ApiMinor}});
    }
}

void ScriptedApiServer::sendTo(QWebSocket *socket, const QJsonObject &message)
{
    socket->sendTextMessage(QString::fromUtf8(protocol::encode(message)));
}

void ScriptedApiServer::onText(QWebSocket *socket, const QString &text)
{
    Client *client = clientOf(socket);
    if (!client)
        return;
    QString why;
    const auto m = protocol::decode(text.toUtf8(), &why);
    const QJsonObject msg = m.value_or(QJsonObject());
    const QString type = msg.value(QStringLiteral("type")).toString();
    if (!client->authenticated) {
        const QString token = msg.value(QStringLiteral("token")).toString();
        const QString user = msg.value(QStringLiteral("username")).toString();
        bool ok = false;
        QString who;
        if (type == QLatin1String("auth") && msg.contains(QStringLiteral("token"))) {
            ok = !m_token.isEmpty() && token == m_token;
            who = m_user.isEmpty() ? QStringLiteral("local") : m_user;
        } else if (type == QLatin1String("auth") && !user.isEmpty()) {
            ok = !m_password.isEmpty() && user == m_user &&
                 msg.value(QStringLiteral("password")).toString() == m_password;
            who = user;
        }
        if (!ok) {
            sendTo(socket, {{QStringLiteral("type"), QStringLiteral("auth_invalid")},
                            {QStringLiteral("error"), error(QString::fromLatin1(protocol::Error::Unauthorized),
                                                            QStringLiteral("invalid user name or password"))}});
            socket->close(static_cast<QWebSocketProtocol::CloseCode>(protocol::CloseAuthFailed),
                          QStringLiteral("authentication failed"));
            return;
        }
        client->authenticated = true;
        sendTo(socket,
               {{QStringLiteral("type"), QStringLiteral("auth_ok")},
                {QStringLiteral("user"), who},
                {QStringLiteral("role"), m_role},
                {QStringLiteral("local"), who == QLatin1String("local")},
                {QStringLiteral("features"), QJsonArray {QStringLiteral("coalesce"), QStringLiteral("history")}},
                {QStringLiteral("session_token"), m_token},
                {QStringLiteral("expires"), QJsonObject {{QStringLiteral("idle_seconds"), 14400}}},
                {QStringLiteral("setup_required"), m_setupRequired}});
        return;
    }
    const qint64 id = msg.value(QStringLiteral("id")).toInteger();
    if (type != QLatin1String("ping")) {
        m_requests.append(msg.toVariantMap());
        Q_EMIT requestsChanged();
    }
    if (type == QLatin1String("ping")) {
        if (m_answerPings)
            sendTo(socket, {{QStringLiteral("id"), id}, {QStringLiteral("type"), QStringLiteral("pong")}});
    } else if ((type == QLatin1String("subscribe") || type == QLatin1String("resync")) &&
               !m_replies.value(type, {true, QJsonValue()}).first) {
        const QJsonObject e = m_replies.value(type).second.toObject();
        sendTo(socket, protocol::error(id, e.value(QStringLiteral("code")).toString(),
                                       e.value(QStringLiteral("message")).toString()));
    } else if (type == QLatin1String("subscribe")) {
        Subscription sub;
        sub.id = id;
        for (const QJsonValue &t : msg.value(QStringLiteral("topics")).toArray())
            sub.topics.append(t.toString());
        client->subscriptions.append(sub);
        sendTo(socket, protocol::result(id, QJsonObject {{QStringLiteral("subscription"), id}}));
        sendSnapshot(*client, client->subscriptions.last());
    } else if (type == QLatin1String("resync") || type == QLatin1String("unsubscribe")) {
        const qint64 subId = msg.value(QStringLiteral("subscription")).toInteger();
        qsizetype index = -1;
        for (qsizetype i = 0; i < client->subscriptions.size(); ++i) {
            if (client->subscriptions.at(i).id == subId)
                index = i;
        }
        if (index < 0) {
            sendTo(socket, protocol::error(id, QString::fromLatin1(protocol::Error::NotFound),
                                           QStringLiteral("no such subscription")));
            return;
        }
        sendTo(socket, protocol::result(id, QJsonObject {{QStringLiteral("subscription"), subId}}));
        if (type == QLatin1String("unsubscribe")) {
            client->subscriptions.removeAt(index);
            return;
        }
        ++m_resyncs;
        Q_EMIT resyncsChanged();
        sendSnapshot(*client, client->subscriptions[index]);
    } else if (m_ignored.contains(type)) {
        return;
    } else {
        const auto reply = m_replies.value(type, {true, QJsonObject()});
        if (reply.first) {
            sendTo(socket, protocol::result(id, reply.second));
        } else {
            const QJsonObject e = reply.second.toObject();
            sendTo(socket,
                   protocol::error(id, e.value(QStringLiteral("code")).toString(),
                                   e.value(QStringLiteral("message")).toString(), e.value(QStringLiteral("details"))));
        }
    }
}

QJsonObject ScriptedApiServer::view(const QJsonObject &document, const QStringList &topics) const
{
    if (topics.isEmpty())
        return document;
    QJsonObject out;
    for (const QString &t : topics) {
        if (document.contains(t))
            out.insert(t, document.value(t));
    }
    return out;
}

void ScriptedApiServer::sendSnapshot(Client &client, Subscription &sub)
{
    ++sub.rev;
    sendTo(client.socket, {{QStringLiteral("type"), QStringLiteral("snapshot")},
                           {QStringLiteral("sub"), sub.id},
                           {QStringLiteral("rev"), sub.rev},
                           {QStringLiteral("store_rev"), m_storeRev},
                           {QStringLiteral("state"), view(m_state, sub.topics)}});
}

void ScriptedApiServer::broadcast(const QJsonObject &before, const QJsonArray *onlyPatch)
{
    ++m_storeRev;
    const bool skip = std::exchange(m_skipRev, false);
    for (Client *c : std::as_const(m_clients)) {
        if (!c->authenticated)
            continue;
        for (Subscription &sub : c->subscriptions) {
            QJsonArray patch;
            if (onlyPatch) {
                for (const QJsonValue &op : *onlyPatch) {
                    const QString path = op.toObject().value(QStringLiteral("path")).toString();
                    const QString top = path.section(QLatin1Char('/'), 1, 1);
                    if (sub.topics.isEmpty() || sub.topics.contains(top))
                        patch.append(op);
                }
            } else {
                patch = protocol::JsonPatch::diff(view(before, sub.topics), view(m_state, sub.topics));
            }
            if (patch.isEmpty())
                continue;
            sub.rev += skip ? 2 : 1;
            Q_EMIT deltaSending();
            ++m_deltasSent;
            sendTo(c->socket, {{QStringLiteral("type"), QStringLiteral("delta")},
                               {QStringLiteral("sub"), sub.id},
                               {QStringLiteral("rev"), sub.rev},
                               {QStringLiteral("store_rev"), m_storeRev},
                               {QStringLiteral("patch"), patch}});
        }
    }
}

QVariant ScriptedApiServer::state() const
{
    return m_state.toVariantMap();
}

void ScriptedApiServer::setState(const QVariant &state)
{
    setDocument(toJson(state).toObject());
}

void ScriptedApiServer::setDocument(const QJsonObject &document)
{
    if (document == m_state)
        return;
    const QJsonObject before = std::exchange(m_state, document);
    broadcast(before, nullptr);
    Q_EMIT stateChanged();
}

void ScriptedApiServer::setValue(const QString &jsonPointer, const QVariant &value)
{
    QJsonObject op {{QStringLiteral("op"), QStringLiteral("replace")},
                    {QStringLiteral("path"), jsonPointer},
                    {QStringLiteral("value"), toJson(value)}};
    QJsonValue doc(m_state);
    if (!protocol::JsonPatch::apply(doc, QJsonArray {op})) {
        op.insert(QStringLiteral("op"), QStringLiteral("add"));
        doc = m_state;
        if (!protocol::JsonPatch::apply(doc, QJsonArray {op}))
            return;
    }
    const QJsonObject before = std::exchange(m_state, doc.toObject());
    const QJsonArray patch {op};
    broadcast(before, &patch);
    Q_EMIT stateChanged();
}

void ScriptedApiServer::sendPatch(const QVariant &patch)
{
    const QJsonArray ops = toJson(patch).toArray();
    broadcast(m_state, &ops);
}

void ScriptedApiServer::setReply(const QString &type, bool ok, const QVariant &resultOrError)
{
    QJsonValue v = toJson(resultOrError);
    if (ok && (v.isNull() || v.isUndefined()))
        v = QJsonObject();
    m_replies.insert(type, {ok, v});
}

void ScriptedApiServer::clearRequests()
{
    m_requests.clear();
    Q_EMIT requestsChanged();
}

QVariantMap ScriptedApiServer::lastRequest(const QString &type) const
{
    for (qsizetype i = m_requests.size() - 1; i >= 0; --i) {
        const QVariantMap r = m_requests.at(i).toMap();
        if (r.value(QStringLiteral("type")).toString() == type)
            return r;
    }
    return {};
}

void ScriptedApiServer::setToken(const QString &token)
{
    if (token == m_token)
        return;
    m_token = token;
    Q_EMIT tokenChanged();
}

void ScriptedApiServer::setRole(const QString &role)
{
    if (role == m_role)
        return;
    m_role = role;
    Q_EMIT roleChanged();
}

void ScriptedApiServer::setUser(const QString &user)
{
    if (user == m_user)
        return;
    m_user = user;
    Q_EMIT userChanged();
}

void ScriptedApiServer::setPassword(const QString &password)
{
    if (password == m_password)
        return;
    m_password = password;
    Q_EMIT passwordChanged();
}

void ScriptedApiServer::setSetupRequired(bool required)
{
    if (required == m_setupRequired)
        return;
    m_setupRequired = required;
    Q_EMIT setupRequiredChanged();
}

void ScriptedApiServer::setAnswerPings(bool answer)
{
    if (answer == m_answerPings)
        return;
    m_answerPings = answer;
    Q_EMIT answerPingsChanged();
}

} // namespace smoothwan::test

// SPDX-License-Identifier: GPL-3.0-or-later
#include "Backend.h"

#include "ClientLogging.h"
#include "JsonPatch.h"
#include "PinStore.h"
#include "Protocol.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QRandomGenerator>
#include <QtNetwork/QSslConfiguration>
#include <QtQml/QJSEngine>
#include <QtQml/QJSValue>
#include <QtQml/QQmlEngine>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <algorithm>

namespace smoothwan::client {

namespace {

const QString Offline = QStringLiteral("offline");
const QString Connecting = QStringLiteral("connecting");
const QString Authenticating = QStringLiteral("authenticating");
const QString Syncing = QStringLiteral("syncing");
const QString Ready = QStringLiteral("ready");
const QString Stale = QStringLiteral("stale");

const QStringList &sliceNames()
{
    static const QStringList names {QStringLiteral("wans"),   QStringLiteral("candidates"), QStringLiteral("routing"),
                                    QStringLiteral("engine"), QStringLiteral("system"),     QStringLiteral("events")};
    return names;
}

QVariant emptySlice(const QString &name)
{
    if (name == QLatin1String("wans") || name == QLatin1String("candidates") || name == QLatin1String("events"))
        return QVariantList();
    return QVariantMap();
}

// The top-level member a JSON Pointer points into ("" for the whole document).
QString topToken(const QString &pointer)
{
    if (pointer.isEmpty())
        return {};
    const qsizetype next = pointer.indexOf(QLatin1Char('/'), 1);
    QString token = pointer.mid(1, next < 0 ? -1 : next - 1);
    token.replace(QStringLiteral("~1"), QStringLiteral("/"));
    token.replace(QStringLiteral("~0"), QStringLiteral("~"));
    return token;
}

QString seconds(int ms)
{
    return QString::number(std::max(1, (ms + 500) / 1000));
}

} // namespace

Backend::Backend(QObject *parent)
    : QObject(parent)
{
    for (const QString &name : sliceNames())
        m_slices.insert(name, emptySlice(name));
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Backend::open);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (!m_authenticated)
            return;
        m_pingId = request(QStringLiteral("ping"));
        if (!m_pongTimer.isActive())
            m_pongTimer.start(m_pongTimeoutMs);
    });
    m_pongTimer.setSingleShot(true);
    connect(&m_pongTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcClient) << "no answer from" << m_url.toString() << "for" << m_pongTimeoutMs << "ms: connection dead";
        onLost(tr("The router stopped answering"));
    });
}

Backend::~Backend()
{
    closeSocket();
}

Backend *Backend::instance()
{
    static QPointer<Backend> global;
    if (!global) {
        global = new Backend(QCoreApplication::instance());
        QJSEngine::setObjectOwnership(global, QJSEngine::CppOwnership);
    }
    return global;
}

Backend *Backend::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    return instance();
}

bool Backend::canOperate() const
{
    return m_role == QLatin1String("operator") || m_role == QLatin1String("admin");
}

bool Backend::canAdmin() const
{
    return m_role == QLatin1String("admin");
}

void Backend::setBackoff(int firstMs, int maxMs)
{
    m_firstRetryMs = firstMs;
    m_maxRetryMs = maxMs;
    m_retryDelayMs = firstMs;
}

void Backend::setPing(int intervalMs, int timeoutMs)
{
    m_pingIntervalMs = intervalMs;
    m_pongTimeoutMs = timeoutMs;
    if (m_pingTimer.isActive())
        m_pingTimer.start(m_pingIntervalMs);
}

void Backend::connectToRouter(const QString &url, const QString &token)
{
    m_password.clear(); // an earlier login's password is not kept
    m_token = token;
    start(QUrl(url), Mode::Token);
}

void Backend::login(const QString &url, const QString &username, const QString &password)
{
    m_token.clear();
    m_username = username;
    m_password = password;
    start(QUrl(url), Mode::Password);
}

void Backend::connectLocal(const QString &url, const QString &tokenFile)
{
    m_token.clear();
    m_password.clear();
    m_tokenFile = tokenFile;
    start(QUrl(url), Mode::Local);
}

void Backend::disconnectFromRouter()
{
    m_mode = Mode::None;
    m_token.clear();
    m_password.clear();
    stop(Offline, {});
    clearDocument();
    m_wasReady = false;
    setRole({});
    setUser({});
    setIsLocal(false);
}

void Backend::start(const QUrl &url, Mode mode)
{
    closeSocket();
    m_retryTimer.stop();
    if (url != m_url) {
        clearDocument();
        setRole({});
        setUser({});
        setFingerprint({});
    }
    setUrl(url);
    m_mode = mode;
    m_want = true;
    m_wasReady = false;
    m_retryDelayMs = m_firstRetryMs;
    setPinState(url.scheme() == QLatin1String("wss") ? QStringLiteral("unknown") : QStringLiteral("none"));
    if (url.scheme() == QLatin1String("wss") && !protocol::PinStore::pinned(url).isEmpty())
        setPinState(QStringLiteral("pinned"));
    open();
}

void Backend::open()
{
    closeSocket();
    if (!m_want)
        return;
    if (!m_url.isValid() || (m_url.scheme() != QLatin1String("ws") && m_url.scheme() != QLatin1String("wss"))) {
        stop(Offline, tr("%1 is not a router address (ws://… or wss://…)").arg(m_url.toString()));
        return;
    }
    if (m_mode == Mode::Local) {
        QString error;
        m_token = readLocalToken(&error);
        if (m_token.isEmpty()) {
            scheduleReconnect(error);
            return;
        }
    }
    m_authenticated = false;
    m_resyncing = false;
    m_sub = 0;
    m_resyncId = 0;
    m_ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    if (m_url.scheme() == QLatin1String("wss")) {
        // Self-signed: trust comes from the pin, checked before anything is sent.
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_ws->setSslConfiguration(ssl);
    }
    QWebSocket *ws = m_ws;
    connect(ws, &QWebSocket::connected, this, &Backend::onConnected);
    connect(ws, &QWebSocket::disconnected, this, [this, ws] {
        if (ws != m_ws)
            return;
        const QString reason = ws->closeReason();
        onLost(reason.isEmpty() ? tr("Connection lost") : tr("Connection lost (%1)").arg(reason));
    });
    connect(ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, ws] {
        if (ws != m_ws)
            return;
        onLost(tr("Cannot reach %1: %2").arg(m_url.host(), ws->errorString()));
    });
    connect(ws, &QWebSocket::textMessageReceived, this, &Backend::onText);
    setStatus(m_wasReady ? Stale : Connecting,
              m_wasReady ? tr("Connection lost — reconnecting") : tr("Connecting to %1…").arg(m_url.host()));
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
    qCDebug(lcClient) << "connecting to" << m_url.toString();
    ws->open(m_url, options);
}

void Backend::onConnected()
{
    if (sender() != m_ws)
        return;
    if (m_url.scheme() != QLatin1String("wss"))
        return;
    const QString fp = QString::fromLatin1(
        m_ws->sslConfiguration().peerCertificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper());
    setFingerprint(fp);
    const QString pinned = protocol::PinStore::pinned(m_url);
    if (pinned == fp) {
        setPinState(QStringLiteral("pinned"));
        return;
    }
    if (pinned.isEmpty()) {
        setPinState(QStringLiteral("unknown"));
        stop(Offline, tr("First connection to %1: compare the fingerprint %2 with the router's screen, then trust it")
                          .arg(protocol::PinStore::key(m_url), fp));
    } else {
        setPinState(QStringLiteral("mismatch"));
        stop(Offline, tr("The router's certificate changed: pinned %1, now %2").arg(pinned, fp));
    }
}

void Backend::trustServer()
{
    if (m_serverFingerprint.isEmpty() || m_url.scheme() != QLatin1String("wss"))
        return;
    if (!protocol::PinStore::store(m_url, m_serverFingerprint)) {
        setStatus(m_status, tr("Cannot save the pin to %1").arg(protocol::PinStore::path()));
        return;
    }
    qCInfo(lcClient) << "pinned" << protocol::PinStore::key(m_url) << m_serverFingerprint;
    setPinState(QStringLiteral("pinned"));
    if (m_mode == Mode::None)
        return;
    m_want = true;
    m_retryDelayMs = m_firstRetryMs;
    open();
}

void Backend::onText(const QString &text)
{
    if (sender() != m_ws)
        return;
    m_pongTimer.stop(); // any frame proves the connection alive
    m_lastUpdate = static_cast<double>(QDateTime::currentMSecsSinceEpoch());
    Q_EMIT lastUpdateChanged();
    QString why;
    const auto m = protocol::decode(text.toUtf8(), &why);
    if (!m) {
        qCWarning(lcClient) << "unreadable frame from the server:" << why;
        return;
    }
    const QString type = m->value(QStringLiteral("type")).toString();
    if (type == QLatin1String("auth_required")) {
        setServerVersion(m->value(QStringLiteral("server_version")).toString());
        QJsonObject auth {{QStringLiteral("type"), QStringLiteral("auth")}};
        if (m_mode == Mode::Password && m_token.isEmpty()) {
            auth.insert(QStringLiteral("username"), m_username);
            auth.insert(QStringLiteral("password"), m_password);
        } else {
            auth.insert(QStringLiteral("token"), m_token);
        }
        if (!m_wasReady)
            setStatus(Authenticating, tr("Signing in…"));
        send(auth);
    } else if (type == QLatin1String("auth_ok")) {
        m_authenticated = true;
        const QString session = m->value(QStringLiteral("session_token")).toString();
        if (m_mode == Mode::Password && !session.isEmpty()) {
            m_token = session; // reconnects use the session, never the password again
            m_password.clear();
        }
        setUser(m->value(QStringLiteral("user")).toString());
        setRole(m->value(QStringLiteral("role")).toString());
        setIsLocal(m->value(QStringLiteral("local")).toBool());
        setSetupRequired(m->value(QStringLiteral("setup_required")).toBool());
        m_sub = request(QStringLiteral("subscribe"));
        m_resyncing = true;
        m_pingTimer.start(m_pingIntervalMs);
        if (!m_wasReady)
            setStatus(Syncing, tr("Loading the router's state…"));
    } else if (type == QLatin1String("auth_invalid")) {
        const QString message =
            m->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        qCInfo(lcClient) << "authentication refused:" << message;
        if (m_mode == Mode::Local) {
            scheduleReconnect(tr("The local token was refused (%1)").arg(message));
            return;
        }
        const bool session = m_mode == Mode::Password;
        m_token.clear();
        m_password.clear();
        stop(Offline, session && m_wasReady ? tr("Signed out: %1 — sign in again").arg(message)
                                            : tr("Sign-in failed: %1").arg(message));
    } else if (type == QLatin1String("result") || type == QLatin1String("pong")) {
        handleResult(*m);
    } else if (type == QLatin1String("snapshot") || type == QLatin1String("delta")) {
        handleState(*m);
    }
    // Other types are ignored (the protocol is additive).
}

void Backend::handleResult(const QJsonObject &m)
{
    const qint64 id = m.value(QStringLiteral("id")).toInteger();
    if (id == m_pingId) {
        m_pingId = 0;
        return;
    }
    const bool ok = m.value(QStringLiteral("success")).toBool(true);
    if ((id == m_sub || id == m_resyncId) && !ok) {
        // Without the subscription no state ever comes: start over on a new connection.
        const QString message = m.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        qCWarning(lcClient) << (id == m_sub ? "subscribe" : "resync") << "refused:" << message;
        onLost(tr("The router refused the state subscription (%1)").arg(message));
        return;
    }
    const QPointer<Command> command = m_pending.take(id);
    if (!command)
        return;
    if (ok) {
        command->succeed(m.value(QStringLiteral("result")).toVariant());
    } else {
        const QJsonObject error = m.value(QStringLiteral("error")).toObject();
        command->fail(error.value(QStringLiteral("code")).toString(),
                      error.value(QStringLiteral("message")).toString());
    }
}

void Backend::handleState(const QJsonObject &m)
{
    if (m.value(QStringLiteral("sub")).toInteger() != m_sub)
        return;
    const qint64 rev = m.value(QStringLiteral("rev")).toInteger();
    if (m.value(QStringLiteral("type")).toString() == QLatin1String("snapshot")) {
        m_rev = rev;
        m_resyncing = false;
        applyDocument(m.value(QStringLiteral("state")).toObject(), sliceNames());
        if (m_status != Ready) {
            m_wasReady = true;
            m_retryDelayMs = m_firstRetryMs;
            setStatus(Ready, {});
        }
        return;
    }
    if (m_resyncing)
        return; // a snapshot is on its way
    if (rev != m_rev + 1) {
        resync(QStringLiteral("gap: rev %1 after %2").arg(rev).arg(m_rev));
        return;
    }
    const QJsonArray patch = m.value(QStringLiteral("patch")).toArray();
    QJsonValue document(m_document);
    QString error;
    if (!protocol::JsonPatch::apply(document, patch, &error) || !document.isObject()) {
        resync(QStringLiteral("patch does not apply: %1").arg(error));
        return;
    }
    m_rev = rev;
    QStringList changed;
    for (const QJsonValue &op : patch) {
        const QString top = topToken(op.toObject().value(QStringLiteral("path")).toString());
        if (top.isEmpty()) {
            changed = sliceNames();
            break;
        }
        if (!changed.contains(top))
            changed.append(top);
    }
    applyDocument(document.toObject(), changed);
}

void Backend::resync(const QString &why)
{
    qCInfo(lcClient) << "resync of subscription" << m_sub << "-" << why;
    m_resyncing = true;
    QJsonObject args {{QStringLiteral("subscription"), m_sub}};
    m_resyncId = request(QStringLiteral("resync"), args);
    setStatus(m_wasReady ? Syncing : m_status, m_wasReady ? tr("Catching up with the router…") : m_statusMessage);
}

void Backend::applyDocument(const QJsonObject &document, const QStringList &changed)
{
    const QJsonObject before = m_document;
    m_document = document;
    for (const QString &name : changed) {
        if (!sliceNames().contains(name))
            continue;
        const QJsonValue now = document.value(name);
        if (now == before.value(name) && m_slices.contains(name) && !before.isEmpty())
            continue;
        m_slices.insert(name, now.isUndefined() || now.isNull() ? emptySlice(name) : now.toVariant());
        if (name == QLatin1String("wans"))
            Q_EMIT wansChanged();
        else if (name == QLatin1String("candidates"))
            Q_EMIT candidatesChanged();
        else if (name == QLatin1String("routing"))
            Q_EMIT routingChanged();
        else if (name == QLatin1String("engine"))
            Q_EMIT engineChanged();
        else if (name == QLatin1String("system"))
            Q_EMIT systemChanged();
        else if (name == QLatin1String("events"))
            Q_EMIT eventsChanged();
    }
    Q_EMIT documentApplied();
}

void Backend::clearDocument()
{
    const bool had = !m_document.isEmpty();
    m_document = {};
    m_rev = 0;
    if (!had)
        return;
    for (const QString &name : sliceNames())
        m_slices.insert(name, emptySlice(name));
    Q_EMIT wansChanged();
    Q_EMIT candidatesChanged();
    Q_EMIT routingChanged();
    Q_EMIT engineChanged();
    Q_EMIT systemChanged();
    Q_EMIT eventsChanged();
    Q_EMIT documentApplied();
}

void Backend::onLost(const QString &why)
{
    qCInfo(lcClient) << "connection to" << m_url.toString() << "lost:" << why;
    closeSocket();
    if (m_want)
        scheduleReconnect(why);
    else
        stop(Offline, m_statusMessage);
}

void Backend::scheduleReconnect(const QString &why)
{
    closeSocket();
    const int base = m_retryDelayMs;
    // ±20 % jitter so many clients do not come back in step.
    const int jitter = static_cast<int>(QRandomGenerator::global()->bounded(base / 5 * 2 + 1)) - base / 5;
    const int delay = std::max(50, base + jitter);
    m_retryDelayMs = std::min(m_maxRetryMs, base * 2);
    m_retryTimer.start(delay);
    setStatus(m_wasReady ? Stale : Connecting, tr("%1 — retrying in %2 s").arg(why, seconds(delay)));
}

void Backend::stop(const QString &status, const QString &message)
{
    m_want = false;
    m_retryTimer.stop();
    closeSocket();
    // Values already shown stay, marked stale: "offline" after a connection is never "live".
    setStatus(status, message);
}

void Backend::closeSocket()
{
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_authenticated = false;
    m_pingId = 0;
    failPending(tr("The connection to the router was lost before the answer came"));
    if (!m_ws)
        return;
    QWebSocket *ws = m_ws;
    m_ws = nullptr;
    ws->disconnect(this);
    ws->abort();
    ws->deleteLater();
}

void Backend::failPending(const QString &message)
{
    const auto pending = std::exchange(m_pending, {});
    for (const QPointer<Command> &command : pending) {
        if (command)
            command->fail(QStringLiteral("offline"), message);
    }
}

void Backend::send(const QJsonObject &message)
{
    if (m_ws)
        m_ws->sendTextMessage(QString::fromUtf8(protocol::encode(message)));
}

qint64 Backend::request(const QString &type, QJsonObject args)
{
    const qint64 id = ++m_nextId;
    args.insert(QStringLiteral("id"), id);
    args.insert(QStringLiteral("type"), type);
    send(args);
    return id;
}

Command *Backend::call(const QString &type, const QVariant &args)
{
    auto *command = new Command(type);
    if (!m_authenticated || !m_ws) {
        command->fail(QStringLiteral("offline"), tr("Not connected to the router: nothing was sent"), true);
        return command;
    }
    QVariant plain = args;
    if (plain.metaType() == QMetaType::fromType<QJSValue>())
        plain = plain.value<QJSValue>().toVariant();
    QJsonObject body = QJsonObject::fromVariantMap(plain.toMap());
    body.remove(QStringLiteral("id"));
    body.remove(QStringLiteral("type"));
    const qint64 id = request(type, body);
    m_pending.insert(id, command);
    return command;
}

QString Backend::readLocalToken(QString *error) const
{
    QFile f(m_tokenFile);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read the local token %1 (%2)").arg(m_tokenFile, f.errorString());
        return {};
    }
    const QString token = QString::fromLatin1(f.readAll().trimmed());
    if (token.isEmpty())
        *error = tr("The local token %1 is empty").arg(m_tokenFile);
    return token;
}

void Backend::setStatus(const QString &status, const QString &message)
{
    const bool wasLive = live();
    if (status != m_status) {
        m_status = status;
        Q_EMIT statusChanged();
    }
    if (wasLive != live())
        Q_EMIT liveChanged();
    if (message != m_statusMessage) {
        m_statusMessage = message;
        Q_EMIT statusMessageChanged();
    }
}

void Backend::setPinState(const QString &state)
{
    if (state == m_pinState)
        return;
    m_pinState = state;
    Q_EMIT pinStateChanged();
}

void Backend::setFingerprint(const QString &fp)
{
    if (fp == m_serverFingerprint)
        return;
    m_serverFingerprint = fp;
    Q_EMIT serverFingerprintChanged();
}

void Backend::setRole(const QString &role)
{
    if (role == m_role)
        return;
    const bool op = canOperate();
    const bool adm = canAdmin();
    m_role = role;
    Q_EMIT roleChanged();
    if (op != canOperate())
        Q_EMIT canOperateChanged();
    if (adm != canAdmin())
        Q_EMIT canAdminChanged();
}

void Backend::setUser(const QString &user)
{
    if (user == m_user)
        return;
    m_user = user;
    Q_EMIT userChanged();
}

void Backend::setIsLocal(bool local)
{
    if (local == m_isLocal)
        return;
    m_isLocal = local;
    Q_EMIT isLocalChanged();
}

void Backend::setSetupRequired(bool required)
{
    if (required == m_setupRequired)
        return;
    m_setupRequired = required;
    Q_EMIT setupRequiredChanged();
}

void Backend::setServerVersion(const QString &version)
{
    if (version == m_serverVersion)
        return;
    m_serverVersion = version;
    Q_EMIT serverVersionChanged();
}

void Backend::setUrl(const QUrl &url)
{
    if (url == m_url)
        return;
    m_url = url;
    Q_EMIT urlChanged();
}

} // namespace smoothwan::client

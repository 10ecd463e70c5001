// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwanctl: the command-line client of smoothwand's API (protocol smoothwan.v1, see
// docs/protocol.md). Links only the protocol library and QtCore/Network/WebSockets.
#include "JsonPatch.h"
#include "PinStore.h"
#include "Protocol.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTextStream>
#include <QtCore/QTime>
#include <QtCore/QTimer>
#include <QtNetwork/QSslConfiguration>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace smoothwan;

namespace {

// Documented in docs/protocol.md ("smoothwanctl"); scripts rely on them.
enum Exit {
    ExitOk = 0,
    ExitServerError = 1,
    ExitUsage = 2,
    ExitAuthFailed = 3,
    ExitForbidden = 4,
    ExitPinMismatch = 5,
    ExitUnavailable = 69,
};

const char DefaultLocalToken[] = "/var/lib/smoothwan/local-token";

void out(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    std::fputs(("smoothwanctl: " + text + "\n").toLocal8Bit().constData(), stderr);
}

QString rate(const QJsonValue &bps)
{
    if (!bps.isDouble())
        return QStringLiteral("-");
    double v = bps.toDouble() * 8;
    const char *units[] = {"b/s", "kb/s", "Mb/s", "Gb/s"};
    int u = 0;
    while (v >= 1000 && u < 3) {
        v /= 1000;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(v, 0, 'f', v < 10 && u > 0 ? 1 : 0).arg(QLatin1String(units[u]));
}

QString number(const QJsonValue &v, const char *unit)
{
    return v.isDouble()
               ? QStringLiteral("%1 %2").arg(v.toDouble(), 0, 'f', v.toDouble() < 10 ? 1 : 0).arg(QLatin1String(unit))
               : QStringLiteral("-");
}

// Keeps only printable characters of a server string before it reaches the terminal.
QString clean(const QString &s, int width)
{
    QString r;
    for (const QChar c : s)
        r.append(c.isPrint() ? c : QLatin1Char('?'));
    return r.left(width);
}

QString table(const QJsonObject &state, bool ansi)
{
    const QString eol = ansi ? QStringLiteral("\x1b[K\n") : QStringLiteral("\n");
    QString t;
    t += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
             .arg(QStringLiteral("WAN"), -12)
             .arg(QStringLiteral("STATE"), -10)
             .arg(QStringLiteral("ON"), -4)
             .arg(QStringLiteral("PRIORITY"), -10)
             .arg(QStringLiteral("DOWN"), 11)
             .arg(QStringLiteral("UP"), 11)
             .arg(QStringLiteral("LATENCY"), 9)
             .arg(QStringLiteral("LOSS"), 7) +
         eol;
    const QJsonArray wans = state.value(QStringLiteral("wans")).toArray();
    for (const QJsonValue &v : wans) {
        const QJsonObject w = v.toObject();
        t +=
            QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
                .arg(clean(w.value(QStringLiteral("name")).toString(), 12), -12)
                .arg(clean(w.value(QStringLiteral("state")).toString(), 10), -10)
                .arg(w.value(QStringLiteral("enabled")).toBool(true) ? QStringLiteral("yes") : QStringLiteral("no"), -4)
                .arg(clean(w.value(QStringLiteral("priority")).toString(), 10), -10)
                .arg(rate(w.value(QStringLiteral("rxBps"))), 11)
                .arg(rate(w.value(QStringLiteral("txBps"))), 11)
                .arg(number(w.value(QStringLiteral("latencyMs")), "ms"), 9)
                .arg(number(w.value(QStringLiteral("lossPct")), "%"), 7) +
            eol;
    }
    if (wans.isEmpty())
        t += QStringLiteral("(no WANs configured)") + eol;
    const QJsonObject engine = state.value(QStringLiteral("engine")).toObject();
    const QJsonObject routing = state.value(QStringLiteral("routing")).toObject();
    t += eol;
    t += QStringLiteral("Engine:  %1 %2")
             .arg(clean(engine.value(QStringLiteral("type")).toString(QStringLiteral("none")), 20),
                  clean(engine.value(QStringLiteral("state")).toString(), 30)) +
         eol;
    if (!routing.isEmpty()) {
        const QString path = routing.value(QStringLiteral("path")).toString();
        QString where = path == QLatin1String("blocked") ? QStringLiteral("LAN blocked (kill switch)")
                        : path == QLatin1String("none")  ? QStringLiteral("no usable WAN")
                        : path.isEmpty()                 ? QString()
                                                         : QStringLiteral("LAN via ") + path;
        t += QStringLiteral("Routing: %1%2%3")
                 .arg(clean(routing.value(QStringLiteral("policy")).toString(), 20),
                      where.isEmpty() ? QString() : QStringLiteral(", "), clean(where, 60)) +
             eol;
        const QString reason = routing.value(QStringLiteral("reason")).toString();
        if (!reason.isEmpty())
            t += QStringLiteral("         %1").arg(clean(reason, 110)) + eol;
    }
    const QString fp = state.value(QStringLiteral("system"))
                           .toObject()
                           .value(QStringLiteral("tls"))
                           .toObject()
                           .value(QStringLiteral("fingerprint"))
                           .toString();
    if (!fp.isEmpty())
        t += QStringLiteral("TLS:     %1").arg(clean(fp, 95)) + eol;
    return t;
}

// One connection to the API: auth, then requests with callbacks and subscription frames.
// With setReconnect(true) (watch), a connection lost after a successful auth is reopened with
// backoff (1 s doubling to 30 s) using the same credentials; onLost reports each wait, onReady
// runs again after each auth_ok. A ping unanswered for 10 s, or no auth_ok 10 s after open(),
// counts as a lost connection (a server that accepts but never answers cannot hang the CLI).
class Client : public QObject
{
public:
    using Callback = std::function<void(const QJsonObject &)>;
    static constexpr int PingIntervalMs = 25000;
    static constexpr int AnswerTimeoutMs = 10000;
    static constexpr int FirstRetryMs = 1000;
    static constexpr int MaxRetryMs = 30000;

    std::function<void()> onReady;
    std::function<void(const QJsonObject &)> onEvent; // snapshot/delta frames
    // The connection was lost: why, and in how many ms the next attempt (number `attempt`) starts.
    std::function<void(const QString &why, int retryInMs, int attempt)> onLost;

    Client(QUrl url, QString token, QString user, QString password, bool acceptNewPin)
        : m_url(std::move(url))
        , m_token(std::move(token))
        , m_user(std::move(user))
        , m_password(std::move(password))
        , m_acceptNewPin(acceptNewPin)
    {
        connect(&m_ws, &QWebSocket::connected, this, &Client::onConnected);
        connect(&m_ws, &QWebSocket::disconnected, this, [this] {
            lost(QStringLiteral("the connection to %1 closed: %2 (%3)")
                     .arg(m_url.toString(), m_ws.closeReason())
                     .arg(int(m_ws.closeCode())));
        });
        connect(&m_ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                [this] { lost(QStringLiteral("cannot reach %1: %2").arg(m_url.toString(), m_ws.errorString())); });
        connect(&m_ws, &QWebSocket::textMessageReceived, this, &Client::onText);
        connect(&m_ping, &QTimer::timeout, this, [this] {
            m_answerDue.start(AnswerTimeoutMs);
            request(QStringLiteral("ping"), {}, [this](const QJsonObject &) { m_answerDue.stop(); });
        });
        m_answerDue.setSingleShot(true);
        connect(&m_answerDue, &QTimer::timeout, this, [this] {
            const QString why =
                QStringLiteral("no answer from %1 for %2 s").arg(m_url.toString()).arg(AnswerTimeoutMs / 1000);
            m_lostWhy = why;
            m_ws.abort();
            lost(why); // abort() reports nothing while the socket is still connecting
        });
        m_retry.setSingleShot(true);
        connect(&m_retry, &QTimer::timeout, this, &Client::open);
    }

    void setReconnect(bool on) { m_reconnect = on; }

    void open()
    {
        if (m_url.scheme() == QLatin1String("wss")) {
            // Self-signed: trust comes from the pin, checked before the token is sent.
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
            m_ws.setSslConfiguration(ssl);
        }
        QWebSocketHandshakeOptions o;
        o.setSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
        m_answerDue.start(AnswerTimeoutMs); // until auth_ok or auth_invalid
        m_ws.open(m_url, o);
    }

    // Sends a request; returns its id.
    qint64 request(const QString &type, QJsonObject args, Callback cb)
    {
        const qint64 id = ++m_nextId;
        args.insert(QStringLiteral("id"), id);
        args.insert(QStringLiteral("type"), type);
        m_pending.insert(id, std::move(cb));
        m_ws.sendTextMessage(QString::fromUtf8(protocol::encode(args)));
        return id;
    }

    void finish(int code, const QString &message = {})
    {
        if (m_done)
            return;
        m_done = true;
        if (!message.isEmpty())
            err(message);
        m_ws.close();
        QCoreApplication::exit(code);
    }

    // Exit code for a failed result.
    static int exitFor(const QJsonObject &result)
    {
        const QString code = result.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
        if (code == QLatin1String(protocol::Error::Forbidden))
            return ExitForbidden;
        if (code == QLatin1String(protocol::Error::Unauthorized))
            return ExitAuthFailed;
        return ExitServerError;
    }

private:
    void lost(const QString &why)
    {
        if (m_done || m_retry.isActive())
            return;                                                   // error() and disconnected() both report one loss
        const QString reason = m_lostWhy.isEmpty() ? why : m_lostWhy; // a timeout's, over "closed"
        m_lostWhy.clear();
        if (!m_reconnect || !m_everReady)
            return finish(ExitUnavailable, reason);
        m_ping.stop();
        m_answerDue.stop();
        m_pending.clear(); // requests of the lost connection get no answer
        const int wait = m_retryMs;
        m_retryMs = std::min(m_retryMs * 2, MaxRetryMs);
        ++m_attempt;
        if (onLost)
            onLost(reason, wait, m_attempt);
        m_retry.start(wait);
    }

    void onConnected()
    {
        if (m_url.scheme() != QLatin1String("wss"))
            return;
        const QString fp = QString::fromLatin1(
            m_ws.sslConfiguration().peerCertificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper());
        const QString key = protocol::PinStore::key(m_url);
        const QString pinned = protocol::PinStore::pinned(m_url);
        if (!pinned.isEmpty() && pinned != fp && !m_acceptNewPin) {
            finish(ExitPinMismatch,
                   QStringLiteral("the certificate of %1 CHANGED.\n  pinned:    %2\n  presented: %3\nCompare with the "
                                  "fingerprint on the router's touchscreen; if the router was reinstalled, run again "
                                  "with --insecure-new-pin.")
                       .arg(key, pinned, fp));
            return;
        }
        if (pinned != fp) {
            if (protocol::PinStore::store(m_url, fp))
                err(QStringLiteral("pinned the certificate of %1: %2 (check it against the touchscreen)").arg(key, fp));
            else
                err(QStringLiteral("warning: could not write %1; the certificate of %2 (%3) is not pinned")
                        .arg(protocol::PinStore::path(), key, fp));
        }
    }

    void onText(const QString &text)
    {
        QString why;
        const auto m = protocol::decode(text.toUtf8(), &why);
        if (!m)
            return finish(ExitServerError, QStringLiteral("unreadable frame from the server: %1").arg(why));
        const QString type = m->value(QStringLiteral("type")).toString();
        if (type == QLatin1String("auth_required")) {
            QJsonObject auth {{QStringLiteral("type"), QStringLiteral("auth")}};
            if (!m_user.isEmpty()) {
                auth.insert(QStringLiteral("username"), m_user);
                auth.insert(QStringLiteral("password"), m_password);
            } else {
                auth.insert(QStringLiteral("token"), m_token);
            }
            m_ws.sendTextMessage(QString::fromUtf8(protocol::encode(auth)));
        } else if (type == QLatin1String("auth_ok")) {
            // Reconnects use the session token; the password is not kept once it has done its job.
            const QString session = m->value(QStringLiteral("session_token")).toString();
            if (!m_user.isEmpty() && !session.isEmpty()) {
                m_token = session;
                m_user.clear();
                m_password.fill(QLatin1Char('\0'));
                m_password.clear();
            }
            m_answerDue.stop();
            m_everReady = true;
            m_retryMs = FirstRetryMs;
            m_attempt = 0;
            m_ping.start(PingIntervalMs);
            if (onReady)
                onReady();
        } else if (type == QLatin1String("auth_invalid")) {
            finish(ExitAuthFailed,
                   QStringLiteral("authentication failed: %1")
                       .arg(m->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString()));
        } else if (type == QLatin1String("result") || type == QLatin1String("pong")) {
            const qint64 id = m->value(QStringLiteral("id")).toInteger();
            const Callback cb = m_pending.take(id);
            if (cb)
                cb(*m);
            else if (!m->value(QStringLiteral("success")).toBool(true))
                finish(ExitServerError,
                       m->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString());
        } else if ((type == QLatin1String("snapshot") || type == QLatin1String("delta")) && onEvent) {
            onEvent(*m);
        }
        // Unknown types are ignored (additive protocol).
    }

    QUrl m_url;
    QString m_token;
    QString m_user;
    QString m_password;
    bool m_acceptNewPin = false;
    QWebSocket m_ws;
    QTimer m_ping;
    QTimer m_answerDue;
    QTimer m_retry;
    QHash<qint64, Callback> m_pending;
    qint64 m_nextId = 0;
    bool m_done = false;
    bool m_reconnect = false;
    bool m_everReady = false;
    int m_retryMs = FirstRetryMs;
    int m_attempt = 0;
    QString m_lostWhy;
};

QJsonValue argValue(const QString &text)
{
    QJsonParseError pe;
    const QJsonDocument d = QJsonDocument::fromJson(("[" + text + "]").toUtf8(), &pe);
    if (pe.error == QJsonParseError::NoError && d.array().size() == 1)
        return d.array().first();
    return text;
}

QByteArray readAll(const QString &path, bool *ok)
{
    QFile f(path);
    *ok = f.open(QIODevice::ReadOnly);
    return *ok ? f.read(2 * 1024 * 1024) : QByteArray();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smoothwanctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Command-line client of the SmoothWAN service (docs/protocol.md).\n\n"
                       "Commands:\n"
                       "  status                      WANs, engine and routing as a table\n"
                       "  watch                       the same, redrawn live; reconnects, marks old data STALE\n"
                       "  history [WAN]               the last 10 minutes of rates, latency and loss\n"
                       "  events                      the recent events\n"
                       "  wan enable|disable NAME     turn a WAN on or off\n"
                       "  config get|validate FILE|apply FILE\n"
                       "  tokens list|create NAME ROLE|revoke NAME\n"
                       "  users list|setup NAME       setup: create the first admin (password on stdin)\n"
                       "  engine pair                 pair the self-hosted engine: the code from smoothwan-server\n"
                       "                              init, one line on stdin (it holds keys: never an argument)\n"
                       "  engine unpair               forget the self-hosted pairing\n"
                       "  engine connect|disconnect   bring the engine's tunnel up or down\n"
                       "  engine mode speed|redundant|streaming   until the engine restarts\n"
                       "  call COMMAND [key=value...] any API command; values parse as JSON, else strings\n\n"
                       "Exit codes: 0 ok, 1 server error, 2 usage, 3 authentication failed, 4 forbidden,\n"
                       "5 certificate does not match the pin, 69 service unreachable."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("API URL (default ws://127.0.0.1:8443)."),
                                       QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:8443"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"),
                                             QStringLiteral("Read the token from a file (else SMOOTHWAN_TOKEN, else "
                                                            "the local token when readable)."),
                                             QStringLiteral("file"));
    const QCommandLineOption userOption(QStringLiteral("user"),
                                        QStringLiteral("Log in as this user; the password is read from stdin."),
                                        QStringLiteral("name"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print JSON for scripts."));
    const QCommandLineOption newPinOption(QStringLiteral("insecure-new-pin"),
                                          QStringLiteral("Accept and pin a changed server certificate."));
    parser.addOptions({urlOption, tokenFileOption, userOption, jsonOption, newPinOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do (see above)."));
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        err(QStringLiteral("no command given; see --help"));
        return ExitUsage;
    }
    const bool json = parser.isSet(jsonOption);
    const QUrl url(parser.value(urlOption));
    if (!url.isValid() || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))) {
        err(QStringLiteral("--url must be ws://host:port or wss://host:port"));
        return ExitUsage;
    }

    // Credentials: a user's password on stdin, or a token.
    QString token = qEnvironmentVariable("SMOOTHWAN_TOKEN");
    QString password;
    const QString user = parser.value(userOption);
    QTextStream in(stdin);
    if (!user.isEmpty()) {
        password = in.readLine();
    } else if (parser.isSet(tokenFileOption) || token.isEmpty()) {
        bool ok = false;
        const QString path =
            parser.isSet(tokenFileOption) ? parser.value(tokenFileOption) : QString::fromLatin1(DefaultLocalToken);
        token = QString::fromLatin1(readAll(path, &ok)).trimmed();
        if (!ok || token.isEmpty()) {
            err(QStringLiteral("no token: set SMOOTHWAN_TOKEN, use --token-file or --user, or run as root (%1)")
                    .arg(path));
            return ExitUsage;
        }
    }

    // What to send: one request (most commands) or a subscription (status, watch).
    QString type;
    QJsonObject request;
    const QString cmd = args.value(0);
    const QString sub = args.value(1);
    bool usage = false;
    if (cmd == QLatin1String("status") || cmd == QLatin1String("watch")) {
        type = cmd;
    } else if (cmd == QLatin1String("history")) {
        type = QStringLiteral("history.get");
        if (!sub.isEmpty())
            request.insert(QStringLiteral("wan"), sub);
    } else if (cmd == QLatin1String("events")) {
        type = QStringLiteral("events.list");
    } else if (cmd == QLatin1String("wan") && (sub == QLatin1String("enable") || sub == QLatin1String("disable")) &&
               args.size() == 3) {
        type = QStringLiteral("wan.set_enabled");
        request = {{QStringLiteral("wan"), args[2]}, {QStringLiteral("enabled"), sub == QLatin1String("enable")}};
    } else if (cmd == QLatin1String("config") && sub == QLatin1String("get")) {
        type = QStringLiteral("config.get");
    } else if (cmd == QLatin1String("config") && (sub == QLatin1String("validate") || sub == QLatin1String("apply")) &&
               args.size() == 3) {
        bool ok = false;
        const QByteArray yaml = readAll(args[2], &ok);
        if (!ok) {
            err(QStringLiteral("cannot read %1").arg(args[2]));
            return ExitUsage;
        }
        type = QStringLiteral("config.") + sub;
        request.insert(QStringLiteral("yaml"), QString::fromUtf8(yaml));
    } else if (cmd == QLatin1String("tokens") && sub == QLatin1String("list")) {
        type = QStringLiteral("tokens.list");
    } else if (cmd == QLatin1String("tokens") && sub == QLatin1String("create") && args.size() == 4) {
        type = QStringLiteral("tokens.create");
        request = {{QStringLiteral("name"), args[2]}, {QStringLiteral("role"), args[3]}};
    } else if (cmd == QLatin1String("tokens") && sub == QLatin1String("revoke") && args.size() == 3) {
        type = QStringLiteral("tokens.revoke");
        request = {{QStringLiteral("name"), args[2]}};
    } else if (cmd == QLatin1String("users") && sub == QLatin1String("list")) {
        type = QStringLiteral("users.list");
    } else if (cmd == QLatin1String("users") && sub == QLatin1String("setup") && args.size() == 3) {
        type = QStringLiteral("users.setup");
        if (user.isEmpty())
            err(QStringLiteral("password for the new admin (one line on stdin):"));
        request = {{QStringLiteral("username"), args[2]}, {QStringLiteral("password"), in.readLine()}};
    } else if (cmd == QLatin1String("engine") && sub == QLatin1String("pair") && args.size() == 2) {
        type = QStringLiteral("engine.pair");
        if (user.isEmpty())
            err(QStringLiteral("pairing code (the line smoothwan-server init printed) on stdin:"));
        const QString code = in.readLine().trimmed();
        if (code.isEmpty()) {
            err(QStringLiteral("no pairing code on stdin"));
            return ExitUsage;
        }
        request = {{QStringLiteral("code"), code}};
    } else if (cmd == QLatin1String("engine") && args.size() == 2 &&
               (sub == QLatin1String("unpair") || sub == QLatin1String("connect") ||
                sub == QLatin1String("disconnect"))) {
        type = QStringLiteral("engine.") + sub;
    } else if (cmd == QLatin1String("engine") && sub == QLatin1String("mode") && args.size() == 3) {
        type = QStringLiteral("engine.action");
        request = {{QStringLiteral("name"), QStringLiteral("set_mode")},
                   {QStringLiteral("args"), QJsonObject {{QStringLiteral("mode"), args[2]}}}};
    } else if (cmd == QLatin1String("call") && !sub.isEmpty()) {
        type = sub;
        for (const QString &kv : args.mid(2)) {
            const qsizetype eq = kv.indexOf(QLatin1Char('='));
            if (eq <= 0) {
                usage = true;
                break;
            }
            request.insert(kv.left(eq), argValue(kv.mid(eq + 1)));
        }
    } else {
        usage = true;
    }
    if (usage) {
        err(QStringLiteral("unknown or incomplete command '%1'; see --help").arg(args.join(QLatin1Char(' '))));
        return ExitUsage;
    }

    Client client(url, token, user, password, parser.isSet(newPinOption));
    QJsonValue state;
    qint64 subscription = 0; // the id of the current subscription (a new one after a reconnect)
    qint64 rev = 0;
    bool resyncing = false; // a resync is on its way: deltas wait for its snapshot
    const bool watch = type == QLatin1String("watch");
    client.setReconnect(watch);
    auto draw = [&](const QString &footer) { // home, draw, clear what is left of the previous frame
        out(QStringLiteral("\x1b[H") + table(state.toObject(), true) + QLatin1Char('\n') + footer +
            QStringLiteral("\x1b[K\n\x1b[J"));
    };
    client.onEvent = [&](const QJsonObject &m) {
        if (m.value(QStringLiteral("sub")).toInteger() != subscription)
            return; // a frame of an earlier subscription
        const qint64 r = m.value(QStringLiteral("rev")).toInteger();
        if (m.value(QStringLiteral("type")).toString() == QLatin1String("snapshot")) {
            state = m.value(QStringLiteral("state"));
            resyncing = false;
        } else {
            if (resyncing)
                return;
            QJsonValue next = state; // a patch that fails half-way leaves the state as it was
            if (r != rev + 1 || !protocol::JsonPatch::apply(next, m.value(QStringLiteral("patch")).toArray())) {
                // A gap or a patch that does not fit: ask for a fresh snapshot, once.
                resyncing = true;
                client.request(QStringLiteral("resync"), {{QStringLiteral("subscription"), subscription}},
                               [&client](const QJsonObject &answer) {
                                   if (!answer.value(QStringLiteral("success")).toBool())
                                       client.finish(Client::exitFor(answer),
                                                     QStringLiteral("resync failed: %1")
                                                         .arg(answer.value(QStringLiteral("error"))
                                                                  .toObject()
                                                                  .value(QStringLiteral("message"))
                                                                  .toString()));
                               });
                return;
            }
            state = next;
        }
        rev = r;
        if (!watch) {
            out(json ? QString::fromUtf8(QJsonDocument(state.toObject()).toJson()) : table(state.toObject(), false));
            client.finish(ExitOk);
            return;
        }
        if (json)
            out(QString::fromUtf8(QJsonDocument(state.toObject()).toJson(QJsonDocument::Compact)) + QLatin1Char('\n'));
        else
            draw(QStringLiteral("smoothwanctl watch — %1 — Ctrl-C to quit").arg(url.toString()));
    };
    // A lost connection leaves the last state on screen, marked stale, until a new snapshot.
    QString lostAt;
    client.onLost = [&](const QString &why, int retryInMs, int attempt) {
        if (attempt == 1)
            lostAt = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
        const QString note = QStringLiteral("connection lost at %1 (%2); reconnecting in %3 s (attempt %4)")
                                 .arg(lostAt, clean(why, 100))
                                 .arg((retryInMs + 999) / 1000)
                                 .arg(attempt);
        if (json)
            err(note + QStringLiteral("; the last state is stale"));
        else
            draw(QStringLiteral("\x1b[7m STALE \x1b[0m the values above are from before the ") + note);
    };
    client.onReady = [&]() {
        if (type == QLatin1String("status") || watch) {
            if (watch && !json)
                out(QStringLiteral("\x1b[2J"));
            QJsonObject s;
            s.insert(QStringLiteral("topics"), QJsonArray {QStringLiteral("wans"), QStringLiteral("engine"),
                                                           QStringLiteral("routing"), QStringLiteral("system")});
            resyncing = false;
            subscription = client.request(QStringLiteral("subscribe"), s, [&](const QJsonObject &r) {
                if (!r.value(QStringLiteral("success")).toBool())
                    client.finish(
                        Client::exitFor(r),
                        r.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString());
            });
            return;
        }
        client.request(type, request, [&](const QJsonObject &r) {
            if (!r.value(QStringLiteral("success")).toBool()) {
                const QJsonObject e = r.value(QStringLiteral("error")).toObject();
                if (json)
                    out(QString::fromUtf8(QJsonDocument(r).toJson()));
                QString message = e.value(QStringLiteral("code")).toString() + QStringLiteral(": ") +
                                  e.value(QStringLiteral("message")).toString();
                for (const QJsonValue &d :
                     e.value(QStringLiteral("details")).toObject().value(QStringLiteral("errors")).toArray())
                    message += QStringLiteral("\n  line %1: %2")
                                   .arg(d.toObject().value(QStringLiteral("line")).toInt())
                                   .arg(d.toObject().value(QStringLiteral("message")).toString());
                client.finish(Client::exitFor(r), message);
                return;
            }
            const QJsonValue result = r.value(QStringLiteral("result"));
            if (json) {
                out(QString::fromUtf8(QJsonDocument(result.toObject()).toJson()));
            } else if (type == QLatin1String("config.get")) {
                out(result.toObject().value(QStringLiteral("yaml")).toString());
            } else if (type == QLatin1String("events.list")) {
                for (const QJsonValue &v : result.toObject().value(QStringLiteral("events")).toArray()) {
                    const QJsonObject e = v.toObject();
                    out(QStringLiteral("%1 %2 %3 %4\n")
                            .arg(clean(e.value(QStringLiteral("time")).toString(), 24),
                                 clean(e.value(QStringLiteral("severity")).toString(), 8),
                                 clean(e.value(QStringLiteral("area")).toString(), 10),
                                 clean(e.value(QStringLiteral("message")).toString(), 200)));
                }
            } else if (type == QLatin1String("tokens.create")) {
                out(result.toObject().value(QStringLiteral("token")).toString() + QLatin1Char('\n'));
            } else if (!result.toObject().isEmpty()) {
                out(QString::fromUtf8(QJsonDocument(result.toObject()).toJson()));
            } else {
                out(QStringLiteral("ok\n"));
            }
            client.finish(ExitOk);
        });
    };
    client.open();
    return app.exec();
}

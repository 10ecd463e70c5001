// SPDX-License-Identifier: GPL-3.0-or-later
// The smoothwan.v1 server over loopback with real QWebSocket clients: authentication, roles of
// every command, subscriptions (snapshot + patches reproduce the document), resync, reconnect,
// limits (handshake and auth timeouts), TLS, and bad input (malformed frames, non-UTF-8 bytes on
// the wire, hostile strings in every string and enum field, hostile values offered for storage).
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "ConfigLoader.h"
#include "ConfigWriter.h"
#include "JsonPatch.h"
#include "Protocol.h"
#include "StateStore.h"
#include "TlsIdentity.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QPromise>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

using namespace smoothwan;

namespace {

// The rest of the daemon, reduced to a Config and a log of engine actions.
class FakeBackend final : public ApiBackend
{
public:
    Config m_config;
    QList<std::pair<QString, QJsonObject>> actions;
    int applied = 0;
    QString storedPath; // when set, every accepted configuration is written here, as the daemon would

    const Config &config() const override { return m_config; }
    QString configPath() const override { return QStringLiteral("/etc/smoothwan/config.yaml"); }
    bool applyConfig(const QByteArray &yaml, ConfigErrors *errors) override
    {
        auto c = ConfigLoader::loadString(yaml, QStringLiteral("api"), errors);
        if (!c)
            return false;
        m_config = *c;
        ++applied;
        if (!storedPath.isEmpty()) {
            QFile f(storedPath);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(yaml) != yaml.size())
                return false;
        }
        return true;
    }
    QFuture<EngineActionResult> engineAction(const QString &name, const QJsonObject &args) override
    {
        actions.append({name, args});
        if (name == QLatin1String("logout")) {    // as if cancelled (the API only passes known actions)
            QPromise<EngineActionResult> dropped; // destroyed unfinished: the future is cancelled
            dropped.start();
            return dropped.future();
        }
        if (name == QLatin1String("servers")) { // finished on another thread, later
            auto promise = std::make_shared<QPromise<EngineActionResult>>();
            promise->start();
            QFuture<EngineActionResult> f = promise->future();
            QThread *t = QThread::create([promise] {
                QThread::msleep(20);
                promise->addResult(EngineActionResult {true, QJsonObject {{QStringLiteral("thread"), true}}, {}, {}});
                promise->finish();
            });
            QObject::connect(t, &QThread::finished, t, &QObject::deleteLater);
            t->start();
            return f;
        }
        if (name == QLatin1String("unknown"))
            return QtFuture::makeReadyFuture(
                EngineActionResult {false, {}, QStringLiteral("not_found"), QStringLiteral("no such action")});
        return QtFuture::makeReadyFuture(
            EngineActionResult {true, QJsonObject {{QStringLiteral("done"), name}}, {}, {}});
    }
};

// A WebSocket client that keeps every frame it receives.
class Client
{
public:
    explicit Client(const QString &origin = QString())
        : ws(origin)
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived,
                         [this](const QString &t) { inbox.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
        QObject::connect(&ws, &QWebSocket::disconnected, [this] { closed = true; });
    }

    bool open(quint16 port, bool subprotocol = true, const QString &scheme = QStringLiteral("ws"))
    {
        QWebSocketHandshakeOptions o;
        if (subprotocol)
            o.setSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(port)), o);
        return connected.wait(5000) || connected.size() > 0;
    }

    // The next frame matching `pred` (earlier ones are kept).
    QJsonObject waitFor(const std::function<bool(const QJsonObject &)> &pred, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (true) {
            for (qsizetype i = 0; i < inbox.size(); ++i)
                if (pred(inbox[i]))
                    return inbox.takeAt(i);
            if (t.elapsed() > timeoutMs || closed)
                return {};
            QSignalSpy spy(&ws, &QWebSocket::textMessageReceived);
            spy.wait(50);
        }
    }
    QJsonObject waitType(const QString &type, int timeoutMs = 5000)
    {
        return waitFor([&](const QJsonObject &m) { return m.value(QStringLiteral("type")).toString() == type; },
                       timeoutMs);
    }

    void sendRaw(const QByteArray &frame) { ws.sendTextMessage(QString::fromUtf8(frame)); }
    void send(const QJsonObject &m) { sendRaw(QJsonDocument(m).toJson(QJsonDocument::Compact)); }

    QJsonObject call(const QString &type, QJsonObject args = {})
    {
        const qint64 id = ++nextId;
        args.insert(QStringLiteral("id"), id);
        args.insert(QStringLiteral("type"), type);
        send(args);
        return waitFor([id](const QJsonObject &m) {
            return m.value(QStringLiteral("id")).toInteger() == id &&
                   m.value(QStringLiteral("type")).toString() == QLatin1String("result");
        });
    }

    bool waitClosed(int timeoutMs = 5000)
    {
        if (closed)
            return true;
        QSignalSpy spy(&ws, &QWebSocket::disconnected);
        return spy.wait(timeoutMs) || closed;
    }

    QJsonObject auth(const QJsonObject &frame)
    {
        if (waitType(QStringLiteral("auth_required")).isEmpty())
            return {};
        QJsonObject f = frame;
        f.insert(QStringLiteral("type"), QStringLiteral("auth"));
        send(f);
        return waitFor([](const QJsonObject &m) {
            const QString t = m.value(QStringLiteral("type")).toString();
            return t == QLatin1String("auth_ok") || t == QLatin1String("auth_invalid");
        });
    }

    QWebSocket ws;
    QList<QJsonObject> inbox;
    bool closed = false;
    qint64 nextId = 0;
};

QString code(const QJsonObject &result)
{
    return result.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

bool ok(const QJsonObject &result)
{
    return result.value(QStringLiteral("success")).toBool();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The children of every thread of this process: the server must never spawn one.
int childProcesses()
{
    int n = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &t : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QByteArray children = readFile(tasks.filePath(t + QStringLiteral("/children"))).trimmed();
        if (!children.isEmpty())
            n += int(children.split(' ').size());
    }
    return n;
}

const QList<QByteArray> HostileStrings = {
    "; id", "$(reboot)", "`reboot`", "a|b", "a\nb", "--help", QByteArray(300, 'a'), "../../etc/shadow", "\xff\xfe\xfd",
};

// Samples this process's children every 5 ms while it lives: a child that comes and goes between
// two reads of /proc/self/task/*/children would otherwise go unseen. Also scans /proc/*/stat for
// a ppid of ours.
class ChildWatcher
{
public:
    ChildWatcher()
    {
        QObject::connect(&m_timer, &QTimer::timeout, [this] { sample(); });
        m_timer.start(5);
        sample();
    }
    void sample()
    {
        ++samples;
        maxSeen = std::max(maxSeen, childProcesses() + childrenByPpid());
    }
    static int childrenByPpid()
    {
        const QByteArray self = QByteArray::number(::getpid());
        int n = 0;
        const QDir proc(QStringLiteral("/proc"));
        for (const QString &pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (!pid.front().isDigit())
                continue;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after
            // the last ')'.
            const QByteArray stat = readFile(proc.filePath(pid + QStringLiteral("/stat")));
            const qsizetype close = stat.lastIndexOf(')');
            if (close < 0)
                continue;
            const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
            if (fields.size() > 1 && fields[1] == self)
                ++n;
        }
        return n;
    }

    int maxSeen = 0;
    int samples = 0;

private:
    QTimer m_timer;
};

// A WebSocket client written by hand over TCP, to send what QWebSocket won't: text frames that
// are not UTF-8, or no handshake at all.
class RawClient
{
public:
    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        return socket.waitForConnected(5000);
    }
    bool handshake()
    {
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: smoothwan.v1\r\n\r\n");
        QElapsedTimer t;
        t.start();
        while (!buffer.contains("\r\n\r\n") && t.elapsed() < 5000) {
            // The server runs on this thread: wait in the event loop, not in waitForReadyRead().
            QSignalSpy spy(&socket, &QTcpSocket::readyRead);
            if (!spy.wait(50) && socket.state() != QAbstractSocket::ConnectedState)
                return false;
            buffer += socket.readAll();
        }
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0 || !buffer.startsWith("HTTP/1.1 101")) {
            qWarning("handshake answer: %s", buffer.left(300).constData());
            return false;
        }
        buffer.remove(0, end + 4);
        return true;
    }
    // One masked client frame (RFC 6455 section 5.2).
    void sendFrame(quint8 opcode, const QByteArray &payload)
    {
        QByteArray f;
        f.append(char(0x80 | opcode));
        if (payload.size() < 126) {
            f.append(char(0x80 | payload.size()));
        } else {
            f.append(char(0x80 | 126));
            f.append(char(payload.size() >> 8));
            f.append(char(payload.size() & 0xff));
        }
        const QByteArray mask("\x12\x34\x56\x78", 4);
        f.append(mask);
        for (qsizetype i = 0; i < payload.size(); ++i)
            f.append(char(payload[i] ^ mask[i % 4]));
        socket.write(f);
        socket.flush();
    }
    // Waits for the server to close the TCP connection; the bytes it sent are kept in `buffer`.
    bool waitDisconnected(int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (socket.state() != QAbstractSocket::UnconnectedState && t.elapsed() < timeoutMs) {
            QSignalSpy spy(&socket, &QTcpSocket::disconnected);
            spy.wait(50);
            buffer += socket.readAll();
        }
        buffer += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }
    // The close code of the first close frame the server sent, or -1.
    int closeCode() const
    {
        qsizetype i = 0;
        while (i + 2 <= buffer.size()) {
            const quint8 op = quint8(buffer[i]) & 0x0f;
            qsizetype len = quint8(buffer[i + 1]) & 0x7f;
            qsizetype head = 2;
            if (len == 126) {
                if (i + 4 > buffer.size())
                    return -1;
                len = (qsizetype(quint8(buffer[i + 2])) << 8) | quint8(buffer[i + 3]);
                head = 4;
            } else if (len == 127) {
                return -1;
            }
            if (op == 0x8)
                return i + head + 2 <= buffer.size()
                           ? (int(quint8(buffer[i + head])) << 8) | int(quint8(buffer[i + head + 1]))
                           : -1;
            i += head + len;
        }
        return -1;
    }

    QTcpSocket socket;
    QByteArray buffer;
};

// A JSON string literal (also a YAML double-quoted scalar).
QByteArray quoted(const QString &s)
{
    const QByteArray a = QJsonDocument(QJsonArray {s}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

} // namespace

class TestApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<StateStore> m_state;
    std::unique_ptr<AuthStore> m_auth;
    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<ApiServer> m_server;
    QString m_localToken;
    quint16 m_port = 0;

    void start(ApiServer::Options options = {}, const std::optional<TlsIdentity> &tls = std::nullopt)
    {
        m_server.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_clock = std::make_unique<ManualClock>();
        m_state = std::make_unique<StateStore>(*m_clock);
        m_auth = std::make_unique<AuthStore>(*m_clock, m_dir->filePath(QStringLiteral("auth")),
                                             m_dir->filePath(QStringLiteral("local-token")), nullptr, true);
        QString error;
        QVERIFY2(m_auth->load(&error), qPrintable(error));
        m_localToken = QString::fromLatin1(readFile(m_dir->filePath(QStringLiteral("local-token"))).trimmed());
        m_backend = std::make_unique<FakeBackend>();
        m_backend->m_config =
            *ConfigLoader::loadString(readFile(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml")),
                                      QStringLiteral("example"), nullptr);
        if (options.coalesceMs == 500)
            options.coalesceMs = 0;
        if (options.commandsPerSecond == 20)
            options.commandBurst = options.commandsPerSecond = 1e6;
        m_server = std::make_unique<ApiServer>(*m_clock, *m_state, *m_auth, *m_backend, options);
        registerApiCommands(m_server->commands(), *m_backend, *m_auth, *m_state);
        QVERIFY2(m_server->listen({QHostAddress(QHostAddress::LocalHost)}, 0, tls, &error), qPrintable(error));
        m_port = m_server->ports().value(0);
        m_state->setSlice(QStringLiteral("wans"),
                          QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("wired")},
                                                   {QStringLiteral("rxBps"), 1000},
                                                   {QStringLiteral("txBps"), 10},
                                                   {QStringLiteral("latencyMs"), 12.5},
                                                   {QStringLiteral("lossPct"), 0}}});
        m_state->setSlice(QStringLiteral("candidates"),
                          QJsonArray {QJsonObject {{QStringLiteral("interface"), QStringLiteral("usb0")}}});
    }

    std::unique_ptr<Client> admin()
    {
        auto c = std::make_unique<Client>();
        if (!c->open(m_port))
            return nullptr;
        const QJsonObject r = c->auth({{QStringLiteral("token"), m_localToken}});
        if (r.value(QStringLiteral("type")).toString() != QLatin1String("auth_ok"))
            return nullptr;
        return c;
    }

    QString deviceToken(Client &a, const QString &name, const QString &role)
    {
        const QJsonObject r =
            a.call(QStringLiteral("tokens.create"), {{QStringLiteral("name"), name}, {QStringLiteral("role"), role}});
        return r.value(QStringLiteral("result")).toObject().value(QStringLiteral("token")).toString();
    }

private Q_SLOTS:
    void init() { start(); }
    void cleanup()
    {
        m_server.reset();
        m_auth.reset();
    }

    void localTokenAuthenticatesAsAdmin()
    {
        Client c;
        QVERIFY(c.open(m_port));
        QCOMPARE(c.ws.subprotocol(), QStringLiteral("smoothwan.v1"));
        const QJsonObject r = c.auth({{QStringLiteral("token"), m_localToken}});
        QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("auth_ok"));
        QCOMPARE(r.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
        QVERIFY(r.value(QStringLiteral("local")).toBool());
        QVERIFY(r.value(QStringLiteral("setup_required")).toBool());
        QCOMPARE(r.value(QStringLiteral("session_token")).toString().size(), 64);
        c.send({{QStringLiteral("id"), 7}, {QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(c.waitType(QStringLiteral("pong")).value(QStringLiteral("id")).toInt(), 7);
        // The local token file is group-readable, nothing more.
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(m_auth->localTokenPath()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0640u);
    }

    // The touchscreen's group may read the local token: load() gives the file (new or existing)
    // to that group when it exists. Debian always has the group `nogroup`.
    void localTokenGoesToTheUisGroup()
    {
        if (::geteuid() != 0)
            QSKIP("changing a file's group needs root");
        struct group *nogroup = ::getgrnam("nogroup");
        if (!nogroup)
            QSKIP("this system has no group 'nogroup'");
        const gid_t gid = nogroup->gr_gid;
        QTemporaryDir dir;
        const QString tokenPath = dir.filePath(QStringLiteral("local-token"));
        struct stat st
        {
        };
        for (int round = 0; round < 2; ++round) { // round 0 creates the file, round 1 finds it
            if (round == 1)
                QCOMPARE(::chown(QFile::encodeName(tokenPath).constData(), static_cast<uid_t>(-1), 0), 0);
            AuthStore auth(*m_clock, dir.filePath(QStringLiteral("auth")), tokenPath, nullptr, true);
            auth.setLocalTokenGroup(QStringLiteral("nogroup"));
            QString error;
            QVERIFY2(auth.load(&error), qPrintable(error));
            QCOMPARE(::stat(QFile::encodeName(tokenPath).constData(), &st), 0);
            QCOMPARE(st.st_gid, gid);
            QCOMPARE(st.st_mode & 0777, 0640u);
        }
        // A group that does not exist leaves the file as it is.
        AuthStore other(*m_clock, dir.filePath(QStringLiteral("auth")), tokenPath, nullptr, true);
        other.setLocalTokenGroup(QStringLiteral("no-such-group-sw"));
        QString error;
        QVERIFY2(other.load(&error), qPrintable(error));
        QCOMPARE(::stat(QFile::encodeName(tokenPath).constData(), &st), 0);
        QCOMPARE(st.st_gid, gid);
    }

    void badTokenIsRefusedAndClosed()
    {
        Client c;
        QVERIFY(c.open(m_port));
        const QJsonObject r = c.auth({{QStringLiteral("token"), QStringLiteral("nope")}});
        QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("auth_invalid"));
        QVERIFY(c.waitClosed());
        QCOMPARE(int(c.ws.closeCode()), protocol::CloseAuthFailed);
    }

    void frameBeforeAuthCloses_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::newRow("command") << QByteArray(R"({"id":1,"type":"config.get"})");
        QTest::newRow("malformed") << QByteArray("{not json");
        QTest::newRow("array") << QByteArray("[]");
        QTest::newRow("auth-wrong-types") << QByteArray(R"({"type":"auth","token":5})");
    }
    void frameBeforeAuthCloses()
    {
        QFETCH(QByteArray, frame);
        Client c;
        QVERIFY(c.open(m_port));
        QVERIFY(!c.waitType(QStringLiteral("auth_required")).isEmpty());
        c.sendRaw(frame);
        QVERIFY(c.waitClosed());
        QCOMPARE(int(c.ws.closeCode()), protocol::CloseAuthFailed);
        QVERIFY(admin()); // the server lives on
    }

    void wrongSubprotocolIsRefused()
    {
        Client c;
        if (c.open(m_port, false))
            QVERIFY(c.waitClosed());
        QVERIFY(c.inbox.isEmpty() ||
                c.inbox.first().value(QStringLiteral("type")).toString() != QLatin1String("auth_ok"));
    }

    void passwordLoginSetupAndBackoff()
    {
        // No admin yet: password logins say so.
        {
            Client c;
            QVERIFY(c.open(m_port));
            const QJsonObject r = c.auth({{QStringLiteral("username"), QStringLiteral("root")},
                                          {QStringLiteral("password"), QStringLiteral("x")}});
            QCOMPARE(r.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                     QStringLiteral("setup_required"));
        }
        auto a = admin();
        QVERIFY(a);
        QVERIFY(ok(
            a->call(QStringLiteral("users.setup"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                    {QStringLiteral("password"), QStringLiteral("correct horse")}})));
        QCOMPARE(code(a->call(QStringLiteral("users.setup"),
                              {{QStringLiteral("username"), QStringLiteral("bob")},
                               {QStringLiteral("password"), QStringLiteral("correct horse")}})),
                 QStringLiteral("conflict"));
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(m_dir->filePath(QStringLiteral("auth/users.json"))).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QVERIFY(!readFile(m_dir->filePath(QStringLiteral("auth/users.json"))).contains("correct horse"));

        auto login = [&](const QString &user, const QString &password) {
            Client c;
            if (!c.open(m_port))
                return QJsonObject();
            return c.auth({{QStringLiteral("username"), user}, {QStringLiteral("password"), password}});
        };
        QJsonObject r = login(QStringLiteral("alice"), QStringLiteral("correct horse"));
        QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("auth_ok"));
        QCOMPARE(r.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
        const QString session = r.value(QStringLiteral("session_token")).toString();

        // Reconnect with the session token.
        {
            Client c;
            QVERIFY(c.open(m_port));
            const QJsonObject again = c.auth({{QStringLiteral("token"), session}});
            QCOMPARE(again.value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
        }
        for (int i = 0; i < AuthStore::MaxFailures; ++i) {
            r = login(QStringLiteral("alice"), QStringLiteral("wrong password"));
            QCOMPARE(r.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                     QStringLiteral("unauthorized"));
        }
        // Blocked now, even with the right password; the touchscreen is not.
        r = login(QStringLiteral("alice"), QStringLiteral("correct horse"));
        QCOMPARE(r.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("rate_limited"));
        QVERIFY(admin());
        // Blocks expire.
        m_clock->advance(AuthStore::BlockMs + 1);
        r = login(QStringLiteral("alice"), QStringLiteral("correct horse"));
        QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("auth_ok"));
        // Session tokens expire when idle.
        m_clock->advance(AuthStore::DefaultSessionIdleMs + 1);
        {
            Client c;
            QVERIFY(c.open(m_port));
            QCOMPARE(c.auth({{QStringLiteral("token"), session}}).value(QStringLiteral("type")).toString(),
                     QStringLiteral("auth_invalid"));
        }
    }

    void deviceTokensListAndRevoke()
    {
        auto a = admin();
        QVERIFY(a);
        const QString token = deviceToken(*a, QStringLiteral("Alice's laptop"), QStringLiteral("viewer"));
        QCOMPARE(token.size(), 64);
        const QJsonArray list = a->call(QStringLiteral("tokens.list"))
                                    .value(QStringLiteral("result"))
                                    .toObject()
                                    .value(QStringLiteral("tokens"))
                                    .toArray();
        QCOMPARE(list.size(), 1);
        QVERIFY(!QJsonDocument(list).toJson().contains(token.toLatin1()));
        QVERIFY(!readFile(m_dir->filePath(QStringLiteral("auth/users.json"))).contains(token.toLatin1()));
        {
            Client c;
            QVERIFY(c.open(m_port));
            QCOMPARE(c.auth({{QStringLiteral("token"), token}}).value(QStringLiteral("role")).toString(),
                     QStringLiteral("viewer"));
        }
        QVERIFY(
            ok(a->call(QStringLiteral("tokens.revoke"), {{QStringLiteral("name"), QStringLiteral("Alice's laptop")}})));
        QCOMPARE(code(a->call(QStringLiteral("tokens.revoke"),
                              {{QStringLiteral("name"), QStringLiteral("Alice's laptop")}})),
                 QStringLiteral("not_found"));
        Client c;
        QVERIFY(c.open(m_port));
        QCOMPARE(c.auth({{QStringLiteral("token"), token}}).value(QStringLiteral("type")).toString(),
                 QStringLiteral("auth_invalid"));
    }

    // Every registered command in every role: forbidden exactly below the command's role.
    void everyCommandInEveryRole()
    {
        auto a = admin();
        QVERIFY(a);
        const QStringList roles {QStringLiteral("viewer"), QStringLiteral("operator"), QStringLiteral("admin")};
        for (int r = 0; r < 3; ++r) {
            const QString token = deviceToken(*a, QStringLiteral("t") + roles[r], roles[r]);
            Client c;
            QVERIFY(c.open(m_port));
            QCOMPARE(c.auth({{QStringLiteral("token"), token}}).value(QStringLiteral("role")).toString(), roles[r]);
            for (const QString &name : m_server->commands().names()) {
                if (name == QLatin1String("session.logout"))
                    continue;
                const CommandSpec *spec = m_server->commands().find(name);
                const QJsonObject res = c.call(name, {});
                QVERIFY2(!res.isEmpty(), qPrintable(name));
                const bool forbidden = code(res) == QLatin1String("forbidden");
                QVERIFY2(forbidden == (r < int(spec->role)),
                         qPrintable(name + QLatin1Char('/') + roles[r] + QLatin1Char(' ') + code(res)));
            }
        }
        // Engine actions beyond connect/disconnect need admin.
        const QString op = deviceToken(*a, QStringLiteral("op2"), QStringLiteral("operator"));
        Client c;
        QVERIFY(c.open(m_port));
        c.auth({{QStringLiteral("token"), op}});
        QVERIFY(ok(c.call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("connect")}})));
        QCOMPARE(code(c.call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("set_mode")}})),
                 QStringLiteral("forbidden"));
        QVERIFY(ok(c.call(QStringLiteral("wan.set_enabled"),
                          {{QStringLiteral("wan"), QStringLiteral("lte")}, {QStringLiteral("enabled"), false}})));
        QCOMPARE(m_backend->m_config.wans[2].enabled, false);
        QCOMPARE(code(c.call(QStringLiteral("users.set_password"),
                             {{QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), QStringLiteral("12345678")}})),
                 QStringLiteral("forbidden"));
    }

    void commandsEditTheConfiguration()
    {
        auto a = admin();
        QVERIFY(a);
        QVERIFY(ok(a->call(QStringLiteral("wan.set_weight"),
                           {{QStringLiteral("wan"), QStringLiteral("wired")}, {QStringLiteral("weight"), 77}})));
        QCOMPARE(m_backend->m_config.wans[0].weight, 77);
        QCOMPARE(code(a->call(QStringLiteral("wan.set_weight"),
                              {{QStringLiteral("wan"), QStringLiteral("nope")}, {QStringLiteral("weight"), 7}})),
                 QStringLiteral("not_found"));
        QCOMPARE(code(a->call(QStringLiteral("wan.set_weight"),
                              {{QStringLiteral("wan"), QStringLiteral("wired")}, {QStringLiteral("weight"), 0}})),
                 QStringLiteral("invalid_format"));
        QCOMPARE(code(a->call(QStringLiteral("wan.set_weight"), {{QStringLiteral("wan"), QStringLiteral("wired")},
                                                                 {QStringLiteral("weight"), QStringLiteral("7")}})),
                 QStringLiteral("invalid_format"));
        QVERIFY(ok(a->call(QStringLiteral("wan.rename"), {{QStringLiteral("wan"), QStringLiteral("wired")},
                                                          {QStringLiteral("name"), QStringLiteral("fibre")}})));
        QCOMPARE(m_backend->m_config.routing.bypass[0].via, QStringLiteral("fibre"));
        QVERIFY(
            ok(a->call(QStringLiteral("wan.set_priority"), {{QStringLiteral("wan"), QStringLiteral("fibre")},
                                                            {QStringLiteral("priority"), QStringLiteral("backup")}})));
        QVERIFY(ok(a->call(QStringLiteral("wan.set_probe"),
                           {{QStringLiteral("wan"), QStringLiteral("fibre")},
                            {QStringLiteral("method"), QStringLiteral("tcp")},
                            {QStringLiteral("targets"),
                             QJsonArray {QStringLiteral("1.1.1.1:443"), QStringLiteral("[2606:4700::1111]:443")}},
                            {QStringLiteral("interval_ms"), 3000}})));
        QCOMPARE(m_backend->m_config.wans[0].probe.targets.size(), 2);
        QVERIFY(ok(a->call(QStringLiteral("wan.set_caps"), {{QStringLiteral("wan"), QStringLiteral("fibre")},
                                                            {QStringLiteral("monthly_bytes"), 1e9},
                                                            {QStringLiteral("action"), QStringLiteral("disable")}})));
        QCOMPARE(m_backend->m_config.wans[0].caps.monthlyBytes.value_or(0), 1000000000u);
        QVERIFY(ok(a->call(QStringLiteral("wan.adopt"), {{QStringLiteral("name"), QStringLiteral("phone2")},
                                                         {QStringLiteral("interface"), QStringLiteral("usb0")}})));
        QCOMPARE(code(a->call(QStringLiteral("wan.adopt"), {{QStringLiteral("name"), QStringLiteral("x")},
                                                            {QStringLiteral("interface"), QStringLiteral("eth7")}})),
                 QStringLiteral("not_found"));
        QVERIFY(
            ok(a->call(QStringLiteral("routing.set_policy"), {{QStringLiteral("policy"), QStringLiteral("balance")}})));
        QVERIFY(ok(a->call(QStringLiteral("routing.set_kill_switch"), {{QStringLiteral("enabled"), true}})));
        QVERIFY(ok(
            a->call(QStringLiteral("routing.bypass.create"), {{QStringLiteral("name"), QStringLiteral("nas")},
                                                              {QStringLiteral("source"), QStringLiteral("192.168.1.9")},
                                                              {QStringLiteral("around_bond"), true}})));
        QVERIFY(
            ok(a->call(QStringLiteral("routing.bypass.update"), {{QStringLiteral("name"), QStringLiteral("nas")},
                                                                 {QStringLiteral("via"), QStringLiteral("fibre")}})));
        QCOMPARE(m_backend->m_config.routing.bypass.last().via, QStringLiteral("fibre"));
        QVERIFY(
            ok(a->call(QStringLiteral("routing.bypass.delete"), {{QStringLiteral("name"), QStringLiteral("nas")}})));
        QCOMPARE(
            code(a->call(QStringLiteral("routing.bypass.delete"), {{QStringLiteral("name"), QStringLiteral("nas")}})),
            QStringLiteral("not_found"));
        // A change the loader refuses is refused as a whole.
        QCOMPARE(
            code(a->call(QStringLiteral("routing.bypass.create"), {{QStringLiteral("name"), QStringLiteral("any")},
                                                                   {QStringLiteral("protocol"), QStringLiteral("any")},
                                                                   {QStringLiteral("around_bond"), true}})),
            QStringLiteral("invalid_format"));
        const QJsonObject got = a->call(QStringLiteral("config.get"));
        QVERIFY(got.value(QStringLiteral("result"))
                    .toObject()
                    .value(QStringLiteral("yaml"))
                    .toString()
                    .contains(QStringLiteral("phone2")));
        QVERIFY(
            ok(a->call(QStringLiteral("config.validate"), {{QStringLiteral("yaml"), QStringLiteral("version: 1\n")}})));
        const QJsonObject bad =
            a->call(QStringLiteral("config.validate"), {{QStringLiteral("yaml"), QStringLiteral("wans: 5\n")}});
        QCOMPARE(code(bad), QStringLiteral("invalid_format"));
        QVERIFY(!bad.value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("details"))
                     .toObject()
                     .value(QStringLiteral("errors"))
                     .toArray()
                     .isEmpty());
        QVERIFY(
            ok(a->call(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QStringLiteral("version: 1\n")}})));
        QVERIFY(m_backend->m_config.wans.isEmpty());
        // Engine actions go through the facade.
        QVERIFY(ok(
            a->call(QStringLiteral("engine.action"),
                    {{QStringLiteral("name"), QStringLiteral("set_mode")},
                     {QStringLiteral("args"), QJsonObject {{QStringLiteral("mode"), QStringLiteral("redundant")}}}})));
        QCOMPARE(m_backend->actions.last().first, QStringLiteral("set_mode"));
        QCOMPARE(code(a->call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("unknown")}})),
                 QStringLiteral("not_found"));
        QCOMPARE(m_backend->actions.last().first, QStringLiteral("set_mode")); // unknown: refused by the API
        QCOMPARE(code(a->call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("logout")}})),
                 QStringLiteral("engine_error"));
        const QJsonObject threaded =
            a->call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("servers")}});
        QVERIFY(threaded.value(QStringLiteral("result")).toObject().value(QStringLiteral("thread")).toBool());
        QVERIFY(ok(a->call(QStringLiteral("speedtest.run"))));
        QCOMPARE(m_backend->actions.last().first, QStringLiteral("speedtest"));
        m_state->appendEvent(QStringLiteral("wan"), QStringLiteral("info"), QStringLiteral("hello"));
        QCOMPARE(a->call(QStringLiteral("events.list"), {{QStringLiteral("limit"), 1}})
                     .value(QStringLiteral("result"))
                     .toObject()
                     .value(QStringLiteral("events"))
                     .toArray()
                     .size(),
                 1);
    }

    // Snapshot + every delta, applied in order, is the server's document; rev goes up by one.
    void subscriptionReproducesTheDocument()
    {
        auto a = admin();
        QVERIFY(a);
        const QJsonObject r = a->call(QStringLiteral("subscribe"));
        QVERIFY(ok(r));
        const qint64 sub = r.value(QStringLiteral("id")).toInteger();
        QJsonObject snap = a->waitType(QStringLiteral("snapshot"));
        QCOMPARE(snap.value(QStringLiteral("sub")).toInteger(), sub);
        QJsonValue doc = snap.value(QStringLiteral("state"));
        qint64 rev = snap.value(QStringLiteral("rev")).toInteger();
        QCOMPARE(doc.toObject(), m_state->document());
        for (int i = 0; i < 30; ++i) {
            m_state->setSlice(QStringLiteral("wans"),
                              QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("wired")},
                                                       {QStringLiteral("rxBps"), i * 100}}});
            if (i % 3 == 0)
                m_state->appendEvent(QStringLiteral("wan"), QStringLiteral("info"), QStringLiteral("event %1").arg(i));
            if (i % 7 == 0)
                m_state->setSlice(QStringLiteral("engine"),
                                  i % 2 ? QJsonValue(QJsonObject {{QStringLiteral("state"), i}}) : QJsonValue());
            QTest::qWait(0);
        }
        while (doc.toObject() != m_state->document()) {
            const QJsonObject d = a->waitType(QStringLiteral("delta"));
            QVERIFY(!d.isEmpty());
            QCOMPARE(d.value(QStringLiteral("rev")).toInteger(), ++rev);
            QString why;
            QVERIFY2(protocol::JsonPatch::apply(doc, d.value(QStringLiteral("patch")).toArray(), &why),
                     qPrintable(why));
        }
        // Resync: a fresh snapshot with the next rev.
        QVERIFY(ok(a->call(QStringLiteral("resync"), {{QStringLiteral("subscription"), sub}})));
        snap = a->waitType(QStringLiteral("snapshot"));
        QCOMPARE(snap.value(QStringLiteral("rev")).toInteger(), rev + 1);
        QCOMPARE(snap.value(QStringLiteral("state")).toObject(), m_state->document());
        QCOMPARE(code(a->call(QStringLiteral("resync"), {{QStringLiteral("subscription"), 999}})),
                 QStringLiteral("not_found"));
        QVERIFY(ok(a->call(QStringLiteral("unsubscribe"), {{QStringLiteral("subscription"), sub}})));
    }

    void topicsAndCoalescing()
    {
        ApiServer::Options o;
        o.coalesceMs = 300;
        start(o);
        auto a = admin();
        QVERIFY(a);
        QVERIFY(ok(
            a->call(QStringLiteral("subscribe"), {{QStringLiteral("topics"), QJsonArray {QStringLiteral("wans")}}})));
        QJsonValue doc = a->waitType(QStringLiteral("snapshot")).value(QStringLiteral("state"));
        QVERIFY(!doc.toObject().contains(QStringLiteral("candidates")));
        QElapsedTimer t;
        t.start();
        int deltas = 0;
        for (int i = 0; i < 40; ++i) {
            m_state->setSlice(QStringLiteral("wans"), QJsonArray {QJsonObject {{QStringLiteral("rxBps"), i}}});
            m_state->setSlice(QStringLiteral("candidates"), QJsonArray {i});
            QTest::qWait(20);
        }
        const QJsonObject want {{QStringLiteral("wans"), m_state->slice(QStringLiteral("wans"))}};
        while (doc.toObject() != want) {
            const QJsonObject d = a->waitType(QStringLiteral("delta"));
            QVERIFY(!d.isEmpty());
            ++deltas;
            QVERIFY(protocol::JsonPatch::apply(doc, d.value(QStringLiteral("patch")).toArray()));
        }
        // ≤ 1 per 300 ms, plus the leading one.
        QVERIFY2(deltas <= int(t.elapsed() / 300) + 2, qPrintable(QString::number(deltas)));
    }

    void slowClientIsResynced()
    {
        ApiServer::Options o;
        o.sendQueueSoftBytes = 1; // every delta finds a non-empty queue: the client lives on snapshots
        start(o);
        auto a = admin();
        QVERIFY(a);
        QVERIFY(ok(a->call(QStringLiteral("subscribe"))));
        for (int i = 0; i < 50; ++i) {
            m_state->setSlice(QStringLiteral("wans"),
                              QJsonArray {QJsonObject {{QStringLiteral("rxBps"), i},
                                                       {QStringLiteral("pad"), QString(2000, QLatin1Char('x'))}}});
            QTest::qWait(0);
        }
        QJsonValue doc;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     while (!a->inbox.isEmpty()) {
                                         const QJsonObject m = a->inbox.takeFirst();
                                         if (m.value(QStringLiteral("type")).toString() == QLatin1String("snapshot"))
                                             doc = m.value(QStringLiteral("state"));
                                         else if (m.value(QStringLiteral("type")).toString() == QLatin1String("delta"))
                                             protocol::JsonPatch::apply(doc,
                                                                        m.value(QStringLiteral("patch")).toArray());
                                     }
                                     return doc.toObject() == m_state->document();
                                 }()),
                                 5000);
    }

    void historyQueries()
    {
        auto a = admin();
        QVERIFY(a);
        for (int i = 0; i < 5; ++i) {
            m_clock->advance(1000);
            m_server->sampleHistory();
        }
        const QJsonObject r = a->call(QStringLiteral("history.get"), {{QStringLiteral("wan"), QStringLiteral("wired")},
                                                                      {QStringLiteral("seconds"), 3}});
        const QJsonObject w = r.value(QStringLiteral("result"))
                                  .toObject()
                                  .value(QStringLiteral("wans"))
                                  .toObject()
                                  .value(QStringLiteral("wired"))
                                  .toObject();
        QCOMPARE(w.value(QStringLiteral("t")).toArray().size(), 3);
        QCOMPARE(w.value(QStringLiteral("rxBps")).toArray().first().toDouble(), 1000.0);
        QCOMPARE(w.value(QStringLiteral("latencyMs")).toArray().first().toDouble(), 12.5);
        QCOMPARE(code(a->call(QStringLiteral("history.get"), {{QStringLiteral("wan"), QStringLiteral("nope")}})),
                 QStringLiteral("not_found"));
    }

    void badInputKeepsTheConnection()
    {
        auto a = admin();
        QVERIFY(a);
        a->sendRaw("{broken");
        QCOMPARE(code(a->waitType(QStringLiteral("result"))), QStringLiteral("invalid_format"));
        a->sendRaw("[1,2]");
        QCOMPARE(code(a->waitType(QStringLiteral("result"))), QStringLiteral("invalid_format"));
        a->send({{QStringLiteral("id"), QStringLiteral("x")}, {QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(code(a->waitType(QStringLiteral("result"))), QStringLiteral("invalid_format"));
        a->send({{QStringLiteral("id"), 1.5}, {QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(code(a->waitType(QStringLiteral("result"))), QStringLiteral("invalid_format"));
        a->send({{QStringLiteral("id"), 3}, {QStringLiteral("type"), 5}});
        QCOMPARE(code(a->waitType(QStringLiteral("result"))), QStringLiteral("invalid_format"));
        QCOMPARE(code(a->call(QStringLiteral("no.such.command"))), QStringLiteral("unknown_command"));
        QCOMPARE(code(a->call(QStringLiteral("wan.set_enabled"), {{QStringLiteral("wan"), QStringLiteral("wired")},
                                                                  {QStringLiteral("enabled"), QStringLiteral("yes")}})),
                 QStringLiteral("invalid_format"));
        QCOMPARE(code(a->call(QStringLiteral("wan.set_enabled"), {{QStringLiteral("wan"), QStringLiteral("wired")},
                                                                  {QStringLiteral("enabled"), true},
                                                                  {QStringLiteral("extra"), 1}})),
                 QStringLiteral("invalid_format"));
        a->send({{QStringLiteral("id"), 9}, {QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(a->waitType(QStringLiteral("pong")).value(QStringLiteral("id")).toInt(), 9);
    }

    void oversizeFrameClosesOnlyThatConnection()
    {
        ApiServer::Options o;
        o.maxMessageBytes = 4096;
        start(o);
        auto a = admin();
        QVERIFY(a);
        a->sendRaw(QByteArray(R"({"id":1,"type":"ping","x":")") + QByteArray(10000, 'a') + "\"}");
        QVERIFY(a->waitClosed());
        QCOMPARE(int(a->ws.closeCode()), int(QWebSocketProtocol::CloseCodeTooMuchData));
        QVERIFY(admin());
    }

    void limits()
    {
        ApiServer::Options o;
        o.maxConnections = 2;
        o.commandsPerSecond = 1;
        o.commandBurst = 3;
        o.allowedOrigins = {QStringLiteral("http://router.lan")};
        start(o);
        auto a = admin();
        QVERIFY(a);
        for (int i = 0; i < 3; ++i)
            QVERIFY(ok(a->call(QStringLiteral("session.info"))));
        QCOMPARE(code(a->call(QStringLiteral("session.info"))), QStringLiteral("rate_limited"));
        m_clock->advance(1000);
        QVERIFY(ok(a->call(QStringLiteral("session.info"))));
        // Origin allow-list: a foreign browser origin is refused at the handshake.
        {
            Client evil(QStringLiteral("http://evil.example"));
            QVERIFY(!evil.open(m_port) || evil.waitClosed());
        }
        auto b = std::make_unique<Client>(QStringLiteral("http://router.lan"));
        QVERIFY(b->open(m_port));
        QVERIFY(!b->waitType(QStringLiteral("auth_required")).isEmpty());
        // The third connection is one too many.
        Client c;
        QVERIFY(c.open(m_port));
        QVERIFY(c.waitClosed());
        QCOMPARE(int(c.ws.closeCode()), protocol::CloseTooManyConnections);
    }

    void unauthenticatedConnectionsPerAddress()
    {
        ApiServer::Options o;
        o.maxUnauthenticatedPerAddress = 1;
        start(o);
        Client waiting;
        QVERIFY(waiting.open(m_port));
        QVERIFY(!waiting.waitType(QStringLiteral("auth_required")).isEmpty());
        Client second;
        QVERIFY(second.open(m_port));
        QVERIFY(second.waitClosed());
        QCOMPARE(int(second.ws.closeCode()), protocol::CloseTooManyConnections);
        waiting.send({{QStringLiteral("type"), QStringLiteral("auth")}, {QStringLiteral("token"), m_localToken}});
        QVERIFY(!waiting.waitType(QStringLiteral("auth_ok")).isEmpty());
        QVERIFY(admin());
    }

    void authTimeout()
    {
        ApiServer::Options o;
        o.authTimeoutMs = 100;
        start(o);
        Client c;
        QVERIFY(c.open(m_port));
        QVERIFY(c.waitClosed());
        QCOMPARE(int(c.ws.closeCode()), protocol::CloseAuthTimeout);
    }

    void refusesPublicAndWildcardAddresses()
    {
        QString error;
        QVERIFY(!m_server->listen({QHostAddress(QHostAddress::AnyIPv4)}, 0, std::nullopt, &error));
        QVERIFY(!m_server->listen({QHostAddress(QStringLiteral("8.8.8.8"))}, 0, std::nullopt, &error));
        QVERIFY(error.contains(QStringLiteral("8.8.8.8")));
    }

    void relistenKeepsConnections()
    {
        auto a = admin();
        QVERIFY(a);
        m_server->stopListening();
        QVERIFY(m_server->ports().isEmpty());
        QString error;
        QVERIFY(m_server->listen({QHostAddress(QHostAddress::LocalHost)}, 0, std::nullopt, &error));
        m_port = m_server->ports().value(0);
        QVERIFY(admin());
        QVERIFY(ok(a->call(QStringLiteral("session.info"))));
    }

    void tlsKeyCertificateAndPinning()
    {
        QTemporaryDir dir;
        QString error;
        const QString cert = dir.filePath(QStringLiteral("tls/cert.pem"));
        const QString key = dir.filePath(QStringLiteral("tls/key.pem"));
        auto tls = TlsIdentity::ensure(cert, key, &error);
        QVERIFY2(tls, qPrintable(error));
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(key).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        // A second start reuses the pair: clients pinned it.
        auto again = TlsIdentity::ensure(cert, key, &error);
        QVERIFY(again);
        QCOMPARE(again->fingerprint(), tls->fingerprint());
        QCOMPARE(tls->fingerprint().size(), 32 * 3 - 1);

        ApiServer::Options o;
        o.tlsOnLoopback = true;
        start(o, tls);
        QCOMPARE(m_state->slice(QStringLiteral("system"))
                     .toObject()
                     .value(QStringLiteral("tls"))
                     .toObject()
                     .value(QStringLiteral("fingerprint"))
                     .toString(),
                 tls->fingerprint());
        Client c;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone); // self-signed: the client pins instead
        c.ws.setSslConfiguration(ssl);
        QVERIFY(c.open(m_port, true, QStringLiteral("wss")));
        QCOMPARE(TlsIdentity::fingerprintOf(c.ws.sslConfiguration().peerCertificate()), tls->fingerprint());
        QCOMPARE(c.auth({{QStringLiteral("token"), m_localToken}}).value(QStringLiteral("type")).toString(),
                 QStringLiteral("auth_ok"));
    }

    // The hostile-string table in every string, enum and object field of every command:
    // invalid_format or not_found (passwords may hold anything: they are only hashed; enums take
    // only invalid_format), no child process at any moment, the connection and the server
    // survive. Then again after a configuration reload.
    void hostileStringsInEveryField()
    {
        auto a = admin();
        QVERIFY(a);
        for (int round = 0; round < 2; ++round) {
            ChildWatcher children;
            int enums = 0;
            int checked = 0;
            for (const QString &name : m_server->commands().names()) {
                const CommandSpec *spec = m_server->commands().find(name);
                if (name == QLatin1String("session.logout"))
                    continue;
                for (const ArgSpec &arg : spec->args) {
                    if (arg.type != ArgSpec::Type::String && arg.type != ArgSpec::Type::StringList &&
                        arg.type != ArgSpec::Type::Object && arg.type != ArgSpec::Type::Enum)
                        continue;
                    for (const QByteArray &hostile : HostileStrings) {
                        // The other required arguments get plausible values.
                        QJsonObject req;
                        for (const ArgSpec &other : spec->args) {
                            if (!other.required || other.name == arg.name)
                                continue;
                            switch (other.type) {
                            case ArgSpec::Type::String:
                                req.insert(other.name, other.kind == ArgSpec::Kind::Password
                                                           ? QStringLiteral("a good password")
                                                           : QStringLiteral("wired"));
                                break;
                            case ArgSpec::Type::Integer:
                                req.insert(other.name, other.min > 0 ? other.min : 1);
                                break;
                            case ArgSpec::Type::Boolean:
                                req.insert(other.name, true);
                                break;
                            case ArgSpec::Type::Enum:
                                req.insert(other.name, other.values.first());
                                break;
                            default:
                                break;
                            }
                        }
                        const QString value = QString::fromUtf8(hostile);
                        if (arg.type == ArgSpec::Type::String || arg.type == ArgSpec::Type::Enum)
                            req.insert(arg.name, value);
                        else if (arg.type == ArgSpec::Type::StringList)
                            req.insert(arg.name, QJsonArray {value});
                        else
                            req.insert(arg.name, QJsonObject {{QStringLiteral("x"), value}});
                        const QJsonObject res = a->call(name, req);
                        QVERIFY2(!res.isEmpty(), qPrintable(name));
                        const QString c = code(res);
                        const bool accepted = arg.type == ArgSpec::Type::Enum
                                                  ? c == QLatin1String("invalid_format")
                                                  : c == QLatin1String("invalid_format") ||
                                                        c == QLatin1String("not_found") ||
                                                        (arg.kind == ArgSpec::Kind::Password &&
                                                         (ok(res) || c == QLatin1String("conflict")));
                        enums += arg.type == ArgSpec::Type::Enum;
                        QVERIFY2(accepted, qPrintable(QStringLiteral("%1.%2 = %3 -> %4")
                                                          .arg(name, arg.name, value.left(20),
                                                               c.isEmpty() ? QStringLiteral("success") : c)));
                        ++checked;
                        children.sample(); // after every answer too, not only when the timer gets a turn
                    }
                }
            }
            QVERIFY(checked > 200);
            QVERIFY(enums >= 10 * HostileStrings.size());
            children.sample();
            QVERIFY(children.samples > 10);
            QCOMPARE(children.maxSeen, 0);
            QCOMPARE(childProcesses(), 0);
            // Nothing hostile was stored: the configuration still loads and is unchanged in shape.
            ConfigErrors errors;
            QVERIFY(ConfigLoader::loadString(ConfigWriter::toYaml(m_backend->m_config), QStringLiteral("x"), &errors));
            // Reload (re-apply) the configuration and go again.
            QVERIFY(
                ok(a->call(QStringLiteral("config.apply"),
                           {{QStringLiteral("yaml"), QString::fromUtf8(ConfigWriter::toYaml(m_backend->m_config))}})));
        }
        a->send({{QStringLiteral("id"), 99999}, {QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(a->waitType(QStringLiteral("pong")).value(QStringLiteral("id")).toInt(), 99999);
    }

    // The watcher used above does see a child, even a short-lived one.
    void childWatcherSeesChildren()
    {
        ChildWatcher children;
        QProcess p;
        p.start(QStringLiteral("/bin/sleep"), {QStringLiteral("0.1")});
        QVERIFY(p.waitForStarted());
        QSignalSpy finished(&p, &QProcess::finished);
        QVERIFY(finished.wait(5000));
        QVERIFY(children.maxSeen >= 1);
        QTRY_COMPARE(childProcesses(), 0);
    }

    // Bytes that are not UTF-8 on the wire. A binary frame (which can carry them) is a protocol
    // error, before and after authentication; a hand-made text frame with raw \xff\xfe inside a
    // JSON string is refused by the WebSocket layer (1007) before any command sees it. Nothing is
    // applied, and the server keeps serving the other clients.
    void invalidUtf8OnTheWire()
    {
        auto bystander = admin();
        QVERIFY(bystander);
        const QByteArray bad = "{\"id\":1,\"type\":\"wan.rename\",\"wan\":\"wired\",\"name\":\"\xff\xfe\"}";
        {
            auto a = admin();
            QVERIFY(a);
            a->ws.sendBinaryMessage(bad);
            QVERIFY(a->waitClosed());
            QCOMPARE(int(a->ws.closeCode()), protocol::CloseProtocolError);
        }
        {
            Client c;
            QVERIFY(c.open(m_port));
            QVERIFY(!c.waitType(QStringLiteral("auth_required")).isEmpty());
            c.ws.sendBinaryMessage("{\"type\":\"auth\",\"token\":\"\xff\xfe\"}");
            QVERIFY(c.waitClosed());
            QCOMPARE(int(c.ws.closeCode()), protocol::CloseProtocolError);
        }
        const QList<QByteArray> payloads = {bad, QByteArray("\xff\xfe"),
                                            QByteArray("{\"id\":2,\"type\":\"ping\",\"x\":\"\xc3\x28\"}")};
        for (bool authenticated : {false, true}) {
            for (const QByteArray &payload : payloads) {
                RawClient r;
                QVERIFY(r.connectTo(m_port));
                QVERIFY(r.handshake());
                if (authenticated)
                    r.sendFrame(0x1, QJsonDocument(QJsonObject {{QStringLiteral("type"), QStringLiteral("auth")},
                                                                {QStringLiteral("token"), m_localToken}})
                                         .toJson(QJsonDocument::Compact));
                r.sendFrame(0x1, payload);
                QVERIFY(r.waitDisconnected(5000));
                if (authenticated)
                    QVERIFY(r.buffer.contains("auth_ok"));
                QVERIFY(!r.buffer.contains("\"result\""));
                QCOMPARE(r.closeCode(), 1007); // QWebSocketProtocol::CloseCodeWrongDatatype
            }
        }
        QCOMPARE(m_backend->applied, 0);
        QVERIFY(!ConfigWriter::toYaml(m_backend->m_config).contains("\xff\xfe"));
        QVERIFY(ok(bystander->call(QStringLiteral("session.info"))));
        QVERIFY(admin());
    }

    // Stored injection: hostile values offered for storage (configuration YAML, a WAN rename, a
    // bypass rule, a token name) are all refused with invalid_format, and nothing hostile reaches
    // the stored configuration or the auth file; again after a clean reload.
    void hostileValuesAreNeverStored()
    {
        m_backend->storedPath = m_dir->filePath(QStringLiteral("config.yaml"));
        auto a = admin();
        QVERIFY(a);
        const QByteArray example = readFile(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml"));
        const QByteArray clean = ConfigWriter::toYaml(m_backend->m_config);
        QVERIFY(ok(a->call(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QString::fromUtf8(clean)}})));
        QCOMPARE(readFile(m_backend->storedPath), clean);

        auto refused = [&](const QString &type, const QJsonObject &args, const QString &what) {
            const QJsonObject res = a->call(type, args);
            const QString c = code(res);
            if (c != QLatin1String("invalid_format"))
                qWarning("%s: %s -> %s", qPrintable(type), qPrintable(what.left(40)),
                         qPrintable(c.isEmpty() ? QStringLiteral("success") : c));
            return c == QLatin1String("invalid_format");
        };
        auto noneStored = [&] {
            const QByteArray stored = readFile(m_backend->storedPath);
            const QByteArray auth = readFile(m_dir->filePath(QStringLiteral("auth")));
            for (const QByteArray &hostile : HostileStrings) {
                const QByteArray utf8 = QString::fromUtf8(hostile).toUtf8();
                QList<QByteArray> forms = {utf8, quoted(QString::fromUtf8(hostile))};
                if (hostile.contains('\n')) // "a\nb" may span two lines by chance; its escapes may not
                    forms.removeFirst();
                for (const QByteArray &form : forms)
                    if (stored.contains(form) || auth.contains(form))
                        return false;
            }
            // Every stored name is still one of the clean configuration's.
            ConfigErrors errors;
            auto c = ConfigLoader::loadString(stored, QStringLiteral("stored"), &errors);
            return c && ConfigWriter::toYaml(*c) == clean;
        };

        for (int round = 0; round < 2; ++round) {
            for (const QByteArray &hostile : HostileStrings) {
                const QString value = QString::fromUtf8(hostile);
                const QByteArray q = quoted(value);
                if (round == 0) {
                    QByteArray y = example;
                    y.replace("name: wired", QByteArray(QByteArray("name: ") + q))
                        .replace("via: wired", QByteArray(QByteArray("via: ") + q));
                    QVERIFY(refused(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QString::fromUtf8(y)}},
                                    QStringLiteral("wan name ") + value));
                    y = example;
                    y.replace("name: work-laptop", QByteArray(QByteArray("name: ") + q));
                    QVERIFY(refused(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QString::fromUtf8(y)}},
                                    QStringLiteral("bypass name ") + value));
                    // Every hostile value is refused as an interface name too: interface names are
                    // letters, digits, '.', '_', '-' and '@' only (stricter than the kernel).
                    y = example;
                    y.replace("interface: eth0", QByteArray(QByteArray("interface: ") + q));
                    QVERIFY(refused(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QString::fromUtf8(y)}},
                                    QStringLiteral("interface ") + value));
                }
                QVERIFY(refused(QStringLiteral("wan.rename"),
                                {{QStringLiteral("wan"), QStringLiteral("wired")}, {QStringLiteral("name"), value}},
                                value));
                QVERIFY(refused(QStringLiteral("routing.bypass.create"),
                                {{QStringLiteral("name"), value}, {QStringLiteral("via"), QStringLiteral("wired")}},
                                value));
                QVERIFY(refused(QStringLiteral("routing.bypass.create"),
                                {{QStringLiteral("name"), QStringLiteral("fine")}, {QStringLiteral("via"), value}},
                                value));
                QVERIFY(refused(QStringLiteral("tokens.create"),
                                {{QStringLiteral("name"), value}, {QStringLiteral("role"), QStringLiteral("viewer")}},
                                value));
            }
            QVERIFY(noneStored());
            const QJsonArray tokens = a->call(QStringLiteral("tokens.list"))
                                          .value(QStringLiteral("result"))
                                          .toObject()
                                          .value(QStringLiteral("tokens"))
                                          .toArray();
            for (const QJsonValue &t : tokens)
                for (const QByteArray &hostile : HostileStrings)
                    QVERIFY(t.toObject().value(QStringLiteral("name")).toString() != QString::fromUtf8(hostile));
            // Reload the clean configuration, then the subset again.
            QVERIFY(ok(a->call(QStringLiteral("config.apply"), {{QStringLiteral("yaml"), QString::fromUtf8(clean)}})));
        }
        QVERIFY(noneStored());
    }

    // A TCP connection that never completes the WebSocket handshake is dropped after
    // handshakeTimeoutMs; one that sends half a request likewise. The server keeps serving.
    void handshakeTimeoutClosesSilentConnections()
    {
        ApiServer::Options o;
        o.handshakeTimeoutMs = 200;
        start(o);
        RawClient silent;
        RawClient partial;
        QElapsedTimer t;
        t.start();
        QVERIFY(silent.connectTo(m_port));
        QVERIFY(partial.connectTo(m_port));
        partial.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
        partial.socket.flush();
        QVERIFY(silent.waitDisconnected(5000));
        QVERIFY(partial.waitDisconnected(5000));
        QVERIFY2(t.elapsed() >= 150, qPrintable(QString::number(t.elapsed())));
        QVERIFY(!silent.buffer.contains("101"));
        QVERIFY(!partial.buffer.contains("101"));
        // A prompt client is unaffected.
        auto a = admin();
        QVERIFY(a);
        QVERIFY(ok(a->call(QStringLiteral("session.info"))));
    }

    // A password login whose hash is still being checked when the password changes or the user is
    // deleted opens no session (the old password must not work after the change); a role changed
    // meanwhile is the role the session gets.
    void passwordLoginRacingACredentialChange()
    {
        QString message;
        QCOMPARE(m_auth->createUser(QStringLiteral("alice"), Role::Admin, QStringLiteral("alice pw 1"), &message),
                 QString());
        QCOMPARE(m_auth->createUser(QStringLiteral("bob"), Role::Viewer, QStringLiteral("bob pw 1"), &message),
                 QString());
        QCOMPARE(m_auth->createUser(QStringLiteral("carol"), Role::Viewer, QStringLiteral("carol pw 1"), &message),
                 QString());
        std::optional<AuthStore::LoginResult> alice, bob, carol;
        const QString peer = QStringLiteral("127.0.0.1");
        m_auth->loginWithPassword(QStringLiteral("alice"), QStringLiteral("alice pw 1"), peer,
                                  [&](const AuthStore::LoginResult &r) { alice = r; });
        m_auth->loginWithPassword(QStringLiteral("bob"), QStringLiteral("bob pw 1"), peer,
                                  [&](const AuthStore::LoginResult &r) { bob = r; });
        m_auth->loginWithPassword(QStringLiteral("carol"), QStringLiteral("carol pw 1"), peer,
                                  [&](const AuthStore::LoginResult &r) { carol = r; });
        // The checks finish on the event loop, so after these changes.
        QCOMPARE(m_auth->setPassword(QStringLiteral("alice"), QStringLiteral("alice pw 2"), &message), QString());
        QCOMPARE(m_auth->deleteUser(QStringLiteral("bob"), &message), QString());
        QCOMPARE(m_auth->setRole(QStringLiteral("carol"), Role::Operator, &message), QString());
        QTRY_VERIFY(alice && bob && carol);
        QVERIFY(!alice->identity);
        QCOMPARE(alice->code, QStringLiteral("unauthorized"));
        QVERIFY(!bob->identity);
        QCOMPARE(bob->code, QStringLiteral("unauthorized"));
        QVERIFY(carol->identity);
        QCOMPARE(carol->identity->role, Role::Operator);
    }

    // A password change closes every other connection of that user with 4401 "credentials
    // changed" (nothing more is served on them); the connection that made the change stays, and so
    // does its session token; other users and the local token are untouched.
    void passwordChangeClosesTheUsersOtherConnections()
    {
        auto local = admin();
        QVERIFY(local);
        QVERIFY(ok(
            local->call(QStringLiteral("users.setup"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                        {QStringLiteral("password"), QStringLiteral("alice pw 1")}})));
        QVERIFY(ok(
            local->call(QStringLiteral("users.create"), {{QStringLiteral("username"), QStringLiteral("bob")},
                                                         {QStringLiteral("role"), QStringLiteral("viewer")},
                                                         {QStringLiteral("password"), QStringLiteral("bob pw 1")}})));
        QString changerSession;
        QString otherSession;
        auto changer = login(QStringLiteral("alice"), QStringLiteral("alice pw 1"), &changerSession);
        auto other = login(QStringLiteral("alice"), QStringLiteral("alice pw 1"), &otherSession);
        auto bob = login(QStringLiteral("bob"), QStringLiteral("bob pw 1"));
        QVERIFY(changer && other && bob);
        QVERIFY(ok(other->call(QStringLiteral("subscribe"),
                               {{QStringLiteral("topics"), QJsonArray {QStringLiteral("wans")}}})));

        QVERIFY(ok(changer->call(QStringLiteral("users.set_password"),
                                 {{QStringLiteral("username"), QStringLiteral("alice")},
                                  {QStringLiteral("password"), QStringLiteral("alice pw 2")}})));
        QVERIFY2(endedByCredentialChange(*other).isEmpty(), qPrintable(endedByCredentialChange(*other)));
        QVERIFY(stillServed(*changer));
        QVERIFY(stillServed(*bob));
        QVERIFY(stillServed(*local));
        // The changer keeps its session token; the closed connection's ended with it.
        QVERIFY(tokenLogin(changerSession));
        QVERIFY(!tokenLogin(otherSession));
        QVERIFY(login(QStringLiteral("alice"), QStringLiteral("alice pw 2")));

        // An admin (here the local token) changing bob's password closes bob's connection only.
        QVERIFY(ok(local->call(QStringLiteral("users.set_password"),
                               {{QStringLiteral("username"), QStringLiteral("bob")},
                                {QStringLiteral("password"), QStringLiteral("bob pw 2")}})));
        QVERIFY2(endedByCredentialChange(*bob).isEmpty(), qPrintable(endedByCredentialChange(*bob)));
        QVERIFY(stillServed(*changer));
        QVERIFY(stillServed(*local));
    }

    // A role change or a deletion closes all of the user's connections, so none keeps serving the
    // old role; the user logs in again with the new one (or not at all once deleted).
    void roleChangeAndDeletionCloseAllTheUsersConnections()
    {
        auto local = admin();
        QVERIFY(local);
        QVERIFY(ok(
            local->call(QStringLiteral("users.setup"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                        {QStringLiteral("password"), QStringLiteral("alice pw 1")}})));
        for (const char *name : {"bob", "carol"})
            QVERIFY(ok(local->call(QStringLiteral("users.create"),
                                   {{QStringLiteral("username"), QLatin1String(name)},
                                    {QStringLiteral("role"), QStringLiteral("viewer")},
                                    {QStringLiteral("password"), QStringLiteral("user pw 1")}})));
        auto alice = login(QStringLiteral("alice"), QStringLiteral("alice pw 1"));
        auto bob1 = login(QStringLiteral("bob"), QStringLiteral("user pw 1"));
        auto bob2 = login(QStringLiteral("bob"), QStringLiteral("user pw 1"));
        auto carol = login(QStringLiteral("carol"), QStringLiteral("user pw 1"));
        QVERIFY(alice && bob1 && bob2 && carol);
        QCOMPARE(code(bob1->call(QStringLiteral("engine.disconnect"))), QStringLiteral("forbidden"));

        QVERIFY(
            ok(alice->call(QStringLiteral("users.set_role"), {{QStringLiteral("username"), QStringLiteral("bob")},
                                                              {QStringLiteral("role"), QStringLiteral("operator")}})));
        QVERIFY2(endedByCredentialChange(*bob1).isEmpty(), qPrintable(endedByCredentialChange(*bob1)));
        QVERIFY2(endedByCredentialChange(*bob2).isEmpty(), qPrintable(endedByCredentialChange(*bob2)));
        QVERIFY(stillServed(*alice));
        QVERIFY(stillServed(*carol));
        QVERIFY(stillServed(*local));
        // Logged in again, bob has the new role.
        {
            Client c;
            QVERIFY(c.open(m_port));
            const QJsonObject r = c.auth({{QStringLiteral("username"), QStringLiteral("bob")},
                                          {QStringLiteral("password"), QStringLiteral("user pw 1")}});
            QCOMPARE(r.value(QStringLiteral("role")).toString(), QStringLiteral("operator"));
            QVERIFY(ok(c.call(QStringLiteral("engine.disconnect"))));
        }

        auto bob3 = login(QStringLiteral("bob"), QStringLiteral("user pw 1"));
        QVERIFY(bob3);
        QVERIFY(ok(alice->call(QStringLiteral("users.delete"), {{QStringLiteral("username"), QStringLiteral("bob")}})));
        QVERIFY2(endedByCredentialChange(*bob3).isEmpty(), qPrintable(endedByCredentialChange(*bob3)));
        QVERIFY(!login(QStringLiteral("bob"), QStringLiteral("user pw 1")));
        QVERIFY(stillServed(*alice));
        QVERIFY(stillServed(*carol));

        // An admin who changes their own role gets the answer, then their connections close too.
        QVERIFY(ok(local->call(QStringLiteral("users.set_role"), {{QStringLiteral("username"), QStringLiteral("carol")},
                                                                  {QStringLiteral("role"), QStringLiteral("admin")}})));
        QVERIFY2(endedByCredentialChange(*carol).isEmpty(), qPrintable(endedByCredentialChange(*carol)));
        auto alice2 = login(QStringLiteral("alice"), QStringLiteral("alice pw 1"));
        QVERIFY(alice2);
        QVERIFY(
            ok(alice->call(QStringLiteral("users.set_role"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                              {QStringLiteral("role"), QStringLiteral("viewer")}})));
        QVERIFY2(endedByCredentialChange(*alice).isEmpty(), qPrintable(endedByCredentialChange(*alice)));
        QVERIFY2(endedByCredentialChange(*alice2).isEmpty(), qPrintable(endedByCredentialChange(*alice2)));
        QVERIFY(stillServed(*local));
    }

    // Revoking a device token closes the connections it authenticated, including those that came
    // back with the session token it gave; its sessions end. Other tokens and the local token
    // (whose user owns these device tokens) are untouched.
    void revokingADeviceTokenClosesItsConnections()
    {
        auto local = admin();
        QVERIFY(local);
        const QString laptop = deviceToken(*local, QStringLiteral("laptop"), QStringLiteral("viewer"));
        const QString phone = deviceToken(*local, QStringLiteral("phone"), QStringLiteral("viewer"));
        QString laptopSession;
        auto viaToken = tokenLogin(laptop, &laptopSession);
        QVERIFY(viaToken);
        auto viaSession = tokenLogin(laptopSession);
        auto viaPhone = tokenLogin(phone);
        QVERIFY(viaSession && viaPhone);

        QVERIFY(ok(local->call(QStringLiteral("tokens.revoke"), {{QStringLiteral("name"), QStringLiteral("laptop")}})));
        QVERIFY2(endedByCredentialChange(*viaToken).isEmpty(), qPrintable(endedByCredentialChange(*viaToken)));
        QVERIFY2(endedByCredentialChange(*viaSession).isEmpty(), qPrintable(endedByCredentialChange(*viaSession)));
        QVERIFY(stillServed(*viaPhone));
        QVERIFY(stillServed(*local));
        QVERIFY(!tokenLogin(laptop));
        QVERIFY(!tokenLogin(laptopSession));
        QVERIFY(tokenLogin(phone));
        QVERIFY(admin());
    }

    // A device token never grants more than its owner has now: an admin who made an admin token
    // and is then demoted cannot get the admin role back through that token.
    void aDeviceTokenFollowsItsOwnersDemotion()
    {
        auto local = admin();
        QVERIFY(local);
        QVERIFY(ok(
            local->call(QStringLiteral("users.setup"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                        {QStringLiteral("password"), QStringLiteral("alice pw 1")}})));
        QVERIFY(ok(
            local->call(QStringLiteral("users.create"), {{QStringLiteral("username"), QStringLiteral("dave")},
                                                         {QStringLiteral("role"), QStringLiteral("admin")},
                                                         {QStringLiteral("password"), QStringLiteral("dave pw 1")}})));
        auto dave = login(QStringLiteral("dave"), QStringLiteral("dave pw 1"));
        QVERIFY(dave);
        const QString tablet = deviceToken(*dave, QStringLiteral("tablet"), QStringLiteral("admin"));
        QVERIFY(!tablet.isEmpty());
        auto viaTablet = tokenLogin(tablet);
        QVERIFY(viaTablet);
        QVERIFY(ok(viaTablet->call(QStringLiteral("users.list"))));

        QVERIFY(
            ok(local->call(QStringLiteral("users.set_role"), {{QStringLiteral("username"), QStringLiteral("dave")},
                                                              {QStringLiteral("role"), QStringLiteral("viewer")}})));
        QVERIFY2(endedByCredentialChange(*viaTablet).isEmpty(), qPrintable(endedByCredentialChange(*viaTablet)));
        Client again;
        QVERIFY(again.open(m_port));
        const QJsonObject r = again.auth({{QStringLiteral("token"), tablet}});
        QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("auth_ok"));
        QCOMPARE(r.value(QStringLiteral("role")).toString(), QStringLiteral("viewer"));
        QCOMPARE(code(again.call(QStringLiteral("users.list"))), QStringLiteral("forbidden"));
    }

private:
    std::unique_ptr<Client> connectWith(const QJsonObject &credentials, QString *session)
    {
        auto c = std::make_unique<Client>();
        if (!c->open(m_port))
            return nullptr;
        const QJsonObject r = c->auth(credentials);
        if (r.value(QStringLiteral("type")).toString() != QLatin1String("auth_ok"))
            return nullptr;
        if (session)
            *session = r.value(QStringLiteral("session_token")).toString();
        return c;
    }
    std::unique_ptr<Client> login(const QString &user, const QString &password, QString *session = nullptr)
    {
        return connectWith({{QStringLiteral("username"), user}, {QStringLiteral("password"), password}}, session);
    }
    std::unique_ptr<Client> tokenLogin(const QString &token, QString *session = nullptr)
    {
        return connectWith({{QStringLiteral("token"), token}}, session);
    }

    // Empty when `c` was closed with 4401 "credentials changed" and nothing more is served on it.
    static QString endedByCredentialChange(Client &c)
    {
        if (!c.waitClosed())
            return QStringLiteral("the connection is still open");
        if (int(c.ws.closeCode()) != protocol::CloseAuthFailed ||
            c.ws.closeReason() != QLatin1String("credentials changed"))
            return QStringLiteral("closed with %1 '%2'").arg(int(c.ws.closeCode())).arg(c.ws.closeReason());
        if (c.ws.state() != QAbstractSocket::UnconnectedState)
            return QStringLiteral("the socket is not closed");
        c.inbox.clear();
        c.send({{QStringLiteral("id"), 999}, {QStringLiteral("type"), QStringLiteral("session.info")}});
        QTest::qWait(50);
        if (!c.inbox.isEmpty())
            return QStringLiteral("a request was answered after the close");
        return {};
    }

    static bool stillServed(Client &c) { return !c.closed && ok(c.call(QStringLiteral("session.info"))); }
};

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"

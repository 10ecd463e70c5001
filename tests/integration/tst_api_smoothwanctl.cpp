// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwanctl against an in-process API server: output, --json, exit codes, certificate pinning
// and the live watch view. The CLI runs as a child via QProcess with an argv list. The watch view's
// resync (a gap in rev, a patch that does not apply) and reconnect are driven by a scripted
// smoothwan.v1 server in this process, which sends exactly the frames each test wants.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "ConfigLoader.h"
#include "StateStore.h"
#include "TlsIdentity.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <unistd.h>

#include <memory>

using namespace smoothwan;

namespace {

class FakeBackend final : public ApiBackend
{
public:
    Config m_config;
    const Config &config() const override { return m_config; }
    QString configPath() const override { return {}; }
    bool applyConfig(const QByteArray &yaml, ConfigErrors *errors) override
    {
        auto c = ConfigLoader::loadString(yaml, QStringLiteral("api"), errors);
        if (c)
            m_config = *c;
        return c.has_value();
    }
    QFuture<EngineActionResult> engineAction(const QString &name, const QJsonObject &args) override
    {
        m_actions.append({name, args});
        return QtFuture::makeReadyFuture(EngineActionResult {true, QJsonObject {}, {}, {}});
    }
    QList<QPair<QString, QJsonObject>> m_actions; // what reached the engine, in order
};

// A smoothwan.v1 server that accepts any auth, answers subscribe and resync with a result and
// otherwise does only what the test tells it: the frames smoothwanctl sends are kept in `received`.
class ScriptedServer
{
public:
    ScriptedServer()
        : m_server(QStringLiteral("scripted"), QWebSocketServer::NonSecureMode)
    {
        m_server.setSupportedSubprotocols({QStringLiteral("smoothwan.v1")});
        QObject::connect(&m_server, &QWebSocketServer::newConnection, [this] {
            while (QWebSocket *ws = m_server.nextPendingConnection()) {
                ++connections;
                m_socket.reset(ws);
                QObject::connect(ws, &QWebSocket::textMessageReceived, [this](const QString &t) { onText(t); });
                send({{QStringLiteral("type"), QStringLiteral("auth_required")},
                      {QStringLiteral("server_version"), QStringLiteral("0.1.0")},
                      {QStringLiteral("api_minor"), 0}});
            }
        });
    }
    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_server.serverPort(); }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1").arg(m_port ? m_port : port()); }
    // Drops the connection (as a crashed or restarted daemon would) and, with `stop`, the listener.
    void drop(bool stop)
    {
        m_port = port();
        if (m_socket)
            m_socket->abort();
        m_socket.reset();
        if (stop)
            m_server.close();
    }

    void send(const QJsonObject &frame)
    {
        if (m_socket)
            m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }
    void snapshot(qint64 rev, const QString &wan, double rxBps)
    {
        send({{QStringLiteral("type"), QStringLiteral("snapshot")},
              {QStringLiteral("sub"), subscription},
              {QStringLiteral("rev"), rev},
              {QStringLiteral("store_rev"), rev},
              {QStringLiteral("state"),
               QJsonObject {
                   {QStringLiteral("wans"), QJsonArray {QJsonObject {{QStringLiteral("name"), wan},
                                                                     {QStringLiteral("state"), QStringLiteral("up")},
                                                                     {QStringLiteral("rxBps"), rxBps},
                                                                     {QStringLiteral("txBps"), 1000}}}}}}});
    }
    void delta(qint64 rev, const QJsonArray &patch)
    {
        send({{QStringLiteral("type"), QStringLiteral("delta")},
              {QStringLiteral("sub"), subscription},
              {QStringLiteral("rev"), rev},
              {QStringLiteral("store_rev"), rev},
              {QStringLiteral("patch"), patch}});
    }
    int count(const QString &type) const
    {
        return int(std::count_if(received.begin(), received.end(), [&](const QJsonObject &m) {
            return m.value(QStringLiteral("type")).toString() == type;
        }));
    }

    QList<QJsonObject> received;
    qint64 subscription = 0; // the id of the last subscribe
    int subscribes = 0;
    int connections = 0;

private:
    void onText(const QString &text)
    {
        const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
        received.append(m);
        const QString type = m.value(QStringLiteral("type")).toString();
        const QJsonValue id = m.value(QStringLiteral("id"));
        if (type == QLatin1String("auth")) {
            send({{QStringLiteral("type"), QStringLiteral("auth_ok")},
                  {QStringLiteral("user"), QStringLiteral("local")},
                  {QStringLiteral("role"), QStringLiteral("admin")},
                  {QStringLiteral("local"), true},
                  {QStringLiteral("session_token"), QString(64, QLatin1Char('a'))}});
        } else if (type == QLatin1String("subscribe")) {
            subscription = id.toInteger();
            ++subscribes;
            send({{QStringLiteral("id"), id},
                  {QStringLiteral("type"), QStringLiteral("result")},
                  {QStringLiteral("success"), true},
                  {QStringLiteral("result"), QJsonObject {{QStringLiteral("subscription"), id}}}});
        } else if (type == QLatin1String("resync")) {
            send({{QStringLiteral("id"), id},
                  {QStringLiteral("type"), QStringLiteral("result")},
                  {QStringLiteral("success"), true},
                  {QStringLiteral("result"),
                   QJsonObject {{QStringLiteral("subscription"), m.value(QStringLiteral("subscription"))}}}});
        }
    }

    QWebSocketServer m_server;
    std::unique_ptr<QWebSocket> m_socket;
    quint16 m_port = 0;
};

// The last frame `watch` drew (after the last cursor-home), without the escape sequences.
QByteArray lastFrame(const QByteArray &out)
{
    QByteArray f = out.mid(out.lastIndexOf("\x1b[H") + 3);
    for (const char *seq : {"\x1b[K", "\x1b[J", "\x1b[7m", "\x1b[0m"})
        f.replace(seq, "");
    return f;
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestSmoothwanctl : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    ManualClock m_clock;
    std::unique_ptr<StateStore> m_state;
    std::unique_ptr<AuthStore> m_auth;
    FakeBackend m_backend;
    std::unique_ptr<ApiServer> m_server;
    QString m_token;
    QString m_url;

    void start(const std::optional<TlsIdentity> &tls = std::nullopt)
    {
        m_server.reset();
        m_state = std::make_unique<StateStore>(m_clock);
        m_auth = std::make_unique<AuthStore>(m_clock, m_dir.filePath(QStringLiteral("auth")),
                                             m_dir.filePath(QStringLiteral("local-token")), nullptr, true);
        QString error;
        QVERIFY(m_auth->load(&error));
        QFile f(m_dir.filePath(QStringLiteral("local-token")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_token = QString::fromLatin1(f.readAll().trimmed());
        ApiServer::Options o;
        o.coalesceMs = 0;
        o.tlsOnLoopback = tls.has_value();
        m_server = std::make_unique<ApiServer>(m_clock, *m_state, *m_auth, m_backend, o);
        registerApiCommands(m_server->commands(), m_backend, *m_auth, *m_state);
        QVERIFY(m_server->listen({QHostAddress(QHostAddress::LocalHost)}, 0, tls, &error));
        m_url = QStringLiteral("%1://127.0.0.1:%2")
                    .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                    .arg(m_server->ports().value(0));
        setWired(1250000);
    }

    void setWired(double rxBps)
    {
        m_state->setSlice(QStringLiteral("wans"),
                          QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("wired")},
                                                   {QStringLiteral("state"), QStringLiteral("up")},
                                                   {QStringLiteral("enabled"), true},
                                                   {QStringLiteral("priority"), QStringLiteral("always")},
                                                   {QStringLiteral("rxBps"), rxBps},
                                                   {QStringLiteral("txBps"), 1000},
                                                   {QStringLiteral("latencyMs"), 14},
                                                   {QStringLiteral("lossPct"), 0}}});
    }

    void configure(QProcess &p, const QString &token)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SMOOTHWAN_TOKEN"), token);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("xdg")));
        p.setProcessEnvironment(env);
        p.setProgram(QStringLiteral(SMOOTHWAN_BINARY_DIR "/app/smoothwanctl/smoothwanctl"));
    }

    Run run(const QStringList &args, const QString &token = {}, const QByteArray &input = {})
    {
        QProcess p;
        configure(p, token.isNull() ? m_token : token);
        p.setArguments(QStringList {QStringLiteral("--url"), m_url} + args);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start();
        p.write(input);
        p.closeWriteChannel();
        // Wait with the event loop running: the server is in this process.
        if (!finished.wait(20000))
            p.kill();
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private Q_SLOTS:
    void init() { start(); }

    void statusTableAndJson()
    {
        Run r = run({QStringLiteral("status")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("wired"));
        QVERIFY(r.out.contains("10 Mb/s"));
        QVERIFY(r.out.contains("14 ms"));
        r = run({QStringLiteral("--json"), QStringLiteral("status")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("wans")).toArray().size(), 1);
    }

    void exitCodes()
    {
        QCOMPARE(run({QStringLiteral("status")}, QStringLiteral("bad")).exitCode, 3);
        QCOMPARE(run({QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("call"), QStringLiteral("wan.set_weight"), QStringLiteral("wan=nope"),
                      QStringLiteral("weight=3")})
                     .exitCode,
                 1);
        // A viewer may not change WANs.
        Run t =
            run({QStringLiteral("tokens"), QStringLiteral("create"), QStringLiteral("ro"), QStringLiteral("viewer")});
        QCOMPARE(t.exitCode, 0);
        QCOMPARE(run({QStringLiteral("wan"), QStringLiteral("disable"), QStringLiteral("wired")},
                     QString::fromLatin1(t.out.trimmed()))
                     .exitCode,
                 4);
        m_server.reset();
        QCOMPARE(run({QStringLiteral("status")}).exitCode, 69);
    }

    // --token-file: the token comes from the file (and wins over SMOOTHWAN_TOKEN); a missing,
    // unreadable or empty file is a usage error (exit 2) that names the file.
    void tokenFile()
    {
        const QString good = m_dir.filePath(QStringLiteral("good-token"));
        {
            QFile f(good);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m_token.toLatin1() + "\n");
        }
        Run r = run({QStringLiteral("--token-file"), good, QStringLiteral("status")}, QStringLiteral("bad"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("wired"));

        const QString missing = m_dir.filePath(QStringLiteral("no-such-token"));
        r = run({QStringLiteral("--token-file"), missing, QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token") && r.err.contains(QFile::encodeName(missing)), r.err.constData());
        QVERIFY(r.out.isEmpty());

        const QString empty = m_dir.filePath(QStringLiteral("empty-token"));
        {
            QFile f(empty);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        r = run({QStringLiteral("--token-file"), empty, QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token"), r.err.constData());

        // A directory cannot be read as a token.
        r = run({QStringLiteral("--token-file"), m_dir.path(), QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token"), r.err.constData());

        // A file the CLI may not read (root reads everything, so only checked as non-root).
        const QString locked = m_dir.filePath(QStringLiteral("locked-token"));
        {
            QFile f(locked);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m_token.toLatin1());
        }
        QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
        if (::geteuid() != 0) {
            r = run({QStringLiteral("--token-file"), locked, QStringLiteral("status")});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("no token"), r.err.constData());
        }
    }

    void callAndConfig()
    {
        m_backend.m_config =
            *ConfigLoader::loadString("wans:\n  - name: wired\n    interface: eth0\n", QStringLiteral("x"), nullptr);
        Run r = run({QStringLiteral("call"), QStringLiteral("wan.set_weight"), QStringLiteral("wan=wired"),
                     QStringLiteral("weight=9")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(m_backend.m_config.wans[0].weight, 9);
        QFile bad(m_dir.filePath(QStringLiteral("bad.yaml")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("wans: [{name: a}]\n");
        bad.close();
        r = run({QStringLiteral("config"), QStringLiteral("validate"), bad.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("line 1"));
    }

    // The self-hosted pairing code holds keys: it is read from stdin, never taken as an argument.
    void enginePairReadsTheCodeFromStdin()
    {
        const QString code = QStringLiteral("swpair1:") + QString(180, QLatin1Char('A'));
        Run r = run({QStringLiteral("engine"), QStringLiteral("pair")}, {}, "  " + code.toLatin1() + "\n");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(m_backend.m_actions.size(), 1);
        QCOMPARE(m_backend.m_actions[0].first, QStringLiteral("pair"));
        QCOMPARE(m_backend.m_actions[0].second.value(QStringLiteral("code")).toString(), code);
        r = run({QStringLiteral("engine"), QStringLiteral("pair"), code});
        QCOMPARE(r.exitCode, 2);
        r = run({QStringLiteral("engine"), QStringLiteral("pair")}, {}, "\n");
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("no pairing code"));
        QCOMPARE(m_backend.m_actions.size(), 1);
        QCOMPARE(run({QStringLiteral("engine"), QStringLiteral("unpair")}).exitCode, 0);
        QCOMPARE(m_backend.m_actions.last().first, QStringLiteral("unpair"));
        QCOMPARE(run({QStringLiteral("engine"), QStringLiteral("mode"), QStringLiteral("streaming")}).exitCode, 0);
        QCOMPARE(m_backend.m_actions.last().first, QStringLiteral("set_mode"));
        QCOMPARE(m_backend.m_actions.last().second.value(QStringLiteral("mode")).toString(),
                 QStringLiteral("streaming"));
        // The server's schema refuses a mode that does not exist; nothing reaches the engine.
        r = run({QStringLiteral("engine"), QStringLiteral("mode"), QStringLiteral("fastest")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(m_backend.m_actions.size(), 3);
    }

    void pinsTheCertificate()
    {
        QString error;
        auto first = TlsIdentity::ensure(m_dir.filePath(QStringLiteral("a/cert.pem")),
                                         m_dir.filePath(QStringLiteral("a/key.pem")), &error);
        QVERIFY(first);
        start(first);
        Run r = run({QStringLiteral("status")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.contains("pinned"));
        QCOMPARE(run({QStringLiteral("status")}).exitCode, 0);
        // Same address, another key: refused.
        auto second = TlsIdentity::ensure(m_dir.filePath(QStringLiteral("b/cert.pem")),
                                          m_dir.filePath(QStringLiteral("b/key.pem")), &error);
        QVERIFY(second);
        const QString url = m_url;
        start(second);
        m_url = url.left(url.lastIndexOf(QLatin1Char(':'))) + QLatin1Char(':') +
                QString::number(m_server->ports().value(0));
        // The pin is per host:port, so pin the first certificate for this port first.
        QFile pins(m_dir.filePath(QStringLiteral("xdg/smoothwan/pins")));
        QVERIFY(pins.open(QIODevice::WriteOnly));
        pins.write(
            QStringLiteral("127.0.0.1:%1 %2\n").arg(m_server->ports().value(0)).arg(first->fingerprint()).toLatin1());
        pins.close();
        r = run({QStringLiteral("status")});
        QCOMPARE(r.exitCode, 5);
        QVERIFY(r.err.contains("CHANGED"));
    }

    void watchRedrawsInPlace()
    {
        QProcess p;
        configure(p, m_token);
        p.setArguments({QStringLiteral("--url"), m_url, QStringLiteral("watch")});
        p.start();
        QByteArray seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).contains("10 Mb/s"), 10000);
        setWired(2500000);
        QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).contains("20 Mb/s"), 10000);
        QVERIFY(seen.contains("\x1b[H"));
        p.kill();
        p.waitForFinished();
    }

    // watch keeps its copy of the state exact: a gap in rev, or a patch that does not apply to
    // what it has, makes it send resync (once) for its subscription and draw the new snapshot;
    // the frames in between are never drawn.
    void watchResyncsOnAGapAndOnABadPatch()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        QProcess p;
        configure(p, QStringLiteral("any-token"));
        p.setArguments({QStringLiteral("--url"), server.url(), QStringLiteral("watch")});
        p.start();
        QByteArray seen;
        auto shows = [&](const char *text) {
            seen += p.readAllStandardOutput();
            return lastFrame(seen).contains(text);
        };
        QTRY_VERIFY_WITH_TIMEOUT(server.subscribes == 1, 10000);
        QVERIFY(server.subscription > 0);
        server.snapshot(1, QStringLiteral("alpha"), 1250000);
        QTRY_VERIFY_WITH_TIMEOUT(shows("alpha") && shows("10 Mb/s"), 10000);
        // A delta that follows on applies.
        server.delta(2, QJsonArray {QJsonObject {{QStringLiteral("op"), QStringLiteral("replace")},
                                                 {QStringLiteral("path"), QStringLiteral("/wans/0/rxBps")},
                                                 {QStringLiteral("value"), 2500000}}});
        QTRY_VERIFY_WITH_TIMEOUT(shows("20 Mb/s"), 10000);
        QCOMPARE(server.count(QStringLiteral("resync")), 0);

        // rev 3 is missing: rev 4 must not be applied, and a resync asked for instead.
        const QJsonArray rename {QJsonObject {{QStringLiteral("op"), QStringLiteral("replace")},
                                              {QStringLiteral("path"), QStringLiteral("/wans/0/name")},
                                              {QStringLiteral("value"), QStringLiteral("gapped")}}};
        server.delta(4, rename);
        server.delta(5, rename); // while resyncing, deltas wait for the snapshot
        QTRY_VERIFY_WITH_TIMEOUT(server.count(QStringLiteral("resync")) == 1, 10000);
        const QJsonObject resync = server.received.last();
        QCOMPARE(resync.value(QStringLiteral("type")).toString(), QStringLiteral("resync"));
        QCOMPARE(resync.value(QStringLiteral("subscription")).toInteger(), server.subscription);
        server.snapshot(6, QStringLiteral("bravo"), 5000000);
        QTRY_VERIFY_WITH_TIMEOUT(shows("bravo") && shows("40 Mb/s"), 10000);
        QVERIFY(!seen.contains("gapped"));
        QCOMPARE(server.count(QStringLiteral("resync")), 1);

        // The next delta is in order but does not fit the state (no WAN 7): resync again.
        server.delta(7, QJsonArray {QJsonObject {{QStringLiteral("op"), QStringLiteral("replace")},
                                                 {QStringLiteral("path"), QStringLiteral("/wans/7/name")},
                                                 {QStringLiteral("value"), QStringLiteral("broken")}}});
        QTRY_VERIFY_WITH_TIMEOUT(server.count(QStringLiteral("resync")) == 2, 10000);
        server.snapshot(8, QStringLiteral("charlie"), 1250000);
        QTRY_VERIFY_WITH_TIMEOUT(shows("charlie"), 10000);
        QVERIFY(!seen.contains("broken"));
        server.delta(9, rename);
        QTRY_VERIFY_WITH_TIMEOUT(shows("gapped"), 10000);
        QCOMPARE(server.count(QStringLiteral("resync")), 2);
        QCOMPARE(p.state(), QProcess::Running);
        p.kill();
        p.waitForFinished();
    }

    // A watch whose connection drops keeps the last values on screen marked STALE, reconnects
    // with backoff (also while nothing listens, as while the daemon restarts), subscribes again and
    // draws the new snapshot without the mark.
    void watchReconnectsAndMarksStaleData()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        QProcess p;
        configure(p, QStringLiteral("any-token"));
        p.setArguments({QStringLiteral("--url"), server.url(), QStringLiteral("watch")});
        p.start();
        QByteArray seen;
        auto frame = [&] {
            seen += p.readAllStandardOutput();
            return lastFrame(seen);
        };
        QTRY_VERIFY_WITH_TIMEOUT(server.subscribes == 1, 10000);
        server.snapshot(1, QStringLiteral("alpha"), 1250000);
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("alpha"), 10000);
        QVERIFY(!frame().contains("STALE"));

        // The connection drops (and nothing listens for a while).
        server.drop(true);
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("STALE"), 10000);
        QVERIFY2(frame().contains("alpha") && frame().contains("connection lost") && frame().contains("reconnecting"),
                 frame().constData());
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("attempt 2"), 10000); // it retried, and failed
        QCOMPARE(p.state(), QProcess::Running);
        QVERIFY(server.listen(QUrl(server.url()).port()));
        QTRY_VERIFY_WITH_TIMEOUT(server.subscribes == 2, 15000);
        QCOMPARE(server.count(QStringLiteral("auth")), 2);
        server.snapshot(1, QStringLiteral("bravo"), 2500000);
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("bravo"), 10000);
        QVERIFY2(!frame().contains("STALE") && frame().contains("20 Mb/s"), frame().constData());

        // Dropped while the listener stays: back at once (the backoff restarted at 1 s).
        server.drop(false);
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("STALE"), 10000);
        QVERIFY(frame().contains("bravo"));
        QTRY_VERIFY_WITH_TIMEOUT(server.subscribes == 3, 10000);
        server.snapshot(1, QStringLiteral("charlie"), 2500000);
        QTRY_VERIFY_WITH_TIMEOUT(frame().contains("charlie") && !frame().contains("STALE"), 10000);
        p.kill();
        p.waitForFinished();
    }

    // A server that accepts the connection but never answers cannot hang the CLI: without auth_ok
    // within 10 s it gives up with 69 and says why.
    void silentServerIsUnavailable()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        m_url = QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort());
        const Run r = run({QStringLiteral("status")});
        QCOMPARE(r.exitCode, 69);
        QVERIFY2(r.err.contains("no answer"), r.err.constData());
    }

    // A watch whose device token is revoked is closed by the server ("credentials changed"),
    // tries to come back with the same token, and exits 3: it does not keep showing data it may no
    // longer see, nor retry forever.
    void watchEndsWhenItsTokenIsRevoked()
    {
        Run t =
            run({QStringLiteral("tokens"), QStringLiteral("create"), QStringLiteral("wall"), QStringLiteral("viewer")});
        QCOMPARE(t.exitCode, 0);
        QProcess p;
        configure(p, QString::fromLatin1(t.out.trimmed()));
        p.setArguments({QStringLiteral("--url"), m_url, QStringLiteral("watch")});
        p.start();
        QByteArray seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).contains("wired"), 10000);
        QString message;
        QCOMPARE(m_auth->revokeDeviceToken(QStringLiteral("wall"), &message), QString());
        QSignalSpy finished(&p, &QProcess::finished);
        QVERIFY(finished.wait(15000));
        QCOMPARE(p.exitCode(), 3);
        QVERIFY2(p.readAllStandardError().contains("authentication failed"), "no reason given");
    }
};

QTEST_GUILESS_MAIN(TestSmoothwanctl)
#include "tst_api_smoothwanctl.moc"

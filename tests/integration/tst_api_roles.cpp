// SPDX-License-Identifier: GPL-3.0-or-later
// Roles, the "allowed" half: the real smoothwand (in a lab router namespace, with the Speedify
// stand-in as its engine) and real WebSocket clients logged in as a viewer, an operator and an
// admin. One valid example request per command and per engine action; every command of the
// registry and every engine action must have one, so a new command cannot be skipped. For every
// role and example: a role at or above the one required gets success (or the specific code the
// table names, with the reason success is impossible by nature); a lower role gets `forbidden`
// and nothing changed: the configuration file and the stand-in's state are byte-identical.
// The table is ordered so that what one row changes, a later row puts back (rename there and
// back, adopt then remove, create then delete), and session.logout comes last.
#include "ApiCommands.h"
#include "ApiServer.h"
#include "ApiTestClient.h"
#include "AuthStore.h"
#include "Clock.h"
#include "DaemonProcess.h"
#include "Lab.h"
#include "NullApiBackend.h"
#include "Protocol.h"
#include "SamplePairingCode.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <unistd.h>

#include <memory>

using namespace smoothwan;
using smoothwan::lab::Lab;
using smoothwan::test::Client;
using smoothwan::test::DaemonProcess;

namespace {

const QString StandIn = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

struct Example
{
    QString command;
    QJsonObject args;         // "$sub", "$config", "$user", "$password" are filled in when sent
    QString allowedCode = {}; // empty: an allowed role gets success
    QString why = {};         // why success is impossible by nature, when allowedCode is set
};

// The examples, in the order they run for each role.
QList<Example> examples()
{
    QList<Example> t {
        {QStringLiteral("session.info"), {}},
        {QStringLiteral("subscribe"), json(R"({"topics":["wans","engine"]})")},
        {QStringLiteral("resync"), json(R"({"subscription":"$sub"})")},
        {QStringLiteral("unsubscribe"), json(R"({"subscription":"$sub"})")},
        {QStringLiteral("events.list"), json(R"({"limit":5})")},
        {QStringLiteral("history.get"), json(R"({"seconds":5})")},
        {QStringLiteral("config.get"), {}},
        {QStringLiteral("config.validate"), json(R"({"yaml":"version: 1\n"})")},
        {QStringLiteral("config.apply"), json(R"({"yaml":"$config"})")},
        {QStringLiteral("wan.set_enabled"), json(R"({"wan":"fibre","enabled":true})")},
        {QStringLiteral("wan.set_priority"), json(R"({"wan":"fibre","priority":"always"})")},
        {QStringLiteral("wan.set_weight"), json(R"({"wan":"fibre","weight":10})")},
        {QStringLiteral("wan.set_probe"), json(R"({"wan":"fibre","interval_ms":500,"timeout_ms":400})")},
        {QStringLiteral("wan.set_caps"), json(R"({"wan":"fibre","daily_bytes":null,"action":"warn"})")},
        {QStringLiteral("wan.rename"), json(R"({"wan":"fibre","name":"fibre2"})")},
        {QStringLiteral("wan.rename"), json(R"({"wan":"fibre2","name":"fibre"})")},
        {QStringLiteral("wan.adopt"), json(R"({"name":"cable","interface":"wan1","priority":"secondary"})")},
        {QStringLiteral("wan.remove"), json(R"({"wan":"cable"})")},
        {QStringLiteral("routing.set_policy"), json(R"({"policy":"failover"})")},
        {QStringLiteral("routing.set_kill_switch"), json(R"({"enabled":false})")},
        {QStringLiteral("routing.bypass.create"),
         json(R"({"name":"r1","destination":"198.51.100.0/24","via":"fibre"})")},
        {QStringLiteral("routing.bypass.update"), json(R"({"name":"r1","protocol":"tcp","ports":"443"})")},
        {QStringLiteral("routing.bypass.delete"), json(R"({"name":"r1"})")},
        {QStringLiteral("engine.set_type"), json(R"({"engine":"speedify"})")},
        {QStringLiteral("engine.connect"), json(R"({"server":"closest"})")},
        {QStringLiteral("speedtest.run"), {}},
        {QStringLiteral("engine.log_tail"), json(R"({"lines":10})")},
        {QStringLiteral("engine.disconnect"), {}},
        // The self-hosted engine's pairing: kept beside the configuration, needs no running engine.
        {QStringLiteral("engine.pair"), {{QStringLiteral("code"), test::samplePairingCode().encode()}}},
        {QStringLiteral("engine.unpair"), {}},
    };
    // Every engine action through engine.action (login, connect and the tests while connected).
    const QList<QPair<const char *, const char *>> actions {
        {"status", "{}"},
        {"log_tail", R"({"lines":5})"},
        {"version", "{}"},
        {"servers", "{}"},
        {"login_auto", "{}"},
        {"logout", "{}"},
        {"login", R"({"user":"pat@example.com","password":"secret"})"},
        {"connect", R"({"server":"us nova"})"},
        {"speedtest", R"({"wan":"fibre"})"},
        {"streamtest", R"({"adapter":"wan1"})"},
        {"set_mode", R"({"mode":"speed"})"},
        {"set_transport", R"({"transport":"auto"})"},
        {"set_encryption", R"({"enabled":true})"},
        {"set_jumbo", R"({"enabled":true})"},
        {"set_packet_aggregation", R"({"enabled":true})"},
        {"set_header_compression", R"({"enabled":false})"},
        {"set_overflow", R"({"mbps":30.5})"},
        {"set_priority_overflow", R"({"mbps":0})"},
        {"set_max_redundant", R"({"connections":2})"},
        {"adapter_priority", R"({"adapter":"wan1","priority":"backup"})"},
        {"adapter_rate_limit", R"({"adapter":"wan1","down_bps":0,"up_bps":0})"},
        {"adapter_data_limit", R"({"adapter":"wan1","period":"monthly","bytes":null,"reset_day":0})"},
        {"adapter_overlimit_rate", R"({"adapter":"wan1","bps":0})"},
        {"adapter_directional", R"({"adapter":"wan1","upload":"on","download":"on"})"},
        {"adapter_encryption", R"({"adapter":"wan1","enabled":true})"},
        {"reset_usage", R"({"adapter":"wan1"})"},
        {"streamingbypass_list", R"({"list":"domains","op":"add","values":["example.com"]})"},
        {"streamingbypass_service", R"({"service":"Netflix","enabled":false})"},
        {"streaming_list", R"({"list":"ports","op":"set","values":[]})"},
        {"disconnect", "{}"},
    };
    for (const auto &[name, args] : actions) {
        Example e {QStringLiteral("engine.action"),
                   {{QStringLiteral("name"), QString::fromLatin1(name)}, {QStringLiteral("args"), json(args)}}};
        if (QLatin1String(name) == QLatin1String("adapter_priority")) {
            e.allowedCode = QStringLiteral("conflict");
            e.why = QStringLiteral("while WANs are configured SmoothWAN sets every adapter's priority");
        }
        t.append(e);
    }
    t += QList<Example> {
        {QStringLiteral("tokens.create"), json(R"({"name":"role-test","role":"viewer"})")},
        {QStringLiteral("tokens.list"), {}},
        {QStringLiteral("tokens.revoke"), json(R"({"name":"role-test"})")},
        {QStringLiteral("users.list"), {}},
        {QStringLiteral("users.create"), json(R"({"username":"bob","role":"viewer","password":"a password for bob"})")},
        {QStringLiteral("users.set_role"), json(R"({"username":"bob","role":"operator"})")},
        {QStringLiteral("users.delete"), json(R"({"username":"bob"})")},
        {QStringLiteral("users.setup"), json(R"({"username":"eve","password":"a password"})"),
         QStringLiteral("forbidden"),
         QStringLiteral("setup is only possible over the local token (and only while no admin exists)")},
        {QStringLiteral("users.set_password"), json(R"({"username":"$user","password":"$password"})")},
        {QStringLiteral("session.logout"), {}},
    };
    return t;
}

Role requiredRole(const Example &e, const CommandRegistry &registry)
{
    if (e.command == QLatin1String("engine.action"))
        return findEngineAction(e.args.value(QStringLiteral("name")).toString())->role;
    return registry.find(e.command)->role;
}

QString code(const QJsonObject &r)
{
    return r.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

} // namespace

class TestApiRoles : public QObject
{
    Q_OBJECT

    Lab m_lab;
    QTemporaryDir m_speedifyDir;
    std::unique_ptr<DaemonProcess> m_daemon;
    quint16 m_port = 0;
    std::unique_ptr<smoothwan::lab::ThreadInNamespace> m_inRouter;
    QString m_localToken;
    // The registry as the daemon builds it: the server's own commands plus the domain commands.
    ManualClock m_clock;
    StateStore m_state {m_clock};
    QTemporaryDir m_authDir;
    std::unique_ptr<AuthStore> m_auth;
    test::NullApiBackend m_nullBackend;
    std::unique_ptr<ApiServer> m_registryServer;

    std::unique_ptr<Client> connectAs(const QJsonObject &credentials)
    {
        auto c = std::make_unique<Client>();
        if (!c->open(m_port))
            return nullptr;
        const QJsonObject r = c->auth(credentials);
        if (r.value(QStringLiteral("type")).toString() != QLatin1String("auth_ok")) {
            qWarning("auth failed: %s", QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
            return nullptr;
        }
        return c;
    }

    QJsonObject fill(const QJsonObject &args, qint64 subscription, const QString &user, const QString &password)
    {
        QJsonObject out;
        for (auto it = args.constBegin(); it != args.constEnd(); ++it) {
            QJsonValue v = it.value();
            if (v == QJsonValue(QStringLiteral("$sub")))
                v = subscription;
            else if (v == QJsonValue(QStringLiteral("$config")))
                v = QString::fromUtf8(readFile(m_daemon->configPath()));
            else if (v == QJsonValue(QStringLiteral("$user")))
                v = user;
            else if (v == QJsonValue(QStringLiteral("$password")))
                v = password;
            out.insert(it.key(), v);
        }
        return out;
    }

    QByteArray speedifyState() const { return readFile(m_speedifyDir.filePath(QStringLiteral("daemon.json"))); }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces");
        m_auth = std::make_unique<AuthStore>(m_clock, m_authDir.filePath(QStringLiteral("auth")), QString());
        m_registryServer = std::make_unique<ApiServer>(m_clock, m_state, *m_auth, m_nullBackend, ApiServer::Options {});
        registerApiCommands(m_registryServer->commands(), m_nullBackend, *m_auth, m_state);

        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        // The Speedify stand-in, logged in already, with the router's WAN ports as its adapters.
        qputenv("SPEEDIFY_FAKE_STATE_DIR", m_speedifyDir.path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_ADAPTERS", "wan0,wan1");
        qputenv("SPEEDIFY_FAKE_TUN", "0");
        qputenv("SPEEDIFY_FAKE_CONNECT_MS", "50");
        qputenv("SPEEDIFY_FAKE_STATS_MS", "300");
        QProcess login;
        login.start(StandIn, {QStringLiteral("-s"), QStringLiteral("login"), QStringLiteral("pat@example.com"),
                              QStringLiteral("secret")});
        QVERIFY(login.waitForFinished(10000) && login.exitCode() == 0);

        m_port = quint16(20000 + ::getpid() % 20000);
        const QByteArray yaml = "wans:\n  - name: fibre\n    interface: wan0\n"
                                "routing:\n  policy: failover\n"
                                "engine:\n  type: speedify\n  speedify:\n    cli_path: " +
                                StandIn.toUtf8() + "\n    startup_connect: false\n" +
                                "api:\n  port: " + QByteArray::number(m_port) + "\n";
        m_daemon = std::make_unique<DaemonProcess>();
        QVERIFY(m_daemon->start(m_lab.routerNs(), yaml));

        // The clients live in the router's namespace, where the daemon listens on loopback.
        m_inRouter = std::make_unique<smoothwan::lab::ThreadInNamespace>(m_lab.routerNs());
        QVERIFY2(m_inRouter->ok(), qPrintable(m_inRouter->errorString()));

        std::unique_ptr<Client> admin;
        QElapsedTimer waited;
        waited.start();
        while (!admin && waited.elapsed() < 15000) { // the daemon makes the token, then listens
            m_localToken =
                QString::fromLatin1(readFile(m_daemon->stateDir() + QStringLiteral("/local-token")).trimmed());
            if (!m_localToken.isEmpty())
                admin = connectAs({{QStringLiteral("token"), m_localToken}});
            if (!admin)
                QTest::qWait(200);
        }
        QVERIFY2(admin, m_daemon->log().constData());
        // One user per role.
        for (const QString &role : {QStringLiteral("viewer"), QStringLiteral("operator"), QStringLiteral("admin")}) {
            const QJsonObject r =
                admin->call(QStringLiteral("users.create"),
                            {{QStringLiteral("username"), QString(role + QStringLiteral("1"))},
                             {QStringLiteral("role"), role},
                             {QStringLiteral("password"), QString(role + QStringLiteral(" password"))}});
            QVERIFY2(r.value(QStringLiteral("success")).toBool(), QJsonDocument(r).toJson().constData());
        }
        // wan1 is offered as a new connection, and the engine has read Speedify (logged in).
        QTRY_VERIFY_WITH_TIMEOUT(m_daemon->log().contains("new connection found: wan1"), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(
            admin->call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("status")}})
                .value(QStringLiteral("result"))
                .toObject()
                .value(QStringLiteral("state"))
                .toString(),
            QStringLiteral("logged-in"), 15000);
    }

    void cleanupTestCase()
    {
        m_daemon.reset();
        m_inRouter.reset();
        m_lab.destroy();
        qunsetenv("SPEEDIFY_FAKE_STATE_DIR");
    }

    // No command and no engine action can be added without an example here.
    void everyCommandAndEngineActionHasAnExample()
    {
        QSet<QString> commands;
        QSet<QString> actions;
        for (const Example &e : examples()) {
            commands.insert(e.command);
            if (e.command == QLatin1String("engine.action")) {
                const QString name = e.args.value(QStringLiteral("name")).toString();
                QVERIFY2(findEngineAction(name), qPrintable(name));
                actions.insert(name);
            }
            QVERIFY2(e.allowedCode.isEmpty() || !e.why.isEmpty(), qPrintable(e.command));
        }
        for (const QString &name : m_registryServer->commands().names())
            QVERIFY2(commands.contains(name), qPrintable(name + QStringLiteral(" has no example")));
        for (const QString &name : std::as_const(commands))
            QVERIFY2(m_registryServer->commands().find(name), qPrintable(name + QStringLiteral(" is not a command")));
        for (const EngineActionSpec &a : engineActions())
            QVERIFY2(actions.contains(a.name), qPrintable(a.name + QStringLiteral(" has no example")));
    }

    void everyExampleInEveryRole_data()
    {
        QTest::addColumn<QString>("role");
        for (const char *r : {"viewer", "operator", "admin"})
            QTest::newRow(r) << QString::fromLatin1(r);
    }

    void everyExampleInEveryRole()
    {
        QFETCH(QString, role);
        const Role mine = *protocol::roleFromName(role);
        const QString user = role + QStringLiteral("1");
        const QString password = role + QStringLiteral(" password");
        const QJsonObject credentials {{QStringLiteral("username"), user}, {QStringLiteral("password"), password}};
        std::unique_ptr<Client> c;
        qint64 subscription = 0;
        int allowed = 0;
        int forbidden = 0;
        for (const Example &e : examples()) {
            if (!c || c->closed) { // e.g. after a password change closed the session
                c = connectAs(credentials);
                QVERIFY(c);
            }
            const QJsonObject args = fill(e.args, subscription, user, password);
            const QByteArray configBefore = readFile(m_daemon->configPath());
            const QByteArray speedifyBefore = speedifyState();
            qint64 id = 0;
            const QJsonObject r = c->call(e.command, args, &id);
            const QString what =
                QStringLiteral("%1 %2 as %3 -> %4")
                    .arg(e.command, QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)), role,
                         QString::fromUtf8(QJsonDocument(r).toJson(QJsonDocument::Compact)));
            QVERIFY2(!r.isEmpty(), qPrintable(what));
            if (mine < requiredRole(e, m_registryServer->commands())) {
                ++forbidden;
                QVERIFY2(code(r) == QLatin1String("forbidden"), qPrintable(what));
                QVERIFY2(readFile(m_daemon->configPath()) == configBefore,
                         qPrintable(what + QStringLiteral(": config changed")));
                if (e.command.startsWith(QLatin1String("engine.")) || e.command == QLatin1String("speedtest.run"))
                    QVERIFY2(speedifyState() == speedifyBefore,
                             qPrintable(what + QStringLiteral(": Speedify changed")));
            } else {
                ++allowed;
                if (e.allowedCode.isEmpty())
                    QVERIFY2(r.value(QStringLiteral("success")).toBool(), qPrintable(what));
                else
                    QVERIFY2(code(r) == e.allowedCode, qPrintable(what + QStringLiteral(" (expected ") + e.allowedCode +
                                                                  QStringLiteral(": ") + e.why + QLatin1Char(')')));
                if (e.command == QLatin1String("subscribe"))
                    subscription = id;
            }
            QTest::qWait(60); // stay under the per-connection command rate (20/s)
        }
        QVERIFY(c->waitFor([](const QJsonObject &) { return false; }, 3000).isEmpty() && c->closed); // logged out
        QVERIFY(allowed > 0);
        QCOMPARE(forbidden > 0, mine != Role::Admin);
        // The table put back what it changed: the WANs, rules, users and tokens are as before.
        auto admin = connectAs({{QStringLiteral("token"), m_localToken}});
        QVERIFY(admin);
        const QJsonObject users = admin->call(QStringLiteral("users.list"), {});
        QCOMPARE(users.value(QStringLiteral("result")).toObject().value(QStringLiteral("users")).toArray().size(), 3);
        const QString yaml = admin->call(QStringLiteral("config.get"), {})
                                 .value(QStringLiteral("result"))
                                 .toObject()
                                 .value(QStringLiteral("yaml"))
                                 .toString();
        QVERIFY2(yaml.contains(QStringLiteral("name: \"fibre\"")) && !yaml.contains(QStringLiteral("\"cable\"")) &&
                     !yaml.contains(QStringLiteral("\"r1\"")),
                 qPrintable(yaml));
    }

    // What the UI reads from the state: system.ui, WAN and candidate types, the bypass rules and
    // the engine's lists (a viewer sees them all).
    void publishedStateForTheUi()
    {
        auto admin = connectAs({{QStringLiteral("token"), m_localToken}});
        QVERIFY(admin);
        QVERIFY(admin
                    ->call(QStringLiteral("routing.bypass.create"),
                           QJsonObject {{QStringLiteral("name"), QStringLiteral("tv")},
                                        {QStringLiteral("source"), QStringLiteral("192.168.50.20")},
                                        {QStringLiteral("protocol"), QStringLiteral("udp")},
                                        {QStringLiteral("ports"), QStringLiteral("5000-5010")},
                                        {QStringLiteral("around_bond"), true}})
                    .value(QStringLiteral("success"))
                    .toBool());
        auto viewer = connectAs({{QStringLiteral("username"), QStringLiteral("viewer1")},
                                 {QStringLiteral("password"), QStringLiteral("viewer password")}});
        QVERIFY(viewer);
        QVERIFY(viewer->call(QStringLiteral("subscribe"), {}).value(QStringLiteral("success")).toBool());
        const QJsonObject state =
            viewer
                ->waitFor(
                    [](const QJsonObject &m) { return m.value(QStringLiteral("type")) == QLatin1String("snapshot"); },
                    5000)
                .value(QStringLiteral("state"))
                .toObject();
        const QJsonObject system = state.value(QStringLiteral("system")).toObject();
        QCOMPARE(system.value(QStringLiteral("ui")).toObject(),
                 (QJsonObject {{QStringLiteral("kiosk"), false},
                               {QStringLiteral("blankAfter"), 300},
                               {QStringLiteral("theme"), QStringLiteral("dark")}}));
        const QJsonArray wans = state.value(QStringLiteral("wans")).toArray();
        QCOMPARE(wans.size(), 1);
        QCOMPARE(wans[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("other")); // a veth
        const QJsonArray candidates = state.value(QStringLiteral("candidates")).toArray();
        QCOMPARE(candidates.size(), 1);
        QCOMPARE(candidates[0].toObject().value(QStringLiteral("interface")).toString(), QStringLiteral("wan1"));
        QCOMPARE(candidates[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("other"));
        QCOMPARE(state.value(QStringLiteral("routing")).toObject().value(QStringLiteral("bypass")).toArray(),
                 (QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("tv")},
                                           {QStringLiteral("source"), QStringLiteral("192.168.50.20/32")},
                                           {QStringLiteral("destination"), QJsonValue::Null},
                                           {QStringLiteral("protocol"), QStringLiteral("udp")},
                                           {QStringLiteral("ports"), QStringLiteral("5000-5010")},
                                           {QStringLiteral("via"), QJsonValue::Null},
                                           {QStringLiteral("aroundBond"), true}}}));
        const QJsonObject engine = state.value(QStringLiteral("engine")).toObject();
        QVERIFY(engine.value(QStringLiteral("streamingBypass")).toObject().value(QStringLiteral("domains")).isArray());
        QVERIFY(engine.value(QStringLiteral("streaming")).toObject().value(QStringLiteral("ports")).isArray());
        QVERIFY(admin->call(QStringLiteral("routing.bypass.delete"), {{QStringLiteral("name"), QStringLiteral("tv")}})
                    .value(QStringLiteral("success"))
                    .toBool());
    }

    // users.setup over the local token is allowed by role but refused while an admin exists.
    void setupOverTheLocalTokenIsAConflictOnceAnAdminExists()
    {
        auto local = connectAs({{QStringLiteral("token"), m_localToken}});
        QVERIFY(local);
        const QByteArray before = readFile(m_daemon->configPath());
        QCOMPARE(code(local->call(QStringLiteral("users.setup"),
                                  {{QStringLiteral("username"), QStringLiteral("eve")},
                                   {QStringLiteral("password"), QStringLiteral("pw pw pw")}})),
                 QStringLiteral("conflict"));
        QCOMPARE(readFile(m_daemon->configPath()), before);
    }

    // A configuration change through the API reaches the engine without a restart: another type
    // (here none) takes Speedify down, and back again brings it up.
    void engineFollowsTheConfiguration()
    {
        auto admin = connectAs({{QStringLiteral("token"), m_localToken}});
        QVERIFY(admin);
        const auto status = [&] {
            return admin->call(QStringLiteral("engine.action"), {{QStringLiteral("name"), QStringLiteral("status")}});
        };
        QVERIFY(admin->call(QStringLiteral("engine.set_type"), {{QStringLiteral("engine"), QStringLiteral("none")}})
                    .value(QStringLiteral("success"))
                    .toBool());
        QTRY_COMPARE_WITH_TIMEOUT(code(status()), QStringLiteral("unavailable"), 15000);
        QVERIFY(admin->call(QStringLiteral("engine.set_type"), {{QStringLiteral("engine"), QStringLiteral("speedify")}})
                    .value(QStringLiteral("success"))
                    .toBool());
        QTRY_COMPARE_WITH_TIMEOUT(
            status().value(QStringLiteral("result")).toObject().value(QStringLiteral("state")).toString(),
            QStringLiteral("logged-in"), 15000);
    }
};

QTEST_GUILESS_MAIN(TestApiRoles)
#include "tst_api_roles.moc"

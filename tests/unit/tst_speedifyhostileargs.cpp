// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile strings from configuration or the API never reach a shell: each is refused before
// anything runs, or reaches speedify_cli as exactly one argv element (the stand-in records argv).
// Through the API, every string and enum argument of every engine action refuses the hostile
// table with invalid_format while a real Speedify adapter (on the stand-in) stands behind it, and
// speedify_cli is never run for them.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "EngineActions.h"
#include "EngineManager.h"
#include "Protocol.h"
#include "SpeedifyAdapter.h"
#include "StateStore.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QPromise>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <memory>

using namespace smoothwan;

namespace {
const QString StandIn = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);

enum class Field { ServerTag, City, Domain, AdapterId, Service, User, Password, Ipv4, Port };

// The daemon's ApiBackend, reduced to the engine: actions go to runEngineAction() as in smoothwand.
class EngineBackend final : public ApiBackend
{
public:
    explicit EngineBackend(EngineManager &engines)
        : m_engines(engines)
    { }
    const Config &config() const override { return m_config; }
    QString configPath() const override { return {}; }
    bool applyConfig(const QByteArray &, ConfigErrors *) override { return false; }
    QFuture<EngineActionResult> engineAction(const QString &name, const QJsonObject &args) override
    {
        ++calls;
        auto promise = std::make_shared<QPromise<EngineActionResult>>();
        promise->start();
        runEngineAction(m_engines, name, args, [promise](const EngineResult &r) {
            promise->addResult(EngineActionResult {r.ok, r.data, engineErrorCode(r.errorKind), r.message});
            promise->finish();
        });
        return promise->future();
    }
    int calls = 0;

private:
    EngineManager &m_engines;
    Config m_config;
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// This process's children (the stats reader, the daemon stand-in).
QStringList childPids()
{
    QStringList out;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &t : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        out += QString::fromLatin1(readAll(tasks.filePath(t + QStringLiteral("/children"))).trimmed())
                   .split(u' ', Qt::SkipEmptyParts);
    out.sort();
    return out;
}
} // namespace

Q_DECLARE_METATYPE(Field)

class TestSpeedifyHostileArgs : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    QTemporaryDir m_dir;

    QList<QStringList> recordedArgv() const
    {
        QList<QStringList> out;
        QFile f(m_dir.filePath(QStringLiteral("argv.log")));
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            QStringList argv;
            for (const QJsonValue &v : QJsonDocument::fromJson(line).array())
                argv.append(v.toString());
            out.append(argv);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("SPEEDIFY_FAKE_STATE_DIR", m_dir.path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_ADAPTERS", "lo");
        qputenv("SPEEDIFY_FAKE_TUN", "0");
        qputenv("SPEEDIFY_FAKE_ARGV_LOG", m_dir.filePath(QStringLiteral("argv.log")).toLocal8Bit());
    }

    void apiEngineActionsRefuseHostileArgs()
    {
        StateStore state(m_clock);
        EngineManager engines(m_clock, state);
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = StandIn;
        config.speedify.startupConnect = false;
        engines.setConfig(config);
        QTRY_VERIFY(!state.slice(QStringLiteral("engine")).toObject().value(QStringLiteral("settings")).isNull());
        QTemporaryDir authDir;
        AuthStore auth(m_clock, authDir.filePath(QStringLiteral("auth")), authDir.filePath(QStringLiteral("token")),
                       nullptr, true);
        QString error;
        QVERIFY2(auth.load(&error), qPrintable(error));
        EngineBackend backend(engines);
        ApiServer::Options options;
        options.commandsPerSecond = options.commandBurst = 1e6;
        ApiServer server(m_clock, state, auth, backend, options);
        registerApiCommands(server.commands(), backend, auth, state);
        QVERIFY2(server.listen({QHostAddress(QHostAddress::LocalHost)}, 0, std::nullopt, &error), qPrintable(error));

        QWebSocket ws;
        QList<QJsonObject> inbox;
        connect(&ws, &QWebSocket::textMessageReceived,
                [&](const QString &t) { inbox.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
        QWebSocketHandshakeOptions o;
        o.setSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.ports().value(0))), o);
        QTRY_VERIFY(!inbox.isEmpty()); // auth_required
        const QString token = QString::fromLatin1(readAll(authDir.filePath(QStringLiteral("token"))).trimmed());
        ws.sendTextMessage(
            QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("type"), QStringLiteral("auth")},
                                                         {QStringLiteral("token"), token}})
                                  .toJson(QJsonDocument::Compact)));
        QTRY_COMPARE(inbox.size(), 2);
        QCOMPARE(inbox.last().value(QStringLiteral("type")).toString(), QStringLiteral("auth_ok"));
        qint64 id = 0;
        const auto call = [&](const QJsonObject &args) {
            const qint64 mine = ++id;
            ws.sendTextMessage(QString::fromUtf8(
                QJsonDocument(QJsonObject {{QStringLiteral("id"), mine},
                                           {QStringLiteral("type"), QStringLiteral("engine.action")},
                                           {QStringLiteral("name"), args.value(QStringLiteral("name"))},
                                           {QStringLiteral("args"), args.value(QStringLiteral("args"))}})
                    .toJson(QJsonDocument::Compact)));
            QJsonObject answer;
            (void)QTest::qWaitFor([&] {
                for (const QJsonObject &m : std::as_const(inbox))
                    if (m.value(QStringLiteral("id")).toInteger() == mine)
                        answer = m;
                return !answer.isEmpty();
            });
            return answer;
        };

        // Let the start-up reads and applies finish: from here on, nothing may run.
        qsizetype argvBefore = -1;
        while (argvBefore != recordedArgv().size()) {
            argvBefore = recordedArgv().size();
            QTest::qWait(700);
        }
        const QStringList childrenBefore = childPids();
        const QList<QByteArray> hostile {"; id",   "$(reboot)",          "`reboot`",         "a|b",         "a\nb",
                                         "--help", QByteArray(300, 'a'), "../../etc/shadow", "\xff\xfe\xfd"};
        int checked = 0;
        for (const EngineActionSpec &spec : engineActions()) {
            for (const ArgSpec &arg : spec.args) {
                if (arg.kind == ArgSpec::Kind::Password ||
                    (arg.type != ArgSpec::Type::String && arg.type != ArgSpec::Type::StringList &&
                     arg.type != ArgSpec::Type::Enum))
                    continue;
                for (const QByteArray &h : hostile) {
                    // The other required arguments get good values.
                    QJsonObject args;
                    for (const ArgSpec &other : spec.args) {
                        if (!other.required || other.name == arg.name)
                            continue;
                        if (other.type == ArgSpec::Type::Enum)
                            args.insert(other.name, other.values.first());
                        else if (other.type == ArgSpec::Type::Boolean)
                            args.insert(other.name, true);
                        else if (other.type == ArgSpec::Type::Integer || other.type == ArgSpec::Type::Number)
                            args.insert(other.name, std::max<qint64>(other.min, 1));
                        else if (other.type == ArgSpec::Type::StringList)
                            args.insert(other.name, QJsonArray {QStringLiteral("example.com")});
                        else if (other.kind == ArgSpec::Kind::Password)
                            args.insert(other.name, QStringLiteral("a password"));
                        else if (other.kind == ArgSpec::Kind::InterfaceName)
                            args.insert(other.name, QStringLiteral("wwan0"));
                        else
                            args.insert(other.name, QStringLiteral("example.com"));
                    }
                    const QString value = QString::fromUtf8(h);
                    args.insert(arg.name, arg.type == ArgSpec::Type::StringList ? QJsonValue(QJsonArray {value})
                                                                                : QJsonValue(value));
                    const QJsonObject answer =
                        call({{QStringLiteral("name"), spec.name}, {QStringLiteral("args"), args}});
                    QVERIFY2(!answer.isEmpty(), qPrintable(spec.name));
                    QCOMPARE(answer.value(QStringLiteral("success")).toBool(), false);
                    QVERIFY2(
                        answer.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString() ==
                            QLatin1String("invalid_format"),
                        qPrintable(QStringLiteral("%1.%2 = %3: %4")
                                       .arg(spec.name, arg.name, value.left(20),
                                            QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact)))));
                    QCOMPARE(childPids(), childrenBefore);
                    ++checked;
                }
            }
        }
        QVERIFY(checked >= 20 * int(hostile.size()));
        QCOMPARE(backend.calls, 0);                  // nothing reached the engine
        QCOMPARE(recordedArgv().size(), argvBefore); // speedify_cli never ran
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("pwned"))));
        // Good values do reach Speedify, each as one argument, however odd: a wildcard domain, a
        // password with shell syntax.
        const QJsonObject good =
            call({{QStringLiteral("name"), QStringLiteral("streamingbypass_list")},
                  {QStringLiteral("args"),
                   QJsonObject {{QStringLiteral("list"), QStringLiteral("domains")},
                                {QStringLiteral("op"), QStringLiteral("add")},
                                {QStringLiteral("values"), QJsonArray {QStringLiteral("*.example.com")}}}}});
        QVERIFY2(good.value(QStringLiteral("success")).toBool(), QJsonDocument(good).toJson().constData());
        QCOMPARE(recordedArgv().last(),
                 (QStringList {QStringLiteral("-s"), QStringLiteral("streamingbypass"), QStringLiteral("domains"),
                               QStringLiteral("add"), QStringLiteral("*.example.com")}));
        const QString password =
            QStringLiteral("; id $(touch %1) `x` | y").arg(m_dir.filePath(QStringLiteral("pwned")));
        const QJsonObject login =
            call({{QStringLiteral("name"), QStringLiteral("login")},
                  {QStringLiteral("args"), QJsonObject {{QStringLiteral("user"), QStringLiteral("pat@example.com")},
                                                        {QStringLiteral("password"), password}}}});
        QVERIFY2(login.value(QStringLiteral("success")).toBool(), QJsonDocument(login).toJson().constData());
        QVERIFY(recordedArgv().contains(
            QStringList {QStringLiteral("-s"), QStringLiteral("login"), QStringLiteral("pat@example.com"), password}));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("pwned"))));
        QVERIFY(!QJsonDocument(state.document()).toJson().contains("touch")); // never published
        engines.shutdown();
    }

    void refusedOrOneArgument_data()
    {
        QTest::addColumn<Field>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("refused");
        const QString marker = m_dir.filePath(QStringLiteral("pwned"));
        const QString longText(300, QLatin1Char('a'));
        const QString notUtf8 = QString::fromUtf8("caf\xc3\x28\xff");
        const QList<QPair<const char *, QString>> nasty {
            {"semicolon", QStringLiteral("; id")},
            {"command substitution", QStringLiteral("$(touch %1)").arg(marker)},
            {"backticks", QStringLiteral("`touch %1`").arg(marker)},
            {"pipe", QStringLiteral("a|touch %1").arg(marker)},
            {"newline", QStringLiteral("us-nova-17\nreboot")},
            {"leading dash", QStringLiteral("-s")},
            {"leading double dash", QStringLiteral("--help")},
            {"300 bytes", longText},
            {"not UTF-8", notUtf8},
            {"empty", QString()},
            {"space", QStringLiteral("us nova")},
        };
        const QList<QPair<Field, const char *>> fields {
            {Field::ServerTag, "tag"},     {Field::City, "city"},       {Field::Domain, "domain"},
            {Field::AdapterId, "adapter"}, {Field::Service, "service"}, {Field::User, "user"},
            {Field::Ipv4, "ipv4"},         {Field::Port, "port"},
        };
        for (const auto &[field, fieldName] : fields)
            for (const auto &[what, value] : nasty)
                QTest::addRow("%s: %s", fieldName, what)
                    << field << value << !(field == Field::Service && value == QLatin1String("us nova"));
        // Values that are legitimate for their field pass, as one element each, however odd.
        // Interface names are limited to letters, digits, '.', '_', '-' and '@': shell syntax is
        // refused even where the kernel would take it.
        QTest::addRow("adapter: semicolon inside an interface name")
            << Field::AdapterId << QStringLiteral("eth0;id") << true;
        QTest::addRow("password: shell syntax") << Field::Password << QStringLiteral("; id $(reboot) `x` | y") << false;
        QTest::addRow("password: leading dash") << Field::Password << QStringLiteral("-p") << true;
        QTest::addRow("password: newline") << Field::Password << QStringLiteral("a\nb") << true;
        QTest::addRow("service: two words") << Field::Service << QStringLiteral("Amazon Prime") << false;
        QTest::addRow("domain: wildcard") << Field::Domain << QStringLiteral("*.example.com") << false;
        QTest::addRow("tag: lock") << Field::ServerTag << QStringLiteral("#us-nova-17") << false;
    }

    void refusedOrOneArgument()
    {
        QFETCH(Field, field);
        QFETCH(QString, value);
        QFETCH(bool, refused);
        SpeedifyConfig config;
        config.cliPath = StandIn;
        SpeedifyAdapter adapter(m_clock, config, SpeedifyAdapter::Options {});
        const qsizetype before = recordedArgv().size();
        bool finished = false;
        EngineResult result;
        const EngineCallback done = [&](const EngineResult &r) {
            finished = true;
            result = r;
        };
        QStringList expectedTail;
        switch (field) {
        case Field::ServerTag:
            adapter.connectServer({value}, done);
            expectedTail = {QStringLiteral("connect"), value};
            break;
        case Field::City:
            adapter.connectServer({QStringLiteral("us"), value}, done);
            expectedTail = {QStringLiteral("connect"), QStringLiteral("us"), value};
            break;
        case Field::Domain:
            adapter.editList(QStringLiteral("streamingbypass"), QStringLiteral("domains"), QStringLiteral("add"),
                             {value}, done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("domains"), QStringLiteral("add"), value};
            break;
        case Field::AdapterId:
            adapter.setAdapterPriority(value, QStringLiteral("never"), done);
            expectedTail = {QStringLiteral("adapter"), QStringLiteral("priority"), value, QStringLiteral("never")};
            break;
        case Field::Service:
            adapter.setBypassService(value, true, done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("service"), value, QStringLiteral("on")};
            break;
        case Field::User:
            adapter.login(value, QStringLiteral("pw"), done);
            expectedTail = {QStringLiteral("login"), value, QStringLiteral("pw")};
            break;
        case Field::Password:
            adapter.login(QStringLiteral("pat@example.com"), value, done);
            expectedTail = {QStringLiteral("login"), QStringLiteral("pat@example.com"), value};
            break;
        case Field::Ipv4:
            adapter.editList(QStringLiteral("streamingbypass"), QStringLiteral("ipv4"), QStringLiteral("add"), {value},
                             done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("ipv4"), QStringLiteral("add"), value};
            break;
        case Field::Port:
            adapter.editList(QStringLiteral("streaming"), QStringLiteral("ports"), QStringLiteral("add"), {value},
                             done);
            expectedTail = {QStringLiteral("streaming"), QStringLiteral("ports"), QStringLiteral("add"), value};
            break;
        }
        QTRY_VERIFY_WITH_TIMEOUT(finished, 15000);
        const QList<QStringList> argv = recordedArgv().mid(before);
        if (refused) {
            QVERIFY2(!result.ok, "a hostile value was accepted");
            QCOMPARE(result.errorKind, QStringLiteral("refused"));
            QVERIFY(!result.message.isEmpty());
            QVERIFY(argv.isEmpty()); // nothing ran
        } else {
            QVERIFY(!argv.isEmpty());
            QCOMPARE(argv.first(), QStringList {QStringLiteral("-s")} + expectedTail);
            for (const QStringList &followUp : argv.mid(1)) // the adapter re-reads the state after login/connect
                QCOMPARE(followUp, (QStringList {QStringLiteral("-s"), QStringLiteral("state")}));
        }
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("pwned"))));
        if (field == Field::Password)
            QVERIFY(!result.message.contains(value) || value.size() < 3); // a password is never echoed
    }
};

QTEST_GUILESS_MAIN(TestSpeedifyHostileArgs)
#include "tst_speedifyhostileargs.moc"

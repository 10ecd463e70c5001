// SPDX-License-Identifier: GPL-3.0-or-later
// The Speedify adapter against the speedify_cli stand-in (tests/fakes), owned as the daemon owns
// it: through an EngineManager that publishes the "engine" slice and the events log.
#include "Clock.h"
#include "EngineActions.h"
#include "EngineManager.h"
#include "SpeedifyAdapter.h"
#include "SpeedifyParser.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>
#include <memory>

using namespace smoothwan;

namespace {
const QString StandIn = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);

// A value inside a JSON document by a path of keys, array indexes and "@id" (the array element
// whose adapterID, adapterId or title is id).
QJsonValue pick(QJsonValue v, const QString &path)
{
    for (const QString &part : path.split(QLatin1Char('/'))) {
        if (part.startsWith(QLatin1Char('@'))) {
            QJsonValue found(QJsonValue::Undefined);
            for (const QJsonValue &e : v.toArray()) {
                const QJsonObject o = e.toObject();
                for (const char *key : {"adapterID", "adapterId", "title"})
                    if (o.value(QLatin1String(key)).toString() == part.mid(1))
                        found = o;
            }
            v = found;
        } else if (v.isArray()) {
            v = v.toArray().at(part.toInt());
        } else {
            v = v.toObject().value(part);
        }
    }
    return v;
}

struct Call
{
    bool finished = false;
    EngineResult result;
};
} // namespace

class TestSpeedifyAdapter : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StateStore> m_store;
    std::unique_ptr<EngineManager> m_manager;

    SpeedifyAdapter &speedify() { return *m_manager->speedify(); }
    QJsonObject slice() const { return m_store->slice(QStringLiteral("engine")).toObject(); }

    QJsonArray events() const { return m_store->slice(QStringLiteral("events")).toArray(); }
    QString lastEventMessage() const { return events().last().toObject().value(QStringLiteral("message")).toString(); }

    // Runs one adapter command and waits for its callback.
    EngineResult call(const std::function<void(EngineCallback)> &command, int timeoutMs = 15000)
    {
        auto c = std::make_shared<Call>();
        command([c](const EngineResult &r) {
            c->finished = true;
            c->result = r;
        });
        (void)QTest::qWaitFor([&] { return c->finished; }, timeoutMs);
        if (!c->finished)
            return EngineResult {false, QStringLiteral("test-timeout"), QStringLiteral("no callback"), {}};
        return c->result;
    }

    QList<QStringList> recordedArgv() const
    {
        QList<QStringList> out;
        QFile f(m_dir->filePath(QStringLiteral("argv.log")));
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

    // The stand-in daemon's state file: what speedify_cli itself now holds.
    QJsonObject daemonState() const
    {
        QFile f(m_dir->filePath(QStringLiteral("daemon.json")));
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject {};
    }

    EngineResult action(const QString &name, const QJsonObject &args)
    {
        return call([&](EngineCallback cb) { runEngineAction(*m_manager, name, args, cb); });
    }

    void startSpeedify(bool startupConnect = false)
    {
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = StandIn;
        config.speedify.startupConnect = startupConnect;
        m_manager->setConfig(config);
        QVERIFY(m_manager->speedify());
        QTRY_VERIFY(!slice().value(QStringLiteral("settings")).isNull());
        // The start-up reads end with the bypass and streaming lists.
        QTRY_VERIFY(!slice()
                         .value(QStringLiteral("streamingBypass"))
                         .toObject()
                         .value(QStringLiteral("services"))
                         .toArray()
                         .isEmpty());
        QTRY_COMPARE(speedify().cli().pendingCount(), 0);
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("SPEEDIFY_FAKE_STATE_DIR", m_dir->path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_ADAPTERS", "lo,wwan0,br-lan");
        qputenv("SPEEDIFY_FAKE_TUN", "0");
        qputenv("SPEEDIFY_FAKE_CONNECT_MS", "30");
        qputenv("SPEEDIFY_FAKE_STATS_MS", "100");
        qputenv("SPEEDIFY_FAKE_ARGV_LOG", m_dir->filePath(QStringLiteral("argv.log")).toLocal8Bit());
        qunsetenv("SPEEDIFY_FAKE_FAULT");
        qunsetenv("SPEEDIFY_FAKE_FAULT_ACTION");
        qunsetenv("SPEEDIFY_CLI");
        qunsetenv("SPEEDIFY_FAKE_NEEDS_DAEMON");
        qunsetenv("SPEEDIFY_FAKE_DAEMON_CRASH_AFTER_MS");
        m_store = std::make_unique<StateStore>(m_clock);
        m_manager = std::make_unique<EngineManager>(m_clock, *m_store);
        SpeedifyAdapter::Options options;
        options.commandTimeoutMs = 5000;
        options.statsInitialBackoffMs = 50;
        options.statsMaxBackoffMs = 200;
        options.daemonInitialBackoffMs = 50;
        options.retryInitialMs = 100;
        options.daemonMaxBackoffMs = 200;
        m_manager->setSpeedifyOptions(options);
        m_manager->setStopTimeoutMs(5000);
    }

    void cleanup()
    {
        m_manager.reset();
        m_store.reset();
        m_dir.reset();
    }

    void notInstalledIsReportedWithWhatToInstall()
    {
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = QStringLiteral("/nonexistent/speedify_cli");
        m_manager->setConfig(config);
        QCOMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("not-installed"));
        QCOMPARE(slice().value(QStringLiteral("installed")).toBool(), false);
        QVERIFY(slice().value(QStringLiteral("installHint")).toString().contains(QStringLiteral("get.speedify.com")));
        QVERIFY(lastEventMessage().contains(QStringLiteral("not installed")));
        const EngineResult r = call([&](EngineCallback cb) { speedify().setMode(QStringLiteral("speed"), cb); });
        QVERIFY(!r.ok);
        QCOMPARE(r.errorKind, QStringLiteral("not-installed"));
        // Corrected path: it starts without a restart of the daemon.
        config.speedify.cliPath = StandIn;
        m_manager->setConfig(config);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-out"));
        QVERIFY(slice().value(QStringLiteral("installed")).toBool());
        QTRY_VERIFY(!slice().value(QStringLiteral("settings")).isNull());
    }

    void startReadsStateAndAppliesTheConfiguration()
    {
        startSpeedify();
        QCOMPARE(slice().value(QStringLiteral("type")).toString(), QStringLiteral("speedify"));
        QCOMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-out"));
        QCOMPARE(slice().value(QStringLiteral("installed")).toBool(), true);
        QCOMPARE(slice().value(QStringLiteral("version")).toString(), QStringLiteral("15.7.2.99999"));
        QCOMPARE(slice().value(QStringLiteral("adapters")).toArray().size(), 3);
        QTRY_COMPARE(speedify().speedifySettings().startupConnect, false); // config applied
        // Every call used -s and nothing else before the action.
        for (const QStringList &argv : recordedArgv())
            QCOMPARE(argv.value(0), QStringLiteral("-s"));
    }

    void loginConnectDisconnectFollowTheReference()
    {
        startSpeedify();
        EngineResult r = call([&](EngineCallback cb) {
            speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("secret"), cb);
        });
        QVERIFY2(r.ok, qPrintable(r.message));
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-in"));
        // Passwords never reach the state store or the log tail.
        QVERIFY(!QJsonDocument(m_store->document()).toJson().contains("secret"));

        struct Target
        {
            QStringList args;
            QString tag;
        };
        const QList<Target> targets {
            {{}, QStringLiteral("us-nova-17")},
            {{QStringLiteral("closest")}, QStringLiteral("us-nova-17")},
            {{QStringLiteral("public")}, QStringLiteral("us-nova-17")},
            {{QStringLiteral("private")}, QStringLiteral("privateus-nova-3")},
            {{QStringLiteral("p2p")}, QStringLiteral("us-chicago-4")},
            {{QStringLiteral("gb")}, QStringLiteral("gb-london-5")},
            {{QStringLiteral("us"), QStringLiteral("chicago")}, QStringLiteral("us-chicago-4")},
            {{QStringLiteral("us"), QStringLiteral("nova"), QStringLiteral("17")}, QStringLiteral("us-nova-17")},
            {{QStringLiteral("de-frankfurt-2")}, QStringLiteral("de-frankfurt-2")},
            {{QStringLiteral("#gb-london-5")}, QStringLiteral("gb-london-5")},
        };
        for (const Target &t : targets) {
            r = call([&](EngineCallback cb) { speedify().connectServer(t.args, cb); });
            QVERIFY2(r.ok, qPrintable(t.args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.message));
            QCOMPARE(r.data.toObject().value(QStringLiteral("tag")).toString(), t.tag);
            QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
            QCOMPARE(slice().value(QStringLiteral("server")).toObject().value(QStringLiteral("tag")).toString(), t.tag);
            QVERIFY(slice().value(QStringLiteral("tunnelUp")).toBool());
        }
        r = call([&](EngineCallback cb) { speedify().disconnectServer(cb); });
        QVERIFY(r.ok);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-in"));
        QVERIFY(slice().value(QStringLiteral("server")).isNull());
        QVERIFY(!slice().value(QStringLiteral("tunnelUp")).toBool());

        r = call([&](EngineCallback cb) { speedify().logout(cb); });
        QVERIFY(r.ok);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-out"));
        r = call([&](EngineCallback cb) { speedify().loginAuto(cb); });
        QVERIFY(r.ok);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-in"));
    }

    void loginWithStartupConnectAutoConnects()
    {
        startSpeedify(true);
        QTRY_VERIFY(speedify().speedifySettings().startupConnect);
        const EngineResult r = call(
            [&](EngineCallback cb) { speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb); });
        QVERIFY(r.ok);
        // LOGGED_IN → AUTO_CONNECTING → CONNECTED, seen through the stats stream.
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
    }

    void unknownServerIsAnErrorAndStaysLoggedIn()
    {
        startSpeedify();
        QVERIFY(call([&](EngineCallback cb) {
                    speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb);
                }).ok);
        const EngineResult r = call([&](EngineCallback cb) { speedify().connectServer({QStringLiteral("zz")}, cb); });
        QVERIFY(!r.ok);
        QCOMPARE(r.errorKind, QStringLiteral("daemon-error"));
        QVERIFY2(r.message.contains(QStringLiteral("Server not found")), qPrintable(r.message));
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-in"));
        QCOMPARE(slice().value(QStringLiteral("lastError")).toObject().value(QStringLiteral("message")).toString(),
                 r.message);
        QCOMPARE(lastEventMessage(), r.message);
        QCOMPARE(events().last().toObject().value(QStringLiteral("severity")).toString(), QStringLiteral("error"));
    }

    void everySettingCommand()
    {
        startSpeedify();
        auto ok = [&](const std::function<void(EngineCallback)> &f) {
            const EngineResult r = call(f);
            return r;
        };
        EngineResult r = ok([&](EngineCallback cb) { speedify().setMode(QStringLiteral("redundant"), cb); });
        QCOMPARE(r.data.toObject().value(QStringLiteral("mode")).toString(), QStringLiteral("redundant"));
        QCOMPARE(slice().value(QStringLiteral("mode")).toString(), QStringLiteral("redundant"));
        r = ok([&](EngineCallback cb) { speedify().setTransport(QStringLiteral("tcp-multi"), cb); });
        QCOMPARE(speedify().speedifySettings().transportMode, QStringLiteral("tcp-multi"));
        for (const QString &t : {QStringLiteral("encryption"), QStringLiteral("jumbo"), QStringLiteral("packetaggr"),
                                 QStringLiteral("headercompression"), QStringLiteral("startupconnect")}) {
            QVERIFY(ok([&](EngineCallback cb) { speedify().setToggle(t, true, cb); }).ok);
        }
        QVERIFY(speedify().speedifySettings().headerCompression);
        QVERIFY(speedify().speedifySettings().startupConnect);
        QVERIFY(ok([&](EngineCallback cb) { speedify().setToggle(QStringLiteral("jumbo"), false, cb); }).ok);
        QVERIFY(!speedify().speedifySettings().jumboPackets);
        QVERIFY(ok([&](EngineCallback cb) { speedify().setOverflow(12.5, cb); }).ok);
        QCOMPARE(speedify().speedifySettings().overflowThreshold, 12.5);
        QVERIFY(ok([&](EngineCallback cb) { speedify().setPriorityOverflow(3, cb); }).ok);
        QCOMPARE(speedify().speedifySettings().priorityOverflowThreshold, 3.0);
        QVERIFY(ok([&](EngineCallback cb) { speedify().setMaxRedundant(4, cb); }).ok);
        QCOMPARE(speedify().speedifySettings().maxRedundant, 4);

        const QString id = QStringLiteral("wwan0");
        auto adapter = [&]() {
            for (const SpeedifyAdapterInfo &a : speedify().speedifyAdapters())
                if (a.adapterId == id)
                    return a;
            return SpeedifyAdapterInfo {};
        };
        QVERIFY(ok([&](EngineCallback cb) { speedify().setAdapterPriority(id, QStringLiteral("backup"), cb); }).ok);
        QCOMPARE(adapter().priority, QStringLiteral("backup"));
        QVERIFY(ok([&](EngineCallback cb) { speedify().setAdapterRateLimit(id, 20000000, 4000000, cb); }).ok);
        QCOMPARE(adapter().rateLimitDownBps, 20000000);
        QCOMPARE(adapter().rateLimitUpBps, 4000000);
        QVERIFY(ok([&](EngineCallback cb) {
                    speedify().setAdapterDataLimit(id, QStringLiteral("daily"), 2000000000, 0, cb);
                }).ok);
        QCOMPARE(adapter().dataUsage.usageDailyLimit, 2000000000);
        QVERIFY(ok([&](EngineCallback cb) {
                    speedify().setAdapterDataLimit(id, QStringLiteral("dailyboost"), 500000000, 0, cb);
                }).ok);
        QCOMPARE(adapter().dataUsage.usageDailyBoost, 500000000);
        QVERIFY(ok([&](EngineCallback cb) {
                    speedify().setAdapterDataLimit(id, QStringLiteral("monthly"), 30000000000LL, 15, cb);
                }).ok);
        QCOMPARE(adapter().dataUsage.usageMonthlyLimit, 30000000000LL);
        QCOMPARE(adapter().dataUsage.usageMonthlyResetDay, 15);
        QVERIFY(ok([&](EngineCallback cb) {
                    speedify().setAdapterDataLimit(id, QStringLiteral("daily"), std::nullopt, 0, cb);
                }).ok);
        QCOMPARE(adapter().dataUsage.usageDailyLimit, 0);
        QVERIFY(ok([&](EngineCallback cb) { speedify().setAdapterOverlimitRateLimit(id, 1000000, cb); }).ok);
        QCOMPARE(adapter().dataUsage.overlimitRatelimit, 1000000);
        QVERIFY(ok([&](EngineCallback cb) { speedify().resetAdapterUsage(id, cb); }).ok);
        QVERIFY(ok([&](EngineCallback cb) {
                    speedify().setAdapterDirectionalMode(id, QStringLiteral("backup_off"), QStringLiteral("strict_off"),
                                                         cb);
                }).ok);
        QCOMPARE(adapter().directionalUpload, QStringLiteral("backup_off"));
        QCOMPARE(adapter().directionalDownload, QStringLiteral("strict_off"));
        QVERIFY(ok([&](EngineCallback cb) { speedify().setAdapterEncryption(id, false, cb); }).ok);
        QCOMPARE(speedify().speedifySettings().perConnectionEncryption.value(0).first, id);
        QCOMPARE(speedify().speedifySettings().perConnectionEncryption.value(0).second, false);
        // The state store shows what Speedify reports.
        const QJsonArray published = slice().value(QStringLiteral("adapters")).toArray();
        QCOMPARE(published.at(1).toObject().value(QStringLiteral("priority")).toString(), QStringLiteral("backup"));

        r = ok([&](EngineCallback cb) { speedify().servers(cb); });
        QCOMPARE(r.data.toObject().value(QStringLiteral("public")).toArray().size(), 4);
        QCOMPARE(r.data.toObject().value(QStringLiteral("private")).toArray().size(), 1);
        r = ok([&](EngineCallback cb) { speedify().version(cb); });
        QCOMPARE(r.data.toString(), QStringLiteral("15.7.2.99999"));
    }

    // Every engine action of the API (engine.action{name, args}, arguments as the API validated
    // them): the stand-in ends up as speedify_cli would, and the engine slice shows it.
    void engineActionsChangeSpeedifyAndTheSlice_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("args");
        QTest::addColumn<QString>("daemonPath"); // in the stand-in's daemon.json
        QTest::addColumn<QString>("slicePath");  // in the engine slice
        QTest::addColumn<QByteArray>("expected");
        const auto row = [](const char *tag, const char *name, const char *args, const char *daemonPath,
                            const char *slicePath, const char *expected) {
            QTest::newRow(tag) << QString::fromLatin1(name) << QByteArray(args) << QString::fromLatin1(daemonPath)
                               << QString::fromLatin1(slicePath) << QByteArray(expected);
        };
        row("mode", "set_mode", R"({"mode":"redundant"})", "settings/bondingMode", "mode", R"("redundant")");
        row("transport", "set_transport", R"({"transport":"udp"})", "settings/transportMode", "settings/transport",
            R"("udp")");
        row("encryption", "set_encryption", R"({"enabled":false})", "settings/encrypted", "settings/encrypted",
            "false");
        row("jumbo", "set_jumbo", R"({"enabled":false})", "settings/jumboPackets", "settings/jumboPackets", "false");
        row("packet aggregation", "set_packet_aggregation", R"({"enabled":false})", "settings/packetAggregation",
            "settings/packetAggregation", "false");
        row("header compression", "set_header_compression", R"({"enabled":true})", "settings/headerCompression",
            "settings/headerCompression", "true");
        row("overflow", "set_overflow", R"({"mbps":12.5})", "settings/overflowThreshold",
            "settings/overflowThresholdMbps", "12.5");
        row("priority overflow", "set_priority_overflow", R"({"mbps":3})", "settings/priorityOverflowThreshold",
            "settings/priorityOverflowThresholdMbps", "3");
        row("max redundant", "set_max_redundant", R"({"connections":4})", "settings/maxRedundant",
            "settings/maxRedundant", "4");
        row("adapter priority", "adapter_priority", R"({"adapter":"wwan0","priority":"backup"})",
            "adapters/@wwan0/priority", "adapters/@wwan0/priority", R"("backup")");
        row("rate limit", "adapter_rate_limit", R"({"adapter":"wwan0","down_bps":20000000,"up_bps":4000000})",
            "adapters/@wwan0/rateLimit/uploadBps", "adapters/@wwan0/rateLimitUpBps", "4000000");
        row("daily limit", "adapter_data_limit", R"({"adapter":"wwan0","period":"daily","bytes":2000000000})",
            "adapters/@wwan0/dataUsage/usageDailyLimit", "adapters/@wwan0/usageDailyLimitBytes", "2000000000");
        row("daily limit off", "adapter_data_limit", R"({"adapter":"wwan0","period":"daily","bytes":null})",
            "adapters/@wwan0/dataUsage/usageDailyLimit", "adapters/@wwan0/usageDailyLimitBytes", "0");
        row("daily boost", "adapter_data_limit", R"({"adapter":"wwan0","period":"dailyboost","bytes":500000000})",
            "adapters/@wwan0/dataUsage/usageDailyBoost", "adapters/@wwan0/usageDailyBoostBytes", "500000000");
        row("monthly limit", "adapter_data_limit",
            R"({"adapter":"wwan0","period":"monthly","bytes":30000000000,"reset_day":15})",
            "adapters/@wwan0/dataUsage/usageMonthlyResetDay", "adapters/@wwan0/usageMonthlyResetDay", "15");
        row("overlimit rate", "adapter_overlimit_rate", R"({"adapter":"wwan0","bps":1000000})",
            "adapters/@wwan0/dataUsage/overlimitRatelimit", "adapters/@wwan0/overlimitRateLimitBps", "1000000");
        row("directional", "adapter_directional",
            R"({"adapter":"wwan0","upload":"backup_off","download":"strict_off"})",
            "adapters/@wwan0/directionalSettings/download", "adapters/@wwan0/directionalDownload", R"("strict_off")");
        row("adapter encryption", "adapter_encryption", R"({"adapter":"wwan0","enabled":false})",
            "settings/perConnectionEncryptionSettings/@wwan0/encrypted",
            "settings/perConnectionEncryption/@wwan0/encrypted", "false");
        row("reset usage", "reset_usage", R"({"adapter":"wwan0"})", "adapters/@wwan0/dataUsage/usageDaily",
            "adapters/@wwan0/usageDailyBytes", "0");
        row("bypass domains", "streamingbypass_list", R"({"list":"domains","op":"add","values":["netflix.com"]})",
            "streamingbypass/domains/0", "streamingBypass/domains/0", R"("netflix.com")");
        row("bypass ipv4", "streamingbypass_list", R"({"list":"ipv4","op":"set","values":["198.51.100.0/24"]})",
            "streamingbypass/ipv4/0", "streamingBypass/ipv4/0", R"("198.51.100.0/24")");
        row("bypass ipv6", "streamingbypass_list", R"({"list":"ipv6","op":"add","values":["2001:db8::/32"]})",
            "streamingbypass/ipv6/0", "streamingBypass/ipv6/0", R"("2001:db8::/32")");
        row("bypass ports", "streamingbypass_list", R"({"list":"ports","op":"add","values":["5000-5010/tcp"]})",
            "streamingbypass/ports/0/portRangeEnd", "streamingBypass/ports/0/portRangeEnd", "5010");
        row("bypass service", "streamingbypass_service", R"({"service":"Netflix","enabled":true})",
            "streamingbypass/services/@Netflix/enabled", "streamingBypass/services/@Netflix/enabled", "true");
        row("streaming ports", "streaming_list", R"({"list":"ports","op":"set","values":["1935/tcp"]})",
            "streaming/ports/0/port", "streaming/ports/0/port", "1935");
        row("streaming domains", "streaming_list", R"({"list":"domains","op":"add","values":["twitch.tv"]})",
            "streaming/domains/0", "streaming/domains/0", R"("twitch.tv")");
    }

    void engineActionsChangeSpeedifyAndTheSlice()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, args);
        QFETCH(QString, daemonPath);
        QFETCH(QString, slicePath);
        QFETCH(QByteArray, expected);
        startSpeedify();
        // The lists were read at start, before anyone edited them.
        QTRY_VERIFY(!pick(slice(), QStringLiteral("streamingBypass/services/@Netflix")).isUndefined());
        QVERIFY(slice().value(QStringLiteral("streaming")).isObject());
        const QJsonValue want = QJsonDocument::fromJson("[" + expected + "]").array().at(0);
        const EngineResult r = action(name, QJsonDocument::fromJson(args).object());
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(pick(daemonState(), daemonPath), want);
        QTRY_COMPARE(pick(slice(), slicePath), want);
        QVERIFY(slice().value(QStringLiteral("lastError")).isNull());
    }

    void engineActionsRefuseWhatSpeedifyHasNot()
    {
        EngineResult r = action(QStringLiteral("set_mode"), {{QStringLiteral("mode"), QStringLiteral("speed")}});
        QCOMPARE(r.errorKind, QStringLiteral("unavailable")); // no engine yet
        QCOMPARE(engineErrorCode(r.errorKind), QStringLiteral("unavailable"));
        startSpeedify();
        QTRY_VERIFY(!pick(slice(), QStringLiteral("streamingBypass/services/@Netflix")).isUndefined());
        const qsizetype before = recordedArgv().size();
        r = action(QStringLiteral("adapter_rate_limit"), {{QStringLiteral("adapter"), QStringLiteral("eth7")},
                                                          {QStringLiteral("down_bps"), 1},
                                                          {QStringLiteral("up_bps"), 1}});
        QCOMPARE(r.errorKind, QStringLiteral("not_found"));
        QVERIFY(r.message.contains(QStringLiteral("eth7")));
        r = action(QStringLiteral("streamingbypass_service"),
                   {{QStringLiteral("service"), QStringLiteral("Nope TV")}, {QStringLiteral("enabled"), true}});
        QCOMPARE(r.errorKind, QStringLiteral("not_found"));
        r = action(QStringLiteral("speedtest"), {{QStringLiteral("wan"), QStringLiteral("nowhere")}});
        QCOMPARE(r.errorKind, QStringLiteral("not_found"));
        r = action(QStringLiteral("fly"), {});
        QCOMPARE(r.errorKind, QStringLiteral("not_found"));
        QCOMPARE(recordedArgv().size(), before); // nothing ran

        // With WANs, SmoothWAN owns every adapter's priority and the WAN adapters' caps.
        EngineWan lte;
        lte.name = QStringLiteral("lte");
        lte.interface = QStringLiteral("wwan0");
        m_manager->setWans({lte});
        QTRY_COMPARE(pick(slice(), QStringLiteral("adapters/@wwan0/wan")).toString(), QStringLiteral("lte"));
        r = action(QStringLiteral("adapter_priority"), {{QStringLiteral("adapter"), QStringLiteral("wwan0")},
                                                        {QStringLiteral("priority"), QStringLiteral("never")}});
        QCOMPARE(r.errorKind, QStringLiteral("conflict"));
        QVERIFY(r.message.contains(QStringLiteral("wan.set_priority")));
        QCOMPARE(engineErrorCode(r.errorKind), QStringLiteral("conflict"));
        r = action(QStringLiteral("adapter_data_limit"), {{QStringLiteral("adapter"), QStringLiteral("wwan0")},
                                                          {QStringLiteral("period"), QStringLiteral("monthly")},
                                                          {QStringLiteral("bytes"), 1000}});
        QCOMPARE(r.errorKind, QStringLiteral("conflict"));
        QVERIFY(r.message.contains(QStringLiteral("wan.set_caps")));
        r = action(QStringLiteral("adapter_data_limit"), {{QStringLiteral("adapter"), QStringLiteral("wwan0")},
                                                          {QStringLiteral("period"), QStringLiteral("dailyboost")},
                                                          {QStringLiteral("bytes"), 1000}});
        QVERIFY2(r.ok, qPrintable(r.message));
        r = action(QStringLiteral("streamtest"), {{QStringLiteral("wan"), QStringLiteral("lte")}});
        QCOMPARE(r.errorKind, QStringLiteral("test-failed")); // ran on wwan0, but disconnected
        QCOMPARE(recordedArgv().last(),
                 (QStringList {QStringLiteral("-s"), QStringLiteral("streamtest"), QStringLiteral("wwan0")}));
        QCOMPARE(engineErrorCode(r.errorKind), QStringLiteral("engine_error"));
    }

    void streamingBypassAndStreamingRules()
    {
        startSpeedify();
        const QString bypass = QStringLiteral("streamingbypass");
        EngineResult r = call([&](EngineCallback cb) {
            speedify().editList(bypass, QStringLiteral("domains"), QStringLiteral("add"),
                                {QStringLiteral("netflix.com"), QStringLiteral("example.org")}, cb);
        });
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(r.data.toObject().value(QStringLiteral("domains")).toArray().size(), 2);
        r = call([&](EngineCallback cb) {
            speedify().editList(bypass, QStringLiteral("domains"), QStringLiteral("rem"),
                                {QStringLiteral("example.org")}, cb);
        });
        QCOMPARE(r.data.toObject().value(QStringLiteral("domains")).toArray(),
                 QJsonArray {QStringLiteral("netflix.com")});
        r = call([&](EngineCallback cb) {
            speedify().editList(bypass, QStringLiteral("ipv4"), QStringLiteral("set"),
                                {QStringLiteral("198.51.100.0/24")}, cb);
        });
        QCOMPARE(r.data.toObject().value(QStringLiteral("ipv4")).toArray(),
                 QJsonArray {QStringLiteral("198.51.100.0/24")});
        r = call([&](EngineCallback cb) {
            speedify().editList(bypass, QStringLiteral("ipv6"), QStringLiteral("add"),
                                {QStringLiteral("2001:db8::/32")}, cb);
        });
        QCOMPARE(r.data.toObject().value(QStringLiteral("ipv6")).toArray().size(), 1);
        r = call([&](EngineCallback cb) {
            speedify().editList(bypass, QStringLiteral("ports"), QStringLiteral("add"),
                                {QStringLiteral("3478/udp"), QStringLiteral("5000-5010/tcp")}, cb);
        });
        QCOMPARE(r.data.toObject().value(QStringLiteral("ports")).toArray().size(), 2);
        r = call([&](EngineCallback cb) { speedify().setBypassService(QStringLiteral("Netflix"), true, cb); });
        QVERIFY(r.ok);
        QVERIFY(r.data.toObject()
                    .value(QStringLiteral("services"))
                    .toArray()
                    .contains(QJsonObject {{QStringLiteral("title"), QStringLiteral("Netflix")},
                                           {QStringLiteral("enabled"), true}}));
        QCOMPARE(slice()
                     .value(QStringLiteral("streamingBypass"))
                     .toObject()
                     .value(QStringLiteral("domains"))
                     .toArray()
                     .size(),
                 1);

        r = call([&](EngineCallback cb) {
            speedify().editList(QStringLiteral("streaming"), QStringLiteral("ports"), QStringLiteral("set"),
                                {QStringLiteral("1935/tcp")}, cb);
        });
        QVERIFY(r.ok);
        QCOMPARE(r.data.toObject().value(QStringLiteral("ports")).toArray().size(), 1);
        QVERIFY(!r.data.toObject().contains(QStringLiteral("services")));
    }

    void speedAndStreamTests()
    {
        startSpeedify();
        EngineResult r = call([&](EngineCallback cb) { speedify().speedTest(false, {}, cb); });
        QVERIFY(!r.ok); // disconnected: Speedify reports an error inside the result
        QCOMPARE(r.errorKind, QStringLiteral("test-failed"));
        QVERIFY(r.message.contains(QStringLiteral("Cannot test speed while disconnected")));
        QCOMPARE(lastEventMessage(), r.message);
        QVERIFY(call([&](EngineCallback cb) {
                    speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb);
                }).ok);
        QVERIFY(call([&](EngineCallback cb) { speedify().connectServer({}, cb); }).ok);
        r = call([&](EngineCallback cb) { speedify().speedTest(false, {}, cb); });
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(r.data.toArray().at(0).toObject().value(QStringLiteral("downloadBps")).toDouble(), 95000000.0);
        r = call([&](EngineCallback cb) { speedify().speedTest(true, QStringLiteral("lo"), cb); });
        QVERIFY(r.ok);
        QCOMPARE(r.data.toArray().at(0).toObject().value(QStringLiteral("resolution")).toString(),
                 QStringLiteral("1080p"));
        QVERIFY(slice().value(QStringLiteral("lastError")).isNull()); // cleared by the successful test
    }

    void statsStreamFeedsTheSlice()
    {
        startSpeedify();
        QVERIFY(call([&](EngineCallback cb) {
                    speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb);
                }).ok);
        QVERIFY(call([&](EngineCallback cb) { speedify().connectServer({}, cb); }).ok);
        auto loStats = [&] {
            for (const QJsonValue &a : slice().value(QStringLiteral("adapters")).toArray())
                if (a.toObject().value(QStringLiteral("adapterId")) == QStringLiteral("lo"))
                    return a.toObject().value(QStringLiteral("stats")).toObject();
            return QJsonObject {};
        };
        QTRY_VERIFY(!loStats().isEmpty());
        QCOMPARE(loStats().value(QStringLiteral("connections")).toInt(), 1); // aggregate and proxy rows skipped
        QVERIFY(loStats().contains(QStringLiteral("latencyMs")));
        QVERIFY(slice().value(QStringLiteral("session")).toObject().contains(QStringLiteral("failoverSaves")));
        // Traffic on lo moves lo's receive rate.
        QProcess ping;
        ping.start(QStringLiteral("ping"),
                   {QStringLiteral("-c"), QStringLiteral("30"), QStringLiteral("-i"), QStringLiteral("0.01"),
                    QStringLiteral("-s"), QStringLiteral("1400"), QStringLiteral("127.0.0.1")});
        QTRY_VERIFY_WITH_TIMEOUT(loStats().value(QStringLiteral("receiveBps")).toDouble() > 0, 10000);
        ping.waitForFinished();
        // The session counters come from the daemon.
        QFile state(m_dir->filePath(QStringLiteral("daemon.json")));
        QVERIFY(state.open(QIODevice::ReadOnly));
        QJsonObject daemon = QJsonDocument::fromJson(state.readAll()).object();
        state.close();
        daemon.insert(QStringLiteral("session"),
                      QJsonObject {{QStringLiteral("failoverSaves"), 3}, {QStringLiteral("redundantSaves"), 9}});
        QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
        state.write(QJsonDocument(daemon).toJson());
        state.close();
        QTRY_COMPARE(
            slice().value(QStringLiteral("session")).toObject().value(QStringLiteral("redundantModeSaves")).toInt(), 9);
        QCOMPARE(slice().value(QStringLiteral("session")).toObject().value(QStringLiteral("failoverSaves")).toInt(), 3);
    }

    void statsReaderIsRestartedWhenItExits()
    {
        startSpeedify();
        auto readers = [] {
            QProcess pgrep;
            pgrep.start(QStringLiteral("pgrep"),
                        {QStringLiteral("-f"), QStringLiteral("-P"),
                         QString::number(QCoreApplication::applicationPid()), QStringLiteral("speedify_cli -s stats")});
            pgrep.waitForFinished();
            return QString::fromLatin1(pgrep.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        };
        QTRY_COMPARE(readers().size(), 1);
        const QString first = readers().first();
        QProcess::execute(QStringLiteral("kill"), {QStringLiteral("-KILL"), first});
        QTRY_VERIFY(readers().size() == 1 && readers().first() != first);
        // Still fed: a state change arrives through the new reader.
        QVERIFY(call([&](EngineCallback cb) { speedify().loginAuto(cb); }).ok);
        QTRY_COMPARE(slice().value(QStringLiteral("speedifyState")).toString(), QStringLiteral("LOGGED_IN"));
    }

    void wansAreMappedByInterfaceName()
    {
        startSpeedify();
        EngineWan home;
        home.name = QStringLiteral("home");
        home.interface = QStringLiteral("lo");
        home.priority = WanPriority::Always;
        EngineWan lte;
        lte.name = QStringLiteral("lte");
        lte.interface = QStringLiteral("wwan0");
        lte.priority = WanPriority::Backup;
        lte.caps.dailyBytes = 1000000000;
        lte.caps.monthlyBytes = 20000000000LL;
        lte.caps.resetDay = 5;
        m_manager->setWans({home, lte});
        auto adapter = [&](const QString &id) {
            for (const QJsonValue &a : slice().value(QStringLiteral("adapters")).toArray())
                if (a.toObject().value(QStringLiteral("adapterId")).toString() == id)
                    return a.toObject();
            return QJsonObject {};
        };
        QTRY_COMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("priority")).toString(),
                     QStringLiteral("backup"));
        QTRY_COMPARE(adapter(QStringLiteral("br-lan")).value(QStringLiteral("priority")).toString(),
                     QStringLiteral("never"));
        QTRY_COMPARE(adapter(QStringLiteral("lo")).value(QStringLiteral("priority")).toString(),
                     QStringLiteral("always"));
        QTRY_COMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("usageMonthlyLimitBytes")).toDouble(),
                     20000000000.0);
        QCOMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("usageDailyLimitBytes")).toDouble(),
                 1000000000.0);
        QCOMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("usageMonthlyResetDay")).toInt(), 5);
        QCOMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("wan")).toString(), QStringLiteral("lte"));
        QVERIFY(adapter(QStringLiteral("br-lan")).value(QStringLiteral("wan")).isNull());

        // Disabling a WAN takes it out of the bond; nothing else is re-sent.
        const qsizetype before = recordedArgv().size();
        lte.enabled = false;
        m_manager->setWans({home, lte});
        QTRY_COMPARE(adapter(QStringLiteral("wwan0")).value(QStringLiteral("priority")).toString(),
                     QStringLiteral("never"));
        const QList<QStringList> argv = recordedArgv().mid(before);
        int prioritySets = 0;
        for (const QStringList &a : argv)
            prioritySets += a.value(2) == QLatin1String("priority") ? 1 : 0;
        QCOMPARE(prioritySets, 1);
    }

    void aFailingStepSaysWhichAndUndoesWhatWasApplied()
    {
        startSpeedify();
        qputenv("SPEEDIFY_FAKE_FAULT", "rc2");
        qputenv("SPEEDIFY_FAKE_FAULT_ACTION", "transport");
        QSignalSpy changed(m_store.get(), &StateStore::changed);
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = StandIn;
        config.speedify.startupConnect = false;
        config.speedify.mode = SpeedifyMode::Streaming;
        config.speedify.transport = SpeedifyTransport::Udp;
        m_manager->setConfig(config);
        QTRY_VERIFY(!slice().value(QStringLiteral("lastError")).isNull());
        const QString message =
            slice().value(QStringLiteral("lastError")).toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(message.contains(QStringLiteral("step 2 of 2 (transport udp)")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("Steps 1-1 had been applied and were undone")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("rejected a value")), qPrintable(message));
        QCOMPARE(lastEventMessage(), message);
        // Nothing is left half-applied: step 1 (mode streaming) was put back, and the slice shows
        // Speedify's actual settings.
        const QList<QStringList> argv = recordedArgv();
        QVERIFY(argv.contains(QStringList {QStringLiteral("-s"), QStringLiteral("mode"), QStringLiteral("streaming")}));
        QTRY_COMPARE(slice().value(QStringLiteral("mode")).toString(), QStringLiteral("speed"));
        QVERIFY(argv.indexOf(QStringList {QStringLiteral("-s"), QStringLiteral("mode"), QStringLiteral("speed")}) >
                argv.indexOf(QStringList {QStringLiteral("-s"), QStringLiteral("mode"), QStringLiteral("streaming")}));
        QCOMPARE(slice().value(QStringLiteral("settings")).toObject().value(QStringLiteral("transport")).toString(),
                 QStringLiteral("auto"));
    }

    void faultsBecomeClearErrorsAndTheAdapterStaysUp_data()
    {
        QTest::addColumn<QByteArray>("fault");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("words");
        QTest::newRow("hang") << QByteArray("hang") << QStringLiteral("timeout") << QStringLiteral("did not answer");
        QTest::newRow("slow beyond the timeout")
            << QByteArray("slow") << QStringLiteral("timeout") << QStringLiteral("within");
        QTest::newRow("crash") << QByteArray("crash") << QStringLiteral("crashed") << QStringLiteral("crashed");
        QTest::newRow("malformed JSON") << QByteArray("malformed") << QStringLiteral("bad-output")
                                        << QStringLiteral("not JSON");
        QTest::newRow("rc1") << QByteArray("rc1") << QStringLiteral("daemon-error")
                             << QStringLiteral("Timeout waiting for result");
        QTest::newRow("rc2") << QByteArray("rc2") << QStringLiteral("invalid-parameter")
                             << QStringLiteral("rejected a value");
        QTest::newRow("rc3") << QByteArray("rc3") << QStringLiteral("missing-parameter") << QStringLiteral("missing");
        QTest::newRow("rc4") << QByteArray("rc4") << QStringLiteral("unknown-parameter")
                             << QStringLiteral("does not know");
        QTest::newRow("daemon not running") << QByteArray("daemon-down") << QStringLiteral("daemon-error")
                                            << QStringLiteral("Unable to connect to the Speedify service");
    }

    void faultsBecomeClearErrorsAndTheAdapterStaysUp()
    {
        QFETCH(QByteArray, fault);
        QFETCH(QString, kind);
        QFETCH(QString, words);
        startSpeedify();
        const std::uint64_t eventsBefore = events().size();
        // Short enough for the test, long enough for a sanitizer build of the stand-in on a busy machine.
        speedify().cli().setTimeoutMs(2000);
        qputenv("SPEEDIFY_FAKE_FAULT", fault);
        qputenv("SPEEDIFY_FAKE_FAULT_ACTION", "mode");
        qputenv("SPEEDIFY_FAKE_SLOW_MS", "6000");
        const EngineResult r = call([&](EngineCallback cb) { speedify().setMode(QStringLiteral("redundant"), cb); });
        QVERIFY(!r.ok);
        QCOMPARE(r.errorKind, kind);
        QVERIFY2(r.message.contains(words), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("mode redundant")), qPrintable(r.message));
        const QJsonObject lastError = slice().value(QStringLiteral("lastError")).toObject();
        QCOMPARE(lastError.value(QStringLiteral("kind")).toString(), kind);
        QCOMPARE(lastError.value(QStringLiteral("message")).toString(), r.message);
        QVERIFY(std::uint64_t(events().size()) > eventsBefore);
        QCOMPARE(lastEventMessage(), r.message);
        QVERIFY(slice().value(QStringLiteral("logTail")).toArray().contains(r.message));
        QCOMPARE(slice().value(QStringLiteral("mode")).toString(), QStringLiteral("speed")); // nothing half-applied

        // Up and usable once the fault is gone; the queue was not wedged.
        qunsetenv("SPEEDIFY_FAKE_FAULT");
        const EngineResult again =
            call([&](EngineCallback cb) { speedify().setMode(QStringLiteral("redundant"), cb); });
        QVERIFY2(again.ok, qPrintable(again.message));
        QCOMPARE(slice().value(QStringLiteral("mode")).toString(), QStringLiteral("redundant"));
        QVERIFY(slice().value(QStringLiteral("lastError")).isNull());
    }

    void daemonDownShowsAsEngineError()
    {
        qputenv("SPEEDIFY_FAKE_FAULT", "daemon-down");
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = StandIn;
        m_manager->setConfig(config);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("error"));
        QVERIFY(slice()
                    .value(QStringLiteral("lastError"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("Unable to connect to the Speedify service")));
        qunsetenv("SPEEDIFY_FAKE_FAULT");
        QVERIFY(call([&](EngineCallback cb) { speedify().refresh(cb); }).ok);
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-out"));
    }

    void theDaemonIsSupervisedAndRestartedAfterACrash()
    {
        // The daemon stand-in sits beside the CLI, as /usr/share/speedify/speedify does.
        qputenv("SPEEDIFY_FAKE_NEEDS_DAEMON", "1");
        startSpeedify();
        QCOMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-out"));
        QTRY_VERIFY(
            slice().value(QStringLiteral("logTail")).toArray().contains(QStringLiteral("[speedify] heartbeat")));
        auto daemonPid = [&] {
            QFile f(m_dir->filePath(QStringLiteral("daemon.pid")));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
        };
        const int first = daemonPid();
        QVERIFY(first > 0);
        ::kill(first, SIGKILL);
        // Restarted with backoff; the events log says so; Speedify answers again.
        QTRY_VERIFY(daemonPid() != first && daemonPid() > 0 && ::kill(daemonPid(), 0) == 0);
        bool told = false;
        for (const QJsonValue &e : events())
            told |= e.toObject()
                        .value(QStringLiteral("message"))
                        .toString()
                        .startsWith(QStringLiteral("Speedify crashed; restarting in"));
        QVERIFY(told);
        const EngineResult r = call([&](EngineCallback cb) { speedify().loginAuto(cb); });
        QVERIFY2(r.ok, qPrintable(r.message));
        QTRY_COMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("logged-in"));
    }

    void aDaemonThatKeepsCrashingIsACrashLoop()
    {
        qputenv("SPEEDIFY_FAKE_NEEDS_DAEMON", "1");
        qputenv("SPEEDIFY_FAKE_DAEMON_CRASH_AFTER_MS", "0");
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = StandIn;
        m_manager->setConfig(config);
        QTRY_COMPARE_WITH_TIMEOUT(slice().value(QStringLiteral("state")).toString(), QStringLiteral("crash-loop"),
                                  20000);
        bool told = false;
        for (const QJsonValue &e : events()) {
            const QString m = e.toObject().value(QStringLiteral("message")).toString();
            told |= m.startsWith(QStringLiteral("Speedify keeps crashing")) &&
                    m.contains(QStringLiteral("stand-in crashing as asked"));
        }
        QVERIFY(told);
    }

    void commandsNeverInterleave()
    {
        startSpeedify();
        // Fired together; the CLI sees them strictly one after another, in order.
        QList<std::shared_ptr<Call>> calls;
        const QStringList modes {QStringLiteral("speed"), QStringLiteral("redundant"), QStringLiteral("streaming")};
        for (int i = 0; i < 9; ++i) {
            auto c = std::make_shared<Call>();
            calls.append(c);
            speedify().setMode(modes[i % 3], [c](const EngineResult &r) {
                c->finished = true;
                c->result = r;
            });
        }
        QCOMPARE(speedify().cli().pendingCount(), 9);
        QTRY_VERIFY(calls.last()->finished);
        QVERIFY(std::all_of(calls.begin(), calls.end(), [](const auto &c) { return c->finished && c->result.ok; }));
        QCOMPARE(slice().value(QStringLiteral("mode")).toString(), QStringLiteral("streaming"));
        QStringList seen;
        for (const QStringList &a : recordedArgv())
            if (a.value(1) == QLatin1String("mode"))
                seen.append(a.value(2));
        QCOMPARE(seen.mid(seen.size() - 9), (modes + modes + modes));
    }

    void bothFramingsOfTheStandInParseTheSame_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("state") << QStringList {QStringLiteral("state")};
        QTest::newRow("settings") << QStringList {QStringLiteral("show"), QStringLiteral("settings")};
        QTest::newRow("adapters") << QStringList {QStringLiteral("show"), QStringLiteral("adapters")};
        QTest::newRow("servers") << QStringList {QStringLiteral("show"), QStringLiteral("servers")};
        QTest::newRow("bypass") << QStringList {QStringLiteral("show"), QStringLiteral("streamingbypass")};
        QTest::newRow("version") << QStringList {QStringLiteral("version")};
        QTest::newRow("mode") << QStringList {QStringLiteral("mode"), QStringLiteral("speed")};
        QTest::newRow("adapter priority") << QStringList {QStringLiteral("adapter"), QStringLiteral("priority"),
                                                          QStringLiteral("lo"), QStringLiteral("always")};
        QTest::newRow("speedtest") << QStringList {QStringLiteral("speedtest")};
        QTest::newRow("stats 1") << QStringList {QStringLiteral("stats"), QStringLiteral("1")};
    }

    void bothFramingsOfTheStandInParseTheSame()
    {
        QFETCH(QStringList, args);
        auto runIt = [&](bool single) {
            QProcess p;
            p.start(StandIn, (single ? QStringList {QStringLiteral("-s")} : QStringList {}) + args);
            p.waitForFinished(10000);
            return p.readAllStandardOutput();
        };
        const QByteArray single = runIt(true);
        const QByteArray pretty = runIt(false);
        const QByteArray titled = [&] {
            QProcess p;
            p.start(StandIn, QStringList {QStringLiteral("-s"), QStringLiteral("-t")} + args);
            p.waitForFinished(10000);
            return p.readAllStandardOutput();
        }();
        const auto t = SpeedifyParser::documents(titled); // -t titles are skipped
        QVERIFY(t);
        QCOMPARE(t->isEmpty(), false);
        QVERIFY(pretty.contains("\n\t")); // tab-indented
        const auto a = SpeedifyParser::documents(single);
        const auto b = SpeedifyParser::documents(pretty);
        QVERIFY(a && b);
        QVERIFY(!a->isEmpty());
        if (args.first() == QLatin1String("stats")) {
            QCOMPARE(a->first(), b->first()); // the live rates differ between runs, the framing does not
            return;
        }
        QCOMPARE(a->size(), 1);
        QCOMPARE(*a, *b);
        QVERIFY(QProcess::execute(StandIn, {QStringLiteral("--version")}) == 0);
    }

    void switchingEnginesTearsSpeedifyDown()
    {
        startSpeedify();
        QVERIFY(call([&](EngineCallback cb) {
                    speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb);
                }).ok);
        QVERIFY(call([&](EngineCallback cb) { speedify().connectServer({}, cb); }).ok);
        QTRY_VERIFY(m_manager->tunnelUp());
        QSignalSpy tunnel(m_manager.get(), &EngineManager::tunnelChanged);
        EngineConfig none;
        none.type = EngineType::None;
        m_manager->setConfig(none);
        QTRY_COMPARE(slice().value(QStringLiteral("type")).toString(), QStringLiteral("none"));
        QCOMPARE(slice().value(QStringLiteral("state")).toString(), QStringLiteral("off"));
        QVERIFY(!m_manager->tunnelUp());
        QVERIFY(!tunnel.isEmpty());
        // Speedify was disconnected on the way out.
        QCOMPARE(recordedArgv().last(), (QStringList {QStringLiteral("-s"), QStringLiteral("disconnect")}));
        QVERIFY(events()
                    .last()
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("Switching")));
    }

    void shutdownLeavesSpeedifyConnected()
    {
        startSpeedify();
        QVERIFY(call([&](EngineCallback cb) {
                    speedify().login(QStringLiteral("pat@example.com"), QStringLiteral("pw"), cb);
                }).ok);
        QVERIFY(call([&](EngineCallback cb) { speedify().connectServer({}, cb); }).ok);
        QSignalSpy done(m_manager.get(), &EngineManager::shutdownComplete);
        m_manager->shutdown();
        QVERIFY(done.wait());
        QVERIFY(recordedArgv().last() != (QStringList {QStringLiteral("-s"), QStringLiteral("disconnect")}));
    }
};

QTEST_GUILESS_MAIN(TestSpeedifyAdapter)
#include "tst_speedifyadapter.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
// tinyfecVPN and Engarde engines: their arguments and configuration from our settings, and their
// supervised stand-ins as the EngineManager runs them.
#include "Clock.h"
#include "EngardeAdapter.h"
#include "EngineManager.h"
#include "StateStore.h"
#include "TinyFecAdapter.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkInterface>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <yaml-cpp/yaml.h>

#include <csignal>

using namespace smoothwan;

namespace {
const QString TinyFecStandIn = QStringLiteral(SMOOTHWAN_FAKE_TINYFEC);
const QString EngardeStandIn = QStringLiteral(SMOOTHWAN_FAKE_ENGARDE);

TinyFecConfig tinyfecConfig()
{
    TinyFecConfig c;
    c.server = {QStringLiteral("203.0.113.7"), 4096};
    c.fec = QStringLiteral("1:3,2:4,8:6,20:10");
    c.timeoutMs = 8;
    c.mode = 1;
    c.mtu = 1250;
    c.tunName = QStringLiteral("tinyfec0");
    c.subnet = QHostAddress(QStringLiteral("10.22.22.0"));
    return c;
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}
} // namespace

class TestEngineSupervised : public QObject
{
    Q_OBJECT

    ManualClock m_clock;

    QJsonObject slice(const StateStore &store) const { return store.slice(QStringLiteral("engine")).toObject(); }

private Q_SLOTS:
    void tinyfecArgumentsFromSettings()
    {
        QString error;
        const auto args = TinyFecAdapter::arguments(tinyfecConfig(), &error);
        QVERIFY2(args, qPrintable(error));
        QCOMPARE(*args, (QStringList {QStringLiteral("-c"), QStringLiteral("-r203.0.113.7:4096"),
                                      QStringLiteral("-f1:3,2:4,8:6,20:10"), QStringLiteral("--timeout"),
                                      QStringLiteral("8"), QStringLiteral("--mode"), QStringLiteral("1"),
                                      QStringLiteral("--mtu"), QStringLiteral("1250"), QStringLiteral("--tun-dev"),
                                      QStringLiteral("tinyfec0"), QStringLiteral("--sub-net"),
                                      QStringLiteral("10.22.22.0"), QStringLiteral("--keep-reconnect")}));
    }

    void tinyfecRefusesBadSettings_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("fec decreasing") << QStringLiteral("fec") << QStringLiteral("20:10,8:6");
        QTest::newRow("fec letters") << QStringLiteral("fec") << QStringLiteral("a:b");
        QTest::newRow("fec shell") << QStringLiteral("fec") << QStringLiteral("20:10;reboot");
        QTest::newRow("fec empty") << QStringLiteral("fec") << QString();
        QTest::newRow("fec too many packets") << QStringLiteral("fec") << QStringLiteral("200:100");
        QTest::newRow("tun name with shell") << QStringLiteral("tun") << QStringLiteral("tun0;id");
        QTest::newRow("tun name with space") << QStringLiteral("tun") << QStringLiteral("tun 0");
        QTest::newRow("tun name leading dash") << QStringLiteral("tun") << QStringLiteral("-tun");
        QTest::newRow("server $(reboot)") << QStringLiteral("server") << QStringLiteral("$(reboot)");
        QTest::newRow("server leading dash") << QStringLiteral("server") << QStringLiteral("-h");
        QTest::newRow("mtu") << QStringLiteral("mtu") << QStringLiteral("50");
        QTest::newRow("mode") << QStringLiteral("mode") << QStringLiteral("2");
        QTest::newRow("timeout") << QStringLiteral("timeout") << QStringLiteral("5000");
    }

    void tinyfecRefusesBadSettings()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        TinyFecConfig c = tinyfecConfig();
        if (field == QLatin1String("fec"))
            c.fec = value;
        else if (field == QLatin1String("tun"))
            c.tunName = value;
        else if (field == QLatin1String("server"))
            c.server.host = value;
        else if (field == QLatin1String("mtu"))
            c.mtu = value.toInt();
        else if (field == QLatin1String("mode"))
            c.mode = value.toInt();
        else
            c.timeoutMs = value.toInt();
        QString error;
        QVERIFY(!TinyFecAdapter::arguments(c, &error));
        QVERIFY(!error.isEmpty());
    }

    void tinyfecRunsSupervisedAndRestartsAfterACrash()
    {
        QTemporaryDir dir;
        const QString argvLog = dir.filePath(QStringLiteral("argv.json"));
        qputenv("TINYFEC_FAKE_ARGV_LOG", argvLog.toLocal8Bit());
        StateStore store(m_clock);
        EngineManager manager(m_clock, store);
        manager.setPrograms({}, TinyFecStandIn);
        manager.setSupervision(50, 200);
        EngineConfig config;
        config.type = EngineType::TinyFec;
        config.tinyfec = tinyfecConfig();
        manager.setConfig(config);
        QTRY_COMPARE(slice(store).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(slice(store).value(QStringLiteral("type")).toString(), QStringLiteral("tinyfec"));
        QCOMPARE(slice(store).value(QStringLiteral("tunnel")).toString(), QStringLiteral("tinyfec0"));
        QCOMPARE(manager.tunnelGateway(), QHostAddress(QStringLiteral("10.22.22.1")));
        QCOMPARE(slice(store).value(QStringLiteral("mode")).toString(), QStringLiteral("fec 1:3,2:4,8:6,20:10"));
        QVERIFY2(manager.tunnelUp(), QJsonDocument(slice(store)).toJson().constData());
        QTRY_VERIFY(QFile::exists(argvLog));
        QFile f(argvLog);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(f.readAll()).array().toVariantList().size(), 14);
        QTRY_VERIFY(slice(store)
                        .value(QStringLiteral("logTail"))
                        .toArray()
                        .first()
                        .toString()
                        .contains(QStringLiteral("client to 203.0.113.7:4096 on tinyfec0")));

        // Killed: restarted with backoff, the events log says so.
        auto *engine = qobject_cast<SupervisedEngine *>(manager.engine());
        QVERIFY(engine);
        const qint64 pid = engine->supervisor()->processId();
        QSignalSpy tunnel(&manager, &EngineManager::tunnelChanged);
        ::kill(pid_t(pid), SIGKILL);
        QTRY_VERIFY(engine->supervisor()->restartCount() == 1 && engine->supervisor()->processId() != pid);
        QTRY_COMPARE(slice(store).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(slice(store).value(QStringLiteral("restarts")).toInt(), 1);
        bool warned = false;
        for (const QJsonValue &e : store.slice(QStringLiteral("events")).toArray())
            warned |=
                e.toObject().value(QStringLiteral("message")).toString().contains(QStringLiteral("tinyfecVPN crashed"));
        QVERIFY(warned);
        QVERIFY(tunnel.size() >= 2); // down while it was away, up again

        // Switching away stops the process.
        const qint64 last = engine->supervisor()->processId();
        EngineConfig none;
        manager.setConfig(none);
        QTRY_COMPARE(slice(store).value(QStringLiteral("type")).toString(), QStringLiteral("none"));
        QTRY_COMPARE(::kill(pid_t(last), 0), -1);
        qunsetenv("TINYFEC_FAKE_ARGV_LOG");
    }

    void tinyfecCrashLoopIsReported()
    {
        qputenv("TINYFEC_FAKE_CRASH_AFTER_MS", "0");
        StateStore store(m_clock);
        EngineManager manager(m_clock, store);
        manager.setPrograms({}, TinyFecStandIn);
        manager.setSupervision(10, 20);
        EngineConfig config;
        config.type = EngineType::TinyFec;
        config.tinyfec = tinyfecConfig();
        manager.setConfig(config);
        QTRY_COMPARE_WITH_TIMEOUT(slice(store).value(QStringLiteral("state")).toString(), QStringLiteral("crash-loop"),
                                  20000);
        const QString message =
            slice(store).value(QStringLiteral("lastError")).toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(message.startsWith(QStringLiteral("tinyfecVPN keeps crashing")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("stand-in crashing as asked")), qPrintable(message));
        QVERIFY(!manager.tunnelUp());
        QVERIFY2(manager.tunnelReason().startsWith(QStringLiteral("tinyfec is crash-loop: tinyfecVPN keeps crashing")),
                 qPrintable(manager.tunnelReason()));
        qunsetenv("TINYFEC_FAKE_CRASH_AFTER_MS");
    }

    void missingProgramsAreNotInstalled()
    {
        StateStore store(m_clock);
        EngineManager manager(m_clock, store);
        manager.setPrograms(QStringLiteral("/nonexistent/engarde-client"), QStringLiteral("/nonexistent/tinyvpn"));
        EngineConfig config;
        config.type = EngineType::TinyFec;
        config.tinyfec = tinyfecConfig();
        manager.setConfig(config);
        QTRY_COMPARE(slice(store).value(QStringLiteral("state")).toString(), QStringLiteral("not-installed"));
        QVERIFY(slice(store)
                    .value(QStringLiteral("installHint"))
                    .toString()
                    .contains(QStringLiteral("tinyfecVPN/releases")));
        QVERIFY(!slice(store).value(QStringLiteral("installed")).toBool());
    }

    void engineWansFollowTheBoundInterfaces()
    {
        WanConfig byName;
        byName.name = QStringLiteral("home");
        byName.interface = QStringLiteral("eth1");
        byName.caps.dailyBytes = 5;
        WanConfig byMatch;
        byMatch.name = QStringLiteral("phone");
        byMatch.match.driver = QStringLiteral("rndis_host");
        byMatch.priority = WanPriority::Backup;
        byMatch.enabled = false;
        WanManager::WanStatus bound;
        bound.name = QStringLiteral("phone");
        bound.interface = QStringLiteral("usb0");
        const QList<EngineWan> wans = EngineManager::engineWans({byName, byMatch}, {bound});
        QCOMPARE(wans.size(), 2);
        QCOMPARE(wans[0].interface, QStringLiteral("eth1"));
        QCOMPARE(wans[0].caps.dailyBytes, std::optional<std::uint64_t>(5));
        QCOMPARE(wans[1].interface, QStringLiteral("usb0"));
        QCOMPARE(wans[1].priority, WanPriority::Backup);
        QVERIFY(!wans[1].enabled);
    }

    void engardeConfigurationFromWans()
    {
        EngardeConfig c;
        c.server = {QStringLiteral("vpn.example.net"), 59402};
        c.listen = {QStringLiteral("127.0.0.1"), 59401};
        c.excludedInterfaces = {QStringLiteral("wg0"), QStringLiteral("br-lan")};
        c.webManager = {QStringLiteral("127.0.0.1"), 9001};
        EngineWan home {QStringLiteral("home"), QStringLiteral("eth1"), WanPriority::Always, {}, true};
        EngineWan lte {QStringLiteral("lte"), QStringLiteral("wwan0"), WanPriority::Backup, {}, true};
        EngineWan off {QStringLiteral("old"), QStringLiteral("eth2"), WanPriority::Always, {}, false};
        EngineWan never {QStringLiteral("sat"), QStringLiteral("eth3"), WanPriority::Never, {}, true};
        QString error;
        const auto yaml =
            EngardeAdapter::clientYaml(c, {home, lte, off, never}, {QStringLiteral("u"), QStringLiteral("p")}, &error);
        QVERIFY2(yaml, qPrintable(error));
        const YAML::Node client = YAML::Load(yaml->toStdString())["client"];
        QCOMPARE(client["listenAddr"].as<std::string>(), std::string("127.0.0.1:59401"));
        QCOMPARE(client["dstAddr"].as<std::string>(), std::string("vpn.example.net:59402"));
        QCOMPARE(client["writeTimeout"].as<int>(), 10);
        std::vector<std::string> excluded = client["excludedInterfaces"].as<std::vector<std::string>>();
        QCOMPARE(excluded, (std::vector<std::string> {"wg0", "br-lan", "lo", "eth2", "eth3"}));
        QCOMPARE(client["interfaceLabels"]["eth1"].as<std::string>(), std::string("home"));
        QCOMPARE(client["interfaceLabels"]["wwan0"].as<std::string>(), std::string("lte"));
        QVERIFY(!client["interfaceLabels"]["eth2"]);
        QVERIFY(client["dstOverrides"].IsSequence());
        QCOMPARE(client["webManager"]["listenAddr"].as<std::string>(), std::string("127.0.0.1:9001"));
        QCOMPARE(client["webManager"]["username"].as<std::string>(), std::string("u"));

        // Hostile values are refused, not written.
        EngardeConfig bad = c;
        bad.excludedInterfaces = {QStringLiteral("eth0\nwebManager: x")};
        QVERIFY(!EngardeAdapter::clientYaml(bad, {}, {}, &error));
        bad = c;
        bad.server.host = QStringLiteral("$(reboot)");
        QVERIFY(!EngardeAdapter::clientYaml(bad, {}, {}, &error));
        EngineWan hostile {QStringLiteral("x: y"), QStringLiteral("eth0 ; id"), WanPriority::Always, {}, true};
        QVERIFY(!EngardeAdapter::clientYaml(c, {hostile}, {}, &error));
        // A WAN name is data, quoted by the emitter however odd it is.
        EngineWan odd {QStringLiteral("a: b\n- c"), QStringLiteral("eth5"), WanPriority::Always, {}, true};
        const auto oddYaml = EngardeAdapter::clientYaml(c, {odd}, {}, &error);
        QVERIFY(oddYaml);
        QCOMPARE(YAML::Load(oddYaml->toStdString())["client"]["interfaceLabels"]["eth5"].as<std::string>(),
                 std::string("a: b\n- c"));
    }

    void engardeRunsAndItsWebManagerStatusIsPublished()
    {
        QTemporaryDir dir;
        StateStore store(m_clock);
        EngineManager manager(m_clock, store);
        manager.setPrograms(EngardeStandIn, {});
        manager.setRuntimeDirectory(dir.path());
        manager.setSupervision(50, 200);
        EngineConfig config;
        config.type = EngineType::Engarde;
        config.engarde.server = {QStringLiteral("203.0.113.9"), 59402};
        config.engarde.listen = {QStringLiteral("127.0.0.1"), freePort()};
        config.engarde.webManager = {QStringLiteral("127.0.0.1"), freePort()};
        manager.setConfig(config);
        QTRY_COMPARE(slice(store).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(QFile(dir.filePath(QStringLiteral("engarde.yml"))).permissions() &
                     (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions {});
        manager.setWans({EngineWan {QStringLiteral("loopback"), QStringLiteral("lo"), WanPriority::Always, {}, true}});
        // lo is always excluded; whatever else this host has is listed, with its status.
        QTRY_VERIFY_WITH_TIMEOUT(slice(store).value(QStringLiteral("webManagerError")).isNull() &&
                                     slice(store).value(QStringLiteral("state")).toString() == QLatin1String("running"),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!slice(store).value(QStringLiteral("adapters")).toArray().isEmpty() ||
                                     QNetworkInterface::allInterfaces().size() <= 1,
                                 10000);
        for (const QJsonValue &a : slice(store).value(QStringLiteral("adapters")).toArray()) {
            QVERIFY(a.toObject().value(QStringLiteral("adapterId")).toString() != QLatin1String("lo"));
            QCOMPARE(a.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        }
        QCOMPARE(slice(store).value(QStringLiteral("server")).toString(), QStringLiteral("203.0.113.9:59402"));
        QSignalSpy done(&manager, &EngineManager::shutdownComplete);
        manager.shutdown();
        QVERIFY(done.wait());
    }
};

QTEST_GUILESS_MAIN(TestEngineSupervised)
#include "tst_engine_supervised.moc"

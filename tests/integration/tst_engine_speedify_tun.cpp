// SPDX-License-Identifier: GPL-3.0-or-later
// As root, in a private network namespace: connecting Speedify (the stand-in) brings up the
// tunnel the routing policy bonds into (connectify0, 10.202.0.2/24), and disconnecting removes it.
#include "Clock.h"
#include "EngineManager.h"
#include "NetworkNamespace.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {
// Asked through ip: /sys/class/net shows the namespace sysfs was mounted in, not ours.
bool tunnelExists()
{
    QProcess ip;
    ip.start(test::ipProgram(),
             {QStringLiteral("link"), QStringLiteral("show"), QStringLiteral("dev"), QStringLiteral("connectify0")});
    ip.waitForFinished();
    return ip.exitStatus() == QProcess::NormalExit && ip.exitCode() == 0;
}

QString tunnelAddress()
{
    QProcess ip;
    ip.start(test::ipProgram(), {QStringLiteral("-o"), QStringLiteral("-4"), QStringLiteral("addr"),
                                 QStringLiteral("show"), QStringLiteral("dev"), QStringLiteral("connectify0")});
    ip.waitForFinished();
    return QString::fromUtf8(ip.readAllStandardOutput());
}
} // namespace

class TestEngineSpeedifyTun : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString why = test::enterNetworkNamespace(); !why.isEmpty())
            QSKIP(qPrintable(why));
        if (!QFile::exists(QStringLiteral("/dev/net/tun")))
            QSKIP("needs /dev/net/tun");
        QVERIFY(m_dir.isValid());
        qputenv("SPEEDIFY_FAKE_STATE_DIR", m_dir.path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_ADAPTERS", "lo");
        qputenv("SPEEDIFY_FAKE_CONNECT_MS", "50");
        qputenv("SPEEDIFY_FAKE_STATS_MS", "200");
        qunsetenv("SPEEDIFY_FAKE_TUN");
    }

    void connectCreatesTheTunnelAndDisconnectRemovesIt()
    {
        ManualClock clock;
        StateStore store(clock);
        EngineManager manager(clock, store);
        QSignalSpy tunnel(&manager, &EngineManager::tunnelChanged);
        EngineConfig config;
        config.type = EngineType::Speedify;
        config.speedify.cliPath = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);
        config.speedify.startupConnect = false;
        manager.setConfig(config);
        QVERIFY(manager.speedify());
        QVERIFY(!tunnelExists());

        bool done = false;
        manager.speedify()->loginAuto([&](const EngineResult &) { done = true; });
        QTRY_VERIFY(done);
        done = false;
        EngineResult result;
        manager.speedify()->connectServer({QStringLiteral("closest")}, [&](const EngineResult &r) {
            result = r;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
        QVERIFY2(result.ok, qPrintable(result.message));
        QVERIFY(tunnelExists());
        QVERIFY2(tunnelAddress().contains(QStringLiteral("10.202.0.2/24")), qPrintable(tunnelAddress()));
        QTRY_VERIFY(manager.tunnelUp());
        QCOMPARE(manager.tunnelInterface(), QStringLiteral("connectify0"));
        QCOMPARE(manager.tunnelGateway(), QHostAddress(QStringLiteral("10.202.0.1")));
        QCOMPARE(tunnel.last().at(0).toString(), QStringLiteral("connectify0"));
        QCOMPARE(tunnel.last().at(1).toBool(), true);

        done = false;
        manager.speedify()->disconnectServer([&](const EngineResult &r) {
            result = r;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(result.ok);
        QVERIFY(!tunnelExists());
        QTRY_VERIFY(!manager.tunnelUp());
        QCOMPARE(tunnel.last().at(1).toBool(), false);
    }
};

QTEST_GUILESS_MAIN(TestEngineSpeedifyTun)
#include "tst_engine_speedify_tun.moc"

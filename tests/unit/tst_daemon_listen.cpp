// SPDX-License-Identifier: GPL-3.0-or-later
// The API is served on loopback and the LAN only: an address configured for it that belongs to a
// WAN (a USB-tethered phone hands out 192.168.42.x, a private range) or to the engine's tunnel is
// refused, with the reason, on the fake platform.
#include "Clock.h"
#include "ConfigStore.h"
#include "Daemon.h"
#include "FakeLinkMonitor.h"
#include "FakeProber.h"
#include "FakeRouteApplier.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

using namespace smoothwan;

class TestDaemonListen : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wanAndTunnelAddressesAreRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("wans:\n  - name: phone\n    interface: usb0\n"
                "engine:\n  type: speedify\n  speedify:\n    cli_path: /nonexistent/speedify_cli\n");
        f.close();

        SystemClock clock;
        StateStore state(clock);
        ConfigStore config(path);
        FakeLinkMonitor links;
        FakeProber prober;
        FakeRouteApplier routes;
        links.start(nullptr);
        const auto plug = [&links](const QString &name, const QString &address) {
            links.addLink(name);
            links.setAdminUp(name, true);
            links.setCarrier(name, true);
            links.addAddress(name, {QHostAddress(address), 24});
        };
        plug(QStringLiteral("usb0"), QStringLiteral("192.168.42.129"));
        links.addGateway(QStringLiteral("usb0"), QHostAddress(QStringLiteral("192.168.42.1")));
        plug(QStringLiteral("br-lan"), QStringLiteral("192.168.50.1"));
        plug(QStringLiteral("connectify0"), QStringLiteral("10.202.0.2"));

        Daemon daemon(clock, config, links, prober, routes, state, dir.filePath(QStringLiteral("state")));
        QString error;
        QVERIFY2(daemon.start(&error), qPrintable(error));

        QStringList refused;
        const QList<QHostAddress> allowed = daemon.apiListenAddresses(
            {QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("192.168.42.129")),
             QHostAddress(QStringLiteral("192.168.50.1")), QHostAddress(QStringLiteral("10.202.0.2"))},
            &refused);
        QCOMPARE(allowed, (QList<QHostAddress> {QHostAddress(QStringLiteral("127.0.0.1")),
                                                QHostAddress(QStringLiteral("192.168.50.1"))}));
        QCOMPARE(refused.size(), 2);
        QVERIFY2(refused[0].contains(QStringLiteral("WAN phone (usb0)")), qPrintable(refused[0]));
        QVERIFY2(refused[1].contains(QStringLiteral("the engine's tunnel (connectify0)")), qPrintable(refused[1]));
    }
};

QTEST_GUILESS_MAIN(TestDaemonListen)
#include "tst_daemon_listen.moc"

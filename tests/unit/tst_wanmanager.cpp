// SPDX-License-Identifier: GPL-3.0-or-later
// The WAN manager on the fake platform: binding WANs to links, probing through their own
// device, health transitions in the state store and the events log, candidates, usage and caps.
#include "Clock.h"
#include "FakeLinkMonitor.h"
#include "FakeProber.h"
#include "StateStore.h"
#include "WanManager.h"

#include <QtCore/QJsonArray>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {

const QHostAddress target1(QStringLiteral("198.18.0.1"));
const QHostAddress target2(QStringLiteral("198.18.0.2"));

WanConfig wan(const QString &name, const QString &interface)
{
    WanConfig c;
    c.name = name;
    c.interface = interface;
    c.probe.targets = {{target1, 0}, {target2, 0}};
    c.probe.intervalMs = 50;
    c.probe.timeoutMs = 30;
    c.probe.reliability = 1;
    c.probe.downRounds = 2;
    c.probe.upRounds = 2;
    return c;
}

struct Fixture
{
    Fixture()
        : state(clock)
        , manager(clock, links, prober, state)
    {
        links.start(nullptr);
    }
    // Brings up a link like a WAN port with DHCP: carrier, address, default route.
    void plug(const QString &name, int subnet)
    {
        links.addLink(name, QStringLiteral("veth"));
        links.setAdminUp(name, true);
        links.setCarrier(name, true);
        links.addAddress(name, {QHostAddress(QStringLiteral("100.64.%1.2").arg(subnet)), 24});
        links.addGateway(name, QHostAddress(QStringLiteral("100.64.%1.1").arg(subnet)));
    }
    QJsonObject wanState(const QString &name) const
    {
        for (const QJsonValue &v : state.slice(QStringLiteral("wans")).toArray())
            if (v.toObject().value(QStringLiteral("name")).toString() == name)
                return v.toObject();
        return {};
    }
    QString stateOf(const QString &name) const { return wanState(name).value(QStringLiteral("state")).toString(); }
    QStringList eventMessages() const
    {
        QStringList out;
        for (const QJsonValue &v : state.slice(QStringLiteral("events")).toArray())
            out << v.toObject().value(QStringLiteral("message")).toString();
        return out;
    }

    SystemClock clock;
    FakeLinkMonitor links;
    FakeProber prober;
    StateStore state;
    WanManager manager;
};

} // namespace

class TestWanManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upWhenProbesAnswerDownWhenTheyStop()
    {
        Fixture f;
        f.plug(QStringLiteral("wan0"), 0);
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), true, 5);
        f.manager.setConfig({wan(QStringLiteral("fibre"), QStringLiteral("wan0"))});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("up"));
        const QJsonObject s = f.wanState(QStringLiteral("fibre"));
        QCOMPARE(s.value(QStringLiteral("interface")).toString(), QStringLiteral("wan0"));
        QCOMPARE(s.value(QStringLiteral("gateway")).toString(), QStringLiteral("100.64.0.1"));
        QVERIFY(s.value(QStringLiteral("latencyMs")).toDouble() >= 5);
        // The configured probe settings are published, for the UI's WAN page.
        const QJsonObject probe = s.value(QStringLiteral("probe")).toObject();
        QCOMPARE(probe.value(QStringLiteral("method")).toString(), QStringLiteral("icmp"));
        QCOMPARE(probe.value(QStringLiteral("targets")).toArray(),
                 (QJsonArray {target1.toString(), target2.toString()}));
        QCOMPARE(probe.value(QStringLiteral("intervalMs")).toInt(), 50);
        QCOMPARE(probe.value(QStringLiteral("timeoutMs")).toInt(), 30);
        QCOMPARE(probe.value(QStringLiteral("reliability")).toInt(), 1);
        QCOMPARE(probe.value(QStringLiteral("down")).toInt(), 2);
        QCOMPARE(probe.value(QStringLiteral("up")).toInt(), 2);
        // Every probe left through the WAN's own device, sourced from its address.
        for (const ProbeRequest &r : f.prober.requests()) {
            QCOMPARE(r.interface, QStringLiteral("wan0"));
            QCOMPARE(r.source, QHostAddress(QStringLiteral("100.64.0.2")));
        }
        // Blackholed upstream: the link stays up, the probes stop answering.
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), false);
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("down"));
        QVERIFY2(f.wanState(QStringLiteral("fibre"))
                     .value(QStringLiteral("reason"))
                     .toString()
                     .contains(QStringLiteral("rounds without answer from 198.18.0.1, 198.18.0.2")),
                 qPrintable(f.wanState(QStringLiteral("fibre")).value(QStringLiteral("reason")).toString()));
        // Restored: up again after the up-rounds.
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), true, 5);
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("up"));
        QVERIFY(f.eventMessages().join(u'\n').contains(QStringLiteral("fibre down: 2 rounds without answer")));
    }

    void carrierLossIsDownAtOnce()
    {
        Fixture f;
        f.plug(QStringLiteral("wan0"), 0);
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), true, 5);
        f.manager.setConfig({wan(QStringLiteral("fibre"), QStringLiteral("wan0"))});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("up"));
        f.links.setCarrier(QStringLiteral("wan0"), false);
        // Synchronously, without waiting for a probe round.
        QCOMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("down"));
        QCOMPARE(f.wanState(QStringLiteral("fibre")).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("fibre down: carrier lost"));
        f.links.setCarrier(QStringLiteral("wan0"), true);
        QCOMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("down"));
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("up"));
    }

    void absentInterfaceAndLateArrival()
    {
        Fixture f;
        f.manager.setConfig({wan(QStringLiteral("lte"), QStringLiteral("wwan0"))});
        f.manager.start();
        QCOMPARE(f.wanState(QStringLiteral("lte")).value(QStringLiteral("interface")).toString(), QString());
        QCOMPARE(f.prober.probesSent(), 0);
        f.prober.setInterfaceAnswers(QStringLiteral("wwan0"), true, 5);
        f.plug(QStringLiteral("wwan0"), 3);
        QCOMPARE(f.wanState(QStringLiteral("lte")).value(QStringLiteral("interface")).toString(),
                 QStringLiteral("wwan0"));
        QTRY_COMPARE(f.stateOf(QStringLiteral("lte")), QStringLiteral("up"));
        f.links.removeLink(QStringLiteral("wwan0"));
        QCOMPARE(f.stateOf(QStringLiteral("lte")), QStringLiteral("down"));
        QVERIFY(f.wanState(QStringLiteral("lte"))
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(QStringLiteral("absent")));
    }

    void matchRuleFollowsTheDeviceAcrossRenames()
    {
        Fixture f;
        WanConfig c = wan(QStringLiteral("phone"), QString());
        c.match.kind = QStringLiteral("veth");
        f.plug(QStringLiteral("usb0"), 4);
        f.prober.setInterfaceAnswers(QStringLiteral("usb0"), true, 5);
        f.prober.setInterfaceAnswers(QStringLiteral("usbphone"), true, 5);
        f.manager.setConfig({c});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("phone")), QStringLiteral("up"));
        f.links.rename(QStringLiteral("usb0"), QStringLiteral("usbphone"));
        QCOMPARE(f.wanState(QStringLiteral("phone")).value(QStringLiteral("interface")).toString(),
                 QStringLiteral("usbphone"));
        QCOMPARE(f.stateOf(QStringLiteral("phone")), QStringLiteral("up")); // same device: health kept
    }

    void replugOnTheSamePortKeepsTheWanAndItsUsage()
    {
        Fixture f;
        WanConfig c = wan(QStringLiteral("phone"), QString());
        c.match.devicePath = QStringLiteral("*/usb1/1-1.2/*");
        c.match.driver = QStringLiteral("rndis_host");
        const QString port = QStringLiteral("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.2/1-1.2:1.0");
        f.links.addLink(QStringLiteral("eth9")); // another USB NIC on another port: not this WAN
        f.links.setDevice(QStringLiteral("eth9"), QStringLiteral("/sys/devices/pci0000:00/usb1/1-1.3/1-1.3:1.0"),
                          QStringLiteral("rndis_host"));
        f.plug(QStringLiteral("usb0"), 4);
        f.links.setDevice(QStringLiteral("usb0"), port, QStringLiteral("rndis_host"));
        f.prober.setInterfaceAnswers(QStringLiteral("usb0"), true, 5);
        f.prober.setInterfaceAnswers(QStringLiteral("usb1"), true, 5);
        f.links.setCounters(QStringLiteral("usb0"), 0, 0);
        f.manager.setConfig({c});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("phone")), QStringLiteral("up"));
        QCOMPARE(f.wanState(QStringLiteral("phone")).value(QStringLiteral("interface")).toString(),
                 QStringLiteral("usb0"));
        f.links.setCounters(QStringLiteral("usb0"), 5'000'000, 0);
        QTRY_COMPARE(f.wanState(QStringLiteral("phone"))
                         .value(QStringLiteral("usage"))
                         .toObject()
                         .value(QStringLiteral("dayBytes"))
                         .toDouble(),
                     5'000'000.0);
        // Unplugged, plugged back into the same port: a new interface name and index.
        f.links.removeLink(QStringLiteral("usb0"));
        QCOMPARE(f.stateOf(QStringLiteral("phone")), QStringLiteral("down"));
        f.plug(QStringLiteral("usb1"), 4);
        f.links.setCounters(QStringLiteral("usb1"), 1'000'000, 0);
        f.links.setDevice(QStringLiteral("usb1"), port, QStringLiteral("rndis_host"));
        QCOMPARE(f.wanState(QStringLiteral("phone")).value(QStringLiteral("interface")).toString(),
                 QStringLiteral("usb1"));
        QTRY_COMPARE(f.stateOf(QStringLiteral("phone")), QStringLiteral("up"));
        // The new interface's counter started from zero: its whole value is new traffic.
        QTRY_COMPARE(f.wanState(QStringLiteral("phone"))
                         .value(QStringLiteral("usage"))
                         .toObject()
                         .value(QStringLiteral("dayBytes"))
                         .toDouble(),
                     6'000'000.0);
    }

    void newConnectionsAreOfferedButNotBridgesOrTheLan()
    {
        Fixture f;
        f.manager.setConfig({});
        f.manager.start();
        f.plug(QStringLiteral("usb0"), 5);                                   // a phone: carrier + default route
        f.links.addLink(QStringLiteral("br-lan"), QStringLiteral("bridge")); // the LAN bridge
        f.links.setAdminUp(QStringLiteral("br-lan"), true);
        f.links.setCarrier(QStringLiteral("br-lan"), true);
        f.links.addGateway(QStringLiteral("br-lan"), QHostAddress(QStringLiteral("192.168.1.254")));
        f.links.addLink(QStringLiteral("lan0")); // the LAN port: no default route
        f.links.setAdminUp(QStringLiteral("lan0"), true);
        f.links.setCarrier(QStringLiteral("lan0"), true);
        const QJsonArray candidates = f.state.slice(QStringLiteral("candidates")).toArray();
        QCOMPARE(candidates.size(), 1);
        QCOMPARE(candidates[0].toObject().value(QStringLiteral("interface")).toString(), QStringLiteral("usb0"));
        QCOMPARE(candidates[0].toObject().value(QStringLiteral("gateway")).toString(), QStringLiteral("100.64.5.1"));
        QCOMPARE(f.eventMessages().filter(QStringLiteral("new connection found: usb0")).size(), 1);
        // Adopting it removes it from the candidates.
        f.manager.setConfig({wan(QStringLiteral("phone"), QStringLiteral("usb0"))});
        QCOMPARE(f.state.slice(QStringLiteral("candidates")).toArray().size(), 0);
    }

    // wans[].type and candidates[].type: what kind of connection the link is, from its driver,
    // its sysfs DEVTYPE and whether it is 802.11; kept while the WAN's link is absent.
    void connectionTypeFromTheLink_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("driver");
        QTest::addColumn<QString>("devType");
        QTest::addColumn<bool>("wireless");
        QTest::addColumn<QString>("type");
        QTest::newRow("PCI Ethernet") << QString() << QStringLiteral("e1000e") << QString() << false
                                      << QStringLiteral("ethernet");
        QTest::newRow("USB Ethernet dongle")
            << QString() << QStringLiteral("r8152") << QString() << false << QStringLiteral("ethernet");
        QTest::newRow("Wi-Fi (wireless/)")
            << QString() << QStringLiteral("brcmfmac") << QString() << true << QStringLiteral("wifi");
        QTest::newRow("Wi-Fi (DEVTYPE)") << QString() << QStringLiteral("iwlwifi") << QStringLiteral("wlan") << false
                                         << QStringLiteral("wifi");
        QTest::newRow("QMI modem") << QString() << QStringLiteral("qmi_wwan") << QStringLiteral("wwan") << false
                                   << QStringLiteral("cellular");
        QTest::newRow("MBIM modem") << QString() << QStringLiteral("cdc_mbim") << QString() << false
                                    << QStringLiteral("cellular");
        QTest::newRow("Huawei NCM modem")
            << QString() << QStringLiteral("huawei_cdc_ncm") << QString() << false << QStringLiteral("cellular");
        QTest::newRow("NCM modem (DEVTYPE wwan)")
            << QString() << QStringLiteral("cdc_ncm") << QStringLiteral("wwan") << false << QStringLiteral("cellular");
        QTest::newRow("option modem") << QString() << QStringLiteral("option") << QString() << false
                                      << QStringLiteral("cellular");
        QTest::newRow("NCM phone") << QString() << QStringLiteral("cdc_ncm") << QString() << false
                                   << QStringLiteral("usb");
        QTest::newRow("Android tethering")
            << QString() << QStringLiteral("rndis_host") << QString() << false << QStringLiteral("usb");
        QTest::newRow("ECM tethering") << QString() << QStringLiteral("cdc_ether") << QString() << false
                                       << QStringLiteral("usb");
        QTest::newRow("iPhone tethering")
            << QString() << QStringLiteral("ipheth") << QString() << false << QStringLiteral("usb");
        QTest::newRow("veth") << QStringLiteral("veth") << QString() << QString() << false << QStringLiteral("other");
        QTest::newRow("VLAN") << QStringLiteral("vlan") << QString() << QString() << false
                              << QStringLiteral("ethernet");
        QTest::newRow("PPP") << QString() << QString() << QStringLiteral("ppp") << false << QStringLiteral("other");
    }

    void connectionTypeFromTheLink()
    {
        QFETCH(QString, kind);
        QFETCH(QString, driver);
        QFETCH(QString, devType);
        QFETCH(bool, wireless);
        QFETCH(QString, type);
        Fixture f;
        f.manager.setConfig({wan(QStringLiteral("up1"), QStringLiteral("wan0"))});
        f.manager.start();
        for (const QString &name : {QStringLiteral("wan0"), QStringLiteral("new0")}) {
            const int subnet = name == QLatin1String("wan0") ? 1 : 2;
            f.links.addLink(name, kind);
            f.links.setAdminUp(name, true);
            f.links.setCarrier(name, true);
            f.links.addAddress(name, {QHostAddress(QStringLiteral("100.64.%1.2").arg(subnet)), 24});
            f.links.addGateway(name, QHostAddress(QStringLiteral("100.64.%1.1").arg(subnet)));
            if (!driver.isEmpty())
                f.links.setDevice(name, QStringLiteral("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0"),
                                  driver);
            f.links.setDevType(name, devType, wireless);
        }
        QCOMPARE(f.wanState(QStringLiteral("up1")).value(QStringLiteral("type")).toString(), type);
        const QJsonArray candidates = f.state.slice(QStringLiteral("candidates")).toArray();
        QCOMPARE(candidates.size(), 1);
        QCOMPARE(candidates[0].toObject().value(QStringLiteral("type")).toString(), type);
        // Unplugged: the WAN still says what it was.
        f.links.removeLink(QStringLiteral("wan0"));
        QCOMPARE(f.wanState(QStringLiteral("up1")).value(QStringLiteral("interface")).toString(), QString());
        QCOMPARE(f.wanState(QStringLiteral("up1")).value(QStringLiteral("type")).toString(), type);
    }

    void wanAddedByAReloadIsProbed()
    {
        Fixture f;
        f.plug(QStringLiteral("wan0"), 0);
        f.plug(QStringLiteral("wan1"), 1);
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), true, 5);
        f.prober.setInterfaceAnswers(QStringLiteral("wan1"), true, 5);
        f.manager.setConfig({wan(QStringLiteral("fibre"), QStringLiteral("wan0"))});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("up"));
        f.manager.setConfig({wan(QStringLiteral("fibre"), QStringLiteral("wan0")),
                             wan(QStringLiteral("cable"), QStringLiteral("wan1"))});
        QTRY_COMPARE(f.stateOf(QStringLiteral("cable")), QStringLiteral("up"));
        // Probed every interval, not just once when it appeared.
        const auto probesOfCable = [&f] {
            return std::count_if(f.prober.requests().begin(), f.prober.requests().end(),
                                 [](const ProbeRequest &r) { return r.interface == QStringLiteral("wan1"); });
        };
        const auto before = probesOfCable();
        QTRY_VERIFY(probesOfCable() >= before + 4);
    }

    void disabledWanIsNotProbed()
    {
        Fixture f;
        f.plug(QStringLiteral("wan0"), 0);
        WanConfig c = wan(QStringLiteral("fibre"), QStringLiteral("wan0"));
        c.enabled = false;
        f.manager.setConfig({c});
        f.manager.start();
        QTest::qWait(200);
        QCOMPARE(f.prober.probesSent(), 0);
        QCOMPARE(f.stateOf(QStringLiteral("fibre")), QStringLiteral("disabled"));
    }

    void ratesAndUsageFromCounters()
    {
        QTemporaryDir dir; // outlives the manager, which saves on destruction
        Fixture f;
        f.manager.setUsageFile(dir.filePath(QStringLiteral("usage.json")));
        f.plug(QStringLiteral("wan0"), 0);
        WanConfig c = wan(QStringLiteral("lte"), QStringLiteral("wan0"));
        c.caps.dailyBytes = 1'000'000;
        c.caps.action = CapAction::Disable;
        f.prober.setInterfaceAnswers(QStringLiteral("wan0"), true, 5);
        f.links.setCounters(QStringLiteral("wan0"), 0, 0);
        f.manager.setConfig({c});
        f.manager.start();
        QTRY_COMPARE(f.stateOf(QStringLiteral("lte")), QStringLiteral("up"));
        f.links.setCounters(QStringLiteral("wan0"), 800'000, 100'000); // 90 % of the cap
        QTRY_VERIFY(f.wanState(QStringLiteral("lte")).value(QStringLiteral("rxBps")).toDouble() > 0);
        QTRY_VERIFY(f.eventMessages().join(u'\n').contains(QStringLiteral("lte has used 90 % of its daily cap")));
        QCOMPARE(f.stateOf(QStringLiteral("lte")), QStringLiteral("up"));
        f.links.setCounters(QStringLiteral("wan0"), 1'000'000, 100'000); // over: taken out of use
        QTRY_COMPARE_WITH_TIMEOUT(f.stateOf(QStringLiteral("lte")), QStringLiteral("disabled"), 3000);
        QVERIFY(f.wanState(QStringLiteral("lte"))
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(QStringLiteral("daily cap reached")));
        QCOMPARE(f.wanState(QStringLiteral("lte"))
                     .value(QStringLiteral("usage"))
                     .toObject()
                     .value(QStringLiteral("dayBytes"))
                     .toDouble(),
                 1'100'000.0);
        f.manager.saveUsage();
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("usage.json"))));
    }
};

QTEST_GUILESS_MAIN(TestWanManager)
#include "tst_wanmanager.moc"

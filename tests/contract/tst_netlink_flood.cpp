// SPDX-License-Identifier: GPL-3.0-or-later
// NetlinkLinkMonitor under an event flood: with a tiny receive buffer, thousands of address
// changes overflow the event socket (ENOBUFS). The monitor must notice, re-read the kernel and
// end up with exactly the kernel's view. Root only, in a private network namespace.
#include "NetlinkLinkMonitor.h"
#include "NetworkNamespace.h"

#include <QtCore/QRegularExpression>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace smoothwan;
using namespace std::chrono_literals;

namespace {

constexpr int AddressesPerFamily = 1000;
const QString A = QStringLiteral("swfA");
const QString B = QStringLiteral("swfB");

LinkInfo withoutCounters(LinkInfo l)
{
    l.rxBytes = l.txBytes = l.rxPackets = l.txPackets = 0;
    return l;
}

QMap<int, LinkInfo> viewOf(const LinkMonitor &monitor)
{
    QMap<int, LinkInfo> view;
    for (const LinkInfo &l : monitor.links())
        view.insert(l.index, withoutCounters(l));
    return view;
}

// What a monitor started now sees: the kernel's state.
bool readKernelView(QMap<int, LinkInfo> *view, QString *error)
{
    NetlinkLinkMonitor fresh;
    if (!fresh.start(error))
        return false;
    *view = viewOf(fresh);
    return true;
}

QByteArray addressBatch(const QString &verb)
{
    QByteArray batch;
    for (int i = 0; i < AddressesPerFamily; ++i) {
        batch += QStringLiteral("address %1 10.20.%2.%3/32 dev %4\n")
                     .arg(verb)
                     .arg(i / 250)
                     .arg(i % 250 + 1)
                     .arg(A)
                     .toUtf8();
        batch += QStringLiteral("address %1 2001:db8:20::%2/128 dev %3%4\n")
                     .arg(verb)
                     .arg(i + 1, 0, 16)
                     .arg(A, verb == QLatin1String("add") ? QStringLiteral(" nodad") : QString())
                     .toUtf8();
    }
    return batch;
}

} // namespace

class TestNetlinkFlood : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void floodEndsInKernelView();
};

void TestNetlinkFlood::initTestCase()
{
    if (const QString reason = test::enterNetworkNamespace(); !reason.isEmpty())
        QSKIP(qPrintable(reason));
}

void TestNetlinkFlood::floodEndsInKernelView()
{
    QVERIFY(test::runIp({QStringLiteral("link"), QStringLiteral("add"), A, QStringLiteral("type"),
                         QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), B}));
    QVERIFY(test::runIp({QStringLiteral("link"), QStringLiteral("set"), A, QStringLiteral("up")}));
    QVERIFY(test::runIp({QStringLiteral("link"), QStringLiteral("set"), B, QStringLiteral("up")}));

    NetlinkLinkMonitor monitor;
    monitor.setReceiveBufferSize(8 * 1024);
    monitor.setResyncHoldOff(1500ms); // the second flood comes within it: exercises the deferred re-dump
    QString error;
    QVERIFY2(monitor.start(&error), qPrintable(error));
    QSignalSpy resynced(&monitor, &LinkMonitor::resynced);
    const auto addressCount = [&] {
        const auto a = monitor.linkByName(A);
        return a ? a->addresses.size() : -1;
    };

    // The burst runs to completion before the event loop gets a chance to read anything.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("receive buffer overflowed")));
    QVERIFY(test::runIp({QStringLiteral("-batch"), QStringLiteral("-")}, test::IpWait::Blocking,
                        addressBatch(QStringLiteral("add"))));
    QTRY_VERIFY_WITH_TIMEOUT(resynced.count() >= 1, 20000);
    QMap<int, LinkInfo> afterAdd;
    QVERIFY2(readKernelView(&afterAdd, &error), qPrintable(error));
    QCOMPARE(afterAdd.value(monitor.linkByName(A)->index).addresses.size(), 2 * AddressesPerFamily);
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(monitor) == afterAdd, 20000);
    QCOMPARE(addressCount(), 2 * AddressesPerFamily);

    const qsizetype resyncsAfterAdd = resynced.count();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("receive buffer overflowed")));
    QVERIFY(test::runIp({QStringLiteral("-batch"), QStringLiteral("-")}, test::IpWait::Blocking,
                        addressBatch(QStringLiteral("del"))));
    QTRY_VERIFY_WITH_TIMEOUT(resynced.count() > resyncsAfterAdd, 20000);
    QMap<int, LinkInfo> afterDelete;
    QVERIFY2(readKernelView(&afterDelete, &error), qPrintable(error));
    QVERIFY(afterDelete.value(monitor.linkByName(A)->index).addresses.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(monitor) == afterDelete, 20000);
    QCOMPARE(addressCount(), 0);
}

QTEST_GUILESS_MAIN(TestNetlinkFlood)
#include "tst_netlink_flood.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
// Contract test of MptcpEndpoints (platform/MptcpEndpoints.h). One source, built twice: against
// platform/fake (tst_mptcpendpoints_fake) and against platform/linux (tst_mptcpendpoints_linux,
// SMOOTHWAN_CONTRACT_LINUX=1): root, in a private network namespace with a veth pair and
// addresses, through the kernel's mptcp_pm generic netlink family.
#include "MptcpEndpoints.h"

#if SMOOTHWAN_CONTRACT_LINUX
#include "NetlinkMptcpEndpoints.h"
#include "NetworkNamespace.h"
#else
#include "FakeMptcpEndpoints.h"
#endif

#include <QtTest/QtTest>

#include <memory>

using namespace smoothwan;

namespace {

const QString A = QStringLiteral("swmA");
const QString B = QStringLiteral("swmB");
const QHostAddress AddrA(QStringLiteral("10.77.0.1"));
const QHostAddress AddrB(QStringLiteral("10.77.0.2"));
const QHostAddress AddrV6(QStringLiteral("2001:db8:77::1"));

MptcpEndpoint endpoint(std::uint8_t id, const QHostAddress &address, const QString &interface, std::uint32_t flags)
{
    MptcpEndpoint e;
    e.id = id;
    e.address = address;
    e.interface = interface;
    e.flags = flags;
    return e;
}

} // namespace

class TestMptcpEndpoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
#if SMOOTHWAN_CONTRACT_LINUX
        if (const QString why = test::enterNetworkNamespace(); !why.isEmpty())
            QSKIP(qPrintable(why));
        using test::runIp;
        QVERIFY(runIp({QStringLiteral("link"), QStringLiteral("add"), A, QStringLiteral("type"), QStringLiteral("veth"),
                       QStringLiteral("peer"), QStringLiteral("name"), B}));
        QVERIFY(runIp({QStringLiteral("link"), QStringLiteral("set"), A, QStringLiteral("up")}));
        QVERIFY(runIp({QStringLiteral("link"), QStringLiteral("set"), B, QStringLiteral("up")}));
        QVERIFY(runIp({QStringLiteral("address"), QStringLiteral("add"), AddrA.toString() + QStringLiteral("/24"),
                       QStringLiteral("dev"), A}));
        QVERIFY(runIp({QStringLiteral("address"), QStringLiteral("add"), AddrB.toString() + QStringLiteral("/24"),
                       QStringLiteral("dev"), B}));
        m_endpoints = std::make_unique<NetlinkMptcpEndpoints>();
        QString error;
        QList<MptcpEndpoint> none;
        if (!m_endpoints->list(&none, &error))
            QSKIP(qPrintable(QStringLiteral("kernel without MPTCP: %1").arg(error)));
#else
        auto fake = std::make_unique<FakeMptcpEndpoints>();
        fake->addInterface(A);
        fake->addInterface(B);
        m_endpoints = std::move(fake);
#endif
    }

    void init()
    {
        clear();
    }
    void cleanupTestCase()
    {
        if (m_endpoints)
            clear();
    }

    // A fresh namespace has no endpoints; what is added is listed back as given, and removed.
    void addListRemoveRoundTrip()
    {
        QString error;
        QList<MptcpEndpoint> list;
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QVERIFY(list.isEmpty());
        const auto a = endpoint(101, AddrA, A, MptcpEndpoint::Subflow);
        const auto b = endpoint(102, AddrB, B, MptcpEndpoint::Subflow | MptcpEndpoint::Backup);
        const auto v6 = endpoint(103, AddrV6, {}, MptcpEndpoint::Signal);
        QVERIFY2(m_endpoints->add(a, &error), qPrintable(error));
        QVERIFY2(m_endpoints->add(b, &error), qPrintable(error));
        QVERIFY2(m_endpoints->add(v6, &error), qPrintable(error));
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QCOMPARE(list, (QList<MptcpEndpoint> {a, b, v6}));
        QVERIFY2(m_endpoints->remove(101, &error), qPrintable(error));
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QCOMPARE(list, (QList<MptcpEndpoint> {b, v6}));
    }

    void backupFlagRoundTrip()
    {
        QString error;
        QVERIFY2(m_endpoints->add(endpoint(110, AddrA, A, MptcpEndpoint::Subflow), &error), qPrintable(error));
        QVERIFY2(m_endpoints->setBackup(110, true, &error), qPrintable(error));
        QList<MptcpEndpoint> list;
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].flags, std::uint32_t(MptcpEndpoint::Subflow | MptcpEndpoint::Backup));
        QVERIFY2(m_endpoints->setBackup(110, false, &error), qPrintable(error));
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QCOMPARE(list[0].flags, std::uint32_t(MptcpEndpoint::Subflow));
    }

    void limitsRoundTrip()
    {
        QString error;
        QVERIFY2(m_endpoints->setLimits({3, 2}, &error), qPrintable(error));
        MptcpLimits limits;
        QVERIFY2(m_endpoints->limits(&limits, &error), qPrintable(error));
        QCOMPARE(limits, (MptcpLimits {3, 2}));
        QVERIFY2(m_endpoints->setLimits({0, 0}, &error), qPrintable(error));
        QVERIFY2(m_endpoints->limits(&limits, &error), qPrintable(error));
        QCOMPARE(limits, (MptcpLimits {0, 0}));
        QVERIFY(!m_endpoints->setLimits({9, 1}, &error));
        QVERIFY2(error.contains(QStringLiteral("at most 8")), qPrintable(error));
    }

    // Errors say what is wrong: a duplicate id or address, an unknown id, a bad or missing interface.
    void errorsAreClear()
    {
        QString error;
        QVERIFY2(m_endpoints->add(endpoint(120, AddrA, A, MptcpEndpoint::Subflow), &error), qPrintable(error));
        QVERIFY(!m_endpoints->add(endpoint(120, AddrB, B, MptcpEndpoint::Subflow), &error));
        QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
        error.clear();
        QVERIFY(!m_endpoints->add(endpoint(121, AddrA, A, MptcpEndpoint::Subflow), &error));
        QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
        error.clear();
        QVERIFY(!m_endpoints->remove(150, &error));
        QVERIFY2(error.contains(QStringLiteral("no such endpoint")), qPrintable(error));
        error.clear();
        QVERIFY(!m_endpoints->setBackup(150, true, &error));
        QVERIFY2(error.contains(QStringLiteral("no such endpoint")), qPrintable(error));
        error.clear();
        QVERIFY(!m_endpoints->add(endpoint(122, AddrB, QStringLiteral("-rf;x"), MptcpEndpoint::Subflow), &error));
        QVERIFY2(error.contains(QStringLiteral("invalid interface name")), qPrintable(error));
        error.clear();
        QVERIFY(!m_endpoints->add(endpoint(122, AddrB, QStringLiteral("swmNone"), MptcpEndpoint::Subflow), &error));
        QVERIFY2(error.contains(QStringLiteral("no such interface")), qPrintable(error));
        QList<MptcpEndpoint> list;
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        QCOMPARE(list.size(), 1); // the failures changed nothing
    }

private:
    void clear()
    {
        QString error;
        QList<MptcpEndpoint> list;
        QVERIFY2(m_endpoints->list(&list, &error), qPrintable(error));
        for (const auto &e : std::as_const(list))
            QVERIFY2(m_endpoints->remove(e.id, &error), qPrintable(error));
    }

    std::unique_ptr<MptcpEndpoints> m_endpoints;
};

QTEST_GUILESS_MAIN(TestMptcpEndpoints)
#include "tst_mptcpendpoints.moc"

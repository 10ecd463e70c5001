// SPDX-License-Identifier: GPL-3.0-or-later
// MptcpManager (backend/engine) against FakeMptcpEndpoints: one endpoint per usable WAN, metered
// WANs as backup, a WAN that goes down withdrawn at once and re-added when up, limits per WAN
// count, and endpoints that are not ours never touched.
#include "FakeMptcpEndpoints.h"
#include "MptcpManager.h"

#include <QtTest/QtTest>

using namespace smoothwan;

namespace {

MptcpWan wan(const QString &name, const QString &interface, const QString &address, bool usable, bool metered = false)
{
    return MptcpWan {name, interface, QHostAddress(address), usable, metered};
}

QList<MptcpEndpoint> endpoints(FakeMptcpEndpoints &fake)
{
    QList<MptcpEndpoint> out;
    QString error;
    fake.list(&out, &error);
    return out;
}

} // namespace

class TestMptcpManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fake = std::make_unique<FakeMptcpEndpoints>();
        for (const char *i : {"eth1", "eth2", "usb0", "eth9"})
            m_fake->addInterface(QString::fromLatin1(i));
        m_manager = std::make_unique<MptcpManager>(m_fake.get());
    }

    void oneSubflowEndpointPerUsableWan()
    {
        QString error;
        const QList<MptcpWan> wans {
            wan(QStringLiteral("fibre"), QStringLiteral("eth1"), QStringLiteral("100.64.1.2"), true),
            wan(QStringLiteral("cable"), QStringLiteral("eth2"), QStringLiteral("100.64.2.2"), true),
            wan(QStringLiteral("lte"), QStringLiteral("usb0"), QStringLiteral("10.0.0.5"), true, true),
            wan(QStringLiteral("dsl"), QStringLiteral("eth9"), QStringLiteral("100.64.9.2"), false)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto list = endpoints(*m_fake);
        QCOMPARE(list.size(), 3);
        for (const auto &e : list)
            QVERIFY(MptcpManager::isOurs(e.id));
        QCOMPARE(list[0].address, QHostAddress(QStringLiteral("100.64.1.2")));
        QCOMPARE(list[0].interface, QStringLiteral("eth1"));
        QCOMPARE(list[0].flags, std::uint32_t(MptcpEndpoint::Subflow));
        QCOMPARE(list[2].interface, QStringLiteral("usb0"));
        QCOMPARE(list[2].flags, std::uint32_t(MptcpEndpoint::Subflow | MptcpEndpoint::Backup)); // metered
        MptcpLimits limits;
        QVERIFY(m_fake->limits(&limits, &error));
        QCOMPARE(limits, (MptcpLimits {4, 4}));
        // Idempotent: a second update with the same WANs changes nothing.
        m_fake->clearOperations();
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        QCOMPARE(m_fake->operations(), QStringList());
    }

    void downIsWithdrawnAtOnceAndUpReadded()
    {
        QString error;
        QList<MptcpWan> wans {wan(QStringLiteral("fibre"), QStringLiteral("eth1"), QStringLiteral("100.64.1.2"), true),
                              wan(QStringLiteral("cable"), QStringLiteral("eth2"), QStringLiteral("100.64.2.2"), true)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto before = endpoints(*m_fake);
        QCOMPARE(before.size(), 2);
        m_fake->clearOperations();
        wans[0].usable = false;
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        QCOMPARE(m_fake->operations(), QStringList {QStringLiteral("remove %1").arg(before[0].id)});
        QCOMPARE(endpoints(*m_fake), QList<MptcpEndpoint> {before[1]});
        wans[0].usable = true;
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        QCOMPARE(endpoints(*m_fake), before); // same id again
    }

    void meteredChangeFlipsBackupInPlace()
    {
        QString error;
        QList<MptcpWan> wans {wan(QStringLiteral("lte"), QStringLiteral("usb0"), QStringLiteral("10.0.0.5"), true)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto id = endpoints(*m_fake).value(0).id;
        m_fake->clearOperations();
        wans[0].metered = true;
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        QCOMPARE(m_fake->operations(), QStringList {QStringLiteral("backup %1 on").arg(id)});
    }

    void addressChangeReplacesTheEndpoint()
    {
        QString error;
        QList<MptcpWan> wans {wan(QStringLiteral("lte"), QStringLiteral("usb0"), QStringLiteral("10.0.0.5"), true)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        wans[0].address = QHostAddress(QStringLiteral("10.0.0.6"));
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto list = endpoints(*m_fake);
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].address, QHostAddress(QStringLiteral("10.0.0.6")));
    }

    // Endpoints outside our id range (by hand, mptcpd) are never removed or changed, and a WAN whose
    // address already has one is left to it; cleanup() removes ours only.
    void foreignEndpointsAreNeverTouched()
    {
        QString error;
        MptcpEndpoint foreign;
        foreign.id = 5;
        foreign.address = QHostAddress(QStringLiteral("100.64.2.2"));
        foreign.flags = MptcpEndpoint::Signal;
        MptcpEndpoint other;
        other.id = 7;
        other.address = QHostAddress(QStringLiteral("192.0.2.7"));
        other.flags = MptcpEndpoint::Subflow;
        QVERIFY(m_fake->add(foreign, &error));
        QVERIFY(m_fake->add(other, &error));
        m_fake->clearOperations();
        const QList<MptcpWan> wans {
            wan(QStringLiteral("fibre"), QStringLiteral("eth1"), QStringLiteral("100.64.1.2"), true),
            wan(QStringLiteral("cable"), QStringLiteral("eth2"), QStringLiteral("100.64.2.2"), true)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        auto list = endpoints(*m_fake);
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0], foreign);
        QCOMPARE(list[1], other);
        QVERIFY(MptcpManager::isOurs(list[2].id));
        QVERIFY2(m_manager->cleanup(&error), qPrintable(error));
        QCOMPARE(endpoints(*m_fake), (QList<MptcpEndpoint> {foreign, other}));
    }

    // A restarted daemon adopts the endpoints it left behind instead of replacing them.
    void restartAdoptsOurEndpoints()
    {
        QString error;
        const QList<MptcpWan> wans {
            wan(QStringLiteral("fibre"), QStringLiteral("eth1"), QStringLiteral("100.64.1.2"), true),
            wan(QStringLiteral("lte"), QStringLiteral("usb0"), QStringLiteral("10.0.0.5"), true, true)};
        QVERIFY2(m_manager->update({wans[1]}, &error), qPrintable(error)); // lte gets the first id
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto before = endpoints(*m_fake);
        m_manager = std::make_unique<MptcpManager>(m_fake.get());
        m_fake->clearOperations();
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        QCOMPARE(m_fake->operations(), QStringList());
        QCOMPARE(endpoints(*m_fake), before);
    }

    void removedWanLosesItsEndpoint()
    {
        QString error;
        QList<MptcpWan> wans {wan(QStringLiteral("fibre"), QStringLiteral("eth1"), QStringLiteral("100.64.1.2"), true),
                              wan(QStringLiteral("cable"), QStringLiteral("eth2"), QStringLiteral("100.64.2.2"), true)};
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        wans.removeFirst();
        QVERIFY2(m_manager->update(wans, &error), qPrintable(error));
        const auto list = endpoints(*m_fake);
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].interface, QStringLiteral("eth2"));
        MptcpLimits limits;
        QVERIFY(m_fake->limits(&limits, &error));
        QCOMPARE(limits, (MptcpLimits {1, 1}));
    }

private:
    std::unique_ptr<FakeMptcpEndpoints> m_fake;
    std::unique_ptr<MptcpManager> m_manager;
};

QTEST_GUILESS_MAIN(TestMptcpManager)
#include "tst_mptcpmanager.moc"

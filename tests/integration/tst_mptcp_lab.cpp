// SPDX-License-Identifier: GPL-3.0-or-later
// SmoothWAN's own engine, TCP aggregation, in the lab (root): the LAN client's TCP is redirected
// (a test-owned nft table in the router) to ss-redir, which reaches ss-server in the internet
// namespace over kernel MPTCP (both under `mptcpize run`), one subflow per WAN from the endpoints
// MptcpManager keeps through NetlinkMptcpEndpoints (MptcpLab.h). A download from the LAN (a sender
// and a receiver in this process, each socket created in its namespace):
//  - survives cutting the WAN of the initial subflow without a reset, and keeps flowing; the
//    longest gap between received bytes is printed with the manager withdrawing the endpoint at
//    the cut and with the kernel alone (endpoints left in place);
//  - throughput with two WANs shaped to 10 Mbit/s each and with one is printed.
// Figures are printed (smoothwan.test.mptcp), never asserted: bench_mptcp is for speed.
#include "MptcpLab.h"

#include <QtTest/QtTest>

using namespace smoothwan;
using namespace smoothwan::test::mptcp;
using smoothwan::lab::Lab;

class TestMptcpLab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString why = missingPrerequisite(); !why.isEmpty())
            QSKIP(qPrintable(why));
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        m_path = std::make_unique<MptcpPath>(m_lab);
        QVERIFY2(m_path->start(), qPrintable(m_path->errorString()));
        QVERIFY(m_sender.listen(m_lab.internetNs()));
    }

    void cleanupTestCase()
    {
        m_path.reset();
        m_lab.destroy();
    }

    // Cutting the WAN of the initial subflow: the download goes on over the other WAN, no reset.
    void survivesCut_data()
    {
        QTest::addColumn<bool>("withdraw");
        QTest::newRow("kernel alone (endpoints left in place)") << false;
        QTest::newRow("daemon withdraws the endpoint") << true;
    }
    void survivesCut()
    {
        QFETCH(bool, withdraw);
        for (int i = 0; i < 2; ++i)
            QVERIFY(m_lab.restore(i) && m_lab.impair(i, RateKbit, 0));
        QVERIFY2(m_path->manage({true, true}), qPrintable(m_path->errorString()));
        Download download;
        QVERIFY(download.start(m_lab.lanNs()));
        runEventLoop(3000);
        QVERIFY2(download.total() > 0, qPrintable(download.error()));
        const qint64 cutAt = download.nowNs();
        QVERIFY(m_lab.cut(0));
        if (withdraw)
            QVERIFY2(m_path->manage({false, true}), qPrintable(m_path->errorString()));
        runEventLoop(5000);
        const qint64 end = download.nowNs();
        const double stall = download.longestGapMs(cutAt, end);
        const double before = download.longestGapMs(cutAt - 2'000'000'000, cutAt);
        const qint64 after = download.bytesBetween(cutAt, end);
        qCInfo(lcMptcpLab()).noquote() << QStringLiteral("cut WAN 0, %1: longest gap %2 ms after the cut (%3 ms in "
                                                         "the 2 s before it), %4 Mbit/s in the 5 s after it")
                                              .arg(QString::fromLatin1(QTest::currentDataTag()))
                                              .arg(stall, 0, 'f', 0)
                                              .arg(before, 0, 'f', 0)
                                              .arg(after * 8.0 / 5e6, 0, 'f', 1);
        QVERIFY2(download.error().isEmpty(), qPrintable(download.error()));
        QVERIFY(download.connected());
        // Data keeps flowing: the last second still brought data.
        QVERIFY2(download.bytesBetween(end - 1'000'000'000, end) > 0, "the download stopped after the cut");
        download.close();
        QVERIFY(m_lab.restore(0));
    }

    // Two 10 Mbit/s WANs against one, for a single download.
    void throughput_data()
    {
        QTest::addColumn<int>("wans");
        QTest::newRow("one WAN") << 1;
        QTest::newRow("two WANs") << 2;
    }
    void throughput()
    {
        QFETCH(int, wans);
        for (int i = 0; i < 2; ++i)
            QVERIFY(m_lab.restore(i) && m_lab.impair(i, RateKbit, 0));
        QVERIFY2(m_path->manage({true, wans > 1}), qPrintable(m_path->errorString()));
        Download download;
        QVERIFY(download.start(m_lab.lanNs()));
        runEventLoop(8000);
        const qint64 end = download.nowNs();
        const qint64 bytes = download.bytesBetween(end - 6'000'000'000, end);
        const double mbit = bytes * 8.0 / 6e6;
        qCInfo(lcMptcpLab()).noquote() << QStringLiteral("%1 at %2 Mbit/s each: %3 Mbit/s for one TCP download (%4 %)")
                                              .arg(QString::fromLatin1(QTest::currentDataTag()))
                                              .arg(RateKbit / 1000)
                                              .arg(mbit, 0, 'f', 2)
                                              .arg(100.0 * mbit / (wans * RateKbit / 1000.0), 0, 'f', 0);
        QVERIFY2(download.error().isEmpty(), qPrintable(download.error()));
        QVERIFY(bytes > 0);
        download.close();
    }

private:
    Lab m_lab;
    std::unique_ptr<MptcpPath> m_path;
    Sender m_sender;
};

QTEST_GUILESS_MAIN(TestMptcpLab)
#include "tst_mptcp_lab.moc"

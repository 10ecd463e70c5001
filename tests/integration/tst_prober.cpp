// SPDX-License-Identifier: GPL-3.0-or-later
// The Linux prober with real sockets in the lab: ICMP, TCP and DNS probes, each bound to one
// WAN, leave through that WAN only (checked on the ISP side), and fail when that WAN is broken
// even though another WAN would reach the target.
#include "Lab.h"
#include "LinuxProber.h"

#include <QtCore/QFile>
#include <QtTest/QTest>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

using namespace smoothwan;
using smoothwan::lab::Lab;

namespace {

ProbeRequest request(ProbeRequest::Method method, int wan, const QString &target, quint16 port = 0)
{
    ProbeRequest r;
    r.method = method;
    r.interface = Lab::wanInterface(wan);
    r.source = QHostAddress(Lab::wanAddress(wan));
    r.target = QHostAddress(target);
    r.port = port;
    r.dnsName = QStringLiteral("example.com");
    r.timeoutMs = 500;
    return r;
}

ProbeResult run(Prober &prober, const ProbeRequest &r)
{
    std::optional<ProbeResult> result;
    prober.probe(r, [&result](const ProbeResult &res) { result = res; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, r.timeoutMs + 2000))
        return {false, 0, QStringLiteral("callback never came")};
    return *result;
}

} // namespace

class TestProber : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces and raw sockets");
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        QVERIFY2(m_lab.startIperfServer(), qPrintable(m_lab.errorString()));
        QVERIFY2(m_lab.startDnsResponder(), qPrintable(m_lab.errorString()));
        // This process becomes the router: its sockets live in the router namespace.
        const QByteArray path = "/run/netns/" + m_lab.routerNs().toLatin1();
        const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        QCOMPARE(::setns(fd, CLONE_NEWNET), 0);
        ::close(fd);
    }

    void eachMethodAnswersThroughItsOwnWan_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<quint16>("port");
        QTest::newRow("icmp") << int(ProbeRequest::Method::Icmp) << quint16(0);
        QTest::newRow("tcp open port") << int(ProbeRequest::Method::Tcp) << quint16(5201);
        QTest::newRow("tcp closed port (reset = path works)") << int(ProbeRequest::Method::Tcp) << quint16(5999);
        QTest::newRow("dns") << int(ProbeRequest::Method::Dns) << quint16(53);
    }

    void eachMethodAnswersThroughItsOwnWan()
    {
        QFETCH(int, method);
        QFETCH(quint16, port);
        for (int wan : {1, 0}) { // wan1 first: it is not the kernel's default path
            const int other = 1 - wan;
            const qint64 before = m_lab.ispPacketCount(wan);
            const qint64 otherBefore = m_lab.ispPacketCount(other);
            const ProbeResult r =
                run(m_prober, request(ProbeRequest::Method(method), wan, QStringLiteral("198.18.0.2"), port));
            QVERIFY2(r.answered, qPrintable(r.error));
            QVERIFY(r.rttMs > 0 && r.rttMs < 500);
            QVERIFY2(m_lab.ispPacketCount(wan) > before, "the probe did not pass through its own ISP");
            QCOMPARE(m_lab.ispPacketCount(other), otherBefore);
        }
    }

    void blackholedWanFailsAlthoughAnotherWouldWork_data() { eachMethodAnswersThroughItsOwnWan_data(); }

    void blackholedWanFailsAlthoughAnotherWouldWork()
    {
        QFETCH(int, method);
        QFETCH(quint16, port);
        QVERIFY(m_lab.blackhole(0));
        const qint64 otherBefore = m_lab.ispPacketCount(1);
        const ProbeResult r =
            run(m_prober, request(ProbeRequest::Method(method), 0, QStringLiteral("198.18.0.2"), port));
        QVERIFY(!r.answered);
        QCOMPARE(r.error, QStringLiteral("timeout"));
        QCOMPARE(m_lab.ispPacketCount(1), otherBefore); // never leaked out of wan1
        QVERIFY(run(m_prober, request(ProbeRequest::Method(method), 1, QStringLiteral("198.18.0.2"), port)).answered);
        QVERIFY(m_lab.restore(0));
    }

    void cutWanFailsFast()
    {
        QVERIFY(m_lab.cut(0));
        QTRY_VERIFY(!QFile::exists(QStringLiteral("/nonexistent"))); // let the carrier event settle
        QElapsedTimer t;
        t.start();
        const ProbeResult r = run(m_prober, request(ProbeRequest::Method::Icmp, 0, QStringLiteral("198.18.0.1")));
        QVERIFY(!r.answered);
        qInfo("probe over a cut link: '%s' after %lld ms", qPrintable(r.error), t.elapsed());
        QVERIFY(m_lab.restore(0));
        QTRY_VERIFY_WITH_TIMEOUT(
            run(m_prober, request(ProbeRequest::Method::Icmp, 0, QStringLiteral("198.18.0.1"))).answered, 5000);
    }

    void manyProbesInParallel()
    {
        int answered = 0;
        int callbacks = 0;
        for (int i = 0; i < 60; ++i) {
            const ProbeRequest r =
                request(ProbeRequest::Method::Icmp, i % 2, QStringLiteral("198.18.0.%1").arg(1 + i % 3));
            m_prober.probe(r, [&](const ProbeResult &res) {
                ++callbacks;
                answered += res.answered ? 1 : 0;
            });
        }
        QCOMPARE(callbacks, 0); // never called back from inside probe()
        QTRY_COMPARE(callbacks, 60);
        QCOMPARE(answered, 60);
    }

    void badRequestsFailCleanly()
    {
        ProbeRequest r = request(ProbeRequest::Method::Dns, 0, QStringLiteral("198.18.0.1"), 53);
        r.dnsName = QStringLiteral("bad name; id");
        ProbeResult res = run(m_prober, r);
        QVERIFY(!res.answered);
        QCOMPARE(res.error, QStringLiteral("bad DNS name"));
        r = request(ProbeRequest::Method::Icmp, 0, QStringLiteral("198.18.0.1"));
        r.interface = QStringLiteral("nosuchdev0");
        res = run(m_prober, r);
        QVERIFY(!res.answered);
        QVERIFY2(res.error.contains(QStringLiteral("nosuchdev0")), qPrintable(res.error));
    }

    void cleanupTestCase() { m_lab.destroy(); }

private:
    Lab m_lab;
    LinuxProber m_prober;
};

QTEST_GUILESS_MAIN(TestProber)
#include "tst_prober.moc"

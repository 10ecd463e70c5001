// SPDX-License-Identifier: GPL-3.0-or-later
// The real daemon in the lab: a cut WAN is down at once, a blackholed one after its rounds,
// restored ones come back after their up-rounds, a flapping one is held back, and random loss
// shows as loss and degrades the WAN past its threshold.
#include "DaemonProcess.h"
#include "Lab.h"

#include <QtTest/QTest>

#include <unistd.h>

using namespace smoothwan;
using smoothwan::lab::Lab;
using smoothwan::test::DaemonProcess;

namespace {

// Probe every 200 ms, 3 rounds to go down, 3 to come back; quality checks on loss.
QByteArray config()
{
    QByteArray yaml = "wans:\n";
    for (int i = 0; i < 2; ++i) {
        yaml += "  - name: w" + QByteArray::number(i) +
                "\n"
                "    interface: wan" +
                QByteArray::number(i) +
                "\n"
                "    probe:\n"
                "      targets: [198.18.0.1, 198.18.0.2, 198.18.0.3]\n"
                "      interval: 200ms\n"
                "      timeout: 150ms\n"
                "      reliability: 1\n"
                "      down: 3\n"
                "      up: 3\n"
                "      thresholds:\n"
                "        loss_fail: 20\n"
                "        loss_recover: 5\n";
    }
    return yaml;
}

} // namespace

class TestWanHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces");
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        QVERIFY(m_daemon.start(m_lab.routerNs(), config()));
        QVERIFY2(m_daemon.waitFor("wan: w0 up", 5000), m_daemon.log().constData());
        QVERIFY2(m_daemon.waitFor("wan: w1 up", 5000), m_daemon.log().constData());
    }

    void cutIsDownAtOnceAndRestoreNeedsUpRounds()
    {
        const qsizetype from = m_daemon.lineCount();
        const qint64 cutAt = m_daemon.elapsed();
        QVERIFY(m_lab.cut(0));
        const auto down = m_daemon.waitFor("wan: w0 down: carrier lost", 2000, from);
        QVERIFY2(down, m_daemon.log().constData());
        qInfo("cut -> down: %lld ms (includes the ip command)", down->atMs - cutAt);
        QVERIFY(down->atMs - cutAt < 1000);

        const qint64 restoreAt = m_daemon.elapsed();
        QVERIFY(m_lab.restore(0));
        const auto up = m_daemon.waitFor("wan: w0 up", 10000, from);
        QVERIFY2(up, m_daemon.log().constData());
        // Back only after at least 3 good rounds of 200 ms (the first starts at once on carrier);
        // more when the cut counts as a flap, as it does this soon after start-up.
        QVERIFY2(up->atMs - restoreAt >= 2 * 200, qPrintable(QString::number(up->atMs - restoreAt)));
        QVERIFY2(up->text.contains("good rounds"), up->text.constData());
    }

    void blackholeIsDownAfterItsRounds()
    {
        // Let w1 settle: it must not be counted as a flap of the previous test.
        const qsizetype from = m_daemon.lineCount();
        const qint64 at = m_daemon.elapsed();
        QVERIFY(m_lab.blackhole(1));
        const auto down = m_daemon.waitFor("wan: w1 down:", 5000, from);
        QVERIFY2(down, m_daemon.log().constData());
        QVERIFY2(down->text.contains("3 rounds without answer from 198.18.0.1, 198.18.0.2, 198.18.0.3"),
                 down->text.constData());
        const qint64 took = down->atMs - at;
        qInfo("blackhole -> down: %lld ms (bound: interval x down + timeout = 750 ms)", took);
        QVERIFY2(took <= 3 * 200 + 150 + 400, qPrintable(QString::number(took))); // + scheduling slack
        QVERIFY2(took >= 2 * 200, qPrintable(QString::number(took)));             // not before its rounds
        QVERIFY(m_lab.restore(1));
        QVERIFY2(m_daemon.waitFor("wan: w1 up", 10000, from), m_daemon.log().constData());
    }

    void flappingWanIsHeldBack()
    {
        // Failures within 30 intervals (6 s) of coming up are flaps; the n-th needs
        // 5 x 200 ms x 2^(n-1) of good rounds before the WAN is trusted again.
        QList<qint64> recovery;
        for (int flap = 0; flap < 3; ++flap) {
            const qsizetype from = m_daemon.lineCount();
            QVERIFY(m_lab.cut(0));
            QVERIFY2(m_daemon.waitFor("wan: w0 down", 2000, from), m_daemon.log().constData());
            const qint64 at = m_daemon.elapsed();
            QVERIFY(m_lab.restore(0));
            const auto up = m_daemon.waitFor("wan: w0 up", 15000, from);
            QVERIFY2(up, m_daemon.log().constData());
            recovery.append(up->atMs - at);
        }
        qInfo("recovery after flaps 1, 2, 3: %lld, %lld, %lld ms", recovery[0], recovery[1], recovery[2]);
        // The previous test's cut left one flap: holds are >= 2 s, 4 s, 8 s (capped at 60 s).
        QVERIFY2(recovery[0] >= 1800, qPrintable(QString::number(recovery[0])));
        QVERIFY2(recovery[1] >= 3800, qPrintable(QString::number(recovery[1])));
        QVERIFY2(recovery[2] >= 7800, qPrintable(QString::number(recovery[2])));
        QVERIFY(recovery[2] > recovery[1] && recovery[1] > recovery[0]);
    }

    void lossShowsAndDegrades()
    {
        const qsizetype from = m_daemon.lineCount();
        // 20 % each way is 36 % round-trip loss: past the 20 % failure threshold, while a whole
        // round (3 probes, 1 must answer) is lost only 5 % of the time, so the WAN degrades
        // rather than goes down.
        QVERIFY(m_lab.impair(1, 0, 20));
        const auto degraded = m_daemon.waitFor("wan: w1 degraded: loss", 15000, from);
        QVERIFY2(degraded, m_daemon.log().constData());
        // The loss the daemon measures, over 60 rounds of 3 probes, matches what the ISP drops:
        // 1 - 0.8^2 = 36 % round trip (tolerance ±15 points, about 4 standard deviations).
        qsizetype at = m_daemon.lineCount();
        int sent = 0;
        int answered = 0;
        for (int round = 0; round < 60; ++round) {
            const auto line = m_daemon.waitFor("wan: w1 round: ", 2000, at);
            QVERIFY2(line, "round lines need smoothwan.wan.debug");
            at = m_daemon.lineCount();
            const QByteArray counts = line->text.mid(line->text.indexOf("round: ") + 7).split(' ').value(0);
            answered += counts.split('/').value(0).toInt();
            sent += counts.split('/').value(1).toInt();
        }
        const double loss = 100.0 * (sent - answered) / sent;
        qInfo("measured loss %.1f %% over %d probes (expected 36 %%)", loss, sent);
        QVERIFY2(loss > 21 && loss < 51, qPrintable(QString::number(loss)));
        QVERIFY(m_lab.restore(1));
        QVERIFY2(m_daemon.waitFor("wan: w1 up: quality recovered", 20000, at), m_daemon.log().constData());
    }

    void cleanupTestCase()
    {
        m_daemon.stop();
        if (m_lab.isValid())
            QCOMPARE(m_daemon.exitCode(), 0);
        m_lab.destroy();
    }

private:
    Lab m_lab;
    DaemonProcess m_daemon;
};

QTEST_GUILESS_MAIN(TestWanHealth)
#include "tst_wanhealth.moc"

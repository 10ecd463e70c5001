// SPDX-License-Identifier: GPL-3.0-or-later
// Every transition of the health tracker, driven by a manual clock: no sleeps.
#include "Clock.h"
#include "HealthTracker.h"

#include <QtTest/QTest>

using namespace smoothwan;

namespace {

const QString A = QStringLiteral("1.1.1.1");
const QString B = QStringLiteral("8.8.8.8");
const QString C = QStringLiteral("9.9.9.9");

QList<TargetResult> answered(double rtt = 20, const QStringList &targets = {A, B})
{
    QList<TargetResult> r;
    for (const QString &t : targets)
        r.append({t, true, rtt});
    return r;
}

QList<TargetResult> silent(const QStringList &targets = {A, B})
{
    QList<TargetResult> r;
    for (const QString &t : targets)
        r.append({t, false, 0});
    return r;
}

struct Fixture
{
    explicit Fixture(HealthSettings s = {})
        : tracker(QStringLiteral("wan2"), s, clock)
    { }
    // One probe round per second, as a 1 s interval would give.
    std::optional<HealthTransition> round(const QList<TargetResult> &r)
    {
        clock.advance(1000);
        return tracker.addRound(r);
    }
    void bringUp()
    {
        const auto t = round(answered());
        QVERIFY(t);
        QCOMPARE(tracker.state(), HealthState::Up);
    }
    ManualClock clock;
    HealthTracker tracker;
};

} // namespace

class TestHealthTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unknownToUpOnFirstGoodRound()
    {
        Fixture f;
        QCOMPARE(f.tracker.state(), HealthState::Unknown);
        const auto t = f.round(answered());
        QVERIFY(t);
        QCOMPARE(t->from, HealthState::Unknown);
        QCOMPARE(t->to, HealthState::Up);
        QCOMPARE(t->reason, QStringLiteral("wan2 up: answered by 1.1.1.1, 8.8.8.8"));
    }

    void unknownToDownAfterDownRounds()
    {
        Fixture f;
        QVERIFY(!f.round(silent()));
        QVERIFY(!f.round(silent()));
        const auto t = f.round(silent());
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Down);
        QCOMPARE(t->reason, QStringLiteral("wan2 down: 3 rounds without answer from 1.1.1.1, 8.8.8.8"));
    }

    void upToDownNeedsConsecutiveFailedRounds()
    {
        Fixture f;
        f.bringUp();
        QVERIFY(!f.round(silent()));
        QVERIFY(!f.round(silent()));
        QVERIFY(!f.round(answered())); // one good round resets the count
        QVERIFY(!f.round(silent()));
        QVERIFY(!f.round(silent()));
        QCOMPARE(f.tracker.state(), HealthState::Up);
        const auto t = f.round(silent());
        QVERIFY(t);
        QCOMPARE(t->from, HealthState::Up);
        QCOMPARE(t->to, HealthState::Down);
        QCOMPARE(t->atMs, f.clock.monotonicMs());
    }

    void reliabilityCountsAnsweringTargets()
    {
        HealthSettings s;
        s.reliability = 2;
        Fixture f(s);
        f.bringUp();
        QList<TargetResult> oneOfThree {{A, true, 10}, {B, false, 0}, {C, false, 0}};
        f.round(oneOfThree);
        f.round(oneOfThree);
        const auto t = f.round(oneOfThree);
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Down);
        QVERIFY2(t->reason.contains(QStringLiteral("only 1 of 3 targets answering (2 needed)")), qPrintable(t->reason));
        QVERIFY2(t->reason.contains(QStringLiteral("8.8.8.8, 9.9.9.9")), qPrintable(t->reason));
    }

    void reliabilityAboveTargetCountIsClamped()
    {
        HealthSettings s;
        s.reliability = 5;
        Fixture f(s);
        QVERIFY(f.round(answered(10, {A})));
        QCOMPARE(f.tracker.state(), HealthState::Up);
    }

    void downToUpNeedsUpRounds()
    {
        Fixture f;
        for (int i = 0; i < 3; ++i)
            f.round(silent());
        QCOMPARE(f.tracker.state(), HealthState::Down);
        for (int i = 0; i < 4; ++i) {
            QVERIFY(!f.round(answered()));
            QCOMPARE(f.tracker.state(), HealthState::Down);
        }
        const auto t = f.round(answered());
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Up);
        QVERIFY2(t->reason.contains(QStringLiteral("5 good rounds")), qPrintable(t->reason));
    }

    void carrierLossIsImmediateAndRecoveryNeedsRounds()
    {
        Fixture f;
        f.bringUp();
        f.clock.advance(120'000); // long enough after coming up not to count as a flap
        const auto t = f.tracker.setLink(false, true);
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Down);
        QCOMPARE(t->reason, QStringLiteral("wan2 down: carrier lost"));
        QCOMPARE(f.tracker.flapCount(), 0);
        QVERIFY(!f.round(answered())); // rounds while the link is down are ignored
        QVERIFY(!f.tracker.setLink(true, true));
        QCOMPARE(f.tracker.state(), HealthState::Down);
        QVERIFY(f.tracker.reason().contains(QStringLiteral("link back")));
        for (int i = 0; i < 4; ++i)
            QVERIFY(!f.round(answered()));
        QVERIFY(f.round(answered()));
        QCOMPARE(f.tracker.state(), HealthState::Up);
    }

    void addressLossIsImmediate()
    {
        Fixture f;
        f.bringUp();
        const auto t = f.tracker.setLink(true, false);
        QVERIFY(t);
        QCOMPARE(t->reason, QStringLiteral("wan2 down: no address"));
    }

    void disableAndEnable()
    {
        Fixture f;
        f.bringUp();
        auto t = f.tracker.setEnabled(false);
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Disabled);
        QVERIFY(!f.round(silent()));
        QVERIFY(!f.tracker.setLink(false, false));
        QCOMPARE(f.tracker.state(), HealthState::Disabled);
        t = f.tracker.setEnabled(true);
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Down); // the link went away while disabled
        QVERIFY(!f.tracker.setLink(true, true));
        for (int i = 0; i < 5; ++i)
            f.round(answered());
        QCOMPARE(f.tracker.state(), HealthState::Up);
        t = f.tracker.setEnabled(false);
        t = f.tracker.setEnabled(true);
        QCOMPARE(t->to, HealthState::Unknown);
    }

    void lossDegradesAndStricterRecovery()
    {
        HealthSettings s;
        s.lossFailPct = 20;
        s.lossRecoverPct = 5;
        s.qualityWindow = 10;
        Fixture f(s);
        f.bringUp();
        // Half the probes lost in a round: passes (reliability 1) but pushes loss up.
        QList<TargetResult> half {{A, true, 20}, {B, false, 0}};
        std::optional<HealthTransition> t;
        for (int i = 0; i < 10 && !t; ++i)
            t = f.round(half);
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Degraded);
        QVERIFY2(t->reason.contains(QStringLiteral("loss")), qPrintable(t->reason));
        // Loss falling below the failure threshold is not enough: it must reach the recovery one.
        int rounds = 0;
        t.reset();
        while (!t && rounds < 20) {
            t = f.round(answered());
            ++rounds;
            const double loss = *f.tracker.metrics().lossPct;
            if (!t)
                QVERIFY2(loss > 5, qPrintable(QString::number(loss)));
        }
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Up);
        QVERIFY(*f.tracker.metrics().lossPct <= 5);
    }

    void latencyAndJitterDegrade()
    {
        HealthSettings s;
        s.latencyFailMs = 200;
        s.latencyRecoverMs = 100;
        s.jitterFailMs = 50;
        s.jitterRecoverMs = 20;
        s.qualityWindow = 4;
        Fixture f(s);
        f.bringUp();
        std::optional<HealthTransition> t;
        for (int i = 0; i < 4 && !t; ++i)
            t = f.round(answered(400));
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Degraded);
        QVERIFY2(t->reason.contains(QStringLiteral("latency")), qPrintable(t->reason));
        for (int i = 0; i < 6; ++i)
            f.round(answered(20));
        QCOMPARE(f.tracker.state(), HealthState::Up);
        // Alternating RTTs: low mean latency but high jitter.
        t.reset();
        for (int i = 0; i < 8 && !t; ++i)
            t = f.round({{A, true, i % 2 ? 10.0 : 110.0}});
        QVERIFY(t);
        QCOMPARE(t->to, HealthState::Degraded);
        QVERIFY2(t->reason.contains(QStringLiteral("jitter")), qPrintable(t->reason));
    }

    void degradedGoesDownOnSilence()
    {
        HealthSettings s;
        s.latencyFailMs = 100;
        s.latencyRecoverMs = 50;
        Fixture f(s);
        const auto first = f.round(answered(300));
        QVERIFY(first);
        QCOMPARE(first->to, HealthState::Degraded); // the first verdict already sees the quality
        f.round(silent());
        f.round(silent());
        const auto t = f.round(silent());
        QVERIFY(t);
        QCOMPARE(t->from, HealthState::Degraded);
        QCOMPARE(t->to, HealthState::Down);
    }

    void flappingIsHeldBackExponentiallyAndDecays()
    {
        HealthSettings s;
        s.downRounds = 1;
        s.upRounds = 1;
        s.flapWindowMs = 60'000;
        s.flapHoldBaseMs = 10'000;
        s.flapHoldMaxMs = 40'000;
        s.flapDecayMs = 300'000;
        Fixture f(s);
        f.bringUp();
        // First flap: down within a minute of coming up.
        f.round(silent());
        QCOMPARE(f.tracker.flapCount(), 1);
        // Needs 10 s of good rounds now, not just one round.
        int rounds = 0;
        while (f.tracker.state() == HealthState::Down && rounds < 100) {
            f.round(answered());
            ++rounds;
        }
        QCOMPARE(f.tracker.state(), HealthState::Up);
        QCOMPARE(rounds, 11); // good since round 1; 10 s later is round 11
        // Second flap: 20 s; third: 40 s; fourth: capped at 40 s.
        const QList<int> expected {21, 41, 41};
        for (int expectedRounds : expected) {
            f.round(silent());
            rounds = 0;
            while (f.tracker.state() == HealthState::Down && rounds < 200) {
                const auto t = f.round(answered());
                ++rounds;
                if (f.tracker.state() == HealthState::Down)
                    QVERIFY2(f.tracker.reason().contains(QStringLiteral("held back")), qPrintable(f.tracker.reason()));
                Q_UNUSED(t);
            }
            QCOMPARE(rounds, expectedRounds);
        }
        QCOMPARE(f.tracker.flapCount(), 4);
        // Stable for two decay periods: two flaps forgiven.
        for (int i = 0; i < 600; ++i)
            f.round(answered());
        QCOMPARE(f.tracker.flapCount(), 2);
        // A failure long after coming up is not a flap.
        f.round(silent());
        QCOMPARE(f.tracker.flapCount(), 2);
    }

    void badRoundDuringHoldRestartsIt()
    {
        HealthSettings s;
        s.downRounds = 1;
        s.upRounds = 1;
        s.flapHoldBaseMs = 10'000;
        Fixture f(s);
        f.bringUp();
        f.round(silent()); // flap 1: hold 10 s
        for (int i = 0; i < 8; ++i)
            f.round(answered());
        QVERIFY(f.tracker.holdRemainingMs() > 0);
        f.round(silent()); // interrupts the stable period
        for (int i = 0; i < 10; ++i)
            f.round(answered());
        QCOMPARE(f.tracker.state(), HealthState::Down);
        f.round(answered());
        QCOMPARE(f.tracker.state(), HealthState::Up);
    }

    void metricsOverTheWindow()
    {
        HealthSettings s;
        s.qualityWindow = 3;
        Fixture f(s);
        f.round({{A, true, 10}, {B, true, 30}});
        f.round({{A, true, 20}, {B, false, 0}});
        f.round({{A, true, 40}, {B, false, 0}});
        f.round({{A, true, 40}, {B, true, 40}}); // pushes the first round out
        const HealthMetrics m = f.tracker.metrics();
        QVERIFY(m.latencyMs && m.lossPct && m.jitterMs);
        QCOMPARE(*m.latencyMs, (20.0 + 40 + 40 + 40) / 4);
        QCOMPARE(*m.lossPct, 100.0 * 2 / 6);
        QCOMPARE(*m.jitterMs, (20.0 + 0 + 0) / 3);
    }
};

QTEST_GUILESS_MAIN(TestHealthTracker)
#include "tst_healthtracker.moc"

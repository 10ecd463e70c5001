// SPDX-License-Identifier: GPL-3.0-or-later
#include "Clock.h"
#include "UsageMeter.h"

#include <QtTest/QTest>

using namespace smoothwan;

namespace {
constexpr std::uint64_t MB = 1'000'000;
const QString boot1 = QStringLiteral("boot-1");
const QString boot2 = QStringLiteral("boot-2");

// A clock whose wall time starts at a given local date and time.
ManualClock clockAt(const QDate &date, const QTime &time = QTime(12, 0))
{
    return ManualClock(QDateTime(date, time).toUTC());
}
} // namespace

class TestUsageMeter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsDeltasAfterTheBaseline()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter m(clock);
        m.sample(QStringLiteral("wan1"), 3, boot1, 1000 * MB, 500 * MB); // baseline only
        QCOMPARE(m.totals(QStringLiteral("wan1")).dayTotal(), 0u);
        m.sample(QStringLiteral("wan1"), 3, boot1, 1010 * MB, 502 * MB);
        const UsageTotals t = m.totals(QStringLiteral("wan1"));
        QCOMPARE(t.dayRx, 10 * MB);
        QCOMPARE(t.dayTx, 2 * MB);
        QCOMPARE(t.monthTotal(), 12 * MB);
    }

    void counterResetsAreNewTraffic()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter m(clock);
        const QString w = QStringLiteral("wan1");
        m.sample(w, 3, boot1, 100 * MB, 0);
        m.sample(w, 3, boot1, 150 * MB, 0); // +50
        m.sample(w, 3, boot1, 20 * MB, 0);  // went backwards: reset, +20
        m.sample(w, 7, boot1, 5 * MB, 0);   // interface re-created (new index): +5
        m.sample(w, 7, boot2, 300 * MB, 0); // after a reboot (restored state): all new, +300
        m.sample(w, 7, boot2, 301 * MB, 0); // +1
        QCOMPARE(m.totals(w).dayRx, 376 * MB);
    }

    void wrapOfA64BitCounterDoesNotExplode()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter m(clock);
        const QString w = QStringLiteral("wan1");
        m.sample(w, 3, boot1, UINT64_MAX - 10, 0);
        m.sample(w, 3, boot1, 5, 0); // wrapped: counted as a fresh counter (5), never ~2^64
        QCOMPARE(m.totals(w).dayRx, 5u);
    }

    void dailyAndMonthlyRollover()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 14), QTime(23, 59, 0));
        UsageMeter m(clock);
        const QString w = QStringLiteral("wan1");
        m.setCap(w, {0, 0, 15});
        m.sample(w, 3, boot1, 0, 0);
        m.sample(w, 3, boot1, 10 * MB, 0);
        QCOMPARE(m.totals(w).periodStart, QDate(2026, 2, 15));
        clock.advance(2 * 60 * 1000); // past midnight: the 15th, the reset day
        m.sample(w, 3, boot1, 13 * MB, 0);
        const UsageTotals t = m.totals(w);
        QCOMPARE(t.day, QDate(2026, 3, 15));
        QCOMPARE(t.dayRx, 3 * MB);
        QCOMPARE(t.periodStart, QDate(2026, 3, 15));
        QCOMPARE(t.monthRx, 3 * MB);
    }

    void periodStartAcrossYears()
    {
        QCOMPARE(UsageMeter::periodStartFor(QDate(2026, 1, 3), 5), QDate(2025, 12, 5));
        QCOMPARE(UsageMeter::periodStartFor(QDate(2026, 1, 5), 5), QDate(2026, 1, 5));
        QCOMPARE(UsageMeter::periodStartFor(QDate(2026, 3, 31), 28), QDate(2026, 3, 28));
        QCOMPARE(UsageMeter::periodStartFor(QDate(2026, 3, 1), 40), QDate(2026, 2, 28)); // clamped
    }

    void capThresholdsFireOncePerPeriod()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter m(clock);
        const QString w = QStringLiteral("lte");
        m.setCap(w, {100 * MB, 1000 * MB, 1});
        m.sample(w, 3, boot1, 0, 0);
        QVERIFY(m.sample(w, 3, boot1, 50 * MB, 0).isEmpty());
        QList<CapCrossing> c = m.sample(w, 3, boot1, 80 * MB, 0);
        QCOMPARE(c.size(), 1);
        QCOMPARE(c[0].period, QStringLiteral("daily"));
        QCOMPARE(c[0].percent, 75);
        QVERIFY(m.sample(w, 3, boot1, 85 * MB, 0).isEmpty()); // 75 % already reported
        c = m.sample(w, 3, boot1, 120 * MB, 0);               // jumps past 90 and 100 at once
        QCOMPARE(c.size(), 2);
        QCOMPARE(c[0].percent, 90);
        QCOMPARE(c[1].percent, 100);
        QCOMPARE(c[1].used, 120 * MB);
        QVERIFY(m.sample(w, 3, boot1, 130 * MB, 0).isEmpty());
        clock.advance(24 * 3600 * 1000); // next day: the daily thresholds fire again
        m.sample(w, 3, boot1, 130 * MB, 0);
        c = m.sample(w, 3, boot1, 210 * MB, 0);
        QCOMPARE(c.size(), 1);
        QCOMPARE(c[0].percent, 75);
    }

    void survivesSaveAndLoad()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter before(clock);
        const QString w = QStringLiteral("wan1");
        before.setCap(w, {100 * MB, 0, 1});
        before.sample(w, 3, boot1, 0, 0);
        before.sample(w, 3, boot1, 80 * MB, 8 * MB); // 88 %: 75 reported
        const QJsonObject saved = before.save();

        UsageMeter after(clock); // a restart of the daemon, same boot
        after.load(saved);
        after.setCap(w, {100 * MB, 0, 1});
        QCOMPARE(after.totals(w).dayTotal(), 88 * MB);
        const QList<CapCrossing> c = after.sample(w, 3, boot1, 83 * MB, 8 * MB); // traffic while stopped counts
        QCOMPARE(after.totals(w).dayTotal(), 91 * MB);
        QCOMPARE(c.size(), 1);
        QCOMPARE(c[0].percent, 90); // 75 % is not repeated after the restart
        // Totals above 2^53 survive exactly.
        UsageMeter big(clock);
        big.sample(w, 3, boot1, 0, 0);
        big.sample(w, 3, boot1, (1ULL << 60) + 1, 0);
        UsageMeter big2(clock);
        big2.load(big.save());
        QCOMPARE(big2.totals(w).dayRx, (1ULL << 60) + 1);
    }

    void resetForgetsTotals()
    {
        ManualClock clock = clockAt(QDate(2026, 3, 10));
        UsageMeter m(clock);
        const QString w = QStringLiteral("wan1");
        m.sample(w, 3, boot1, 0, 0);
        m.sample(w, 3, boot1, 10 * MB, 0);
        m.reset(w);
        QCOMPARE(m.totals(w).monthTotal(), 0u);
        m.sample(w, 3, boot1, 11 * MB, 0);
        QCOMPARE(m.totals(w).monthTotal(), 1 * MB);
    }
};

QTEST_GUILESS_MAIN(TestUsageMeter)
#include "tst_usagemeter.moc"

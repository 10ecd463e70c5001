// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QDate>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <cstdint>
#include <optional>

namespace smoothwan {

class Clock;

struct UsageCap
{
    std::uint64_t dailyBytes = 0;   // 0 = no daily cap
    std::uint64_t monthlyBytes = 0; // 0 = no monthly cap
    int resetDay = 1;               // first day of the monthly period, 1..28
};

struct UsageTotals
{
    std::uint64_t dayRx = 0;
    std::uint64_t dayTx = 0;
    std::uint64_t monthRx = 0;
    std::uint64_t monthTx = 0;
    QDate day;         // the day the daily totals belong to
    QDate periodStart; // first day of the monthly period
    std::uint64_t dayTotal() const { return dayRx + dayTx; }
    std::uint64_t monthTotal() const { return monthRx + monthTx; }
};

// A cap threshold crossed: emitted once per period for each of 75, 90 and 100 %.
struct CapCrossing
{
    QString wan;
    QString period; // "daily" or "monthly"
    int percent = 0;
    std::uint64_t used = 0;
    std::uint64_t cap = 0;
};

// Counts each WAN's bytes from the kernel's 64-bit interface counters and keeps daily and
// monthly totals that survive restarts and reboots (save()/load()). A counter that goes
// backwards, or belongs to another boot or another interface index, is a fresh counter: its
// whole value is new traffic. Pure: time from the injected clock (local calendar days).
class UsageMeter
{
public:
    explicit UsageMeter(const Clock &clock);

    // Feeds the current counters of the WAN `wan` (a stable WAN id, not the interface name).
    // Returns the cap thresholds crossed by this sample.
    QList<CapCrossing> sample(const QString &wan, int ifindex, const QString &bootId, std::uint64_t rxBytes,
                              std::uint64_t txBytes);
    void setCap(const QString &wan, const UsageCap &cap);
    // Forgets the WAN's totals (the user's "reset usage").
    void reset(const QString &wan);

    UsageTotals totals(const QString &wan) const;
    QStringList wans() const { return m_wans.keys(); }

    QJsonObject save() const;
    void load(const QJsonObject &saved);

    static QDate periodStartFor(const QDate &today, int resetDay);

private:
    struct Wan
    {
        UsageTotals totals;
        UsageCap cap;
        int ifindex = 0;
        QString bootId;
        std::uint64_t lastRx = 0;
        std::uint64_t lastTx = 0;
        bool haveCounters = false;
        int dailyNotified = 0;   // highest percentage already reported for the day
        int monthlyNotified = 0; // … and for the period
    };

    void roll(Wan &w, const QDate &today) const;

    const Clock &m_clock;
    QHash<QString, Wan> m_wans;
};

} // namespace smoothwan

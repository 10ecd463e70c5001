// SPDX-License-Identifier: GPL-3.0-or-later
#include "UsageMeter.h"

#include "Clock.h"

#include <QtCore/QJsonArray>

#include <algorithm>

namespace smoothwan {

namespace {

constexpr int thresholds[] = {75, 90, 100};

std::uint64_t delta(std::uint64_t last, std::uint64_t now, bool sameCounter)
{
    if (!sameCounter || now < last)
        return now; // a fresh counter (new boot, re-created interface, reset): all of it is new
    return now - last;
}

QJsonValue u64(std::uint64_t v)
{
    return QString::number(v); // JSON numbers lose precision above 2^53
}

std::uint64_t fromU64(const QJsonValue &v)
{
    return v.toString().toULongLong();
}

void crossings(QList<CapCrossing> &out, const QString &wan, const char *period, std::uint64_t used, std::uint64_t cap,
               int &notified)
{
    if (cap == 0)
        return;
    const double percent = 100.0 * static_cast<double>(used) / static_cast<double>(cap);
    for (int t : thresholds) {
        if (percent >= t && notified < t) {
            notified = t;
            out.append({wan, QLatin1String(period), t, used, cap});
        }
    }
}

} // namespace

UsageMeter::UsageMeter(const Clock &clock)
    : m_clock(clock)
{ }

QDate UsageMeter::periodStartFor(const QDate &today, int resetDay)
{
    const int day = std::clamp(resetDay, 1, 28);
    if (today.day() >= day)
        return QDate(today.year(), today.month(), day);
    const QDate previous = today.addMonths(-1);
    return QDate(previous.year(), previous.month(), day);
}

void UsageMeter::roll(Wan &w, const QDate &today) const
{
    if (w.totals.day != today) {
        w.totals.day = today;
        w.totals.dayRx = w.totals.dayTx = 0;
        w.dailyNotified = 0;
    }
    const QDate start = periodStartFor(today, w.cap.resetDay);
    if (w.totals.periodStart != start) {
        w.totals.periodStart = start;
        w.totals.monthRx = w.totals.monthTx = 0;
        w.monthlyNotified = 0;
    }
}

QList<CapCrossing> UsageMeter::sample(const QString &wan, int ifindex, const QString &bootId, std::uint64_t rxBytes,
                                      std::uint64_t txBytes)
{
    Wan &w = m_wans[wan];
    roll(w, m_clock.wallClock().toLocalTime().date());
    const bool same = w.haveCounters && w.ifindex == ifindex && w.bootId == bootId;
    if (w.haveCounters) {
        const std::uint64_t rx = delta(w.lastRx, rxBytes, same);
        const std::uint64_t tx = delta(w.lastTx, txBytes, same);
        w.totals.dayRx += rx;
        w.totals.dayTx += tx;
        w.totals.monthRx += rx;
        w.totals.monthTx += tx;
    }
    // The very first sample of a WAN only sets the baseline: traffic before we started
    // watching it is not attributed to today.
    w.haveCounters = true;
    w.ifindex = ifindex;
    w.bootId = bootId;
    w.lastRx = rxBytes;
    w.lastTx = txBytes;
    QList<CapCrossing> out;
    crossings(out, wan, "daily", w.totals.dayTotal(), w.cap.dailyBytes, w.dailyNotified);
    crossings(out, wan, "monthly", w.totals.monthTotal(), w.cap.monthlyBytes, w.monthlyNotified);
    return out;
}

void UsageMeter::setCap(const QString &wan, const UsageCap &cap)
{
    Wan &w = m_wans[wan];
    const bool periodChanged = w.cap.resetDay != cap.resetDay;
    if (cap.dailyBytes != w.cap.dailyBytes)
        w.dailyNotified = 0;
    if (cap.monthlyBytes != w.cap.monthlyBytes)
        w.monthlyNotified = 0;
    w.cap = cap;
    if (periodChanged && w.totals.periodStart.isValid())
        w.totals.periodStart = periodStartFor(m_clock.wallClock().toLocalTime().date(), cap.resetDay);
}

void UsageMeter::reset(const QString &wan)
{
    auto it = m_wans.find(wan);
    if (it == m_wans.end())
        return;
    it->totals.dayRx = it->totals.dayTx = it->totals.monthRx = it->totals.monthTx = 0;
    it->dailyNotified = it->monthlyNotified = 0;
}

UsageTotals UsageMeter::totals(const QString &wan) const
{
    const auto it = m_wans.constFind(wan);
    if (it == m_wans.constEnd())
        return {};
    Wan w = *it;
    roll(w, m_clock.wallClock().toLocalTime().date());
    return w.totals;
}

QJsonObject UsageMeter::save() const
{
    QJsonObject wans;
    for (auto it = m_wans.constBegin(); it != m_wans.constEnd(); ++it) {
        const Wan &w = it.value();
        wans.insert(it.key(), QJsonObject {
                                  {QStringLiteral("day"), w.totals.day.toString(Qt::ISODate)},
                                  {QStringLiteral("dayRx"), u64(w.totals.dayRx)},
                                  {QStringLiteral("dayTx"), u64(w.totals.dayTx)},
                                  {QStringLiteral("periodStart"), w.totals.periodStart.toString(Qt::ISODate)},
                                  {QStringLiteral("monthRx"), u64(w.totals.monthRx)},
                                  {QStringLiteral("monthTx"), u64(w.totals.monthTx)},
                                  {QStringLiteral("ifindex"), w.ifindex},
                                  {QStringLiteral("bootId"), w.bootId},
                                  {QStringLiteral("lastRx"), u64(w.lastRx)},
                                  {QStringLiteral("lastTx"), u64(w.lastTx)},
                                  {QStringLiteral("haveCounters"), w.haveCounters},
                                  {QStringLiteral("dailyNotified"), w.dailyNotified},
                                  {QStringLiteral("monthlyNotified"), w.monthlyNotified},
                                  {QStringLiteral("dailyCap"), u64(w.cap.dailyBytes)},
                                  {QStringLiteral("monthlyCap"), u64(w.cap.monthlyBytes)},
                                  {QStringLiteral("resetDay"), w.cap.resetDay},
                              });
    }
    return {{QStringLiteral("version"), 1}, {QStringLiteral("wans"), wans}};
}

void UsageMeter::load(const QJsonObject &saved)
{
    if (saved.value(QStringLiteral("version")).toInt() != 1)
        return;
    const QJsonObject wans = saved.value(QStringLiteral("wans")).toObject();
    for (auto it = wans.constBegin(); it != wans.constEnd(); ++it) {
        const QJsonObject o = it.value().toObject();
        Wan &w = m_wans[it.key()];
        w.totals.day = QDate::fromString(o.value(QStringLiteral("day")).toString(), Qt::ISODate);
        w.totals.dayRx = fromU64(o.value(QStringLiteral("dayRx")));
        w.totals.dayTx = fromU64(o.value(QStringLiteral("dayTx")));
        w.totals.periodStart = QDate::fromString(o.value(QStringLiteral("periodStart")).toString(), Qt::ISODate);
        w.totals.monthRx = fromU64(o.value(QStringLiteral("monthRx")));
        w.totals.monthTx = fromU64(o.value(QStringLiteral("monthTx")));
        w.ifindex = o.value(QStringLiteral("ifindex")).toInt();
        w.bootId = o.value(QStringLiteral("bootId")).toString();
        w.lastRx = fromU64(o.value(QStringLiteral("lastRx")));
        w.lastTx = fromU64(o.value(QStringLiteral("lastTx")));
        w.haveCounters = o.value(QStringLiteral("haveCounters")).toBool();
        w.dailyNotified = o.value(QStringLiteral("dailyNotified")).toInt();
        w.monthlyNotified = o.value(QStringLiteral("monthlyNotified")).toInt();
        // The caps the notifications were given for: re-applying the same caps after a restart
        // must not repeat them.
        w.cap.dailyBytes = fromU64(o.value(QStringLiteral("dailyCap")));
        w.cap.monthlyBytes = fromU64(o.value(QStringLiteral("monthlyCap")));
        w.cap.resetDay = o.value(QStringLiteral("resetDay")).toInt(1);
    }
}

} // namespace smoothwan

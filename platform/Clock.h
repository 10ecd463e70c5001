// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>

#include <cstdint>

namespace smoothwan {

// Contract: a source of time for decisions. monotonicMs() never goes backwards and is
// what health, backoff and rate decisions use; wallClock() is for display and for
// calendar logic (usage reset days). Tests inject a ManualClock and never sleep.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual std::int64_t monotonicMs() const = 0;
    virtual QDateTime wallClock() const = 0;
};

class SystemClock final : public Clock
{
public:
    SystemClock() { m_timer.start(); }
    std::int64_t monotonicMs() const override { return m_timer.elapsed(); }
    QDateTime wallClock() const override { return QDateTime::currentDateTimeUtc(); }

private:
    QElapsedTimer m_timer;
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime wall = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC))
        : m_wall(std::move(wall))
    { }
    std::int64_t monotonicMs() const override { return m_monotonic; }
    QDateTime wallClock() const override { return m_wall.addMSecs(m_monotonic); }
    void advance(std::int64_t ms) { m_monotonic += ms; }

private:
    QDateTime m_wall;
    std::int64_t m_monotonic = 0;
};

} // namespace smoothwan

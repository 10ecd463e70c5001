// SPDX-License-Identifier: GPL-3.0-or-later
#include "HealthTracker.h"

#include "Clock.h"

#include <QtCore/QStringList>

#include <algorithm>
#include <cmath>

namespace smoothwan {

QString healthStateName(HealthState state)
{
    switch (state) {
    case HealthState::Disabled:
        return QStringLiteral("disabled");
    case HealthState::Unknown:
        return QStringLiteral("unknown");
    case HealthState::Up:
        return QStringLiteral("up");
    case HealthState::Degraded:
        return QStringLiteral("degraded");
    case HealthState::Down:
        return QStringLiteral("down");
    }
    return QStringLiteral("unknown");
}

namespace {
QString number(double v)
{
    return QString::number(v, 'f', v < 10 ? 1 : 0);
}
} // namespace

HealthTracker::HealthTracker(QString wanName, HealthSettings settings, const Clock &clock)
    : m_name(std::move(wanName))
    , m_settings(settings)
    , m_clock(clock)
    , m_reason(QStringLiteral("%1 unknown: no probe results yet").arg(m_name))
{ }

HealthMetrics HealthTracker::metrics() const
{
    HealthMetrics m;
    int sent = 0;
    int answered = 0;
    double rttSum = 0;
    int rttCount = 0;
    double jitterSum = 0;
    int jitterCount = 0;
    std::optional<double> previous;
    for (const Round &r : m_window) {
        sent += r.sent;
        answered += r.answered;
        for (double rtt : r.rtts) {
            rttSum += rtt;
            ++rttCount;
            if (previous) {
                jitterSum += std::abs(rtt - *previous);
                ++jitterCount;
            }
            previous = rtt;
        }
    }
    if (rttCount > 0)
        m.latencyMs = rttSum / rttCount;
    if (jitterCount > 0)
        m.jitterMs = jitterSum / jitterCount;
    if (sent > 0)
        m.lossPct = 100.0 * (sent - answered) / sent;
    return m;
}

std::optional<HealthTransition> HealthTracker::moveTo(HealthState to, const QString &reason)
{
    const HealthState from = m_state;
    m_reason = QStringLiteral("%1 %2: %3").arg(m_name, healthStateName(to), reason);
    if (from == to)
        return std::nullopt;
    const std::int64_t now = m_clock.monotonicMs();
    const bool wasUsable = from == HealthState::Up || from == HealthState::Degraded;
    const bool isUsable = to == HealthState::Up || to == HealthState::Degraded;
    if (wasUsable && to == HealthState::Down && m_upSinceMs >= 0 && now - m_upSinceMs < m_settings.flapWindowMs)
        ++m_flaps;
    if (!wasUsable && isUsable) {
        m_upSinceMs = now;
        m_decayFromMs = now;
    }
    m_state = to;
    return HealthTransition {from, to, m_reason, now};
}

std::int64_t HealthTracker::requiredHoldMs() const
{
    if (m_flaps <= 0)
        return 0;
    const int shift = std::min(m_flaps - 1, 30);
    return std::min(m_settings.flapHoldBaseMs << shift, m_settings.flapHoldMaxMs);
}

std::int64_t HealthTracker::holdRemainingMs() const
{
    if (m_state != HealthState::Down || m_goodSinceMs < 0)
        return 0;
    return std::max<std::int64_t>(0, requiredHoldMs() - (m_clock.monotonicMs() - m_goodSinceMs));
}

void HealthTracker::decayFlaps()
{
    if (m_decayFromMs < 0 || m_settings.flapDecayMs <= 0)
        return;
    const std::int64_t now = m_clock.monotonicMs();
    while (m_flaps > 0 && now - m_decayFromMs >= m_settings.flapDecayMs) {
        --m_flaps;
        m_decayFromMs += m_settings.flapDecayMs;
    }
}

QString HealthTracker::qualityProblem(bool recovering) const
{
    const HealthMetrics m = metrics();
    const HealthSettings &s = m_settings;
    const double latencyLimit = recovering ? s.latencyRecoverMs : s.latencyFailMs;
    const double lossLimit = recovering ? s.lossRecoverPct : s.lossFailPct;
    const double jitterLimit = recovering ? s.jitterRecoverMs : s.jitterFailMs;
    // In recovery a check only counts if its failure threshold is set.
    const bool checkLatency = s.latencyFailMs > 0 && latencyLimit > 0;
    const bool checkLoss = s.lossFailPct > 0 && lossLimit > 0;
    const bool checkJitter = s.jitterFailMs > 0 && jitterLimit > 0;
    QStringList problems;
    if (checkLoss && m.lossPct && *m.lossPct > lossLimit)
        problems << QStringLiteral("loss %1 % > %2 %").arg(number(*m.lossPct), number(lossLimit));
    if (checkLatency && m.latencyMs && *m.latencyMs > latencyLimit)
        problems << QStringLiteral("latency %1 ms > %2 ms").arg(number(*m.latencyMs), number(latencyLimit));
    if (checkJitter && m.jitterMs && *m.jitterMs > jitterLimit)
        problems << QStringLiteral("jitter %1 ms > %2 ms").arg(number(*m.jitterMs), number(jitterLimit));
    return problems.join(QStringLiteral(", "));
}

std::optional<HealthTransition> HealthTracker::setEnabled(bool enabled, const QString &why)
{
    if (enabled == m_enabled)
        return std::nullopt;
    m_enabled = enabled;
    m_failedRounds = m_goodRounds = 0;
    m_goodSinceMs = -1;
    m_window.clear();
    if (!enabled)
        return moveTo(HealthState::Disabled, why.isEmpty() ? QStringLiteral("disabled by the user") : why);
    if (!m_linkOk)
        return moveTo(HealthState::Down, QStringLiteral("enabled, but the link has no carrier or address"));
    return moveTo(HealthState::Unknown, why.isEmpty() ? QStringLiteral("enabled, waiting for probe results") : why);
}

std::optional<HealthTransition> HealthTracker::setLink(bool carrier, bool hasAddress, const QString &why)
{
    const bool ok = carrier && hasAddress;
    if (ok == m_linkOk)
        return std::nullopt;
    m_linkOk = ok;
    m_failedRounds = m_goodRounds = 0;
    m_goodSinceMs = -1;
    if (!m_enabled)
        return std::nullopt;
    if (!ok)
        return moveTo(HealthState::Down, !why.isEmpty() ? why
                                         : carrier      ? QStringLiteral("no address")
                                                        : QStringLiteral("carrier lost"));
    // Carrier and address are back: the WAN stays down until it proves itself with probes.
    return moveTo(HealthState::Down, QStringLiteral("link back, waiting for %1 good rounds").arg(m_settings.upRounds));
}

std::optional<HealthTransition> HealthTracker::addRound(const QList<TargetResult> &targets)
{
    if (!m_enabled || !m_linkOk)
        return std::nullopt;
    const std::int64_t now = m_clock.monotonicMs();

    Round round;
    QStringList silent;
    QStringList answeredBy;
    for (const TargetResult &t : targets) {
        ++round.sent;
        if (t.answered) {
            ++round.answered;
            round.rtts.append(t.rttMs);
            answeredBy << t.target;
        } else {
            silent << t.target;
        }
    }
    m_window.push_back(round);
    while (static_cast<int>(m_window.size()) > std::max(1, m_settings.qualityWindow))
        m_window.pop_front();

    const int needed = std::clamp(m_settings.reliability, 1, std::max<int>(1, round.sent));
    const bool passed = round.sent > 0 && round.answered >= needed;

    if (!passed) {
        m_goodRounds = 0;
        m_goodSinceMs = -1;
        ++m_failedRounds;
        m_silentTargets = silent;
        if (m_state == HealthState::Down || m_failedRounds < m_settings.downRounds)
            return std::nullopt;
        const QString why =
            round.answered == 0
                ? QStringLiteral("%1 rounds without answer from %2")
                      .arg(m_failedRounds)
                      .arg(silent.join(QStringLiteral(", ")))
                : QStringLiteral("%1 rounds with only %2 of %3 targets answering (%4 needed); silent: %5")
                      .arg(m_failedRounds)
                      .arg(round.answered)
                      .arg(round.sent)
                      .arg(needed)
                      .arg(silent.join(QStringLiteral(", ")));
        return moveTo(HealthState::Down, why);
    }

    m_failedRounds = 0;
    ++m_goodRounds;
    if (m_goodSinceMs < 0)
        m_goodSinceMs = now;

    switch (m_state) {
    case HealthState::Unknown:
    case HealthState::Down: {
        if (m_state == HealthState::Down) {
            if (m_goodRounds < m_settings.upRounds)
                return std::nullopt;
            const std::int64_t hold = requiredHoldMs();
            if (now - m_goodSinceMs < hold) {
                m_reason = QStringLiteral("%1 down: held back after %2 flaps, needs %3 s stable (%4 s so far)")
                               .arg(m_name)
                               .arg(m_flaps)
                               .arg(hold / 1000)
                               .arg((now - m_goodSinceMs) / 1000);
                return std::nullopt;
            }
        }
        const QString problem = qualityProblem(false);
        if (!problem.isEmpty())
            return moveTo(HealthState::Degraded, problem);
        const QString why = m_state == HealthState::Unknown
                                ? QStringLiteral("answered by %1").arg(answeredBy.join(QStringLiteral(", ")))
                                : QStringLiteral("%1 good rounds, answered by %2")
                                      .arg(m_goodRounds)
                                      .arg(answeredBy.join(QStringLiteral(", ")));
        return moveTo(HealthState::Up, why);
    }
    case HealthState::Up: {
        decayFlaps();
        const QString problem = qualityProblem(false);
        if (!problem.isEmpty())
            return moveTo(HealthState::Degraded, problem);
        return std::nullopt;
    }
    case HealthState::Degraded: {
        decayFlaps();
        const QString problem = qualityProblem(true);
        if (problem.isEmpty())
            return moveTo(HealthState::Up, QStringLiteral("quality recovered"));
        m_reason = QStringLiteral("%1 degraded: %2").arg(m_name, problem);
        return std::nullopt;
    }
    case HealthState::Disabled:
        break;
    }
    return std::nullopt;
}

} // namespace smoothwan

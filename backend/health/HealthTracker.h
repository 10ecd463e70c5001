// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

#include <cstdint>
#include <deque>
#include <optional>

namespace smoothwan {

class Clock;

enum class HealthState { Disabled, Unknown, Up, Degraded, Down };
QString healthStateName(HealthState state);

struct HealthSettings
{
    int reliability = 1; // targets that must answer for a round to pass
    int downRounds = 3;  // consecutive failed rounds that take a WAN down
    int upRounds = 5;    // consecutive good rounds that bring a down WAN back
    // Quality thresholds; 0 disables a check. Recovery values are stricter (hysteresis).
    double latencyFailMs = 0;
    double latencyRecoverMs = 0;
    double lossFailPct = 0;
    double lossRecoverPct = 0;
    double jitterFailMs = 0;
    double jitterRecoverMs = 0;
    int qualityWindow = 10; // rounds the latency/jitter/loss figures are computed over
    // Flap damping: a WAN that goes down within flapWindowMs of coming up counts a flap; with
    // n flaps it must stay good for min(flapHoldBaseMs * 2^(n-1), flapHoldMaxMs) before it is
    // trusted again. One flap is forgiven per flapDecayMs of uninterrupted good health.
    std::int64_t flapWindowMs = 60'000;
    std::int64_t flapHoldBaseMs = 10'000;
    std::int64_t flapHoldMaxMs = 600'000;
    std::int64_t flapDecayMs = 300'000;
};

struct TargetResult
{
    QString target;
    bool answered = false;
    double rttMs = 0; // valid when answered
};

struct HealthTransition
{
    HealthState from = HealthState::Unknown;
    HealthState to = HealthState::Unknown;
    QString reason; // a sentence for people: "wan2 down: 3 rounds without answer from 1.1.1.1, 8.8.8.8"
    std::int64_t atMs = 0;
};

struct HealthMetrics
{
    std::optional<double> latencyMs; // mean RTT of answered probes over the window
    std::optional<double> jitterMs;  // mean absolute difference of successive RTTs
    std::optional<double> lossPct;   // unanswered probes over the window
};

// The health of one WAN, decided from netlink facts (carrier, address) and probe rounds.
// Pure: no timers and no I/O; time comes from the injected clock, so tests drive it without
// sleeping. Every input returns the transition it caused, if any, with a human reason.
//
// States: Disabled (by the user) · Unknown (no verdict yet) · Up · Degraded (answers, but
// latency/loss/jitter beyond the failure thresholds) · Down.
// - Carrier or address loss: Down at once. Carrier back: stays Down until upRounds good rounds.
// - Unknown: the first good round makes it Up (a WAN that answers at start is trusted at once);
//   downRounds failed rounds make it Down.
// - Up/Degraded: downRounds consecutive failed rounds make it Down.
// - Down: upRounds consecutive good rounds, and the flap hold if it has flapped, make it Up.
// - Up <-> Degraded: failure thresholds to degrade, stricter recovery thresholds to recover.
class HealthTracker
{
public:
    HealthTracker(QString wanName, HealthSettings settings, const Clock &clock);

    HealthState state() const { return m_state; }
    const QString &reason() const { return m_reason; }
    HealthMetrics metrics() const;
    int flapCount() const { return m_flaps; }
    const HealthSettings &settings() const { return m_settings; }
    void setSettings(const HealthSettings &settings) { m_settings = settings; }

    // `why` replaces the default wording of the reason ("disabled by the user", "carrier lost").
    std::optional<HealthTransition> setEnabled(bool enabled, const QString &why = {});
    std::optional<HealthTransition> setLink(bool carrier, bool hasAddress, const QString &why = {});
    std::optional<HealthTransition> addRound(const QList<TargetResult> &targets);

    // How long a Down WAN still has to stay good before it is trusted (0 if not held).
    std::int64_t holdRemainingMs() const;

private:
    struct Round
    {
        int sent = 0;
        int answered = 0;
        QList<double> rtts;
    };

    std::optional<HealthTransition> moveTo(HealthState to, const QString &reason);
    std::int64_t requiredHoldMs() const;
    void decayFlaps();
    QString qualityProblem(bool recovering) const;

    QString m_name;
    HealthSettings m_settings;
    const Clock &m_clock;
    HealthState m_state = HealthState::Unknown;
    QString m_reason;
    bool m_enabled = true;
    bool m_linkOk = true;
    int m_failedRounds = 0;
    int m_goodRounds = 0;
    std::int64_t m_goodSinceMs = -1; // start of the current run of good rounds
    std::int64_t m_upSinceMs = -1;   // when the WAN last became Up (for flap counting)
    std::int64_t m_decayFromMs = -1; // start of the current decay period
    int m_flaps = 0;
    std::deque<Round> m_window;
    QStringList m_silentTargets; // targets that did not answer in the last failed round
};

} // namespace smoothwan

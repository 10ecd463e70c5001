// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "HealthTracker.h"
#include "UsageMeter.h"

#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <map>
#include <memory>

namespace smoothwan {

class Clock;
class LinkMonitor;
class Prober;
class StateStore;
struct LinkInfo;

// The WANs: binds each configured WAN to its link (by interface name or match rule, following
// renames), probes it through its own device, keeps its health, rates and usage, and publishes
// all of it in the state store's "wans" slice; links that look like a new internet connection
// (carrier and a default route, not a bridge, port or tunnel) are published in "candidates"
// for the user to adopt.
class WanManager : public QObject
{
    Q_OBJECT

public:
    WanManager(const Clock &clock, LinkMonitor &links, Prober &prober, StateStore &state, QObject *parent = nullptr);
    ~WanManager() override;

    // Applies the configured WANs. Unchanged WANs keep their health; a WAN whose probe settings
    // changed keeps its state and uses the new settings from the next round.
    void setConfig(const QList<WanConfig> &wans);
    // Starts probing and metering. The link monitor must be started.
    void start();
    // Where usage totals are kept across restarts (a JSON file, written atomically).
    void setUsageFile(const QString &path);
    void saveUsage();
    void setBootId(const QString &bootId) { m_bootId = bootId; }

    struct WanStatus
    {
        QString name;
        QString interface; // empty when its link is absent
        int ifindex = 0;
        HealthState state = HealthState::Unknown;
        WanPriority priority = WanPriority::Always;
        int weight = 1;
        QHostAddress address {}; // its first IPv4 address; null while it has none
        bool carrier = false;    // its link has carrier (seen on netlink, at once)
    };
    QList<WanStatus> status() const;

    // What kind of connection a link is: "ethernet", "wifi", "cellular", "usb" (tethering) or
    // "other", from its driver, its sysfs DEVTYPE and whether it is 802.11.
    static QString linkType(const LinkInfo &link);

Q_SIGNALS:
    // After the "wans" slice shows the new state. `reason` is the transition's sentence.
    void healthChanged(const QString &wan, smoothwan::HealthState from, smoothwan::HealthState to,
                       const QString &reason);

private:
    struct Wan;

    void onLinkAdded(const LinkInfo &link);
    void onLinkChanged(const LinkInfo &before, const LinkInfo &after);
    void onLinkRemoved(const LinkInfo &link);
    void resolveAll();
    void bind(Wan &w, const LinkInfo *link);
    void updateLink(Wan &w, const LinkInfo *link);
    void startRound(Wan &w);
    void finishRound(const QString &name, std::uint64_t roundId, const QList<TargetResult> &results);
    void meter();
    void record(Wan &w, const std::optional<HealthTransition> &t);
    void applyCapAction(Wan &w);
    void publish();
    bool isCandidate(const LinkInfo &link) const;
    static HealthSettings healthSettings(const WanConfig &c);

    const Clock &m_clock;
    LinkMonitor &m_links;
    Prober &m_prober;
    StateStore &m_state;
    UsageMeter m_usage;
    std::map<QString, std::unique_ptr<Wan>> m_wans; // by WAN name
    QSet<QString> m_announcedCandidates;
    QTimer m_meterTimer;
    QTimer m_saveTimer;
    QString m_usageFile;
    QString m_bootId;
    std::uint64_t m_nextRoundId = 1;
    bool m_started = false;
};

} // namespace smoothwan

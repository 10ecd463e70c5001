// SPDX-License-Identifier: GPL-3.0-or-later
#include "WanManager.h"

#include "AtomicFile.h"
#include "Clock.h"
#include "LinkMonitor.h"
#include "Logging.h"
#include "Prober.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>
#include <QtCore/QRegularExpression>

namespace smoothwan {

struct WanManager::Wan
{
    WanConfig config;
    int ifindex = 0;
    QString ifname;
    bool carrier = false;
    bool hasAddress = false;
    std::unique_ptr<HealthTracker> tracker;
    QTimer probeTimer;
    std::uint64_t roundInFlight = 0;
    std::uint64_t lastRx = 0;
    std::uint64_t lastTx = 0;
    std::int64_t lastMeterMs = -1;
    double rxBps = 0;
    double txBps = 0;
    QDateTime lastChange;
    bool capDisabled = false;
    QString type; // of its link, kept while the link is absent
};

namespace {

QString macText(const QByteArray &raw)
{
    return QString::fromLatin1(raw.toHex(':')).toLower();
}

bool globMatches(const QString &pattern, const QString &text)
{
    QString re;
    for (const QChar c : pattern) {
        if (c == u'*')
            re += QStringLiteral(".*");
        else if (c == u'?')
            re += u'.';
        else
            re += QRegularExpression::escape(QString(c));
    }
    return QRegularExpression(QRegularExpression::anchoredPattern(re)).match(text).hasMatch();
}

bool matches(const WanConfig &c, const LinkInfo &l)
{
    if (!c.interface.isEmpty())
        return l.name == c.interface;
    const WanMatch &m = c.match;
    if (m.isEmpty())
        return false;
    if (!m.mac.isEmpty() && macText(l.mac) != m.mac.toLower())
        return false;
    if (!m.permanentMac.isEmpty() && macText(l.permanentMac) != m.permanentMac.toLower())
        return false;
    if (!m.devicePath.isEmpty() && !globMatches(m.devicePath, l.devicePath))
        return false;
    if (!m.kind.isEmpty() && l.kind != m.kind)
        return false;
    if (!m.driver.isEmpty() && l.driver != m.driver)
        return false;
    return true;
}

QHostAddress firstAddress(const LinkInfo &l, QAbstractSocket::NetworkLayerProtocol family)
{
    for (const LinkAddress &a : l.addresses)
        if (a.address.protocol() == family && !a.address.isLinkLocal())
            return a.address;
    return {};
}

bool hasUsableAddress(const LinkInfo &l)
{
    for (const LinkAddress &a : l.addresses)
        if (!a.address.isLinkLocal())
            return true;
    return false;
}

QJsonValue optionalNumber(const std::optional<double> &v)
{
    return v ? QJsonValue(std::round(*v * 10) / 10) : QJsonValue(QJsonValue::Null);
}

QJsonValue bytes(std::uint64_t v)
{
    return static_cast<double>(v); // exact up to 2^53 bytes (9 PB)
}

} // namespace

QString WanManager::linkType(const LinkInfo &l)
{
    // Cellular: a WWAN device (the kernel marks modems' network functions DEVTYPE=wwan) or a modem
    // driver. USB tethering: the phone-as-network-card drivers. A USB Ethernet dongle (r8152,
    // asix, ...) is Ethernet.
    static const QSet<QString> cellular {
        QStringLiteral("qmi_wwan"), QStringLiteral("cdc_mbim"),   QStringLiteral("huawei_cdc_ncm"),
        QStringLiteral("option"),   QStringLiteral("sierra_net"), QStringLiteral("mhi_net"),
        QStringLiteral("ipa")};
    static const QSet<QString> usb {QStringLiteral("rndis_host"), QStringLiteral("cdc_ether"), QStringLiteral("ipheth"),
                                    QStringLiteral("cdc_ncm"), QStringLiteral("cdc_eem")};
    if (l.wireless || l.devType == QLatin1String("wlan"))
        return QStringLiteral("wifi");
    if (l.devType == QLatin1String("wwan") || cellular.contains(l.driver))
        return QStringLiteral("cellular");
    if (usb.contains(l.driver))
        return QStringLiteral("usb");
    if (l.loopback || !l.devType.isEmpty())
        return QStringLiteral("other"); // bridge, bond, ppp, gadget, ...
    if (l.kind.isEmpty() && !l.devicePath.isEmpty())
        return QStringLiteral("ethernet");
    if (l.kind == QLatin1String("vlan") || l.kind == QLatin1String("macvlan"))
        return QStringLiteral("ethernet");
    return QStringLiteral("other");
}

WanManager::WanManager(const Clock &clock, LinkMonitor &links, Prober &prober, StateStore &state, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_links(links)
    , m_prober(prober)
    , m_state(state)
    , m_usage(clock)
{
    connect(&m_links, &LinkMonitor::linkAdded, this, &WanManager::onLinkAdded);
    connect(&m_links, &LinkMonitor::linkChanged, this, &WanManager::onLinkChanged);
    connect(&m_links, &LinkMonitor::linkRemoved, this, &WanManager::onLinkRemoved);
    m_meterTimer.setInterval(1000);
    connect(&m_meterTimer, &QTimer::timeout, this, &WanManager::meter);
    m_saveTimer.setInterval(60'000);
    connect(&m_saveTimer, &QTimer::timeout, this, &WanManager::saveUsage);
}

WanManager::~WanManager()
{
    saveUsage();
}

HealthSettings WanManager::healthSettings(const WanConfig &c)
{
    HealthSettings s;
    s.reliability = c.probe.reliability;
    s.downRounds = c.probe.downRounds;
    s.upRounds = c.probe.upRounds;
    s.latencyFailMs = c.probe.thresholds.latencyFailMs;
    s.latencyRecoverMs = c.probe.thresholds.latencyRecoverMs;
    s.lossFailPct = c.probe.thresholds.lossFailPercent;
    s.lossRecoverPct = c.probe.thresholds.lossRecoverPercent;
    s.jitterFailMs = c.probe.thresholds.jitterFailMs;
    s.jitterRecoverMs = c.probe.thresholds.jitterRecoverMs;
    // Flap damping scales with the probe interval, so a fast profile also forgives fast; with
    // the default 2 s interval: a flap is a failure within 60 s of coming up, the first hold is
    // 10 s, holds are capped at 10 min and one flap is forgiven per 5 min of good health.
    const std::int64_t interval = std::max(100, c.probe.intervalMs);
    s.flapWindowMs = 30 * interval;
    s.flapHoldBaseMs = 5 * interval;
    s.flapHoldMaxMs = 300 * interval;
    s.flapDecayMs = 150 * interval;
    return s;
}

void WanManager::setConfig(const QList<WanConfig> &wans)
{
    QSet<QString> keep;
    for (const WanConfig &c : wans) {
        keep.insert(c.name);
        auto it = m_wans.find(c.name);
        if (it == m_wans.end()) {
            auto w = std::make_unique<Wan>();
            w->config = c;
            // Coarse timers may fire up to 5 % late, which adds up over the down-rounds.
            w->probeTimer.setTimerType(Qt::PreciseTimer);
            w->tracker = std::make_unique<HealthTracker>(c.name, healthSettings(c), m_clock);
            w->lastChange = m_clock.wallClock();
            connect(&w->probeTimer, &QTimer::timeout, this, [this, name = c.name] {
                if (auto found = m_wans.find(name); found != m_wans.end())
                    startRound(*found->second);
            });
            it = m_wans.emplace(c.name, std::move(w)).first;
            if (m_started) // added by a reload: probe it like the others
                it->second->probeTimer.start();
        }
        Wan &w = *it->second;
        const bool rebind = w.config.interface != c.interface || w.config.match != c.match;
        w.config = c;
        w.tracker->setSettings(healthSettings(c));
        w.probeTimer.setInterval(std::max(100, c.probe.intervalMs));
        m_usage.setCap(c.name, {c.caps.dailyBytes.value_or(0), c.caps.monthlyBytes.value_or(0), c.caps.resetDay});
        record(w, w.tracker->setEnabled(c.enabled && !w.capDisabled));
        if (rebind)
            bind(w, nullptr);
    }
    for (auto it = m_wans.begin(); it != m_wans.end();) {
        if (!keep.contains(it->first)) {
            qCInfo(lcWan) << "WAN" << it->first << "removed from the configuration";
            it = m_wans.erase(it);
        } else {
            ++it;
        }
    }
    resolveAll();
    publish();
}

void WanManager::start()
{
    m_started = true;
    resolveAll();
    for (auto &[name, w] : m_wans) {
        w->probeTimer.start();
        startRound(*w);
    }
    m_meterTimer.start();
    m_saveTimer.start();
    meter();
    publish();
}

void WanManager::setUsageFile(const QString &path)
{
    m_usageFile = path;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(4 * 1024 * 1024), &error);
    if (error.error != QJsonParseError::NoError) {
        qCWarning(lcWan).noquote() << "ignoring unreadable usage file" << path << ":" << error.errorString();
        return;
    }
    m_usage.load(doc.object());
}

void WanManager::saveUsage()
{
    if (m_usageFile.isEmpty())
        return;
    const AtomicWriteResult r = writeAtomically(m_usageFile, QJsonDocument(m_usage.save()).toJson(), 0640);
    if (!r.ok)
        qCWarning(lcWan).noquote() << r.error;
}

QList<WanManager::WanStatus> WanManager::status() const
{
    QList<WanStatus> out;
    for (const auto &[name, w] : m_wans) {
        QHostAddress address;
        if (w->ifindex != 0)
            if (const auto link = m_links.link(w->ifindex))
                address = firstAddress(*link, QAbstractSocket::IPv4Protocol);
        out.append({name, w->ifname, w->ifindex, w->tracker->state(), w->config.priority, w->config.weight, address,
                    w->carrier});
    }
    return out;
}

void WanManager::resolveAll()
{
    const QList<LinkInfo> links = m_links.links();
    QSet<int> taken;
    for (auto &[name, w] : m_wans)
        if (w->ifindex != 0)
            taken.insert(w->ifindex);
    for (auto &[name, w] : m_wans) {
        if (w->ifindex != 0) {
            const auto link = m_links.link(w->ifindex);
            if (link) {
                updateLink(*w, &*link);
                continue;
            }
            bind(*w, nullptr);
        }
        for (const LinkInfo &l : links) {
            if (!taken.contains(l.index) && matches(w->config, l)) {
                taken.insert(l.index);
                bind(*w, &l);
                break;
            }
        }
    }
    // New connections: links with carrier and a default route that no WAN claims.
    QJsonArray candidates;
    QSet<QString> present;
    for (const LinkInfo &l : links) {
        if (taken.contains(l.index) || !isCandidate(l))
            continue;
        present.insert(l.name);
        QJsonArray addresses;
        for (const LinkAddress &a : l.addresses)
            addresses.append(QStringLiteral("%1/%2").arg(a.address.toString()).arg(a.prefixLength));
        candidates.append(QJsonObject {{QStringLiteral("interface"), l.name},
                                       {QStringLiteral("mac"), macText(l.mac)},
                                       {QStringLiteral("kind"), l.kind},
                                       {QStringLiteral("type"), linkType(l)},
                                       {QStringLiteral("driver"), l.driver},
                                       {QStringLiteral("devicePath"), l.devicePath},
                                       {QStringLiteral("addresses"), addresses},
                                       {QStringLiteral("gateway"), l.gateways.value(0).toString()}});
        if (!m_announcedCandidates.contains(l.name)) {
            m_announcedCandidates.insert(l.name);
            m_state.appendEvent(QStringLiteral("wan"), QStringLiteral("info"),
                                QStringLiteral("new connection found: %1 (gateway %2); adopt it as a WAN to use it")
                                    .arg(l.name, l.gateways.value(0).toString()));
        }
    }
    m_announcedCandidates.intersect(present);
    m_state.setSlice(QStringLiteral("candidates"), candidates);
}

bool WanManager::isCandidate(const LinkInfo &l) const
{
    static const QSet<QString> notWans {QStringLiteral("bridge"),    QStringLiteral("bond"), QStringLiteral("tun"),
                                        QStringLiteral("wireguard"), QStringLiteral("team"), QStringLiteral("dummy")};
    return !l.loopback && l.masterIndex == 0 && !notWans.contains(l.kind) && l.carrier && !l.gateways.isEmpty();
}

void WanManager::bind(Wan &w, const LinkInfo *link)
{
    const int index = link ? link->index : 0;
    if (index == w.ifindex && (!link || link->name == w.ifname))
        return;
    if (link) {
        qCInfo(lcWan).noquote() << QStringLiteral("WAN %1 is interface %2").arg(w.config.name, link->name);
        w.ifindex = link->index;
        w.ifname = link->name;
        w.lastMeterMs = -1;
        updateLink(w, link);
    } else {
        if (w.ifindex != 0)
            qCInfo(lcWan).noquote() << QStringLiteral("WAN %1 lost its interface %2").arg(w.config.name, w.ifname);
        w.ifindex = 0;
        w.ifname.clear();
        w.rxBps = w.txBps = 0;
        w.carrier = w.hasAddress = false;
        record(w, w.tracker->setLink(false, false, QStringLiteral("its interface is absent")));
    }
}

void WanManager::updateLink(Wan &w, const LinkInfo *link)
{
    w.ifname = link->name;
    const bool carrier = link->carrier;
    const bool address = hasUsableAddress(*link);
    const bool wasOk = w.carrier && w.hasAddress;
    w.carrier = carrier;
    w.hasAddress = address;
    record(w, w.tracker->setLink(carrier, address));
    // Link back: probe at once rather than waiting for the next tick.
    if (m_started && !wasOk && carrier && address)
        startRound(w);
}

void WanManager::onLinkAdded(const LinkInfo &)
{
    resolveAll();
    publish();
}

void WanManager::onLinkChanged(const LinkInfo &, const LinkInfo &)
{
    resolveAll();
    publish();
}

void WanManager::onLinkRemoved(const LinkInfo &link)
{
    for (auto &[name, w] : m_wans)
        if (w->ifindex == link.index)
            bind(*w, nullptr);
    resolveAll();
    publish();
}

void WanManager::startRound(Wan &w)
{
    if (w.roundInFlight != 0 || w.ifindex == 0 || !w.carrier || !w.hasAddress || !w.config.enabled || w.capDisabled)
        return;
    const auto link = m_links.link(w.ifindex);
    if (!link)
        return;
    const ProbeConfig &p = w.config.probe;
    if (p.targets.isEmpty())
        return;
    const std::uint64_t roundId = m_nextRoundId++;
    w.roundInFlight = roundId;

    struct Round
    {
        QList<TargetResult> results;
        int pending = 0;
    };
    auto round = std::make_shared<Round>();
    round->pending = static_cast<int>(p.targets.size());
    round->results.resize(p.targets.size());
    QPointer<WanManager> self(this);
    const QString name = w.config.name;
    for (qsizetype i = 0; i < p.targets.size(); ++i) {
        const ProbeTarget &t = p.targets.at(i);
        ProbeRequest r;
        r.method = p.method == ProbeMethod::Tcp   ? ProbeRequest::Method::Tcp
                   : p.method == ProbeMethod::Dns ? ProbeRequest::Method::Dns
                                                  : ProbeRequest::Method::Icmp;
        r.interface = link->name;
        r.source = firstAddress(*link, t.address.protocol());
        r.target = t.address;
        r.port = t.port;
        r.dnsName = p.query;
        r.timeoutMs = p.timeoutMs;
        round->results[i].target = t.address.toString();
        m_prober.probe(r, [self, name, roundId, round, i](const ProbeResult &result) {
            round->results[i].answered = result.answered;
            round->results[i].rttMs = result.rttMs;
            if (--round->pending == 0 && self)
                self->finishRound(name, roundId, round->results);
        });
    }
}

void WanManager::finishRound(const QString &name, std::uint64_t roundId, const QList<TargetResult> &results)
{
    const auto it = m_wans.find(name);
    if (it == m_wans.end() || it->second->roundInFlight != roundId)
        return; // the WAN was removed or rebound meanwhile
    Wan &w = *it->second;
    w.roundInFlight = 0;
    if (!w.carrier || !w.hasAddress)
        return; // a round that straddled a carrier loss says nothing new
    record(w, w.tracker->addRound(results));
    if (lcWan().isDebugEnabled()) {
        const int answered = static_cast<int>(
            std::count_if(results.begin(), results.end(), [](const TargetResult &r) { return r.answered; }));
        const HealthMetrics m = w.tracker->metrics();
        qCDebug(lcWan).noquote() << QStringLiteral("%1 round: %2/%3 answered; window loss %4 %, latency %5 ms")
                                        .arg(name)
                                        .arg(answered)
                                        .arg(results.size())
                                        .arg(m.lossPct.value_or(0), 0, 'f', 1)
                                        .arg(m.latencyMs.value_or(0), 0, 'f', 1);
    }
    publish();
}

void WanManager::record(Wan &w, const std::optional<HealthTransition> &t)
{
    if (!t)
        return;
    w.lastChange = m_clock.wallClock();
    const bool bad = t->to == HealthState::Down || t->to == HealthState::Degraded;
    m_state.appendEvent(QStringLiteral("wan"), bad ? QStringLiteral("warning") : QStringLiteral("info"), t->reason,
                        QJsonObject {{QStringLiteral("wan"), w.config.name},
                                     {QStringLiteral("from"), healthStateName(t->from)},
                                     {QStringLiteral("to"), healthStateName(t->to)}});
    publish();
    Q_EMIT healthChanged(w.config.name, t->from, t->to, t->reason);
}

void WanManager::meter()
{
    m_links.refreshCounters();
    const std::int64_t now = m_clock.monotonicMs();
    for (auto &[name, w] : m_wans) {
        if (w->ifindex == 0)
            continue;
        const auto link = m_links.link(w->ifindex);
        if (!link)
            continue;
        if (w->lastMeterMs >= 0 && now > w->lastMeterMs) {
            const double seconds = static_cast<double>(now - w->lastMeterMs) / 1000.0;
            const auto rate = [seconds](std::uint64_t last, std::uint64_t current) {
                return current >= last ? static_cast<double>(current - last) * 8.0 / seconds : 0.0;
            };
            w->rxBps = rate(w->lastRx, link->rxBytes);
            w->txBps = rate(w->lastTx, link->txBytes);
        }
        w->lastRx = link->rxBytes;
        w->lastTx = link->txBytes;
        w->lastMeterMs = now;
        for (const CapCrossing &c : m_usage.sample(name, link->index, m_bootId, link->rxBytes, link->txBytes)) {
            m_state.appendEvent(QStringLiteral("usage"),
                                c.percent >= 100 ? QStringLiteral("warning") : QStringLiteral("info"),
                                QStringLiteral("%1 has used %2 % of its %3 cap (%4 of %5 MB)")
                                    .arg(c.wan)
                                    .arg(c.percent)
                                    .arg(c.period)
                                    .arg(c.used / 1'000'000)
                                    .arg(c.cap / 1'000'000));
        }
        applyCapAction(*w);
    }
    publish();
}

void WanManager::applyCapAction(Wan &w)
{
    const UsageCaps &caps = w.config.caps;
    const UsageTotals t = m_usage.totals(w.config.name);
    QString over;
    if (caps.dailyBytes && *caps.dailyBytes > 0 && t.dayTotal() >= *caps.dailyBytes)
        over = QStringLiteral("daily cap reached");
    else if (caps.monthlyBytes && *caps.monthlyBytes > 0 && t.monthTotal() >= *caps.monthlyBytes)
        over = QStringLiteral("monthly cap reached");
    const bool block = caps.action == CapAction::Disable && !over.isEmpty();
    if (block == w.capDisabled)
        return;
    w.capDisabled = block;
    record(w, w.tracker->setEnabled(w.config.enabled && !block,
                                    block ? QStringLiteral("%1, taken out of use until the period resets").arg(over)
                                          : QStringLiteral("back in use: the cap period has reset")));
}

void WanManager::publish()
{
    QJsonArray wans;
    for (const auto &[name, w] : m_wans) {
        const HealthMetrics m = w->tracker->metrics();
        const UsageTotals u = m_usage.totals(name);
        QJsonArray addresses;
        QString gateway;
        if (w->ifindex != 0) {
            if (const auto link = m_links.link(w->ifindex)) {
                for (const LinkAddress &a : link->addresses)
                    addresses.append(QStringLiteral("%1/%2").arg(a.address.toString()).arg(a.prefixLength));
                gateway = link->gateways.value(0).toString();
                w->type = linkType(*link);
            }
        }
        if (w->type.isEmpty() && !w->config.match.driver.isEmpty()) {
            LinkInfo byDriver;
            byDriver.driver = w->config.match.driver;
            byDriver.devicePath = QStringLiteral("?"); // a device of that driver
            w->type = linkType(byDriver);
        }
        const UsageCaps &caps = w->config.caps;
        const ProbeConfig &probe = w->config.probe;
        QJsonArray targets;
        for (const ProbeTarget &t : probe.targets)
            targets.append(t.toString());
        wans.append(QJsonObject {
            {QStringLiteral("name"), name},
            {QStringLiteral("interface"), w->ifname},
            {QStringLiteral("type"), w->type.isEmpty() ? QStringLiteral("other") : w->type},
            {QStringLiteral("state"), healthStateName(w->tracker->state())},
            {QStringLiteral("reason"), w->tracker->reason()},
            {QStringLiteral("enabled"), w->config.enabled},
            {QStringLiteral("priority"), configName(w->config.priority)},
            {QStringLiteral("weight"), w->config.weight},
            {QStringLiteral("metered"), w->config.metered},
            {QStringLiteral("addresses"), addresses},
            {QStringLiteral("gateway"), gateway},
            {QStringLiteral("rxBps"), std::round(w->rxBps)},
            {QStringLiteral("txBps"), std::round(w->txBps)},
            {QStringLiteral("latencyMs"), optionalNumber(m.latencyMs)},
            {QStringLiteral("jitterMs"), optionalNumber(m.jitterMs)},
            {QStringLiteral("lossPct"), optionalNumber(m.lossPct)},
            {QStringLiteral("lastChange"), w->lastChange.toString(Qt::ISODateWithMs)},
            {QStringLiteral("probe"), QJsonObject {{QStringLiteral("method"), configName(probe.method)},
                                                   {QStringLiteral("targets"), targets},
                                                   {QStringLiteral("intervalMs"), probe.intervalMs},
                                                   {QStringLiteral("timeoutMs"), probe.timeoutMs},
                                                   {QStringLiteral("reliability"), probe.reliability},
                                                   {QStringLiteral("down"), probe.downRounds},
                                                   {QStringLiteral("up"), probe.upRounds}}},
            {QStringLiteral("usage"),
             QJsonObject {
                 {QStringLiteral("dayBytes"), bytes(u.dayTotal())},
                 {QStringLiteral("monthBytes"), bytes(u.monthTotal())},
                 {QStringLiteral("periodStart"), u.periodStart.toString(Qt::ISODate)},
                 {QStringLiteral("dailyCapBytes"), caps.dailyBytes ? bytes(*caps.dailyBytes) : QJsonValue()},
                 {QStringLiteral("monthlyCapBytes"), caps.monthlyBytes ? bytes(*caps.monthlyBytes) : QJsonValue()},
                 {QStringLiteral("capAction"), configName(caps.action)}}},
        });
    }
    m_state.setSlice(QStringLiteral("wans"), wans);
}

} // namespace smoothwan

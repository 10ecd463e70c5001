// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include <cstdint>
#include <optional>
#include <span>

namespace smoothwan {

// The typed configuration (docs/configuration.md describes every key).
// Contract: a default-constructed Config is the configuration of an empty file and is always
// valid. Values produced by ConfigLoader are validated and resolved: e.g. the probe interval of
// a metered WAN already includes the metered slow-down, and api.tls.enabled is a plain bool.
// Nothing here knows about YAML; enum <-> text goes through configName()/configEnumFromString().

enum class WanPriority { Always, Secondary, Backup, Never };
enum class ProbeMethod { Icmp, Tcp, Dns };
enum class CapAction { Warn, Disable };
enum class RoutingPolicy { Bonded, Failover, Balance };
enum class IpProtocol { Any, Tcp, Udp };
enum class EngineType { None, Speedify, Engarde, TinyFec, SelfHosted };
enum class SelfHostedMode { Speed, Redundant, Streaming };
enum class SpeedifyMode { Speed, Redundant, Streaming };
enum class SpeedifyTransport { Auto, Tcp, TcpMulti, Udp, Https };
enum class UiTheme { Dark, Light };

template<typename E> struct EnumName
{
    E value;
    const char *name;
};

inline constexpr EnumName<WanPriority> WanPriorityNames[] = {{WanPriority::Always, "always"},
                                                             {WanPriority::Secondary, "secondary"},
                                                             {WanPriority::Backup, "backup"},
                                                             {WanPriority::Never, "never"}};
inline constexpr EnumName<ProbeMethod> ProbeMethodNames[] = {{ProbeMethod::Icmp, "icmp"},
                                                             {ProbeMethod::Tcp, "tcp"},
                                                             {ProbeMethod::Dns, "dns"}};
inline constexpr EnumName<CapAction> CapActionNames[] = {{CapAction::Warn, "warn"}, {CapAction::Disable, "disable"}};
inline constexpr EnumName<RoutingPolicy> RoutingPolicyNames[] = {{RoutingPolicy::Bonded, "bonded"},
                                                                 {RoutingPolicy::Failover, "failover"},
                                                                 {RoutingPolicy::Balance, "balance"}};
inline constexpr EnumName<IpProtocol> IpProtocolNames[] = {{IpProtocol::Any, "any"},
                                                           {IpProtocol::Tcp, "tcp"},
                                                           {IpProtocol::Udp, "udp"}};
inline constexpr EnumName<EngineType> EngineTypeNames[] = {{EngineType::Speedify, "speedify"},
                                                           {EngineType::Engarde, "engarde"},
                                                           {EngineType::TinyFec, "tinyfec"},
                                                           {EngineType::SelfHosted, "selfhosted"},
                                                           {EngineType::None, "none"}};
inline constexpr EnumName<SelfHostedMode> SelfHostedModeNames[] = {{SelfHostedMode::Speed, "speed"},
                                                                   {SelfHostedMode::Redundant, "redundant"},
                                                                   {SelfHostedMode::Streaming, "streaming"}};
inline constexpr EnumName<SpeedifyMode> SpeedifyModeNames[] = {{SpeedifyMode::Speed, "speed"},
                                                               {SpeedifyMode::Redundant, "redundant"},
                                                               {SpeedifyMode::Streaming, "streaming"}};
inline constexpr EnumName<SpeedifyTransport> SpeedifyTransportNames[] = {{SpeedifyTransport::Auto, "auto"},
                                                                         {SpeedifyTransport::Tcp, "tcp"},
                                                                         {SpeedifyTransport::TcpMulti, "tcp-multi"},
                                                                         {SpeedifyTransport::Udp, "udp"},
                                                                         {SpeedifyTransport::Https, "https"}};
inline constexpr EnumName<UiTheme> UiThemeNames[] = {{UiTheme::Dark, "dark"}, {UiTheme::Light, "light"}};

constexpr std::span<const EnumName<WanPriority>> enumNames(WanPriority)
{
    return WanPriorityNames;
}
constexpr std::span<const EnumName<ProbeMethod>> enumNames(ProbeMethod)
{
    return ProbeMethodNames;
}
constexpr std::span<const EnumName<CapAction>> enumNames(CapAction)
{
    return CapActionNames;
}
constexpr std::span<const EnumName<RoutingPolicy>> enumNames(RoutingPolicy)
{
    return RoutingPolicyNames;
}
constexpr std::span<const EnumName<IpProtocol>> enumNames(IpProtocol)
{
    return IpProtocolNames;
}
constexpr std::span<const EnumName<EngineType>> enumNames(EngineType)
{
    return EngineTypeNames;
}
constexpr std::span<const EnumName<SelfHostedMode>> enumNames(SelfHostedMode)
{
    return SelfHostedModeNames;
}
constexpr std::span<const EnumName<SpeedifyMode>> enumNames(SpeedifyMode)
{
    return SpeedifyModeNames;
}
constexpr std::span<const EnumName<SpeedifyTransport>> enumNames(SpeedifyTransport)
{
    return SpeedifyTransportNames;
}
constexpr std::span<const EnumName<UiTheme>> enumNames(UiTheme)
{
    return UiThemeNames;
}

// The configuration file's spelling of an enum value ("always", "tcp-multi", ...).
template<typename E>
requires requires(E e)
{
    enumNames(e);
}
QString configName(E value)
{
    for (const EnumName<E> &n : enumNames(E {}))
        if (n.value == value)
            return QString::fromLatin1(n.name);
    return {};
}

template<typename E>
requires requires(E e)
{
    enumNames(e);
}
std::optional<E> configEnumFromString(QStringView text)
{
    for (const EnumName<E> &n : enumNames(E {}))
        if (text == QLatin1String(n.name))
            return n.value;
    return std::nullopt;
}

// An address with a prefix length; a single host has the full length (32 or 128).
struct IpPrefix
{
    QHostAddress address;
    int length = 0;

    QString toString() const;
    bool operator==(const IpPrefix &) const = default;
};

// A host name or IP literal with a port; host empty means "not set".
struct HostPort
{
    QString host;
    quint16 port = 0;

    bool isEmpty() const { return host.isEmpty(); }
    QString toString() const; // "host:port", IPv6 hosts in brackets
    bool operator==(const HostPort &) const = default;
};

// How a WAN whose interface name is not stable (USB tethering, modems) is recognised.
// Every field that is set must match; at least one is set when `interface` is empty.
struct WanMatch
{
    QString mac;          // current address, lower case aa:bb:cc:dd:ee:ff
    QString permanentMac; // burnt-in address (ethtool -P), survives MAC randomisation
    QString devicePath;   // glob over the sysfs device path, e.g. "*/usb1/1-1.2/*"
    QString driver;       // kernel driver, e.g. rndis_host, cdc_ether, qmi_wwan
    QString kind;         // rtnetlink link kind, e.g. vlan, wireguard

    bool isEmpty() const
    {
        return mac.isEmpty() && permanentMac.isEmpty() && devicePath.isEmpty() && driver.isEmpty() && kind.isEmpty();
    }
    bool operator==(const WanMatch &) const = default;
};

struct ProbeTarget
{
    QHostAddress address;
    quint16 port = 0; // tcp: the port to connect to; dns: the server port; icmp: 0

    QString toString() const;
    bool operator==(const ProbeTarget &) const = default;
};

QList<ProbeTarget> defaultProbeTargets(ProbeMethod method);

struct ProbeThresholds
{
    int latencyFailMs = 1000;
    int latencyRecoverMs = 500;
    int lossFailPercent = 40;
    int lossRecoverPercent = 10;
    int jitterFailMs = 200;
    int jitterRecoverMs = 100;

    bool operator==(const ProbeThresholds &) const = default;
};

struct ProbeConfig
{
    static constexpr int DefaultIntervalMs = 2000;
    static constexpr int MeteredIntervalFactor = 5;

    ProbeMethod method = ProbeMethod::Icmp;
    QList<ProbeTarget> targets = defaultProbeTargets(ProbeMethod::Icmp);
    QString query = QStringLiteral("example.com"); // the name a dns probe asks for
    int intervalMs = DefaultIntervalMs;
    int timeoutMs = 1000;
    int reliability = 2; // targets that must answer for a round to pass
    int downRounds = 3;
    int upRounds = 5;
    ProbeThresholds thresholds;

    bool operator==(const ProbeConfig &) const = default;
};

struct UsageCaps
{
    std::optional<std::uint64_t> dailyBytes;
    std::optional<std::uint64_t> monthlyBytes;
    int resetDay = 1; // day of the month the monthly counter restarts
    CapAction action = CapAction::Warn;

    bool operator==(const UsageCaps &) const = default;
};

struct WanConfig
{
    QString name;
    QString interface; // exactly one of interface and match is set
    WanMatch match;
    WanPriority priority = WanPriority::Always;
    int weight = 1;
    ProbeConfig probe;
    bool metered = false;
    UsageCaps caps;
    bool enabled = true;

    bool operator==(const WanConfig &) const = default;
};

struct PortRange
{
    quint16 first = 0;
    quint16 last = 0;

    bool operator==(const PortRange &) const = default;
};

struct BypassMatch
{
    std::optional<IpPrefix> source;      // LAN host or subnet
    std::optional<IpPrefix> destination; // destination prefix
    IpProtocol protocol = IpProtocol::Any;
    std::optional<PortRange> ports; // destination ports; needs protocol tcp or udp

    bool isEmpty() const { return !source && !destination && protocol == IpProtocol::Any && !ports; }
    bool operator==(const BypassMatch &) const = default;
};

struct BypassRule
{
    QString name;
    BypassMatch match;
    QString via;             // a WAN name; exactly one of via and aroundBond is set
    bool aroundBond = false; // leave through the best healthy WAN, outside the engine's tunnel

    bool operator==(const BypassRule &) const = default;
};

struct RoutingConfig
{
    RoutingPolicy policy = RoutingPolicy::Failover;
    bool killSwitch = false;
    QList<BypassRule> bypass;

    bool operator==(const RoutingConfig &) const = default;
};

struct SpeedifyConfig
{
    QString cliPath = QStringLiteral("/usr/share/speedify/speedify_cli");
    SpeedifyMode mode = SpeedifyMode::Speed;
    SpeedifyTransport transport = SpeedifyTransport::Auto;
    QString connect = QStringLiteral("closest"); // the argument of `speedify_cli connect`
    bool startupConnect = true;

    bool operator==(const SpeedifyConfig &) const = default;
};

struct EngardeConfig
{
    HostPort server;
    HostPort listen {QStringLiteral("127.0.0.1"), 59401};
    QStringList excludedInterfaces;
    HostPort webManager; // empty: the web manager is off

    bool operator==(const EngardeConfig &) const = default;
};

struct TinyFecConfig
{
    HostPort server;
    QString fec = QStringLiteral("20:10"); // validated "x:y[,x:y...]" with x increasing
    int timeoutMs = 8;
    int mode = 0;
    int mtu = 1250;
    QString tunName = QStringLiteral("tinyfec0");
    QHostAddress subnet {QStringLiteral("10.22.22.0")}; // the tunnel's IPv4 /24

    bool operator==(const TinyFecConfig &) const = default;
};

// SmoothWAN's own engine (issue 8): WireGuard through smoothwan-relay to the user's VPS, LAN TCP
// through ss-redir over kernel MPTCP. The pairing (keys, server) is not configuration: it lives in
// the state directory (see SelfHostedEngine).
struct SelfHostedConfig
{
    SelfHostedMode mode = SelfHostedMode::Speed;
    bool tcpAggregation = true; // speed/streaming: LAN TCP through ss-redir over MPTCP
    QString interface = QStringLiteral("smoothwan0");
    int mtu = 1368;
    quint16 relayPort = 7420; // loopback UDP port WireGuard sends to
    quint16 tcpPort = 7421;   // ss-redir's port

    bool operator==(const SelfHostedConfig &) const = default;
    // Differs only in what applies at run time (mode, TCP aggregation).
    bool sameExceptLive(const SelfHostedConfig &o) const
    {
        return interface == o.interface && mtu == o.mtu && relayPort == o.relayPort && tcpPort == o.tcpPort;
    }
};

struct EngineConfig
{
    EngineType type = EngineType::None;
    SpeedifyConfig speedify;
    EngardeConfig engarde;
    TinyFecConfig tinyfec;
    SelfHostedConfig selfhosted;

    bool operator==(const EngineConfig &) const = default;
};

struct ApiTlsConfig
{
    bool enabled = false; // resolved by the loader: when not given, on if any listen address is not loopback
    QString certPath = QStringLiteral("/var/lib/smoothwan/tls/cert.pem");
    QString keyPath = QStringLiteral("/var/lib/smoothwan/tls/key.pem");

    bool operator==(const ApiTlsConfig &) const = default;
};

struct ApiConfig
{
    static constexpr quint16 DefaultPort = 8443;

    QList<QHostAddress> listen {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)};
    quint16 port = DefaultPort;
    ApiTlsConfig tls;

    bool operator==(const ApiConfig &) const = default;
};

struct UiConfig
{
    bool kiosk = false;
    int blankAfterSeconds = 300; // 0: never blank
    UiTheme theme = UiTheme::Dark;

    bool operator==(const UiConfig &) const = default;
};

struct Config
{
    static constexpr int CurrentVersion = 1;

    int version = CurrentVersion;
    QList<WanConfig> wans;
    RoutingConfig routing;
    EngineConfig engine;
    ApiConfig api;
    UiConfig ui;

    bool operator==(const Config &) const = default;
};

} // namespace smoothwan

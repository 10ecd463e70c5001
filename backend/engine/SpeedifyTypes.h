// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <cstdint>
#include <optional>

namespace smoothwan {

// Contract: the typed form of the documents speedify_cli prints (reference/speedify-cli.md §2-§5).
// Fields that an older or newer build leaves out keep their defaults; unknown keys are ignored.
// Rates are bits per second, sizes bytes, limits 0 = none, as Speedify itself uses them.

enum class SpeedifyState {
    LoggedOut,
    LoggingIn,
    LoggedIn,
    AutoConnecting,
    Connecting,
    Disconnecting,
    Connected,
    Overlimit,
    Unknown
};

QString speedifyStateName(SpeedifyState state); // "LOGGED_OUT", ... as Speedify spells them
SpeedifyState speedifyStateFromString(const QString &text);

struct SpeedifyDataUsage
{
    std::int64_t overlimitRatelimit = 0;
    std::int64_t usageDaily = 0;
    std::int64_t usageDailyBoost = 0;
    std::int64_t usageDailyLimit = 0;
    std::int64_t usageMonthly = 0;
    std::int64_t usageMonthlyLimit = 0;
    int usageMonthlyResetDay = 0;
};

struct SpeedifyAdapterInfo
{
    QString adapterId; // the interface name on Linux
    QString name;
    QString description;
    QString state; // lower case: connected|disconnected|connecting|disconnecting
    QString type;
    QString priority;
    QString workingPriority;
    QString isp;
    QString connectedNetworkName;
    std::int64_t rateLimitDownBps = 0; // 0 = unlimited
    std::int64_t rateLimitUpBps = 0;
    SpeedifyDataUsage dataUsage;
    QString directionalUpload;
    QString directionalDownload;

    QJsonObject toJson() const;
};

struct SpeedifySettings
{
    QString bondingMode;
    QString transportMode;
    bool encrypted = false;
    bool jumboPackets = false;
    bool packetAggregation = false;
    bool headerCompression = false;
    bool startupConnect = false;
    bool enableAutomaticPriority = false;
    bool enableDefaultRoute = false;
    bool allowChaChaEncryption = false;
    bool perConnectionEncryptionEnabled = false;
    double overflowThreshold = 0;
    double priorityOverflowThreshold = 0;
    int maxRedundant = 0;
    int fixedDelay = 0;
    QString packetPoolSize;
    QList<QPair<QString, bool>> perConnectionEncryption; // adapterID, encrypted

    QJsonObject toJson() const;
};

struct SpeedifyServer
{
    QString tag;
    QString country;
    QString city;
    int num = 0;
    QString friendlyName;
    QString dataCenter;
    bool isPremium = false;
    bool isPrivate = false;
    bool torrentAllowed = false;
    QStringList publicIp;
    QStringList dnsIp;

    QJsonObject toJson() const;
};

struct SpeedifyServerList
{
    QList<SpeedifyServer> publicServers;
    QList<SpeedifyServer> privateServers;
};

struct SpeedifyConnection
{
    QString adapterId;
    QString connectionId;
    QString protocol;
    QString localIp;
    QString remoteIp;
    bool connected = false;
    bool congested = false;
    bool downloadCongested = false;
    bool uploadCongested = false;
    double latencyMs = 0;
    double jitterMs = 0;
    double lossSend = 0;
    double lossReceive = 0;
    double receiveBps = 0;
    double sendBps = 0;
    double totalBps = 0;
    double receiveEstimateMbps = 0;
    double sendEstimateMbps = 0;

    QJsonObject toJson() const;
};

struct SpeedifyConnectionStats
{
    std::int64_t time = 0;
    QList<SpeedifyConnection> connections; // without the aggregate and proxy rows
};

struct SpeedifySessionStats
{
    std::int64_t totalFailoverSaves = 0;
    std::int64_t totalRedundantModeSaves = 0;
    std::int64_t totalSpeedModeSaves = 0;
    std::int64_t numFailovers = 0;
    std::int64_t bytesReceived = 0;
    std::int64_t bytesSent = 0;

    QJsonObject toJson() const;
};

struct SpeedifyVersion
{
    int major = 0;
    int minor = 0;
    int bug = 0;
    int build = 0;

    QString toString() const;
};

struct SpeedifyTestResult
{
    QString type; // "speed" | "streaming"
    QString country;
    QString city;
    double downloadBps = 0;
    double uploadBps = 0;
    double latencyMs = 0;
    double jitterMs = 0;
    double loss = 0;
    double fps = 0;
    QString resolution;
    int numConnections = 0;
    std::int64_t time = 0;
    bool isError = false;
    QString errorMessage;

    QJsonObject toJson() const;
};

struct SpeedifyPortRule
{
    int port = 0;
    int portRangeEnd = 0; // 0: a single port
    QString protocol;     // "tcp" | "udp"
};

struct SpeedifyBypass
{
    bool domainWatchlistEnabled = false;
    QStringList domains;
    QStringList ipv4;
    QStringList ipv6;
    QList<SpeedifyPortRule> ports;
    QList<QPair<QString, bool>> services; // title, enabled

    QJsonObject toJson() const;
};

struct SpeedifyUser
{
    QString email;
    bool isAutoAccount = false;
    bool isTeam = false;
    std::int64_t bytesAvailable = -1; // -1 = unlimited
    std::int64_t bytesUsed = 0;
    QString dataPeriodEnd;
    QString paymentType;
};

// The stderr JSON of exit code 1.
struct SpeedifyApiError
{
    int errorCode = 0;
    QString errorType;
    QString errorMessage;
};

struct SpeedifyStatsRecord
{
    enum class Type { State, Adapters, ConnectionStats, SessionStats, StreamingStats, Unknown };
    Type type = Type::Unknown;
    QString typeName;
    SpeedifyState state = SpeedifyState::Unknown;
    QList<SpeedifyAdapterInfo> adapters;
    SpeedifyConnectionStats connectionStats;
    SpeedifySessionStats sessionStats;
};

} // namespace smoothwan

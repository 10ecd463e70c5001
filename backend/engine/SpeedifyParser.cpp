// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpeedifyParser.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <array>

namespace smoothwan {

namespace {

constexpr std::array<const char *, 9> StateNames {"LOGGED_OUT",      "LOGGING_IN", "LOGGED_IN",
                                                  "AUTO_CONNECTING", "CONNECTING", "DISCONNECTING",
                                                  "CONNECTED",       "OVERLIMIT",  "UNKNOWN"};

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

std::int64_t i64(const QJsonObject &o, const char *key, std::int64_t fallback = 0)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? std::int64_t(v.toDouble()) : fallback;
}

double dbl(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toDouble();
}

bool boolean(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isBool() ? v.toBool() : v.toDouble() != 0;
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    if (v.isString()) {
        out.append(v.toString());
        return out;
    }
    for (const QJsonValue &e : v.toArray())
        if (e.isString())
            out.append(e.toString());
    return out;
}

// Scans one JSON document starting at `begin` ('{' or '['); returns the index after it, or -1.
qsizetype documentEnd(QByteArrayView text, qsizetype begin)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = begin; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

} // namespace

QString speedifyStateName(SpeedifyState state)
{
    return QString::fromLatin1(StateNames[std::size_t(state)]);
}

SpeedifyState speedifyStateFromString(const QString &text)
{
    for (std::size_t i = 0; i < StateNames.size(); ++i)
        if (text.compare(QLatin1String(StateNames[i]), Qt::CaseInsensitive) == 0)
            return SpeedifyState(i);
    return SpeedifyState::Unknown;
}

std::optional<QList<QJsonValue>> SpeedifyParser::documents(QByteArrayView output, QString *error)
{
    QByteArray buffer = output.toByteArray();
    QString err;
    QList<QJsonValue> docs = takeDocuments(buffer, &err);
    if (!err.isEmpty()) {
        if (error)
            *error = err;
        return std::nullopt;
    }
    if (!buffer.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("output ends inside a JSON document");
        return std::nullopt;
    }
    return docs;
}

QList<QJsonValue> SpeedifyParser::takeDocuments(QByteArray &buffer, QString *error)
{
    QList<QJsonValue> docs;
    qsizetype pos = 0;
    while (pos < buffer.size()) {
        const char c = buffer[pos];
        if (c != '{' && c != '[') {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos;
                continue;
            }
            // Text outside a document (a -t title, a warning): skip the line.
            const qsizetype nl = buffer.indexOf('\n', pos);
            if (nl < 0)
                break;
            pos = nl + 1;
            continue;
        }
        const qsizetype end = documentEnd(buffer, pos);
        if (end < 0)
            break;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(buffer.mid(pos, end - pos), &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            if (error)
                *error = QStringLiteral("invalid JSON: ") + parseError.errorString();
        } else {
            docs.append(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
        }
        pos = end;
    }
    buffer.remove(0, pos);
    return docs;
}

std::optional<SpeedifyState> SpeedifyParser::parseState(const QJsonValue &doc)
{
    const QJsonValue v = doc.toObject().value(QLatin1String("state"));
    if (v.isString())
        return speedifyStateFromString(v.toString());
    if (v.isDouble() && v.toInt() >= 0 && v.toInt() <= 8)
        return SpeedifyState(v.toInt());
    return std::nullopt;
}

SpeedifyAdapterInfo SpeedifyParser::parseAdapter(const QJsonObject &o)
{
    SpeedifyAdapterInfo a;
    a.adapterId = str(o, "adapterID");
    a.name = str(o, "name");
    a.description = str(o, "description");
    a.state = str(o, "state").toLower();
    a.type = str(o, "type");
    a.priority = str(o, "priority");
    a.workingPriority = str(o, "workingPriority");
    a.isp = str(o, "isp");
    a.connectedNetworkName = str(o, "connectedNetworkName");
    const QJsonValue rate = o.value(QLatin1String("rateLimit"));
    if (rate.isObject()) {
        const QJsonObject r = rate.toObject();
        a.rateLimitDownBps = i64(r, "downloadBps", i64(r, "downloadBitsPerSecond"));
        a.rateLimitUpBps = i64(r, "uploadBps", i64(r, "uploadBitsPerSecond"));
    } else {
        a.rateLimitDownBps = a.rateLimitUpBps = std::int64_t(rate.toDouble());
    }
    const QJsonObject u = o.value(QLatin1String("dataUsage")).toObject();
    a.dataUsage.overlimitRatelimit = i64(u, "overlimitRatelimit");
    a.dataUsage.usageDaily = i64(u, "usageDaily");
    a.dataUsage.usageDailyBoost = i64(u, "usageDailyBoost");
    a.dataUsage.usageDailyLimit = i64(u, "usageDailyLimit");
    a.dataUsage.usageMonthly = i64(u, "usageMonthly");
    a.dataUsage.usageMonthlyLimit = i64(u, "usageMonthlyLimit");
    a.dataUsage.usageMonthlyResetDay = int(i64(u, "usageMonthlyResetDay"));
    const QJsonObject d = o.value(QLatin1String("directionalSettings")).toObject();
    a.directionalUpload = str(d, "upload");
    a.directionalDownload = str(d, "download");
    return a;
}

QList<SpeedifyAdapterInfo> SpeedifyParser::parseAdapters(const QJsonValue &doc)
{
    QList<SpeedifyAdapterInfo> out;
    for (const QJsonValue &v : doc.toArray())
        if (v.isObject())
            out.append(parseAdapter(v.toObject()));
    return out;
}

SpeedifySettings SpeedifyParser::parseSettings(const QJsonObject &o)
{
    SpeedifySettings s;
    s.bondingMode = str(o, "bondingMode");
    s.transportMode = str(o, "transportMode");
    s.encrypted = boolean(o, "encrypted");
    s.jumboPackets = boolean(o, "jumboPackets");
    s.packetAggregation = boolean(o, "packetAggregation");
    s.headerCompression = boolean(o, "headerCompression");
    s.startupConnect = boolean(o, "startupConnect");
    s.enableAutomaticPriority = boolean(o, "enableAutomaticPriority");
    s.enableDefaultRoute = boolean(o, "enableDefaultRoute");
    s.allowChaChaEncryption = boolean(o, "allowChaChaEncryption");
    s.perConnectionEncryptionEnabled = boolean(o, "perConnectionEncryptionEnabled");
    s.overflowThreshold = dbl(o, "overflowThreshold");
    s.priorityOverflowThreshold = dbl(o, "priorityOverflowThreshold");
    s.maxRedundant = int(i64(o, "maxRedundant"));
    s.fixedDelay = int(i64(o, "fixedDelay"));
    s.packetPoolSize = o.value(QLatin1String("packetPoolSize")).toVariant().toString();
    for (const QJsonValue &v : o.value(QLatin1String("perConnectionEncryptionSettings")).toArray()) {
        const QJsonObject e = v.toObject();
        s.perConnectionEncryption.append({str(e, "adapterID"), boolean(e, "encrypted")});
    }
    return s;
}

SpeedifyServer SpeedifyParser::parseServer(const QJsonObject &o)
{
    SpeedifyServer s;
    s.tag = str(o, "tag");
    s.country = str(o, "country");
    s.city = str(o, "city");
    s.num = int(i64(o, "num"));
    s.friendlyName = str(o, "friendlyName");
    s.dataCenter = str(o, "dataCenter");
    s.isPremium = boolean(o, "isPremium");
    s.isPrivate = boolean(o, "isPrivate");
    s.torrentAllowed = boolean(o, "torrentAllowed");
    s.publicIp = strings(o.value(QLatin1String("publicIP")));
    s.dnsIp = strings(o.value(QLatin1String("dnsIP")));
    return s;
}

SpeedifyServerList SpeedifyParser::parseServerList(const QJsonObject &o)
{
    SpeedifyServerList list;
    for (const QJsonValue &v : o.value(QLatin1String("public")).toArray())
        list.publicServers.append(parseServer(v.toObject()));
    for (const QJsonValue &v : o.value(QLatin1String("private")).toArray())
        list.privateServers.append(parseServer(v.toObject()));
    return list;
}

bool SpeedifyParser::isAggregateOrProxy(const SpeedifyConnection &c)
{
    return c.adapterId == QLatin1String("speedify") || c.protocol == QLatin1String("proxy") ||
           c.connectionId.endsWith(QLatin1String("%proxy"));
}

SpeedifyConnectionStats SpeedifyParser::parseConnectionStats(const QJsonObject &o)
{
    SpeedifyConnectionStats stats;
    stats.time = i64(o, "time");
    for (const QJsonValue &v : o.value(QLatin1String("connections")).toArray()) {
        const QJsonObject e = v.toObject();
        SpeedifyConnection c;
        c.adapterId = str(e, "adapterID");
        c.connectionId = str(e, "connectionID");
        c.protocol = str(e, "protocol");
        c.localIp = str(e, "localIp");
        c.remoteIp = str(e, "remoteIp");
        c.connected = boolean(e, "connected");
        c.congested = boolean(e, "congested");
        c.downloadCongested = boolean(e, "downloadCongested");
        c.uploadCongested = boolean(e, "uploadCongested");
        c.latencyMs = dbl(e, "latencyMs");
        c.jitterMs = dbl(e, "jitterMs");
        c.lossSend = dbl(e, "lossSend");
        c.lossReceive = dbl(e, "lossReceive");
        c.receiveBps = dbl(e, "receiveBps");
        c.sendBps = dbl(e, "sendBps");
        c.totalBps = dbl(e, "totalBps");
        c.receiveEstimateMbps = dbl(e, "receiveEstimateMbps");
        c.sendEstimateMbps = dbl(e, "sendEstimateMbps");
        if (!isAggregateOrProxy(c))
            stats.connections.append(c);
    }
    return stats;
}

SpeedifySessionStats SpeedifyParser::parseSessionStats(const QJsonObject &o)
{
    SpeedifySessionStats s;
    // Keyed by period; older builds put flat fields at the top.
    const QJsonObject current = o.contains(QLatin1String("current")) ? o.value(QLatin1String("current")).toObject() : o;
    const QJsonObject streaming = current.value(QLatin1String("streaming")).toObject();
    s.totalFailoverSaves = i64(streaming, "totalFailoverSaves");
    s.totalRedundantModeSaves = i64(streaming, "totalRedundantModeSaves");
    s.totalSpeedModeSaves = i64(streaming, "totalSpeedModeSaves");
    s.numFailovers = i64(current, "numFailovers", i64(o, "numFailovers"));
    s.bytesReceived = i64(current, "bytesReceived", i64(o, "bytesReceived"));
    s.bytesSent = i64(current, "bytesSent", i64(o, "bytesSent"));
    return s;
}

SpeedifyVersion SpeedifyParser::parseVersion(const QJsonObject &o)
{
    return SpeedifyVersion {int(i64(o, "maj")), int(i64(o, "min")), int(i64(o, "bug")), int(i64(o, "build"))};
}

QList<SpeedifyTestResult> SpeedifyParser::parseTestResults(const QJsonValue &doc)
{
    QList<SpeedifyTestResult> out;
    const QJsonArray array = doc.isArray() ? doc.toArray() : QJsonArray {doc};
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        SpeedifyTestResult r;
        r.type = str(o, "type");
        r.country = str(o, "country");
        r.city = str(o, "city");
        r.downloadBps = dbl(o, "downloadSpeed");
        r.uploadBps = dbl(o, "uploadSpeed");
        r.latencyMs = dbl(o, "latency");
        r.jitterMs = dbl(o, "jitter");
        r.loss = dbl(o, "loss");
        r.fps = dbl(o, "fps");
        r.resolution = o.value(QLatin1String("resolution")).toVariant().toString();
        r.numConnections = int(i64(o, "numConnections"));
        r.time = i64(o, "time");
        r.isError = boolean(o, "isError");
        r.errorMessage = str(o, "errorMessage");
        out.append(r);
    }
    return out;
}

SpeedifyBypass SpeedifyParser::parseBypass(const QJsonObject &o)
{
    SpeedifyBypass b;
    b.domainWatchlistEnabled = boolean(o, "domainWatchlistEnabled");
    b.domains = strings(o.value(QLatin1String("domains")));
    b.ipv4 = strings(o.value(QLatin1String("ipv4")));
    b.ipv6 = strings(o.value(QLatin1String("ipv6")));
    for (const QJsonValue &v : o.value(QLatin1String("ports")).toArray()) {
        const QJsonObject p = v.toObject();
        const QString proto = p.contains(QLatin1String("protocol")) ? str(p, "protocol") : str(p, "proto");
        b.ports.append({int(i64(p, "port")), int(i64(p, "portRangeEnd")), proto});
    }
    for (const QJsonValue &v : o.value(QLatin1String("services")).toArray()) {
        const QJsonObject s = v.toObject();
        b.services.append({str(s, "title"), boolean(s, "enabled")});
    }
    return b;
}

SpeedifyUser SpeedifyParser::parseUser(const QJsonObject &o)
{
    SpeedifyUser u;
    u.email = str(o, "email");
    u.isAutoAccount = boolean(o, "isAutoAccount");
    u.isTeam = boolean(o, "isTeam");
    u.bytesAvailable = i64(o, "bytesAvailable", -1);
    u.bytesUsed = i64(o, "bytesUsed");
    u.dataPeriodEnd = str(o, "dataPeriodEnd");
    u.paymentType = str(o, "paymentType");
    return u;
}

std::optional<SpeedifyApiError> SpeedifyParser::parseApiError(QByteArrayView stderrText)
{
    const std::optional<QList<QJsonValue>> docs = documents(stderrText);
    if (!docs || docs->isEmpty() || !docs->last().isObject())
        return std::nullopt;
    const QJsonObject o = docs->last().toObject();
    if (!o.contains(QLatin1String("errorCode")) && !o.contains(QLatin1String("errorMessage")))
        return std::nullopt;
    return SpeedifyApiError {int(i64(o, "errorCode")), str(o, "errorType"), str(o, "errorMessage")};
}

std::optional<SpeedifyStatsRecord> SpeedifyParser::parseStatsRecord(const QJsonValue &doc)
{
    const QJsonArray pair = doc.toArray();
    if (pair.size() != 2 || !pair.at(0).isString())
        return std::nullopt;
    SpeedifyStatsRecord r;
    r.typeName = pair.at(0).toString();
    const QJsonValue payload = pair.at(1);
    if (r.typeName == QLatin1String("state")) {
        r.type = SpeedifyStatsRecord::Type::State;
        r.state = parseState(payload).value_or(SpeedifyState::Unknown);
    } else if (r.typeName == QLatin1String("adapters")) {
        r.type = SpeedifyStatsRecord::Type::Adapters;
        r.adapters = parseAdapters(payload);
    } else if (r.typeName == QLatin1String("connection_stats")) {
        r.type = SpeedifyStatsRecord::Type::ConnectionStats;
        r.connectionStats = parseConnectionStats(payload.toObject());
    } else if (r.typeName == QLatin1String("session_stats")) {
        r.type = SpeedifyStatsRecord::Type::SessionStats;
        r.sessionStats = parseSessionStats(payload.toObject());
    } else if (r.typeName == QLatin1String("streaming_stats")) {
        r.type = SpeedifyStatsRecord::Type::StreamingStats;
    }
    return r;
}

// JSON forms published in the state store (camelCase, our names, not Speedify's).

QJsonObject SpeedifyAdapterInfo::toJson() const
{
    return QJsonObject {
        {QStringLiteral("adapterId"), adapterId},
        {QStringLiteral("name"), name},
        {QStringLiteral("state"), state},
        {QStringLiteral("type"), type},
        {QStringLiteral("isp"), isp},
        {QStringLiteral("priority"), priority},
        {QStringLiteral("workingPriority"), workingPriority},
        {QStringLiteral("rateLimitDownBps"), double(rateLimitDownBps)},
        {QStringLiteral("rateLimitUpBps"), double(rateLimitUpBps)},
        {QStringLiteral("usageDailyBytes"), double(dataUsage.usageDaily)},
        {QStringLiteral("usageDailyLimitBytes"), double(dataUsage.usageDailyLimit)},
        {QStringLiteral("usageDailyBoostBytes"), double(dataUsage.usageDailyBoost)},
        {QStringLiteral("usageMonthlyBytes"), double(dataUsage.usageMonthly)},
        {QStringLiteral("usageMonthlyLimitBytes"), double(dataUsage.usageMonthlyLimit)},
        {QStringLiteral("usageMonthlyResetDay"), dataUsage.usageMonthlyResetDay},
        {QStringLiteral("overlimitRateLimitBps"), double(dataUsage.overlimitRatelimit)},
        {QStringLiteral("directionalUpload"), directionalUpload},
        {QStringLiteral("directionalDownload"), directionalDownload},
    };
}

QJsonObject SpeedifySettings::toJson() const
{
    QJsonArray perConnection;
    for (const auto &[id, on] : perConnectionEncryption)
        perConnection.append(QJsonObject {{QStringLiteral("adapterId"), id}, {QStringLiteral("encrypted"), on}});
    return QJsonObject {
        {QStringLiteral("mode"), bondingMode},
        {QStringLiteral("transport"), transportMode},
        {QStringLiteral("encrypted"), encrypted},
        {QStringLiteral("jumboPackets"), jumboPackets},
        {QStringLiteral("packetAggregation"), packetAggregation},
        {QStringLiteral("headerCompression"), headerCompression},
        {QStringLiteral("startupConnect"), startupConnect},
        {QStringLiteral("overflowThresholdMbps"), overflowThreshold},
        {QStringLiteral("priorityOverflowThresholdMbps"), priorityOverflowThreshold},
        {QStringLiteral("maxRedundant"), maxRedundant},
        {QStringLiteral("perConnectionEncryption"), perConnection},
    };
}

QJsonObject SpeedifyServer::toJson() const
{
    return QJsonObject {
        {QStringLiteral("tag"), tag},
        {QStringLiteral("country"), country},
        {QStringLiteral("city"), city},
        {QStringLiteral("num"), num},
        {QStringLiteral("friendlyName"), friendlyName},
        {QStringLiteral("isPrivate"), isPrivate},
        {QStringLiteral("isPremium"), isPremium},
        {QStringLiteral("torrentAllowed"), torrentAllowed},
        {QStringLiteral("publicIp"), QJsonArray::fromStringList(publicIp)},
    };
}

QJsonObject SpeedifyConnection::toJson() const
{
    return QJsonObject {
        {QStringLiteral("connectionId"), connectionId}, {QStringLiteral("protocol"), protocol},
        {QStringLiteral("connected"), connected},       {QStringLiteral("congested"), congested},
        {QStringLiteral("latencyMs"), latencyMs},       {QStringLiteral("jitterMs"), jitterMs},
        {QStringLiteral("lossSend"), lossSend},         {QStringLiteral("lossReceive"), lossReceive},
        {QStringLiteral("receiveBps"), receiveBps},     {QStringLiteral("sendBps"), sendBps},
    };
}

QJsonObject SpeedifySessionStats::toJson() const
{
    return QJsonObject {
        {QStringLiteral("failoverSaves"), double(totalFailoverSaves)},
        {QStringLiteral("redundantModeSaves"), double(totalRedundantModeSaves)},
        {QStringLiteral("speedModeSaves"), double(totalSpeedModeSaves)},
        {QStringLiteral("failovers"), double(numFailovers)},
        {QStringLiteral("bytesReceived"), double(bytesReceived)},
        {QStringLiteral("bytesSent"), double(bytesSent)},
    };
}

QString SpeedifyVersion::toString() const
{
    return QStringLiteral("%1.%2.%3.%4").arg(major).arg(minor).arg(bug).arg(build);
}

QJsonObject SpeedifyTestResult::toJson() const
{
    QJsonObject o {
        {QStringLiteral("type"), type},
        {QStringLiteral("country"), country},
        {QStringLiteral("city"), city},
        {QStringLiteral("downloadBps"), downloadBps},
        {QStringLiteral("uploadBps"), uploadBps},
        {QStringLiteral("latencyMs"), latencyMs},
        {QStringLiteral("numConnections"), numConnections},
        {QStringLiteral("time"), double(time)},
        {QStringLiteral("isError"), isError},
    };
    if (type == QLatin1String("streaming")) {
        o.insert(QStringLiteral("jitterMs"), jitterMs);
        o.insert(QStringLiteral("loss"), loss);
        o.insert(QStringLiteral("fps"), fps);
        o.insert(QStringLiteral("resolution"), resolution);
    }
    if (isError)
        o.insert(QStringLiteral("errorMessage"), errorMessage);
    return o;
}

QJsonObject SpeedifyBypass::toJson() const
{
    QJsonArray portArray;
    for (const SpeedifyPortRule &p : ports) {
        QJsonObject e {{QStringLiteral("port"), p.port}, {QStringLiteral("protocol"), p.protocol}};
        if (p.portRangeEnd)
            e.insert(QStringLiteral("portRangeEnd"), p.portRangeEnd);
        portArray.append(e);
    }
    QJsonArray serviceArray;
    for (const auto &[title, on] : services)
        serviceArray.append(QJsonObject {{QStringLiteral("title"), title}, {QStringLiteral("enabled"), on}});
    return QJsonObject {
        {QStringLiteral("domains"), QJsonArray::fromStringList(domains)},
        {QStringLiteral("ipv4"), QJsonArray::fromStringList(ipv4)},
        {QStringLiteral("ipv6"), QJsonArray::fromStringList(ipv6)},
        {QStringLiteral("ports"), portArray},
        {QStringLiteral("services"), serviceArray},
    };
}

} // namespace smoothwan

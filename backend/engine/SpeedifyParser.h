// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SpeedifyTypes.h"

#include <QtCore/QByteArrayView>
#include <QtCore/QJsonValue>

#include <optional>

namespace smoothwan {

// Contract: pure functions from speedify_cli output to SpeedifyTypes. documents() accepts both
// framings (-s: one JSON document per line; pretty: tab-indented documents separated by blank
// lines) and any text between documents (-t titles); it fails only on a document that is not
// valid JSON or never ends. The parse* functions never fail on missing or unknown keys;
// parseStatsRecord() returns nullopt only for something that is not a [type, payload] pair.
class SpeedifyParser
{
public:
    static std::optional<QList<QJsonValue>> documents(QByteArrayView output, QString *error = nullptr);
    // Streaming use: consumes complete documents from the front of `buffer`, leaves the rest.
    static QList<QJsonValue> takeDocuments(QByteArray &buffer, QString *error = nullptr);

    static std::optional<SpeedifyState> parseState(const QJsonValue &doc);
    static SpeedifyAdapterInfo parseAdapter(const QJsonObject &obj);
    static QList<SpeedifyAdapterInfo> parseAdapters(const QJsonValue &doc);
    static SpeedifySettings parseSettings(const QJsonObject &obj);
    static SpeedifyServer parseServer(const QJsonObject &obj);
    static SpeedifyServerList parseServerList(const QJsonObject &obj);
    static SpeedifyConnectionStats parseConnectionStats(const QJsonObject &obj);
    static SpeedifySessionStats parseSessionStats(const QJsonObject &obj);
    static SpeedifyVersion parseVersion(const QJsonObject &obj);
    static QList<SpeedifyTestResult> parseTestResults(const QJsonValue &doc);
    static SpeedifyBypass parseBypass(const QJsonObject &obj);
    static SpeedifyUser parseUser(const QJsonObject &obj);
    static std::optional<SpeedifyApiError> parseApiError(QByteArrayView stderrText);
    static std::optional<SpeedifyStatsRecord> parseStatsRecord(const QJsonValue &doc);

    // The aggregate row ("speedify") and proxy rows are not connections of a WAN.
    static bool isAggregateOrProxy(const SpeedifyConnection &c);
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <cstdint>
#include <optional>

namespace smoothwan {

// Server-side ring buffers of per-WAN throughput, latency and loss for the charts.
// Contract: sample() takes one row per WAN from a "wans" slice (an array of objects with name,
// rxBps, txBps, latencyMs, lossPct; null or missing numbers are kept as null) at time tSeconds;
// it is meant to be called at 1 Hz. Each WAN keeps the last Capacity samples (10 minutes); a WAN
// absent from Capacity consecutive samples is forgotten. query() returns columns for the samples
// of the last `seconds` seconds: {"t":[...], "rxBps":[...], "txBps":[...], "latencyMs":[...],
// "lossPct":[...]} per WAN.
class HistoryBuffer
{
public:
    static constexpr int Capacity = 600;

    void sample(const QJsonValue &wansSlice, std::int64_t tSeconds);
    bool contains(const QString &wan) const { return m_wans.contains(wan); }
    QJsonObject query(const QString &wan, int seconds) const; // empty wan: all
    std::int64_t lastSample() const { return m_last; }

private:
    struct Sample
    {
        std::int64_t t = 0;
        double values[4] = {};
        bool present[4] = {};
    };
    struct Series
    {
        QList<Sample> ring; // at most Capacity, oldest first at `head`
        int head = 0;
        int missing = 0;
    };
    QJsonObject columns(const Series &s, std::int64_t since) const;

    QHash<QString, Series> m_wans;
    std::int64_t m_last = 0;
};

} // namespace smoothwan

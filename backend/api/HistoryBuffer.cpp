// SPDX-License-Identifier: GPL-3.0-or-later
#include "HistoryBuffer.h"

#include <QtCore/QJsonArray>
#include <QtCore/QSet>

namespace smoothwan {

namespace {
const char *const Fields[4] = {"rxBps", "txBps", "latencyMs", "lossPct"};
}

void HistoryBuffer::sample(const QJsonValue &wansSlice, std::int64_t tSeconds)
{
    m_last = tSeconds;
    QSet<QString> seen;
    for (const QJsonValue &v : wansSlice.toArray()) {
        const QJsonObject o = v.toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        if (name.isEmpty() || seen.contains(name))
            continue;
        seen.insert(name);
        Sample s;
        s.t = tSeconds;
        for (int i = 0; i < 4; ++i) {
            const QJsonValue x = o.value(QLatin1String(Fields[i]));
            s.present[i] = x.isDouble();
            s.values[i] = x.toDouble();
        }
        Series &series = m_wans[name];
        series.missing = 0;
        if (series.ring.size() < Capacity) {
            series.ring.append(s);
        } else {
            series.ring[series.head] = s;
            series.head = (series.head + 1) % Capacity;
        }
    }
    for (auto it = m_wans.begin(); it != m_wans.end();) {
        if (!seen.contains(it.key()) && ++it->missing >= Capacity)
            it = m_wans.erase(it);
        else
            ++it;
    }
}

QJsonObject HistoryBuffer::columns(const Series &s, std::int64_t since) const
{
    QJsonArray t;
    QJsonArray cols[4];
    const int n = int(s.ring.size());
    for (int k = 0; k < n; ++k) {
        const Sample &x = s.ring[(s.head + k) % n];
        if (x.t <= since)
            continue;
        t.append(qint64(x.t));
        for (int i = 0; i < 4; ++i)
            cols[i].append(x.present[i] ? QJsonValue(x.values[i]) : QJsonValue());
    }
    QJsonObject o {{QStringLiteral("t"), t}};
    for (int i = 0; i < 4; ++i)
        o.insert(QLatin1String(Fields[i]), cols[i]);
    return o;
}

QJsonObject HistoryBuffer::query(const QString &wan, int seconds) const
{
    const std::int64_t since = m_last - seconds;
    QJsonObject out;
    for (auto it = m_wans.constBegin(); it != m_wans.constEnd(); ++it)
        if (wan.isEmpty() || it.key() == wan)
            out.insert(it.key(), columns(it.value(), since));
    return out;
}

} // namespace smoothwan

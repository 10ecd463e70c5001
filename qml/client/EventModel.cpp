// SPDX-License-Identifier: GPL-3.0-or-later
#include "EventModel.h"

#include "Backend.h"

#include <QtCore/QJsonArray>

namespace smoothwan::client {

namespace {

int rank(const QString &severity)
{
    if (severity == QLatin1String("error") || severity == QLatin1String("critical"))
        return 2;
    if (severity == QLatin1String("warning"))
        return 1;
    return 0;
}

} // namespace

EventModel::EventModel(QObject *parent)
    : KeyedListModel(QStringLiteral("id"),
                     {QStringLiteral("id"), QStringLiteral("time"), QStringLiteral("area"), QStringLiteral("severity"),
                      QStringLiteral("message"), QStringLiteral("details")},
                     parent)
{
    setBackend(Backend::instance());
}

void EventModel::setBackend(Backend *backend)
{
    if (backend == m_backend)
        return;
    if (m_backend)
        m_backend->disconnect(this);
    m_backend = backend;
    if (m_backend)
        connect(m_backend, &Backend::eventsChanged, this, &EventModel::refresh);
    refresh();
    Q_EMIT backendChanged();
}

void EventModel::setSeverityFilter(const QString &severity)
{
    if (severity == m_severityFilter)
        return;
    m_severityFilter = severity;
    refresh();
    Q_EMIT severityFilterChanged();
}

void EventModel::setTextFilter(const QString &text)
{
    if (text == m_textFilter)
        return;
    m_textFilter = text;
    refresh();
    Q_EMIT textFilterChanged();
}

void EventModel::refresh()
{
    QList<QJsonObject> rows;
    if (m_backend) {
        const QJsonArray events = m_backend->slice(QStringLiteral("events")).toArray();
        const int minimum = m_severityFilter.isEmpty() ? 0 : rank(m_severityFilter);
        for (qsizetype i = events.size() - 1; i >= 0; --i) {
            const QJsonObject e = events.at(i).toObject();
            if (rank(e.value(QStringLiteral("severity")).toString()) < minimum)
                continue;
            if (!m_textFilter.isEmpty() &&
                !e.value(QStringLiteral("message")).toString().contains(m_textFilter, Qt::CaseInsensitive) &&
                !e.value(QStringLiteral("area")).toString().contains(m_textFilter, Qt::CaseInsensitive))
                continue;
            rows.append(e);
        }
    }
    setRows(rows);
}

} // namespace smoothwan::client

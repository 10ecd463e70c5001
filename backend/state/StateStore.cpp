// SPDX-License-Identifier: GPL-3.0-or-later
#include "StateStore.h"

#include "Clock.h"
#include "JsonPatch.h"
#include "Logging.h"

namespace smoothwan {

StateStore::StateStore(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{ }

bool StateStore::setSlice(const QString &name, const QJsonValue &value)
{
    if (value.isUndefined()) {
        if (!m_document.contains(name))
            return false;
        m_document.remove(name);
    } else {
        const auto it = m_document.constFind(name);
        if (it != m_document.constEnd() && it.value() == value)
            return false;
        m_document.insert(name, value);
    }
    publish();
    return true;
}

std::uint64_t StateStore::appendEvent(const QString &area, const QString &severity, const QString &message,
                                      const QJsonObject &details)
{
    const std::uint64_t id = m_nextEventId++;
    // Every event also goes to the journal, with a priority that matches its severity.
    if (severity == QLatin1String("error"))
        qCCritical(lcEvents).noquote() << area + QStringLiteral(": ") + message;
    else if (severity == QLatin1String("warning"))
        qCWarning(lcEvents).noquote() << area + QStringLiteral(": ") + message;
    else
        qCInfo(lcEvents).noquote() << area + QStringLiteral(": ") + message;
    QJsonObject event {
        {QStringLiteral("id"), static_cast<qint64>(id)},
        {QStringLiteral("time"), m_clock.wallClock().toString(Qt::ISODateWithMs)},
        {QStringLiteral("area"), area},
        {QStringLiteral("severity"), severity},
        {QStringLiteral("message"), message},
    };
    if (!details.isEmpty())
        event.insert(QStringLiteral("details"), details);
    QJsonArray events = m_document.value(QStringLiteral("events")).toArray();
    events.append(event);
    while (events.size() > MaxEvents)
        events.removeFirst();
    setSlice(QStringLiteral("events"), events);
    return id;
}

void StateStore::publish()
{
    if (m_batchDepth > 0)
        return;
    const QJsonArray patch = protocol::JsonPatch::diff(m_published, m_document);
    if (patch.isEmpty())
        return;
    m_published = m_document;
    ++m_revision;
    Q_EMIT changed(m_revision, patch);
}

StateStore::Batch::Batch(StateStore &store)
    : m_store(store)
{
    ++m_store.m_batchDepth;
}

StateStore::Batch::~Batch()
{
    if (--m_store.m_batchDepth == 0)
        m_store.publish();
}

} // namespace smoothwan

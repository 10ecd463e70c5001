// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "KeyedListModel.h"

#include <QtQml/qqmlregistration.h>

namespace smoothwan::client {

// The state's `events` slice, newest first, filtered by severity (that one and worse) and by a
// case-insensitive substring of the message or area.
class EventModel : public KeyedListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(smoothwan::client::Backend *backend READ backend WRITE setBackend NOTIFY backendChanged)
    Q_PROPERTY(QString severityFilter READ severityFilter WRITE setSeverityFilter NOTIFY severityFilterChanged)
    Q_PROPERTY(QString textFilter READ textFilter WRITE setTextFilter NOTIFY textFilterChanged)

public:
    explicit EventModel(QObject *parent = nullptr);

    Backend *backend() const { return m_backend; }
    void setBackend(Backend *backend); // default: Backend::instance()
    QString severityFilter() const { return m_severityFilter; }
    void setSeverityFilter(const QString &severity);
    QString textFilter() const { return m_textFilter; }
    void setTextFilter(const QString &text);

Q_SIGNALS:
    void backendChanged();
    void severityFilterChanged();
    void textFilterChanged();

private:
    void refresh();

    QPointer<Backend> m_backend;
    QString m_severityFilter;
    QString m_textFilter;
};

} // namespace smoothwan::client

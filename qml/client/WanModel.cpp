// SPDX-License-Identifier: GPL-3.0-or-later
#include "WanModel.h"

#include "Backend.h"

#include <QtCore/QJsonArray>

namespace smoothwan::client {

WanModel::WanModel(QObject *parent)
    : KeyedListModel(
          QStringLiteral("name"),
          {QStringLiteral("name"), QStringLiteral("interface"), QStringLiteral("type"), QStringLiteral("state"),
           QStringLiteral("reason"), QStringLiteral("enabled"), QStringLiteral("priority"), QStringLiteral("weight"),
           QStringLiteral("metered"), QStringLiteral("addresses"), QStringLiteral("gateway"), QStringLiteral("rxBps"),
           QStringLiteral("txBps"), QStringLiteral("latencyMs"), QStringLiteral("jitterMs"), QStringLiteral("lossPct"),
           QStringLiteral("lastChange"), QStringLiteral("usage"), QStringLiteral("probe")},
          parent)
{
    setBackend(Backend::instance());
}

void WanModel::setBackend(Backend *backend)
{
    if (backend == m_backend)
        return;
    if (m_backend)
        m_backend->disconnect(this);
    m_backend = backend;
    if (m_backend)
        connect(m_backend, &Backend::wansChanged, this, &WanModel::refresh);
    refresh();
    Q_EMIT backendChanged();
}

void WanModel::refresh()
{
    QList<QJsonObject> rows;
    if (m_backend) {
        for (const QJsonValue &v : m_backend->slice(QStringLiteral("wans")).toArray())
            rows.append(v.toObject());
    }
    setRows(rows);
}

} // namespace smoothwan::client

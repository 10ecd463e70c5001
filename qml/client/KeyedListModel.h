// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <QtQml/qqmlregistration.h>

namespace smoothwan::client {

class Backend;

// A list model over JSON objects identified by one key member (a WAN's name, an event's id).
// setRows() changes the rows in place: removed keys are removed, new keys inserted, moved keys
// moved, and changed members reported by dataChanged for their roles only — never a reset.
// The roles are the given member names, in order, from Qt::UserRole + 1.
class KeyedListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    KeyedListModel(QString key, QStringList roles, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(m_rows.size()); }
    // The whole row as a JS object (undefined members are left out).
    Q_INVOKABLE QVariantMap get(int row) const;

Q_SIGNALS:
    void countChanged();

protected:
    void setRows(const QList<QJsonObject> &rows);
    const QList<QJsonObject> &rows() const { return m_rows; }

private:
    QString keyOf(const QJsonObject &row) const;

    QString m_key;
    QStringList m_roles;
    QList<QJsonObject> m_rows;
};

} // namespace smoothwan::client

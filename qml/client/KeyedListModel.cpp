// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeyedListModel.h"

#include <QtCore/QSet>

namespace smoothwan::client {

KeyedListModel::KeyedListModel(QString key, QStringList roles, QObject *parent)
    : QAbstractListModel(parent)
    , m_key(std::move(key))
    , m_roles(std::move(roles))
{ }

int KeyedListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant KeyedListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const int member = role - Qt::UserRole - 1;
    if (member < 0 || member >= m_roles.size())
        return role == Qt::DisplayRole ? m_rows.at(index.row()).value(m_key).toVariant() : QVariant();
    return m_rows.at(index.row()).value(m_roles.at(member)).toVariant();
}

QHash<int, QByteArray> KeyedListModel::roleNames() const
{
    QHash<int, QByteArray> names;
    for (int i = 0; i < m_roles.size(); ++i)
        names.insert(Qt::UserRole + 1 + i, m_roles.at(i).toUtf8());
    return names;
}

QVariantMap KeyedListModel::get(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).toVariantMap();
}

QString KeyedListModel::keyOf(const QJsonObject &row) const
{
    const QJsonValue v = row.value(m_key);
    return v.isString() ? v.toString() : QString::number(v.toDouble(), 'g', 17);
}

void KeyedListModel::setRows(const QList<QJsonObject> &rows)
{
    const int before = count();
    QSet<QString> wanted;
    for (const QJsonObject &row : rows)
        wanted.insert(keyOf(row));
    // 1. Remove rows whose key is gone (or repeated).
    QSet<QString> seen;
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        const QString k = keyOf(m_rows.at(i));
        if (!wanted.contains(k) || seen.contains(k)) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        } else {
            seen.insert(k);
        }
    }
    // 2. Walk the new order: update in place, move, or insert.
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject &row = rows.at(i);
        const QString k = keyOf(row);
        int found = -1;
        for (int j = i; j < m_rows.size(); ++j) {
            if (keyOf(m_rows.at(j)) == k) {
                found = j;
                break;
            }
        }
        if (found < 0) {
            beginInsertRows({}, i, i);
            m_rows.insert(i, row);
            endInsertRows();
            continue;
        }
        if (found != i) {
            beginMoveRows({}, found, found, {}, i);
            m_rows.move(found, i);
            endMoveRows();
        }
        const QJsonObject old = m_rows.at(i);
        if (old == row)
            continue;
        QList<int> changed;
        for (int r = 0; r < m_roles.size(); ++r) {
            if (old.value(m_roles.at(r)) != row.value(m_roles.at(r)))
                changed.append(Qt::UserRole + 1 + r);
        }
        m_rows[i] = row;
        if (!changed.isEmpty())
            Q_EMIT dataChanged(index(i), index(i), changed);
    }
    // Rows past the new length can only be duplicates of keys already placed.
    if (m_rows.size() > rows.size()) {
        beginRemoveRows({}, static_cast<int>(rows.size()), static_cast<int>(m_rows.size()) - 1);
        m_rows.resize(rows.size());
        endRemoveRows();
    }
    if (before != count())
        Q_EMIT countChanged();
}

} // namespace smoothwan::client

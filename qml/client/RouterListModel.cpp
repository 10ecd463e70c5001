// SPDX-License-Identifier: GPL-3.0-or-later
#include "RouterListModel.h"

#include "ClientLogging.h"
#include "PinStore.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QSaveFile>
#include <QtCore/QStandardPaths>
#include <QtCore/QUrl>

namespace smoothwan::client {

RouterListModel::RouterListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    reload();
}

QString RouterListModel::path()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/smoothwan/routers.json");
}

void RouterListModel::reload()
{
    const int before = count();
    beginResetModel();
    m_routers.clear();
    QFile f(path());
    if (f.open(QIODevice::ReadOnly)) {
        const QJsonArray list = QJsonDocument::fromJson(f.readAll()).array();
        const auto pins = protocol::PinStore::load();
        for (const QJsonValue &v : list) {
            const QJsonObject o = v.toObject();
            Router r {o.value(QStringLiteral("name")).toString(),
                      o.value(QStringLiteral("url")).toString(),
                      o.value(QStringLiteral("user")).toString(),
                      {}};
            if (r.url.isEmpty())
                continue;
            r.fingerprint = pins.value(protocol::PinStore::key(QUrl(r.url)));
            m_routers.append(r);
        }
    }
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
}

void RouterListModel::save() const
{
    QJsonArray list;
    for (const Router &r : m_routers)
        list.append(QJsonObject {{QStringLiteral("name"), r.name},
                                 {QStringLiteral("url"), r.url},
                                 {QStringLiteral("user"), r.user}});
    const QString file = path();
    QDir().mkpath(QFileInfo(file).absolutePath());
    QSaveFile s(file);
    if (!s.open(QIODevice::WriteOnly) || s.write(QJsonDocument(list).toJson()) < 0 || !s.commit())
        qCWarning(lcClient) << "cannot save the router list to" << file << s.errorString();
}

int RouterListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant RouterListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_routers.size())
        return {};
    const Router &r = m_routers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return r.name;
    case UrlRole:
        return r.url;
    case UserRole:
        return r.user;
    case FingerprintRole:
        return r.fingerprint;
    default:
        return {};
    }
}

QHash<int, QByteArray> RouterListModel::roleNames() const
{
    return {{NameRole, "name"}, {UrlRole, "url"}, {UserRole, "user"}, {FingerprintRole, "fingerprint"}};
}

QString RouterListModel::normalizeUrl(const QString &text)
{
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    QString scheme;
    static const QRegularExpression withScheme(QStringLiteral("^(wss?)://(.*)$"),
                                               QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression otherScheme(QStringLiteral("^[a-z]+://"),
                                                QRegularExpression::CaseInsensitiveOption);
    if (const auto m = withScheme.match(t); m.hasMatch()) {
        scheme = m.captured(1).toLower();
        t = m.captured(2);
    } else if (otherScheme.match(t).hasMatch()) {
        return {};
    }
    while (t.endsWith(QLatin1Char('/')))
        t.chop(1);
    static const QRegularExpression hostPort(QStringLiteral("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:([0-9]{1,5}))?$"));
    const auto hp = hostPort.match(t);
    if (!hp.hasMatch())
        return {};
    const QString host = hp.captured(1) == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : hp.captured(1);
    const int port = hp.captured(3).isEmpty() ? 8443 : hp.captured(3).toInt();
    if (port < 1 || port > 65535)
        return {};
    const bool loopback = host == QLatin1String("127.0.0.1") || host == QLatin1String("[::1]");
    if (scheme.isEmpty())
        scheme = loopback ? QStringLiteral("ws") : QStringLiteral("wss");
    return QStringLiteral("%1://%2:%3").arg(scheme, host).arg(port);
}

int RouterListModel::add(const QString &name, const QString &url)
{
    const QString label = name.trimmed().isEmpty() ? QUrl(url).host() : name.trimmed();
    for (int i = 0; i < m_routers.size(); ++i) {
        if (m_routers.at(i).url == url) {
            m_routers[i].name = label;
            Q_EMIT dataChanged(index(i), index(i), {NameRole});
            save();
            return i;
        }
    }
    const int row = count();
    beginInsertRows({}, row, row);
    m_routers.append({label, url, {}, protocol::PinStore::pinned(QUrl(url))});
    endInsertRows();
    Q_EMIT countChanged();
    save();
    return row;
}

void RouterListModel::remove(int row)
{
    if (row < 0 || row >= m_routers.size())
        return;
    beginRemoveRows({}, row, row);
    m_routers.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
    save();
}

void RouterListModel::setLastUser(int row, const QString &user)
{
    if (row < 0 || row >= m_routers.size() || m_routers.at(row).user == user)
        return;
    m_routers[row].user = user;
    Q_EMIT dataChanged(index(row), index(row), {UserRole});
    save();
}

QVariantMap RouterListModel::get(int row) const
{
    if (row < 0 || row >= m_routers.size())
        return {};
    const Router &r = m_routers.at(row);
    return {{QStringLiteral("name"), r.name},
            {QStringLiteral("url"), r.url},
            {QStringLiteral("user"), r.user},
            {QStringLiteral("fingerprint"), r.fingerprint}};
}

void RouterListModel::reloadPins()
{
    const auto pins = protocol::PinStore::load();
    for (int i = 0; i < m_routers.size(); ++i) {
        const QString fp = pins.value(protocol::PinStore::key(QUrl(m_routers.at(i).url)));
        if (fp != m_routers.at(i).fingerprint) {
            m_routers[i].fingerprint = fp;
            Q_EMIT dataChanged(index(i), index(i), {FingerprintRole});
        }
    }
}

} // namespace smoothwan::client

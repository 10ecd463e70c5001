// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QList>
#include <QtQml/qqmlregistration.h>

namespace smoothwan::client {

// The desktop client's saved routers, persisted in ~/.config/smoothwan/routers.json as
// [{"name", "url", "user"}]. The fingerprint role is the pin of the router's address in the
// pins file shared with smoothwanctl ("" when not pinned yet).
class RouterListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use AppSettings.routers")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role { NameRole = Qt::UserRole + 1, UrlRole, UserRole, FingerprintRole };

    explicit RouterListModel(QObject *parent = nullptr);

    static QString path();
    // A router address as users type it ("192.168.1.1", "router.lan:9000", "wss://…") as the URL
    // the client connects to: wss:// and port 8443 unless given (ws:// for loopback); "" when
    // it is not an address.
    Q_INVOKABLE static QString normalizeUrl(const QString &text);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const { return static_cast<int>(m_routers.size()); }

    // Adds a router (or renames the one with the same URL); returns its row.
    Q_INVOKABLE int add(const QString &name, const QString &url);
    Q_INVOKABLE void remove(int row);
    Q_INVOKABLE void setLastUser(int row, const QString &user);
    Q_INVOKABLE QVariantMap get(int row) const;
    // Re-reads the pins file (after a pin was stored).
    Q_INVOKABLE void reloadPins();
    Q_INVOKABLE void reload();

Q_SIGNALS:
    void countChanged();

private:
    struct Router
    {
        QString name;
        QString url;
        QString user;
        QString fingerprint;
    };
    void save() const;

    QList<Router> m_routers;
};

} // namespace smoothwan::client

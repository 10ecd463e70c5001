// SPDX-License-Identifier: GPL-3.0-or-later
#include "PinStore.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QSaveFile>
#include <QtCore/QStandardPaths>

namespace smoothwan::protocol::PinStore {

QString path()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/smoothwan/pins");
}

QString key(const QUrl &url)
{
    return QStringLiteral("%1:%2").arg(url.host()).arg(url.port(8443));
}

QHash<QString, QString> load()
{
    QHash<QString, QString> pins;
    QFile f(path());
    if (!f.open(QIODevice::ReadOnly))
        return pins;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> parts = line.trimmed().split(' ');
        if (parts.size() == 2)
            pins.insert(QString::fromLatin1(parts[0]), QString::fromLatin1(parts[1]));
    }
    return pins;
}

QString pinned(const QUrl &url)
{
    return load().value(key(url));
}

bool store(const QUrl &url, const QString &fingerprint)
{
    QHash<QString, QString> pins = load();
    pins.insert(key(url), fingerprint);
    const QString file = path();
    QDir().mkpath(QFileInfo(file).absolutePath());
    QSaveFile s(file);
    if (!s.open(QIODevice::WriteOnly))
        return false;
    for (auto it = pins.constBegin(); it != pins.constEnd(); ++it)
        s.write((it.key() + QLatin1Char(' ') + it.value() + QLatin1Char('\n')).toLatin1());
    return s.commit();
}

} // namespace smoothwan::protocol::PinStore

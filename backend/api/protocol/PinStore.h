// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QHash>
#include <QtCore/QString>
#include <QtCore/QUrl>

namespace smoothwan::protocol {

// The pinned TLS certificates of routers, for every client (the UI, smoothwanctl): the file
// ~/.config/smoothwan/pins holds one line per router, "host:port FINGERPRINT", where the
// fingerprint is the SHA-256 of the certificate as upper-case hex pairs joined by ':'.
namespace PinStore {

QString path();
// "host:port" (port 8443 when the URL has none): the key of a router in the pins file.
QString key(const QUrl &url);
QHash<QString, QString> load();
QString pinned(const QUrl &url);
// Stores (or replaces) the pin of `url`; atomic rewrite of the file. False when it cannot be written.
bool store(const QUrl &url, const QString &fingerprint);

} // namespace PinStore
} // namespace smoothwan::protocol

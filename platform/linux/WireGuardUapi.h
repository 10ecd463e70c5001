// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <optional>

namespace smoothwan {

// Contract: configures a userspace WireGuard (wireguard-go) through its control socket,
// <socketDir>/<interface>.sock, with the cross-platform UAPI ("set=1" / "get=1", key=value
// lines, an empty line, then "errno=N"): https://www.wireguard.com/xplatform/. No `wg`, no shell.
// Every value is checked before it is sent (keys 32 bytes, endpoints ADDR:PORT, allowed IPs
// ADDR/PREFIX, names per isValidInterfaceName), so nothing can inject a line into the request.
// Calls block for at most timeoutMs (a local socket; meant for set-up paths, not event loops
// under load).
class WireGuardUapi
{
public:
    static constexpr const char *DefaultSocketDir = "/var/run/wireguard";

    struct Peer
    {
        QByteArray publicKey;        // 32 raw bytes
        QByteArray presharedKey;     // empty or 32 raw bytes
        QString endpoint;            // "" or "1.2.3.4:51820" / "[2001:db8::1]:51820"
        QStringList allowedIps;      // "10.0.0.0/24", ...
        int persistentKeepalive = 0; // seconds, 0 = off
        // Read by get() only.
        qint64 lastHandshakeSec = 0;
        quint64 rxBytes = 0;
        quint64 txBytes = 0;
    };

    struct Config
    {
        QByteArray privateKey; // 32 raw bytes; empty = leave unchanged
        int listenPort = -1;   // -1 = leave unchanged
        bool replacePeers = true;
        QList<Peer> peers;
    };

    struct Device
    {
        QByteArray privateKey;
        QByteArray publicKey; // derived by the caller when needed; get does not return it
        int listenPort = 0;
        QList<Peer> peers;
    };

    explicit WireGuardUapi(QString interfaceName, QString socketDir = QString::fromLatin1(DefaultSocketDir),
                           int timeoutMs = 3000);

    QString socketPath() const;
    bool exists() const; // the socket is there (the daemon is running)

    bool set(const Config &config, QString *error);
    std::optional<Device> get(QString *error);

    // The pure parts, for tests.
    static std::optional<QByteArray> setRequest(const Config &config, QString *error);
    static std::optional<Device> parseGet(const QByteArray &reply, QString *error);
    static bool isValidEndpoint(const QString &endpoint);
    static bool isValidAllowedIp(const QString &cidr);

private:
    std::optional<QByteArray> transact(const QByteArray &request, QString *error);

    QString m_interface;
    QString m_socketDir;
    int m_timeoutMs;
};

} // namespace smoothwan

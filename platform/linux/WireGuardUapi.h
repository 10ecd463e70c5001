// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "WireGuardControl.h"

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
// under load). bringUp() sets the interface's address, MTU and state over rtnetlink, never `ip`.
class WireGuardUapi : public WireGuardControl
{
public:
    static constexpr const char *DefaultSocketDir = "/var/run/wireguard";

    explicit WireGuardUapi(QString interfaceName, QString socketDir = QString::fromLatin1(DefaultSocketDir),
                           int timeoutMs = 3000);

    QString socketPath() const;
    bool exists() const override; // the socket is there (the daemon is running)

    bool set(const Config &config, QString *error) override;
    std::optional<Device> get(QString *error) override;
    // Through rtnetlink (libnl-route): the address replaced, the MTU set and the link up.
    bool bringUp(const QString &addressCidr, int mtu, QString *error) override;

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

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PairingCode.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace smoothwan::server {

// Everything smoothwan-server keeps in its state directory (server.json, mode 0600, directory
// 0700): the public address, ports, tunnel addresses, both WireGuard key pairs (as private keys),
// the relay's key and the ss-server password. `init` makes it, `run` and `pairing-code` read it.
struct ServerState
{
    static constexpr int FormatVersion = 1;

    QString publicAddress;
    QString interfaceName = QStringLiteral("swserver0");
    quint16 wireguardPort = 51820; // WireGuard itself: reached only through the relay, on loopback
    quint16 relayPort = 51821;
    quint16 shadowsocksPort = 8388;
    quint16 sshPort = 22;
    QString serverTunnelAddress = QStringLiteral("10.201.0.1");
    QString clientTunnelAddress = QStringLiteral("10.201.0.2");
    int tunnelPrefix = 24;
    int mtu = 1368; // 1420 - the relay's 52 bytes
    QByteArray serverPrivateKey;
    QByteArray clientPrivateKey;
    QByteArray relayKey;
    QByteArray shadowsocksPassword;

    // Fresh keys and secrets (rotation = a new state, and a new pairing code).
    void generateSecrets();
    PairingCode pairingCode() const;
    // The first invalid setting, or empty.
    QString validate() const;
    // The tunnel's network in CIDR form, e.g. 10.201.0.0/24.
    QString tunnelNetwork() const;

    static QString filePath(const QString &stateDir);
    // Creates the directory (0700) when needed and writes server.json atomically (0600).
    bool save(const QString &stateDir, QString *error) const;
    static std::optional<ServerState> load(const QString &stateDir, QString *error);
};

} // namespace smoothwan::server

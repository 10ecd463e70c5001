// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <optional>

namespace smoothwan {

// Contract: configures one WireGuard device (its keys, listen port and peers) and reads it back,
// without a shell. The Linux implementations: WireGuardUapi (wireguard-go's control socket);
// the kernel module's generic netlink family would be another. Keys are raw 32-byte values.
class WireGuardControl
{
public:
    struct Peer
    {
        QByteArray publicKey;        // 32 raw bytes
        QByteArray presharedKey;     // empty or 32 raw bytes
        QString endpoint;            // "" or "1.2.3.4:51820" / "[2001:db8::1]:51820"
        QStringList allowedIps;      // "10.0.0.0/24", ...
        int persistentKeepalive = 0; // seconds, 0 = off
        // Read by get() only.
        qint64 lastHandshakeSec = 0; // Unix time of the last handshake; 0 = none yet
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

    virtual ~WireGuardControl() = default;

    virtual bool exists() const = 0; // the device can be configured now
    virtual bool set(const Config &config, QString *error) = 0;
    virtual std::optional<Device> get(QString *error) = 0;
    // The device's tunnel address (an IPv4 "a.b.c.d/len", replacing what it had), its MTU, and
    // link up: what makes it usable for routing.
    virtual bool bringUp(const QString &addressCidr, int mtu, QString *error) = 0;
};

} // namespace smoothwan

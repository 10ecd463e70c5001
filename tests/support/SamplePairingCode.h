// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PairingCode.h"

namespace smoothwan::test {

// A valid pairing code (what `smoothwan-server init` prints) made from fixed bytes: server
// 198.51.100.7, relay port 51821, ss port 8388, tunnel 10.201.0.2 -> 10.201.0.1/24.
inline PairingCode samplePairingCode()
{
    PairingCode c;
    c.serverAddress = QStringLiteral("198.51.100.7");
    c.relayPort = 51821;
    c.shadowsocksPort = 8388;
    c.serverPublicKey = QByteArray(32, '\x11');
    c.clientPrivateKey = QByteArray(32, '\x22');
    c.relayKey = QByteArray(32, '\x33');
    c.clientTunnelAddress = QStringLiteral("10.201.0.2");
    c.serverTunnelAddress = QStringLiteral("10.201.0.1");
    c.tunnelPrefix = 24;
    c.shadowsocksPassword = QByteArray(16, '\x44');
    return c;
}

} // namespace smoothwan::test

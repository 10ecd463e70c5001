// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace smoothwan {

// Contract: the one-line pairing code smoothwan-server prints and the router imports (issue 8).
//
//   swpair1:<base64url, no padding, of the blob>
//
// The blob (all integers big-endian) is: version (1), address family (4 or 6), the server's
// public address (4 or 16 bytes), relay UDP port, ss-server TCP port, the server's WireGuard
// public key (32), the client's WireGuard private key (32), the relay's pre-shared key (32),
// the client's and the server's tunnel addresses (IPv4, 4 + 4), the tunnel prefix length (1),
// the ss-server password (16 random bytes) and a checksum: the first 4 bytes of BLAKE2b-256 over
// everything before it. The blob is 135 bytes (IPv4) or 147 (IPv6): multiples of 3, so the
// base64url text has no padding and no spare bits, and every character counts. The alphabet
// (A-Z a-z 0-9 - _) plus the prefix's ':' holds no shell metacharacter and no whitespace.
//
// The server makes both WireGuard key pairs: the router needs nothing but the code. parse()
// accepts surrounding whitespace (a pasted line) and refuses anything else with an error naming
// what is wrong; it never partially accepts a code.
struct PairingCode
{
    static constexpr int Version = 1;
    static constexpr int KeyBytes = 32;
    static constexpr int PasswordBytes = 16;
    static constexpr int ChecksumBytes = 4;
    static constexpr int MaxTextLength = 512; // longer input is refused before decoding

    QString serverAddress; // the VPS's public IPv4 or IPv6 address, textual
    quint16 relayPort = 0;
    quint16 shadowsocksPort = 0;
    QByteArray serverPublicKey;  // 32 raw bytes
    QByteArray clientPrivateKey; // 32 raw bytes
    QByteArray relayKey;         // 32 raw bytes
    QString clientTunnelAddress; // IPv4 inside the tunnel, e.g. 10.201.0.2
    QString serverTunnelAddress; // e.g. 10.201.0.1
    int tunnelPrefix = 24;
    QByteArray shadowsocksPassword; // 16 raw bytes

    enum class Error {
        None,
        Empty,
        TooLong,
        BadPrefix,
        WrongVersion,
        BadCharacter,
        BadLength,
        BadEncoding,
        ChecksumMismatch,
        BadField
    };

    struct ParseResult; // below: it holds a PairingCode

    // Empty when a field is invalid (*error says which).
    QString encode(QString *error = nullptr) const;
    static ParseResult parse(const QString &text);
    // The first invalid field, or empty when all are valid.
    QString validate() const;

    // Forms the other programs want.
    QString shadowsocksPasswordText() const { return QString::fromLatin1(shadowsocksPassword.toHex()); }
    QString relayKeyHex() const { return QString::fromLatin1(relayKey.toHex()); }

    bool operator==(const PairingCode &) const = default;
};

struct PairingCode::ParseResult
{
    std::optional<PairingCode> code;
    Error error = Error::None;
    QString message; // for users: what is wrong and what to do
};

// WireGuard keys (Curve25519, as `wg genkey` / `wg pubkey` make them), through libsodium.
namespace wireguard {

struct KeyPair
{
    QByteArray privateKey; // 32 raw bytes, clamped
    QByteArray publicKey;  // 32 raw bytes
};

KeyPair generateKeyPair();
// Empty when privateKey is not 32 bytes.
QByteArray publicKeyOf(const QByteArray &privateKey);
// Standard base64 with padding (44 characters), the form `wg` prints; and back (empty when invalid).
QString toBase64(const QByteArray &key);
QByteArray fromBase64(const QString &text);
// 32 random bytes from the system's CSPRNG.
QByteArray randomBytes(int count);

} // namespace wireguard

} // namespace smoothwan

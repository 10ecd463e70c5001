// SPDX-License-Identifier: GPL-3.0-or-later
#include "PairingCode.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <array>
#include <cstring>

namespace smoothwan {

namespace {

const QLatin1String Prefix("swpair");
constexpr int Ipv4BlobBytes = 135;
constexpr int Ipv6BlobBytes = 147;

const char *const Retype = "the code was mistyped or truncated: copy it again from `smoothwan-server pairing-code`";

bool sodiumReady()
{
    static const bool ready = ::sodium_init() >= 0;
    return ready;
}

QByteArray checksum(const QByteArray &data)
{
    std::array<unsigned char, 32> hash {};
    sodiumReady();
    ::crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char *>(data.constData()),
                         std::size_t(data.size()), nullptr, 0);
    return QByteArray(reinterpret_cast<const char *>(hash.data()), PairingCode::ChecksumBytes);
}

// Binary form of a textual address of the given family (4 or 6); empty when invalid.
QByteArray addressBytes(const QString &text, int family)
{
    const QByteArray latin = text.toLatin1();
    if (text.isEmpty() || text.size() > 45 || latin.contains('\0') || QString::fromLatin1(latin) != text)
        return {};
    std::array<unsigned char, 16> buffer {};
    if (::inet_pton(family == 6 ? AF_INET6 : AF_INET, latin.constData(), buffer.data()) != 1)
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), family == 6 ? 16 : 4);
}

QString addressText(const QByteArray &bytes)
{
    char buffer[INET6_ADDRSTRLEN] = {};
    const int family = bytes.size() == 16 ? AF_INET6 : AF_INET;
    if (!::inet_ntop(family, bytes.constData(), buffer, sizeof buffer))
        return {};
    return QString::fromLatin1(buffer);
}

int familyOf(const QString &text)
{
    if (!addressBytes(text, 4).isEmpty())
        return 4;
    if (!addressBytes(text, 6).isEmpty())
        return 6;
    return 0;
}

// A public address a router can reach: not unspecified, multicast, broadcast or loopback.
QString checkServerAddress(const QString &text)
{
    const int family = familyOf(text);
    if (family == 0)
        return QStringLiteral("the server address \"%1\" is not an IPv4 or IPv6 address").arg(text.left(64));
    const QByteArray b = addressBytes(text, family);
    const auto *u = reinterpret_cast<const unsigned char *>(b.constData());
    bool bad = false;
    if (family == 4) {
        bad = u[0] == 0 || u[0] == 127 || u[0] >= 224;
    } else {
        static const QByteArray zero(16, '\0');
        QByteArray loopback(16, '\0');
        loopback[15] = 1;
        bad = b == zero || b == loopback || u[0] == 0xff;
    }
    if (bad)
        return QStringLiteral("the server address %1 cannot be reached from the internet (unspecified, loopback, "
                              "multicast or broadcast)")
            .arg(text);
    return {};
}

void putU16(QByteArray &out, quint16 v)
{
    out.append(char(v >> 8));
    out.append(char(v & 0xff));
}

quint16 getU16(const QByteArray &in, int at)
{
    return quint16((quint8(in[at]) << 8) | quint8(in[at + 1]));
}

bool allZero(const QByteArray &b)
{
    for (char c : b) {
        if (c != 0)
            return false;
    }
    return true;
}

PairingCode::ParseResult failure(PairingCode::Error error, const QString &message)
{
    PairingCode::ParseResult r;
    r.error = error;
    r.message = QStringLiteral("invalid pairing code: ") + message;
    return r;
}

} // namespace

QString PairingCode::validate() const
{
    if (const QString e = checkServerAddress(serverAddress); !e.isEmpty())
        return e;
    if (relayPort == 0)
        return QStringLiteral("the relay port is 0");
    if (shadowsocksPort == 0)
        return QStringLiteral("the ss-server port is 0");
    const struct
    {
        const QByteArray &key;
        const char *name;
    } keys[] = {{serverPublicKey, "the server's WireGuard public key"},
                {clientPrivateKey, "the client's WireGuard private key"},
                {relayKey, "the relay key"}};
    for (const auto &k : keys) {
        if (k.key.size() != KeyBytes)
            return QStringLiteral("%1 is not %2 bytes").arg(QLatin1String(k.name)).arg(KeyBytes);
        if (allZero(k.key))
            return QStringLiteral("%1 is all zeros").arg(QLatin1String(k.name));
    }
    if (shadowsocksPassword.size() != PasswordBytes || allZero(shadowsocksPassword))
        return QStringLiteral("the ss-server password is not %1 random bytes").arg(PasswordBytes);
    if (tunnelPrefix < 8 || tunnelPrefix > 30)
        return QStringLiteral("the tunnel prefix length %1 is not between 8 and 30").arg(tunnelPrefix);
    const QByteArray client = addressBytes(clientTunnelAddress, 4), server = addressBytes(serverTunnelAddress, 4);
    if (client.isEmpty())
        return QStringLiteral("the client's tunnel address \"%1\" is not an IPv4 address")
            .arg(clientTunnelAddress.left(64));
    if (server.isEmpty())
        return QStringLiteral("the server's tunnel address \"%1\" is not an IPv4 address")
            .arg(serverTunnelAddress.left(64));
    const auto toU32 = [](const QByteArray &b) {
        return (quint32(quint8(b[0])) << 24) | (quint32(quint8(b[1])) << 16) | (quint32(quint8(b[2])) << 8) |
               quint32(quint8(b[3]));
    };
    const quint32 mask = ~quint32(0) << (32 - tunnelPrefix);
    const quint32 c = toU32(client), s = toU32(server);
    if (c == s)
        return QStringLiteral("the client's and the server's tunnel addresses are the same");
    if ((c & mask) != (s & mask))
        return QStringLiteral("the tunnel addresses %1 and %2 are not in one /%3")
            .arg(clientTunnelAddress, serverTunnelAddress)
            .arg(tunnelPrefix);
    for (quint32 a : {c, s}) {
        if ((a & ~mask) == 0 || (a & ~mask) == ~mask)
            return QStringLiteral("a tunnel address is the network or broadcast address of its /%1").arg(tunnelPrefix);
    }
    return {};
}

QString PairingCode::encode(QString *error) const
{
    if (const QString e = validate(); !e.isEmpty()) {
        if (error)
            *error = e;
        return {};
    }
    const int family = familyOf(serverAddress);
    QByteArray blob;
    blob.append(char(Version));
    blob.append(char(family));
    blob.append(addressBytes(serverAddress, family));
    putU16(blob, relayPort);
    putU16(blob, shadowsocksPort);
    blob.append(serverPublicKey);
    blob.append(clientPrivateKey);
    blob.append(relayKey);
    blob.append(addressBytes(clientTunnelAddress, 4));
    blob.append(addressBytes(serverTunnelAddress, 4));
    blob.append(char(tunnelPrefix));
    blob.append(shadowsocksPassword);
    blob.append(checksum(blob));
    Q_ASSERT(blob.size() == (family == 4 ? Ipv4BlobBytes : Ipv6BlobBytes));
    return Prefix + QString::number(Version) + QLatin1Char(':') +
           QString::fromLatin1(blob.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

PairingCode::ParseResult PairingCode::parse(const QString &input)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return failure(Error::Empty, QStringLiteral("it is empty"));
    if (text.size() > MaxTextLength)
        return failure(Error::TooLong, QStringLiteral("it is %1 characters long, far more than a pairing code (%2)")
                                           .arg(text.size())
                                           .arg(QLatin1String(Retype)));
    // swpair<version>:
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (!text.startsWith(Prefix) || colon < 0)
        return failure(Error::BadPrefix, QStringLiteral("it does not start with \"swpair1:\" (is this a pairing code "
                                                        "from smoothwan-server?)"));
    const QString versionText = text.mid(Prefix.size(), colon - Prefix.size());
    bool numeric = !versionText.isEmpty() && versionText.size() <= 3;
    for (QChar ch : versionText)
        numeric = numeric && ch >= QLatin1Char('0') && ch <= QLatin1Char('9');
    if (!numeric)
        return failure(Error::BadPrefix, QStringLiteral("it does not start with \"swpair1:\""));
    if (versionText.toInt() != Version)
        return failure(Error::WrongVersion,
                       QStringLiteral("it is a version %1 code; this SmoothWAN reads version %2 (update the %3)")
                           .arg(versionText)
                           .arg(Version)
                           .arg(versionText.toInt() > Version ? QStringLiteral("router") : QStringLiteral("server")));
    const QString body = text.mid(colon + 1);
    for (qsizetype i = 0; i < body.size(); ++i) {
        const QChar ch = body.at(i);
        const bool ok =
            (ch >= QLatin1Char('A') && ch <= QLatin1Char('Z')) || (ch >= QLatin1Char('a') && ch <= QLatin1Char('z')) ||
            (ch >= QLatin1Char('0') && ch <= QLatin1Char('9')) || ch == QLatin1Char('-') || ch == QLatin1Char('_');
        if (!ok)
            return failure(Error::BadCharacter, QStringLiteral("character %1 is not allowed in a pairing code; %2")
                                                    .arg(colon + 2 + i)
                                                    .arg(QLatin1String(Retype)));
    }
    const qsizetype v4Chars = Ipv4BlobBytes / 3 * 4, v6Chars = Ipv6BlobBytes / 3 * 4;
    if (body.size() != v4Chars && body.size() != v6Chars)
        return failure(Error::BadLength,
                       QStringLiteral("it has %1 characters after \"swpair1:\" instead of %2 or %3; %4")
                           .arg(body.size())
                           .arg(v4Chars)
                           .arg(v6Chars)
                           .arg(QLatin1String(Retype)));
    const auto decoded = QByteArray::fromBase64Encoding(body.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                             QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return failure(Error::BadEncoding, QStringLiteral("it is not valid base64url; %1").arg(QLatin1String(Retype)));
    const QByteArray blob = decoded.decoded;
    if (blob.size() != Ipv4BlobBytes && blob.size() != Ipv6BlobBytes)
        return failure(Error::BadLength, QLatin1String(Retype));
    const QByteArray payload = blob.left(blob.size() - ChecksumBytes);
    if (checksum(payload) != blob.right(ChecksumBytes))
        return failure(Error::ChecksumMismatch,
                       QStringLiteral("its checksum does not match; %1").arg(QLatin1String(Retype)));
    if (quint8(blob[0]) != Version)
        return failure(Error::WrongVersion,
                       QStringLiteral("it carries format version %1 inside; this SmoothWAN reads %2")
                           .arg(quint8(blob[0]))
                           .arg(Version));
    const int family = quint8(blob[1]);
    if ((family != 4 || blob.size() != Ipv4BlobBytes) && (family != 6 || blob.size() != Ipv6BlobBytes))
        return failure(Error::BadField,
                       QStringLiteral("its address family (%1) does not match its length").arg(family));
    PairingCode code;
    int at = 2;
    const int addressLength = family == 4 ? 4 : 16;
    code.serverAddress = addressText(blob.mid(at, addressLength));
    at += addressLength;
    code.relayPort = getU16(blob, at);
    at += 2;
    code.shadowsocksPort = getU16(blob, at);
    at += 2;
    code.serverPublicKey = blob.mid(at, KeyBytes);
    at += KeyBytes;
    code.clientPrivateKey = blob.mid(at, KeyBytes);
    at += KeyBytes;
    code.relayKey = blob.mid(at, KeyBytes);
    at += KeyBytes;
    code.clientTunnelAddress = addressText(blob.mid(at, 4));
    at += 4;
    code.serverTunnelAddress = addressText(blob.mid(at, 4));
    at += 4;
    code.tunnelPrefix = quint8(blob[at]);
    at += 1;
    code.shadowsocksPassword = blob.mid(at, PasswordBytes);
    at += PasswordBytes;
    Q_ASSERT(at + ChecksumBytes == blob.size());
    if (const QString e = code.validate(); !e.isEmpty())
        return failure(Error::BadField, e);
    ParseResult r;
    r.code = std::move(code);
    return r;
}

namespace wireguard {

QByteArray randomBytes(int count)
{
    sodiumReady();
    QByteArray out(count, Qt::Uninitialized);
    ::randombytes_buf(out.data(), std::size_t(count));
    return out;
}

QByteArray publicKeyOf(const QByteArray &privateKey)
{
    if (privateKey.size() != crypto_scalarmult_SCALARBYTES)
        return {};
    sodiumReady();
    QByteArray pub(crypto_scalarmult_BYTES, Qt::Uninitialized);
    if (::crypto_scalarmult_base(reinterpret_cast<unsigned char *>(pub.data()),
                                 reinterpret_cast<const unsigned char *>(privateKey.constData())) != 0)
        return {};
    return pub;
}

KeyPair generateKeyPair()
{
    KeyPair pair;
    pair.privateKey = randomBytes(32);
    // Clamped as `wg genkey` does (Curve25519 scalar).
    pair.privateKey[0] = char(quint8(pair.privateKey[0]) & 248);
    pair.privateKey[31] = char((quint8(pair.privateKey[31]) & 127) | 64);
    pair.publicKey = publicKeyOf(pair.privateKey);
    return pair;
}

QString toBase64(const QByteArray &key)
{
    return QString::fromLatin1(key.toBase64());
}

QByteArray fromBase64(const QString &text)
{
    if (text.size() != 44)
        return {};
    const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32 || toBase64(decoded.decoded) != text)
        return {};
    return decoded.decoded;
}

} // namespace wireguard

} // namespace smoothwan

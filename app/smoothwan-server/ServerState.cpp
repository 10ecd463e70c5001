// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerState.h"

#include "AtomicFile.h"
#include "InterfaceName.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <arpa/inet.h>
#include <sys/stat.h>

namespace smoothwan::server {

namespace {

QByteArray fromHex(const QJsonValue &v, int bytes)
{
    const QByteArray text = v.toString().toLatin1();
    const QByteArray raw = QByteArray::fromHex(text);
    return raw.size() == bytes && raw.toHex() == text.toLower() ? raw : QByteArray();
}

bool port(const QJsonObject &o, const char *key, quint16 *out, QString *error)
{
    if (!o.contains(QLatin1String(key)))
        return true;
    const int p = o.value(QLatin1String(key)).toInt(-1);
    if (p < 1 || p > 65535) {
        *error = QStringLiteral("%1 is not a port (1..65535)").arg(QLatin1String(key));
        return false;
    }
    *out = quint16(p);
    return true;
}

} // namespace

void ServerState::generateSecrets()
{
    serverPrivateKey = wireguard::generateKeyPair().privateKey;
    clientPrivateKey = wireguard::generateKeyPair().privateKey;
    relayKey = wireguard::randomBytes(PairingCode::KeyBytes);
    shadowsocksPassword = wireguard::randomBytes(PairingCode::PasswordBytes);
}

PairingCode ServerState::pairingCode() const
{
    PairingCode c;
    c.serverAddress = publicAddress;
    c.relayPort = relayPort;
    c.shadowsocksPort = shadowsocksPort;
    c.serverPublicKey = wireguard::publicKeyOf(serverPrivateKey);
    c.clientPrivateKey = clientPrivateKey;
    c.relayKey = relayKey;
    c.clientTunnelAddress = clientTunnelAddress;
    c.serverTunnelAddress = serverTunnelAddress;
    c.tunnelPrefix = tunnelPrefix;
    c.shadowsocksPassword = shadowsocksPassword;
    return c;
}

QString ServerState::validate() const
{
    if (!isValidInterfaceName(interfaceName))
        return QStringLiteral("interface \"%1\" is not a valid interface name").arg(interfaceName.left(32));
    if (serverPrivateKey.size() != 32)
        return QStringLiteral("the server's WireGuard private key is missing or not 32 bytes");
    if (wireguardPort == relayPort)
        return QStringLiteral("the WireGuard port and the relay port are the same (%1)").arg(relayPort);
    if (mtu < 1280 || mtu > 1500)
        return QStringLiteral("mtu %1 is not between 1280 and 1500").arg(mtu);
    return pairingCode().validate();
}

QString ServerState::tunnelNetwork() const
{
    in_addr a {};
    ::inet_pton(AF_INET, serverTunnelAddress.toLatin1().constData(), &a);
    const quint32 mask = ~quint32(0) << (32 - tunnelPrefix);
    a.s_addr = htonl(ntohl(a.s_addr) & mask);
    char buffer[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buffer, sizeof buffer);
    return QString::fromLatin1(buffer) + QLatin1Char('/') + QString::number(tunnelPrefix);
}

QString ServerState::filePath(const QString &stateDir)
{
    return QDir(stateDir).filePath(QStringLiteral("server.json"));
}

bool ServerState::save(const QString &stateDir, QString *error) const
{
    if (!QDir().mkpath(stateDir)) {
        *error = QStringLiteral("cannot create %1").arg(stateDir);
        return false;
    }
    ::chmod(QFile::encodeName(stateDir).constData(), 0700);
    QJsonObject o;
    o[QStringLiteral("format")] = FormatVersion;
    o[QStringLiteral("public_address")] = publicAddress;
    o[QStringLiteral("interface")] = interfaceName;
    o[QStringLiteral("wireguard_port")] = wireguardPort;
    o[QStringLiteral("relay_port")] = relayPort;
    o[QStringLiteral("shadowsocks_port")] = shadowsocksPort;
    o[QStringLiteral("ssh_port")] = sshPort;
    o[QStringLiteral("server_tunnel_address")] = serverTunnelAddress;
    o[QStringLiteral("client_tunnel_address")] = clientTunnelAddress;
    o[QStringLiteral("tunnel_prefix")] = tunnelPrefix;
    o[QStringLiteral("mtu")] = mtu;
    o[QStringLiteral("server_private_key")] = QString::fromLatin1(serverPrivateKey.toHex());
    o[QStringLiteral("client_private_key")] = QString::fromLatin1(clientPrivateKey.toHex());
    o[QStringLiteral("relay_key")] = QString::fromLatin1(relayKey.toHex());
    o[QStringLiteral("shadowsocks_password")] = QString::fromLatin1(shadowsocksPassword.toHex());
    const auto r = writeAtomically(filePath(stateDir), QJsonDocument(o).toJson(), 0600);
    if (!r.ok)
        *error = r.error;
    return r.ok;
}

std::optional<ServerState> ServerState::load(const QString &stateDir, QString *error)
{
    QFile file(filePath(stateDir));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 (%2); run `smoothwan-server init --public-address ADDRESS` first")
                     .arg(file.fileName(), file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonObject o = QJsonDocument::fromJson(file.read(1 << 20), &parseError).object();
    if (parseError.error != QJsonParseError::NoError || o.isEmpty()) {
        *error = QStringLiteral("%1 is not valid JSON: %2").arg(file.fileName(), parseError.errorString());
        return std::nullopt;
    }
    if (o.value(QStringLiteral("format")).toInt() != FormatVersion) {
        *error = QStringLiteral("%1 has format %2; this smoothwan-server reads %3")
                     .arg(file.fileName())
                     .arg(o.value(QStringLiteral("format")).toInt())
                     .arg(FormatVersion);
        return std::nullopt;
    }
    ServerState s;
    s.publicAddress = o.value(QStringLiteral("public_address")).toString();
    s.interfaceName = o.value(QStringLiteral("interface")).toString(s.interfaceName);
    QString why;
    if (!port(o, "wireguard_port", &s.wireguardPort, &why) || !port(o, "relay_port", &s.relayPort, &why) ||
        !port(o, "shadowsocks_port", &s.shadowsocksPort, &why) || !port(o, "ssh_port", &s.sshPort, &why)) {
        *error = QStringLiteral("%1: %2").arg(file.fileName(), why);
        return std::nullopt;
    }
    s.serverTunnelAddress = o.value(QStringLiteral("server_tunnel_address")).toString(s.serverTunnelAddress);
    s.clientTunnelAddress = o.value(QStringLiteral("client_tunnel_address")).toString(s.clientTunnelAddress);
    s.tunnelPrefix = o.value(QStringLiteral("tunnel_prefix")).toInt(s.tunnelPrefix);
    s.mtu = o.value(QStringLiteral("mtu")).toInt(s.mtu);
    s.serverPrivateKey = fromHex(o.value(QStringLiteral("server_private_key")), 32);
    s.clientPrivateKey = fromHex(o.value(QStringLiteral("client_private_key")), 32);
    s.relayKey = fromHex(o.value(QStringLiteral("relay_key")), 32);
    s.shadowsocksPassword = fromHex(o.value(QStringLiteral("shadowsocks_password")), 16);
    if (const QString e = s.validate(); !e.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(file.fileName(), e);
        return std::nullopt;
    }
    return s;
}

} // namespace smoothwan::server

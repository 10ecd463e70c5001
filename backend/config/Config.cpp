// SPDX-License-Identifier: GPL-3.0-or-later
#include "Config.h"

namespace smoothwan {

namespace {

QString hostWithPort(const QString &host, quint16 port)
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

} // namespace

QString IpPrefix::toString() const
{
    return QStringLiteral("%1/%2").arg(address.toString()).arg(length);
}

QString HostPort::toString() const
{
    return isEmpty() ? QString() : hostWithPort(host, port);
}

QString ProbeTarget::toString() const
{
    return port == 0 ? address.toString() : hostWithPort(address.toString(), port);
}

QList<ProbeTarget> defaultProbeTargets(ProbeMethod method)
{
    // Three independent anycast operators: one provider's outage must not look like a dead WAN.
    const quint16 port = method == ProbeMethod::Tcp ? 443 : method == ProbeMethod::Dns ? 53 : 0;
    return {
        {QHostAddress(QStringLiteral("1.1.1.1")), port},
        {QHostAddress(QStringLiteral("8.8.8.8")), port},
        {QHostAddress(QStringLiteral("9.9.9.9")), port},
    };
}

} // namespace smoothwan

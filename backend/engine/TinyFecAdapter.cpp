// SPDX-License-Identifier: GPL-3.0-or-later
#include "TinyFecAdapter.h"

#include "InterfaceName.h"
#include "SpeedifyArgs.h"

#include <QtCore/QRegularExpression>
#include <QtNetwork/QHostAddress>

namespace smoothwan {

const char *const TinyFecAdapter::InstallHint =
    "Install tinyfecVPN: download tinyvpn from https://github.com/wangyu-/tinyfecVPN/releases and place it as "
    "/usr/local/bin/tinyvpn";

TinyFecAdapter::TinyFecAdapter(const Clock &clock, const TinyFecConfig &config, const QString &program, QObject *parent)
    : SupervisedEngine(clock, parent)
    , m_config(config)
    , m_program(program)
{ }

QString TinyFecAdapter::checkFecSpec(const QString &spec)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,3}):([0-9]{1,3})$"));
    if (spec.isEmpty() || spec.size() > 200)
        return tr("The FEC setting is empty or too long");
    int previous = 0;
    for (const QString &part : spec.split(QLatin1Char(','))) {
        const QRegularExpressionMatch m = re.match(part);
        if (!m.hasMatch())
            return tr("“%1” is not an FEC setting like 20:10 or 1:3,2:4,8:6,20:10").arg(spec.left(60));
        const int x = m.captured(1).toInt();
        const int y = m.captured(2).toInt();
        if (x < 1 || x > 255 || y < 0 || y > 255 || x + y > 255)
            return tr("In “%1”, data and parity packets must be 1-255 and add up to at most 255").arg(part);
        if (x <= previous)
            return tr("In “%1”, the group sizes must increase").arg(spec.left(60));
        previous = x;
    }
    return {};
}

QString TinyFecAdapter::checkHost(const QString &host)
{
    if (!QHostAddress(host).isNull())
        return {};
    return SpeedifyArgs::checkDomain(host);
}

std::optional<QStringList> TinyFecAdapter::arguments(const TinyFecConfig &c, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (c.server.isEmpty() || c.server.port == 0)
        return fail(tr("tinyfecVPN needs a server address and port"));
    if (QString e = checkHost(c.server.host); !e.isEmpty())
        return fail(e);
    if (QString e = checkFecSpec(c.fec); !e.isEmpty())
        return fail(e);
    if (c.timeoutMs < 0 || c.timeoutMs > 1000)
        return fail(tr("The FEC timeout must be 0-1000 ms"));
    if (c.mode != 0 && c.mode != 1)
        return fail(tr("The tinyfecVPN mode is 0 (bandwidth) or 1 (latency)"));
    if (c.mtu < 100 || c.mtu > 9000)
        return fail(tr("The tunnel MTU must be 100-9000"));
    static const QRegularExpression plainName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*$"));
    if (!isValidInterfaceName(c.tunName) || !plainName.match(c.tunName).hasMatch())
        return fail(tr("“%1” is not a valid tunnel interface name").arg(c.tunName.left(40)));
    if (c.subnet.protocol() != QAbstractSocket::IPv4Protocol)
        return fail(tr("The tunnel subnet must be an IPv4 address"));
    return QStringList {QStringLiteral("-c"),
                        QStringLiteral("-r") + c.server.toString(),
                        QStringLiteral("-f") + c.fec,
                        QStringLiteral("--timeout"),
                        QString::number(c.timeoutMs),
                        QStringLiteral("--mode"),
                        QString::number(c.mode),
                        QStringLiteral("--mtu"),
                        QString::number(c.mtu),
                        QStringLiteral("--tun-dev"),
                        c.tunName,
                        QStringLiteral("--sub-net"),
                        c.subnet.toString(),
                        QStringLiteral("--keep-reconnect")};
}

std::optional<ProcessSupervisor::Options> TinyFecAdapter::prepare(QString *error)
{
    const std::optional<QStringList> args = arguments(m_config, error);
    if (!args)
        return std::nullopt;
    ProcessSupervisor::Options o;
    o.name = QStringLiteral("tinyfecVPN");
    o.program = m_program;
    if (o.program.isEmpty()) {
        o.program = ProcessSupervisor::findExecutable(QStringLiteral("tinyvpn"));
        if (o.program.isEmpty())
            o.program = QStringLiteral("/usr/local/bin/tinyvpn");
    }
    o.arguments = *args;
    o.installHint = QString::fromLatin1(InstallHint);
    return o;
}

void TinyFecAdapter::addStatus(QJsonObject &status) const
{
    status.insert(QStringLiteral("server"), m_config.server.toString());
    status.insert(QStringLiteral("mode"), QString(QStringLiteral("fec ") + m_config.fec));
    status.insert(QStringLiteral("fec"), m_config.fec);
}

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpeedifyArgs.h"

#include "InterfaceName.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QHostAddress>

namespace smoothwan {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SpeedifyArgs", text);
}

bool hasControlOrInvalid(const QString &s)
{
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0xfffd || c.isSurrogate() || u == 0x2028 ||
            u == 0x2029)
            return true;
    }
    return false;
}

bool matches(const QString &value, const char *pattern)
{
    const QRegularExpression re(QRegularExpression::anchoredPattern(QLatin1String(pattern)));
    return re.match(value).hasMatch();
}

QString checkAddress(const QString &value, QAbstractSocket::NetworkLayerProtocol protocol, int maxPrefix,
                     const char *name)
{
    if (QString e = SpeedifyArgs::checkPlain(QString::fromLatin1(name), value); !e.isEmpty())
        return e;
    const qsizetype slash = value.indexOf(QLatin1Char('/'));
    const QHostAddress address(slash < 0 ? value : value.left(slash));
    bool ok = true;
    const int prefix = slash < 0 ? maxPrefix : value.mid(slash + 1).toInt(&ok);
    if (address.isNull() || address.protocol() != protocol || !ok || prefix < 0 || prefix > maxPrefix ||
        (slash >= 0 && !matches(value.mid(slash + 1), "[0-9]{1,3}")))
        return tr("“%1” is not an %2 address or prefix").arg(value, QString::fromLatin1(name));
    return {};
}

} // namespace

QString SpeedifyArgs::checkPlain(const QString &what, const QString &value)
{
    if (value.isEmpty())
        return tr("%1 is empty").arg(what);
    if (value.toUtf8().size() > MaxArgumentBytes)
        return tr("%1 is longer than %2 bytes").arg(what).arg(MaxArgumentBytes);
    if (hasControlOrInvalid(value))
        return tr("%1 contains control characters or invalid text").arg(what);
    if (value.startsWith(QLatin1Char('-')))
        return tr("%1 must not start with “-”").arg(what);
    return {};
}

QString SpeedifyArgs::checkServerTag(const QString &tag)
{
    if (QString e = checkPlain(tr("The server tag"), tag); !e.isEmpty())
        return e;
    if (tag.size() > 65 || !matches(tag, "#?[a-z0-9]+(-[a-z0-9]+)*"))
        return tr("“%1” is not a Speedify server tag (like us-nova-17, or #us-nova-17 to lock to it)").arg(tag);
    return {};
}

QString SpeedifyArgs::checkCountry(const QString &code)
{
    if (!matches(code, "[a-z]{2}"))
        return tr("“%1” is not a two-letter country code (like us or gb)").arg(code.left(40));
    return {};
}

QString SpeedifyArgs::checkCity(const QString &city)
{
    if (city.size() > 64 || !matches(city, "[a-z0-9]+(-[a-z0-9]+)*"))
        return tr("“%1” is not a Speedify city name (like nova or london)").arg(city.left(40));
    return {};
}

QString SpeedifyArgs::checkServerNumber(const QString &num)
{
    if (!matches(num, "[1-9][0-9]{0,4}"))
        return tr("“%1” is not a server number").arg(num.left(40));
    return {};
}

QString SpeedifyArgs::checkAdapterId(const QString &id)
{
    if (!isValidInterfaceName(id))
        return tr("“%1” is not a network interface name").arg(id.left(40));
    return {};
}

QString SpeedifyArgs::checkDomain(const QString &domain)
{
    if (QString e = checkPlain(tr("The domain"), domain); !e.isEmpty())
        return e;
    if (domain.size() > 253 ||
        !matches(domain.toLower(),
                 "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"))
        return tr("“%1” is not a domain name").arg(domain.left(60));
    return {};
}

QString SpeedifyArgs::checkIpv4(const QString &address)
{
    return checkAddress(address, QAbstractSocket::IPv4Protocol, 32, "IPv4");
}

QString SpeedifyArgs::checkIpv6(const QString &address)
{
    return checkAddress(address, QAbstractSocket::IPv6Protocol, 128, "IPv6");
}

QString SpeedifyArgs::checkPortRule(const QString &rule)
{
    const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("([0-9]{1,5})(-([0-9]{1,5}))?/(tcp|udp)")));
    const QRegularExpressionMatch m = re.match(rule);
    if (!m.hasMatch())
        return tr("“%1” is not a port rule (like 443/tcp or 5000-5010/udp)").arg(rule.left(40));
    const int first = m.captured(1).toInt();
    const int last = m.captured(3).isEmpty() ? first : m.captured(3).toInt();
    if (first < 1 || first > 65535 || last < first || last > 65535)
        return tr("“%1” has a port outside 1-65535 or a reversed range").arg(rule);
    return {};
}

QString SpeedifyArgs::checkServiceName(const QString &name)
{
    if (QString e = checkPlain(tr("The service name"), name); !e.isEmpty())
        return e;
    if (name.size() > 64 || !matches(name, "[A-Za-z0-9][A-Za-z0-9 +&'._!-]*"))
        return tr("“%1” is not a streaming service name (like Netflix)").arg(name.left(40));
    return {};
}

QString SpeedifyArgs::checkUser(const QString &user)
{
    if (QString e = checkPlain(tr("The user name"), user); !e.isEmpty())
        return e;
    if (user.contains(QLatin1Char(' ')) || user == QLatin1String("auto") || user == QLatin1String("oauth"))
        return tr("“%1” is not a Speedify account name").arg(user.left(40));
    return {};
}

QString SpeedifyArgs::checkPassword(const QString &password)
{
    // The message never quotes the password.
    return checkPlain(tr("The password"), password);
}

} // namespace smoothwan

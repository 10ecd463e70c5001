// SPDX-License-Identifier: GPL-3.0-or-later
#include "CommandRegistry.h"

#include "InterfaceName.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QHostAddress>

#include <algorithm>
#include <cmath>

namespace smoothwan {

namespace {

bool matches(const QString &value, const char *pattern)
{
    const QRegularExpression re(QString::fromLatin1(pattern));
    return re.match(value).hasMatch();
}

bool strictAddress(const QString &text)
{
    QHostAddress a;
    // QHostAddress accepts forms like "1" or "0x7f.1"; insist on the canonical-looking ones.
    if (!a.setAddress(text))
        return false;
    if (a.protocol() == QAbstractSocket::IPv4Protocol)
        return matches(
            text, R"(^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$)");
    return matches(text, R"(^[0-9A-Fa-f:.]{2,45}$)");
}

// Free-form objects (engine action arguments): every key and string inside is safe text.
QString checkNested(const QJsonValue &v, int depth)
{
    if (depth > 4)
        return QStringLiteral("nested too deeply");
    if (v.isString())
        return checkString(v.toString(), ArgSpec::Kind::Any, 256);
    if (v.isArray()) {
        for (const QJsonValue &item : v.toArray())
            if (QString r = checkNested(item, depth + 1); !r.isEmpty())
                return r;
    }
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (QString r = checkString(it.key(), ArgSpec::Kind::Name, 32); !r.isEmpty())
                return QStringLiteral("key: %1").arg(r);
            if (QString r = checkNested(it.value(), depth + 1); !r.isEmpty())
                return r;
        }
    }
    return {};
}

} // namespace

ArgSpec ArgSpec::string(const QString &name, Kind kind, int maxBytes)
{
    ArgSpec a;
    a.name = name;
    a.type = Type::String;
    a.kind = kind;
    a.maxBytes = maxBytes;
    return a;
}

ArgSpec ArgSpec::integer(const QString &name, qint64 min, qint64 max)
{
    ArgSpec a;
    a.name = name;
    a.type = Type::Integer;
    a.min = min;
    a.max = max;
    return a;
}

ArgSpec ArgSpec::number(const QString &name, qint64 min, qint64 max)
{
    ArgSpec a = integer(name, min, max);
    a.type = Type::Number;
    return a;
}

ArgSpec ArgSpec::boolean(const QString &name)
{
    ArgSpec a;
    a.name = name;
    a.type = Type::Boolean;
    return a;
}

ArgSpec ArgSpec::oneOf(const QString &name, const QStringList &values)
{
    ArgSpec a;
    a.name = name;
    a.type = Type::Enum;
    a.values = values;
    return a;
}

ArgSpec ArgSpec::list(const QString &name, Kind kind, int maxItems, int maxBytes)
{
    ArgSpec a = string(name, kind, maxBytes);
    a.type = Type::StringList;
    a.maxItems = maxItems;
    return a;
}

ArgSpec ArgSpec::object(const QString &name, int maxBytes)
{
    ArgSpec a;
    a.name = name;
    a.type = Type::Object;
    a.maxBytes = maxBytes;
    return a;
}

QString ArgSpec::describe() const
{
    static const char *const kinds[] = {"name",   "interface name", "label",       "MAC address", "glob",   "address",
                                        "prefix", "host:port",      "port range",  "password",    "YAML",   "text",
                                        "domain", "IPv4 prefix",    "IPv6 prefix", "port rule",   "server", "account"};
    QString d;
    switch (type) {
    case Type::String:
        d = QStringLiteral("string (%1, ≤ %2 bytes)").arg(QLatin1String(kinds[int(kind)])).arg(maxBytes);
        break;
    case Type::Integer:
        d = QStringLiteral("integer %1..%2").arg(min).arg(max);
        break;
    case Type::Number:
        d = QStringLiteral("number %1..%2").arg(min).arg(max);
        break;
    case Type::Boolean:
        d = QStringLiteral("boolean");
        break;
    case Type::Enum:
        d = QStringLiteral("one of %1").arg(values.join(QStringLiteral(", ")));
        break;
    case Type::StringList:
        d = QStringLiteral("list of ≤ %1 strings (%2)").arg(maxItems).arg(QLatin1String(kinds[int(kind)]));
        break;
    case Type::Object:
        d = QStringLiteral("object (≤ %1 bytes)").arg(maxBytes);
        break;
    }
    if (nullable)
        d += QStringLiteral(" or null");
    return d;
}

QString checkString(const QString &value, ArgSpec::Kind kind, int maxBytes)
{
    using Kind = ArgSpec::Kind;
    if (value.toUtf8().size() > maxBytes)
        return QStringLiteral("longer than %1 bytes").arg(maxBytes);
    for (const QChar c : value) {
        if (c == QChar::ReplacementCharacter || c.isNonCharacter())
            return QStringLiteral("not valid UTF-8");
        const bool control = c.unicode() < 0x20 || c.unicode() == 0x7f;
        if (control && !(kind == Kind::Yaml && (c == QLatin1Char('\n') || c == QLatin1Char('\t'))))
            return QStringLiteral("contains a control character");
    }
    switch (kind) {
    case Kind::Name:
        return matches(value, R"(^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$)")
                   ? QString()
                   : QStringLiteral("expected 1 to 32 letters, digits, '-' or '_', starting with a letter or digit");
    case Kind::InterfaceName:
        // Stricter than the kernel: names reach netlink and engine command lines.
        return isValidInterfaceName(value) && matches(value, R"(^[A-Za-z0-9][A-Za-z0-9._@-]*$)")
                   ? QString()
                   : QStringLiteral("not a valid interface name");
    case Kind::Label:
        return matches(value, R"(^[A-Za-z0-9][A-Za-z0-9 ._'@+-]*$)") && !value.contains(QLatin1String(".."))
                   ? QString()
                   : QStringLiteral("expected letters, digits, blanks and . _ ' @ + -, starting with a letter or "
                                    "digit");
    case Kind::Mac:
        return matches(value, R"(^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$)") ? QString()
                                                                         : QStringLiteral("not a MAC address");
    case Kind::Glob:
        return matches(value, R"(^[A-Za-z0-9*?/._:\[\]-]+$)") && !value.contains(QLatin1String("..")) &&
                       !value.startsWith(QLatin1Char('-'))
                   ? QString()
                   : QStringLiteral("expected a glob of letters, digits and * ? / . _ : [ ] -, without '..'");
    case Kind::Address:
        return strictAddress(value) ? QString() : QStringLiteral("not an IP address");
    case Kind::Prefix: {
        const int slash = value.indexOf(QLatin1Char('/'));
        const QString addr = slash < 0 ? value : value.left(slash);
        if (!strictAddress(addr))
            return QStringLiteral("not an address or prefix");
        if (slash >= 0) {
            bool ok = false;
            const int len = value.mid(slash + 1).toInt(&ok);
            const int maxLen = QHostAddress(addr).protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
            if (!ok || len < 0 || len > maxLen || !matches(value.mid(slash + 1), R"(^[0-9]{1,3}$)"))
                return QStringLiteral("bad prefix length");
        }
        return {};
    }
    case Kind::HostPort: {
        static const QRegularExpression re(QStringLiteral(R"(^(\[([0-9A-Fa-f:.]+)\]|([0-9.]+))(:([0-9]{1,5}))?$)"));
        const auto m = re.match(value);
        if (!m.hasMatch())
            return QStringLiteral("expected an address with an optional :port");
        const QString host = m.captured(2).isEmpty() ? m.captured(3) : m.captured(2);
        if (!strictAddress(host))
            return QStringLiteral("not an IP address");
        if (!m.captured(5).isEmpty()) {
            const int port = m.captured(5).toInt();
            if (port < 1 || port > 65535)
                return QStringLiteral("port out of range");
        }
        return {};
    }
    case Kind::PortRange:
        return matches(value, R"(^[0-9]{1,5}(-[0-9]{1,5})?$)") ? QString()
                                                               : QStringLiteral("expected a port or a range a-b");
    case Kind::Any:
        // Free text that may end up in an engine's argv: no shell syntax, no option, no path climb.
        for (const QChar c : value)
            if (QStringView(u";|&$`<>\\\"'*?").contains(c))
                return QStringLiteral("contains a shell metacharacter");
        if (value.startsWith(QLatin1Char('-')) || value.contains(QLatin1String("..")))
            return QStringLiteral("starts with '-' or contains '..'");
        return {};
    case Kind::Domain: {
        const QString lower = value.toLower();
        return lower.size() <= 253 &&
                       matches(lower,
                               R"(^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$)")
                   ? QString()
                   : QStringLiteral("not a domain name (like example.com or *.example.com)");
    }
    case Kind::Ipv4Prefix:
    case Kind::Ipv6Prefix: {
        const bool v4 = kind == Kind::Ipv4Prefix;
        const QString addr = value.section(QLatin1Char('/'), 0, 0);
        if (!checkString(value, Kind::Prefix, maxBytes).isEmpty() ||
            (QHostAddress(addr).protocol() == QAbstractSocket::IPv4Protocol) != v4)
            return v4 ? QStringLiteral("not an IPv4 address or prefix")
                      : QStringLiteral("not an IPv6 address or prefix");
        return {};
    }
    case Kind::PortRule: {
        static const QRegularExpression re(QStringLiteral(R"(^([0-9]{1,5})(-([0-9]{1,5}))?/(tcp|udp)$)"));
        const auto m = re.match(value);
        const int first = m.captured(1).toInt();
        const int last = m.captured(3).isEmpty() ? first : m.captured(3).toInt();
        return m.hasMatch() && first >= 1 && last >= first && last <= 65535
                   ? QString()
                   : QStringLiteral("expected a port rule like 443/tcp or 5000-5010/udp");
    }
    case Kind::Server:
        return matches(value, R"(^#?[a-z0-9]+(-[a-z0-9]+)*( [a-z0-9]+(-[a-z0-9]+)*){0,2}$)")
                   ? QString()
                   : QStringLiteral("expected a server: closest, public, private, p2p, last, a country [city "
                                    "[number]] or a tag");
    case Kind::Account:
        return matches(value, R"(^[A-Za-z0-9][A-Za-z0-9._%+@-]*$)") && !value.contains(QLatin1String(".."))
                   ? QString()
                   : QStringLiteral("expected an account name (an e-mail address)");
    case Kind::Password:
    case Kind::Yaml:
        return {};
    }
    return QStringLiteral("unknown kind");
}

void CommandRegistry::add(CommandSpec spec)
{
    const QString name = spec.name;
    m_commands.insert(name, std::move(spec));
}

const CommandSpec *CommandRegistry::find(const QString &name) const
{
    const auto it = m_commands.constFind(name);
    return it == m_commands.constEnd() ? nullptr : &it.value();
}

QStringList CommandRegistry::names() const
{
    QStringList n = m_commands.keys();
    std::sort(n.begin(), n.end());
    return n;
}

std::optional<QJsonObject> CommandRegistry::validate(const CommandSpec &spec, const QJsonObject &request, QString *why)
{
    using Type = ArgSpec::Type;
    auto fail = [&](const QString &text) -> std::optional<QJsonObject> {
        *why = text;
        return std::nullopt;
    };
    for (auto it = request.constBegin(); it != request.constEnd(); ++it) {
        if (it.key() == QLatin1String("id") || it.key() == QLatin1String("type"))
            continue;
        const bool known =
            std::any_of(spec.args.begin(), spec.args.end(), [&](const ArgSpec &a) { return a.name == it.key(); });
        if (!known) {
            // Never echo the hostile key itself back at length.
            return fail(QStringLiteral("unknown argument '%1'").arg(it.key().left(32)));
        }
    }
    QJsonObject args;
    for (const ArgSpec &a : spec.args) {
        const QJsonValue v = request.value(a.name);
        if (v.isUndefined()) {
            if (a.required)
                return fail(QStringLiteral("missing '%1' (%2)").arg(a.name, a.describe()));
            continue;
        }
        const QString expected = QStringLiteral("'%1' must be %2").arg(a.name, a.describe());
        if (v.isNull()) {
            if (!a.nullable)
                return fail(expected);
            args.insert(a.name, v);
            continue;
        }
        switch (a.type) {
        case Type::String: {
            if (!v.isString())
                return fail(expected);
            const QString reason = checkString(v.toString(), a.kind, a.maxBytes);
            if (!reason.isEmpty())
                return fail(QStringLiteral("'%1': %2").arg(a.name, reason));
            break;
        }
        case Type::Integer: {
            const double d = v.toDouble();
            if (!v.isDouble() || std::floor(d) != d || d < double(a.min) || d > double(a.max))
                return fail(expected);
            break;
        }
        case Type::Number: {
            const double d = v.toDouble();
            if (!v.isDouble() || !std::isfinite(d) || d < double(a.min) || d > double(a.max))
                return fail(expected);
            break;
        }
        case Type::Boolean:
            if (!v.isBool())
                return fail(expected);
            break;
        case Type::Enum:
            if (!v.isString() || !a.values.contains(v.toString()))
                return fail(expected);
            break;
        case Type::StringList: {
            if (!v.isArray() || v.toArray().size() > a.maxItems)
                return fail(expected);
            for (const QJsonValue &item : v.toArray()) {
                if (!item.isString())
                    return fail(expected);
                const QString reason = checkString(item.toString(), a.kind, a.maxBytes);
                if (!reason.isEmpty())
                    return fail(QStringLiteral("'%1': %2").arg(a.name, reason));
            }
            break;
        }
        case Type::Object: {
            if (!v.isObject() || QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).size() > a.maxBytes)
                return fail(expected);
            const QString reason = a.nestedChecks ? checkNested(v, 0) : QString();
            if (!reason.isEmpty())
                return fail(QStringLiteral("'%1': %2").arg(a.name, reason));
            break;
        }
        }
        args.insert(a.name, v);
    }
    return args;
}

} // namespace smoothwan

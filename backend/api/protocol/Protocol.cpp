// SPDX-License-Identifier: GPL-3.0-or-later
#include "Protocol.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <cmath>

namespace smoothwan::protocol {

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Operator:
        return QStringLiteral("operator");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

std::optional<Role> roleFromName(QStringView name)
{
    for (Role r : {Role::Viewer, Role::Operator, Role::Admin})
        if (name == roleName(r))
            return r;
    return std::nullopt;
}

QJsonObject result(qint64 id, const QJsonValue &value)
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("type"), QStringLiteral("result")},
            {QStringLiteral("success"), true},
            {QStringLiteral("result"), value}};
}

QJsonObject error(qint64 id, const QString &code, const QString &message, const QJsonValue &details)
{
    QJsonObject e {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!details.isUndefined() && !details.isNull())
        e.insert(QStringLiteral("details"), details);
    QJsonObject m {{QStringLiteral("type"), QStringLiteral("result")},
                   {QStringLiteral("success"), false},
                   {QStringLiteral("error"), e}};
    if (id > 0)
        m.insert(QStringLiteral("id"), id);
    return m;
}

QByteArray encode(const QJsonObject &message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> decode(const QByteArray &frame, QString *why)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(frame, &pe);
    if (pe.error != QJsonParseError::NoError) {
        if (why)
            *why = QStringLiteral("not JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        if (why)
            *why = QStringLiteral("a message is a JSON object");
        return std::nullopt;
    }
    return doc.object();
}

std::optional<qint64> requestId(const QJsonObject &message)
{
    const QJsonValue v = message.value(QStringLiteral("id"));
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!(d >= 1 && d < 9007199254740992.0) || std::floor(d) != d)
        return std::nullopt;
    return static_cast<qint64>(d);
}

} // namespace smoothwan::protocol

// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonPatch.h"

#include <QtCore/QStringList>

namespace smoothwan::protocol::JsonPatch {

namespace {

QJsonObject op(const char *name, const QString &path, const QJsonValue &value = QJsonValue::Undefined)
{
    QJsonObject o {{QStringLiteral("op"), QLatin1String(name)}, {QStringLiteral("path"), path}};
    if (!value.isUndefined())
        o.insert(QStringLiteral("value"), value);
    return o;
}

void diffInto(QJsonArray &out, const QString &path, const QJsonValue &a, const QJsonValue &b)
{
    if (a == b)
        return;
    if (a.isObject() && b.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        for (auto it = oa.begin(); it != oa.end(); ++it)
            if (!ob.contains(it.key()))
                out.append(op("remove", path + u'/' + escapeToken(it.key())));
        for (auto it = ob.begin(); it != ob.end(); ++it) {
            const QString child = path + u'/' + escapeToken(it.key());
            const auto old = oa.constFind(it.key());
            if (old == oa.constEnd())
                out.append(op("add", child, it.value()));
            else
                diffInto(out, child, old.value(), it.value());
        }
        return;
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        // A bounded log that dropped its oldest k entries and appended new ones: find the
        // smallest shift k for which aa[k..] is a prefix of ab, and send k removals at the
        // front plus the appended tail instead of rewriting every element.
        for (qsizetype k = 1; k < aa.size() && k <= 64; ++k) {
            const qsizetype kept = aa.size() - k;
            if (kept > ab.size())
                continue;
            bool match = true;
            for (qsizetype i = 0; i < kept && match; ++i)
                match = aa.at(k + i) == ab.at(i);
            if (!match)
                continue;
            for (qsizetype i = 0; i < k; ++i)
                out.append(op("remove", path + QStringLiteral("/0")));
            for (qsizetype i = kept; i < ab.size(); ++i)
                out.append(op("add", path + QStringLiteral("/-"), ab.at(i)));
            return;
        }
        const qsizetype common = std::min(aa.size(), ab.size());
        for (qsizetype i = 0; i < common; ++i)
            diffInto(out, path + u'/' + QString::number(i), aa.at(i), ab.at(i));
        for (qsizetype i = aa.size() - 1; i >= common; --i)
            out.append(op("remove", path + u'/' + QString::number(i)));
        for (qsizetype i = common; i < ab.size(); ++i)
            out.append(op("add", path + QStringLiteral("/-"), ab.at(i)));
        return;
    }
    out.append(op("replace", path, b));
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString unescape(QString token)
{
    token.replace(QStringLiteral("~1"), QStringLiteral("/"));
    token.replace(QStringLiteral("~0"), QStringLiteral("~"));
    return token;
}

// Applies one operation below `node`, following `tokens` from position `at`.
bool applyAt(QJsonValue &node, const QStringList &tokens, qsizetype at, const QString &kind, const QJsonValue &value,
             QString *error)
{
    if (at == tokens.size()) {
        if (kind == QLatin1String("remove"))
            return fail(error, QStringLiteral("cannot remove the document root"));
        node = value;
        return true;
    }
    const QString &token = tokens.at(at);
    const bool last = at + 1 == tokens.size();
    if (node.isObject()) {
        QJsonObject o = node.toObject();
        if (last) {
            if (kind == QLatin1String("remove")) {
                if (!o.contains(token))
                    return fail(error, QStringLiteral("no member '%1' to remove").arg(token));
                o.remove(token);
            } else {
                if (kind == QLatin1String("replace") && !o.contains(token))
                    return fail(error, QStringLiteral("no member '%1' to replace").arg(token));
                o.insert(token, value);
            }
        } else {
            if (!o.contains(token))
                return fail(error, QStringLiteral("no member '%1'").arg(token));
            QJsonValue child = o.value(token);
            if (!applyAt(child, tokens, at + 1, kind, value, error))
                return false;
            o.insert(token, child);
        }
        node = o;
        return true;
    }
    if (node.isArray()) {
        QJsonArray a = node.toArray();
        bool ok = false;
        qsizetype index = token == QLatin1String("-") ? a.size() : token.toLongLong(&ok);
        if (token != QLatin1String("-") && (!ok || index < 0))
            return fail(error, QStringLiteral("bad array index '%1'").arg(token));
        if (last && kind == QLatin1String("add")) {
            if (index > a.size())
                return fail(error, QStringLiteral("array index %1 out of range").arg(index));
            a.insert(index, value);
        } else {
            if (index >= a.size())
                return fail(error, QStringLiteral("array index %1 out of range").arg(index));
            if (last && kind == QLatin1String("remove")) {
                a.removeAt(index);
            } else if (last) {
                a.replace(index, value);
            } else {
                QJsonValue child = a.at(index);
                if (!applyAt(child, tokens, at + 1, kind, value, error))
                    return false;
                a.replace(index, child);
            }
        }
        node = a;
        return true;
    }
    return fail(error, QStringLiteral("path goes through a scalar at '%1'").arg(token));
}

} // namespace

QString escapeToken(const QString &token)
{
    QString t = token;
    t.replace(QStringLiteral("~"), QStringLiteral("~0"));
    t.replace(QStringLiteral("/"), QStringLiteral("~1"));
    return t;
}

QJsonArray diff(const QJsonValue &before, const QJsonValue &after)
{
    QJsonArray out;
    diffInto(out, QString(), before, after);
    return out;
}

bool apply(QJsonValue &document, const QJsonArray &patch, QString *error)
{
    QJsonValue work = document;
    for (const QJsonValue &entry : patch) {
        const QJsonObject o = entry.toObject();
        const QString kind = o.value(QStringLiteral("op")).toString();
        const QString path = o.value(QStringLiteral("path")).toString();
        if (kind != QLatin1String("add") && kind != QLatin1String("remove") && kind != QLatin1String("replace"))
            return fail(error, QStringLiteral("unsupported operation '%1'").arg(kind));
        if (!path.isEmpty() && !path.startsWith(u'/'))
            return fail(error, QStringLiteral("bad path '%1'").arg(path));
        QStringList tokens;
        if (!path.isEmpty()) {
            const QStringList raw = path.mid(1).split(u'/');
            for (const QString &t : raw)
                tokens.append(unescape(t));
        }
        if (kind != QLatin1String("remove") && !o.contains(QStringLiteral("value")))
            return fail(error, QStringLiteral("'%1' at '%2' has no value").arg(kind, path));
        if (!applyAt(work, tokens, 0, kind, o.value(QStringLiteral("value")), error))
            return false;
    }
    document = work;
    return true;
}

} // namespace smoothwan::protocol::JsonPatch

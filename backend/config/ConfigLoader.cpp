// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigLoader.h"

#include "InterfaceName.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QHash>
#include <QtCore/QRegularExpression>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace smoothwan {

namespace {

constexpr int MaxWans = 64;
constexpr int MaxBypassRules = 1024;
constexpr int MaxProbeTargets = 16;
constexpr int MaxListenAddresses = 16;

QString quoted(const std::string &text)
{
    QString s = QString::fromStdString(text);
    if (s.size() > 60)
        s = s.left(57) + QStringLiteral("...");
    for (QChar &c : s)
        if (c.unicode() < 0x20)
            c = QLatin1Char(' ');
    return QLatin1Char('\'') + s + QLatin1Char('\'');
}

QString joinNames(std::initializer_list<const char *> names)
{
    QStringList out;
    for (const char *n : names)
        out.append(QString::fromLatin1(n));
    return out.join(QStringLiteral(", "));
}

int editDistance(const QString &a, const QString &b)
{
    std::vector<int> row(static_cast<std::size_t>(b.size()) + 1);
    for (std::size_t j = 0; j < row.size(); ++j)
        row[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[static_cast<std::size_t>(j)];
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            row[static_cast<std::size_t>(j)] =
                std::min({above + 1, row[static_cast<std::size_t>(j - 1)] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row.back();
}

// Collects errors for one file; stops collecting (but keeps counting) after MaxErrors.
class Context
{
public:
    Context(QString file, ConfigErrors *errors)
        : m_file(std::move(file))
        , m_errors(errors)
    { }

    void error(const YAML::Mark &mark, const QString &keyPath, const QString &message)
    {
        ++m_count;
        if (!m_errors || m_count > ConfigLoader::MaxErrors + 1)
            return;
        if (m_count == ConfigLoader::MaxErrors + 1) {
            m_errors->append(
                {m_file,
                 0,
                 0,
                 {},
                 QStringLiteral("more than %1 errors; not reporting the rest").arg(ConfigLoader::MaxErrors)});
            return;
        }
        const bool positioned = !mark.is_null() && mark.line >= 0;
        m_errors->append({m_file, positioned ? mark.line + 1 : 0, positioned ? mark.column + 1 : 0, keyPath, message});
    }

    void fileError(const QString &message) { error(YAML::Mark::null_mark(), {}, message); }

    bool full() const { return m_count > ConfigLoader::MaxErrors; }
    int count() const { return m_count; }

private:
    QString m_file;
    ConfigErrors *m_errors;
    int m_count = 0;
};

// ---------------------------------------------------------------------------------------------
// Pass 1: the event stream. Refuses what a node tree must never be built from (deep nesting,
// node floods, anchors/aliases, tags, several documents) while yaml-cpp is still parsing:
// yaml-cpp emits a collection's start event before it recurses into the collection, so throwing
// from the handler bounds its recursion at MaxDepth. Tracks key paths for its messages.

struct StopParsing
{
};

class Guard final : public YAML::EventHandler
{
public:
    explicit Guard(Context &ctx)
        : m_ctx(ctx)
    { }

    QString path() const
    {
        QString out;
        for (const Frame &f : m_frames) {
            if (f.isMap) {
                if (!f.key.isEmpty())
                    out += (out.isEmpty() ? QString() : QStringLiteral(".")) + f.key;
            } else if (f.count > 0) {
                out += QStringLiteral("[%1]").arg(f.count - 1);
            }
        }
        return out;
    }

    void OnDocumentStart(const YAML::Mark &mark) override
    {
        if (++m_documents > 1) {
            m_ctx.error(mark, {}, QStringLiteral("only one YAML document is allowed"));
            throw StopParsing {};
        }
    }
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override { node(mark, {}, anchor, nullptr); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override
    {
        node(mark, {}, YAML::NullAnchor, nullptr);
        m_ctx.error(mark, path(), QStringLiteral("aliases (*name) are not allowed; write the value out in full"));
    }
    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        node(mark, tag, anchor, &value);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        node(mark, tag, anchor, nullptr);
        enter(mark, false);
    }
    void OnSequenceEnd() override { m_frames.pop_back(); }
    void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        node(mark, tag, anchor, nullptr);
        enter(mark, true);
    }
    void OnMapEnd() override { m_frames.pop_back(); }

private:
    struct Frame
    {
        bool isMap = false;
        int count = 0; // events seen as direct children (maps: keys and values)
        QString key;
    };

    void node(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor, const std::string *scalar)
    {
        if (!m_frames.empty()) {
            Frame &parent = m_frames.back();
            if (parent.isMap && parent.count % 2 == 0)
                parent.key = scalar ? QString::fromStdString(*scalar) : QStringLiteral("?");
            ++parent.count;
        }
        if (++m_nodes > ConfigLoader::MaxNodes) {
            m_ctx.error(mark, path(), QStringLiteral("more than %1 nodes").arg(ConfigLoader::MaxNodes));
            throw StopParsing {};
        }
        // "?" marks a plain scalar, "!" a quoted one; anything else was written as a tag.
        if (!tag.empty() && tag != "?" && tag != "!") {
            QString shown = QString::fromStdString(tag);
            shown.replace(QLatin1String("tag:yaml.org,2002:"), QLatin1String("!!"));
            m_ctx.error(mark, path(), QStringLiteral("tags (%1) are not allowed").arg(shown));
        }
        if (anchor != YAML::NullAnchor)
            m_ctx.error(mark, path(), QStringLiteral("anchors (&name) are not allowed"));
    }

    void enter(const YAML::Mark &mark, bool isMap)
    {
        if (static_cast<int>(m_frames.size()) >= ConfigLoader::MaxDepth) {
            m_ctx.error(mark, path(), QStringLiteral("nested deeper than %1 levels").arg(ConfigLoader::MaxDepth));
            throw StopParsing {};
        }
        m_frames.push_back({isMap, 0, {}});
    }

    Context &m_ctx;
    std::vector<Frame> m_frames;
    int m_nodes = 0;
    int m_documents = 0;
};

// ---------------------------------------------------------------------------------------------
// Pass 2: the node tree, walked into typed structs.

// A value in the tree with where it is. Never assign a YAML::Node into an existing one:
// Node::operator= writes through to the tree.
struct Value
{
    YAML::Node node;
    YAML::Mark mark; // of the value, or of its key when the value is empty (yaml-cpp marks an
                     // empty value at the next token)
    QString path;

    bool isNull() const { return node.IsNull(); }
};

Value makeValue(const YAML::Node &node, const YAML::Mark &fallback, QString path)
{
    return Value {node, node.IsNull() || node.Mark().is_null() ? fallback : node.Mark(), std::move(path)};
}

QString describe(const YAML::Node &n)
{
    switch (n.Type()) {
    case YAML::NodeType::Null:
        return QStringLiteral("nothing");
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Scalar:
        return quoted(n.Scalar());
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("an undefined value");
}

class MapView
{
public:
    // Checks that `v` is a mapping (an empty value counts as an empty mapping) whose keys are all
    // in `known`, each at most once.
    MapView(Context &ctx, const Value &v, std::initializer_list<const char *> known)
        : m_self(v)
        , m_ctx(ctx)
    {
        if (v.isNull())
            return;
        if (!v.node.IsMap()) {
            ctx.error(
                v.mark, v.path,
                QStringLiteral("expected a mapping with the keys %1; got %2").arg(joinNames(known), describe(v.node)));
            m_ok = false;
            return;
        }
        QHash<QString, int> firstLine;
        for (auto it = v.node.begin(); it != v.node.end(); ++it) {
            // Copies: it-> yields a proxy that dies at the end of the expression.
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            const YAML::Mark keyMark = key.Mark();
            if (!key.IsScalar()) {
                ctx.error(keyMark, v.path, QStringLiteral("keys must be plain strings; got %1").arg(describe(key)));
                continue;
            }
            const QString name = QString::fromStdString(key.Scalar());
            const QString path = v.path.isEmpty() ? name : v.path + QLatin1Char('.') + name;
            const auto known_it =
                std::find_if(known.begin(), known.end(), [&](const char *k) { return name == QLatin1String(k); });
            if (known_it == known.end()) {
                if (!ctx.full())
                    ctx.error(keyMark, path, unknownKeyMessage(name, known));
                continue;
            }
            const auto first = firstLine.constFind(name);
            if (first != firstLine.constEnd()) {
                ctx.error(keyMark, path,
                          QStringLiteral("duplicate key '%1' (first given on line %2)").arg(name).arg(*first));
                continue;
            }
            firstLine.insert(name, keyMark.line + 1);
            m_entries.emplace_back(*known_it, makeValue(value, keyMark, path));
        }
    }

    const Value *get(const char *key) const
    {
        for (const auto &[name, value] : m_entries)
            if (std::strcmp(name, key) == 0)
                return &value;
        return nullptr;
    }

    bool ok() const { return m_ok; }
    bool empty() const { return m_entries.empty(); }
    const Value &self() const { return m_self; }

    bool require(const char *key) const
    {
        if (!m_ok || get(key))
            return true;
        m_ctx.error(m_self.mark, m_self.path, QStringLiteral("missing required key '%1'").arg(QLatin1String(key)));
        return false;
    }

private:
    static QString unknownKeyMessage(const QString &name, std::initializer_list<const char *> known)
    {
        QString best;
        int bestDistance = 1 << 30;
        for (const char *k : known) {
            const QString candidate = QString::fromLatin1(k);
            const int d = editDistance(name.left(64), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        const int allowed = std::max<int>(2, static_cast<int>(best.size()) / 3);
        if (bestDistance <= allowed)
            return QStringLiteral("unknown key '%1'; did you mean '%2'?").arg(name.left(64), best);
        return QStringLiteral("unknown key '%1'; expected one of %2").arg(name.left(64), joinNames(known));
    }

    Value m_self;
    Context &m_ctx;
    std::vector<std::pair<const char *, Value>> m_entries;
    bool m_ok = true;
};

bool isStrictIpv4(const QString &s)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$)"));
    return re.match(s).hasMatch();
}

// QHostAddress alone accepts "10.1", "0x7f.1" and surrounding blanks; a config must be explicit.
std::optional<QHostAddress> parseIp(const QString &s)
{
    if (isStrictIpv4(s))
        return QHostAddress(s);
    static const QRegularExpression v6(QStringLiteral(R"(^[0-9A-Fa-f:.]+$)"));
    if (s.contains(QLatin1Char(':')) && v6.match(s).hasMatch()) {
        QHostAddress a;
        if (a.setAddress(s) && a.protocol() == QAbstractSocket::IPv6Protocol)
            return a;
    }
    return std::nullopt;
}

bool isValidHostName(const QString &s)
{
    static const QRegularExpression label(QStringLiteral(R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$)"));
    if (s.isEmpty() || s.size() > 253)
        return false;
    const QStringList labels = s.split(QLatin1Char('.'));
    return std::all_of(labels.begin(), labels.end(), [](const QString &l) { return label.match(l).hasMatch(); });
}

// "host:port" or "[v6]:port". `why` says what is wrong.
std::optional<HostPort> parseHostPort(const QString &s, bool requireIp, QString *why)
{
    QString host;
    QString port;
    if (s.startsWith(QLatin1Char('['))) {
        const qsizetype close = s.indexOf(QLatin1Char(']'));
        if (close < 0 || s.mid(close + 1, 1) != QLatin1String(":")) {
            *why = QStringLiteral("expected [IPv6 address]:port");
            return std::nullopt;
        }
        host = s.mid(1, close - 1);
        port = s.mid(close + 2);
        if (!parseIp(host) || !host.contains(QLatin1Char(':'))) {
            *why = QStringLiteral("'%1' is not an IPv6 address").arg(host);
            return std::nullopt;
        }
    } else {
        const qsizetype colon = s.lastIndexOf(QLatin1Char(':'));
        if (colon < 0 || s.count(QLatin1Char(':')) != 1) {
            *why = s.count(QLatin1Char(':')) > 1 ? QStringLiteral("write IPv6 addresses in brackets: [address]:port")
                                                 : QStringLiteral("the port is missing");
            return std::nullopt;
        }
        host = s.left(colon);
        port = s.mid(colon + 1);
        if (requireIp ? !parseIp(host) : !(parseIp(host) || isValidHostName(host))) {
            *why = requireIp ? QStringLiteral("'%1' is not an IP address").arg(host)
                             : QStringLiteral("'%1' is neither an IP address nor a host name").arg(host);
            return std::nullopt;
        }
    }
    static const QRegularExpression digits(QStringLiteral(R"(^[0-9]{1,5}$)"));
    const int p = digits.match(port).hasMatch() ? port.toInt() : 0;
    if (p < 1 || p > 65535) {
        *why = QStringLiteral("the port must be from 1 to 65535");
        return std::nullopt;
    }
    if (auto ip = parseIp(host))
        host = ip->toString();
    return HostPort {host, static_cast<quint16>(p)};
}

// "addr" (a host) or "addr/len" with the host bits clear.
std::optional<IpPrefix> parsePrefix(const QString &s, QString *why)
{
    const qsizetype slash = s.indexOf(QLatin1Char('/'));
    const auto address = parseIp(slash < 0 ? s : s.left(slash));
    if (!address) {
        *why = QStringLiteral("not an IP address or prefix");
        return std::nullopt;
    }
    const int max = address->protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    int length = max;
    if (slash >= 0) {
        static const QRegularExpression digits(QStringLiteral(R"(^[0-9]{1,3}$)"));
        const QString len = s.mid(slash + 1);
        length = digits.match(len).hasMatch() ? len.toInt() : -1;
        if (length < 0 || length > max) {
            *why = QStringLiteral("the prefix length must be from 0 to %1").arg(max);
            return std::nullopt;
        }
    }
    const auto network = QHostAddress::parseSubnet(QStringLiteral("%1/%2").arg(address->toString()).arg(length));
    if (network.first != *address) {
        *why = QStringLiteral("host bits are set; did you mean %1/%2?").arg(network.first.toString()).arg(length);
        return std::nullopt;
    }
    return IpPrefix {*address, length};
}

// tinyfecVPN's -f: "x:y[,x:y...]", x data packets answered by y redundant ones, x increasing.
bool checkFecSpec(const QString &spec, QString *why)
{
    static const QRegularExpression group(QStringLiteral(R"(^([0-9]{1,3}):([0-9]{1,3})$)"));
    int previous = 0;
    const QStringList groups = spec.split(QLatin1Char(','));
    for (const QString &g : groups) {
        const auto m = group.match(g.trimmed());
        if (!m.hasMatch()) {
            *why = QStringLiteral("'%1' is not data:redundant (e.g. 20:10)").arg(g.trimmed());
            return false;
        }
        const int x = m.captured(1).toInt();
        const int y = m.captured(2).toInt();
        if (x < 1 || x + y > 255) {
            *why = QStringLiteral("'%1': data must be at least 1 and data + redundant at most 255").arg(g.trimmed());
            return false;
        }
        if (x <= previous) {
            *why = QStringLiteral("'%1': the data counts must increase from group to group").arg(g.trimmed());
            return false;
        }
        previous = x;
    }
    return true;
}

enum class DurationUnit { Milliseconds, Seconds };

class Walker
{
public:
    explicit Walker(Context &ctx)
        : m_ctx(ctx)
    { }

    Config walk(const YAML::Node &rootNode)
    {
        Config config;
        const Value root = makeValue(rootNode, YAML::Mark(), QString());
        const MapView top(m_ctx, root, {"version", "wans", "routing", "engine", "api", "ui"});
        if (!top.ok())
            return config;
        if (const Value *v = top.get("version")) {
            if (auto n = integer(*v, 0, 1 << 30); n && *n != Config::CurrentVersion)
                m_ctx.error(v->mark, v->path,
                            QStringLiteral("unsupported version %1; this smoothwand reads version %2")
                                .arg(*n)
                                .arg(Config::CurrentVersion));
        }
        if (const Value *v = top.get("wans"))
            wans(*v, config.wans);
        const Value *engineValue = top.get("engine");
        if (engineValue)
            engine(*engineValue, config.engine);
        const Value *routingValue = top.get("routing");
        if (routingValue)
            routing(*routingValue, config);
        if (const Value *v = top.get("api"))
            api(*v, config.api);
        if (const Value *v = top.get("ui"))
            ui(*v, config.ui);
        return config;
    }

private:
    // --- scalars -------------------------------------------------------------------------

    bool scalar(const Value &v, const QString &expected)
    {
        if (v.node.IsScalar())
            return true;
        m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, describe(v.node)));
        return false;
    }

    // Numbers and booleans must be plain: a quoted "5" is a string, and saying so catches
    // values that were meant as names.
    bool plain(const Value &v, const QString &expected)
    {
        if (!scalar(v, expected))
            return false;
        if (v.node.Tag() != "!")
            return true;
        m_ctx.error(v.mark, v.path,
                    QStringLiteral("expected %1; got the quoted string %2 (remove the quotes)")
                        .arg(expected, quoted(v.node.Scalar())));
        return false;
    }

    std::optional<QString> string(const Value &v, const QString &expected = QStringLiteral("a string"))
    {
        if (!scalar(v, expected))
            return std::nullopt;
        const QString s = QString::fromStdString(v.node.Scalar());
        if (s.isEmpty()) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got an empty string").arg(expected));
            return std::nullopt;
        }
        return s;
    }

    std::optional<int> integer(const Value &v, int min, int max)
    {
        const QString expected = QStringLiteral("an integer from %1 to %2").arg(min).arg(max);
        if (!plain(v, expected))
            return std::nullopt;
        static const QRegularExpression re(QStringLiteral(R"(^[-+]?[0-9]+$)"));
        const QString s = QString::fromStdString(v.node.Scalar());
        bool ok = false;
        const qlonglong n = re.match(s).hasMatch() ? s.toLongLong(&ok) : 0;
        if (!ok) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, quoted(v.node.Scalar())));
            return std::nullopt;
        }
        if (n < min || n > max) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, s));
            return std::nullopt;
        }
        return static_cast<int>(n);
    }

    // A plain integer counts in `unit`; a string may name its unit: "500ms", "2s", "5m".
    std::optional<int> duration(const Value &v, DurationUnit unit, int min, int max)
    {
        const QString unitName = unit == DurationUnit::Milliseconds ? QStringLiteral("ms") : QStringLiteral("s");
        const QString expected =
            QStringLiteral("a duration from %1 to %2 %3 (a number of %3, or e.g. \"500ms\", \"2s\", \"5m\")")
                .arg(min)
                .arg(max)
                .arg(unitName);
        if (!scalar(v, expected))
            return std::nullopt;
        static const QRegularExpression re(QStringLiteral(R"(^([0-9]{1,9})\s*(ms|s|m|h)?$)"));
        const QString s = QString::fromStdString(v.node.Scalar()).trimmed();
        const auto m = re.match(s);
        if (!m.hasMatch() || (m.captured(2).isEmpty() && v.node.Tag() == "!")) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, quoted(v.node.Scalar())));
            return std::nullopt;
        }
        qint64 ms = m.captured(1).toLongLong();
        const QString suffix = m.captured(2);
        if (suffix == QLatin1String("s"))
            ms *= 1000;
        else if (suffix == QLatin1String("m"))
            ms *= 60 * 1000;
        else if (suffix == QLatin1String("h"))
            ms *= 3600 * 1000;
        else if (suffix.isEmpty() && unit == DurationUnit::Seconds)
            ms *= 1000;
        const qint64 perUnit = unit == DurationUnit::Milliseconds ? 1 : 1000;
        if (ms % perUnit != 0 || ms / perUnit < min || ms / perUnit > max) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return static_cast<int>(ms / perUnit);
    }

    std::optional<bool> boolean(const Value &v)
    {
        const QString expected = QStringLiteral("true or false");
        if (!plain(v, expected))
            return std::nullopt;
        const QString s = QString::fromStdString(v.node.Scalar());
        if (s == QLatin1String("true") || s == QLatin1String("True") || s == QLatin1String("TRUE"))
            return true;
        if (s == QLatin1String("false") || s == QLatin1String("False") || s == QLatin1String("FALSE"))
            return false;
        m_ctx.error(v.mark, v.path, QStringLiteral("expected true or false; got %1").arg(quoted(v.node.Scalar())));
        return std::nullopt;
    }

    template<typename E> std::optional<E> enumeration(const Value &v)
    {
        QStringList names;
        for (const EnumName<E> &n : enumNames(E {}))
            names.append(QString::fromLatin1(n.name));
        const QString expected = QStringLiteral("one of %1").arg(names.join(QStringLiteral(", ")));
        if (!scalar(v, expected))
            return std::nullopt;
        if (auto e = configEnumFromString<E>(QString::fromStdString(v.node.Scalar())))
            return e;
        m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, quoted(v.node.Scalar())));
        return std::nullopt;
    }

    // "5000000000", "5 GB", "1.5GiB": decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) units.
    std::optional<std::uint64_t> size(const Value &v)
    {
        const QString expected = QStringLiteral("a size in bytes, e.g. 500000000, \"500 MB\" or \"2 GiB\"");
        if (!scalar(v, expected))
            return std::nullopt;
        static const QRegularExpression re(
            QStringLiteral(R"(^([0-9]{1,15})(\.[0-9]{1,6})?\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$)"));
        const QString s = QString::fromStdString(v.node.Scalar()).trimmed();
        const auto m = re.match(s);
        double factor = 1;
        const QString unit = m.captured(3);
        if (unit == QLatin1String("kB") || unit == QLatin1String("KB"))
            factor = 1e3;
        else if (unit == QLatin1String("MB"))
            factor = 1e6;
        else if (unit == QLatin1String("GB"))
            factor = 1e9;
        else if (unit == QLatin1String("TB"))
            factor = 1e12;
        else if (unit == QLatin1String("KiB"))
            factor = 1024.0;
        else if (unit == QLatin1String("MiB"))
            factor = 1024.0 * 1024;
        else if (unit == QLatin1String("GiB"))
            factor = 1024.0 * 1024 * 1024;
        else if (unit == QLatin1String("TiB"))
            factor = 1024.0 * 1024 * 1024 * 1024;
        const double bytes = m.hasMatch() ? QString(m.captured(1) + m.captured(2)).toDouble() * factor : 0;
        if (!m.hasMatch() || bytes < 1 || bytes > 1e18) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("expected %1 (at least 1 byte); got %2").arg(expected, quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(bytes);
    }

    std::optional<QHostAddress> ip(const Value &v)
    {
        auto s = string(v, QStringLiteral("an IP address"));
        if (!s)
            return std::nullopt;
        if (auto a = parseIp(*s))
            return a;
        m_ctx.error(v.mark, v.path, QStringLiteral("expected an IP address; got %1").arg(quoted(v.node.Scalar())));
        return std::nullopt;
    }

    std::optional<HostPort> hostPort(const Value &v, bool requireIp)
    {
        const QString expected = requireIp
                                     ? QStringLiteral("address:port, e.g. 127.0.0.1:59401 or [::1]:59401")
                                     : QStringLiteral("host:port, e.g. vpn.example.org:59402 or 203.0.113.7:59402");
        auto s = string(v, expected);
        if (!s)
            return std::nullopt;
        QString why;
        if (auto hp = parseHostPort(*s, requireIp, &why))
            return hp;
        m_ctx.error(v.mark, v.path,
                    QStringLiteral("expected %1; got %2: %3").arg(expected, quoted(v.node.Scalar()), why));
        return std::nullopt;
    }

    std::optional<QString> absolutePath(const Value &v)
    {
        auto s = string(v, QStringLiteral("an absolute path"));
        if (s && !s->startsWith(QLatin1Char('/'))) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("expected an absolute path; got %1").arg(quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return s;
    }

    std::optional<QString> interfaceName(const Value &v)
    {
        auto s = string(v, QStringLiteral("an interface name"));
        if (s && !isValidInterfaceName(*s)) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("%1 is not a valid Linux interface name (1 to 15 printable ASCII characters, "
                                       "no '/', ':' or blanks, not starting with '-')")
                            .arg(quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return s;
    }

    // WAN and rule names appear in routing tables' comments, the API and the UI.
    std::optional<QString> name(const Value &v)
    {
        auto s = string(v, QStringLiteral("a name"));
        static const QRegularExpression re(QStringLiteral(R"(^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$)"));
        if (s && !re.match(*s).hasMatch()) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("expected a name of 1 to 32 letters, digits, '-' or '_', starting with a "
                                       "letter or digit; got %1")
                            .arg(quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return s;
    }

    template<typename F> void list(const Value &v, int max, F &&perItem)
    {
        if (v.isNull())
            return;
        if (!v.node.IsSequence()) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected a list; got %1").arg(describe(v.node)));
            return;
        }
        if (static_cast<int>(v.node.size()) > max) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("at most %1 entries are allowed; got %2").arg(max).arg(v.node.size()));
            return;
        }
        int i = 0;
        for (auto it = v.node.begin(); it != v.node.end(); ++it, ++i)
            perItem(makeValue(*it, v.mark, QStringLiteral("%1[%2]").arg(v.path).arg(i)));
    }

    template<typename T> static void set(T &target, const std::optional<T> &value)
    {
        if (value)
            target = *value;
    }

    // --- wans ----------------------------------------------------------------------------

    void wans(const Value &v, QList<WanConfig> &out)
    {
        QHash<QString, int> nameLines;
        QHash<QString, std::pair<QString, int>> interfaceOwners;
        list(v, MaxWans, [&](const Value &item) {
            WanConfig wan;
            const MapView m(
                m_ctx, item,
                {"name", "interface", "match", "priority", "weight", "probe", "metered", "caps", "enabled"});
            if (!m.ok())
                return;
            if (item.isNull()) {
                m_ctx.error(item.mark, item.path,
                            QStringLiteral("expected a WAN (a mapping with at least 'name'); got nothing"));
                return;
            }
            m.require("name");
            if (const Value *n = m.get("name")) {
                set(wan.name, name(*n));
                if (!wan.name.isEmpty()) {
                    if (nameLines.contains(wan.name))
                        m_ctx.error(n->mark, n->path,
                                    QStringLiteral("duplicate WAN name '%1' (first used on line %2)")
                                        .arg(wan.name)
                                        .arg(nameLines.value(wan.name)));
                    else
                        nameLines.insert(wan.name, n->mark.line + 1);
                }
            }
            const Value *ifv = m.get("interface");
            const Value *matchv = m.get("match");
            if (ifv) {
                set(wan.interface, interfaceName(*ifv));
                if (!wan.interface.isEmpty()) {
                    const auto owner = interfaceOwners.constFind(wan.interface);
                    if (owner != interfaceOwners.constEnd())
                        m_ctx.error(ifv->mark, ifv->path,
                                    QStringLiteral("interface '%1' is already used by WAN '%2' (line %3)")
                                        .arg(wan.interface, owner->first)
                                        .arg(owner->second));
                    else
                        interfaceOwners.insert(wan.interface, {wan.name, ifv->mark.line + 1});
                }
            }
            if (matchv)
                match(*matchv, wan.match);
            if (ifv && matchv)
                m_ctx.error(matchv->mark, matchv->path, QStringLiteral("give either 'interface' or 'match', not both"));
            else if (!ifv && !matchv)
                m_ctx.error(item.mark, item.path,
                            QStringLiteral("missing 'interface' (a fixed name) or 'match' (a rule that finds the "
                                           "interface)"));
            if (const Value *p = m.get("priority"))
                set(wan.priority, enumeration<WanPriority>(*p));
            if (const Value *w = m.get("weight"))
                set(wan.weight, integer(*w, 1, 1000));
            if (const Value *b = m.get("metered"))
                set(wan.metered, boolean(*b));
            if (wan.metered)
                wan.probe.intervalMs = ProbeConfig::DefaultIntervalMs * ProbeConfig::MeteredIntervalFactor;
            if (const Value *p = m.get("probe"))
                probe(*p, wan.probe);
            if (const Value *c = m.get("caps"))
                caps(*c, wan.caps);
            if (const Value *e = m.get("enabled"))
                set(wan.enabled, boolean(*e));
            out.append(wan);
        });
    }

    void match(const Value &v, WanMatch &out)
    {
        const MapView m(m_ctx, v, {"mac", "permanent_mac", "device_path", "driver", "kind"});
        if (!m.ok())
            return;
        auto mac = [&](const char *key, QString &target) {
            const Value *x = m.get(key);
            if (!x)
                return;
            auto s = string(*x, QStringLiteral("a MAC address"));
            static const QRegularExpression re(QStringLiteral(R"(^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$)"));
            if (s && !re.match(*s).hasMatch())
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("expected a MAC address like 02:00:5e:10:00:01; got %1")
                                .arg(quoted(x->node.Scalar())));
            else if (s)
                target = s->toLower();
        };
        mac("mac", out.mac);
        mac("permanent_mac", out.permanentMac);
        if (const Value *x = m.get("device_path"))
            set(out.devicePath, string(*x, QStringLiteral("a glob over the sysfs device path")));
        if (const Value *x = m.get("driver"))
            set(out.driver, string(*x, QStringLiteral("a kernel driver name")));
        if (const Value *x = m.get("kind"))
            set(out.kind, string(*x, QStringLiteral("a link kind")));
        if (m.empty())
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("a match rule needs at least one of mac, permanent_mac, device_path, "
                                       "driver, kind"));
    }

    void probe(const Value &v, ProbeConfig &out)
    {
        const MapView m(
            m_ctx, v, {"method", "targets", "query", "interval", "timeout", "reliability", "down", "up", "thresholds"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("method")) {
            set(out.method, enumeration<ProbeMethod>(*x));
            out.targets = defaultProbeTargets(out.method);
        }
        if (const Value *x = m.get("targets")) {
            out.targets.clear();
            list(*x, MaxProbeTargets, [&](const Value &item) {
                if (auto t = probeTarget(item, out.method))
                    out.targets.append(*t);
            });
            if (x->isNull() || (x->node.IsSequence() && x->node.size() == 0))
                m_ctx.error(x->mark, x->path, QStringLiteral("at least one target is needed"));
        }
        if (const Value *x = m.get("query")) {
            auto s = string(*x, QStringLiteral("a DNS name"));
            if (s && !isValidHostName(s->endsWith(QLatin1Char('.')) ? s->chopped(1) : *s))
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("expected a DNS name; got %1").arg(quoted(x->node.Scalar())));
            else
                set(out.query, s);
        }
        if (const Value *x = m.get("interval"))
            set(out.intervalMs, duration(*x, DurationUnit::Milliseconds, 100, 600000));
        out.timeoutMs = std::min(out.timeoutMs, out.intervalMs);
        if (const Value *x = m.get("timeout")) {
            auto t = duration(*x, DurationUnit::Milliseconds, 100, 60000);
            if (t && *t > out.intervalMs)
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("the timeout (%1 ms) must not be longer than the interval (%2 ms)")
                                .arg(*t)
                                .arg(out.intervalMs));
            set(out.timeoutMs, t);
        }
        const int targets = std::max<int>(1, static_cast<int>(out.targets.size()));
        out.reliability = std::min(out.reliability, targets);
        if (const Value *x = m.get("reliability")) {
            auto r = integer(*x, 1, MaxProbeTargets);
            if (r && *r > targets)
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("reliability %1 is more than the %2 target(s) given").arg(*r).arg(targets));
            set(out.reliability, r);
        }
        if (const Value *x = m.get("down"))
            set(out.downRounds, integer(*x, 1, 100));
        if (const Value *x = m.get("up"))
            set(out.upRounds, integer(*x, 1, 100));
        if (const Value *x = m.get("thresholds"))
            thresholds(*x, out.thresholds);
    }

    std::optional<ProbeTarget> probeTarget(const Value &v, ProbeMethod method)
    {
        const QString expected =
            method == ProbeMethod::Tcp ? QStringLiteral("address:port, e.g. 1.1.1.1:443 or [2606:4700:4700::1111]:443")
            : method == ProbeMethod::Dns ? QStringLiteral("a DNS server's IP address, optionally with :port")
                                         : QStringLiteral("an IP address");
        auto s = string(v, expected);
        if (!s)
            return std::nullopt;
        if (auto a = parseIp(*s); a && method != ProbeMethod::Tcp)
            return ProbeTarget {*a, static_cast<quint16>(method == ProbeMethod::Dns ? 53 : 0)};
        QString why = QStringLiteral("not an IP address");
        if (method != ProbeMethod::Icmp) {
            if (auto hp = parseHostPort(*s, true, &why))
                return ProbeTarget {QHostAddress(hp->host), hp->port};
        }
        m_ctx.error(v.mark, v.path,
                    QStringLiteral("expected %1; got %2: %3").arg(expected, quoted(v.node.Scalar()), why));
        return std::nullopt;
    }

    void thresholds(const Value &v, ProbeThresholds &out)
    {
        const MapView m(
            m_ctx, v,
            {"latency_fail", "latency_recover", "loss_fail", "loss_recover", "jitter_fail", "jitter_recover"});
        if (!m.ok())
            return;
        auto pair = [&](const char *failKey, const char *recoverKey, int max, int &fail, int &recover,
                        const char *unit) {
            const Value *f = m.get(failKey);
            const Value *r = m.get(recoverKey);
            if (f)
                set(fail, integer(*f, 0, max));
            if (r)
                set(recover, integer(*r, 0, max));
            if (recover > fail) {
                const Value *at = r ? r : f;
                if (at)
                    m_ctx.error(at->mark, at->path,
                                QStringLiteral("%1 (%2%3) must not be above %4 (%5%3): recovery is the stricter "
                                               "threshold")
                                    .arg(QLatin1String(recoverKey))
                                    .arg(recover)
                                    .arg(QLatin1String(unit))
                                    .arg(QLatin1String(failKey))
                                    .arg(fail));
            }
        };
        pair("latency_fail", "latency_recover", 60000, out.latencyFailMs, out.latencyRecoverMs, " ms");
        pair("loss_fail", "loss_recover", 100, out.lossFailPercent, out.lossRecoverPercent, " %");
        pair("jitter_fail", "jitter_recover", 60000, out.jitterFailMs, out.jitterRecoverMs, " ms");
    }

    void caps(const Value &v, UsageCaps &out)
    {
        const MapView m(m_ctx, v, {"daily", "monthly", "reset_day", "action"});
        if (!m.ok())
            return;
        const Value *daily = m.get("daily");
        if (daily)
            out.dailyBytes = size(*daily);
        if (const Value *x = m.get("monthly"))
            out.monthlyBytes = size(*x);
        if (const Value *x = m.get("reset_day"))
            set(out.resetDay, integer(*x, 1, 28));
        if (const Value *x = m.get("action"))
            set(out.action, enumeration<CapAction>(*x));
        if (daily && out.dailyBytes && out.monthlyBytes && *out.dailyBytes > *out.monthlyBytes)
            m_ctx.error(daily->mark, daily->path, QStringLiteral("the daily cap is larger than the monthly cap"));
    }

    // --- routing -------------------------------------------------------------------------

    void routing(const Value &v, Config &config)
    {
        RoutingConfig &out = config.routing;
        const MapView m(m_ctx, v, {"policy", "kill_switch", "bypass"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("policy")) {
            set(out.policy, enumeration<RoutingPolicy>(*x));
            if (out.policy == RoutingPolicy::Bonded && config.engine.type == EngineType::None)
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("policy 'bonded' needs an engine, but engine.type is 'none'"));
        }
        if (const Value *x = m.get("kill_switch"))
            set(out.killSwitch, boolean(*x));
        if (const Value *x = m.get("bypass")) {
            QHash<QString, int> nameLines;
            list(*x, MaxBypassRules, [&](const Value &item) {
                BypassRule rule;
                if (bypassRule(item, config.wans, rule)) {
                    if (nameLines.contains(rule.name))
                        m_ctx.error(item.mark, item.path + QStringLiteral(".name"),
                                    QStringLiteral("duplicate rule name '%1' (first used on line %2)")
                                        .arg(rule.name)
                                        .arg(nameLines.value(rule.name)));
                    nameLines.insert(rule.name, item.mark.line + 1);
                }
                out.bypass.append(rule);
            });
        }
    }

    bool bypassRule(const Value &v, const QList<WanConfig> &wanList, BypassRule &out)
    {
        const MapView m(m_ctx, v, {"name", "match", "via", "around_bond"});
        if (!m.ok())
            return false;
        if (v.isNull()) {
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("expected a bypass rule (name, match, via or around_bond); got nothing"));
            return false;
        }
        m.require("name");
        if (const Value *x = m.get("name"))
            set(out.name, name(*x));
        const Value *matchv = m.get("match");
        if (!matchv || matchv->isNull())
            m_ctx.error(matchv ? matchv->mark : v.mark, matchv ? matchv->path : v.path,
                        QStringLiteral("a bypass rule needs a 'match' with at least one of source, destination, "
                                       "protocol, ports"));
        else
            bypassMatch(*matchv, out.match);
        const Value *via = m.get("via");
        if (via) {
            set(out.via, string(*via, QStringLiteral("a WAN name")));
            const bool known =
                std::any_of(wanList.begin(), wanList.end(), [&](const WanConfig &w) { return w.name == out.via; });
            if (!out.via.isEmpty() && !known) {
                QStringList names;
                for (const WanConfig &w : wanList)
                    names.append(w.name);
                m_ctx.error(via->mark, via->path,
                            names.isEmpty() ? QStringLiteral("unknown WAN '%1': no WANs are configured").arg(out.via)
                                            : QStringLiteral("unknown WAN '%1'; the WANs are %2")
                                                  .arg(out.via, names.join(QStringLiteral(", "))));
            }
        }
        const Value *around = m.get("around_bond");
        const std::optional<bool> aroundValue = around ? boolean(*around) : std::nullopt;
        set(out.aroundBond, aroundValue);
        if (via && out.aroundBond)
            m_ctx.error(around->mark, around->path,
                        QStringLiteral("give either 'via' or 'around_bond: true', not both"));
        else if (!via && !out.aroundBond && (!around || aroundValue))
            m_ctx.error(v.mark, v.path, QStringLiteral("missing 'via: <wan name>' or 'around_bond: true'"));
        return !out.name.isEmpty();
    }

    void bypassMatch(const Value &v, BypassMatch &out)
    {
        const MapView m(m_ctx, v, {"source", "destination", "protocol", "ports"});
        if (!m.ok())
            return;
        auto prefix = [&](const char *key, std::optional<IpPrefix> &target) {
            const Value *x = m.get(key);
            if (!x)
                return;
            auto s = string(*x, QStringLiteral("an address or prefix"));
            if (!s)
                return;
            QString why;
            target = parsePrefix(*s, &why);
            if (!target)
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("expected an address or prefix like 192.168.1.20 or 192.168.1.0/24; got "
                                           "%1: %2")
                                .arg(quoted(x->node.Scalar()), why));
        };
        prefix("source", out.source);
        prefix("destination", out.destination);
        if (out.source && out.destination && out.source->address.protocol() != out.destination->address.protocol()) {
            const Value *x = m.get("destination");
            m_ctx.error(x->mark, x->path, QStringLiteral("source and destination are of different IP versions"));
        }
        const Value *protocol = m.get("protocol");
        const std::optional<IpProtocol> protocolValue =
            protocol ? enumeration<IpProtocol>(*protocol) : std::optional<IpProtocol>();
        set(out.protocol, protocolValue);
        if (const Value *x = m.get("ports")) {
            out.ports = ports(*x);
            if (out.ports && out.protocol == IpProtocol::Any)
                m_ctx.error(x->mark, x->path, QStringLiteral("ports need 'protocol: tcp' or 'protocol: udp'"));
        }
        // "protocol: any" alone would pull every flow out of the normal routing.
        const bool narrows =
            m.get("source") || m.get("destination") || m.get("ports") || (protocol && protocolValue != IpProtocol::Any);
        if (m.ok() && !narrows)
            m_ctx.error(v.mark, v.path,
                        QStringLiteral("a match needs at least one of source, destination, ports, or protocol tcp "
                                       "or udp"));
    }

    std::optional<PortRange> ports(const Value &v)
    {
        const QString expected = QStringLiteral("a port from 1 to 65535 or a range like 8000-8100");
        if (!scalar(v, expected))
            return std::nullopt;
        static const QRegularExpression re(QStringLiteral(R"(^([0-9]{1,5})(?:\s*-\s*([0-9]{1,5}))?$)"));
        const QString s = QString::fromStdString(v.node.Scalar()).trimmed();
        const auto m = re.match(s);
        const int first = m.hasMatch() ? m.captured(1).toInt() : 0;
        const int last = m.hasMatch() && !m.captured(2).isEmpty() ? m.captured(2).toInt() : first;
        if (first < 1 || last > 65535 || last < first) {
            m_ctx.error(v.mark, v.path, QStringLiteral("expected %1; got %2").arg(expected, quoted(v.node.Scalar())));
            return std::nullopt;
        }
        return PortRange {static_cast<quint16>(first), static_cast<quint16>(last)};
    }

    // --- engine --------------------------------------------------------------------------

    void engine(const Value &v, EngineConfig &out)
    {
        const MapView m(m_ctx, v, {"type", "speedify", "engarde", "tinyfec", "selfhosted"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("type"))
            set(out.type, enumeration<EngineType>(*x));
        if (const Value *x = m.get("speedify"))
            speedify(*x, out.speedify);
        bool engardeServer = false;
        bool tinyfecServer = false;
        if (const Value *x = m.get("engarde"))
            engardeServer = engarde(*x, out.engarde);
        if (const Value *x = m.get("tinyfec"))
            tinyfecServer = tinyfec(*x, out.tinyfec);
        if (const Value *x = m.get("selfhosted"))
            selfhosted(*x, out.selfhosted);
        const Value *typeValue = m.get("type");
        if (out.type == EngineType::Engarde && !engardeServer)
            m_ctx.error(typeValue->mark, typeValue->path,
                        QStringLiteral("engine 'engarde' needs engine.engarde.server (host:port of the server)"));
        if (out.type == EngineType::TinyFec && !tinyfecServer)
            m_ctx.error(typeValue->mark, typeValue->path,
                        QStringLiteral("engine 'tinyfec' needs engine.tinyfec.server (host:port of the server)"));
    }

    void speedify(const Value &v, SpeedifyConfig &out)
    {
        const MapView m(m_ctx, v, {"cli_path", "mode", "transport", "connect", "startup_connect"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("cli_path"))
            set(out.cliPath, absolutePath(*x));
        if (const Value *x = m.get("mode"))
            set(out.mode, enumeration<SpeedifyMode>(*x));
        if (const Value *x = m.get("transport"))
            set(out.transport, enumeration<SpeedifyTransport>(*x));
        if (const Value *x = m.get("connect")) {
            const QString expected = QStringLiteral(
                "closest, public, private, p2p, last, a country code with optional city and number (\"us nyc 3\"), "
                "or a server tag (\"#us-nyc-3\")");
            auto s = string(*x, expected);
            static const QRegularExpression re(
                QStringLiteral(R"(^(closest|public|private|p2p|last|[a-z]{2}( [a-z0-9-]+( [0-9]{1,4})?)?)"
                               R"(|#?[a-z0-9][a-z0-9._-]{0,63})$)"),
                QRegularExpression::CaseInsensitiveOption);
            if (s) {
                const QString simplified = s->simplified();
                if (re.match(simplified).hasMatch())
                    out.connect = simplified;
                else
                    m_ctx.error(x->mark, x->path,
                                QStringLiteral("expected %1; got %2").arg(expected, quoted(x->node.Scalar())));
            }
        }
        if (const Value *x = m.get("startup_connect"))
            set(out.startupConnect, boolean(*x));
    }

    // Returns whether a server was given (valid or not: an invalid one was reported already).
    bool engarde(const Value &v, EngardeConfig &out)
    {
        const MapView m(m_ctx, v, {"server", "listen", "excluded_interfaces", "web_manager"});
        if (!m.ok())
            return true;
        if (const Value *x = m.get("server"))
            set(out.server, hostPort(*x, false));
        if (const Value *x = m.get("listen"))
            set(out.listen, hostPort(*x, true));
        if (const Value *x = m.get("excluded_interfaces"))
            list(*x, MaxWans, [&](const Value &item) {
                if (auto n = interfaceName(item))
                    out.excludedInterfaces.append(*n);
            });
        if (const Value *x = m.get("web_manager"))
            set(out.webManager, hostPort(*x, true));
        return m.get("server") != nullptr;
    }

    void selfhosted(const Value &v, SelfHostedConfig &out)
    {
        const MapView m(m_ctx, v, {"mode", "tcp_aggregation", "interface", "mtu", "relay_port", "tcp_port"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("mode"))
            set(out.mode, enumeration<SelfHostedMode>(*x));
        if (const Value *x = m.get("tcp_aggregation"))
            set(out.tcpAggregation, boolean(*x));
        if (const Value *x = m.get("interface"))
            set(out.interface, interfaceName(*x));
        if (const Value *x = m.get("mtu"))
            set(out.mtu, integer(*x, 1280, 1420));
        if (const Value *x = m.get("relay_port"))
            set(out.relayPort, std::optional<quint16>(integer(*x, 1, 65535)));
        if (const Value *x = m.get("tcp_port"))
            set(out.tcpPort, std::optional<quint16>(integer(*x, 1, 65535)));
        if (out.relayPort == out.tcpPort) {
            const Value *x = m.get("tcp_port") ? m.get("tcp_port") : m.get("relay_port");
            if (x)
                m_ctx.error(x->mark, x->path, QStringLiteral("relay_port and tcp_port must differ"));
        }
    }

    bool tinyfec(const Value &v, TinyFecConfig &out)
    {
        const MapView m(m_ctx, v, {"server", "fec", "timeout", "mode", "mtu", "tun_name", "subnet"});
        if (!m.ok())
            return true;
        if (const Value *x = m.get("server"))
            set(out.server, hostPort(*x, false));
        if (const Value *x = m.get("fec")) {
            const QString expected = QStringLiteral("a FEC spec like 20:10 or 1:3,2:4,8:6,20:10");
            if (auto s = string(*x, expected)) {
                QString why;
                if (checkFecSpec(*s, &why))
                    out.fec = s->remove(QLatin1Char(' '));
                else
                    m_ctx.error(x->mark, x->path,
                                QStringLiteral("expected %1; got %2: %3").arg(expected, quoted(x->node.Scalar()), why));
            }
        }
        if (const Value *x = m.get("timeout"))
            set(out.timeoutMs, duration(*x, DurationUnit::Milliseconds, 0, 1000));
        if (const Value *x = m.get("mode"))
            set(out.mode, integer(*x, 0, 1));
        if (const Value *x = m.get("mtu"))
            set(out.mtu, integer(*x, 576, 9000));
        if (const Value *x = m.get("tun_name"))
            set(out.tunName, interfaceName(*x));
        if (const Value *x = m.get("subnet")) {
            auto s = string(*x, QStringLiteral("an IPv4 /24 network"));
            if (s) {
                QString text = *s;
                if (text.endsWith(QLatin1String("/24")))
                    text.chop(3);
                const bool ok = isStrictIpv4(text) && text.endsWith(QLatin1String(".0"));
                if (ok)
                    out.subnet = QHostAddress(text);
                else
                    m_ctx.error(x->mark, x->path,
                                QStringLiteral("expected an IPv4 /24 network like 10.22.22.0; got %1")
                                    .arg(quoted(x->node.Scalar())));
            }
        }
        return m.get("server") != nullptr;
    }

    // --- api, ui -------------------------------------------------------------------------

    void api(const Value &v, ApiConfig &out)
    {
        const MapView m(m_ctx, v, {"listen", "port", "tls"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("listen")) {
            out.listen.clear();
            list(*x, MaxListenAddresses, [&](const Value &item) {
                auto a = ip(item);
                if (!a)
                    return;
                if (*a == QHostAddress(QHostAddress::AnyIPv4) || *a == QHostAddress(QHostAddress::AnyIPv6))
                    m_ctx.error(item.mark, item.path,
                                QStringLiteral("%1 would listen on the WANs too; list the router's loopback and LAN "
                                               "addresses instead")
                                    .arg(a->toString()));
                else if (out.listen.contains(*a))
                    m_ctx.error(item.mark, item.path, QStringLiteral("%1 is listed twice").arg(a->toString()));
                else
                    out.listen.append(*a);
            });
            if (x->isNull() || (x->node.IsSequence() && x->node.size() == 0))
                m_ctx.error(x->mark, x->path,
                            QStringLiteral("at least one address is needed (the UI and the CLI use the API)"));
        }
        if (const Value *x = m.get("port"))
            set(out.port, std::optional<quint16>(integer(*x, 1, 65535)));
        const bool exposed =
            std::any_of(out.listen.begin(), out.listen.end(), [](const QHostAddress &a) { return !a.isLoopback(); });
        out.tls.enabled = exposed;
        if (const Value *x = m.get("tls")) {
            const MapView t(m_ctx, *x, {"enabled", "cert", "key"});
            if (!t.ok())
                return;
            if (const Value *y = t.get("enabled"))
                set(out.tls.enabled, boolean(*y));
            if (const Value *y = t.get("cert"))
                set(out.tls.certPath, absolutePath(*y));
            if (const Value *y = t.get("key"))
                set(out.tls.keyPath, absolutePath(*y));
        }
    }

    void ui(const Value &v, UiConfig &out)
    {
        const MapView m(m_ctx, v, {"kiosk", "blank_after", "theme"});
        if (!m.ok())
            return;
        if (const Value *x = m.get("kiosk"))
            set(out.kiosk, boolean(*x));
        if (const Value *x = m.get("blank_after"))
            set(out.blankAfterSeconds, duration(*x, DurationUnit::Seconds, 0, 86400));
        if (const Value *x = m.get("theme"))
            set(out.theme, enumeration<UiTheme>(*x));
    }

    Context &m_ctx;
};

} // namespace

std::optional<Config> ConfigLoader::loadString(const QByteArray &yaml, const QString &fileName, ConfigErrors *errors)
{
    Context ctx(fileName, errors);
    if (yaml.size() > MaxFileBytes) {
        ctx.fileError(
            QStringLiteral("the file is %1 bytes; the limit is %2 bytes (1 MiB)").arg(yaml.size()).arg(MaxFileBytes));
        return std::nullopt;
    }
    const std::string text(yaml.constData(), static_cast<std::size_t>(yaml.size()));

    Guard guard(ctx);
    try {
        std::istringstream stream(text);
        YAML::Parser parser(stream);
        while (parser.HandleNextDocument(guard)) { }
    } catch (const StopParsing &) {
    } catch (const YAML::Exception &e) {
        QString message = QStringLiteral("syntax error: %1").arg(QString::fromStdString(e.msg));
        // yaml-cpp's wording for `*name` with no `&name`: usually an unquoted glob like */usb1/*.
        if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR)
            message += QStringLiteral(" (a value that starts with '*' must be quoted)");
        ctx.error(e.mark, {}, message);
    } catch (const std::exception &e) {
        ctx.error(YAML::Mark::null_mark(), {},
                  QStringLiteral("cannot parse: %1").arg(QString::fromLocal8Bit(e.what())));
    }
    if (ctx.count() > 0)
        return std::nullopt;

    Config config;
    try {
        const YAML::Node root = YAML::Load(text);
        config = Walker(ctx).walk(root);
    } catch (const YAML::Exception &e) {
        ctx.error(e.mark, {}, QString::fromStdString(e.msg));
    } catch (const std::exception &e) {
        ctx.error(YAML::Mark::null_mark(), {},
                  QStringLiteral("cannot parse: %1").arg(QString::fromLocal8Bit(e.what())));
    }
    if (ctx.count() > 0)
        return std::nullopt;
    return config;
}

std::optional<Config> ConfigLoader::loadFile(const QString &path, ConfigErrors *errors, QByteArray *content)
{
    Context ctx(path, errors);
    const QFileInfo info(path);
    if (!info.exists()) {
        ctx.fileError(QStringLiteral("file not found"));
        return std::nullopt;
    }
    // A FIFO or device would block or never end.
    if (!info.isFile()) {
        ctx.fileError(QStringLiteral("not a regular file"));
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ctx.fileError(QStringLiteral("cannot read: %1").arg(file.errorString()));
        return std::nullopt;
    }
    const QByteArray data = file.read(MaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        ctx.fileError(QStringLiteral("cannot read: %1").arg(file.errorString()));
        return std::nullopt;
    }
    if (data.size() > MaxFileBytes) {
        ctx.fileError(QStringLiteral("the file is larger than the limit of %1 bytes (1 MiB)").arg(MaxFileBytes));
        return std::nullopt;
    }
    if (content)
        *content = data;
    return loadString(data, path, errors);
}

} // namespace smoothwan

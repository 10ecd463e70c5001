// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApiCommands.h"

#include "ApiBackend.h"
#include "AuthStore.h"
#include "CommandRegistry.h"
#include "ConfigLoader.h"
#include "ConfigWriter.h"
#include "Logging.h"
#include "StateStore.h"

#include <QtCore/QJsonArray>
#include <QtCore/QPointer>

namespace smoothwan {

using namespace protocol;

namespace {

using K = ArgSpec::Kind;

QString text(const char *s)
{
    return QString::fromLatin1(s);
}

template<typename E> QStringList namesOf()
{
    QStringList n;
    for (const EnumName<E> &e : enumNames(E {}))
        n.append(QString::fromLatin1(e.name));
    return n;
}

QJsonArray errorsJson(const ConfigErrors &errors)
{
    QJsonArray a;
    for (const ConfigError &e : errors)
        a.append(QJsonObject {{QStringLiteral("line"), e.line},
                              {QStringLiteral("column"), e.column},
                              {QStringLiteral("key"), e.keyPath},
                              {QStringLiteral("message"), e.message}});
    return a;
}

CommandOutcome notFound(const QString &what)
{
    return CommandOutcome::failure(text(Error::NotFound), QStringLiteral("no such %1").arg(what));
}

// Applies an edited Config: serialise, validate and write through the backend.
CommandOutcome apply(ApiBackend &backend, const Config &edited, const CommandContext &ctx)
{
    ConfigErrors errors;
    if (!backend.applyConfig(ConfigWriter::toYaml(edited), &errors))
        return CommandOutcome::failure(text(Error::InvalidFormat),
                                       errors.isEmpty() ? QStringLiteral("the change was refused")
                                                        : errors.first().message,
                                       QJsonObject {{QStringLiteral("errors"), errorsJson(errors)}});
    qCInfo(lcApi, "%s changed the configuration with %s", qPrintable(ctx.user), qPrintable(ctx.peer));
    return CommandOutcome::success();
}

WanConfig *findWan(Config &c, const QString &name)
{
    for (WanConfig &w : c.wans)
        if (w.name == name)
            return &w;
    return nullptr;
}

ArgSpec wanArg()
{
    return ArgSpec::string(QStringLiteral("wan"), K::Name, 32);
}

// A command that edits one WAN of the configuration.
CommandSpec wanEdit(ApiBackend &backend, const QString &name, Role role, const QString &summary, QList<ArgSpec> args,
                    std::function<CommandOutcome(WanConfig &, const QJsonObject &)> edit)
{
    args.prepend(wanArg());
    return {name, role, summary, args, [&backend, edit](const CommandContext &ctx, const CommandReply &reply) {
                Config c = backend.config();
                WanConfig *w = findWan(c, ctx.args.value(QStringLiteral("wan")).toString());
                if (!w)
                    return reply(notFound(QStringLiteral("WAN")));
                const CommandOutcome o = edit(*w, ctx.args);
                reply(o.ok ? apply(backend, c, ctx) : o);
            }};
}

std::optional<IpPrefix> prefixOf(const QJsonValue &v)
{
    if (!v.isString())
        return std::nullopt;
    const QString s = v.toString();
    const int slash = s.indexOf(QLatin1Char('/'));
    const QHostAddress a(slash < 0 ? s : s.left(slash));
    const int full = a.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    return IpPrefix {a, slash < 0 ? full : s.mid(slash + 1).toInt()};
}

// Fills a bypass rule from validated arguments; returns an error text or nothing.
QString bypassFromArgs(const QJsonObject &a, BypassRule &r)
{
    if (a.contains(QStringLiteral("source")))
        r.match.source =
            a.value(QStringLiteral("source")).isNull() ? std::nullopt : prefixOf(a.value(QStringLiteral("source")));
    if (a.contains(QStringLiteral("destination")))
        r.match.destination = a.value(QStringLiteral("destination")).isNull()
                                  ? std::nullopt
                                  : prefixOf(a.value(QStringLiteral("destination")));
    if (a.contains(QStringLiteral("protocol")))
        r.match.protocol = *configEnumFromString<IpProtocol>(a.value(QStringLiteral("protocol")).toString());
    if (a.contains(QStringLiteral("ports"))) {
        const QJsonValue p = a.value(QStringLiteral("ports"));
        if (p.isNull()) {
            r.match.ports.reset();
        } else {
            const QStringList parts = p.toString().split(QLatin1Char('-'));
            const int first = parts.value(0).toInt();
            const int last = parts.size() > 1 ? parts.value(1).toInt() : first;
            if (first < 1 || last > 65535 || last < first)
                return QStringLiteral("ports must be 1..65535, first ≤ last");
            r.match.ports = PortRange {quint16(first), quint16(last)};
        }
    }
    if (a.contains(QStringLiteral("via"))) {
        r.via = a.value(QStringLiteral("via")).toString();
        r.aroundBond = false;
    }
    if (a.value(QStringLiteral("around_bond")).toBool()) {
        r.aroundBond = true;
        r.via.clear();
    }
    return {};
}

QList<ArgSpec> bypassArgs()
{
    return {ArgSpec::string(QStringLiteral("source"), K::Prefix, 50).optional().orNull(),
            ArgSpec::string(QStringLiteral("destination"), K::Prefix, 50).optional().orNull(),
            ArgSpec::oneOf(QStringLiteral("protocol"), namesOf<IpProtocol>()).optional(),
            ArgSpec::string(QStringLiteral("ports"), K::PortRange, 11).optional().orNull(),
            ArgSpec::string(QStringLiteral("via"), K::Name, 32).optional(),
            ArgSpec::boolean(QStringLiteral("around_bond")).optional()};
}

void engineCommand(CommandRegistry &r, ApiBackend &backend, QObject *context, const QString &name,
                   const QString &action, Role role, const QString &summary, QList<ArgSpec> args)
{
    r.add(
        {name, role, summary, args, [&backend, context, action](const CommandContext &ctx, const CommandReply &reply) {
             QJsonObject a = ctx.args;
             QString act = action;
             if (act.isEmpty()) { // engine.action: the name and args come from the request
                 act = ctx.args.value(QStringLiteral("name")).toString();
                 const EngineActionSpec *spec = findEngineAction(act);
                 if (!spec)
                     return reply(notFound(QStringLiteral("engine action")));
                 // Only connect and disconnect are operator actions; the rest are admin's.
                 if (ctx.role < spec->role)
                     return reply(CommandOutcome::failure(
                         text(Error::Forbidden),
                         QStringLiteral("engine action '%1' needs the %2 role").arg(act, roleName(spec->role))));
                 // The action's own schema, as strict as a command's: nothing unchecked reaches
                 // the engine.
                 QString why;
                 const QJsonObject given = ctx.args.value(QStringLiteral("args")).toObject();
                 if (given.contains(QStringLiteral("id")) || given.contains(QStringLiteral("type")))
                     return reply(
                         CommandOutcome::failure(text(Error::InvalidFormat), QStringLiteral("args: unknown argument")));
                 const auto checked =
                     CommandRegistry::validate(CommandSpec {act, spec->role, {}, spec->args, {}}, given, &why);
                 if (!checked)
                     return reply(CommandOutcome::failure(text(Error::InvalidFormat), QStringLiteral("args: ") + why));
                 if (spec->check) {
                     why = spec->check(*checked);
                     if (!why.isEmpty())
                         return reply(
                             CommandOutcome::failure(text(Error::InvalidFormat), QStringLiteral("args: ") + why));
                 }
                 a = *checked;
             }
             // Continue on the server's thread (`context` lives there) whatever thread finishes
             // the future; a cancelled future still gets its one answer.
             backend.engineAction(act, a)
                 .then(context,
                       [reply](const EngineActionResult &res) {
                           reply(res.ok ? CommandOutcome::success(res.result.isUndefined() ? QJsonValue(QJsonObject {})
                                                                                           : res.result)
                                        : CommandOutcome::failure(res.code, res.message));
                       })
                 .onCanceled(context, [reply] {
                     reply(CommandOutcome::failure(text(Error::EngineError),
                                                   QStringLiteral("the engine action was cancelled")));
                 });
         }});
}

// The values of a bypass or streaming list edit are checked by the kind the list holds.
QString checkListEdit(const QJsonObject &a)
{
    const QString list = a.value(QStringLiteral("list")).toString();
    const K kind = list == QLatin1String("domains") ? K::Domain
                   : list == QLatin1String("ipv4")  ? K::Ipv4Prefix
                   : list == QLatin1String("ipv6")  ? K::Ipv6Prefix
                                                    : K::PortRule;
    const QJsonArray values = a.value(QStringLiteral("values")).toArray();
    if (values.isEmpty() && a.value(QStringLiteral("op")).toString() != QLatin1String("set"))
        return QStringLiteral("'values': at least one value to add or remove");
    for (const QJsonValue &v : values)
        if (const QString why = checkString(v.toString(), kind, 253); !why.isEmpty())
            return QStringLiteral("'values': %1").arg(why);
    return {};
}

} // namespace

const QList<EngineActionSpec> &engineActions()
{
    static const QList<EngineActionSpec> actions = [] {
        const QString all = QStringLiteral("all");
        const QString speedify = QStringLiteral("speedify");
        const QString speedifyOrOwn = QStringLiteral("speedify, selfhosted");
        const auto adapter = [] { return ArgSpec::string(QStringLiteral("adapter"), K::InterfaceName, 15); };
        const auto enabled = [] { return ArgSpec::boolean(QStringLiteral("enabled")); };
        const QStringList directional {QStringLiteral("on"), QStringLiteral("backup_off"),
                                       QStringLiteral("strict_off")};
        const QList<ArgSpec> listEdit {
            ArgSpec::oneOf(QStringLiteral("list"), {QStringLiteral("domains"), QStringLiteral("ipv4"),
                                                    QStringLiteral("ipv6"), QStringLiteral("ports")}),
            ArgSpec::oneOf(QStringLiteral("op"), {QStringLiteral("add"), QStringLiteral("rem"), QStringLiteral("set")}),
            // A coarse first check; each value is checked again by the list's kind (checkListEdit).
            ArgSpec::list(QStringLiteral("values"), K::Glob, 100, 253)};
        // speedtest and streamtest: of the tunnel, one adapter or one WAN.
        const auto adapterOrWan = [](const QJsonObject &a) {
            return a.contains(QStringLiteral("adapter")) && a.contains(QStringLiteral("wan"))
                       ? QStringLiteral("give an adapter or a WAN, not both")
                       : QString();
        };
        constexpr qint64 MaxBps = 1000000000000LL; // 1 Tbit/s
        return QList<EngineActionSpec> {
            {QStringLiteral("status"),
             Role::Admin,
             all,
             QStringLiteral("The engine's status (as in the engine slice)."),
             {}},
            {QStringLiteral("log_tail"),
             Role::Admin,
             all,
             QStringLiteral("The last lines of the engine's log."),
             {ArgSpec::integer(QStringLiteral("lines"), 1, 1000).optional()}},
            {QStringLiteral("connect"),
             Role::Operator,
             speedifyOrOwn,
             QStringLiteral("Connect, optionally to a server (closest, public, private, p2p, last, a country [city "
                            "[number]], a tag, or #tag to lock to it); self-hosted: no server, its pairing's."),
             {ArgSpec::string(QStringLiteral("server"), K::Server, 64).optional()}},
            {QStringLiteral("disconnect"), Role::Operator, speedifyOrOwn, QStringLiteral("Disconnect."), {}},
            {QStringLiteral("login"),
             Role::Admin,
             speedify,
             QStringLiteral("Log in to a Speedify account."),
             {ArgSpec::string(QStringLiteral("user"), K::Account, 128),
              ArgSpec::string(QStringLiteral("password"), K::Password, 256)}},
            {QStringLiteral("login_auto"),
             Role::Admin,
             speedify,
             QStringLiteral("Log in with a free automatic account."),
             {}},
            {QStringLiteral("logout"), Role::Admin, speedify, QStringLiteral("Log out."), {}},
            {QStringLiteral("servers"),
             Role::Admin,
             speedify,
             QStringLiteral("The servers (public and private; test servers left out)."),
             {}},
            {QStringLiteral("version"), Role::Admin, speedify, QStringLiteral("Speedify's version."), {}},
            {QStringLiteral("set_mode"),
             Role::Admin,
             speedifyOrOwn,
             QStringLiteral("The bonding mode (self-hosted: until the engine restarts; engine.selfhosted.mode "
                            "lasts)."),
             {ArgSpec::oneOf(QStringLiteral("mode"),
                             {QStringLiteral("speed"), QStringLiteral("redundant"), QStringLiteral("streaming")})}},
            {QStringLiteral("set_transport"),
             Role::Admin,
             speedify,
             QStringLiteral("The transport."),
             {ArgSpec::oneOf(QStringLiteral("transport"),
                             {QStringLiteral("auto"), QStringLiteral("tcp"), QStringLiteral("tcp-multi"),
                              QStringLiteral("udp"), QStringLiteral("https")})}},
            {QStringLiteral("set_encryption"),
             Role::Admin,
             speedify,
             QStringLiteral("Encrypt the tunnel."),
             {enabled()}},
            {QStringLiteral("set_jumbo"), Role::Admin, speedify, QStringLiteral("Jumbo packets."), {enabled()}},
            {QStringLiteral("set_packet_aggregation"),
             Role::Admin,
             speedify,
             QStringLiteral("Packet aggregation."),
             {enabled()}},
            {QStringLiteral("set_header_compression"),
             Role::Admin,
             speedify,
             QStringLiteral("Header compression."),
             {enabled()}},
            {QStringLiteral("set_overflow"),
             Role::Admin,
             speedify,
             QStringLiteral("Speed mode's overflow threshold: use secondary adapters above this rate."),
             {ArgSpec::number(QStringLiteral("mbps"), 0, 100000)}},
            {QStringLiteral("set_priority_overflow"),
             Role::Admin,
             speedify,
             QStringLiteral("The priority overflow threshold."),
             {ArgSpec::number(QStringLiteral("mbps"), 0, 100000)}},
            {QStringLiteral("set_max_redundant"),
             Role::Admin,
             speedify,
             QStringLiteral("Redundant mode's maximum number of connections."),
             {ArgSpec::integer(QStringLiteral("connections"), 1, 64)}},
            {QStringLiteral("adapter_priority"),
             Role::Admin,
             speedify,
             QStringLiteral("An adapter's priority (only while no WANs are configured: then the WANs' tiers rule)."),
             {adapter(),
              ArgSpec::oneOf(QStringLiteral("priority"),
                             {QStringLiteral("automatic"), QStringLiteral("always"), QStringLiteral("secondary"),
                              QStringLiteral("backup"), QStringLiteral("never")})}},
            {QStringLiteral("adapter_rate_limit"),
             Role::Admin,
             speedify,
             QStringLiteral("An adapter's rate limit in bits per second (0: none)."),
             {adapter(), ArgSpec::integer(QStringLiteral("down_bps"), 0, MaxBps),
              ArgSpec::integer(QStringLiteral("up_bps"), 0, MaxBps)}},
            {QStringLiteral("adapter_data_limit"),
             Role::Admin,
             speedify,
             QStringLiteral("An adapter's daily, daily boost or monthly data limit in bytes (null: unlimited); "
                            "reset_day (monthly: 1-31, 0 rolling 30 days)."),
             {adapter(),
              ArgSpec::oneOf(QStringLiteral("period"),
                             {QStringLiteral("daily"), QStringLiteral("dailyboost"), QStringLiteral("monthly")}),
              ArgSpec::integer(QStringLiteral("bytes"), 1, qint64(1) << 52).orNull(),
              ArgSpec::integer(QStringLiteral("reset_day"), 0, 31).optional()},
             [](const QJsonObject &a) {
                 return a.value(QStringLiteral("reset_day")).toInt() != 0 &&
                                a.value(QStringLiteral("period")).toString() != QLatin1String("monthly")
                            ? QStringLiteral("'reset_day' applies to the monthly limit only")
                            : QString();
             }},
            {QStringLiteral("adapter_overlimit_rate"),
             Role::Admin,
             speedify,
             QStringLiteral("An adapter's rate once over its data limit, in bits per second (0: stop using it)."),
             {adapter(), ArgSpec::integer(QStringLiteral("bps"), 0, MaxBps)}},
            {QStringLiteral("adapter_directional"),
             Role::Admin,
             speedify,
             QStringLiteral("An adapter's use per direction: on, backup_off or strict_off."),
             {adapter(), ArgSpec::oneOf(QStringLiteral("upload"), directional),
              ArgSpec::oneOf(QStringLiteral("download"), directional)}},
            {QStringLiteral("adapter_encryption"),
             Role::Admin,
             speedify,
             QStringLiteral("Encrypt one adapter's connections."),
             {adapter(), enabled()}},
            {QStringLiteral("reset_usage"),
             Role::Admin,
             speedify,
             QStringLiteral("Reset an adapter's usage counters."),
             {adapter()}},
            {QStringLiteral("streamingbypass_list"), Role::Admin, speedify,
             QStringLiteral("Edit a streaming bypass list (traffic that skips the tunnel)."), listEdit, checkListEdit},
            {QStringLiteral("streamingbypass_service"),
             Role::Admin,
             speedify,
             QStringLiteral("Turn the streaming bypass of one service (e.g. Netflix) on or off."),
             {ArgSpec::string(QStringLiteral("service"), K::Label, 64), enabled()}},
            {QStringLiteral("streaming_list"), Role::Admin, speedify,
             QStringLiteral("Edit a list of traffic Speedify treats as streaming (prioritised)."), listEdit,
             checkListEdit},
            {QStringLiteral("speedtest"),
             Role::Admin,
             speedify,
             QStringLiteral("A speed test through the tunnel, or of one adapter or WAN."),
             {adapter().optional(), ArgSpec::string(QStringLiteral("wan"), K::Name, 32).optional()},
             adapterOrWan},
            {QStringLiteral("streamtest"),
             Role::Admin,
             speedify,
             QStringLiteral("A streaming test through the tunnel, or of one adapter or WAN."),
             {adapter().optional(), ArgSpec::string(QStringLiteral("wan"), K::Name, 32).optional()},
             adapterOrWan},
        };
    }();
    return actions;
}

const EngineActionSpec *findEngineAction(const QString &name)
{
    for (const EngineActionSpec &a : engineActions())
        if (a.name == name)
            return &a;
    return nullptr;
}

void registerApiCommands(CommandRegistry &r, ApiBackend &backend, AuthStore &auth, StateStore &state)
{
    // --- configuration ---------------------------------------------------------------------
    r.add({QStringLiteral("config.get"),
           Role::Admin,
           QStringLiteral("The current configuration as YAML."),
           {},
           [&backend](const CommandContext &, const CommandReply &reply) {
               reply(CommandOutcome::success(
                   QJsonObject {{QStringLiteral("path"), backend.configPath()},
                                {QStringLiteral("yaml"), QString::fromUtf8(ConfigWriter::toYaml(backend.config()))}}));
           }});
    r.add({QStringLiteral("config.validate"),
           Role::Admin,
           QStringLiteral("Check configuration YAML without applying it; invalid_format lists the errors."),
           {ArgSpec::string(QStringLiteral("yaml"), K::Yaml, int(ConfigLoader::MaxFileBytes))},
           [](const CommandContext &ctx, const CommandReply &reply) {
               ConfigErrors errors;
               if (ConfigLoader::loadString(ctx.args.value(QStringLiteral("yaml")).toString().toUtf8(),
                                            QStringLiteral("upload"), &errors))
                   return reply(CommandOutcome::success(QJsonObject {{QStringLiteral("valid"), true}}));
               reply(CommandOutcome::failure(text(Error::InvalidFormat), errors.value(0).toString(),
                                             QJsonObject {{QStringLiteral("errors"), errorsJson(errors)}}));
           }});
    r.add({QStringLiteral("config.apply"),
           Role::Admin,
           QStringLiteral("Validate, write atomically and apply configuration YAML without a restart."),
           {ArgSpec::string(QStringLiteral("yaml"), K::Yaml, int(ConfigLoader::MaxFileBytes))},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               ConfigErrors errors;
               if (backend.applyConfig(ctx.args.value(QStringLiteral("yaml")).toString().toUtf8(), &errors))
                   return reply(CommandOutcome::success());
               reply(CommandOutcome::failure(text(Error::InvalidFormat), errors.value(0).toString(),
                                             QJsonObject {{QStringLiteral("errors"), errorsJson(errors)}}));
           }});

    // --- WANs ------------------------------------------------------------------------------
    r.add(wanEdit(backend, QStringLiteral("wan.set_enabled"), Role::Operator, QStringLiteral("Turn a WAN on or off."),
                  {ArgSpec::boolean(QStringLiteral("enabled"))}, [](WanConfig &w, const QJsonObject &a) {
                      w.enabled = a.value(QStringLiteral("enabled")).toBool();
                      return CommandOutcome::success();
                  }));
    r.add({QStringLiteral("wan.rename"),
           Role::Admin,
           QStringLiteral("Rename a WAN (bypass rules follow)."),
           {wanArg(), ArgSpec::string(QStringLiteral("name"), K::Name, 32)},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               const QString from = ctx.args.value(QStringLiteral("wan")).toString();
               const QString to = ctx.args.value(QStringLiteral("name")).toString();
               WanConfig *w = findWan(c, from);
               if (!w)
                   return reply(notFound(QStringLiteral("WAN")));
               if (findWan(c, to))
                   return reply(CommandOutcome::failure(text(Error::Conflict), QStringLiteral("that name is taken")));
               w->name = to;
               for (BypassRule &b : c.routing.bypass)
                   if (b.via == from)
                       b.via = to;
               reply(apply(backend, c, ctx));
           }});
    r.add(wanEdit(
        backend, QStringLiteral("wan.set_priority"), Role::Admin, QStringLiteral("Set a WAN's priority tier."),
        {ArgSpec::oneOf(QStringLiteral("priority"), namesOf<WanPriority>())}, [](WanConfig &w, const QJsonObject &a) {
            w.priority = *configEnumFromString<WanPriority>(a.value(QStringLiteral("priority")).toString());
            return CommandOutcome::success();
        }));
    r.add(wanEdit(backend, QStringLiteral("wan.set_weight"), Role::Admin,
                  QStringLiteral("Set a WAN's weight (1..1000)."),
                  {ArgSpec::integer(QStringLiteral("weight"), 1, 1000)}, [](WanConfig &w, const QJsonObject &a) {
                      w.weight = a.value(QStringLiteral("weight")).toInt();
                      return CommandOutcome::success();
                  }));
    r.add(wanEdit(
        backend, QStringLiteral("wan.set_probe"), Role::Admin,
        QStringLiteral("Change a WAN's probe settings; members left out keep their values."),
        {ArgSpec::oneOf(QStringLiteral("method"), namesOf<ProbeMethod>()).optional(),
         ArgSpec::list(QStringLiteral("targets"), K::HostPort, 8, 50).optional(),
         ArgSpec::integer(QStringLiteral("interval_ms"), 100, 600000).optional(),
         ArgSpec::integer(QStringLiteral("timeout_ms"), 100, 60000).optional(),
         ArgSpec::integer(QStringLiteral("reliability"), 1, 8).optional(),
         ArgSpec::integer(QStringLiteral("down"), 1, 100).optional(),
         ArgSpec::integer(QStringLiteral("up"), 1, 100).optional()},
        [](WanConfig &w, const QJsonObject &a) {
            ProbeConfig &p = w.probe;
            if (a.contains(QStringLiteral("method"))) {
                p.method = *configEnumFromString<ProbeMethod>(a.value(QStringLiteral("method")).toString());
                p.targets = defaultProbeTargets(p.method);
            }
            if (a.contains(QStringLiteral("targets"))) {
                p.targets.clear();
                for (const QJsonValue &t : a.value(QStringLiteral("targets")).toArray()) {
                    QString s = t.toString();
                    quint16 port = p.method == ProbeMethod::Tcp ? 443 : p.method == ProbeMethod::Dns ? 53 : 0;
                    const int colon = s.lastIndexOf(QLatin1Char(':'));
                    const bool hasPort = s.startsWith(QLatin1Char('[')) ? s.contains(QLatin1String("]:"))
                                                                        : s.count(QLatin1Char(':')) == 1;
                    if (hasPort) {
                        if (p.method == ProbeMethod::Icmp)
                            return CommandOutcome::failure(text(Error::InvalidFormat),
                                                           QStringLiteral("icmp targets have no port"));
                        port = quint16(s.mid(colon + 1).toUInt());
                        s = s.left(colon);
                    }
                    s.remove(QLatin1Char('[')).remove(QLatin1Char(']'));
                    p.targets.append(ProbeTarget {QHostAddress(s), port});
                }
                if (p.targets.isEmpty())
                    return CommandOutcome::failure(text(Error::InvalidFormat), QStringLiteral("at least one target"));
            }
            p.intervalMs = a.value(QStringLiteral("interval_ms")).toInt(p.intervalMs);
            p.timeoutMs = a.value(QStringLiteral("timeout_ms")).toInt(std::min(p.timeoutMs, p.intervalMs));
            p.reliability =
                a.value(QStringLiteral("reliability")).toInt(std::min<int>(p.reliability, int(p.targets.size())));
            p.downRounds = a.value(QStringLiteral("down")).toInt(p.downRounds);
            p.upRounds = a.value(QStringLiteral("up")).toInt(p.upRounds);
            return CommandOutcome::success();
        }));
    r.add(wanEdit(backend, QStringLiteral("wan.set_caps"), Role::Admin,
                  QStringLiteral("Set a WAN's data caps (bytes; null removes a cap) and what happens at a cap."),
                  {ArgSpec::integer(QStringLiteral("daily_bytes"), 1, qint64(1) << 52).optional().orNull(),
                   ArgSpec::integer(QStringLiteral("monthly_bytes"), 1, qint64(1) << 52).optional().orNull(),
                   ArgSpec::integer(QStringLiteral("reset_day"), 1, 28).optional(),
                   ArgSpec::oneOf(QStringLiteral("action"), namesOf<CapAction>()).optional(),
                   ArgSpec::boolean(QStringLiteral("metered")).optional()},
                  [](WanConfig &w, const QJsonObject &a) {
                      auto bytes = [&](const char *key, std::optional<std::uint64_t> &target) {
                          const QJsonValue v = a.value(QLatin1String(key));
                          if (v.isNull())
                              target.reset();
                          else if (v.isDouble())
                              target = std::uint64_t(v.toDouble());
                      };
                      bytes("daily_bytes", w.caps.dailyBytes);
                      bytes("monthly_bytes", w.caps.monthlyBytes);
                      w.caps.resetDay = a.value(QStringLiteral("reset_day")).toInt(w.caps.resetDay);
                      if (a.contains(QStringLiteral("action")))
                          w.caps.action =
                              *configEnumFromString<CapAction>(a.value(QStringLiteral("action")).toString());
                      w.metered = a.value(QStringLiteral("metered")).toBool(w.metered);
                      return CommandOutcome::success();
                  }));
    r.add({QStringLiteral("wan.adopt"),
           Role::Admin,
           QStringLiteral("Add a newly found connection (a candidate) as a WAN, by interface name or match rule."),
           {ArgSpec::string(QStringLiteral("name"), K::Name, 32),
            ArgSpec::string(QStringLiteral("interface"), K::InterfaceName, 15).optional(),
            ArgSpec::string(QStringLiteral("mac"), K::Mac, 17).optional(),
            ArgSpec::string(QStringLiteral("permanent_mac"), K::Mac, 17).optional(),
            ArgSpec::string(QStringLiteral("device_path"), K::Glob, 200).optional(),
            ArgSpec::string(QStringLiteral("driver"), K::Name, 32).optional(),
            ArgSpec::oneOf(QStringLiteral("priority"), namesOf<WanPriority>()).optional(),
            ArgSpec::boolean(QStringLiteral("metered")).optional()},
           [&backend, &state](const CommandContext &ctx, const CommandReply &reply) {
               const QJsonObject &a = ctx.args;
               Config c = backend.config();
               WanConfig w;
               w.name = a.value(QStringLiteral("name")).toString();
               if (findWan(c, w.name))
                   return reply(CommandOutcome::failure(text(Error::Conflict), QStringLiteral("that name is taken")));
               w.interface = a.value(QStringLiteral("interface")).toString();
               w.match.mac = a.value(QStringLiteral("mac")).toString().toLower();
               w.match.permanentMac = a.value(QStringLiteral("permanent_mac")).toString().toLower();
               w.match.devicePath = a.value(QStringLiteral("device_path")).toString();
               w.match.driver = a.value(QStringLiteral("driver")).toString();
               if (w.interface.isEmpty() == w.match.isEmpty())
                   return reply(CommandOutcome::failure(text(Error::InvalidFormat),
                                                        QStringLiteral("give either interface or a match rule")));
               // Only a connection the daemon reported as a candidate can be adopted by interface.
               if (!w.interface.isEmpty()) {
                   bool known = false;
                   for (const QJsonValue &v : state.slice(QStringLiteral("candidates")).toArray())
                       known = known || v.toObject().value(QStringLiteral("interface")).toString() == w.interface;
                   if (!known)
                       return reply(notFound(QStringLiteral("candidate interface")));
               }
               if (a.contains(QStringLiteral("priority")))
                   w.priority = *configEnumFromString<WanPriority>(a.value(QStringLiteral("priority")).toString());
               w.metered = a.value(QStringLiteral("metered")).toBool(false);
               if (w.metered)
                   w.probe.intervalMs = ProbeConfig::DefaultIntervalMs * ProbeConfig::MeteredIntervalFactor;
               c.wans.append(w);
               reply(apply(backend, c, ctx));
           }});
    r.add({QStringLiteral("wan.remove"),
           Role::Admin,
           QStringLiteral("Remove a WAN from the configuration."),
           {wanArg()},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               const auto n = c.wans.removeIf(
                   [&](const WanConfig &w) { return w.name == ctx.args.value(QStringLiteral("wan")).toString(); });
               reply(n ? apply(backend, c, ctx) : notFound(QStringLiteral("WAN")));
           }});

    // --- routing ---------------------------------------------------------------------------
    r.add({QStringLiteral("routing.set_policy"),
           Role::Admin,
           QStringLiteral("Set the routing policy."),
           {ArgSpec::oneOf(QStringLiteral("policy"), namesOf<RoutingPolicy>())},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               c.routing.policy =
                   *configEnumFromString<RoutingPolicy>(ctx.args.value(QStringLiteral("policy")).toString());
               reply(apply(backend, c, ctx));
           }});
    r.add({QStringLiteral("routing.set_kill_switch"),
           Role::Admin,
           QStringLiteral("Turn the kill switch on or off."),
           {ArgSpec::boolean(QStringLiteral("enabled"))},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               c.routing.killSwitch = ctx.args.value(QStringLiteral("enabled")).toBool();
               reply(apply(backend, c, ctx));
           }});
    {
        QList<ArgSpec> args = bypassArgs();
        args.prepend(ArgSpec::string(QStringLiteral("name"), K::Name, 32));
        r.add({QStringLiteral("routing.bypass.create"), Role::Admin, QStringLiteral("Add a bypass rule."), args,
               [&backend](const CommandContext &ctx, const CommandReply &reply) {
                   Config c = backend.config();
                   BypassRule rule;
                   rule.name = ctx.args.value(QStringLiteral("name")).toString();
                   for (const BypassRule &b : std::as_const(c.routing.bypass))
                       if (b.name == rule.name)
                           return reply(
                               CommandOutcome::failure(text(Error::Conflict), QStringLiteral("that name is taken")));
                   if (const QString why = bypassFromArgs(ctx.args, rule); !why.isEmpty())
                       return reply(CommandOutcome::failure(text(Error::InvalidFormat), why));
                   if (!rule.via.isEmpty() && !findWan(c, rule.via))
                       return reply(notFound(QStringLiteral("WAN")));
                   c.routing.bypass.append(rule);
                   reply(apply(backend, c, ctx));
               }});
        r.add({QStringLiteral("routing.bypass.update"), Role::Admin,
               QStringLiteral("Change a bypass rule; members left out keep their values."), args,
               [&backend](const CommandContext &ctx, const CommandReply &reply) {
                   Config c = backend.config();
                   for (BypassRule &b : c.routing.bypass) {
                       if (b.name != ctx.args.value(QStringLiteral("name")).toString())
                           continue;
                       if (const QString why = bypassFromArgs(ctx.args, b); !why.isEmpty())
                           return reply(CommandOutcome::failure(text(Error::InvalidFormat), why));
                       if (!b.via.isEmpty() && !findWan(c, b.via))
                           return reply(notFound(QStringLiteral("WAN")));
                       return reply(apply(backend, c, ctx));
                   }
                   reply(notFound(QStringLiteral("bypass rule")));
               }});
    }
    r.add({QStringLiteral("routing.bypass.delete"),
           Role::Admin,
           QStringLiteral("Remove a bypass rule."),
           {ArgSpec::string(QStringLiteral("name"), K::Name, 32)},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               const auto n = c.routing.bypass.removeIf(
                   [&](const BypassRule &b) { return b.name == ctx.args.value(QStringLiteral("name")).toString(); });
               reply(n ? apply(backend, c, ctx) : notFound(QStringLiteral("bypass rule")));
           }});

    // --- engine ----------------------------------------------------------------------------
    r.add({QStringLiteral("engine.set_type"),
           Role::Admin,
           QStringLiteral("Choose the bonding engine."),
           // Not "type": that member of a request is the command's name.
           {ArgSpec::oneOf(QStringLiteral("engine"), namesOf<EngineType>())},
           [&backend](const CommandContext &ctx, const CommandReply &reply) {
               Config c = backend.config();
               c.engine.type = *configEnumFromString<EngineType>(ctx.args.value(QStringLiteral("engine")).toString());
               reply(apply(backend, c, ctx));
           }});
    engineCommand(r, backend, &auth, QStringLiteral("engine.connect"), QStringLiteral("connect"), Role::Operator,
                  QStringLiteral("Connect the engine (optionally to a server)."),
                  {ArgSpec::string(QStringLiteral("server"), K::Server, 64).optional()});
    engineCommand(r, backend, &auth, QStringLiteral("engine.disconnect"), QStringLiteral("disconnect"), Role::Operator,
                  QStringLiteral("Disconnect the engine."), {});
    engineCommand(
        r, backend, &auth, QStringLiteral("engine.action"), QString(), Role::Operator,
        QStringLiteral("An engine action by name, with its arguments (see Engine actions; connect/disconnect: "
                       "operator; others: admin)."),
        {ArgSpec::string(QStringLiteral("name"), K::Name, 32),
         ArgSpec::object(QStringLiteral("args"), 4096).optional().checkedByHandler()});
    engineCommand(r, backend, &auth, QStringLiteral("engine.pair"), QStringLiteral("pair"), Role::Admin,
                  QStringLiteral("Pair with a self-hosted server: the code smoothwan-server printed."),
                  {ArgSpec::string(QStringLiteral("code"), K::Password, 512)});
    engineCommand(r, backend, &auth, QStringLiteral("engine.unpair"), QStringLiteral("unpair"), Role::Admin,
                  QStringLiteral("Forget the self-hosted server's pairing."), {});
    engineCommand(r, backend, &auth, QStringLiteral("engine.log_tail"), QStringLiteral("log_tail"), Role::Admin,
                  QStringLiteral("The last lines of the engine's log."),
                  {ArgSpec::integer(QStringLiteral("lines"), 1, 1000).optional()});
    engineCommand(r, backend, &auth, QStringLiteral("speedtest.run"), QStringLiteral("speedtest"), Role::Admin,
                  QStringLiteral("Run a speed test through the engine (or one WAN)."),
                  {ArgSpec::string(QStringLiteral("wan"), K::Name, 32).optional()});

    // --- users and tokens ------------------------------------------------------------------
    const QStringList roles {QStringLiteral("viewer"), QStringLiteral("operator"), QStringLiteral("admin")};
    auto userResult = [](const QString &code, const QString &message) {
        return code.isEmpty() ? CommandOutcome::success() : CommandOutcome::failure(code, message);
    };
    r.add({QStringLiteral("users.list"),
           Role::Admin,
           QStringLiteral("The users and their roles."),
           {},
           [&auth](const CommandContext &, const CommandReply &reply) {
               reply(CommandOutcome::success(QJsonObject {{QStringLiteral("users"), auth.users()}}));
           }});
    r.add({QStringLiteral("users.setup"),
           Role::Viewer,
           QStringLiteral("First start: create the admin. Only while no admin exists, only over the local token."),
           {ArgSpec::string(QStringLiteral("username"), K::Name, 32),
            ArgSpec::string(QStringLiteral("password"), K::Password, 256)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               if (!ctx.local)
                   return reply(CommandOutcome::failure(text(Error::Forbidden),
                                                        QStringLiteral("setup is only possible on the router itself")));
               if (auth.hasAdmin())
                   return reply(
                       CommandOutcome::failure(text(Error::Conflict), QStringLiteral("an admin exists already")));
               QString message;
               const QString code = auth.createUser(ctx.args.value(QStringLiteral("username")).toString(), Role::Admin,
                                                    ctx.args.value(QStringLiteral("password")).toString(), &message);
               reply(userResult(code, message));
           }});
    r.add({QStringLiteral("users.create"),
           Role::Admin,
           QStringLiteral("Add a user."),
           {ArgSpec::string(QStringLiteral("username"), K::Name, 32), ArgSpec::oneOf(QStringLiteral("role"), roles),
            ArgSpec::string(QStringLiteral("password"), K::Password, 256)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               QString message;
               const QString code = auth.createUser(ctx.args.value(QStringLiteral("username")).toString(),
                                                    *roleFromName(ctx.args.value(QStringLiteral("role")).toString()),
                                                    ctx.args.value(QStringLiteral("password")).toString(), &message);
               reply(userResult(code, message));
           }});
    r.add({QStringLiteral("users.set_password"),
           Role::Viewer,
           QStringLiteral("Change a password: one's own (any role), or anyone's (admin)."),
           {ArgSpec::string(QStringLiteral("username"), K::Name, 32),
            ArgSpec::string(QStringLiteral("password"), K::Password, 256)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               const QString user = ctx.args.value(QStringLiteral("username")).toString();
               if (ctx.role < Role::Admin && user != ctx.user)
                   return reply(CommandOutcome::failure(text(Error::Forbidden),
                                                        QStringLiteral("only an admin changes others' passwords")));
               QString message;
               reply(userResult(auth.setPassword(user, ctx.args.value(QStringLiteral("password")).toString(), &message),
                                message));
           }});
    r.add({QStringLiteral("users.set_role"),
           Role::Admin,
           QStringLiteral("Change a user's role."),
           {ArgSpec::string(QStringLiteral("username"), K::Name, 32), ArgSpec::oneOf(QStringLiteral("role"), roles)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               QString message;
               reply(
                   userResult(auth.setRole(ctx.args.value(QStringLiteral("username")).toString(),
                                           *roleFromName(ctx.args.value(QStringLiteral("role")).toString()), &message),
                              message));
           }});
    r.add({QStringLiteral("users.delete"),
           Role::Admin,
           QStringLiteral("Remove a user (and their device tokens)."),
           {ArgSpec::string(QStringLiteral("username"), K::Name, 32)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               QString message;
               reply(userResult(auth.deleteUser(ctx.args.value(QStringLiteral("username")).toString(), &message),
                                message));
           }});
    r.add({QStringLiteral("tokens.list"),
           Role::Admin,
           QStringLiteral("The device tokens (names, never values)."),
           {},
           [&auth](const CommandContext &, const CommandReply &reply) {
               reply(CommandOutcome::success(QJsonObject {{QStringLiteral("tokens"), auth.deviceTokens()}}));
           }});
    r.add({QStringLiteral("tokens.create"),
           Role::Admin,
           QStringLiteral("Make a named device token with a role; its value is shown only in this result."),
           {ArgSpec::string(QStringLiteral("name"), K::Label, 64), ArgSpec::oneOf(QStringLiteral("role"), roles)},
           [&auth](const CommandContext &ctx, const CommandReply &reply) {
               QString token;
               QString message;
               const QString code = auth.createDeviceToken(
                   ctx.args.value(QStringLiteral("name")).toString(), ctx.user,
                   *roleFromName(ctx.args.value(QStringLiteral("role")).toString()), &token, &message);
               if (!code.isEmpty())
                   return reply(CommandOutcome::failure(code, message));
               reply(CommandOutcome::success(QJsonObject {{QStringLiteral("token"), token}}));
           }});
    r.add({QStringLiteral("tokens.revoke"),
           Role::Admin,
           QStringLiteral("Revoke a device token by name."),
           {ArgSpec::string(QStringLiteral("name"), K::Label, 64)},
           [&auth, userResult](const CommandContext &ctx, const CommandReply &reply) {
               QString message;
               reply(userResult(auth.revokeDeviceToken(ctx.args.value(QStringLiteral("name")).toString(), &message),
                                message));
           }});

    // --- events ----------------------------------------------------------------------------
    r.add({QStringLiteral("events.list"),
           Role::Viewer,
           QStringLiteral("The recent events, oldest first."),
           {ArgSpec::integer(QStringLiteral("limit"), 1, StateStore::MaxEvents).optional()},
           [&state](const CommandContext &ctx, const CommandReply &reply) {
               const QJsonArray all = state.slice(QStringLiteral("events")).toArray();
               const int limit = ctx.args.value(QStringLiteral("limit")).toInt(StateStore::MaxEvents);
               QJsonArray out;
               for (qsizetype i = std::max<qsizetype>(0, all.size() - limit); i < all.size(); ++i)
                   out.append(all.at(i));
               reply(CommandOutcome::success(QJsonObject {{QStringLiteral("events"), out}}));
           }});
}

} // namespace smoothwan

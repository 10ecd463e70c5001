// SPDX-License-Identifier: GPL-3.0-or-later
#include "EngineActions.h"

#include "EngineManager.h"
#include "SelfHostedEngine.h"
#include "SpeedifyAdapter.h"

#include <QtCore/QJsonArray>

#include <algorithm>
#include <cmath>

namespace smoothwan {

namespace {

EngineResult failure(const QString &kind, const QString &message)
{
    EngineResult r;
    r.ok = false;
    r.errorKind = kind;
    r.message = message;
    return r;
}

QString str(const QJsonObject &args, const char *key)
{
    return args.value(QLatin1String(key)).toString();
}

qint64 integer(const QJsonObject &args, const char *key)
{
    return qint64(std::llround(args.value(QLatin1String(key)).toDouble()));
}

QStringList strings(const QJsonObject &args, const char *key)
{
    QStringList out;
    for (const QJsonValue &v : args.value(QLatin1String(key)).toArray())
        out.append(v.toString());
    return out;
}

bool knownAdapter(const SpeedifyAdapter &speedify, const QString &id)
{
    for (const SpeedifyAdapterInfo &a : speedify.speedifyAdapters())
        if (a.adapterId == id)
            return true;
    return false;
}

} // namespace

QString engineErrorCode(const QString &errorKind)
{
    static const QStringList passed {QStringLiteral("not_found"), QStringLiteral("unavailable"),
                                     QStringLiteral("conflict"), QStringLiteral("invalid_format"),
                                     QStringLiteral("internal")};
    return passed.contains(errorKind) ? errorKind : QStringLiteral("engine_error");
}

void runEngineAction(EngineManager &engines, const QString &name, const QJsonObject &args, EngineCallback done)
{
    // The self-hosted engine's pairing needs no running engine (pair first, then choose it).
    if (name == QLatin1String("pair")) {
        done(engines.pair(str(args, "code")));
        return;
    }
    if (name == QLatin1String("unpair")) {
        done(engines.unpair());
        return;
    }
    Engine *engine = engines.engine();
    if (!engine) {
        done(failure(QStringLiteral("unavailable"), QStringLiteral("no bonding engine is configured")));
        return;
    }
    if (name == QLatin1String("status")) {
        done({true, {}, {}, engine->status()});
        return;
    }
    if (name == QLatin1String("log_tail")) {
        const QJsonArray all = engine->status().value(QStringLiteral("logTail")).toArray();
        const int lines = std::clamp(args.value(QStringLiteral("lines")).toInt(100), 1, 1000);
        done({true,
              {},
              {},
              QJsonArray::fromVariantList(all.toVariantList().mid(std::max<qsizetype>(0, all.size() - lines)))});
        return;
    }
    if (auto *own = qobject_cast<SelfHostedEngine *>(engine)) {
        if (name == QLatin1String("connect") && !args.contains(QStringLiteral("server"))) {
            own->connectTunnel();
        } else if (name == QLatin1String("disconnect")) {
            own->disconnectTunnel();
        } else if (name == QLatin1String("set_mode")) {
            own->setMode(*configEnumFromString<SelfHostedMode>(str(args, "mode")));
        } else {
            done(failure(QStringLiteral("not_found"),
                         name == QLatin1String("connect")
                             ? QStringLiteral("the self-hosted engine has one server, its pairing: connect takes no "
                                              "server")
                             : QStringLiteral("the self-hosted engine has no action '%1'").arg(name)));
            return;
        }
        done({true, {}, {}, own->status()});
        return;
    }
    auto *speedify = qobject_cast<SpeedifyAdapter *>(engine);
    if (!speedify) {
        done(failure(QStringLiteral("not_found"),
                     QStringLiteral("%1 has no action '%2'; it is configured through the configuration")
                         .arg(engine->type(), name)));
        return;
    }

    // Arguments that name an adapter must name one of Speedify's, before anything runs.
    QString adapter = str(args, "adapter");
    if (args.contains(QStringLiteral("adapter")) && !knownAdapter(*speedify, adapter)) {
        done(failure(QStringLiteral("not_found"), QStringLiteral("Speedify has no adapter '%1'").arg(adapter)));
        return;
    }
    if (const QString wan = str(args, "wan"); !wan.isEmpty()) { // speedtest of one WAN
        adapter = speedify->adapterForWan(wan);
        if (adapter.isEmpty()) {
            done(failure(QStringLiteral("not_found"),
                         QStringLiteral("WAN '%1' is not one of Speedify's adapters").arg(wan)));
            return;
        }
    }
    const QString owner = speedify->wanFor(adapter);

    if (name == QLatin1String("connect")) {
        const QString server = str(args, "server");
        speedify->connectServer(server.isEmpty() ? QStringList {} : server.split(u' ', Qt::SkipEmptyParts), done);
    } else if (name == QLatin1String("disconnect")) {
        speedify->disconnectServer(done);
    } else if (name == QLatin1String("login")) {
        speedify->login(str(args, "user"), str(args, "password"), done);
    } else if (name == QLatin1String("login_auto")) {
        speedify->loginAuto(done);
    } else if (name == QLatin1String("logout")) {
        speedify->logout(done);
    } else if (name == QLatin1String("servers")) {
        speedify->servers(done);
    } else if (name == QLatin1String("version")) {
        speedify->version(done);
    } else if (name == QLatin1String("set_mode")) {
        speedify->setMode(str(args, "mode"), done);
    } else if (name == QLatin1String("set_transport")) {
        speedify->setTransport(str(args, "transport"), done);
    } else if (name == QLatin1String("set_encryption")) {
        speedify->setToggle(QStringLiteral("encryption"), args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("set_jumbo")) {
        speedify->setToggle(QStringLiteral("jumbo"), args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("set_packet_aggregation")) {
        speedify->setToggle(QStringLiteral("packetaggr"), args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("set_header_compression")) {
        speedify->setToggle(QStringLiteral("headercompression"), args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("set_overflow")) {
        speedify->setOverflow(args.value(QStringLiteral("mbps")).toDouble(), done);
    } else if (name == QLatin1String("set_priority_overflow")) {
        speedify->setPriorityOverflow(args.value(QStringLiteral("mbps")).toDouble(), done);
    } else if (name == QLatin1String("set_max_redundant")) {
        speedify->setMaxRedundant(int(integer(args, "connections")), done);
    } else if (name == QLatin1String("adapter_priority")) {
        if (speedify->mapsWans()) {
            done(failure(
                QStringLiteral("conflict"),
                owner.isEmpty()
                    ? QStringLiteral("%1 is not a WAN: SmoothWAN keeps it at 'never'").arg(adapter)
                    : QStringLiteral("%1 is WAN '%2': set its priority with wan.set_priority").arg(adapter, owner)));
            return;
        }
        speedify->setAdapterPriority(adapter, str(args, "priority"), done);
    } else if (name == QLatin1String("adapter_rate_limit")) {
        speedify->setAdapterRateLimit(adapter, integer(args, "down_bps"), integer(args, "up_bps"), done);
    } else if (name == QLatin1String("adapter_data_limit")) {
        const QString period = str(args, "period");
        if (!owner.isEmpty() && period != QLatin1String("dailyboost")) {
            done(failure(QStringLiteral("conflict"),
                         QStringLiteral("%1 is WAN '%2': set its caps with wan.set_caps").arg(adapter, owner)));
            return;
        }
        const QJsonValue bytes = args.value(QStringLiteral("bytes"));
        speedify->setAdapterDataLimit(adapter, period,
                                      bytes.isDouble() ? std::optional<qint64>(integer(args, "bytes")) : std::nullopt,
                                      int(integer(args, "reset_day")), done);
    } else if (name == QLatin1String("adapter_overlimit_rate")) {
        speedify->setAdapterOverlimitRateLimit(adapter, integer(args, "bps"), done);
    } else if (name == QLatin1String("adapter_directional")) {
        speedify->setAdapterDirectionalMode(adapter, str(args, "upload"), str(args, "download"), done);
    } else if (name == QLatin1String("adapter_encryption")) {
        speedify->setAdapterEncryption(adapter, args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("reset_usage")) {
        speedify->resetAdapterUsage(adapter, done);
    } else if (name == QLatin1String("streamingbypass_list") || name == QLatin1String("streaming_list")) {
        speedify->editList(name == QLatin1String("streaming_list") ? QStringLiteral("streaming")
                                                                   : QStringLiteral("streamingbypass"),
                           str(args, "list"), str(args, "op"), strings(args, "values"), done);
    } else if (name == QLatin1String("streamingbypass_service")) {
        const QString service = str(args, "service");
        const auto &known = speedify->streamingBypass().services;
        if (!known.isEmpty() &&
            std::none_of(known.begin(), known.end(), [&](const auto &s) { return s.first == service; })) {
            done(failure(QStringLiteral("not_found"),
                         QStringLiteral("Speedify has no streaming service '%1'").arg(service)));
            return;
        }
        speedify->setBypassService(service, args.value(QStringLiteral("enabled")).toBool(), done);
    } else if (name == QLatin1String("speedtest") || name == QLatin1String("streamtest")) {
        speedify->speedTest(name == QLatin1String("streamtest"), adapter, done);
    } else {
        done(failure(QStringLiteral("not_found"), QStringLiteral("Speedify has no action '%1'").arg(name)));
    }
}

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "EngineActions.h"

#include "EngineManager.h"
#include "SpeedifyAdapter.h"

#include <QtCore/QJsonArray>

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

} // namespace

void runEngineAction(EngineManager &engines, const QString &name, const QJsonObject &args, EngineCallback done)
{
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
    auto *speedify = qobject_cast<SpeedifyAdapter *>(engine);
    if (!speedify) {
        done(failure(QStringLiteral("not_found"), QStringLiteral("%1 has no action '%2'").arg(engine->type(), name)));
        return;
    }
    const QString text = args.value(QStringLiteral("server")).toString();
    if (name == QLatin1String("connect")) {
        speedify->connectServer(text.isEmpty() ? QStringList {} : text.split(u' ', Qt::SkipEmptyParts), done);
    } else if (name == QLatin1String("disconnect")) {
        speedify->disconnectServer(done);
    } else if (name == QLatin1String("login")) {
        speedify->login(args.value(QStringLiteral("user")).toString(),
                        args.value(QStringLiteral("password")).toString(), done);
    } else if (name == QLatin1String("login_auto")) {
        speedify->loginAuto(done);
    } else if (name == QLatin1String("logout")) {
        speedify->logout(done);
    } else if (name == QLatin1String("servers")) {
        speedify->servers(done);
    } else if (name == QLatin1String("set_mode")) {
        speedify->setMode(args.value(QStringLiteral("mode")).toString(), done);
    } else if (name == QLatin1String("set_transport")) {
        speedify->setTransport(args.value(QStringLiteral("transport")).toString(), done);
    } else if (name == QLatin1String("speedtest") || name == QLatin1String("streamtest")) {
        speedify->speedTest(name == QLatin1String("streamtest"), args.value(QStringLiteral("adapter")).toString(),
                            done);
    } else if (name == QLatin1String("version")) {
        speedify->version(done);
    } else if (name == QLatin1String("adapter_priority")) {
        speedify->setAdapterPriority(args.value(QStringLiteral("adapter")).toString(),
                                     args.value(QStringLiteral("priority")).toString(), done);
    } else if (name == QLatin1String("reset_usage")) {
        speedify->resetAdapterUsage(args.value(QStringLiteral("adapter")).toString(), done);
    } else {
        done(failure(QStringLiteral("not_found"), QStringLiteral("Speedify has no action '%1'").arg(name)));
    }
}

} // namespace smoothwan

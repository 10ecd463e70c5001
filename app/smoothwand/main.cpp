// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwand: the SmoothWAN backend service. Wires the Linux platform into the Daemon.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "ConfigLoader.h"
#include "ConfigStore.h"
#include "Daemon.h"
#include "EngineActions.h"
#include "EngineManager.h"
#include "LinuxLogging.h"
#include "LinuxProber.h"
#include "MptcpManager.h"
#include "NetlinkLinkMonitor.h"
#include "NetlinkMptcpEndpoints.h"
#include "NetlinkRouteApplier.h"
#include "SelfHostedEngine.h"
#include "StateStore.h"
#include "SystemdNotifier.h"
#include "TlsIdentity.h"
#include "UnixSignals.h"
#include "WireGuardUapi.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPromise>

#include <cstdio>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcMain, "smoothwan.daemon", QtInfoMsg)

namespace { } // namespace

int main(int argc, char *argv[])
{
    smoothwan::setUpServiceLogging();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smoothwand"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("SmoothWAN backend service: manages WAN links, their health, routing and the bonding engine,\n"
                       "and serves it all over a WebSocket API."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption({QStringLiteral("c"), QStringLiteral("config")},
                                          QStringLiteral("Configuration file (default /etc/smoothwan/config.yaml)."),
                                          QStringLiteral("file"), QStringLiteral("/etc/smoothwan/config.yaml"));
    const QCommandLineOption checkOption(QStringLiteral("check-config"),
                                         QStringLiteral("Check a configuration file, print the verdict and exit "
                                                        "(non-zero on error)."),
                                         QStringLiteral("file"));
    const QCommandLineOption stateOption(QStringLiteral("state-dir"),
                                         QStringLiteral("Directory for state kept across restarts, such as usage "
                                                        "totals (default /var/lib/smoothwan)."),
                                         QStringLiteral("dir"), QStringLiteral("/var/lib/smoothwan"));
    const QCommandLineOption cleanupOption(QStringLiteral("cleanup"),
                                           QStringLiteral("Remove every rule, route and nftables table SmoothWAN "
                                                          "added, and nothing else, then exit."));
    const QCommandLineOption relayOption(QStringLiteral("relay"),
                                         QStringLiteral("smoothwan-relay for the self-hosted engine (default: beside "
                                                        "smoothwand, then in PATH)."),
                                         QStringLiteral("program"));
    parser.addOption(configOption);
    parser.addOption(stateOption);
    parser.addOption(relayOption);
    parser.addOption(cleanupOption);
    parser.addOption(checkOption);
    parser.process(app);

    if (parser.isSet(checkOption)) {
        const QString file = parser.value(checkOption);
        // The pure loader, not ConfigStore: checking a file must not create a last-good copy beside it.
        smoothwan::ConfigErrors errors;
        smoothwan::ConfigLoader::loadFile(file, &errors);
        for (const smoothwan::ConfigError &e : std::as_const(errors))
            std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        if (!errors.isEmpty()) {
            std::fprintf(stderr, "%s: %lld error(s)\n", qPrintable(file), static_cast<long long>(errors.size()));
            return 1;
        }
        std::printf("%s: OK\n", qPrintable(file));
        return 0;
    }

    if (parser.isSet(cleanupOption)) {
        smoothwan::NetlinkRouteApplier applier;
        QString error;
        if (!applier.cleanup(&error)) {
            std::fprintf(stderr, "smoothwand: cleanup incomplete: %s\n", qPrintable(error));
            return 1;
        }
        // The self-hosted engine's MPTCP endpoints (ids 100-199); a kernel without MPTCP has none.
        smoothwan::NetlinkMptcpEndpoints endpoints;
        smoothwan::MptcpManager manager(&endpoints);
        if (!manager.cleanup(&error))
            std::fprintf(stderr, "smoothwand: MPTCP endpoints not removed: %s\n", qPrintable(error));
        std::printf("smoothwand: removed SmoothWAN's rules, routes and nftables table\n");
        return 0;
    }

    smoothwan::SystemClock clock;
    smoothwan::StateStore state(clock);
    smoothwan::ConfigStore config(parser.value(configOption));
    smoothwan::NetlinkLinkMonitor links;
    smoothwan::LinuxProber prober;
    smoothwan::NetlinkRouteApplier routes;
    smoothwan::NetlinkMptcpEndpoints mptcp;
    smoothwan::Daemon daemon(clock, config, links, prober, routes, state, parser.value(stateOption));
    {
        // The self-hosted engine: wireguard-go through its UAPI socket, the kernel's MPTCP
        // endpoints through generic netlink, our relay.
        smoothwan::SelfHostedEngine::Options o;
        // A short timeout: the engine reads WireGuard's counters every second on the event loop.
        o.wireguard = [](const QString &interface) {
            return std::make_unique<smoothwan::WireGuardUapi>(
                interface, QString::fromLatin1(smoothwan::WireGuardUapi::DefaultSocketDir), 300);
        };
        o.mptcp = &mptcp;
        const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("smoothwan-relay"));
        o.relay = parser.isSet(relayOption)          ? parser.value(relayOption)
                  : QFileInfo(beside).isExecutable() ? beside
                                                     : QStringLiteral("smoothwan-relay");
        daemon.engines().setSelfHostedOptions(o);
    }
    smoothwan::SystemdNotifier systemd;
    smoothwan::UnixSignals signals;

    QObject::connect(&signals, &smoothwan::UnixSignals::terminateRequested, &app, [&](int sig) {
        qCInfo(lcMain) << "signal" << sig << "received, stopping";
        systemd.stopping();
        daemon.shutdown(); // a second signal is ignored while the engine stops
    });
    QObject::connect(&daemon, &smoothwan::Daemon::shutdownComplete, &app, &QCoreApplication::quit);
    QObject::connect(&signals, &smoothwan::UnixSignals::reloadRequested, &app, [&] {
        systemd.reloading();
        daemon.reload();
        systemd.ready(QStringLiteral("running"));
    });
    QString error;
    if (!daemon.start(&error)) {
        qCCritical(lcMain).noquote() << error;
        return 1;
    }

    // The API: every view (touchscreen, desktop, smoothwanctl) is a client of it.
    const QString stateDir = parser.value(stateOption);
    smoothwan::AuthStore auth(clock, QDir(stateDir).filePath(QStringLiteral("auth")),
                              QDir(stateDir).filePath(QStringLiteral("local-token")));
    if (!auth.load(&error)) {
        qCCritical(lcMain).noquote() << "cannot load the API's users and tokens:" << error;
        return 1;
    }
    smoothwan::ConfigStoreApiBackend apiBackend(config);
    apiBackend.setEngineHandler([&daemon](const QString &name, const QJsonObject &args) {
        auto promise = std::make_shared<QPromise<smoothwan::EngineActionResult>>();
        promise->start();
        QFuture<smoothwan::EngineActionResult> future = promise->future();
        smoothwan::runEngineAction(daemon.engines(), name, args, [promise](const smoothwan::EngineResult &r) {
            smoothwan::EngineActionResult out;
            out.ok = r.ok;
            out.result = r.data;
            out.message = r.message;
            if (!r.ok && !r.errorKind.isEmpty())
                out.code = smoothwan::engineErrorCode(r.errorKind);
            promise->addResult(out);
            promise->finish();
        });
        return future;
    });
    smoothwan::ApiServer api(clock, state, auth, apiBackend, {});
    smoothwan::registerApiCommands(api.commands(), apiBackend, auth, state);
    const auto listen = [&api, &daemon](const smoothwan::ApiConfig &c) {
        QString e;
        std::optional<smoothwan::TlsIdentity> tls;
        if (c.tls.enabled) {
            tls = smoothwan::TlsIdentity::ensure(c.tls.certPath, c.tls.keyPath, &e);
            if (!tls)
                qCWarning(lcMain).noquote() << "no TLS identity, non-loopback listeners stay closed:" << e;
        }
        QStringList refused;
        const QList<QHostAddress> addresses = daemon.apiListenAddresses(c.listen, &refused);
        for (const QString &why : std::as_const(refused))
            qCWarning(lcMain).noquote() << "API:" << why;
        if (!api.listen(addresses, c.port, tls, &e))
            qCWarning(lcMain).noquote() << "API:" << e;
    };
    listen(config.current().api);
    QObject::connect(&config, &smoothwan::ConfigStore::changed, &app,
                     [&api, &listen](const smoothwan::Config &before, const smoothwan::Config &after) {
                         if (before.api == after.api)
                             return;
                         api.stopListening();
                         listen(after.api);
                     });

    systemd.ready(QStringLiteral("running"));
    const int rc = QCoreApplication::exec();
    qCInfo(lcMain) << "stopped";
    return rc;
}

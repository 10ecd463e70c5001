// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-server: the VPS end of SmoothWAN's own engine (issue 8; docs/self-hosting.md).
//
//   smoothwan-server init --public-address ADDR [--state-dir DIR] [--force] [ports, tunnel...]
//   smoothwan-server run [--state-dir DIR]
//   smoothwan-server pairing-code [--state-dir DIR]
#include "LinuxLogging.h"
#include "PairingCode.h"
#include "ServerRunner.h"
#include "ServerState.h"
#include "UnixSignals.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFileInfo>

#include <cstdio>
#include <unistd.h>

using namespace smoothwan;
using namespace smoothwan::server;

namespace {

int fail(const QString &message, int code = 1)
{
    std::fprintf(stderr, "smoothwan-server: %s\n", qPrintable(message));
    return code;
}

bool readPort(const QCommandLineParser &p, const QString &option, quint16 *out, QString *error)
{
    if (!p.isSet(option))
        return true;
    bool ok = false;
    const int v = p.value(option).toInt(&ok);
    if (!ok || v < 1 || v > 65535) {
        *error = QStringLiteral("--%1 must be a port (1..65535)").arg(option);
        return false;
    }
    *out = quint16(v);
    return true;
}

int init(const QCommandLineParser &p, const QString &stateDir)
{
    if (!p.isSet(QStringLiteral("public-address")))
        return fail(QStringLiteral("init needs --public-address ADDRESS (the VPS's public IPv4 or IPv6 address)"), 2);
    if (QFileInfo::exists(ServerState::filePath(stateDir)) && !p.isSet(QStringLiteral("force")))
        return fail(QStringLiteral("%1 exists; `smoothwan-server pairing-code` prints its code again, "
                                   "`init --force` makes new keys (every router must then be paired again)")
                        .arg(ServerState::filePath(stateDir)),
                    2);
    ServerState s;
    s.publicAddress = p.value(QStringLiteral("public-address"));
    if (p.isSet(QStringLiteral("interface")))
        s.interfaceName = p.value(QStringLiteral("interface"));
    QString error;
    if (!readPort(p, QStringLiteral("relay-port"), &s.relayPort, &error) ||
        !readPort(p, QStringLiteral("ss-port"), &s.shadowsocksPort, &error) ||
        !readPort(p, QStringLiteral("wireguard-port"), &s.wireguardPort, &error) ||
        !readPort(p, QStringLiteral("ssh-port"), &s.sshPort, &error))
        return fail(error, 2);
    if (p.isSet(QStringLiteral("tunnel"))) {
        // SERVER/PREFIX; the client gets the next address.
        const QStringList parts = p.value(QStringLiteral("tunnel")).split(QLatin1Char('/'));
        bool ok = parts.size() == 2;
        const QStringList octets = ok ? parts[0].split(QLatin1Char('.')) : QStringList();
        ok = ok && octets.size() == 4 && octets[3].toInt() < 254;
        if (!ok)
            return fail(QStringLiteral("--tunnel must be SERVER-ADDRESS/PREFIX, e.g. 10.201.0.1/24"), 2);
        s.serverTunnelAddress = parts[0];
        s.clientTunnelAddress =
            QStringList {octets[0], octets[1], octets[2], QString::number(octets[3].toInt() + 1)}.join(
                QLatin1Char('.'));
        s.tunnelPrefix = parts[1].toInt();
    }
    s.generateSecrets();
    if (const QString e = s.validate(); !e.isEmpty())
        return fail(e, 2);
    if (!s.save(stateDir, &error))
        return fail(error);
    std::fprintf(stderr,
                 "smoothwan-server: keys and secrets written to %s (mode 0600).\n"
                 "Start the service (systemctl enable --now smoothwan-server), then enter this pairing code on the "
                 "router. Keep it secret: it holds the keys.\n",
                 qPrintable(ServerState::filePath(stateDir)));
    std::printf("%s\n", qPrintable(s.pairingCode().encode()));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    smoothwan::setUpServiceLogging();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smoothwan-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "SmoothWAN server (the VPS end of the own engine): WireGuard, smoothwan-relay, ss-server over MPTCP, NAT "
        "and a minimal firewall.\n\n"
        "Commands:\n"
        "  init          make keys and secrets, print the pairing code\n"
        "  run           set up and supervise the server ends (the systemd service)\n"
        "  pairing-code  print the pairing code again"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("init, run or pairing-code"));
    parser.addOptions({
        {QStringLiteral("state-dir"), QStringLiteral("Where keys and settings live."), QStringLiteral("dir"),
         QStringLiteral("/var/lib/smoothwan-server")},
        {QStringLiteral("public-address"), QStringLiteral("init: the VPS's public IPv4 or IPv6 address."),
         QStringLiteral("address")},
        {QStringLiteral("interface"), QStringLiteral("init: WireGuard interface name (default swserver0)."),
         QStringLiteral("name")},
        {QStringLiteral("relay-port"), QStringLiteral("init: UDP port of the relay (default 51821)."),
         QStringLiteral("port")},
        {QStringLiteral("ss-port"), QStringLiteral("init: TCP port of ss-server (default 8388)."),
         QStringLiteral("port")},
        {QStringLiteral("wireguard-port"),
         QStringLiteral("init: WireGuard's own UDP port, reached through the relay only (default 51820)."),
         QStringLiteral("port")},
        {QStringLiteral("ssh-port"), QStringLiteral("init: the SSH port the firewall keeps open (default 22)."),
         QStringLiteral("port")},
        {QStringLiteral("tunnel"), QStringLiteral("init: the server's tunnel address (default 10.201.0.1/24)."),
         QStringLiteral("cidr")},
        {QStringLiteral("force"), QStringLiteral("init: replace existing keys (routers must pair again).")},
        {QStringLiteral("relay"), QStringLiteral("run: the smoothwan-relay program."), QStringLiteral("path")},
        {QStringLiteral("no-firewall"), QStringLiteral("run: do not install the nftables table.")},
        {QStringLiteral("router-downlink-mbit"),
         QStringLiteral("run: the sum of the router's WAN download rates (Mbit/s); caps TCP's send buffer so a WAN "
                        "cut stalls a download for about 250 ms instead of up to a second or more "
                        "(docs/tcp-aggregation.md). 0 or not given: the kernel's autotuning."),
         QStringLiteral("mbit")},
    });
    parser.process(app);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(QStringLiteral("give one command: init, run or pairing-code (see --help)"), 2);
    const QString command = positional.first();
    const QString stateDir = parser.value(QStringLiteral("state-dir"));

    if (command == QLatin1String("init"))
        return init(parser, stateDir);
    if (command != QLatin1String("run") && command != QLatin1String("pairing-code"))
        return fail(QStringLiteral("unknown command \"%1\": init, run or pairing-code").arg(command.left(32)), 2);

    QString error;
    const auto state = ServerState::load(stateDir, &error);
    if (!state)
        return fail(error);
    if (command == QLatin1String("pairing-code")) {
        std::printf("%s\n", qPrintable(state->pairingCode().encode()));
        return 0;
    }

    ServerRunner::Programs programs;
    if (parser.isSet(QStringLiteral("relay"))) {
        programs.relay = parser.value(QStringLiteral("relay"));
    } else {
        const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("smoothwan-relay"));
        if (QFileInfo(beside).isExecutable())
            programs.relay = beside;
    }
    ServerRunner runner(*state, stateDir, programs, !parser.isSet(QStringLiteral("no-firewall")));
    if (parser.isSet(QStringLiteral("router-downlink-mbit"))) {
        bool ok = false;
        const int mbit = parser.value(QStringLiteral("router-downlink-mbit")).toInt(&ok);
        if (!ok || mbit < 0 || mbit > 100000)
            return fail(QStringLiteral("--router-downlink-mbit must be a whole number of Mbit/s from 0 to 100000"), 2);
        runner.setRouterDownlinkMbit(mbit);
    }
    UnixSignals signals;
    int exitCode = 0;
    QObject::connect(&signals, &UnixSignals::terminateRequested, &app, [&](int) {
        qCInfo(lcServer) << "stopping";
        runner.stop();
        QCoreApplication::exit(exitCode);
    });
    // Queued: fatal() comes from inside a supervisor's signal, and stop() destroys the supervisors.
    QObject::connect(
        &runner, &ServerRunner::fatal, &app,
        [&](const QString &message) {
            qCCritical(lcServer).noquote() << message;
            runner.stop();
            exitCode = 1;
            QCoreApplication::exit(1);
        },
        Qt::QueuedConnection);
    if (!runner.start(&error)) {
        runner.stop();
        return fail(error);
    }
    return app.exec();
}

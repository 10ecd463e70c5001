// SPDX-License-Identifier: GPL-3.0-or-later
// tinyfecVPN stand-in for SmoothWAN tests: accepts and validates the client's arguments as the real
// tinyvpn does (-c -r<ip:port> -f<x:y,...> --timeout --mode --mtu --tun-dev --sub-net
// --keep-reconnect -k), then stays running and logs a line per second. Environment:
//   TINYFEC_FAKE_ARGV_LOG=<file>     writes its argv there, one JSON array
//   TINYFEC_FAKE_CRASH_AFTER_MS=<n>  aborts after n ms

#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QTimer>

#include <cstdio>
#include <cstdlib>

namespace {
int invalid(const QString &why)
{
    std::fprintf(stderr, "[ERROR] %s\n", why.toUtf8().constData());
    return 255;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.contains(QStringLiteral("--version")) || args.contains(QStringLiteral("-h"))) {
        std::printf("tinyfecVPN stand-in for SmoothWAN tests\nusage: tinyvpn -c -r<ip:port> [options]\n");
        return 0;
    }
    if (const QByteArray log = qgetenv("TINYFEC_FAKE_ARGV_LOG"); !log.isEmpty()) {
        QFile f(QString::fromLocal8Bit(log));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(QJsonDocument(QJsonArray::fromStringList(args)).toJson(QJsonDocument::Compact));
    }
    bool client = false;
    QString remote;
    QString tun = QStringLiteral("tun100");
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&]() -> QString { return i + 1 < args.size() ? args[++i] : QString(); };
        static const QRegularExpression number(QStringLiteral("^[0-9]+$"));
        if (a == QLatin1String("-c")) {
            client = true;
        } else if (a.startsWith(QLatin1String("-r"))) {
            remote = a.mid(2);
            if (!QRegularExpression(QStringLiteral("^[^\\s:]+:[0-9]{1,5}$")).match(remote).hasMatch())
                return invalid(QStringLiteral("invalid remote address ") + remote);
        } else if (a.startsWith(QLatin1String("-f"))) {
            if (!QRegularExpression(QStringLiteral("^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$")).match(a.mid(2)).hasMatch())
                return invalid(QStringLiteral("invalid fec parameter ") + a.mid(2));
        } else if (a == QLatin1String("--timeout") || a == QLatin1String("--mtu")) {
            if (!number.match(value()).hasMatch())
                return invalid(QStringLiteral("invalid value for ") + a);
        } else if (a == QLatin1String("--mode")) {
            const QString m = value();
            if (m != QLatin1String("0") && m != QLatin1String("1"))
                return invalid(QStringLiteral("invalid mode"));
        } else if (a == QLatin1String("--tun-dev")) {
            tun = value();
            if (tun.isEmpty() || tun.size() > 15)
                return invalid(QStringLiteral("invalid tun name"));
        } else if (a == QLatin1String("--sub-net")) {
            if (!QRegularExpression(QStringLiteral("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$")).match(value()).hasMatch())
                return invalid(QStringLiteral("invalid sub-net"));
        } else if (a == QLatin1String("-k")) {
            value();
        } else if (a == QLatin1String("--keep-reconnect")) {
        } else {
            return invalid(QStringLiteral("unknown option ") + a);
        }
    }
    if (!client || remote.isEmpty())
        return invalid(QStringLiteral("-c and -r are required for a client"));

    std::printf("[INFO] tinyfecVPN stand-in: client to %s on %s\n", remote.toUtf8().constData(),
                tun.toUtf8().constData());
    std::fflush(stdout);
    QTimer tick;
    int n = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        std::printf("[INFO] stand-in heartbeat %d\n", ++n);
        std::fflush(stdout);
    });
    tick.start(1000);
    bool ok = false;
    const int crashAfter = qEnvironmentVariableIntValue("TINYFEC_FAKE_CRASH_AFTER_MS", &ok);
    if (ok)
        QTimer::singleShot(crashAfter, [] {
            std::printf("[FATAL] stand-in crashing as asked\n");
            std::fflush(stdout);
            std::abort();
        });
    return app.exec();
}

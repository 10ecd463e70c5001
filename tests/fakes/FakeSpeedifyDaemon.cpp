// SPDX-License-Identifier: GPL-3.0-or-later
// Speedify daemon stand-in for SmoothWAN tests (`speedify -d logs`, beside the speedify_cli
// stand-in). Its state lives in the CLI stand-in's directory; this process only marks the daemon
// as running: it writes its pid to $SPEEDIFY_FAKE_STATE_DIR/daemon.pid (the CLI stand-in answers
// "daemon not running" without it when SPEEDIFY_FAKE_NEEDS_DAEMON=1), logs, removes the pid file
// on SIGTERM, and aborts after $SPEEDIFY_FAKE_DAEMON_CRASH_AFTER_MS when set.

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTimer>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace {
QByteArray g_pidFile;

void onTerm(int)
{
    ::unlink(g_pidFile.constData());
    std::_Exit(0);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.value(0) == QLatin1String("--version")) {
        std::printf("speedify daemon stand-in for SmoothWAN tests\n");
        return 0;
    }
    if (args.value(0) != QLatin1String("-d") || args.size() < 2) {
        std::fprintf(stderr, "usage: speedify -d <log dir>\n");
        return 2;
    }
    const QByteArray dirEnv = qgetenv("SPEEDIFY_FAKE_STATE_DIR");
    const QString dir = dirEnv.isEmpty() ? QStringLiteral("/tmp/speedify-fake") : QString::fromLocal8Bit(dirEnv);
    QDir().mkpath(dir);
    g_pidFile = QFile::encodeName(dir + QStringLiteral("/daemon.pid"));
    QFile pid(QString::fromLocal8Bit(g_pidFile));
    if (!pid.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 1;
    pid.write(QByteArray::number(qint64(::getpid())));
    pid.close();
    std::signal(SIGTERM, onTerm);
    std::printf("[speedify] daemon stand-in started, pid %d, logs in %s\n", int(::getpid()),
                args.value(1).toUtf8().constData());
    std::fflush(stdout);
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [] {
        std::printf("[speedify] heartbeat\n");
        std::fflush(stdout);
    });
    tick.start(500);
    bool ok = false;
    const int crashAfter = qEnvironmentVariableIntValue("SPEEDIFY_FAKE_DAEMON_CRASH_AFTER_MS", &ok);
    if (ok)
        QTimer::singleShot(crashAfter, [] {
            std::printf("[speedify] fatal: stand-in crashing as asked\n");
            std::fflush(stdout);
            std::abort();
        });
    return app.exec();
}

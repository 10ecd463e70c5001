// SPDX-License-Identifier: GPL-3.0-or-later
// Speedify daemon stand-in for SmoothWAN tests (`speedify -d logs`, beside the speedify_cli
// stand-in). Its state lives in the CLI stand-in's directory; this process only marks the daemon
// as running: it writes its pid to $SPEEDIFY_FAKE_STATE_DIR/daemon.pid (the CLI stand-in answers
// "daemon not running" without it when SPEEDIFY_FAKE_NEEDS_DAEMON=1), logs, removes the pid file
// on SIGTERM, and aborts after $SPEEDIFY_FAKE_DAEMON_CRASH_AFTER_MS when set.
// Like the real daemon it holds the tunnel: while the state is CONNECTED and connectify0 exists
// (the CLI stand-in creates it), this process keeps it open, so it has carrier and the kernel
// routes into it; when this process dies the tunnel loses its carrier, as a crashed Speedify's
// would.

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace {
QByteArray g_pidFile;

// Holds connectify0 open while the stand-in's state says CONNECTED.
class TunnelHolder
{
public:
    explicit TunnelHolder(QString stateFile)
        : m_stateFile(std::move(stateFile))
    { }
    ~TunnelHolder() { release(); }

    void sync()
    {
        QFile f(m_stateFile);
        static const QRegularExpression connected(QStringLiteral("\"state\"\\s*:\\s*\"CONNECTED\""));
        const bool wanted = f.open(QIODevice::ReadOnly) && connected.match(QString::fromUtf8(f.readAll())).hasMatch();
        const unsigned index = ::if_nametoindex("connectify0");
        if (!wanted || index == 0 || index != m_index)
            release();
        if (!wanted || index == 0 || m_fd >= 0)
            return;
        const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        ifreq ifr {};
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", "connectify0");
        if (fd < 0 || ::ioctl(fd, TUNSETIFF, &ifr) != 0) {
            if (fd >= 0)
                ::close(fd);
            return;
        }
        m_fd = fd;
        m_index = index;
        m_reader = new QSocketNotifier(fd, QSocketNotifier::Read);
        QObject::connect(m_reader, &QSocketNotifier::activated, [fd] {
            char packet[65536];
            while (::read(fd, packet, sizeof packet) > 0) { } // a sink: the stand-in's tunnel has no far end
        });
        std::printf("[speedify] holding connectify0\n");
        std::fflush(stdout);
    }

private:
    void release()
    {
        delete m_reader;
        m_reader = nullptr;
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        m_index = 0;
    }

    QString m_stateFile;
    int m_fd = -1;
    unsigned m_index = 0;
    QSocketNotifier *m_reader = nullptr;
};

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
    TunnelHolder tunnel(dir + QStringLiteral("/daemon.json"));
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&tunnel] { tunnel.sync(); });
    if (::geteuid() == 0)
        poll.start(100);
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

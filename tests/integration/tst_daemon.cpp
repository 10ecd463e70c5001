// SPDX-License-Identifier: GPL-3.0-or-later
// The real smoothwand as a process: version and help, start-up, systemd notifications and
// watchdog, reload on SIGHUP (a bad file keeps the last good configuration), clean SIGTERM.
#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <csignal>
#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

const QString daemonPath = QStringLiteral(SMOOTHWAN_BINARY_DIR "/app/smoothwand/smoothwand");

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(content), content.size());
}

// A NOTIFY_SOCKET for the child: an abstract-namespace datagram socket, as systemd provides.
class NotifySocket
{
public:
    NotifySocket()
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        m_name = QByteArray("smoothwan-test-notify-") + QByteArray::number(::getpid());
        sockaddr_un addr = {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path + 1, m_name.constData(), m_name.size());
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr),
               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + m_name.size()));
    }
    ~NotifySocket() { ::close(m_fd); }
    QString address() const { return QLatin1Char('@') + QString::fromLatin1(m_name); }

    // Collects datagrams until one contains `needle` or the timeout expires.
    bool waitFor(const QByteArray &needle, int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            char buffer[4096];
            ssize_t n;
            while ((n = ::recv(m_fd, buffer, sizeof buffer, 0)) > 0) {
                const QByteArray message(buffer, static_cast<qsizetype>(n));
                m_received.append(message);
                if (message.contains(needle))
                    return true;
            }
            if (deadline.hasExpired())
                return false;
            QTest::qWait(10);
        }
    }
    void drain() { waitFor(QByteArray("\x01never\x01"), 0); }
    int count(const QByteArray &needle) const
    {
        int c = 0;
        for (const QByteArray &m : m_received)
            c += m.contains(needle) ? 1 : 0;
        return c;
    }

private:
    int m_fd = -1;
    QByteArray m_name;
    QList<QByteArray> m_received;
};

bool waitForOutput(QProcess &p, QByteArray &log, const QByteArray &needle, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!log.contains(needle) && !deadline.hasExpired()) {
        p.waitForReadyRead(50);
        log += p.readAll();
    }
    return log.contains(needle);
}

} // namespace

class TestDaemon : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelp()
    {
        QProcess p;
        p.start(daemonPath, {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("smoothwand " SMOOTHWAN_VERSION));

        p.start(daemonPath, {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(10000));
        const QByteArray help = p.readAllStandardOutput();
        QVERIFY(help.contains("--check-config"));
        QVERIFY(help.contains("--config"));
    }

    void runReloadAndStop()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("config.yaml"));
        writeFile(config, "routing:\n  policy: failover\n");

        NotifySocket notify;
        QProcess daemon;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NOTIFY_SOCKET"), notify.address());
        env.insert(QStringLiteral("WATCHDOG_USEC"), QStringLiteral("200000"));
        env.remove(QStringLiteral("QT_MESSAGE_PATTERN"));
        daemon.setProcessEnvironment(env);
        daemon.setProcessChannelMode(QProcess::MergedChannels);
        daemon.start(daemonPath, {QStringLiteral("--config"), config, QStringLiteral("--state-dir"), dir.path()});
        QVERIFY(daemon.waitForStarted());
        QByteArray log;

        QVERIFY2(notify.waitFor("READY=1", 10000), log.constData());
        QVERIFY2(waitForOutput(daemon, log, "started"), log.constData());
        // stderr is a pipe here, as under journald: every line carries a priority prefix.
        for (const QByteArray &line : log.split('\n'))
            if (!line.isEmpty())
                QVERIFY2(line.startsWith('<') && line.at(2) == '>', line.constData());
        QVERIFY(log.contains("<6>smoothwan.config: loaded"));

        // The watchdog pings come from the event loop, every half period (100 ms here).
        QVERIFY(notify.waitFor("WATCHDOG=1", 2000));
        QTest::qWait(450);
        notify.drain();
        QVERIFY2(notify.count("WATCHDOG=1") >= 3, "watchdog pings are missing");

        // A broken file on reload: refused, logged with its position, the daemon keeps running.
        writeFile(config, "routing:\n  policy: [unclosed\n");
        ::kill(static_cast<pid_t>(daemon.processId()), SIGHUP);
        QVERIFY(notify.waitFor("RELOADING=1", 5000));
        QVERIFY2(waitForOutput(daemon, log, "keeping the last good configuration"), log.constData());
        QVERIFY2(log.contains(QByteArray(config.toUtf8() + ":")), log.constData());
        QCOMPARE(daemon.state(), QProcess::Running);

        // A good file again: accepted.
        writeFile(config, "routing:\n  policy: balance\n");
        ::kill(static_cast<pid_t>(daemon.processId()), SIGHUP);
        QVERIFY2(waitForOutput(daemon, log, "reloaded"), log.constData());

        ::kill(static_cast<pid_t>(daemon.processId()), SIGTERM);
        QVERIFY(notify.waitFor("STOPPING=1", 5000));
        QVERIFY(daemon.waitForFinished(5000));
        log += daemon.readAll();
        QCOMPARE(daemon.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.exitCode(), 0);
        QVERIFY(log.contains("stopped"));
    }

    void missingConfigStillRuns()
    {
        QTemporaryDir dir;
        QProcess daemon;
        daemon.setProcessChannelMode(QProcess::MergedChannels);
        daemon.start(daemonPath, {QStringLiteral("--config"), dir.filePath(QStringLiteral("absent.yaml")),
                                  QStringLiteral("--state-dir"), dir.path()});
        QByteArray log;
        QVERIFY2(waitForOutput(daemon, log, "started"), log.constData());
        QVERIFY2(log.contains("absent.yaml"), log.constData());
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(5000));
        QCOMPARE(daemon.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDaemon)
#include "tst_daemon.moc"

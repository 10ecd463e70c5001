// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers for the Linux builds of the contract tests: a private network namespace for the
// test process, and `ip` run with an argument list (never through a shell).

#include <QtCore/QLoggingCategory>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QStringList>
#include <QtTest/QSignalSpy>

#include <cerrno>
#include <cstring>
#include <sched.h>
#include <unistd.h>

namespace smoothwan::test {

inline const QLoggingCategory &lcNetns()
{
    static const QLoggingCategory category("smoothwan.test.netns");
    return category;
}

inline QString ipProgram()
{
    static const QString path =
        QStandardPaths::findExecutable(QStringLiteral("ip"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                                              QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
    return path;
}

// Moves the calling thread (call it from the main thread, before any other thread exists that
// should follow) into a new network namespace, which dies with the process: nothing the test
// does can reach the host's links. Returns why not, or an empty string.
inline QString enterNetworkNamespace()
{
    if (::geteuid() != 0)
        return QStringLiteral("needs root (CAP_NET_ADMIN) to create a network namespace");
    if (ipProgram().isEmpty())
        return QStringLiteral("needs ip (iproute2)");
    if (::unshare(CLONE_NEWNET) != 0)
        return QStringLiteral("cannot create a network namespace: %1")
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return {};
}

enum class IpWait {
    EventLoop, // run the Qt event loop while ip runs, so events are delivered as they come
    Blocking,  // do not run the event loop (bursts that must pile up in the socket)
};

// Runs `ip <args>`, feeding `input` to its stdin (for -batch -). Logs and returns false when ip
// fails unless `quiet`.
inline bool runIp(const QStringList &args, IpWait wait = IpWait::EventLoop, const QByteArray &input = {},
                  bool quiet = false)
{
    QProcess ip;
    ip.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&ip, &QProcess::finished);
    ip.start(ipProgram(), args);
    if (!ip.waitForStarted(5000)) {
        qCWarning(lcNetns()) << "cannot run ip:" << ip.errorString();
        return false;
    }
    if (!input.isEmpty())
        ip.write(input);
    ip.closeWriteChannel();
    const bool done = wait == IpWait::EventLoop ? finished.wait(30000) : ip.waitForFinished(60000);
    if (!done) {
        ip.kill();
        ip.waitForFinished();
        qCWarning(lcNetns()) << "ip" << args << "timed out";
        return false;
    }
    const bool ok = ip.exitStatus() == QProcess::NormalExit && ip.exitCode() == 0;
    if (!ok && !quiet)
        qCWarning(lcNetns()).noquote() << "ip" << args.join(u' ') << "failed:" << ip.readAll().trimmed();
    return ok;
}

} // namespace smoothwan::test

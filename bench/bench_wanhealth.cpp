// SPDX-License-Identifier: GPL-3.0-or-later
// WAN health detection in the lab with the real daemon (needs root). Prints, over N trials:
//   - link cut -> state down (netlink carrier loss)
//   - blackhole -> state down, with the default probe profile and with a fast profile
//   - the daemon's CPU and RSS with 4 WANs probing at the default profile
// Figures only: nothing here passes or fails on time.
#include "BenchSupport.h"
#include "DaemonProcess.h"
#include "Lab.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QThread>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using smoothwan::bench::printFigures;
using smoothwan::lab::Lab;
using smoothwan::test::DaemonProcess;

namespace {

struct Profile
{
    const char *name;
    const char *probe; // YAML lines under probe:, indented by 6
    int boundMs;       // interval x down + timeout
};

const Profile defaultProfile {"default (2 s interval, 1 s timeout, down 3)", "", 3 * 2000 + 1000};
const Profile fastProfile {"fast (200 ms interval, 150 ms timeout, down 3)",
                           "      interval: 200ms\n      timeout: 150ms\n      down: 3\n      up: 2\n", 3 * 200 + 150};

QByteArray config(int wans, const Profile &p)
{
    QByteArray yaml = "wans:\n";
    for (int i = 0; i < wans; ++i)
        yaml += "  - name: w" + QByteArray::number(i) + "\n    interface: wan" + QByteArray::number(i) +
                "\n    probe:\n      targets: [198.18.0.1, 198.18.0.2, 198.18.0.3]\n" + p.probe;
    return yaml;
}

bool waitAllUp(DaemonProcess &d, int wans, qsizetype from, int timeoutMs)
{
    for (int i = 0; i < wans; ++i)
        if (!d.waitFor("wan: w" + QByteArray::number(i) + " up", timeoutMs, from))
            return false;
    return true;
}

// Each trial starts a fresh daemon (so flap damping of earlier trials does not slow recovery),
// waits until every WAN is up, breaks all of them at once and records when each went down.
QList<double> measure(Lab &lab, int wans, const Profile &profile, bool cut, int trials)
{
    QList<double> out;
    for (int t = 0; t < trials; ++t) {
        DaemonProcess d;
        if (!d.start(lab.routerNs(), config(wans, profile)) || !waitAllUp(d, wans, 0, 10000)) {
            std::fprintf(stderr, "trial %d: the daemon did not bring the WANs up:\n%s\n", t, d.log().constData());
            continue;
        }
        QThread::msleep(50);
        const qsizetype from = d.lineCount();
        QList<qint64> started;
        for (int i = 0; i < wans; ++i) {
            started.append(d.elapsed());
            cut ? lab.cut(i) : lab.blackhole(i);
        }
        for (int i = 0; i < wans; ++i) {
            const auto down = d.waitFor("wan: w" + QByteArray::number(i) + " down", profile.boundMs * 3 + 2000, from);
            if (down)
                out.append(static_cast<double>(down->atMs - started.at(i)));
            else
                std::fprintf(stderr, "trial %d: w%d never went down\n", t, i);
        }
        for (int i = 0; i < wans; ++i)
            lab.restore(i);
        d.stop();
    }
    return out;
}

struct ProcStat
{
    double cpuSeconds = 0;
    long rssKb = 0;
};

ProcStat procStat(qint64 pid)
{
    ProcStat s;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 13)
            s.cpuSeconds =
                (fields.at(11).toDouble() + fields.at(12).toDouble()) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly))
        for (const QByteArray &l : status.readAll().split('\n'))
            if (l.startsWith("VmRSS:"))
                s.rssKb = l.mid(6).trimmed().split(' ').value(0).toLong();
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("smoothwan.lab.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("WAN health detection benchmark (root, lab)"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("trials"), QStringLiteral("Trials per figure (default 20)."), QStringLiteral("n"),
                      QStringLiteral("20")});
    parser.addOption({QStringLiteral("cpu-seconds"), QStringLiteral("How long to sample CPU and RSS (default 60)."),
                      QStringLiteral("s"), QStringLiteral("60")});
    parser.process(app);
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_wanhealth: needs root (network namespaces)\n");
        return 1;
    }
    const int trials = parser.value(QStringLiteral("trials")).toInt();
    const int wans = 4;
    Lab lab;
    if (!lab.create(wans)) {
        std::fprintf(stderr, "bench_wanhealth: %s\n", qPrintable(lab.errorString()));
        return 1;
    }
    std::printf("WAN health detection, lab with %d WANs, %d trials per figure (each trial breaks all %d WANs)\n", wans,
                trials, wans);
    const int perTrial = std::max(1, trials / wans);
    printFigures("link cut -> down", measure(lab, wans, fastProfile, true, perTrial), "ms",
                 QStringLiteral("target p95 <= 50 ms"));
    printFigures("blackhole -> down, fast profile", measure(lab, wans, fastProfile, false, perTrial), "ms",
                 QStringLiteral("bound %1 ms; target <= 1000 ms").arg(fastProfile.boundMs));
    printFigures("blackhole -> down, default profile", measure(lab, wans, defaultProfile, false, perTrial), "ms",
                 QStringLiteral("bound %1 ms").arg(defaultProfile.boundMs));
    std::printf("%-44s mwan3 defaults: about 20-70 s to declare a dead link\n", "for comparison");

    DaemonProcess d;
    d.start(lab.routerNs(), config(wans, defaultProfile));
    waitAllUp(d, wans, 0, 10000);
    const qint64 pid = d.pid(); // `ip netns exec` execs smoothwand in place: same pid
    QThread::sleep(2);
    const ProcStat before = procStat(pid);
    const int seconds = parser.value(QStringLiteral("cpu-seconds")).toInt();
    QThread::sleep(static_cast<unsigned long>(seconds));
    const ProcStat after = procStat(pid);
    std::printf("daemon with %d WANs probing (default profile), %d s: CPU %.3f %% of a core, RSS %.1f MB "
                "(targets < 1 %%, < 30 MB)\n",
                wans, seconds, 100.0 * (after.cpuSeconds - before.cpuSeconds) / seconds, after.rssKb / 1024.0);
    d.stop();
    lab.destroy();
    return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
// SmoothWAN's own engine, TCP aggregation, in the lab (needs root): a TCP download from the LAN
// client through ss-redir → kernel MPTCP → ss-server (tests/integration/MptcpLab.h), two WANs
// shaped to --rate kbit/s each (tbf, 50 ms queue). Prints, over --trials N (default 10), in one run:
//   - the bare kernel (plain TCP NATed through one WAN, no redirect): does a download survive
//     WAN 0 being cut / blackholed, and its throughput over one WAN;
//   - for each profile (--profile default|tuned|both): the longest gap between received bytes
//     after cutting the WAN of the initial subflow, with the endpoints left in place (kernel alone)
//     and with MptcpManager withdrawing the cut WAN's endpoint at once (what the daemon does on
//     carrier loss); after blackholing it (kernel alone); whether the download survived; the
//     throughput of one download over one WAN and over two.
// "tuned" applies what the daemon and smoothwan-server set (tunedSettings() below, a function of
// the WAN rates); "default" leaves the kernel's settings. --server-sysctl / --router-sysctl
// KEY=VALUE (repeatable) add settings to every profile, for experiments; --only REGEX runs only the
// cases whose name matches.
// Figures only: nothing here passes or fails on time. Build without sanitizers for real figures.
#include "BenchSupport.h"
#include "MptcpLab.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QFile>
#include <QtCore/QRegularExpression>

#include <cstdio>
#include <functional>

using namespace smoothwan::test::mptcp;
using smoothwan::bench::percentile;
using smoothwan::bench::printFigures;
using smoothwan::lab::Lab;

namespace {

constexpr int WarmupMs = 3000, AfterEventMs = 5000, ThroughputMs = 8000, ThroughputWindowMs = 6000;

struct Setting
{
    bool server = false; // the VPS end (smoothwan-server) rather than the router (smoothwand)
    QString key;
    QString value;
};

// What the own engine sets, from the sum of the WANs' downstream rates in kbit/s and the idle
// round trip to the VPS (about 0 in the lab): smoothwan-server caps the send buffer of the VPS's
// TCP sockets, net.ipv4.tcp_wmem max = sum(rates) × (130 ms + idle RTT), rounded up to 16 KiB, at
// least 64 KiB. When a subflow closes, the server re-sends its whole MPTCP-level retransmission
// queue (bounded by that buffer) on the surviving subflows, so the stall after a withdrawal is
// about that buffer over the surviving rate; a larger buffer only adds queueing. The router's
// receive buffer is left alone: capping it costs throughput (see docs/tcp-aggregation.md).
qint64 tunedServerSendBuffer(qint64 sumKbit, int idleRttMs)
{
    const qint64 bytes = sumKbit * 1000 / 8 * (130 + idleRttMs) / 1000;
    const qint64 rounded = (bytes + 16383) / 16384 * 16384;
    return std::max<qint64>(64 * 1024, rounded);
}

QList<Setting> tunedSettings(qint64 sumKbit)
{
    return {{true, QStringLiteral("net.ipv4.tcp_wmem"),
             QStringLiteral("4096 16384 %1").arg(tunedServerSendBuffer(sumKbit, 0))}};
}

QString describe(const QList<Setting> &settings)
{
    QStringList parts;
    for (const Setting &s : settings)
        parts << QStringLiteral("%1: %2=%3")
                     .arg(s.server ? QStringLiteral("server") : QStringLiteral("router"), s.key, s.value);
    return parts.isEmpty() ? QStringLiteral("kernel defaults") : parts.join(QStringLiteral(", "));
}

QString readSysctl(const QString &ns, const QString &key)
{
    const auto r = Lab::exec(ns, {QStringLiteral("sysctl"), QStringLiteral("-n"), key});
    return QString::fromLocal8Bit(r.output).trimmed().replace(u'\t', u' ');
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(f.readAll()).section(u' ', 0, 2);
}

enum class Event { Cut, Blackhole };

struct CutResult
{
    bool survived = false;
    double stallMs = 0;
};

void resetWans(Lab &lab, int rateKbit)
{
    for (int i = 0; i < lab.wanCount(); ++i) {
        lab.restore(i);
        lab.impair(i, rateKbit, 0);
    }
}

CutResult eventOnce(Lab &lab, MptcpPath &path, bool mptcp, Event event, bool withdraw, int rateKbit, bool verbose)
{
    CutResult result;
    resetWans(lab, rateKbit);
    path.setRedirect(mptcp);
    path.manage({true, true});
    Download download;
    if (!download.start(lab.lanNs()))
        return result;
    waitEvents(WarmupMs);
    const qint64 cutAt = download.nowNs();
    if (event == Event::Cut)
        lab.cut(0);
    else
        lab.blackhole(0);
    if (withdraw)
        path.manage({false, true});
    waitEvents(AfterEventMs);
    const qint64 end = download.nowNs();
    result.stallMs = download.longestGapMs(cutAt, end);
    if (verbose) {
        QStringList parts;
        for (const auto &[start, length] : download.gaps(cutAt, end, 50))
            parts << QStringLiteral("%1 ms at +%2").arg(length, 0, 'f', 0).arg(start, 0, 'f', 0);
        std::printf("    gaps >= 50 ms after the event: %s\n", qPrintable(parts.join(QStringLiteral(", "))));
    }
    result.survived =
        download.error().isEmpty() && download.connected() && download.bytesBetween(end - 1'000'000'000, end) > 0;
    download.close();
    lab.restore(0);
    return result;
}

double throughputOnce(Lab &lab, MptcpPath &path, bool mptcp, int wans, int rateKbit)
{
    resetWans(lab, rateKbit);
    path.setRedirect(mptcp);
    path.manage({true, wans > 1});
    Download download;
    if (!download.start(lab.lanNs()))
        return 0;
    waitEvents(ThroughputMs);
    const qint64 end = download.nowNs();
    const double mbit =
        download.bytesBetween(end - qint64(ThroughputWindowMs) * 1'000'000, end) * 8.0 / (ThroughputWindowMs * 1000.0);
    download.close();
    return mbit;
}

class Runner
{
public:
    Runner(Lab &lab, MptcpPath &path, int trials, int rateKbit, QString only, bool verbose)
        : m_lab(lab)
        , m_path(path)
        , m_trials(trials)
        , m_rate(rateKbit)
        , m_only(std::move(only))
        , m_verbose(verbose)
    { }

    bool wanted(const QString &what) const
    {
        return m_only.isEmpty() || QRegularExpression(m_only).match(what).hasMatch();
    }

    void event(const QString &what, bool mptcp, Event event, bool withdraw)
    {
        if (!wanted(what))
            return;
        QList<double> stalls;
        int survived = 0;
        for (int t = 0; t < m_trials; ++t) {
            const CutResult r = eventOnce(m_lab, m_path, mptcp, event, withdraw, m_rate, m_verbose);
            stalls.append(r.stallMs);
            survived += r.survived ? 1 : 0;
        }
        const QString note = QStringLiteral("survived %1/%2").arg(survived).arg(m_trials);
        if (survived == 0)
            std::printf("  %-52s n=%-3d never recovered within %d ms (longest gap = the whole window)  %s\n",
                        qPrintable(what), m_trials, AfterEventMs, qPrintable(note));
        else
            printFigures(qPrintable(what), stalls, "ms", note);
        std::fflush(stdout);
    }

    void throughput(const QString &what, bool mptcp, int wans)
    {
        if (!wanted(what))
            return;
        QList<double> rates;
        for (int t = 0; t < m_trials; ++t)
            rates.append(throughputOnce(m_lab, m_path, mptcp, wans, m_rate));
        const double sum = wans * m_rate / 1000.0;
        printFigures(qPrintable(what), rates, "Mbit/s",
                     QStringLiteral("of %1 Mbit/s: p50 %2 %, min %3 %")
                         .arg(sum)
                         .arg(percentile(rates, 50) / sum * 100, 0, 'f', 0)
                         .arg(*std::min_element(rates.cbegin(), rates.cend()) / sum * 100, 0, 'f', 0));
    }

private:
    Lab &m_lab;
    MptcpPath &m_path;
    int m_trials;
    int m_rate;
    QString m_only;
    bool m_verbose;
};

// Applies settings (each namespace's previous value kept) and puts them back when destroyed.
class AppliedSettings
{
public:
    AppliedSettings(MptcpPath &path, Lab &lab)
        : m_path(path)
        , m_lab(lab)
    { }
    ~AppliedSettings() { revert(); }
    AppliedSettings(const AppliedSettings &) = delete;
    AppliedSettings &operator=(const AppliedSettings &) = delete;

    bool apply(const QList<Setting> &settings)
    {
        for (const Setting &s : settings) {
            const QString ns = s.server ? m_lab.internetNs() : m_lab.routerNs();
            m_saved.append({ns, s.key, readSysctl(ns, s.key)});
            if (!m_path.sysctl(ns, QStringLiteral("%1=%2").arg(s.key, s.value)))
                return false;
        }
        return true;
    }
    void revert()
    {
        for (auto it = m_saved.crbegin(); it != m_saved.crend(); ++it)
            m_path.sysctl(it->ns, QStringLiteral("%1=%2").arg(it->key, it->value));
        m_saved.clear();
    }

private:
    struct Saved
    {
        QString ns, key, value;
    };
    MptcpPath &m_path;
    Lab &m_lab;
    QList<Saved> m_saved;
};

QList<Setting> parseSettings(const QStringList &assignments, bool server)
{
    QList<Setting> out;
    for (const QString &a : assignments)
        out.append({server, a.section(u'=', 0, 0), a.section(u'=', 1)});
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TCP aggregation over kernel MPTCP in the lab (root)"));
    parser.addHelpOption();
    const QCommandLineOption trialsOption(QStringLiteral("trials"), QStringLiteral("Trials per figure."),
                                          QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Shaping of each WAN in kbit/s."),
                                        QStringLiteral("kbit"), QStringLiteral("10000"));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           QStringLiteral("default (kernel settings), tuned (the daemon's) or both."),
                                           QStringLiteral("name"), QStringLiteral("both"));
    const QCommandLineOption sysctlOption(QStringLiteral("server-sysctl"),
                                          QStringLiteral("A sysctl for the server end in every profile (repeatable)."),
                                          QStringLiteral("key=value"));
    const QCommandLineOption routerSysctlOption(
        QStringLiteral("router-sysctl"), QStringLiteral("A sysctl for the router end in every profile (repeatable)."),
        QStringLiteral("key=value"));
    const QCommandLineOption onlyOption(QStringLiteral("only"),
                                        QStringLiteral("Only the cases whose name matches this regular expression."),
                                        QStringLiteral("regex"));
    const QCommandLineOption noBareOption(QStringLiteral("no-bare"), QStringLiteral("Skip the bare-kernel cases."));
    const QCommandLineOption cutOnlyOption(QStringLiteral("cut-only"),
                                           QStringLiteral("Only the WAN cut / blackhole figures."));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"), QStringLiteral("Print every gap after a cut."));
    parser.addOptions({trialsOption, rateOption, profileOption, sysctlOption, routerSysctlOption, onlyOption,
                       noBareOption, cutOnlyOption, verboseOption});
    parser.process(app);
    const int trials = std::max(1, parser.value(trialsOption).toInt());
    const int rate = std::max(100, parser.value(rateOption).toInt());
    const QString profile = parser.value(profileOption);
    if (profile != QLatin1String("default") && profile != QLatin1String("tuned") && profile != QLatin1String("both")) {
        std::fprintf(stderr, "bench_mptcp: --profile must be default, tuned or both\n");
        return 2;
    }

    if (const QString why = missingPrerequisite(); !why.isEmpty()) {
        std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(why));
        return 77;
    }
    QLoggingCategory::setFilterRules(QStringLiteral("smoothwan.lab.info=false\nsmoothwan.engine.info=false"));
    Lab lab;
    if (!lab.create(2)) {
        std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(lab.errorString()));
        return 1;
    }
    MptcpPath path(lab);
    if (!path.start()) {
        std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(path.errorString()));
        return 1;
    }
    Sender sender;
    if (!sender.listen(lab.internetNs())) {
        std::fprintf(stderr, "bench_mptcp: cannot listen in the internet namespace\n");
        return 1;
    }
    const bool cutOnly = parser.isSet(cutOnlyOption);
    std::printf("bench_mptcp: two WANs at %d kbit/s each (tbf, 50 ms queue), %d trials, kernel %s, load %s\n", rate,
                trials, qPrintable(readSysctl({}, QStringLiteral("kernel.osrelease"))), qPrintable(loadAverage()));
    std::printf("  lab defaults: congestion control %s (server) / %s (router), router tcp_rmem %s, server tcp_wmem "
                "%s\n",
                qPrintable(readSysctl(lab.internetNs(), QStringLiteral("net.ipv4.tcp_congestion_control"))),
                qPrintable(readSysctl(lab.routerNs(), QStringLiteral("net.ipv4.tcp_congestion_control"))),
                qPrintable(readSysctl(lab.routerNs(), QStringLiteral("net.ipv4.tcp_rmem"))),
                qPrintable(readSysctl(lab.internetNs(), QStringLiteral("net.ipv4.tcp_wmem"))));
    const QList<Setting> extra =
        parseSettings(parser.values(sysctlOption), true) + parseSettings(parser.values(routerSysctlOption), false);
    AppliedSettings extraApplied(path, lab);
    if (!extraApplied.apply(extra)) {
        std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(path.errorString()));
        return 1;
    }
    if (!extra.isEmpty())
        std::printf("  extra settings in every profile: %s\n", qPrintable(describe(extra)));
    std::fflush(stdout);

    Runner runner(lab, path, trials, rate, parser.value(onlyOption), parser.isSet(verboseOption));
    if (!parser.isSet(noBareOption)) {
        std::printf("\nbare kernel (no MPTCP, no redirect: plain TCP NATed through WAN 0)\n");
        runner.event(QStringLiteral("bare: WAN 0 cut, longest gap"), false, Event::Cut, false);
        runner.event(QStringLiteral("bare: WAN 0 blackholed, longest gap"), false, Event::Blackhole, false);
        if (!cutOnly)
            runner.throughput(QStringLiteral("bare: throughput, one WAN"), false, 1);
    }
    QStringList profiles;
    if (profile != QLatin1String("tuned"))
        profiles << QStringLiteral("default");
    if (profile != QLatin1String("default"))
        profiles << QStringLiteral("tuned");
    for (const QString &p : profiles) {
        const QList<Setting> settings =
            p == QLatin1String("tuned") ? tunedSettings(qint64(rate) * lab.wanCount()) : QList<Setting> {};
        AppliedSettings applied(path, lab);
        if (!applied.apply(settings)) {
            std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(path.errorString()));
            return 1;
        }
        std::printf("\nMPTCP via ss-redir/ss-server, profile %s (%s), load %s\n", qPrintable(p),
                    qPrintable(describe(settings)), qPrintable(loadAverage()));
        runner.event(p + QStringLiteral(": WAN 0 cut, kernel alone"), true, Event::Cut, false);
        runner.event(p + QStringLiteral(": WAN 0 cut, manager withdraws"), true, Event::Cut, true);
        runner.event(p + QStringLiteral(": WAN 0 blackholed, kernel alone"), true, Event::Blackhole, false);
        if (!cutOnly) {
            runner.throughput(p + QStringLiteral(": throughput, one WAN"), true, 1);
            runner.throughput(p + QStringLiteral(": throughput, two WANs"), true, 2);
        }
    }
    std::printf("\nload at the end %s\n", qPrintable(loadAverage()));
    extraApplied.revert();
    path.stop();
    lab.destroy();
    return 0;
}

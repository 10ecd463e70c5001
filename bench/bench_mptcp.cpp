// SPDX-License-Identifier: GPL-3.0-or-later
// SmoothWAN's own engine, TCP aggregation, in the lab (needs root): a TCP download from the LAN
// client through ss-redir → kernel MPTCP → ss-server (tests/integration/MptcpLab.h), two WANs
// shaped to --rate kbit/s each. Prints, over --trials N, beside the bare kernel (plain TCP NATed
// through one WAN, no redirect):
//   - the longest gap between received bytes after cutting the WAN of the initial subflow, with the
//     endpoints left in place (kernel alone) and with MptcpManager withdrawing the cut WAN's endpoint
//     at once; whether the download survived;
//   - the throughput of one download over one WAN and over two.
// --server-sysctl KEY=VALUE (repeatable) tunes the server end, e.g. net.mptcp.stale_loss_cnt=1 or
// net.ipv4.tcp_notsent_lowat=131072 (what smoothwan-server could set on the VPS); --router-sysctl
// KEY=VALUE the router end (what smoothwand could set), e.g. "net.ipv4.tcp_rmem=4096 131072 262144".
// Figures only: nothing here passes or fails on time. Build without sanitizers for real figures.
#include "BenchSupport.h"
#include "MptcpLab.h"

#include <QtCore/QCommandLineParser>

#include <cstdio>

using namespace smoothwan::test::mptcp;
using smoothwan::bench::printFigures;
using smoothwan::lab::Lab;

namespace {

struct CutResult
{
    bool survived = false;
    double stallMs = 0;
};

CutResult cutOnce(Lab &lab, MptcpPath &path, bool mptcp, bool withdraw, int rateKbit, bool verbose)
{
    CutResult result;
    for (int i = 0; i < 2; ++i) {
        lab.restore(i);
        lab.impair(i, rateKbit, 0);
    }
    path.setRedirect(mptcp);
    path.manage({true, true});
    Download download;
    if (!download.start(lab.lanNs()))
        return result;
    runEventLoop(3000);
    const qint64 cutAt = download.nowNs();
    lab.cut(0);
    if (withdraw)
        path.manage({false, true});
    runEventLoop(5000);
    const qint64 end = download.nowNs();
    result.stallMs = download.longestGapMs(cutAt, end);
    if (verbose) {
        QStringList parts;
        for (const auto &[start, length] : download.gaps(cutAt, end, 50))
            parts << QStringLiteral("%1 ms at +%2").arg(length, 0, 'f', 0).arg(start, 0, 'f', 0);
        std::printf("    gaps >= 50 ms after the cut: %s\n", qPrintable(parts.join(QStringLiteral(", "))));
    }
    result.survived =
        download.error().isEmpty() && download.connected() && download.bytesBetween(end - 1'000'000'000, end) > 0;
    download.close();
    lab.restore(0);
    return result;
}

double throughputOnce(Lab &lab, MptcpPath &path, bool mptcp, int wans, int rateKbit)
{
    for (int i = 0; i < 2; ++i) {
        lab.restore(i);
        lab.impair(i, rateKbit, 0);
    }
    path.setRedirect(mptcp);
    path.manage({true, wans > 1});
    Download download;
    if (!download.start(lab.lanNs()))
        return 0;
    runEventLoop(8000);
    const qint64 end = download.nowNs();
    const double mbit = download.bytesBetween(end - 6'000'000'000, end) * 8.0 / 6e6;
    download.close();
    return mbit;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TCP aggregation over kernel MPTCP in the lab (root)"));
    parser.addHelpOption();
    const QCommandLineOption trialsOption(QStringLiteral("trials"), QStringLiteral("Trials per figure."),
                                          QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Shaping of each WAN in kbit/s."),
                                        QStringLiteral("kbit"), QStringLiteral("10000"));
    const QCommandLineOption sysctlOption(QStringLiteral("server-sysctl"),
                                          QStringLiteral("A sysctl for the server end (repeatable)."),
                                          QStringLiteral("key=value"));
    const QCommandLineOption routerSysctlOption(QStringLiteral("router-sysctl"),
                                                QStringLiteral("A sysctl for the router end (repeatable)."),
                                                QStringLiteral("key=value"));
    const QCommandLineOption cutOnlyOption(QStringLiteral("cut-only"), QStringLiteral("Only the WAN-cut figures."));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"), QStringLiteral("Print every gap after a cut."));
    parser.addOptions({trialsOption, rateOption, sysctlOption, routerSysctlOption, cutOnlyOption, verboseOption});
    parser.process(app);
    const int trials = std::max(1, parser.value(trialsOption).toInt());
    const int rate = std::max(100, parser.value(rateOption).toInt());

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
    const QStringList sysctls = parser.values(sysctlOption);
    const QStringList routerSysctls = parser.values(routerSysctlOption);
    for (const QString &assignment : sysctls) {
        if (!path.serverSysctl(assignment)) {
            std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(path.errorString()));
            return 1;
        }
    }
    for (const QString &assignment : routerSysctls) {
        if (!path.routerSysctl(assignment)) {
            std::fprintf(stderr, "bench_mptcp: %s\n", qPrintable(path.errorString()));
            return 1;
        }
    }
    Sender sender;
    if (!sender.listen(lab.internetNs())) {
        std::fprintf(stderr, "bench_mptcp: cannot listen in the internet namespace\n");
        return 1;
    }
    std::printf("bench_mptcp: two WANs at %d kbit/s each, %d trials, server sysctls: %s, router sysctls: %s\n", rate,
                trials, sysctls.isEmpty() ? "kernel defaults" : qPrintable(sysctls.join(u' ')),
                routerSysctls.isEmpty() ? "kernel defaults" : qPrintable(routerSysctls.join(u' ')));

    struct CutCase
    {
        const char *what;
        bool mptcp;
        bool withdraw;
    };
    for (const CutCase &c : {CutCase {"cut: bare kernel, plain TCP (NAT)", false, false},
                             CutCase {"cut: MPTCP, kernel alone (endpoints stay)", true, false},
                             CutCase {"cut: MPTCP, manager withdraws the endpoint", true, true}}) {
        QList<double> stalls;
        int survived = 0;
        for (int t = 0; t < trials; ++t) {
            const CutResult r = cutOnce(lab, path, c.mptcp, c.withdraw, rate, parser.isSet(verboseOption));
            stalls.append(r.stallMs);
            survived += r.survived ? 1 : 0;
        }
        printFigures(c.what, stalls, "ms", QStringLiteral("survived %1/%2").arg(survived).arg(trials));
    }
    if (parser.isSet(cutOnlyOption)) {
        path.stop();
        lab.destroy();
        return 0;
    }
    struct RateCase
    {
        const char *what;
        bool mptcp;
        int wans;
    };
    for (const RateCase &c : {RateCase {"throughput: bare kernel, plain TCP, one WAN", false, 1},
                              RateCase {"throughput: MPTCP via ss, one WAN", true, 1},
                              RateCase {"throughput: MPTCP via ss, two WANs", true, 2}}) {
        QList<double> rates;
        for (int t = 0; t < trials; ++t)
            rates.append(throughputOnce(lab, path, c.mptcp, c.wans, rate));
        printFigures(c.what, rates, "Mbit/s", QStringLiteral("of %1 Mbit/s").arg(c.wans * rate / 1000.0));
    }
    path.stop();
    lab.destroy();
    return 0;
}

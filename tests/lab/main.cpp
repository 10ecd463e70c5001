// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-lab: creates the network-namespace lab in the foreground, and acts on a running one.
#include "Lab.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QSaveFile>
#include <QtCore/QSet>
#include <QtCore/QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace smoothwan::lab;

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int sig)
{
    const unsigned char byte = static_cast<unsigned char>(sig);
    const ssize_t ignored = ::write(g_signalFds[0], &byte, 1);
    (void)ignored;
}

// SIGINT, SIGTERM and SIGHUP end the event loop (self-pipe); SIGPIPE is ignored so that a vanished
// reader of our output cannot kill us before the teardown.
void installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_signalFds) != 0)
        qFatal("socketpair failed");
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] {
        unsigned char byte = 0;
        while (::read(g_signalFds[1], &byte, 1) == 1)
            qCInfo(lcLab) << "signal" << byte << "received, tearing the lab down";
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(sig, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

int fail(const QString &message, int code = 1)
{
    std::fprintf(stderr, "smoothwan-lab: %s\n", qPrintable(message));
    return code;
}

bool parseWan(const QString &text, int *wan)
{
    QString digits = text;
    if (digits.startsWith(QLatin1String("wan")))
        digits = digits.mid(3);
    bool ok = false;
    *wan = digits.toInt(&ok);
    return ok && *wan >= 0;
}

// The lab to act on: --name, else the prefix= line of --state-file, else the only running lab.
QString findPrefix(const QCommandLineParser &parser, QString *error)
{
    if (parser.isSet(QStringLiteral("name")))
        return parser.value(QStringLiteral("name"));
    if (parser.isSet(QStringLiteral("state-file"))) {
        QFile file(parser.value(QStringLiteral("state-file")));
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
            *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
            return {};
        }
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (line.startsWith(QLatin1String("prefix=")))
                return line.mid(7);
        }
        *error = QStringLiteral("no prefix= line in %1").arg(file.fileName());
        return {};
    }
    QSet<QString> prefixes;
    for (const QString &ns : Lab::existingNamespaces())
        prefixes.insert(ns.left(ns.lastIndexOf(QLatin1Char('-'))));
    if (prefixes.size() == 1)
        return *prefixes.begin();
    *error = prefixes.isEmpty() ? QStringLiteral("no lab is running")
                                : QStringLiteral("several labs are running; pick one with --name or --state-file");
    return {};
}

bool writeStateFile(const QString &path, const QList<QPair<QString, QString>> &facts)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    for (const auto &[key, value] : facts)
        file.write(QStringLiteral("%1=%2\n").arg(key, value).toUtf8());
    return file.commit();
}

int up(const QCommandLineParser &parser)
{
    bool ok = false;
    const int wans = parser.value(QStringLiteral("wans")).toInt(&ok);
    if (!ok)
        return fail(QStringLiteral("--wans needs a number"), 2);
    LabOptions options;
    options.rateKbit = parser.value(QStringLiteral("rate")).toInt(&ok);
    if (!ok)
        return fail(QStringLiteral("--rate needs a number of kbit/s"), 2);
    options.lossPercent = parser.value(QStringLiteral("loss")).toDouble(&ok);
    if (!ok)
        return fail(QStringLiteral("--loss needs a percentage"), 2);

    installSignalHandlers();
    Lab lab;
    if (!lab.create(wans, options))
        return fail(lab.errorString());
    if (!parser.isSet(QStringLiteral("no-servers"))) {
        if (!lab.startIperfServer())
            qCWarning(lcLab).noquote() << "no iperf3 server:" << lab.errorString();
        if (!lab.startUdpEcho())
            qCWarning(lcLab).noquote() << "no UDP echo server:" << lab.errorString();
    }
    QList<QPair<QString, QString>> facts = lab.describe();
    facts << QPair<QString, QString> {QStringLiteral("pid"), QString::number(::getpid())};
    const QString stateFile = parser.value(QStringLiteral("state-file"));
    if (!stateFile.isEmpty() && !writeStateFile(stateFile, facts))
        return fail(QStringLiteral("cannot write %1").arg(stateFile)); // the Lab destructor tears down
    for (const auto &[key, value] : std::as_const(facts))
        std::printf("%s=%s\n", qPrintable(key), qPrintable(value));
    std::printf("ready\n");
    std::fflush(stdout);

    QCoreApplication::exec();

    lab.destroy();
    if (!stateFile.isEmpty())
        QFile::remove(stateFile);
    return 0;
}

int act(const QString &command, const QStringList &arguments, const QCommandLineParser &parser)
{
    int wan = -1;
    if (arguments.size() != 2 || !parseWan(arguments.at(1), &wan))
        return fail(QStringLiteral("usage: smoothwan-lab %1 <wan> [--name PREFIX | --state-file F]").arg(command), 2);
    QString error;
    const QString prefix = findPrefix(parser, &error);
    if (prefix.isEmpty())
        return fail(error);
    Lab lab;
    if (!lab.attach(prefix))
        return fail(lab.errorString());
    bool done = false;
    if (command == QLatin1String("cut")) {
        done = lab.cut(wan);
    } else if (command == QLatin1String("blackhole")) {
        done = lab.blackhole(wan);
    } else if (command == QLatin1String("restore")) {
        done = lab.restore(wan);
    } else {
        bool rateOk = false;
        bool lossOk = false;
        const int rate = parser.value(QStringLiteral("rate")).toInt(&rateOk);
        const double loss = parser.value(QStringLiteral("loss")).toDouble(&lossOk);
        if (!rateOk || !lossOk)
            return fail(QStringLiteral("--rate and --loss need numbers"), 2);
        done = lab.impair(wan, rate, loss);
    }
    return done ? 0 : fail(lab.errorString());
}

int list()
{
    QSet<QString> prefixes;
    for (const QString &ns : Lab::existingNamespaces())
        prefixes.insert(ns.left(ns.lastIndexOf(QLatin1Char('-'))));
    for (const QString &prefix : std::as_const(prefixes)) {
        Lab lab;
        if (lab.attach(prefix))
            std::printf("%s router=%s wans=%d\n", qPrintable(prefix), qPrintable(lab.routerNs()), lab.wanCount());
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smoothwan-lab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("SmoothWAN network lab (needs root): a router namespace with N WANs, each through its own ISP\n"
                       "namespace to a shared internet namespace, and a LAN client behind the router.\n\n"
                       "  up [--wans N] [--rate KBIT] [--loss P] [--state-file F] [--no-servers]\n"
                       "        create a lab, print its names as key=value lines, then \"ready\"; tear it down on\n"
                       "        SIGINT/SIGTERM. Run the daemon in it: ip netns exec <router> smoothwand ...\n"
                       "  cut <wan> | blackhole <wan> | restore <wan> | impair <wan> [--rate KBIT] [--loss P]\n"
                       "        act on a running lab, chosen by --name, --state-file, or the only one running\n"
                       "  list  running labs\n"
                       "  sweep remove labs whose owner process is gone"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("up, cut, blackhole, restore, impair, list, sweep"));
    parser.addPositionalArgument(QStringLiteral("wan"), QStringLiteral("WAN number (or wanN) for the actions"),
                                 QStringLiteral("[wan]"));
    parser.addOptions({
        {QStringLiteral("wans"), QStringLiteral("Number of WANs (up)."), QStringLiteral("n"), QStringLiteral("2")},
        {QStringLiteral("rate"), QStringLiteral("Rate limit in kbit/s each way, 0 = none."), QStringLiteral("kbit"),
         QStringLiteral("0")},
        {QStringLiteral("loss"), QStringLiteral("Random loss in percent each way."), QStringLiteral("percent"),
         QStringLiteral("0")},
        {QStringLiteral("state-file"), QStringLiteral("key=value file describing the lab (written by up)."),
         QStringLiteral("file")},
        {QStringLiteral("name"), QStringLiteral("Lab prefix (swlab<pid>x<n>) to act on."), QStringLiteral("prefix")},
        {QStringLiteral("no-servers"),
         QStringLiteral("Do not start iperf3 and the UDP echo (port 7) in the internet.")},
    });
    parser.process(app);

    const QStringList arguments = parser.positionalArguments();
    const QString command = arguments.value(0);
    if (::geteuid() != 0 && command != QLatin1String("list"))
        return fail(QStringLiteral("needs root (network namespaces)"));
    if (command == QLatin1String("up") && arguments.size() == 1)
        return up(parser);
    if (command == QLatin1String("cut") || command == QLatin1String("blackhole") ||
        command == QLatin1String("restore") || command == QLatin1String("impair"))
        return act(command, arguments, parser);
    if (command == QLatin1String("list") && arguments.size() == 1)
        return list();
    if (command == QLatin1String("sweep") && arguments.size() == 1) {
        std::printf("removed %d namespaces\n", Lab::sweepStale());
        return 0;
    }
    parser.showHelp(2);
}

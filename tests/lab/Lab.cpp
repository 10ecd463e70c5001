// SPDX-License-Identifier: GPL-3.0-or-later
#include "Lab.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

namespace smoothwan::lab {

Q_LOGGING_CATEGORY(lcLab, "smoothwan.lab", QtInfoMsg)

namespace {

const QLatin1String NamePrefix("swlab");
const QLatin1String Table("swlab");

// "swlab<pid>x<n>-<role>": the owner's pid is captured for the stale-lab sweep.
const QRegularExpression &nameExpression()
{
    static const QRegularExpression re(QStringLiteral("^(swlab(\\d+)x\\d+)-([a-z0-9]+)$"));
    return re;
}

// Alive unless it is gone or a zombie (killed, not yet reaped).
bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype paren = text.lastIndexOf(')');
    return paren < 0 || paren + 2 >= text.size() || text.at(paren + 2) != 'Z';
}

QString trimmed(const QByteArray &text)
{
    return QString::fromLocal8Bit(text).trimmed();
}

} // namespace

QStringList LabOptions::defaultTargets()
{
    return {QStringLiteral("198.18.0.1"), QStringLiteral("198.18.0.2"), QStringLiteral("198.18.0.3"),
            QStringLiteral("1.1.1.1"),    QStringLiteral("8.8.8.8"),    QStringLiteral("9.9.9.9")};
}

Lab::Lab() = default;

Lab::~Lab()
{
    destroy();
}

bool Lab::create(int wans, const LabOptions &options)
{
    static std::atomic<int> counter {0};
    destroy();
    m_error.clear();
    if (wans < 1 || wans > MaxWans) {
        m_error = QStringLiteral("a lab has 1 to %1 WANs, not %2").arg(MaxWans).arg(wans);
        return false;
    }
    if (options.lanSubnet < 0 || options.lanSubnet > 255) {
        m_error = QStringLiteral("LAN subnet octet %1 out of range").arg(options.lanSubnet);
        return false;
    }
    if (::geteuid() != 0) {
        m_error = QStringLiteral("creating network namespaces needs root");
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    if (options.sweepStale)
        sweepStale();
    m_prefix = NamePrefix + QStringLiteral("%1x%2").arg(::getpid()).arg(counter++);
    m_wans = wans;
    m_options = options;
    m_owned = true;
    // Leftovers with our own name can only come from a dead process that had our pid.
    removeNamespaces(existingNamespaces(m_prefix));
    if (!build()) {
        qCWarning(lcLab).noquote() << "creating lab" << m_prefix << "failed:" << m_error;
        const QString error = m_error;
        destroy();
        m_error = error;
        return false;
    }
    qCInfo(lcLab).noquote() << "lab" << m_prefix << "with" << wans << "WANs created in" << timer.elapsed() << "ms";
    return true;
}

bool Lab::build()
{
    const QString router = routerNs();
    const QString inet = internetNs();
    const QString lan = lanNs();
    const QString lanNet = QStringLiteral("192.168.%1").arg(m_options.lanSubnet);

    QStringList lines;
    for (const QString &ns : namespaces())
        lines << QStringLiteral("netns add ") + ns;
    if (!ipBatch({}, lines))
        return false;

    // Every veth is created inside the namespaces it joins: no name ever appears in the root namespace.
    // The two ends get different interface indexes on purpose: the kernel treats a carrier change
    // of a device whose index equals its peer's (iflink) as non-urgent and may delay it by up to a
    // second (linkwatch), which fresh namespaces, all numbering from 2, would otherwise hit.
    lines = {QStringLiteral("link set lo up")};
    for (int i = 0; i < m_wans; ++i)
        lines << QStringLiteral("link add wan%1 index %2 type veth peer name isp%1 index %3 netns %4")
                     .arg(i)
                     .arg(100 + i)
                     .arg(200 + i)
                     .arg(ispNs(i));
    lines << QStringLiteral("link add lan0 type veth peer name eth0 netns ") + lan;
    if (!ipBatch(router, lines))
        return false;

    for (int i = 0; i < m_wans; ++i) {
        const QString n = QString::number(i);
        if (!ipBatch(ispNs(i), {QStringLiteral("link set lo up"),
                                QStringLiteral("link add uplink type veth peer name isp%1 netns %2").arg(n, inet),
                                QStringLiteral("addr add 100.64.%1.1/24 dev isp%1").arg(n),
                                QStringLiteral("addr add 198.19.%1.2/24 dev uplink").arg(n),
                                QStringLiteral("link set isp%1 up").arg(n), QStringLiteral("link set uplink up"),
                                QStringLiteral("route add default via 198.19.%1.1 dev uplink").arg(n)}))
            return false;
    }

    lines = {QStringLiteral("link set lo up")};
    for (const QString &target : std::as_const(m_options.targets))
        lines << QStringLiteral("addr add %1/32 dev lo").arg(target);
    for (int i = 0; i < m_wans; ++i) {
        const QString n = QString::number(i);
        lines << QStringLiteral("addr add 198.19.%1.1/24 dev isp%1").arg(n)
              << QStringLiteral("link set isp%1 up").arg(n)
              << QStringLiteral("route add 100.64.%1.0/24 via 198.19.%1.2 dev isp%1").arg(n);
    }
    if (!ipBatch(inet, lines))
        return false;

    if (!ipBatch(lan, {QStringLiteral("link set lo up"), QStringLiteral("addr add %1.2/24 dev eth0").arg(lanNet),
                       QStringLiteral("link set eth0 up"),
                       QStringLiteral("route add default via %1.1 dev eth0").arg(lanNet)}))
        return false;

    const QPair<QByteArray, QByteArray> forward {"net/ipv4/ip_forward", "1"};
    if (!writeSysctls(router, {forward,
                               {"net/ipv4/conf/all/ignore_routes_with_linkdown", "1"},
                               {"net/ipv4/conf/default/ignore_routes_with_linkdown", "1"},
                               {"net/ipv4/conf/all/rp_filter", "2"}}))
        return false;
    for (int i = 0; i < m_wans; ++i) {
        if (!writeSysctls(ispNs(i), {forward}))
            return false;
    }

    lines = {QStringLiteral("addr add %1.1/24 dev lan0").arg(lanNet), QStringLiteral("link set lan0 up")};
    for (int i = 0; i < m_wans; ++i) {
        lines << QStringLiteral("addr add %1/24 dev wan%2").arg(wanAddress(i)).arg(i)
              << QStringLiteral("link set wan%1 up").arg(i)
              << QStringLiteral("route add default via %1 dev wan%2 metric %3")
                     .arg(ispGateway(i))
                     .arg(i)
                     .arg(wanMetric(i));
    }
    if (!ipBatch(router, lines))
        return false;

    if (!nft(router, QStringLiteral("table inet %1 {\n"
                                    "chain postrouting { type nat hook postrouting priority srcnat; policy accept; "
                                    "oifname \"wan*\" masquerade; }\n"
                                    "}\n")
                         .arg(Table)))
        return false;
    for (int i = 0; i < m_wans; ++i) {
        const QString script = QStringLiteral("table inet %1 {\n"
                                              "counter upstream { }\n"
                                              "counter downstream { }\n"
                                              "chain count { type filter hook forward priority -10; policy accept; "
                                              "meta nfproto ipv4 iifname \"isp%2\" counter name \"upstream\"; "
                                              "meta nfproto ipv4 oifname \"isp%2\" counter name \"downstream\"; }\n"
                                              "chain impair { type filter hook forward priority 0; policy accept; }\n"
                                              "}\n")
                                   .arg(Table)
                                   .arg(i);
        if (!nft(ispNs(i), script))
            return false;
    }

    if (m_options.rateKbit > 0 || m_options.lossPercent > 0) {
        for (int i = 0; i < m_wans; ++i) {
            if (!impair(i, m_options.rateKbit, m_options.lossPercent))
                return false;
        }
    }
    return true;
}

bool Lab::attach(const QString &prefix)
{
    destroy();
    m_error.clear();
    const QRegularExpressionMatch match = nameExpression().match(prefix + QStringLiteral("-router"));
    if (!match.hasMatch()) {
        m_error = QStringLiteral("\"%1\" is not a lab name (swlab<pid>x<n>)").arg(prefix);
        return false;
    }
    const QStringList existing = existingNamespaces(prefix);
    m_prefix = prefix;
    int wans = 0;
    while (existing.contains(ispNs(wans)))
        ++wans;
    if (!existing.contains(routerNs()) || !existing.contains(internetNs()) || wans == 0) {
        m_error = QStringLiteral("no running lab named %1").arg(prefix);
        m_prefix.clear();
        return false;
    }
    m_wans = wans;
    m_owned = false;
    m_options = LabOptions {};
    m_options.targets.clear();
    const ExecResult addresses =
        exec({}, {QStringLiteral("ip"), QStringLiteral("-n"), internetNs(), QStringLiteral("-o"), QStringLiteral("-4"),
                  QStringLiteral("addr"), QStringLiteral("show"), QStringLiteral("dev"), QStringLiteral("lo")});
    static const QRegularExpression inetAddress(QStringLiteral("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/32"));
    for (const QRegularExpressionMatch &m : inetAddress.globalMatch(QString::fromLatin1(addresses.output)))
        m_options.targets << m.captured(1);
    return true;
}

void Lab::destroy()
{
    stopTunnel();
    stopServers();
    if (m_owned && !m_prefix.isEmpty()) {
        QElapsedTimer timer;
        timer.start();
        removeNamespaces(existingNamespaces(m_prefix));
        qCInfo(lcLab).noquote() << "lab" << m_prefix << "removed in" << timer.elapsed() << "ms";
    }
    m_owned = false;
    m_wans = 0;
    m_prefix.clear();
}

bool Lab::addHostBeyond()
{
    if (m_prefix.isEmpty())
        return false;
    const QString beyond = beyondNs();
    return ipBatch({}, {QStringLiteral("netns add ") + beyond}) &&
           ipBatch(internetNs(), {QStringLiteral("link add beyond0 type veth peer name vps0 netns ") + beyond,
                                  QStringLiteral("addr add %1/24 dev beyond0").arg(beyondGateway()),
                                  QStringLiteral("link set beyond0 up")}) &&
           ipBatch(beyond,
                   {QStringLiteral("link set lo up"), QStringLiteral("addr add %1/24 dev vps0").arg(beyondHost()),
                    QStringLiteral("link set vps0 up")});
}

QStringList Lab::namespaces() const
{
    if (m_prefix.isEmpty())
        return {};
    QStringList names {routerNs(), internetNs(), lanNs()};
    for (int i = 0; i < m_wans; ++i)
        names << ispNs(i);
    return names;
}

bool Lab::checkWan(int wan)
{
    if (wan >= 0 && wan < m_wans)
        return true;
    m_error = QStringLiteral("no WAN %1 in this lab (it has %2)").arg(wan).arg(m_wans);
    return false;
}

bool Lab::cut(int wan)
{
    if (!checkWan(wan))
        return false;
    qCInfo(lcLab).noquote() << m_prefix << "cut WAN" << wan;
    return ipBatch(ispNs(wan), {QStringLiteral("link set isp%1 down").arg(wan)});
}

bool Lab::blackhole(int wan)
{
    if (!checkWan(wan))
        return false;
    qCInfo(lcLab).noquote() << m_prefix << "blackhole WAN" << wan;
    return nft(ispNs(wan), QStringLiteral("flush chain inet %1 impair\nadd rule inet %1 impair drop\n").arg(Table));
}

bool Lab::impair(int wan, int rateKbit, double lossPercent)
{
    if (!checkWan(wan))
        return false;
    if (rateKbit < 0 || !(lossPercent >= 0 && lossPercent <= 100)) {
        m_error = QStringLiteral("impairment out of range: rate %1 kbit/s, loss %2 %").arg(rateKbit).arg(lossPercent);
        return false;
    }
    qCInfo(lcLab).noquote() << m_prefix << "impair WAN" << wan << "rate" << rateKbit << "kbit/s loss" << lossPercent
                            << "%";
    QString script = QStringLiteral("flush chain inet %1 impair\n").arg(Table);
    const long perTenThousand = std::lround(lossPercent * 100);
    if (perTenThousand > 0)
        script += QStringLiteral("add rule inet %1 impair numgen random mod 10000 < %2 drop\n")
                      .arg(Table)
                      .arg(perTenThousand);
    return nft(ispNs(wan), script) && setShaping(wan, rateKbit);
}

bool Lab::restore(int wan)
{
    if (!checkWan(wan))
        return false;
    qCInfo(lcLab).noquote() << m_prefix << "restore WAN" << wan;
    return ipBatch(ispNs(wan), {QStringLiteral("link set isp%1 up").arg(wan)}) &&
           nft(ispNs(wan), QStringLiteral("flush chain inet %1 impair\n").arg(Table)) && setShaping(wan, 0);
}

bool Lab::setShaping(int wan, int rateKbit)
{
    const QStringList devices {QStringLiteral("isp%1").arg(wan), QStringLiteral("uplink")};
    QStringList lines;
    if (rateKbit > 0) {
        // 20 ms worth of burst (at least two full frames), queueing at most 50 ms.
        const qint64 burst = std::max<qint64>(4096, qint64(rateKbit) * 1000 / 8 / 50);
        for (const QString &device : devices)
            lines << QStringLiteral("qdisc replace dev %1 root tbf rate %2kbit burst %3 latency 50ms")
                         .arg(device)
                         .arg(rateKbit)
                         .arg(burst);
        return run(
            QStringLiteral("tc -n %1").arg(ispNs(wan)),
            {QStringLiteral("tc"), QStringLiteral("-n"), ispNs(wan), QStringLiteral("-batch"), QStringLiteral("-")},
            lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    }
    // Back to the veth's default (noqueue); there may be nothing to delete, which is fine.
    for (const QString &device : devices)
        lines << QStringLiteral("qdisc del dev %1 root").arg(device);
    exec({},
         {QStringLiteral("tc"), QStringLiteral("-n"), ispNs(wan), QStringLiteral("-force"), QStringLiteral("-batch"),
          QStringLiteral("-")},
         lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    return true;
}

qint64 Lab::ispPacketCount(int wan, Direction direction) const
{
    if (wan < 0 || wan >= m_wans)
        return -1;
    const QString name = direction == Direction::Upstream ? QStringLiteral("upstream") : QStringLiteral("downstream");
    const ExecResult result = exec(ispNs(wan), {QStringLiteral("nft"), QStringLiteral("-j"), QStringLiteral("list"),
                                                QStringLiteral("counter"), QStringLiteral("inet"), Table, name});
    if (!result.ok())
        return -1;
    const QJsonArray items =
        QJsonDocument::fromJson(result.output).object().value(QStringLiteral("nftables")).toArray();
    for (const QJsonValue &item : items) {
        const QJsonObject counter = item.toObject().value(QStringLiteral("counter")).toObject();
        if (counter.value(QStringLiteral("name")).toString() == name)
            return counter.value(QStringLiteral("packets")).toInteger(-1);
    }
    return -1;
}

ExecResult Lab::exec(const QString &ns, const QStringList &argv, const QByteArray &input, int timeoutMs)
{
    ExecResult result;
    if (argv.isEmpty())
        return result;
    QProcess process;
    if (ns.isEmpty()) {
        process.setProgram(argv.first());
        process.setArguments(argv.mid(1));
    } else {
        process.setProgram(QStringLiteral("ip"));
        process.setArguments(QStringList {QStringLiteral("netns"), QStringLiteral("exec"), ns} + argv);
    }
    qCDebug(lcLab).noquote() << "run:" << process.program() << process.arguments().join(QLatin1Char(' '));
    process.start();
    if (!process.waitForStarted(10000)) {
        result.errorOutput = process.errorString().toLocal8Bit();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.errorOutput = "timed out: " + process.readAllStandardError();
        result.output = process.readAllStandardOutput();
        return result;
    }
    result.output = process.readAllStandardOutput();
    result.errorOutput = process.readAllStandardError();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

bool Lab::run(const QString &what, const QStringList &argv, const QByteArray &input)
{
    const ExecResult result = exec({}, argv, input);
    if (result.ok())
        return true;
    m_error = QStringLiteral("%1: %2 (exit code %3)").arg(what, trimmed(result.errorOutput)).arg(result.exitCode);
    return false;
}

bool Lab::ipBatch(const QString &ns, const QStringList &lines)
{
    QStringList argv {QStringLiteral("ip")};
    if (!ns.isEmpty())
        argv << QStringLiteral("-n") << ns;
    argv << QStringLiteral("-batch") << QStringLiteral("-");
    return run(ns.isEmpty() ? QStringLiteral("ip") : QStringLiteral("ip -n ") + ns, argv,
               lines.join(QLatin1Char('\n')).toUtf8() + '\n');
}

bool Lab::nft(const QString &ns, const QString &script)
{
    return run(QStringLiteral("nft in ") + ns,
               {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral("nft"),
                QStringLiteral("-f"), QStringLiteral("-")},
               script.toUtf8());
}

// /proc/sys/net shows the network namespace of the thread that looks at it, so this thread steps into
// the lab's namespace for the writes and back out (cheaper than an `ip netns exec sysctl` per namespace).
bool Lab::writeSysctls(const QString &ns, const QList<QPair<QByteArray, QByteArray>> &values)
{
    const int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
    if (self < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
        m_error =
            QStringLiteral("cannot enter network namespace %1: %2").arg(ns, QString::fromLocal8Bit(strerror(errno)));
        if (self >= 0)
            ::close(self);
        if (target >= 0)
            ::close(target);
        return false;
    }
    for (const auto &[key, value] : values) {
        const QByteArray path = "/proc/sys/" + key;
        const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
        const bool written = fd >= 0 && ::write(fd, value.constData(), size_t(value.size())) == value.size();
        if (!written)
            m_error = QStringLiteral("cannot write %1 in %2: %3")
                          .arg(QString::fromLatin1(path), ns, QString::fromLocal8Bit(strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        if (!written)
            break;
    }
    if (::setns(self, CLONE_NEWNET) != 0)
        qFatal("cannot return to the original network namespace");
    ::close(self);
    ::close(target);
    return m_error.isEmpty();
}

bool Lab::startIperfServer(quint16 port)
{
    return startServer({QStringLiteral("iperf3"), QStringLiteral("-s"), QStringLiteral("-p"), QString::number(port)},
                       port, false);
}

QString Lab::udpEchoProgram()
{
    return QStringLiteral(SMOOTHWAN_LAB_UDP_ECHO);
}

bool Lab::startUdpEcho(quint16 port)
{
    return startServer({udpEchoProgram(), QStringLiteral("server"), QStringLiteral("--port"), QString::number(port)},
                       port, true);
}

bool Lab::startTunnel(const QString &name, const QString &cidr)
{
    if (!isValid()) {
        m_error = QStringLiteral("no lab");
        return false;
    }
    stopTunnel();
    m_tunnel = std::make_unique<QProcess>();
    m_tunnel->setProgram(QStringLiteral("ip"));
    m_tunnel->setArguments(
        {QStringLiteral("netns"), QStringLiteral("exec"), routerNs(), QStringLiteral(SMOOTHWAN_LAB_TUN_HOLDER), name});
    m_tunnel->setStandardErrorFile(QProcess::nullDevice());
    m_tunnel->start();
    if (!m_tunnel->waitForStarted(5000) || !m_tunnel->waitForReadyRead(5000) ||
        !m_tunnel->readAllStandardOutput().contains("ready")) {
        m_error = QStringLiteral("cannot create the tunnel %1").arg(name);
        stopTunnel();
        return false;
    }
    m_tunnelName = name;
    return ipBatch(routerNs(),
                   {QStringLiteral("addr add %1 dev %2").arg(cidr, name), QStringLiteral("link set %1 up").arg(name)});
}

void Lab::stopTunnel()
{
    if (!m_tunnel)
        return;
    m_tunnel->terminate();
    if (!m_tunnel->waitForFinished(3000)) {
        m_tunnel->kill();
        m_tunnel->waitForFinished(3000);
    }
    m_tunnel.reset();
    m_tunnelName.clear();
}

qint64 Lab::tunnelPackets(const QString &device) const
{
    const QString name = device.isEmpty() ? m_tunnelName : device;
    if (name.isEmpty())
        return -1;
    const ExecResult r = exec({}, {QStringLiteral("ip"), QStringLiteral("-n"), routerNs(), QStringLiteral("-s"),
                                   QStringLiteral("-j"), QStringLiteral("link"), QStringLiteral("show"), name});
    const QJsonArray links = QJsonDocument::fromJson(r.output).array();
    if (!r.ok() || links.isEmpty())
        return -1;
    return links.first()
        .toObject()
        .value(QStringLiteral("stats64"))
        .toObject()
        .value(QStringLiteral("tx"))
        .toObject()
        .value(QStringLiteral("packets"))
        .toInteger(-1);
}

bool Lab::startDnsResponder(quint16 port)
{
    return startServer({udpEchoProgram(), QStringLiteral("server"), QStringLiteral("--port"), QString::number(port),
                        QStringLiteral("--dns")},
                       port, true);
}

bool Lab::startServer(const QStringList &argv, quint16 port, bool udp)
{
    if (!isValid()) {
        m_error = QStringLiteral("no lab");
        return false;
    }
    auto process = std::make_unique<QProcess>();
    process->setProgram(QStringLiteral("ip"));
    process->setArguments(QStringList {QStringLiteral("netns"), QStringLiteral("exec"), internetNs()} + argv);
    process->setStandardOutputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice()); // an orphan must not hold our stderr open
    process->start();
    if (!process->waitForStarted(10000)) {
        m_error = QStringLiteral("%1: %2").arg(argv.first(), process->errorString());
        return false;
    }
    m_servers.push_back(std::move(process));
    if (!waitListening(port, udp)) {
        m_error = QStringLiteral("%1 does not listen on port %2").arg(argv.first()).arg(port);
        return false;
    }
    qCInfo(lcLab).noquote() << m_prefix << argv.first() << "listening on" << (udp ? "udp" : "tcp") << "port" << port;
    return true;
}

bool Lab::waitListening(quint16 port, bool udp)
{
    QProcess *process = m_servers.back().get();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000 && process->state() == QProcess::Running) {
        const ExecResult listening =
            exec({}, {QStringLiteral("ss"), QStringLiteral("-N"), internetNs(),
                      udp ? QStringLiteral("-Hlnu") : QStringLiteral("-Hlnt"), QStringLiteral("sport"),
                      QStringLiteral("="), QStringLiteral(":%1").arg(port)});
        if (listening.ok() && !listening.output.trimmed().isEmpty())
            return true;
        QThread::msleep(20);
    }
    return false;
}

void Lab::stopServers()
{
    for (const std::unique_ptr<QProcess> &process : m_servers) {
        if (process->state() == QProcess::NotRunning)
            continue;
        process->terminate();
        if (!process->waitForFinished(2000)) {
            process->kill();
            process->waitForFinished(2000);
        }
    }
    m_servers.clear();
}

QList<QPair<QString, QString>> Lab::describe() const
{
    QList<QPair<QString, QString>> facts {
        {QStringLiteral("prefix"), m_prefix},
        {QStringLiteral("router"), routerNs()},
        {QStringLiteral("internet"), internetNs()},
        {QStringLiteral("lan"), lanNs()},
        {QStringLiteral("lan_router_interface"), QStringLiteral("lan0")},
        {QStringLiteral("lan_router_address"), lanRouterAddress()},
        {QStringLiteral("lan_client_interface"), QStringLiteral("eth0")},
        {QStringLiteral("lan_client_address"), lanClientAddress()},
        {QStringLiteral("targets"), m_options.targets.join(QLatin1Char(','))},
        {QStringLiteral("wans"), QString::number(m_wans)},
    };
    for (int i = 0; i < m_wans; ++i) {
        const QString key = QStringLiteral("wan%1_").arg(i);
        facts << QPair<QString, QString> {key + QStringLiteral("interface"), wanInterface(i)}
              << QPair<QString, QString> {key + QStringLiteral("address"), wanAddress(i)}
              << QPair<QString, QString> {key + QStringLiteral("gateway"), ispGateway(i)}
              << QPair<QString, QString> {key + QStringLiteral("metric"), QString::number(wanMetric(i))}
              << QPair<QString, QString> {key + QStringLiteral("isp"), ispNs(i)};
    }
    return facts;
}

QStringList Lab::existingNamespaces(const QString &prefix)
{
    QProcess process;
    process.start(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")});
    if (!process.waitForFinished(10000) || process.exitCode() != 0)
        return {};
    QStringList names;
    const QList<QByteArray> lines = process.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        const QString name = QString::fromLocal8Bit(line).section(QLatin1Char(' '), 0, 0).trimmed();
        if (!nameExpression().match(name).hasMatch())
            continue;
        if (prefix.isEmpty() || name.startsWith(prefix + QLatin1Char('-')))
            names << name;
    }
    return names;
}

int Lab::sweepStale()
{
    QStringList stale;
    for (const QString &name : existingNamespaces()) {
        const qint64 owner = nameExpression().match(name).captured(2).toLongLong();
        if (owner != ::getpid() && !processAlive(owner))
            stale << name;
    }
    if (!stale.isEmpty()) {
        qCInfo(lcLab).noquote() << "removing" << stale.size()
                                << "namespaces of stale labs:" << stale.join(QLatin1Char(' '));
        removeNamespaces(stale);
    }
    return int(stale.size());
}

// Processes left inside a namespace (servers of a killed lab, a daemon under test) would keep it alive
// after `ip netns del`: they are killed first.
void Lab::removeNamespaces(const QStringList &names)
{
    if (names.isEmpty())
        return;
    for (const QString &ns : names) {
        QProcess pids;
        pids.start(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("pids"), ns});
        pids.waitForFinished(10000);
        const QList<QByteArray> lines = pids.readAllStandardOutput().split('\n');
        for (const QByteArray &line : lines) {
            bool ok = false;
            const pid_t pid = pid_t(line.trimmed().toLongLong(&ok));
            if (ok && pid > 1 && pid != ::getpid()) {
                qCDebug(lcLab).noquote() << "killing process" << pid << "left in" << ns;
                ::kill(pid, SIGKILL);
            }
        }
    }
    QStringList lines;
    for (const QString &ns : names)
        lines << QStringLiteral("netns del ") + ns;
    QProcess del;
    del.start(QStringLiteral("ip"), {QStringLiteral("-force"), QStringLiteral("-batch"), QStringLiteral("-")});
    del.waitForStarted(10000);
    del.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    del.closeWriteChannel();
    del.waitForFinished(10000);
    if (del.exitStatus() != QProcess::NormalExit || del.exitCode() != 0)
        qCWarning(lcLab).noquote() << "removing namespaces:" << trimmed(del.readAllStandardError());
}

ThreadInNamespace::ThreadInNamespace(const QString &ns)
{
    m_home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(QFile::encodeName(QStringLiteral("/run/netns/") + ns).constData(), O_RDONLY | O_CLOEXEC);
    if (m_home < 0 || target < 0)
        m_error =
            QStringLiteral("cannot open the namespace %1: %2").arg(ns, QString::fromLocal8Bit(std::strerror(errno)));
    else if (::setns(target, CLONE_NEWNET) != 0)
        m_error =
            QStringLiteral("cannot enter the namespace %1: %2").arg(ns, QString::fromLocal8Bit(std::strerror(errno)));
    else
        m_ok = true;
    if (target >= 0)
        ::close(target);
}

ThreadInNamespace::~ThreadInNamespace()
{
    leave();
}

void ThreadInNamespace::leave()
{
    if (m_ok)
        ::setns(m_home, CLONE_NEWNET);
    m_ok = false;
    if (m_home >= 0)
        ::close(m_home);
    m_home = -1;
}

} // namespace smoothwan::lab

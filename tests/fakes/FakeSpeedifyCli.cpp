// SPDX-License-Identifier: GPL-3.0-or-later
// speedify_cli stand-in for SmoothWAN tests. Follows reference/speedify-cli.md: the same actions,
// documents, exit codes and both framings (-s single line, pretty tab-indented). The "daemon" is
// a JSON file in $SPEEDIFY_FAKE_STATE_DIR (default /tmp/speedify-fake). Environment:
//   SPEEDIFY_FAKE_ADAPTERS=eth0,wlan0   adapters on first use (default: every non-loopback link)
//   SPEEDIFY_FAKE_FAULT=hang|crash|malformed|rc1|rc2|rc3|rc4|slow|daemon-down
//   SPEEDIFY_FAKE_FAULT_ACTION=<action>  only that action faults (default: every action)
//   SPEEDIFY_FAKE_SLOW_MS, SPEEDIFY_FAKE_CONNECT_MS, SPEEDIFY_FAKE_STATS_MS
//   SPEEDIFY_FAKE_ARGV_LOG=<file>       appends each invocation's argv as one JSON array line
//   SPEEDIFY_FAKE_NEEDS_DAEMON=1        answer "daemon not running" unless the daemon stand-in runs
//   SPEEDIFY_FAKE_TUN=0                 never create connectify0 (it is created only as root)
// connection_stats rates come from the adapters' real byte counters in /proc/net/dev.
// The same files may also hold a fault: <state dir>/fault (first line as SPEEDIFY_FAKE_FAULT).

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QSaveFile>
#include <QtCore/QThread>
#include <QtNetwork/QHostAddress>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

const char *const StandIn = "speedify_cli stand-in for SmoothWAN tests";
const QString TunName = QStringLiteral("connectify0");

bool g_single = false;
QString g_title; // with -t: a title line before each document

// `ip` with an argument list; its output is kept away from ours (stdout carries the JSON).
void runIp(const QStringList &args)
{
    QProcess ip;
    ip.start(QStringLiteral("ip"), args);
    ip.waitForFinished(10000);
}

QString envOr(const char *name, const QString &fallback)
{
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? fallback : QString::fromLocal8Bit(v);
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok ? v : fallback;
}

QString stateDir()
{
    return envOr("SPEEDIFY_FAKE_STATE_DIR", QStringLiteral("/tmp/speedify-fake"));
}

// With SPEEDIFY_FAKE_NEEDS_DAEMON=1 the daemon stand-in must be running (its pid file).
bool daemonAlive()
{
    if (qgetenv("SPEEDIFY_FAKE_NEEDS_DAEMON") != "1")
        return true;
    QFile f(stateDir() + QStringLiteral("/daemon.pid"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const int pid = f.readAll().trimmed().toInt();
    return pid > 0 && ::kill(pid, 0) == 0;
}

// cJSON's pretty style, as the real CLI prints it: tabs, "key":<tab>value.
QByteArray pretty(const QJsonValue &v, int indent = 0)
{
    const QByteArray tabs(indent, '\t');
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        if (o.isEmpty())
            return "{\n" + tabs + "}";
        QByteArray out = "{\n";
        int i = 0;
        for (auto it = o.begin(); it != o.end(); ++it, ++i) {
            out += tabs + '\t' + QJsonDocument(QJsonArray {it.key()}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
            out += ":\t" + pretty(it.value(), indent + 1);
            out += i + 1 < o.size() ? ",\n" : "\n";
        }
        return out + tabs + "}";
    }
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        if (a.isEmpty())
            return "[]";
        QByteArray out = "[\n";
        for (int i = 0; i < a.size(); ++i) {
            out += tabs + '\t' + pretty(a.at(i), indent + 1);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        return out + tabs + "]";
    }
    return QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

void emitDoc(const QJsonValue &v)
{
    QByteArray out = g_title.isEmpty() ? QByteArray() : g_title.toUtf8() + ":\n";
    if (g_single)
        out += QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject()))
                   .toJson(QJsonDocument::Compact) +
               '\n';
    else
        out += pretty(v) + "\n\n";
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
}

int fail(int rc, const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toUtf8().constData());
    return rc;
}

int apiError(int code, const QString &type, const QString &message)
{
    const QJsonObject e {{QStringLiteral("errorCode"), code},
                         {QStringLiteral("errorType"), type},
                         {QStringLiteral("errorMessage"), message}};
    std::fprintf(stderr, "%s\n", QJsonDocument(e).toJson(QJsonDocument::Compact).constData());
    return 1;
}

const char *const Usage = "Usage : speedify_cli [-s] [-t] action\n"
                          "(speedify_cli stand-in for SmoothWAN tests)\n"
                          "Actions:\n"
                          "    adapter datalimit|directionalmode|encryption|overlimitratelimit|priority|ratelimit|"
                          "resetusage ...\n"
                          "    connect [ closest | public | private | p2p | <country> [<city> [<number>]] | last | "
                          "<tag> ]\n"
                          "    disconnect | encryption | headercompression | jumbo | login | logout | maxredundant | "
                          "mode | overflow | packetaggr | priorityoverflow | show | speedtest | startupconnect | "
                          "state | stats | streamingbypass | streaming | streamtest | transport | version\n";

int usageError(const QString &what)
{
    std::fprintf(stderr, "Unknown parameter: %s\n%s", what.toUtf8().constData(), Usage);
    return 4;
}

// ---- the daemon's state ----------------------------------------------------------------------

QJsonObject defaultSettings()
{
    return QJsonObject {
        {QStringLiteral("allowChaChaEncryption"), true},
        {QStringLiteral("bondingMode"), QStringLiteral("speed")},
        {QStringLiteral("downstreamSubnets"), QJsonArray {}},
        {QStringLiteral("enableAutomaticPriority"), true},
        {QStringLiteral("enableDefaultRoute"), true},
        {QStringLiteral("encrypted"), true},
        {QStringLiteral("fixedDelay"), 0},
        {QStringLiteral("forwardedPorts"), QJsonArray {}},
        {QStringLiteral("headerCompression"), false},
        {QStringLiteral("jumboPackets"), true},
        {QStringLiteral("maxRedundant"), 2},
        {QStringLiteral("maximumConnectRetry"), 60},
        {QStringLiteral("maximumTransportRetry"), 30},
        {QStringLiteral("overflowThreshold"), 30.0},
        {QStringLiteral("packetAggregation"), true},
        {QStringLiteral("packetPoolSize"), QStringLiteral("default")},
        {QStringLiteral("perConnectionEncryptionEnabled"), false},
        {QStringLiteral("perConnectionEncryptionSettings"), QJsonArray {}},
        {QStringLiteral("perConnectionExposeDscpSettings"), QJsonArray {}},
        {QStringLiteral("priorityOverflowThreshold"), 0.0},
        {QStringLiteral("startupConnect"), false},
        {QStringLiteral("transportMode"), QStringLiteral("auto")},
    };
}

QJsonObject makeAdapter(const QString &id)
{
    const bool cellular = id.startsWith(QLatin1String("ww")) || id.startsWith(QLatin1String("usb"));
    return QJsonObject {
        {QStringLiteral("adapterID"), id},
        {QStringLiteral("name"), id},
        {QStringLiteral("description"), QStringLiteral("stand-in adapter")},
        {QStringLiteral("state"), QStringLiteral("connected")},
        {QStringLiteral("type"), cellular ? QStringLiteral("Cellular") : QStringLiteral("Ethernet")},
        {QStringLiteral("priority"), QStringLiteral("automatic")},
        {QStringLiteral("workingPriority"), QStringLiteral("always")},
        {QStringLiteral("isp"), QStringLiteral("Stand-in ISP")},
        {QStringLiteral("connectedNetworkName"), QString()},
        {QStringLiteral("connectedNetworkBSSID"), QString()},
        {QStringLiteral("rateLimit"), 0},
        {QStringLiteral("dataUsage"), QJsonObject {{QStringLiteral("overlimitRatelimit"), 0},
                                                   {QStringLiteral("usageDaily"), 0},
                                                   {QStringLiteral("usageDailyBoost"), 0},
                                                   {QStringLiteral("usageDailyLimit"), 0},
                                                   {QStringLiteral("usageMonthly"), 0},
                                                   {QStringLiteral("usageMonthlyLimit"), 0},
                                                   {QStringLiteral("usageMonthlyResetDay"), 0}}},
        {QStringLiteral("directionalSettings"), QJsonObject {{QStringLiteral("upload"), QStringLiteral("on")},
                                                             {QStringLiteral("download"), QStringLiteral("on")}}},
    };
}

QJsonArray servers(bool privateOnes)
{
    auto server = [](const char *countryC, const char *cityC, int num, bool isPrivate, bool torrent) {
        const QString country = QString::fromLatin1(countryC);
        const QString city = QString::fromLatin1(cityC);
        const QString tag =
            QStringLiteral("%1%2-%3-%4").arg(isPrivate ? QStringLiteral("private") : QString(), country, city).arg(num);
        return QJsonObject {
            {QStringLiteral("city"), city},
            {QStringLiteral("country"), country},
            {QStringLiteral("dataCenter"), QString(city + QStringLiteral("-dc"))},
            {QStringLiteral("friendlyName"), QStringLiteral("%1 - %2 #%3").arg(country.toUpper(), city).arg(num)},
            {QStringLiteral("isPremium"), true},
            {QStringLiteral("isPrivate"), isPrivate},
            {QStringLiteral("num"), num},
            {QStringLiteral("tag"), tag},
            {QStringLiteral("torrentAllowed"), torrent}};
    };
    if (privateOnes)
        return QJsonArray {server("us", "nova", 3, true, true)};
    return QJsonArray {server("us", "nova", 17, false, false), server("us", "chicago", 4, false, true),
                       server("gb", "london", 5, false, true), server("de", "frankfurt", 2, false, false)};
}

class Daemon
{
public:
    bool load()
    {
        QDir().mkpath(stateDir());
        m_lock.setFileName(stateDir() + QStringLiteral("/lock"));
        if (m_lock.open(QIODevice::ReadWrite))
            ::flock(m_lock.handle(), LOCK_EX);
        QFile f(stateDir() + QStringLiteral("/daemon.json"));
        if (f.open(QIODevice::ReadOnly))
            m_s = QJsonDocument::fromJson(f.readAll()).object();
        if (m_s.isEmpty()) {
            QJsonArray adapters;
            QStringList ids = envOr("SPEEDIFY_FAKE_ADAPTERS", QString()).split(QLatin1Char(','), Qt::SkipEmptyParts);
            if (ids.isEmpty()) {
                for (const QString &n :
                     QDir(QStringLiteral("/sys/class/net")).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                    if (n != QLatin1String("lo") && n != TunName)
                        ids.append(n);
            }
            for (const QString &id : ids)
                adapters.append(makeAdapter(id));
            m_s = QJsonObject {{QStringLiteral("state"), QStringLiteral("LOGGED_OUT")},
                               {QStringLiteral("settings"), defaultSettings()},
                               {QStringLiteral("adapters"), adapters},
                               {QStringLiteral("connectMethod"),
                                QJsonObject {{QStringLiteral("connectMethod"), QStringLiteral("closest")},
                                             {QStringLiteral("country"), QString()},
                                             {QStringLiteral("city"), QString()},
                                             {QStringLiteral("num"), 0}}},
                               {QStringLiteral("session"), QJsonObject {{QStringLiteral("failoverSaves"), 0},
                                                                        {QStringLiteral("redundantSaves"), 0}}}};
        }
        advance();
        return true;
    }

    void save()
    {
        QSaveFile f(stateDir() + QStringLiteral("/daemon.json"));
        if (f.open(QIODevice::WriteOnly)) {
            f.write(QJsonDocument(m_s).toJson());
            f.commit();
        }
    }

    void unlock()
    {
        if (m_lock.isOpen())
            ::flock(m_lock.handle(), LOCK_UN);
    }

    // Time-driven transitions: AUTO_CONNECTING (after a login with startup-connect) ends connected.
    void advance()
    {
        if (state() == QLatin1String("AUTO_CONNECTING") &&
            QDateTime::currentMSecsSinceEpoch() - m_s.value(QStringLiteral("since")).toInteger() >=
                envInt("SPEEDIFY_FAKE_CONNECT_MS", 200)) {
            const QJsonObject m = m_s.value(QStringLiteral("connectMethod")).toObject();
            m_s.insert(QStringLiteral("server"), pickServer(m.value(QStringLiteral("connectMethod")).toString(), {}));
            setState(QStringLiteral("CONNECTED"));
            tunUp();
            save();
        }
    }

    QString state() const { return m_s.value(QStringLiteral("state")).toString(); }
    void setState(const QString &s)
    {
        m_s.insert(QStringLiteral("state"), s);
        m_s.insert(QStringLiteral("since"), QDateTime::currentMSecsSinceEpoch());
    }
    QJsonObject settings() const { return m_s.value(QStringLiteral("settings")).toObject(); }
    void setSetting(const QString &key, const QJsonValue &v)
    {
        QJsonObject s = settings();
        s.insert(key, v);
        m_s.insert(QStringLiteral("settings"), s);
    }
    QJsonArray adapters() const { return m_s.value(QStringLiteral("adapters")).toArray(); }
    void setAdapters(const QJsonArray &a) { m_s.insert(QStringLiteral("adapters"), a); }
    QJsonObject &raw() { return m_s; }

    QJsonObject pickServer(const QString &method, const QStringList &args) const
    {
        const QJsonArray all = servers(false) + servers(true);
        auto withIp = [](QJsonObject s) {
            s.insert(QStringLiteral("publicIP"),
                     QJsonArray {QStringLiteral("203.0.113.%1").arg(s.value(QStringLiteral("num")).toInt())});
            s.insert(QStringLiteral("dnsIP"), QJsonArray {QStringLiteral("10.202.0.1")});
            return s;
        };
        if (method.isEmpty() || method == QLatin1String("closest") || method == QLatin1String("public") ||
            method == QLatin1String("last"))
            return withIp(servers(false).at(0).toObject());
        if (method == QLatin1String("p2p"))
            return withIp(servers(false).at(1).toObject());
        if (method == QLatin1String("private"))
            return withIp(servers(true).at(0).toObject());
        const QString tag = method.startsWith(QLatin1Char('#')) ? method.mid(1) : method;
        for (const QJsonValue &v : all) {
            const QJsonObject s = v.toObject();
            if (s.value(QStringLiteral("tag")).toString() == tag)
                return withIp(s);
        }
        for (const QJsonValue &v : all) { // country [city [num]]
            const QJsonObject s = v.toObject();
            if (s.value(QStringLiteral("country")).toString() != method)
                continue;
            if (args.size() > 0 && s.value(QStringLiteral("city")).toString() != args[0])
                continue;
            if (args.size() > 1 && QString::number(s.value(QStringLiteral("num")).toInt()) != args[1])
                continue;
            return withIp(s);
        }
        return {};
    }

    void tunUp()
    {
        if (envOr("SPEEDIFY_FAKE_TUN", QStringLiteral("1")) == QLatin1String("0"))
            return;
        if (geteuid() != 0) {
            std::fprintf(stderr, "speedify_cli stand-in: not root, so %s was not created\n", "connectify0");
            return;
        }
        const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return;
        ifreq ifr {};
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", "connectify0");
        if (::ioctl(fd, TUNSETIFF, &ifr) == 0)
            ::ioctl(fd, TUNSETPERSIST, 1);
        ::close(fd);
        runIp({QStringLiteral("addr"), QStringLiteral("replace"), QStringLiteral("10.202.0.2/24"),
               QStringLiteral("dev"), TunName});
        runIp({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("dev"), TunName, QStringLiteral("up")});
    }

    void tunDown()
    {
        if (geteuid() != 0 || envOr("SPEEDIFY_FAKE_TUN", QStringLiteral("1")) == QLatin1String("0"))
            return;
        runIp({QStringLiteral("link"), QStringLiteral("del"), QStringLiteral("dev"), TunName});
    }

private:
    QJsonObject m_s;
    QFile m_lock;
};

// ---- argument checks, as the real CLI does them ----------------------------------------------

std::optional<bool> onOff(const QString &s)
{
    if (s == QLatin1String("on"))
        return true;
    if (s == QLatin1String("off"))
        return false;
    return std::nullopt;
}

std::optional<double> number(const QString &s)
{
    bool ok = false;
    const double v = s.toDouble(&ok);
    return ok && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

int findAdapter(const QJsonArray &adapters, const QString &id)
{
    for (int i = 0; i < adapters.size(); ++i)
        if (adapters.at(i).toObject().value(QStringLiteral("adapterID")).toString() == id)
            return i;
    return -1;
}

QJsonObject connectionRow(const QString &adapter, const QString &conn, const QString &protocol, double rx, double tx,
                          double latency)
{
    return QJsonObject {{QStringLiteral("adapterID"), adapter},
                        {QStringLiteral("connectionID"), conn},
                        {QStringLiteral("connected"), true},
                        {QStringLiteral("congested"), false},
                        {QStringLiteral("downloadCongested"), false},
                        {QStringLiteral("uploadCongested"), false},
                        {QStringLiteral("sleeping"), false},
                        {QStringLiteral("inFlight"), 0},
                        {QStringLiteral("inFlightWindow"), 65536},
                        {QStringLiteral("latencyMs"), latency},
                        {QStringLiteral("jitterMs"), latency / 10},
                        {QStringLiteral("lossSend"), 0.0},
                        {QStringLiteral("lossReceive"), 0.0},
                        {QStringLiteral("localIp"), QStringLiteral("192.0.2.2")},
                        {QStringLiteral("privateIp"), QStringLiteral("10.202.0.2")},
                        {QStringLiteral("remoteIp"), QStringLiteral("203.0.113.17")},
                        {QStringLiteral("protocol"), protocol},
                        {QStringLiteral("receiveBps"), rx},
                        {QStringLiteral("sendBps"), tx},
                        {QStringLiteral("totalBps"), rx + tx},
                        {QStringLiteral("receiveEstimateMbps"), 100.0},
                        {QStringLiteral("sendEstimateMbps"), 20.0}};
}

// The interface's byte counters (rx, tx). /proc/net/dev follows the caller's network namespace,
// /sys/class/net follows the namespace sysfs was mounted in, so read the former.
QPair<qint64, qint64> counters(const QString &iface)
{
    QFile f(QStringLiteral("/proc/net/dev"));
    if (!f.open(QIODevice::ReadOnly))
        return {0, 0};
    for (const QByteArray &line : f.readAll().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || line.left(colon).trimmed() != iface.toUtf8())
            continue;
        const QList<QByteArray> fields = line.mid(colon + 1).simplified().split(' ');
        return {fields.value(0).toLongLong(), fields.value(8).toLongLong()};
    }
    return {0, 0};
}

int runStats(const QStringList &args)
{
    const int seconds = args.isEmpty() ? 0 : args.first().toInt();
    const int periodMs = envInt("SPEEDIFY_FAKE_STATS_MS", 1000);
    const qint64 endAt = seconds > 0 ? QDateTime::currentMSecsSinceEpoch() + seconds * 1000LL : 0;
    QString lastState;
    QJsonArray lastAdapters;
    QHash<QString, QPair<qint64, qint64>> lastCounters;
    qint64 lastAt = 0;
    for (int round = 0;; ++round) {
        if (!daemonAlive()) // the stream ends with its daemon
            return apiError(7, QStringLiteral("Connection failure"), QStringLiteral("Lost the Speedify service"));
        Daemon d;
        d.load();
        d.unlock();
        if (d.state() != lastState) {
            lastState = d.state();
            emitDoc(QJsonArray {QStringLiteral("state"), QJsonObject {{QStringLiteral("state"), lastState}}});
        }
        if (d.adapters() != lastAdapters) {
            lastAdapters = d.adapters();
            emitDoc(QJsonArray {QStringLiteral("adapters"), lastAdapters});
        }
        if (lastState == QLatin1String("CONNECTED")) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            QJsonArray rows;
            double totalRx = 0;
            double totalTx = 0;
            QJsonArray perAdapter;
            for (const QJsonValue &v : lastAdapters) {
                const QString id = v.toObject().value(QStringLiteral("adapterID")).toString();
                const auto [rxBytes, txBytes] = counters(id);
                double rx = 0;
                double tx = 0;
                if (lastCounters.contains(id) && now > lastAt) {
                    rx = double(rxBytes - lastCounters[id].first) * 8000.0 / double(now - lastAt);
                    tx = double(txBytes - lastCounters[id].second) * 8000.0 / double(now - lastAt);
                }
                lastCounters[id] = {rxBytes, txBytes};
                totalRx += rx;
                totalTx += tx;
                perAdapter.append(connectionRow(id, id + QStringLiteral("%192.0.2.0/24"), QStringLiteral("udp"), rx, tx,
                                                20 + 5 * perAdapter.size()));
            }
            lastAt = now;
            rows.append(
                connectionRow(QStringLiteral("speedify"), QStringLiteral("speedify"), QString(), totalRx, totalTx, 0));
            for (const QJsonValue &r : perAdapter)
                rows.append(r);
            if (!lastAdapters.isEmpty()) {
                const QString first = lastAdapters.at(0).toObject().value(QStringLiteral("adapterID")).toString();
                rows.append(connectionRow(first, first + QStringLiteral("%proxy"), QStringLiteral("proxy"), 1, 1, 0));
            }
            emitDoc(
                QJsonArray {QStringLiteral("connection_stats"),
                            QJsonObject {{QStringLiteral("time"), now / 1000}, {QStringLiteral("connections"), rows}}});
            if (round % 3 == 0) {
                const QJsonObject s = d.raw().value(QStringLiteral("session")).toObject();
                emitDoc(QJsonArray {
                    QStringLiteral("session_stats"),
                    QJsonObject {
                        {QStringLiteral("current"),
                         QJsonObject {{QStringLiteral("numFailovers"), s.value(QStringLiteral("failoverSaves"))},
                                      {QStringLiteral("streaming"),
                                       QJsonObject {{QStringLiteral("totalFailoverSaves"),
                                                     s.value(QStringLiteral("failoverSaves"))},
                                                    {QStringLiteral("totalRedundantModeSaves"),
                                                     s.value(QStringLiteral("redundantSaves"))},
                                                    {QStringLiteral("totalSpeedModeSaves"), 0}}}}}}});
                emitDoc(
                    QJsonArray {QStringLiteral("stand_in_unknown_type"), QJsonObject {{QStringLiteral("n"), round}}});
            }
        }
        if (endAt && QDateTime::currentMSecsSinceEpoch() >= endAt)
            return 0;
        QThread::msleep(ulong(periodMs));
    }
}

QJsonObject testResult(const Daemon &d, bool streaming)
{
    const bool connected = const_cast<Daemon &>(d).state() == QLatin1String("CONNECTED");
    QJsonObject r {{QStringLiteral("city"), connected ? QStringLiteral("nova") : QString()},
                   {QStringLiteral("country"), connected ? QStringLiteral("us") : QString()},
                   {QStringLiteral("downloadSpeed"), connected ? 95000000.0 : 0.0},
                   {QStringLiteral("uploadSpeed"), connected ? 12000000.0 : 0.0},
                   {QStringLiteral("latency"), connected ? 23 : 0},
                   {QStringLiteral("numConnections"), connected ? 8 : 0},
                   {QStringLiteral("time"), QDateTime::currentSecsSinceEpoch()},
                   {QStringLiteral("type"), streaming ? QStringLiteral("streaming") : QStringLiteral("speed")},
                   {QStringLiteral("isError"), !connected}};
    if (!connected)
        r.insert(QStringLiteral("errorMessage"), QStringLiteral("Cannot test speed while disconnected"));
    if (streaming) {
        r.insert(QStringLiteral("fps"), 60);
        r.insert(QStringLiteral("jitter"), 3.5);
        r.insert(QStringLiteral("loss"), 0.0);
        r.insert(QStringLiteral("resolution"), QStringLiteral("1080p"));
    }
    return r;
}

int bypassList(Daemon &d, const QString &key, const QStringList &args, bool streaming)
{
    // <list> add|rem|set values...
    const QString which = args.value(0);
    const QString op = args.value(1);
    if (which.isEmpty() || op.isEmpty())
        return fail(3, QStringLiteral("Missing parameter"));
    if (op != QLatin1String("add") && op != QLatin1String("rem") && op != QLatin1String("set"))
        return fail(2, QStringLiteral("Invalid parameter: ") + op);
    QJsonObject obj = d.raw().value(key).toObject();
    const QStringList values = args.mid(2);
    if (which == QLatin1String("ports")) {
        QJsonArray ports = op == QLatin1String("set") ? QJsonArray {} : obj.value(QStringLiteral("ports")).toArray();
        for (const QString &v : values) {
            const QStringList pp = v.split(QLatin1Char('/'));
            const QStringList range = pp.value(0).split(QLatin1Char('-'));
            bool ok1 = false;
            bool ok2 = true;
            const int port = range.value(0).toInt(&ok1);
            const int end = range.size() > 1 ? range.value(1).toInt(&ok2) : 0;
            if (pp.size() != 2 || !ok1 || !ok2 || port < 1 || port > 65535 ||
                (pp[1] != QLatin1String("tcp") && pp[1] != QLatin1String("udp")))
                return fail(2, QStringLiteral("Invalid parameter: ") + v);
            QJsonObject p {{QStringLiteral("port"), port}, {QStringLiteral("protocol"), pp[1]}};
            if (end)
                p.insert(QStringLiteral("portRangeEnd"), end);
            if (op == QLatin1String("rem")) {
                for (int i = ports.size() - 1; i >= 0; --i)
                    if (ports.at(i).toObject().value(QStringLiteral("port")).toInt() == port)
                        ports.removeAt(i);
            } else {
                ports.append(p);
            }
        }
        obj.insert(QStringLiteral("ports"), ports);
    } else if (which == QLatin1String("domains") || which == QLatin1String("ipv4") || which == QLatin1String("ipv6")) {
        QStringList list = op == QLatin1String("set") ? QStringList {} : obj.value(which).toVariant().toStringList();
        for (const QString &v : values) {
            if (which != QLatin1String("domains")) {
                const QHostAddress a(v.section(QLatin1Char('/'), 0, 0));
                const bool v4 = a.protocol() == QAbstractSocket::IPv4Protocol;
                if (a.isNull() || v4 != (which == QLatin1String("ipv4")))
                    return fail(2, QStringLiteral("Invalid parameter: ") + v);
            }
            if (op == QLatin1String("rem"))
                list.removeAll(v);
            else if (!list.contains(v))
                list.append(v);
        }
        obj.insert(which, QJsonArray::fromStringList(list));
    } else {
        return usageError(which);
    }
    d.raw().insert(key, obj);
    d.save();
    if (streaming) {
        emitDoc(QJsonObject {{QStringLiteral("domains"), obj.value(QStringLiteral("domains")).toArray()},
                             {QStringLiteral("ipv4"), obj.value(QStringLiteral("ipv4")).toArray()},
                             {QStringLiteral("ipv6"), obj.value(QStringLiteral("ipv6")).toArray()},
                             {QStringLiteral("ports"), obj.value(QStringLiteral("ports")).toArray()}});
    } else {
        emitDoc(obj);
    }
    return 0;
}

QJsonObject bypassDoc(const Daemon &d)
{
    QJsonObject b = const_cast<Daemon &>(d).raw().value(QStringLiteral("streamingbypass")).toObject();
    for (const char *k : {"domains", "ipv4", "ipv6", "ports"})
        if (!b.contains(QLatin1String(k)))
            b.insert(QLatin1String(k), QJsonArray {});
    if (!b.contains(QStringLiteral("services")))
        b.insert(
            QStringLiteral("services"),
            QJsonArray {
                QJsonObject {{QStringLiteral("title"), QStringLiteral("Netflix")}, {QStringLiteral("enabled"), false}},
                QJsonObject {{QStringLiteral("title"), QStringLiteral("HBO")}, {QStringLiteral("enabled"), false}},
                QJsonObject {{QStringLiteral("title"), QStringLiteral("Hulu")}, {QStringLiteral("enabled"), false}}});
    b.insert(QStringLiteral("domainWatchlistEnabled"), true);
    return b;
}

int adapterCommand(Daemon &d, const QStringList &a)
{
    const QString sub = a.value(0);
    if (sub.isEmpty())
        return fail(3, QStringLiteral("Missing parameter"));
    const QString id = a.value(1);
    QJsonArray adapters = d.adapters();
    auto needAdapter = [&](int args) -> int {
        if (a.size() < args)
            return fail(3, QStringLiteral("Missing parameter"));
        if (findAdapter(adapters, id) < 0)
            return apiError(5, QStringLiteral("Adapter not found"), QStringLiteral("No adapter with ID ") + id);
        return 0;
    };
    auto update = [&](const std::function<void(QJsonObject &)> &f) {
        const int i = findAdapter(adapters, id);
        QJsonObject o = adapters.at(i).toObject();
        f(o);
        adapters.replace(i, o);
        d.setAdapters(adapters);
        d.save();
        emitDoc(adapters);
        return 0;
    };
    auto usage = [&](const char *key, qint64 v) {
        return update([&](QJsonObject &o) {
            QJsonObject u = o.value(QStringLiteral("dataUsage")).toObject();
            u.insert(QLatin1String(key), double(v));
            o.insert(QStringLiteral("dataUsage"), u);
        });
    };
    static const QStringList priorities {QStringLiteral("automatic"), QStringLiteral("always"),
                                         QStringLiteral("secondary"), QStringLiteral("backup"),
                                         QStringLiteral("never")};
    if (sub == QLatin1String("priority")) {
        if (int rc = needAdapter(3))
            return rc;
        if (!priorities.contains(a[2]))
            return fail(2, QStringLiteral("Invalid parameter: ") + a[2]);
        return update([&](QJsonObject &o) {
            o.insert(QStringLiteral("priority"), a[2]);
            o.insert(QStringLiteral("workingPriority"),
                     a[2] == QLatin1String("automatic") ? QStringLiteral("always") : a[2]);
        });
    }
    if (sub == QLatin1String("ratelimit")) {
        if (int rc = needAdapter(3))
            return rc;
        const auto down = number(a[2]);
        const auto up = a.size() > 3 ? number(a[3]) : down;
        if (!down || !up)
            return fail(2, QStringLiteral("Invalid parameter"));
        return update([&](QJsonObject &o) {
            o.insert(QStringLiteral("rateLimit"),
                     QJsonObject {{QStringLiteral("downloadBps"), *down}, {QStringLiteral("uploadBps"), *up}});
        });
    }
    if (sub == QLatin1String("datalimit")) {
        const QString kind = a.value(1);
        if (a.size() < 4)
            return fail(3, QStringLiteral("Missing parameter"));
        if (kind != QLatin1String("daily") && kind != QLatin1String("dailyboost") && kind != QLatin1String("monthly"))
            return fail(2, QStringLiteral("Invalid parameter: ") + kind);
        const QString aid = a[2];
        if (findAdapter(adapters, aid) < 0)
            return apiError(5, QStringLiteral("Adapter not found"), QStringLiteral("No adapter with ID ") + aid);
        const auto bytes = a[3] == QLatin1String("unlimited") ? std::optional<double>(0) : number(a[3]);
        if (!bytes)
            return fail(2, QStringLiteral("Invalid parameter: ") + a[3]);
        std::optional<double> day = a.size() > 4 ? number(a[4]) : std::optional<double>(0);
        if (!day || *day > 31)
            return fail(2, QStringLiteral("Invalid parameter: ") + a.value(4));
        const int i = findAdapter(adapters, aid);
        QJsonObject o = adapters.at(i).toObject();
        QJsonObject u = o.value(QStringLiteral("dataUsage")).toObject();
        if (kind == QLatin1String("daily"))
            u.insert(QStringLiteral("usageDailyLimit"), *bytes);
        else if (kind == QLatin1String("dailyboost"))
            u.insert(QStringLiteral("usageDailyBoost"), *bytes);
        else {
            u.insert(QStringLiteral("usageMonthlyLimit"), *bytes);
            u.insert(QStringLiteral("usageMonthlyResetDay"), int(*day));
        }
        o.insert(QStringLiteral("dataUsage"), u);
        adapters.replace(i, o);
        d.setAdapters(adapters);
        d.save();
        emitDoc(adapters);
        return 0;
    }
    if (sub == QLatin1String("overlimitratelimit")) {
        if (int rc = needAdapter(3))
            return rc;
        const auto v = number(a[2]);
        if (!v)
            return fail(2, QStringLiteral("Invalid parameter: ") + a[2]);
        return usage("overlimitRatelimit", qint64(*v));
    }
    if (sub == QLatin1String("resetusage")) {
        if (int rc = needAdapter(2))
            return rc;
        return update([&](QJsonObject &o) {
            QJsonObject u = o.value(QStringLiteral("dataUsage")).toObject();
            u.insert(QStringLiteral("usageDaily"), 0);
            u.insert(QStringLiteral("usageMonthly"), 0);
            o.insert(QStringLiteral("dataUsage"), u);
        });
    }
    if (sub == QLatin1String("directionalmode")) {
        if (int rc = needAdapter(4))
            return rc;
        static const QStringList modes {QStringLiteral("on"), QStringLiteral("backup_off"),
                                        QStringLiteral("strict_off")};
        if (!modes.contains(a[2]) || !modes.contains(a[3]))
            return fail(2, QStringLiteral("Invalid parameter"));
        return update([&](QJsonObject &o) {
            o.insert(QStringLiteral("directionalSettings"),
                     QJsonObject {{QStringLiteral("upload"), a[2]}, {QStringLiteral("download"), a[3]}});
        });
    }
    if (sub == QLatin1String("encryption")) {
        if (int rc = needAdapter(3))
            return rc;
        const auto on = onOff(a[2]);
        if (!on)
            return fail(2, QStringLiteral("Invalid parameter: ") + a[2]);
        QJsonArray per = d.settings().value(QStringLiteral("perConnectionEncryptionSettings")).toArray();
        bool found = false;
        for (int i = 0; i < per.size(); ++i)
            if (per.at(i).toObject().value(QStringLiteral("adapterID")).toString() == id) {
                per.replace(i, QJsonObject {{QStringLiteral("adapterID"), id}, {QStringLiteral("encrypted"), *on}});
                found = true;
            }
        if (!found)
            per.append(QJsonObject {{QStringLiteral("adapterID"), id}, {QStringLiteral("encrypted"), *on}});
        d.setSetting(QStringLiteral("perConnectionEncryptionSettings"), per);
        d.setSetting(QStringLiteral("perConnectionEncryptionEnabled"), true);
        d.save();
        emitDoc(d.settings());
        return 0;
    }
    return usageError(sub);
}

int run(QStringList args)
{
    // The real CLI needs its daemon: answer as it does when the service is not reachable.
    if (qgetenv("SPEEDIFY_FAKE_FAULT") == "daemon-down" || !daemonAlive())
        return apiError(7, QStringLiteral("Connection failure"),
                        QStringLiteral("Unable to connect to the Speedify service"));

    const QString action = args.value(0);
    const QStringList rest = args.mid(1);
    Daemon d;
    d.load();

    if (action == QLatin1String("version")) {
        emitDoc(QJsonObject {{QStringLiteral("maj"), 15},
                             {QStringLiteral("min"), 7},
                             {QStringLiteral("bug"), 2},
                             {QStringLiteral("build"), 99999}});
        return 0;
    }
    if (action == QLatin1String("state")) {
        emitDoc(QJsonObject {{QStringLiteral("state"), d.state()}});
        return 0;
    }
    if (action == QLatin1String("login")) {
        if (rest.isEmpty())
            return fail(3, QStringLiteral("Missing parameter"));
        if (rest[0] != QLatin1String("auto") && rest.value(1) == QLatin1String("wrong-password"))
            return apiError(3, QStringLiteral("Login failed"), QStringLiteral("Invalid username or password"));
        const bool startup = d.settings().value(QStringLiteral("startupConnect")).toBool();
        d.raw().insert(QStringLiteral("user"), rest[0] == QLatin1String("auto") ? QStringLiteral("auto") : rest[0]);
        d.setState(startup ? QStringLiteral("AUTO_CONNECTING") : QStringLiteral("LOGGED_IN"));
        d.save();
        emitDoc(QJsonObject {{QStringLiteral("state"), QStringLiteral("LOGGED_IN")}});
        return 0;
    }
    if (action == QLatin1String("logout")) {
        d.tunDown();
        d.setState(QStringLiteral("LOGGED_OUT"));
        d.raw().remove(QStringLiteral("server"));
        d.save();
        emitDoc(QJsonObject {{QStringLiteral("state"), QStringLiteral("LOGGED_OUT")}});
        return 0;
    }
    if (action == QLatin1String("connect")) {
        if (d.state() == QLatin1String("LOGGED_OUT"))
            return apiError(2, QStringLiteral("Not logged in"), QStringLiteral("Log in before connecting"));
        const QString method = rest.value(0, QStringLiteral("closest"));
        const QJsonObject server = d.pickServer(method, rest.mid(1));
        if (server.isEmpty()) {
            d.setState(QStringLiteral("LOGGED_IN"));
            d.save();
            return apiError(4, QStringLiteral("Server not found"),
                            QStringLiteral("No server matches ") + rest.join(QLatin1Char(' ')));
        }
        d.setState(QStringLiteral("CONNECTING"));
        d.save();
        d.unlock();
        QThread::msleep(ulong(envInt("SPEEDIFY_FAKE_CONNECT_MS", 200)));
        Daemon after;
        after.load();
        static const QStringList methods {QStringLiteral("closest"), QStringLiteral("public"),
                                          QStringLiteral("private"), QStringLiteral("p2p")};
        after.raw().insert(QStringLiteral("connectMethod"),
                           QJsonObject {{QStringLiteral("connectMethod"),
                                         methods.contains(method) ? method : QStringLiteral("country")},
                                        {QStringLiteral("country"), server.value(QStringLiteral("country"))},
                                        {QStringLiteral("city"), server.value(QStringLiteral("city"))},
                                        {QStringLiteral("num"), server.value(QStringLiteral("num"))}});
        after.raw().insert(QStringLiteral("server"), server);
        after.setState(QStringLiteral("CONNECTED"));
        after.tunUp();
        after.save();
        emitDoc(server);
        return 0;
    }
    if (action == QLatin1String("disconnect")) {
        d.tunDown();
        if (d.state() != QLatin1String("LOGGED_OUT"))
            d.setState(QStringLiteral("LOGGED_IN"));
        d.raw().remove(QStringLiteral("server"));
        d.raw().insert(QStringLiteral("disconnectReason"), QStringLiteral("USERINITIATED"));
        d.save();
        emitDoc(QJsonObject {{QStringLiteral("state"), d.state()}});
        return 0;
    }
    if (action == QLatin1String("show")) {
        const QString what = rest.value(0);
        if (what.isEmpty())
            return fail(3, QStringLiteral("Missing parameter"));
        if (what == QLatin1String("adapters"))
            emitDoc(d.adapters());
        else if (what == QLatin1String("settings"))
            emitDoc(d.settings());
        else if (what == QLatin1String("servers"))
            emitDoc(
                QJsonObject {{QStringLiteral("public"), servers(false)}, {QStringLiteral("private"), servers(true)}});
        else if (what == QLatin1String("currentserver"))
            emitDoc(d.raw().value(QStringLiteral("server")).toObject());
        else if (what == QLatin1String("connectmethod"))
            emitDoc(d.raw().value(QStringLiteral("connectMethod")).toObject());
        else if (what == QLatin1String("streamingbypass"))
            emitDoc(bypassDoc(d));
        else if (what == QLatin1String("streaming")) {
            const QJsonObject s = d.raw().value(QStringLiteral("streaming")).toObject();
            emitDoc(QJsonObject {{QStringLiteral("domains"), s.value(QStringLiteral("domains")).toArray()},
                                 {QStringLiteral("ipv4"), s.value(QStringLiteral("ipv4")).toArray()},
                                 {QStringLiteral("ipv6"), s.value(QStringLiteral("ipv6")).toArray()},
                                 {QStringLiteral("ports"), s.value(QStringLiteral("ports")).toArray()}});
        } else if (what == QLatin1String("user"))
            emitDoc(QJsonObject {
                {QStringLiteral("email"), d.raw().value(QStringLiteral("user")).toString()},
                {QStringLiteral("bytesAvailable"), -1},
                {QStringLiteral("bytesUsed"), 0},
                {QStringLiteral("isAutoAccount"), d.raw().value(QStringLiteral("user")) == QStringLiteral("auto")},
                {QStringLiteral("isTeam"), false},
                {QStringLiteral("paymentType"), QStringLiteral("monthly")}});
        else if (what == QLatin1String("disconnect"))
            emitDoc(QJsonObject {{QStringLiteral("disconnectReason"),
                                  d.raw().value(QStringLiteral("disconnectReason")).toString(QStringLiteral("NONE"))}});
        else
            return usageError(what);
        return 0;
    }
    if (action == QLatin1String("mode") || action == QLatin1String("transport")) {
        static const QStringList modes {QStringLiteral("speed"), QStringLiteral("redundant"),
                                        QStringLiteral("streaming")};
        static const QStringList transports {QStringLiteral("auto"), QStringLiteral("tcp"), QStringLiteral("tcp-multi"),
                                             QStringLiteral("udp"), QStringLiteral("https")};
        const bool isMode = action == QLatin1String("mode");
        if (rest.isEmpty())
            return fail(3, QStringLiteral("Missing parameter"));
        if (!(isMode ? modes : transports).contains(rest[0]))
            return fail(2, QStringLiteral("Invalid parameter: ") + rest[0]);
        d.setSetting(isMode ? QStringLiteral("bondingMode") : QStringLiteral("transportMode"), rest[0]);
        d.save();
        emitDoc(d.settings());
        return 0;
    }
    static const QHash<QString, QString> toggles {
        {QStringLiteral("encryption"), QStringLiteral("encrypted")},
        {QStringLiteral("jumbo"), QStringLiteral("jumboPackets")},
        {QStringLiteral("packetaggr"), QStringLiteral("packetAggregation")},
        {QStringLiteral("headercompression"), QStringLiteral("headerCompression")},
        {QStringLiteral("startupconnect"), QStringLiteral("startupConnect")}};
    if (toggles.contains(action)) {
        if (rest.isEmpty())
            return fail(3, QStringLiteral("Missing parameter"));
        const auto on = onOff(rest[0]);
        if (!on)
            return fail(2, QStringLiteral("Invalid parameter: ") + rest[0]);
        d.setSetting(toggles.value(action), *on);
        d.save();
        emitDoc(d.settings());
        return 0;
    }
    static const QHash<QString, QString> numbers {
        {QStringLiteral("overflow"), QStringLiteral("overflowThreshold")},
        {QStringLiteral("priorityoverflow"), QStringLiteral("priorityOverflowThreshold")},
        {QStringLiteral("maxredundant"), QStringLiteral("maxRedundant")}};
    if (numbers.contains(action)) {
        if (rest.isEmpty())
            return fail(3, QStringLiteral("Missing parameter"));
        const auto v = number(rest[0]);
        if (!v)
            return fail(2, QStringLiteral("Invalid parameter: ") + rest[0]);
        d.setSetting(numbers.value(action),
                     action == QLatin1String("maxredundant") ? QJsonValue(int(*v)) : QJsonValue(*v));
        d.save();
        emitDoc(d.settings());
        return 0;
    }
    if (action == QLatin1String("adapter"))
        return adapterCommand(d, rest);
    if (action == QLatin1String("streamingbypass")) {
        if (rest.value(0) == QLatin1String("service")) {
            if (rest.size() < 3)
                return fail(3, QStringLiteral("Missing parameter"));
            const auto on = onOff(rest[2]);
            if (!on)
                return fail(2, QStringLiteral("Invalid parameter: ") + rest[2]);
            QJsonObject b = bypassDoc(d);
            QJsonArray services = b.value(QStringLiteral("services")).toArray();
            bool found = false;
            for (int i = 0; i < services.size(); ++i)
                if (services.at(i).toObject().value(QStringLiteral("title")).toString() == rest[1]) {
                    services.replace(
                        i, QJsonObject {{QStringLiteral("title"), rest[1]}, {QStringLiteral("enabled"), *on}});
                    found = true;
                }
            if (!found)
                return fail(2, QStringLiteral("Invalid parameter: ") + rest[1]);
            b.insert(QStringLiteral("services"), services);
            d.raw().insert(QStringLiteral("streamingbypass"), b);
            d.save();
            emitDoc(b);
            return 0;
        }
        d.raw().insert(QStringLiteral("streamingbypass"), bypassDoc(d));
        return bypassList(d, QStringLiteral("streamingbypass"), rest, false);
    }
    if (action == QLatin1String("streaming"))
        return bypassList(d, QStringLiteral("streaming"), rest, true);
    if (action == QLatin1String("speedtest") || action == QLatin1String("streamtest")) {
        emitDoc(QJsonArray {testResult(d, action == QLatin1String("streamtest"))});
        return 0;
    }
    if (action == QLatin1String("stats")) {
        d.unlock();
        return runStats(rest);
    }
    return usageError(action);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);

    if (const QByteArray log = qgetenv("SPEEDIFY_FAKE_ARGV_LOG"); !log.isEmpty()) {
        QFile f(QString::fromLocal8Bit(log));
        if (f.open(QIODevice::Append))
            f.write(QJsonDocument(QJsonArray::fromStringList(args)).toJson(QJsonDocument::Compact) + '\n');
    }
    if (args.value(0) == QLatin1String("--version") || args.value(0) == QLatin1String("--help")) {
        std::printf("%s\n%s", StandIn, Usage);
        return 0;
    }
    bool titles = false;
    while (!args.isEmpty() && (args.first() == QLatin1String("-s") || args.first() == QLatin1String("-t"))) {
        if (args.first() == QLatin1String("-s"))
            g_single = true;
        else
            titles = true;
        args.removeFirst();
    }
    if (titles && !args.isEmpty())
        g_title = args.first().left(1).toUpper() + args.first().mid(1);
    if (args.isEmpty()) {
        std::fprintf(stderr, "Missing parameter\n%s", Usage);
        return 3;
    }

    QByteArray fault = qgetenv("SPEEDIFY_FAKE_FAULT");
    QFile faultFile(stateDir() + QStringLiteral("/fault"));
    if (fault.isEmpty() && faultFile.open(QIODevice::ReadOnly))
        fault = faultFile.readLine().trimmed();
    const QByteArray faultAction = qgetenv("SPEEDIFY_FAKE_FAULT_ACTION");
    if (!faultAction.isEmpty() && faultAction != args.first().toUtf8())
        fault.clear();
    if (fault == "hang") {
        for (;;)
            pause();
    }
    if (fault == "crash")
        std::abort();
    if (fault == "malformed") {
        std::printf("{\"state\":\"CONNECTED\",\"adapters\":[{\"adapterID\":\"eth0\"\n");
        return 0;
    }
    if (fault == "rc1")
        return apiError(3841, QStringLiteral("Timeout waiting for result"), QStringLiteral("Timeout"));
    if (fault == "rc2")
        return fail(2, QStringLiteral("Invalid parameter: ") + args.join(QLatin1Char(' ')));
    if (fault == "rc3")
        return fail(3, QStringLiteral("Missing parameter"));
    if (fault == "rc4")
        return usageError(args.first());
    if (fault == "slow")
        QThread::msleep(ulong(envInt("SPEEDIFY_FAKE_SLOW_MS", 2000)));
    if (fault == "daemon-down")
        qputenv("SPEEDIFY_FAKE_FAULT", "daemon-down");
    return run(args);
}

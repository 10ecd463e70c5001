// SPDX-License-Identifier: GPL-3.0-or-later
// bench_api: figures for the API server (printed, never pass/fail):
// 1. event latency from a state change to a subscribed client (p50/p99; target p99 < 20 ms),
// 2. server CPU per delivered message with N clients (default 200) and the state changing at 10 Hz,
// 3. RSS growth after M (default 10,000) connect/auth/disconnect cycles.
// The server runs on the main thread, the clients on another, so the server thread's CPU time is
// the server's alone.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "NullApiBackend.h"
#include "Protocol.h"
#include "StateStore.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <unistd.h>

using namespace smoothwan;

namespace {

std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

long rssKiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.value(1).toLong() * (sysconf(_SC_PAGESIZE) / 1024);
}

// Lives on the client thread: opens `count` subscribed connections and counts deltas; records
// each delta's arrival time by store_rev.
class Clients : public QObject
{
public:
    Clients(quint16 port, QString token)
        : m_port(port)
        , m_token(std::move(token))
    { }

    std::atomic<int> ready {0};
    std::atomic<long> deltas {0};
    std::atomic<long> cycles {0};
    std::mutex lock;
    QHash<qint64, std::int64_t> arrival; // store_rev -> µs (first client only)

    void open(int count)
    {
        for (int i = 0; i < count; ++i) {
            auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
            const bool first = i == 0;
            connect(ws, &QWebSocket::textMessageReceived, this, [this, ws, first](const QString &text) {
                const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
                const QString type = m.value(QStringLiteral("type")).toString();
                if (type == QLatin1String("auth_required")) {
                    ws->sendTextMessage(QStringLiteral(R"({"type":"auth","token":"%1"})").arg(m_token));
                } else if (type == QLatin1String("auth_ok")) {
                    ws->sendTextMessage(QStringLiteral(R"({"id":1,"type":"subscribe","topics":["wans"]})"));
                } else if (type == QLatin1String("snapshot")) {
                    ++ready;
                } else if (type == QLatin1String("delta")) {
                    ++deltas;
                    if (first) {
                        std::lock_guard g(lock);
                        arrival.insert(m.value(QStringLiteral("store_rev")).toInteger(), nowUs());
                    }
                }
            });
            ws->open(url());
        }
    }

    // Connect, authenticate, disconnect; `n` times in a row.
    void cycle(int n)
    {
        if (n <= 0)
            return;
        auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) {
            if (text.contains(QLatin1String("auth_required")))
                ws->sendTextMessage(QStringLiteral(R"({"type":"auth","token":"%1"})").arg(m_token));
            else if (text.contains(QLatin1String("auth_ok")))
                ws->close();
        });
        connect(ws, &QWebSocket::disconnected, this, [this, ws, n] {
            ws->deleteLater();
            ++cycles;
            cycle(n - 1);
        });
        ws->open(url());
    }

private:
    QNetworkRequest url() const
    {
        QNetworkRequest r(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)));
        r.setRawHeader("Sec-WebSocket-Protocol", protocol::Subprotocol);
        return r;
    }

    quint16 m_port;
    QString m_token;
};

// Runs the event loop (without busy-waiting: the server thread's CPU time is measured) until
// done() or the timeout.
void spin(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return;
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    check.start(20);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
}

QJsonArray wans(int i)
{
    QJsonArray a;
    for (int w = 0; w < 4; ++w)
        a.append(QJsonObject {{QStringLiteral("name"), QStringLiteral("wan%1").arg(w)},
                              {QStringLiteral("state"), QStringLiteral("up")},
                              {QStringLiteral("rxBps"), 1000000 + i * 1000 + w},
                              {QStringLiteral("txBps"), 50000 + i},
                              {QStringLiteral("latencyMs"), 10 + (i + w) % 7},
                              {QStringLiteral("lossPct"), 0}});
    return a;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption clientsOption(QStringLiteral("clients"), QStringLiteral("Clients for the CPU run."),
                                           QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Length of the CPU run."),
                                           QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption cyclesOption(QStringLiteral("cycles"), QStringLiteral("Connect/disconnect cycles."),
                                          QStringLiteral("n"), QStringLiteral("10000"));
    parser.addOptions({clientsOption, secondsOption, cyclesOption});
    parser.process(app);
    const int clientCount = parser.value(clientsOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();
    const int cycles = parser.value(cyclesOption).toInt();

    QTemporaryDir dir;
    SystemClock clock;
    StateStore state(clock);
    AuthStore auth(clock, dir.filePath(QStringLiteral("auth")), dir.filePath(QStringLiteral("token")));
    QString error;
    if (!auth.load(&error))
        qFatal("%s", qPrintable(error));
    QFile tf(dir.filePath(QStringLiteral("token")));
    tf.open(QIODevice::ReadOnly);
    const QString token = QString::fromLatin1(tf.readAll().trimmed());
    test::NullApiBackend backend;
    ApiServer::Options options;
    options.maxConnections = clientCount + 16;
    ApiServer server(clock, state, auth, backend, options);
    registerApiCommands(server.commands(), backend, auth, state);
    if (!server.listen({QHostAddress(QHostAddress::LocalHost)}, 0, std::nullopt, &error))
        qFatal("%s", qPrintable(error));
    state.setSlice(QStringLiteral("wans"), wans(0));

    QThread thread;
    Clients clients(server.ports().value(0), token);
    clients.moveToThread(&thread);
    thread.start();

    // 1. Latency: one client, changes 100 ms apart (past the coalescing window: each goes at once).
    QMetaObject::invokeMethod(&clients, [&] { clients.open(1); });
    spin([&] { return clients.ready >= 1; }, 10000);
    QHash<qint64, std::int64_t> sent;
    for (int i = 1; i <= 40; ++i) {
        spin([] { return false; }, options.coalesceMs + 50);
        sent.insert(qint64(state.revision()) + 1, nowUs());
        state.setSlice(QStringLiteral("wans"), wans(i));
    }
    spin(
        [&] {
            std::lock_guard g(clients.lock);
            return clients.arrival.size() >= sent.size();
        },
        3000);
    QList<double> latencies;
    {
        std::lock_guard g(clients.lock);
        for (auto it = sent.constBegin(); it != sent.constEnd(); ++it)
            if (clients.arrival.contains(it.key()))
                latencies.append(double(clients.arrival.value(it.key()) - it.value()) / 1000.0);
    }
    if (qEnvironmentVariableIsSet("BENCH_VERBOSE"))
        for (double l : latencies)
            std::printf("%.2f ", l);
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
        return latencies.isEmpty() ? -1.0 : latencies[qsizetype(p * double(latencies.size() - 1))];
    };
    std::printf(
        "event latency (state change -> subscribed client, %lld samples): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        qlonglong(latencies.size()), pct(0.5), pct(0.99), latencies.isEmpty() ? -1.0 : latencies.last());

    // 2. CPU per delivered message: many clients, changes at 10 Hz (coalesced to <= 2 Hz per topic).
    QMetaObject::invokeMethod(&clients, [&] { clients.open(clientCount - 1); });
    spin([&] { return clients.ready >= clientCount; }, 60000);
    const long before = clients.deltas;
    const double cpu0 = threadCpuSeconds();
    QElapsedTimer run;
    run.start();
    int i = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] { state.setSlice(QStringLiteral("wans"), wans(1000 + ++i)); });
    tick.start(100);
    spin([&] { return run.elapsed() >= seconds * 1000; }, seconds * 1000 + 1000);
    tick.stop();
    spin([] { return false; }, options.coalesceMs + 200);
    const double cpu = threadCpuSeconds() - cpu0;
    const long delivered = clients.deltas - before;
    std::printf("%d clients (%d connected), state at 10 Hz for %d s: %ld deltas delivered, server CPU %.2f s "
                "(%.1f %% of a core), %.1f µs per delivered message\n",
                clientCount, int(clients.ready), seconds, delivered, cpu,
                100.0 * cpu / (double(run.elapsed()) / 1000.0), delivered ? cpu * 1e6 / double(delivered) : 0.0);

    // 3. RSS after connect/disconnect cycles (after a warm-up of 200).
    QMetaObject::invokeMethod(&clients, [&] { clients.cycle(200); });
    spin([&] { return clients.cycles >= 200; }, 60000);
    const long rss0 = rssKiB();
    QElapsedTimer cycleTimer;
    cycleTimer.start();
    QMetaObject::invokeMethod(&clients, [&] { clients.cycle(cycles); });
    // The second half shows the steady state (sessions are capped at AuthStore::MaxSessions).
    spin([&] { return clients.cycles >= 200 + cycles / 2; }, 600000);
    const long rssMid = rssKiB();
    spin([&] { return clients.cycles >= 200 + cycles; }, 600000);
    spin([] { return false; }, 200);
    const long rss1 = rssKiB();
    std::printf("%ld connect/auth/disconnect cycles in %.1f s: RSS %ld KiB -> %ld KiB (%+ld KiB); %d connections open, "
                "%lld socket objects; second half %+ld KiB\n",
                long(clients.cycles) - 200, double(cycleTimer.elapsed()) / 1000.0, rss0, rss1, rss1 - rss0,
                server.connectionCount(), qlonglong(server.findChildren<QWebSocket *>().size()), rss1 - rssMid);

    QMetaObject::invokeMethod(
        &clients,
        [&] {
            for (QWebSocket *ws : clients.findChildren<QWebSocket *>())
                ws->abort();
        },
        Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();
    return 0;
}

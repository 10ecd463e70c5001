// SPDX-License-Identifier: GPL-3.0-or-later
// The UI under load (issue 7): the real UI (SmoothWAN.Ui Main.qml, offscreen) connected to a
// scripted API server that publishes 4 WANs whose rates and latency change at --hz. Prints
//   1. the process's RSS (and peak) and the UI's CPU use over --seconds (the server runs in its own
//      thread; its CPU time is measured separately and left out),
//   2. the latency from the server writing a delta to a QML binding on Backend.wans changing
//      (p50/p95/p99 over every change).
// Targets on x86: RSS < 120 MB, CPU < 5 % of a core, p95 < 50 ms. Figures only; never fails on time.
//
//   bench_ui [--seconds 60] [--hz 2] [--page dashboard]
#include "AppSettings.h"
#include "Backend.h"
#include "BenchSupport.h"
#include "ScriptedApiServer.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QMutex>
#include <QtCore/QRandomGenerator>
#include <QtCore/QScopeGuard>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>
#include <QtQml/QQmlComponent>
#include <QtQml/QQmlProperty>
#include <QtQuick/QQuickWindow>

#include <sys/resource.h>

#include <cstdio>
#include <ctime>

using namespace smoothwan;

namespace {

QElapsedTimer g_clock;

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double processCpuMs()
{
    rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    const auto ms = [](const timeval &tv) {
        return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
    };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

long statusKiB(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(static_cast<qsizetype>(qstrlen(field))).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

QJsonObject wan(const QString &name, int seq)
{
    auto *rng = QRandomGenerator::global();
    return {{QStringLiteral("name"), name},
            {QStringLiteral("interface"), QStringLiteral("eth-%1").arg(name)},
            {QStringLiteral("type"), QStringLiteral("ethernet")},
            {QStringLiteral("state"), QStringLiteral("up")},
            {QStringLiteral("reason"), QStringLiteral("probes answer")},
            {QStringLiteral("enabled"), true},
            {QStringLiteral("priority"), QStringLiteral("always")},
            {QStringLiteral("weight"), 10},
            {QStringLiteral("metered"), false},
            {QStringLiteral("addresses"), QJsonArray {QStringLiteral("192.0.2.10/24")}},
            {QStringLiteral("gateway"), QStringLiteral("192.0.2.1")},
            {QStringLiteral("rxBps"), seq}, // the sequence number rides in wans[i].rxBps
            {QStringLiteral("txBps"), static_cast<double>(rng->bounded(2000000))},
            {QStringLiteral("latencyMs"), 10 + rng->bounded(40.0)},
            {QStringLiteral("jitterMs"), rng->bounded(5.0)},
            {QStringLiteral("lossPct"), 0},
            {QStringLiteral("lastChange"), QStringLiteral("2026-01-01T00:00:00Z")},
            {QStringLiteral("usage"), QJsonObject {{QStringLiteral("dayBytes"), 1000000},
                                                   {QStringLiteral("monthBytes"), 30000000},
                                                   {QStringLiteral("capAction"), QStringLiteral("warn")}}}};
}

QJsonObject document(int seq)
{
    QJsonArray wans;
    for (const char *name : {"fibre", "cable", "lte", "starlink"})
        wans.append(wan(QString::fromLatin1(name), seq));
    return {{QStringLiteral("wans"), wans},
            {QStringLiteral("candidates"), QJsonArray()},
            {QStringLiteral("routing"),
             QJsonObject {{QStringLiteral("policy"), QStringLiteral("bonded")},
                          {QStringLiteral("killSwitch"), false},
                          {QStringLiteral("path"), QStringLiteral("tunnel")},
                          {QStringLiteral("lanWans"), QJsonArray {QStringLiteral("fibre"), QStringLiteral("cable")}}}},
            {QStringLiteral("engine"), QJsonObject {{QStringLiteral("type"), QStringLiteral("speedify")},
                                                    {QStringLiteral("state"), QStringLiteral("connected")}}},
            {QStringLiteral("system"), QJsonObject {{QStringLiteral("version"), QStringLiteral("0.1.0")}}},
            {QStringLiteral("events"), QJsonArray()}};
}

// The server side, in its own thread: changes the WANs at a fixed rate and notes when each
// sequence number's delta is written.
class Publisher : public QObject
{
public:
    test::ScriptedApiServer *server = nullptr;
    QMutex mutex;
    QHash<int, qint64> sentNs; // sequence → g_clock ns when its delta was written
    QTimer *timer = nullptr;
    int seq = 0;
    double cpuAtStartMs = 0;

    void teardown()
    {
        delete timer;
        timer = nullptr;
        delete server;
        server = nullptr;
    }

    void setup(int hz)
    {
        server = new test::ScriptedApiServer(this);
        server->setDocument(document(0));
        server->setReply(QStringLiteral("history.get"), true,
                         QVariantMap {{QStringLiteral("interval_ms"), 1000}, {QStringLiteral("wans"), QVariantMap()}});
        connect(server, &test::ScriptedApiServer::deltaSending, this, [this] {
            QMutexLocker lock(&mutex);
            sentNs.insert(seq, g_clock.nsecsElapsed());
        });
        timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, [this] {
            ++seq;
            server->setDocument(document(seq));
        });
        timer->start(1000 / hz);
        cpuAtStartMs = threadCpuMs();
    }
};

// Notes the time the QML binding on Backend.wans changed, against the time its delta was written.
class LatencyProbe : public QObject
{
    Q_OBJECT
public:
    LatencyProbe(QObject *binding, Publisher *publisher)
        : m_seq(binding, QStringLiteral("seq"))
        , m_publisher(publisher)
    { }
    bool measuring = false;
    QList<double> values;
    int calls = 0;     // binding changes seen
    int unmatched = 0; // changes whose delta time was not found

public Q_SLOTS:
    void onChanged()
    {
        const qint64 now = g_clock.nsecsElapsed();
        const int seq = static_cast<int>(m_seq.read().toDouble());
        qint64 sent = -1;
        {
            QMutexLocker lock(&m_publisher->mutex);
            sent = m_publisher->sentNs.value(seq, -1);
        }
        ++calls;
        if (sent <= 0)
            ++unmatched;
        if (measuring && sent > 0)
            values.append(static_cast<double>(now - sent) / 1e6);
    }

    // After every signal of one applied frame (every binding of the UI has run).
    void onApplied()
    {
        const qint64 now = g_clock.nsecsElapsed();
        const int seq = static_cast<int>(m_seq.read().toDouble());
        qint64 sent = -1;
        {
            QMutexLocker lock(&m_publisher->mutex);
            sent = m_publisher->sentNs.take(seq);
        }
        if (measuring && sent > 0)
            applied.append(static_cast<double>(now - sent) / 1e6);
    }

public:
    QList<double> applied;

private:
    QQmlProperty m_seq;
    Publisher *m_publisher;
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    g_clock.start();
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The UI's RSS, CPU and update latency with 4 live WANs."));
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Measurement time."),
                                           QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption hzOption(QStringLiteral("hz"), QStringLiteral("WAN updates per second (1..50)."),
                                      QStringLiteral("HZ"), QStringLiteral("2"));
    const QCommandLineOption pageOption(QStringLiteral("page"), QStringLiteral("The page shown."),
                                        QStringLiteral("NAME"), QStringLiteral("dashboard"));
    parser.addOptions({secondsOption, hzOption, pageOption});
    parser.process(app);
    const int seconds = std::max(1, parser.value(secondsOption).toInt());
    const int hz = std::clamp(parser.value(hzOption).toInt(), 1, 50);

    QThread serverThread;
    serverThread.start();
    Publisher publisher;
    publisher.moveToThread(&serverThread);
    QString url;
    QMetaObject::invokeMethod(
        &publisher,
        [&] {
            publisher.setup(hz);
            url = publisher.server->start();
        },
        Qt::BlockingQueuedConnection);
    // However main() returns: the server goes down in its own thread, then the thread ends.
    const auto stopServer = [&] {
        if (!serverThread.isRunning())
            return;
        QMetaObject::invokeMethod(
            &publisher, [&] { publisher.teardown(); }, Qt::BlockingQueuedConnection);
        serverThread.quit();
        serverThread.wait();
    };
    const auto stopServerOnReturn = qScopeGuard(stopServer);

    client::Backend *backend = client::Backend::instance();
    client::AppSettings::instance()->setScreenshotMode(false);
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    const qint64 loadStart = g_clock.nsecsElapsed();
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/SmoothWAN/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "bench_ui: the UI did not load\n");
        return 1;
    }
    QObject *root = engine.rootObjects().constFirst();
    QMetaObject::invokeMethod(root, "showPage", Q_ARG(QVariant, QVariant(parser.value(pageOption))));
    const double loadMs = static_cast<double>(g_clock.nsecsElapsed() - loadStart) / 1e6;

    // A QML binding on Backend.wans, in the UI's engine: its change is what every tile sees.
    QQmlComponent probe(&engine);
    probe.setData("import QtQml\nimport SmoothWAN.Client\n"
                  "QtObject { property double seq: Backend.wans.length > 0 ? Backend.wans[3].rxBps : -1 }",
                  QUrl::fromLocalFile(QStringLiteral("/bench/probe.qml")));
    while (probe.isLoading())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    std::unique_ptr<QObject> binding(probe.create());
    if (!binding) {
        std::fprintf(stderr, "bench_ui: %s\n", qPrintable(probe.errorString()));
        return 1;
    }
    LatencyProbe latency(binding.get(), &publisher);
    if (!QQmlProperty(binding.get(), QStringLiteral("seq")).connectNotifySignal(&latency, SLOT(onChanged()))) {
        std::fprintf(stderr, "bench_ui: cannot watch the probe binding\n");
        return 1;
    }

    const qint64 connectStart = g_clock.nsecsElapsed();
    QObject::connect(backend, &client::Backend::documentApplied, &latency, &LatencyProbe::onApplied);
    int wansChanges = 0;
    QObject::connect(backend, &client::Backend::wansChanged, &latency, [&wansChanges] { ++wansChanges; });
    backend->connectToRouter(url, QStringLiteral("test-token"));
    QElapsedTimer wait;
    wait.start();
    while (backend->status() != QLatin1String("ready") && wait.elapsed() < 10000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (backend->status() != QLatin1String("ready")) {
        std::fprintf(stderr, "bench_ui: not ready: %s\n", qPrintable(backend->statusMessage()));
        return 1;
    }
    const double readyMs = static_cast<double>(g_clock.nsecsElapsed() - connectStart) / 1e6;

    // Warm up (first charts, caches), then measure.
    wait.restart();
    while (wait.elapsed() < 3000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    double serverCpuStart = 0;
    QMetaObject::invokeMethod(
        &publisher, [&] { serverCpuStart = threadCpuMs(); }, Qt::BlockingQueuedConnection);
    const double cpuStart = processCpuMs();
    const qint64 wallStart = g_clock.nsecsElapsed();
    latency.measuring = true;
    int frames = 0;
    if (auto *window = qobject_cast<QQuickWindow *>(root))
        QObject::connect(window, &QQuickWindow::frameSwapped, &latency, [&frames] { ++frames; });
    long rssMaxKiB = 0;
    QList<double> rssSamples;
    QTimer rssTimer;
    QObject::connect(&rssTimer, &QTimer::timeout, [&] {
        const long rss = statusKiB("VmRSS:");
        rssMaxKiB = std::max(rssMaxKiB, rss);
        rssSamples.append(static_cast<double>(rss) / 1024.0);
    });
    rssTimer.start(1000);
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    QGuiApplication::exec();
    latency.measuring = false;
    const double wallMs = static_cast<double>(g_clock.nsecsElapsed() - wallStart) / 1e6;
    const double cpuMs = processCpuMs() - cpuStart;
    double serverCpuEnd = 0;
    int deltasWritten = 0;
    QMetaObject::invokeMethod(
        &publisher,
        [&] {
            serverCpuEnd = threadCpuMs();
            deltasWritten = publisher.server->deltasSent();
        },
        Qt::BlockingQueuedConnection);
    const double serverCpuMs = serverCpuEnd - serverCpuStart;
    const long hwm = statusKiB("VmHWM:");
    stopServer();

    std::printf("bench_ui: 4 WANs changing at %d Hz for %d s, page '%s', QPA '%s'\n", hz, seconds,
                qPrintable(parser.value(pageOption)), qPrintable(QGuiApplication::platformName()));
    std::printf("  load Main.qml %.0f ms; connect → ready %.0f ms; %d frames rendered (%.1f/s)\n", loadMs, readyMs,
                frames, frames * 1000.0 / wallMs);
    bench::printFigures("RSS (MB, sampled 1/s)", rssSamples, "MB",
                        QStringLiteral("peak RSS (VmHWM) %1 MB; target < 120 MB").arg(hwm / 1024.0, 0, 'f', 1));
    std::printf("  %-52s %.2f %% of a core (process %.2f %%, scripted server thread %.2f %% left out); target < 5 %%\n",
                "UI CPU", 100.0 * (cpuMs - serverCpuMs) / wallMs, 100.0 * cpuMs / wallMs, 100.0 * serverCpuMs / wallMs);
    const QString latencyNote =
        QStringLiteral("p99=%1 ms; target p95 < 50 ms").arg(bench::percentile(latency.values, 99), 0, 'f', 1);
    bench::printFigures("delta written → QML binding on Backend.wans", latency.values, "ms", latencyNote);
    bench::printFigures("delta written → every UI binding done", latency.applied, "ms",
                        QStringLiteral("p99=%1 ms").arg(bench::percentile(latency.applied, 99), 0, 'f', 1));
    std::printf("  (%d deltas written, %d Backend.wans changes, %d binding changes, %d without a matching delta)\n",
                deltasWritten, wansChanges, latency.calls, latency.unmatched);
    std::fflush(stdout);
    return 0;
}

#include "bench_ui.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpeedifyAdapter.h"

#include "Clock.h"
#include "Logging.h"
#include "ProcessSupervisor.h"
#include "SpeedifyArgs.h"
#include "SpeedifyParser.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtCore/QTimer>

#include <limits>

namespace smoothwan {

namespace {

constexpr int LogCapacity = 50;
constexpr int StatsLineBytes = 4 * 1024 * 1024;

const QStringList Modes {QStringLiteral("speed"), QStringLiteral("redundant"), QStringLiteral("streaming")};
const QStringList Transports {QStringLiteral("auto"), QStringLiteral("tcp"), QStringLiteral("tcp-multi"),
                              QStringLiteral("udp"), QStringLiteral("https")};
const QStringList Toggles {QStringLiteral("encryption"), QStringLiteral("jumbo"), QStringLiteral("packetaggr"),
                           QStringLiteral("headercompression"), QStringLiteral("startupconnect")};
const QStringList Priorities {QStringLiteral("automatic"), QStringLiteral("always"), QStringLiteral("secondary"),
                              QStringLiteral("backup"), QStringLiteral("never")};
const QStringList Directional {QStringLiteral("on"), QStringLiteral("backup_off"), QStringLiteral("strict_off")};
const QStringList ConnectKeywords {QStringLiteral("closest"), QStringLiteral("public"), QStringLiteral("private"),
                                   QStringLiteral("p2p"), QStringLiteral("last")};

QString onOff(bool on)
{
    return on ? QStringLiteral("on") : QStringLiteral("off");
}

QString number(double v)
{
    return QString::number(v, 'f', v == double(qint64(v)) ? 0 : 3);
}

QString oneOf(const QString &what, const QString &value, const QStringList &allowed)
{
    if (allowed.contains(value))
        return {};
    return QCoreApplication::translate("SpeedifyAdapter", "%1 must be one of %2, not “%3”")
        .arg(what, allowed.join(QStringLiteral(", ")), value.left(40));
}

EngineResult failure(const QString &kind, const QString &message)
{
    return EngineResult {false, kind, message, {}};
}

} // namespace

SpeedifyAdapter::SpeedifyAdapter(const Clock &clock, const SpeedifyConfig &config, Options options, QObject *parent)
    : Engine(parent)
    , m_clock(clock)
    , m_config(config)
    , m_options(options)
    , m_cli(config.cliPath)
{
    m_cli.setTimeoutMs(m_options.commandTimeoutMs);
}

SpeedifyAdapter::~SpeedifyAdapter() = default;

void SpeedifyAdapter::appendLog(const QString &line)
{
    m_log.push_back(line);
    while (int(m_log.size()) > LogCapacity)
        m_log.pop_front();
}

void SpeedifyAdapter::recordError(const QString &kind, const QString &message, const QString &command)
{
    // The same failure again (a daemon that stays down, retried with backoff) is not news.
    const bool repeated = m_lastError.value(QStringLiteral("message")).toString() == message;
    m_lastError = QJsonObject {{QStringLiteral("kind"), kind},
                               {QStringLiteral("message"), message},
                               {QStringLiteral("command"), command},
                               {QStringLiteral("at"), m_clock.wallClock().toString(Qt::ISODateWithMs)}};
    if (!repeated) {
        appendLog(message);
        Q_EMIT event(kind == QLatin1String("refused") ? QStringLiteral("warning") : QStringLiteral("error"), message);
    }
    publish();
}

void SpeedifyAdapter::publish()
{
    Q_EMIT statusChanged();
}

void SpeedifyAdapter::start()
{
    if (m_running)
        return;
    m_running = true;
    m_stopping = false;
    m_cli.relocate(m_config.cliPath);
    if (!m_cli.isInstalled()) {
        qCWarning(lcSpeedify) << "Speedify is not installed";
        Q_EMIT event(QStringLiteral("warning"),
                     tr("Speedify is not installed. %1").arg(QString::fromLatin1(SpeedifyCli::InstallHint)));
        publish();
        return;
    }
    startDaemon();
    m_haveLists = false;
    m_retryMs = m_options.retryInitialMs;
    initialRead();
}

// Reads Speedify's state, then applies our configuration. A daemon that is still starting (or
// down) does not answer: read again with backoff until it does.
void SpeedifyAdapter::initialRead()
{
    refresh([this](const EngineResult &r) {
        if (!m_running)
            return;
        startStatsReader();
        if (r.ok) {
            applyConfig({});
            return;
        }
        QTimer::singleShot(m_retryMs, this, [this] {
            if (m_running && !m_stopping)
                initialRead();
        });
        m_retryMs = std::min(m_retryMs * 2, m_options.retryMaxMs);
    });
}

void SpeedifyAdapter::startDaemon()
{
    if (!m_options.manageDaemon)
        return;
    const QString dir = QFileInfo(m_cli.program()).absolutePath();
    for (const char *unit : {"/lib/systemd/system/speedify.service", "/etc/systemd/system/speedify.service",
                             "/usr/lib/systemd/system/speedify.service"}) {
        if (!QFileInfo::exists(QLatin1String(unit)))
            continue;
        const QString systemctl = ProcessSupervisor::findExecutable(QStringLiteral("systemctl"));
        if (systemctl.isEmpty())
            break;
        auto *p = new QProcess(this);
        connect(p, &QProcess::finished, p, [this, p](int code) {
            if (code != 0)
                appendLog(tr("systemctl start speedify failed: %1").arg(QString::fromUtf8(p->readAll()).trimmed()));
            p->deleteLater();
        });
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(systemctl, {QStringLiteral("start"), QStringLiteral("speedify")});
        appendLog(tr("Started Speedify through its systemd unit"));
        return;
    }
    const QString daemon = dir + QStringLiteral("/speedify");
    if (ProcessSupervisor::findExecutable(daemon).isEmpty())
        return; // e.g. the stand-in, whose daemon is its state directory
    ProcessSupervisor::Options o;
    o.name = QStringLiteral("Speedify");
    o.program = daemon;
    o.arguments = {QStringLiteral("-d"), QStringLiteral("logs")};
    o.workingDirectory = dir;
    o.installHint = QString::fromLatin1(SpeedifyCli::InstallHint);
    o.initialBackoffMs = m_options.daemonInitialBackoffMs;
    o.maxBackoffMs = m_options.daemonMaxBackoffMs;
    m_daemon = new ProcessSupervisor(m_clock, o, this);
    connect(m_daemon, &ProcessSupervisor::lineReceived, this, [this](const QString &line) {
        appendLog(line);
        publish();
    });
    connect(m_daemon, &ProcessSupervisor::stateChanged, this, [this](ProcessSupervisor::State s) {
        if (s == ProcessSupervisor::State::CrashLoop || s == ProcessSupervisor::State::Backoff)
            Q_EMIT event(s == ProcessSupervisor::State::CrashLoop ? QStringLiteral("error") : QStringLiteral("warning"),
                         m_daemon->message());
        publish();
    });
    m_daemon->start();
}

void SpeedifyAdapter::startStatsReader()
{
    if (m_stats || !m_running || !m_cli.isInstalled())
        return;
    ProcessSupervisor::Options o;
    o.name = QStringLiteral("Speedify stats reader");
    o.program = m_cli.program();
    o.arguments = {QStringLiteral("-s"), QStringLiteral("stats")};
    o.initialBackoffMs = m_options.statsInitialBackoffMs;
    o.maxBackoffMs = m_options.statsMaxBackoffMs;
    o.crashLoopExits = std::numeric_limits<int>::max(); // keep trying, at the slowest backoff
    o.logCapacity = 5;
    o.maxLineBytes = StatsLineBytes;
    o.stopTimeoutMs = 2000;
    m_stats = new ProcessSupervisor(m_clock, o, this);
    connect(m_stats, &ProcessSupervisor::lineReceived, this, &SpeedifyAdapter::onStatsLine);
    connect(m_stats, &ProcessSupervisor::exited, this, [this](int code, bool crashed) {
        m_statsBuffer.clear();
        qCInfo(lcSpeedify) << "stats reader exited" << code << (crashed ? "(crashed)" : "") << "; restarting";
    });
    connect(m_stats, &ProcessSupervisor::stateChanged, this, [this](ProcessSupervisor::State s) {
        if (s == ProcessSupervisor::State::Stopped && m_stopping)
            stop(); // continue the teardown
    });
    m_stats->start();
}

void SpeedifyAdapter::onStatsLine(const QString &line)
{
    m_statsBuffer += line.toUtf8();
    m_statsBuffer += '\n';
    QString error;
    const QList<QJsonValue> docs = SpeedifyParser::takeDocuments(m_statsBuffer, &error);
    if (!error.isEmpty())
        qCDebug(lcSpeedify) << "stats:" << error;
    if (m_statsBuffer.size() > StatsLineBytes)
        m_statsBuffer.clear();
    bool changed = false;
    for (const QJsonValue &doc : docs) {
        const std::optional<SpeedifyStatsRecord> r = SpeedifyParser::parseStatsRecord(doc);
        if (!r)
            continue;
        switch (r->type) {
        case SpeedifyStatsRecord::Type::State:
            if (r->state != m_state) {
                m_state = r->state;
                m_reachable = true;
                changed = true;
                if (m_state == SpeedifyState::Connected)
                    run({QStringLiteral("show"), QStringLiteral("currentserver")}, {}, false);
                if (m_state != SpeedifyState::Connected)
                    m_linkStats.clear();
            }
            break;
        case SpeedifyStatsRecord::Type::Adapters:
            m_adapters = r->adapters;
            m_haveAdapters = true;
            changed = true;
            applyWans();
            break;
        case SpeedifyStatsRecord::Type::ConnectionStats: {
            QHash<QString, QJsonObject> links;
            QHash<QString, int> counts;
            for (const SpeedifyConnection &c : r->connectionStats.connections) {
                QJsonObject o = links.value(c.adapterId);
                const int n = counts.value(c.adapterId);
                auto avg = [&](const char *key, double v) {
                    o.insert(QLatin1String(key), (o.value(QLatin1String(key)).toDouble() * n + v) / (n + 1));
                };
                auto sum = [&](const char *key, double v) {
                    o.insert(QLatin1String(key), o.value(QLatin1String(key)).toDouble() + v);
                };
                auto worst = [&](const char *key, double v) {
                    o.insert(QLatin1String(key), std::max(o.value(QLatin1String(key)).toDouble(), v));
                };
                avg("latencyMs", c.latencyMs);
                avg("jitterMs", c.jitterMs);
                worst("lossSend", c.lossSend);
                worst("lossReceive", c.lossReceive);
                sum("receiveBps", c.receiveBps);
                sum("sendBps", c.sendBps);
                o.insert(QStringLiteral("congested"), o.value(QStringLiteral("congested")).toBool() || c.congested);
                o.insert(QStringLiteral("connected"), o.value(QStringLiteral("connected")).toBool() || c.connected);
                o.insert(QStringLiteral("connections"), n + 1);
                counts.insert(c.adapterId, n + 1);
                links.insert(c.adapterId, o);
            }
            m_linkStats = links;
            changed = true;
            break;
        }
        case SpeedifyStatsRecord::Type::SessionStats:
            m_session = r->sessionStats;
            changed = true;
            break;
        case SpeedifyStatsRecord::Type::StreamingStats:
        case SpeedifyStatsRecord::Type::Unknown:
            break;
        }
    }
    if (changed)
        publish();
}

void SpeedifyAdapter::stop()
{
    if (!m_running && !m_stopping) {
        QMetaObject::invokeMethod(this, &Engine::stopped, Qt::QueuedConnection);
        return;
    }
    m_running = false;
    if (!m_stopping) {
        m_stopping = true;
        m_cli.cancelAll();
        // Leave the tunnel: another engine (or none) takes over the LAN.
        if (m_disconnectOnStop && m_cli.isInstalled() && m_state != SpeedifyState::LoggedOut && m_reachable) {
            QPointer<SpeedifyAdapter> self(this);
            m_cli.run({QStringLiteral("disconnect")}, [self](const SpeedifyReply &r) {
                if (!self)
                    return;
                self->absorb(r.arguments, r.documents);
                self->stop();
            });
            return;
        }
    }
    if (m_cli.pendingCount() > 0)
        return; // the disconnect is still running; it calls stop() again
    if (m_stats && m_stats->state() != ProcessSupervisor::State::Stopped &&
        m_stats->state() != ProcessSupervisor::State::NotInstalled) {
        if (m_stats->state() != ProcessSupervisor::State::Stopping)
            m_stats->stop();
        if (m_stats->state() == ProcessSupervisor::State::Stopping)
            return; // its stateChanged(Stopped) calls stop() again
    }
    if (m_daemon) {
        m_daemon->stop();
        // The daemon's own SIGTERM handling may take a while; stop() ends it with SIGKILL in the end.
    }
    m_stopping = false;
    m_linkStats.clear();
    publish();
    QMetaObject::invokeMethod(this, &Engine::stopped, Qt::QueuedConnection);
}

void SpeedifyAdapter::setConfig(const SpeedifyConfig &config)
{
    const bool pathChanged = config.cliPath != m_config.cliPath;
    m_config = config;
    if (pathChanged)
        m_cli.relocate(config.cliPath);
    if (m_running && m_cli.isInstalled() && !m_stats) {
        // Found only now (a corrected path, or installed since): start as start() would have.
        startDaemon();
        m_retryMs = m_options.retryInitialMs;
        initialRead();
        return;
    }
    if (m_running && m_cli.isInstalled())
        applyConfig({});
}

void SpeedifyAdapter::applyConfig(EngineCallback done)
{
    QList<Step> steps;
    const QString mode = configName(m_config.mode);
    const QString transport = configName(m_config.transport);
    const auto undo = [this](const QString &setting, const QString &old) {
        return m_haveSettings && !old.isEmpty() ? QStringList {setting, old} : QStringList {};
    };
    if (!m_haveSettings || m_settings.bondingMode != mode)
        steps.append({{QStringLiteral("mode"), mode}, 0, undo(QStringLiteral("mode"), m_settings.bondingMode)});
    if (!m_haveSettings || m_settings.transportMode != transport)
        steps.append(
            {{QStringLiteral("transport"), transport}, 0, undo(QStringLiteral("transport"), m_settings.transportMode)});
    if (!m_haveSettings || m_settings.startupConnect != m_config.startupConnect)
        steps.append({{QStringLiteral("startupconnect"), onOff(m_config.startupConnect)},
                      0,
                      undo(QStringLiteral("startupconnect"), onOff(m_settings.startupConnect))});
    runSteps(
        tr("Applying the Speedify settings"), steps,
        [this, done](const EngineResult &r) {
            if (r.ok && m_config.startupConnect && m_state == SpeedifyState::LoggedIn) {
                const QStringList target = m_config.connect.split(QLatin1Char(' '), Qt::SkipEmptyParts);
                connectServer(target, done);
                return;
            }
            if (done)
                done(r);
        },
        false);
    applyWans();
}

void SpeedifyAdapter::setWans(const QList<EngineWan> &wans)
{
    if (EngineWan::sameSettings(wans, m_wans)) {
        m_wans = wans; // health and addresses: nothing Speedify is told
        return;
    }
    m_wans = wans;
    applyWans();
    publish();
}

QString SpeedifyAdapter::wanFor(const QString &adapterId) const
{
    for (const EngineWan &w : m_wans)
        if (!w.interface.isEmpty() && w.interface == adapterId)
            return w.name;
    return {};
}

QString SpeedifyAdapter::adapterForWan(const QString &wan) const
{
    for (const SpeedifyAdapterInfo &a : m_adapters)
        if (!wan.isEmpty() && wanFor(a.adapterId) == wan)
            return a.adapterId;
    return {};
}

void SpeedifyAdapter::applyWans()
{
    if (!m_running || m_wans.isEmpty() || !m_haveAdapters || !m_cli.isInstalled())
        return;
    if (m_applyingWans) {
        m_wansDirty = true;
        return;
    }
    QList<Step> steps;
    for (const SpeedifyAdapterInfo &a : std::as_const(m_adapters)) {
        if (SpeedifyArgs::checkAdapterId(a.adapterId).isEmpty() == false)
            continue; // not a Linux interface name: not ours to map
        const EngineWan *wan = nullptr;
        for (const EngineWan &w : m_wans)
            if (w.interface == a.adapterId)
                wan = &w;
        const QString priority = wan && wan->enabled ? configName(wan->priority) : QStringLiteral("never");
        if (a.priority != priority)
            steps.append({{QStringLiteral("adapter"), QStringLiteral("priority"), a.adapterId, priority},
                          0,
                          a.priority.isEmpty() ? QStringList {}
                                               : QStringList {QStringLiteral("adapter"), QStringLiteral("priority"),
                                                              a.adapterId, a.priority}});
        if (!wan)
            continue;
        const qint64 daily = qint64(wan->caps.dailyBytes.value_or(0));
        const auto limit = [](qint64 bytes) { return bytes ? QString::number(bytes) : QStringLiteral("unlimited"); };
        if (a.dataUsage.usageDailyLimit != daily)
            steps.append({{QStringLiteral("adapter"), QStringLiteral("datalimit"), QStringLiteral("daily"), a.adapterId,
                           limit(daily), QStringLiteral("0")},
                          0,
                          {QStringLiteral("adapter"), QStringLiteral("datalimit"), QStringLiteral("daily"), a.adapterId,
                           limit(a.dataUsage.usageDailyLimit), QStringLiteral("0")}});
        const qint64 monthly = qint64(wan->caps.monthlyBytes.value_or(0));
        const int resetDay = monthly ? wan->caps.resetDay : 0;
        if (a.dataUsage.usageMonthlyLimit != monthly || (monthly && a.dataUsage.usageMonthlyResetDay != resetDay))
            steps.append({{QStringLiteral("adapter"), QStringLiteral("datalimit"), QStringLiteral("monthly"),
                           a.adapterId, limit(monthly), QString::number(resetDay)},
                          0,
                          {QStringLiteral("adapter"), QStringLiteral("datalimit"), QStringLiteral("monthly"),
                           a.adapterId, limit(a.dataUsage.usageMonthlyLimit),
                           QString::number(a.dataUsage.usageMonthlyLimit ? a.dataUsage.usageMonthlyResetDay : 0)}});
    }
    if (steps.isEmpty())
        return;
    m_applyingWans = true;
    runSteps(
        tr("Applying the WAN priorities and caps to Speedify"), steps,
        [this](const EngineResult &) {
            m_applyingWans = false;
            if (m_wansDirty) {
                m_wansDirty = false;
                applyWans();
            }
        },
        false);
}

void SpeedifyAdapter::refresh(EngineCallback done)
{
    QList<Step> steps {{{QStringLiteral("state")}},
                       {{QStringLiteral("show"), QStringLiteral("settings")}},
                       {{QStringLiteral("show"), QStringLiteral("adapters")}},
                       {{QStringLiteral("version")}}};
    runSteps(
        tr("Reading Speedify's state"), steps,
        [this, done](const EngineResult &r) {
            if (r.ok && m_state == SpeedifyState::Connected)
                run({QStringLiteral("show"), QStringLiteral("currentserver")}, {}, false);
            // The bypass and streaming lists, so the slice shows them before anyone edits them.
            if (r.ok && !m_haveLists) {
                m_haveLists = true;
                run({QStringLiteral("show"), QStringLiteral("streamingbypass")}, {}, false);
                run({QStringLiteral("show"), QStringLiteral("streaming")}, {}, false);
            }
            if (done)
                done(r);
        },
        false);
}

void SpeedifyAdapter::run(const QStringList &args, EngineCallback done, bool userCommand, int timeoutMs)
{
    QPointer<SpeedifyAdapter> self(this);
    m_cli.run(
        args,
        [self, done, userCommand](const SpeedifyReply &reply) {
            if (!self)
                return;
            if (!reply.ok()) {
                const SpeedifyError &e = reply.error;
                if (e.kind == SpeedifyError::Kind::Cancelled) {
                    if (done)
                        done(failure(SpeedifyError::kindName(e.kind), e.message));
                    return;
                }
                if (e.kind == SpeedifyError::Kind::DaemonError && reply.arguments.value(0) == QLatin1String("state"))
                    self->m_reachable = false;
                self->recordError(SpeedifyError::kindName(e.kind), e.message, SpeedifyCli::describe(reply.arguments));
                if (done)
                    done(failure(SpeedifyError::kindName(e.kind), e.message));
                return;
            }
            if (reply.arguments.value(0) == QLatin1String("state"))
                self->m_reachable = true;
            const QJsonValue data = self->absorb(reply.arguments, reply.documents);
            if (userCommand && !self->m_lastError.isEmpty())
                self->m_lastError = {};
            self->publish();
            if (done)
                done(EngineResult {true, {}, {}, data});
        },
        timeoutMs);
}

void SpeedifyAdapter::runSteps(const QString &purpose, QList<Step> steps, EngineCallback done, bool userCommand)
{
    if (steps.isEmpty()) {
        if (done)
            QMetaObject::invokeMethod(
                this, [done] { done(EngineResult {}); }, Qt::QueuedConnection);
        return;
    }
    // Each step starts after the previous one succeeded; the first failure ends the sequence.
    struct Sequence
    {
        QString purpose;
        QList<Step> steps;
        int next = 0;
        EngineCallback done;
        bool user = false;
    };
    auto seq = std::make_shared<Sequence>(Sequence {purpose, std::move(steps), 0, std::move(done), userCommand});
    auto runNext = std::make_shared<std::function<void()>>();
    QPointer<SpeedifyAdapter> self(this);
    std::weak_ptr<std::function<void()>> weakNext = runNext; // no cycle: pending jobs hold it
    *runNext = [self, seq, weakNext] {
        const std::shared_ptr<std::function<void()>> next = weakNext.lock();
        if (!self || !next)
            return;
        const Step step = seq->steps.at(seq->next);
        QPointer<SpeedifyAdapter> again(self);
        again->m_cli.run(
            step.args,
            [again, seq, next](const SpeedifyReply &reply) {
                if (!again)
                    return;
                const int index = seq->next;
                if (!reply.ok()) {
                    const SpeedifyError &e = reply.error;
                    if (e.kind == SpeedifyError::Kind::DaemonError &&
                        reply.arguments.value(0) == QLatin1String("state"))
                        again->m_reachable = false;
                    if (e.kind == SpeedifyError::Kind::Cancelled) {
                        if (seq->done)
                            seq->done(failure(SpeedifyError::kindName(e.kind), e.message));
                        return;
                    }
                    // Nothing is left half-applied: put back what the earlier steps changed,
                    // newest first, then report what happened and show Speedify's real state.
                    QList<QStringList> undo;
                    for (int i = index - 1; i >= 0; --i)
                        if (!seq->steps.at(i).undo.isEmpty())
                            undo.append(seq->steps.at(i).undo);
                    again->rollBack(undo, [again, seq, index, e,
                                           arguments = reply.arguments](const QString &undoError) {
                        if (!again)
                            return;
                        QString message = e.message;
                        if (seq->steps.size() > 1) {
                            message = tr("%1 stopped at step %2 of %3 (%4): %5.")
                                          .arg(seq->purpose)
                                          .arg(index + 1)
                                          .arg(seq->steps.size())
                                          .arg(SpeedifyCli::describe(seq->steps.at(index).args), e.message);
                            if (index == 0)
                                message += tr(" Nothing was changed.");
                            else if (undoError.isEmpty())
                                message += tr(" Steps 1-%1 had been applied and were undone.").arg(index);
                            else
                                message += tr(" Steps 1-%1 had been applied; undoing them failed: %2.")
                                               .arg(index)
                                               .arg(undoError);
                        }
                        again->recordError(SpeedifyError::kindName(e.kind), message, SpeedifyCli::describe(arguments));
                        // Show what Speedify really has now, not what we hoped to apply.
                        if (index > 0 && again->m_running)
                            again->run({QStringLiteral("show"), arguments.value(0) == QLatin1String("adapter")
                                                                    ? QStringLiteral("adapters")
                                                                    : QStringLiteral("settings")},
                                       {}, false);
                        if (seq->done)
                            seq->done(failure(SpeedifyError::kindName(e.kind), message));
                    });
                    return;
                }
                if (reply.arguments.value(0) == QLatin1String("state"))
                    again->m_reachable = true;
                const QJsonValue data = again->absorb(reply.arguments, reply.documents);
                seq->next = index + 1;
                if (seq->next < seq->steps.size()) {
                    (*next)();
                    return;
                }
                if (seq->user && !again->m_lastError.isEmpty())
                    again->m_lastError = {};
                again->publish();
                if (seq->done)
                    seq->done(EngineResult {true, {}, {}, data});
            },
            step.timeoutMs);
    };
    (*runNext)();
}

void SpeedifyAdapter::rollBack(QList<QStringList> undo, std::function<void(const QString &)> finished)
{
    if (undo.isEmpty()) {
        finished({});
        return;
    }
    const QStringList args = undo.takeFirst();
    QPointer<SpeedifyAdapter> self(this);
    m_cli.run(args, [self, undo, finished, args](const SpeedifyReply &reply) {
        if (!self)
            return;
        if (!reply.ok()) {
            finished(QStringLiteral("%1: %2").arg(SpeedifyCli::describe(args), reply.error.message));
            return;
        }
        self->absorb(reply.arguments, reply.documents);
        self->rollBack(undo, finished);
    });
}

void SpeedifyAdapter::refuse(const QStringList &args, const QString &message, EngineCallback done)
{
    QPointer<SpeedifyAdapter> self(this);
    // Through the queue so the callback order matches the order of requests.
    m_cli.refuse(args, message, [self, done](const SpeedifyReply &reply) {
        if (!self)
            return;
        self->recordError(QStringLiteral("refused"), reply.error.message, reply.arguments.value(0));
        if (done)
            done(failure(QStringLiteral("refused"), reply.error.message));
    });
}

QJsonValue SpeedifyAdapter::absorb(const QStringList &args, const QList<QJsonValue> &docs)
{
    if (docs.isEmpty())
        return {};
    const QJsonValue doc = docs.last();
    const QString action = args.value(0);
    const QString sub = args.value(1);
    const QJsonObject o = doc.toObject();
    if (action == QLatin1String("state") || action == QLatin1String("login") || action == QLatin1String("logout") ||
        action == QLatin1String("disconnect")) {
        if (const auto s = SpeedifyParser::parseState(doc))
            m_state = *s;
        if (action != QLatin1String("state"))
            m_server = {};
        if (action == QLatin1String("login") || action == QLatin1String("logout"))
            run({QStringLiteral("state")}, {}, false); // login answers right after the request
    } else if (action == QLatin1String("connect") ||
               (action == QLatin1String("show") && sub == QLatin1String("currentserver"))) {
        m_server = SpeedifyParser::parseServer(o);
        if (action == QLatin1String("connect"))
            run({QStringLiteral("state")}, {}, false);
    } else if (action == QLatin1String("show") && sub == QLatin1String("servers")) {
        QJsonArray pub;
        QJsonArray priv;
        const SpeedifyServerList list = SpeedifyParser::parseServerList(o);
        for (const SpeedifyServer &s : list.publicServers)
            if (!s.tag.contains(QLatin1String("-test")))
                pub.append(s.toJson());
        for (const SpeedifyServer &s : list.privateServers)
            if (!s.tag.contains(QLatin1String("-test")))
                priv.append(s.toJson());
        return QJsonObject {{QStringLiteral("public"), pub}, {QStringLiteral("private"), priv}};
    } else if (doc.isArray() && (action == QLatin1String("adapter") || sub == QLatin1String("adapters"))) {
        m_adapters = SpeedifyParser::parseAdapters(doc);
        m_haveAdapters = true;
        QJsonArray out;
        for (const SpeedifyAdapterInfo &a : std::as_const(m_adapters))
            out.append(a.toJson());
        return out;
    } else if (o.contains(QLatin1String("bondingMode")) || o.contains(QLatin1String("transportMode"))) {
        m_settings = SpeedifyParser::parseSettings(o);
        m_haveSettings = true;
        return m_settings.toJson();
    } else if (action == QLatin1String("streamingbypass") ||
               (action == QLatin1String("show") && sub == QLatin1String("streamingbypass"))) {
        m_bypass = SpeedifyParser::parseBypass(o);
        return m_bypass.toJson();
    } else if (action == QLatin1String("streaming") ||
               (action == QLatin1String("show") && sub == QLatin1String("streaming"))) {
        m_streaming = SpeedifyParser::parseBypass(o);
        QJsonObject j = m_streaming.toJson();
        j.remove(QStringLiteral("services"));
        return j;
    } else if (action == QLatin1String("speedtest") || action == QLatin1String("streamtest")) {
        m_lastTests = SpeedifyParser::parseTestResults(doc);
        QJsonArray out;
        for (const SpeedifyTestResult &t : std::as_const(m_lastTests))
            out.append(t.toJson());
        return out;
    } else if (action == QLatin1String("version")) {
        m_version = SpeedifyParser::parseVersion(o);
        return m_version.toString();
    }
    return doc;
}

QString SpeedifyAdapter::engineState() const
{
    if (!m_cli.isInstalled())
        return QStringLiteral("not-installed");
    if (!m_running)
        return m_stopping ? QStringLiteral("stopping") : QStringLiteral("stopped");
    if (m_daemon && m_daemon->state() == ProcessSupervisor::State::CrashLoop)
        return QStringLiteral("crash-loop");
    if (!m_reachable)
        return QStringLiteral("error");
    return speedifyStateName(m_state).toLower().replace(QLatin1Char('_'), QLatin1Char('-'));
}

QJsonObject SpeedifyAdapter::status() const
{
    QJsonArray adapters;
    for (const SpeedifyAdapterInfo &a : m_adapters) {
        QJsonObject o = a.toJson();
        const QString wan = wanFor(a.adapterId);
        o.insert(QStringLiteral("wan"), wan.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(wan));
        const QJsonObject stats = m_linkStats.value(a.adapterId);
        o.insert(QStringLiteral("stats"), stats.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(stats));
        adapters.append(o);
    }
    QJsonArray log;
    for (const QString &line : m_log)
        log.append(line);
    QJsonObject streaming = m_streaming.toJson();
    streaming.remove(QStringLiteral("services"));
    streaming.remove(QStringLiteral("domainWatchlistEnabled"));
    QJsonObject out {
        {QStringLiteral("type"), type()},
        {QStringLiteral("state"), engineState()},
        {QStringLiteral("speedifyState"), speedifyStateName(m_state)},
        {QStringLiteral("installed"), m_cli.isInstalled()},
        {QStringLiteral("installHint"),
         m_cli.isInstalled() ? QString() : QString::fromLatin1(SpeedifyCli::InstallHint)},
        {QStringLiteral("version"), m_version.major ? QJsonValue(m_version.toString()) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("server"),
         m_server.tag.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_server.toJson())},
        {QStringLiteral("mode"), m_haveSettings ? QJsonValue(m_settings.bondingMode) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("settings"), m_haveSettings ? QJsonValue(m_settings.toJson()) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("adapters"), adapters},
        {QStringLiteral("session"), m_session.toJson()},
        {QStringLiteral("streamingBypass"), m_bypass.toJson()},
        {QStringLiteral("streaming"), streaming},
        {QStringLiteral("tunnel"), tunnelInterface()},
        {QStringLiteral("lastError"), m_lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_lastError)},
        {QStringLiteral("logTail"), log},
    };
    if (!m_lastTests.isEmpty()) {
        QJsonArray tests;
        for (const SpeedifyTestResult &t : m_lastTests)
            tests.append(t.toJson());
        out.insert(QStringLiteral("lastTest"), tests);
    }
    return out;
}

// ---- commands --------------------------------------------------------------------------------

void SpeedifyAdapter::login(const QString &user, const QString &password, EngineCallback done)
{
    const QStringList shown {QStringLiteral("login"), user};
    if (QString e = SpeedifyArgs::checkUser(user); !e.isEmpty())
        return refuse(shown, e, done);
    if (QString e = SpeedifyArgs::checkPassword(password); !e.isEmpty())
        return refuse(shown, e, done);
    run({QStringLiteral("login"), user, password}, done);
}

void SpeedifyAdapter::loginAuto(EngineCallback done)
{
    run({QStringLiteral("login"), QStringLiteral("auto")}, done);
}

void SpeedifyAdapter::logout(EngineCallback done)
{
    run({QStringLiteral("logout")}, done);
}

void SpeedifyAdapter::connectServer(const QStringList &target, EngineCallback done)
{
    QStringList args {QStringLiteral("connect")};
    QString error;
    if (target.size() == 1 && ConnectKeywords.contains(target[0])) {
        args += target;
    } else if (!target.isEmpty() && target[0].size() == 2 && target.size() <= 3) {
        error = SpeedifyArgs::checkCountry(target[0]);
        if (error.isEmpty() && target.size() > 1)
            error = SpeedifyArgs::checkCity(target[1]);
        if (error.isEmpty() && target.size() > 2)
            error = SpeedifyArgs::checkServerNumber(target[2]);
        args += target;
    } else if (target.size() == 1) {
        error = SpeedifyArgs::checkServerTag(target[0]);
        args += target;
    } else if (!target.isEmpty()) {
        error = tr("A server is closest, public, private, p2p, last, a country [city [number]] or a tag");
    }
    if (!error.isEmpty())
        return refuse({QStringLiteral("connect")}, error, done);
    // Connecting can take a while: the daemon answers once the tunnel is up.
    run(args, done, true, std::max(m_options.commandTimeoutMs, 60000));
}

void SpeedifyAdapter::disconnectServer(EngineCallback done)
{
    run({QStringLiteral("disconnect")}, done);
}

void SpeedifyAdapter::servers(EngineCallback done)
{
    run({QStringLiteral("show"), QStringLiteral("servers")}, done);
}

void SpeedifyAdapter::setMode(const QString &mode, EngineCallback done)
{
    if (QString e = oneOf(tr("The bonding mode"), mode, Modes); !e.isEmpty())
        return refuse({QStringLiteral("mode")}, e, done);
    run({QStringLiteral("mode"), mode}, done);
}

void SpeedifyAdapter::setTransport(const QString &transport, EngineCallback done)
{
    if (QString e = oneOf(tr("The transport"), transport, Transports); !e.isEmpty())
        return refuse({QStringLiteral("transport")}, e, done);
    run({QStringLiteral("transport"), transport}, done);
}

void SpeedifyAdapter::setToggle(const QString &setting, bool on, EngineCallback done)
{
    if (QString e = oneOf(tr("The setting"), setting, Toggles); !e.isEmpty())
        return refuse({setting.left(40)}, e, done);
    run({setting, onOff(on)}, done);
}

void SpeedifyAdapter::setOverflow(double mbps, EngineCallback done)
{
    if (!(mbps >= 0 && mbps <= 100000))
        return refuse({QStringLiteral("overflow")}, tr("The overflow threshold must be 0-100000 Mbps"), done);
    run({QStringLiteral("overflow"), number(mbps)}, done);
}

void SpeedifyAdapter::setPriorityOverflow(double mbps, EngineCallback done)
{
    if (!(mbps >= 0 && mbps <= 100000))
        return refuse({QStringLiteral("priorityoverflow")}, tr("The priority overflow threshold must be 0-100000 Mbps"),
                      done);
    run({QStringLiteral("priorityoverflow"), number(mbps)}, done);
}

void SpeedifyAdapter::setMaxRedundant(int connections, EngineCallback done)
{
    if (connections < 1 || connections > 64)
        return refuse({QStringLiteral("maxredundant")}, tr("Max redundant connections must be 1-64"), done);
    run({QStringLiteral("maxredundant"), QString::number(connections)}, done);
}

void SpeedifyAdapter::setAdapterPriority(const QString &adapterId, const QString &priority, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("priority")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    if (QString e = oneOf(tr("The priority"), priority, Priorities); !e.isEmpty())
        return refuse(shown, e, done);
    run(shown + QStringList {adapterId, priority}, done);
}

void SpeedifyAdapter::setAdapterRateLimit(const QString &adapterId, qint64 downBps, qint64 upBps, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("ratelimit")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    if (downBps < 0 || upBps < 0)
        return refuse(shown, tr("A rate limit is 0 (none) or a positive number of bits per second"), done);
    run(shown + QStringList {adapterId, QString::number(downBps), QString::number(upBps)}, done);
}

void SpeedifyAdapter::setAdapterDataLimit(const QString &adapterId, const QString &kind, std::optional<qint64> bytes,
                                          int resetDay, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("datalimit")};
    if (QString e = oneOf(tr("The data limit"), kind,
                          {QStringLiteral("daily"), QStringLiteral("dailyboost"), QStringLiteral("monthly")});
        !e.isEmpty())
        return refuse(shown, e, done);
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    if ((bytes && *bytes <= 0) || resetDay < 0 || resetDay > 31)
        return refuse(shown, tr("A data limit is a positive number of bytes or unlimited; the reset day is 0-31"),
                      done);
    run(shown + QStringList {kind, adapterId, bytes ? QString::number(*bytes) : QStringLiteral("unlimited"),
                             QString::number(resetDay)},
        done);
}

void SpeedifyAdapter::setAdapterOverlimitRateLimit(const QString &adapterId, qint64 bps, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("overlimitratelimit")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    if (bps < 0)
        return refuse(shown, tr("The over-limit rate is 0 (stop) or a positive number of bits per second"), done);
    run(shown + QStringList {adapterId, QString::number(bps)}, done);
}

void SpeedifyAdapter::resetAdapterUsage(const QString &adapterId, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("resetusage")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    run(shown + QStringList {adapterId}, done);
}

void SpeedifyAdapter::setAdapterDirectionalMode(const QString &adapterId, const QString &upload,
                                                const QString &download, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("directionalmode")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    if (QString e = oneOf(tr("The upload mode"), upload, Directional); !e.isEmpty())
        return refuse(shown, e, done);
    if (QString e = oneOf(tr("The download mode"), download, Directional); !e.isEmpty())
        return refuse(shown, e, done);
    run(shown + QStringList {adapterId, upload, download}, done);
}

void SpeedifyAdapter::setAdapterEncryption(const QString &adapterId, bool on, EngineCallback done)
{
    const QStringList shown {QStringLiteral("adapter"), QStringLiteral("encryption")};
    if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
        return refuse(shown, e, done);
    run(shown + QStringList {adapterId, onOff(on)}, done);
}

void SpeedifyAdapter::editList(const QString &target, const QString &list, const QString &op, const QStringList &values,
                               EngineCallback done)
{
    const QStringList shown {target.left(40), list.left(40)};
    QString e = oneOf(tr("The rule set"), target, {QStringLiteral("streamingbypass"), QStringLiteral("streaming")});
    if (e.isEmpty())
        e = oneOf(tr("The list"), list,
                  {QStringLiteral("domains"), QStringLiteral("ipv4"), QStringLiteral("ipv6"), QStringLiteral("ports")});
    if (e.isEmpty())
        e = oneOf(tr("The operation"), op, {QStringLiteral("add"), QStringLiteral("rem"), QStringLiteral("set")});
    if (e.isEmpty() && values.isEmpty() && op != QLatin1String("set"))
        e = tr("Nothing to %1").arg(op);
    if (e.isEmpty() && values.size() > 500)
        e = tr("At most 500 entries at a time");
    for (const QString &v : values) {
        if (!e.isEmpty())
            break;
        if (list == QLatin1String("domains"))
            e = SpeedifyArgs::checkDomain(v);
        else if (list == QLatin1String("ipv4"))
            e = SpeedifyArgs::checkIpv4(v);
        else if (list == QLatin1String("ipv6"))
            e = SpeedifyArgs::checkIpv6(v);
        else
            e = SpeedifyArgs::checkPortRule(v);
    }
    if (!e.isEmpty())
        return refuse(shown, e, done);
    run(QStringList {target, list, op} + values, done);
}

void SpeedifyAdapter::setBypassService(const QString &service, bool on, EngineCallback done)
{
    const QStringList shown {QStringLiteral("streamingbypass"), QStringLiteral("service")};
    if (QString e = SpeedifyArgs::checkServiceName(service); !e.isEmpty())
        return refuse(shown, e, done);
    run(shown + QStringList {service, onOff(on)}, done);
}

void SpeedifyAdapter::speedTest(bool streaming, const QString &adapterId, EngineCallback done)
{
    const QString action = streaming ? QStringLiteral("streamtest") : QStringLiteral("speedtest");
    QStringList args {action};
    if (!adapterId.isEmpty()) {
        if (QString e = SpeedifyArgs::checkAdapterId(adapterId); !e.isEmpty())
            return refuse(args, e, done);
        args.append(adapterId);
    }
    run(
        args,
        [this, done](const EngineResult &r) {
            // A test that ran but could not measure is an error for the user too.
            if (r.ok && !m_lastTests.isEmpty() && m_lastTests.first().isError) {
                const QString message = tr("Speed test failed: %1").arg(m_lastTests.first().errorMessage);
                recordError(QStringLiteral("test-failed"), message, QStringLiteral("speedtest"));
                if (done)
                    done(EngineResult {false, QStringLiteral("test-failed"), message, r.data});
                return;
            }
            if (done)
                done(r);
        },
        true, m_options.speedTestTimeoutMs);
}

void SpeedifyAdapter::version(EngineCallback done)
{
    run({QStringLiteral("version")}, done);
}

} // namespace smoothwan

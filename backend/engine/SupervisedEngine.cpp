// SPDX-License-Identifier: GPL-3.0-or-later
#include "SupervisedEngine.h"

#include "Clock.h"
#include "Logging.h"

#include <QtCore/QJsonArray>

namespace smoothwan {

SupervisedEngine::SupervisedEngine(const Clock &clock, QObject *parent)
    : Engine(parent)
    , m_clock(clock)
{ }

SupervisedEngine::~SupervisedEngine() = default;

void SupervisedEngine::setSupervision(int initialBackoffMs, int maxBackoffMs, int stopTimeoutMs)
{
    m_initialBackoffMs = initialBackoffMs;
    m_maxBackoffMs = maxBackoffMs;
    m_stopTimeoutMs = stopTimeoutMs;
}

bool SupervisedEngine::isRunning() const
{
    return m_supervisor && m_supervisor->state() == ProcessSupervisor::State::Running;
}

void SupervisedEngine::setLastError(const QString &message)
{
    m_lastError = errorRecord(m_clock, message);
    Q_EMIT event(QStringLiteral("error"), message);
    Q_EMIT statusChanged();
}

void SupervisedEngine::start()
{
    if (m_started)
        return;
    m_started = true;
    m_configError.clear();
    const std::optional<ProcessSupervisor::Options> options = prepare(&m_configError);
    if (!options) {
        setLastError(m_configError);
        return;
    }
    ProcessSupervisor::Options o = *options;
    o.initialBackoffMs = m_initialBackoffMs;
    o.maxBackoffMs = m_maxBackoffMs;
    o.stopTimeoutMs = m_stopTimeoutMs;
    delete m_supervisor;
    m_supervisor = new ProcessSupervisor(m_clock, o, this);
    connect(m_supervisor, &ProcessSupervisor::stateChanged, this, [this](ProcessSupervisor::State s) {
        switch (s) {
        case ProcessSupervisor::State::Backoff:
            Q_EMIT event(QStringLiteral("warning"), m_supervisor->message());
            break;
        case ProcessSupervisor::State::CrashLoop:
        case ProcessSupervisor::State::NotInstalled:
            setLastError(m_supervisor->message());
            break;
        case ProcessSupervisor::State::Stopped:
            if (!m_started)
                QMetaObject::invokeMethod(this, &Engine::stopped, Qt::QueuedConnection);
            break;
        default:
            break;
        }
        onRunning(s == ProcessSupervisor::State::Running);
        Q_EMIT statusChanged();
    });
    connect(m_supervisor, &ProcessSupervisor::lineReceived, this, [this] { Q_EMIT statusChanged(); });
    m_supervisor->start();
    Q_EMIT statusChanged();
}

void SupervisedEngine::stop()
{
    m_started = false;
    if (m_supervisor && m_supervisor->processId() > 0 &&
        (m_supervisor->state() == ProcessSupervisor::State::Running ||
         m_supervisor->state() == ProcessSupervisor::State::Stopping)) {
        m_supervisor->stop(); // Stopped arrives through stateChanged
        return;
    }
    if (m_supervisor) {
        const QSignalBlocker blocker(m_supervisor); // not running: no Stopped to wait for
        m_supervisor->stop();
    }
    onRunning(false);
    Q_EMIT statusChanged();
    QMetaObject::invokeMethod(this, &Engine::stopped, Qt::QueuedConnection);
}

void SupervisedEngine::setWans(const QList<EngineWan> &wans)
{
    const bool same = EngineWan::sameSettings(wans, m_wans);
    m_wans = wans;
    if (same) // health and addresses: nothing the process reads
        return;
    // The process reads its settings at start: restart it with the new ones.
    if (m_started && m_supervisor) {
        m_started = false;
        delete m_supervisor;
        m_supervisor = nullptr;
        start();
    }
}

QJsonObject SupervisedEngine::status() const
{
    QString state = QStringLiteral("stopped");
    QString installHint;
    bool installed = true;
    QJsonArray log;
    if (!m_configError.isEmpty()) {
        state = QStringLiteral("error");
    } else if (m_supervisor) {
        state = ProcessSupervisor::stateName(m_supervisor->state());
        installed = m_supervisor->state() != ProcessSupervisor::State::NotInstalled;
        if (!installed)
            installHint = m_supervisor->options().installHint;
        for (const QString &line : m_supervisor->logTail(50))
            log.append(line);
    }
    QJsonObject out {
        {QStringLiteral("type"), type()},
        {QStringLiteral("state"), state},
        {QStringLiteral("installed"), installed},
        {QStringLiteral("installHint"), installHint},
        {QStringLiteral("message"), m_supervisor ? m_supervisor->message() : m_configError},
        {QStringLiteral("restarts"), m_supervisor ? m_supervisor->restartCount() : 0},
        {QStringLiteral("server"), QJsonValue(QJsonValue::Null)},
        {QStringLiteral("mode"), QJsonValue(QJsonValue::Null)},
        {QStringLiteral("adapters"), QJsonArray {}},
        {QStringLiteral("session"), QJsonObject {}},
        {QStringLiteral("tunnel"), tunnelInterface()},
        {QStringLiteral("tunnelUp"), isRunning()},
        {QStringLiteral("lastError"), m_lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_lastError)},
        {QStringLiteral("logTail"), log},
    };
    addStatus(out);
    return out;
}

} // namespace smoothwan

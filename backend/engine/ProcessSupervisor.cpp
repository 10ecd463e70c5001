// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcessSupervisor.h"

#include "Clock.h"
#include "Logging.h"

#include <QtCore/QFileInfo>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QStandardPaths>

#include <algorithm>

namespace smoothwan {

namespace {
constexpr int CrashLoopQuotedLines = 20;
}

ProcessSupervisor::ProcessSupervisor(const Clock &clock, Options options, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_options(std::move(options))
    , m_backoffMs(m_options.initialBackoffMs)
{
    m_restartTimer.setSingleShot(true);
    m_killTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, [this] {
        ++m_restarts;
        launch();
    });
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            qCWarning(lcEngine) << m_options.name << "did not stop within" << m_options.stopTimeoutMs
                                << "ms; killing it";
            m_process->kill();
        }
    });
}

ProcessSupervisor::~ProcessSupervisor()
{
    m_restartTimer.stop();
    m_killTimer.stop();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->terminate();
        if (!m_process->waitForFinished(m_options.stopTimeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(1000);
        }
    }
}

QString ProcessSupervisor::stateName(State state)
{
    switch (state) {
    case State::Stopped:
        return QStringLiteral("stopped");
    case State::Running:
        return QStringLiteral("running");
    case State::Backoff:
        return QStringLiteral("restarting");
    case State::CrashLoop:
        return QStringLiteral("crash-loop");
    case State::NotInstalled:
        return QStringLiteral("not-installed");
    case State::Stopping:
        return QStringLiteral("stopping");
    }
    return QStringLiteral("unknown");
}

QString ProcessSupervisor::findExecutable(const QString &program)
{
    if (program.isEmpty())
        return {};
    if (program.contains(QLatin1Char('/'))) {
        const QFileInfo info(program);
        return info.isFile() && info.isExecutable() ? info.absoluteFilePath() : QString();
    }
    return QStandardPaths::findExecutable(program);
}

QStringList ProcessSupervisor::logTail(int lines) const
{
    const int count = lines < 0 ? int(m_log.size()) : std::min(lines, int(m_log.size()));
    QStringList out;
    out.reserve(count);
    for (auto it = m_log.end() - count; it != m_log.end(); ++it)
        out.append(*it);
    return out;
}

qint64 ProcessSupervisor::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void ProcessSupervisor::start()
{
    m_restartAfterStop = false;
    if (m_state == State::Running)
        return;
    if (m_state == State::Stopping) {
        m_restartAfterStop = true;
        return;
    }
    m_restartTimer.stop();
    m_exitTimes.clear();
    m_backoffMs = m_options.initialBackoffMs;
    launch();
}

void ProcessSupervisor::stop()
{
    m_restartAfterStop = false;
    m_restartTimer.stop();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        if (m_state != State::Stopping) {
            setState(State::Stopping, tr("%1 is stopping").arg(m_options.name));
            m_process->terminate();
            m_killTimer.start(m_options.stopTimeoutMs);
        }
        return;
    }
    if (m_state != State::NotInstalled)
        setState(State::Stopped, tr("%1 is stopped").arg(m_options.name));
}

void ProcessSupervisor::restart()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        stop();
        m_restartAfterStop = true;
        return;
    }
    start();
}

void ProcessSupervisor::launch()
{
    const QString program = findExecutable(m_options.program);
    if (program.isEmpty()) {
        QString text = tr("%1 is not installed: %2 was not found").arg(m_options.name, m_options.program);
        if (!m_options.installHint.isEmpty())
            text += QStringLiteral(". ") + m_options.installHint;
        setState(State::NotInstalled, text);
        return;
    }
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
    }
    m_partial.clear();
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(m_options.arguments);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    if (!m_options.workingDirectory.isEmpty())
        m_process->setWorkingDirectory(m_options.workingDirectory);
    if (!m_options.extraEnvironment.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &entry : m_options.extraEnvironment) {
            const qsizetype eq = entry.indexOf(QLatin1Char('='));
            if (eq > 0)
                env.insert(entry.left(eq), entry.mid(eq + 1));
        }
        m_process->setProcessEnvironment(env);
    }
    connect(m_process, &QProcess::readyRead, this, &ProcessSupervisor::onReadyRead);
    connect(m_process, &QProcess::finished, this, &ProcessSupervisor::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &ProcessSupervisor::onErrorOccurred);
    m_startedAt = m_clock.monotonicMs();
    qCInfo(lcEngine) << "starting" << m_options.name << program << m_options.arguments;
    m_process->start(QIODevice::ReadOnly);
    if (m_process->state() != QProcess::NotRunning)
        setState(State::Running, tr("%1 is running").arg(m_options.name));
}

void ProcessSupervisor::setState(State state, const QString &message)
{
    const bool changed = state != m_state || message != m_message;
    m_state = state;
    m_message = message;
    if (!changed)
        return;
    if (state == State::CrashLoop || state == State::NotInstalled)
        qCWarning(lcEngine).noquote() << message;
    else
        qCDebug(lcEngine).noquote() << message;
    Q_EMIT stateChanged(state);
}

void ProcessSupervisor::onReadyRead()
{
    m_partial += m_process->readAll();
    for (;;) {
        const qsizetype nl = m_partial.indexOf('\n');
        if (nl < 0)
            break;
        QByteArray line = m_partial.left(nl);
        m_partial.remove(0, nl + 1);
        appendLine(std::move(line));
    }
    if (m_partial.size() > m_options.maxLineBytes) {
        appendLine(m_partial);
        m_partial.clear();
    }
}

void ProcessSupervisor::appendLine(QByteArray line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() > m_options.maxLineBytes)
        line.truncate(m_options.maxLineBytes);
    const QString text = QString::fromUtf8(line);
    m_log.push_back(text);
    while (int(m_log.size()) > m_options.logCapacity)
        m_log.pop_front();
    Q_EMIT lineReceived(text);
}

void ProcessSupervisor::onErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    // Found but not runnable (no permission, wrong architecture, broken interpreter).
    setState(State::NotInstalled,
             tr("%1 could not be started: %2").arg(m_options.name, m_process->errorString()) +
                 (m_options.installHint.isEmpty() ? QString() : QStringLiteral(". ") + m_options.installHint));
}

void ProcessSupervisor::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_partial.isEmpty()) {
        appendLine(m_partial);
        m_partial.clear();
    }
    m_killTimer.stop();
    const bool crashed = status == QProcess::CrashExit;
    Q_EMIT exited(exitCode, crashed);
    if (m_state == State::Stopping || m_state == State::Stopped) {
        setState(State::Stopped, tr("%1 is stopped").arg(m_options.name));
        if (m_restartAfterStop) {
            m_restartAfterStop = false;
            start();
        }
        return;
    }

    const std::int64_t now = m_clock.monotonicMs();
    if (now - m_startedAt >= m_options.stableMs)
        m_backoffMs = m_options.initialBackoffMs;
    m_exitTimes.append(now);
    m_exitTimes.removeIf([&](std::int64_t t) { return now - t > m_options.crashLoopWindowMs; });

    const QString how = crashed ? tr("crashed") : tr("exited with code %1").arg(exitCode);
    if (m_exitTimes.size() >= m_options.crashLoopExits) {
        const QStringList tail = logTail(CrashLoopQuotedLines);
        setState(State::CrashLoop, tr("%1 keeps crashing (%2 exits within %3 s, last: %4); not restarting until asked. "
                                      "Last %5 log lines:\n%6")
                                       .arg(m_options.name)
                                       .arg(m_exitTimes.size())
                                       .arg(m_options.crashLoopWindowMs / 1000)
                                       .arg(how)
                                       .arg(tail.size())
                                       .arg(tail.join(QLatin1Char('\n'))));
        return;
    }
    setState(State::Backoff,
             tr("%1 %2; restarting in %3 s").arg(m_options.name, how, QString::number(m_backoffMs / 1000.0, 'g', 3)));
    m_restartTimer.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, m_options.maxBackoffMs);
}

} // namespace smoothwan

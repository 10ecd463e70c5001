// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTimer>

#include <cstdint>
#include <deque>

namespace smoothwan {

class Clock;

// Contract: keeps one child process running. start() launches it (argv list, never a shell);
// when it exits on its own it is restarted after an exponential backoff (initial, doubling up to
// max; back to initial once a run lasted stableMs). crashLoopExits exits within crashLoopWindowMs
// stop the restarts: state CrashLoop with a message quoting the last output lines, until start()
// is called again. A program that does not exist or cannot be executed gives NotInstalled with
// the install hint. stop() sends SIGTERM, then SIGKILL after stopTimeoutMs, and ends in Stopped;
// the destructor does the same synchronously. Restart decisions read the injected Clock, so tests
// drive them with a ManualClock; only the waits themselves are QTimers.
class ProcessSupervisor : public QObject
{
    Q_OBJECT

public:
    enum class State { Stopped, Running, Backoff, CrashLoop, NotInstalled, Stopping };

    struct Options
    {
        QString name; // shown to users: "Speedify", "Engarde", ...
        QString program;
        QStringList arguments;
        QString installHint; // what to install when the program is missing
        QString workingDirectory;
        QStringList extraEnvironment; // "KEY=value" added to the inherited environment
        int initialBackoffMs = 1000;
        int maxBackoffMs = 60000;
        int stableMs = 60000;
        int crashLoopExits = 5;
        int crashLoopWindowMs = 120000;
        int stopTimeoutMs = 5000;
        int logCapacity = 200;
        int maxLineBytes = 2048;
    };

    ProcessSupervisor(const Clock &clock, Options options, QObject *parent = nullptr);
    ~ProcessSupervisor() override;

    void start();
    void stop();
    void restart();

    State state() const { return m_state; }
    static QString stateName(State state);
    QString message() const { return m_message; } // why the state is what it is, for users
    QStringList logTail(int lines = -1) const;
    int currentBackoffMs() const { return m_backoffMs; } // the wait before the next restart
    int restartCount() const { return m_restarts; }
    qint64 processId() const;
    const Options &options() const { return m_options; }

    // Resolves a program name or path to an executable file; empty if there is none.
    static QString findExecutable(const QString &program);

Q_SIGNALS:
    void stateChanged(smoothwan::ProcessSupervisor::State state);
    void lineReceived(const QString &line);
    void exited(int exitCode, bool crashed);

private:
    void launch();
    void setState(State state, const QString &message);
    void onReadyRead();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void appendLine(QByteArray line);

    const Clock &m_clock;
    Options m_options;
    QProcess *m_process = nullptr;
    QTimer m_restartTimer;
    QTimer m_killTimer;
    State m_state = State::Stopped;
    QString m_message;
    std::deque<QString> m_log;
    QByteArray m_partial;
    QList<std::int64_t> m_exitTimes;
    std::int64_t m_startedAt = 0;
    int m_backoffMs = 0;
    int m_restarts = 0;
    bool m_restartAfterStop = false;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SpeedifyTypes.h"

#include <QtCore/QJsonValue>
#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QQueue>
#include <QtCore/QTimer>

#include <functional>
#include <optional>

namespace smoothwan {

// A failed speedify_cli call, typed, with a message a user understands.
struct SpeedifyError
{
    enum class Kind {
        None,
        NotInstalled,     // no speedify_cli found
        Refused,          // our own validation: never reached argv
        DaemonError,      // exit code 1, JSON on stderr
        InvalidParameter, // exit code 2
        MissingParameter, // exit code 3
        UnknownParameter, // exit code 4: this Speedify version lacks the action
        Timeout,
        Crashed,
        BadOutput, // exit code 0 but not JSON
        Cancelled,
    };
    Kind kind = Kind::None;
    int exitCode = 0;
    std::optional<SpeedifyApiError> api;
    QString message;

    bool ok() const { return kind == Kind::None; }
    static QString kindName(Kind kind); // "daemon-error", "timeout", ... (stable, for the API)
};

struct SpeedifyReply
{
    QStringList arguments; // without "-s"; a login password is masked
    QList<QJsonValue> documents;
    SpeedifyError error;

    bool ok() const { return error.ok(); }
    QJsonValue last() const { return documents.isEmpty() ? QJsonValue() : documents.last(); }
};

// Contract: runs speedify_cli actions one at a time, in the order asked (a FIFO queue, so two
// setters never interleave), each with `-s`, as an argument list (never a shell) and a timeout.
// Every call completes exactly once through its callback, always from the event loop (never
// inside run()), with documents on success or a typed SpeedifyError. The CLI is looked up as the
// configured path, then $SPEEDIFY_CLI, then /usr/share/speedify/speedify_cli.
class SpeedifyCli : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const SpeedifyReply &)>;
    static constexpr int DefaultTimeoutMs = 30000;
    static const char *const DefaultPath;
    static const char *const InstallHint;

    explicit SpeedifyCli(const QString &configuredPath, QObject *parent = nullptr);
    ~SpeedifyCli() override;

    static QString locate(const QString &configuredPath);
    QString program() const { return m_program; } // empty when not installed
    bool isInstalled() const { return !m_program.isEmpty(); }
    void relocate(const QString &configuredPath);

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }

    // Queues `speedify_cli -s <args...>`; `done` runs when it has finished (or failed).
    void run(const QStringList &args, Callback done, int timeoutMs = 0);
    // A failure without running anything (validation), delivered like a real reply.
    void refuse(const QStringList &args, const QString &message, Callback done);
    int pendingCount() const { return int(m_queue.size()) + (m_current ? 1 : 0); }
    void cancelAll();

    static QString describe(const QStringList &args); // "connect us nova", password masked

private:
    struct Job
    {
        QStringList args;
        Callback done;
        int timeoutMs = 0;
        std::optional<SpeedifyError> preset;
    };

    void schedule();
    void startNext();
    void finishCurrent(int exitCode, QProcess::ExitStatus status);
    void complete(Job job, SpeedifyReply reply);

    QString m_configured;
    QString m_program;
    int m_timeoutMs = DefaultTimeoutMs;
    QQueue<Job> m_queue;
    std::optional<Job> m_current;
    QProcess *m_process = nullptr;
    QTimer m_timeout;
    bool m_timedOut = false;
    bool m_scheduled = false;
};

} // namespace smoothwan

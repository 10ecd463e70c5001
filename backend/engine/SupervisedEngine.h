// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Engine.h"
#include "ProcessSupervisor.h"

#include <optional>

namespace smoothwan {

class Clock;

// Contract: an engine that is one supervised process (Engarde, tinyfecVPN). start() asks the
// subclass for the program and its arguments (prepare(); a configuration it refuses gives state
// "error" with its message and starts nothing), then keeps the process up through a
// ProcessSupervisor (backoff, crash loop, not-installed, log tail). stop() ends the process
// (SIGTERM, then SIGKILL) and emits stopped(). status() = the common fields plus addStatus().
class SupervisedEngine : public Engine
{
    Q_OBJECT

public:
    SupervisedEngine(const Clock &clock, QObject *parent = nullptr);
    ~SupervisedEngine() override;

    void start() override;
    void stop() override;
    QJsonObject status() const override;
    void setWans(const QList<EngineWan> &wans) override;

    ProcessSupervisor *supervisor() const { return m_supervisor; }
    // For tests and slow machines: supervision timings of the next start().
    void setSupervision(int initialBackoffMs, int maxBackoffMs, int stopTimeoutMs);

protected:
    // The process to run, or nullopt with *error set when the settings cannot work.
    virtual std::optional<ProcessSupervisor::Options> prepare(QString *error) = 0;
    virtual void addStatus(QJsonObject &status) const = 0;
    virtual void onRunning(bool running) { Q_UNUSED(running); }
    const QList<EngineWan> &wans() const { return m_wans; }
    bool isRunning() const;
    void setLastError(const QString &message);

    const Clock &m_clock;

private:
    ProcessSupervisor *m_supervisor = nullptr;
    QList<EngineWan> m_wans;
    QJsonObject m_lastError;
    QString m_configError;
    bool m_started = false;
    int m_initialBackoffMs = 1000;
    int m_maxBackoffMs = 60000;
    int m_stopTimeoutMs = 5000;
};

} // namespace smoothwan

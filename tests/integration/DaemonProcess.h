// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>

#include <optional>

namespace smoothwan::test {

// The real smoothwand, run inside a network namespace (`ip netns exec NS smoothwand …`) with a
// configuration written to a temporary directory. Its log is read line by line with the time
// each line arrived, so tests can wait for an event and measure how long it took.
class DaemonProcess
{
public:
    struct Line
    {
        qint64 atMs = 0; // on elapsed()'s clock
        QByteArray text;
    };

    DaemonProcess();
    ~DaemonProcess();

    bool start(const QString &netns, const QByteArray &configYaml, const QStringList &extraArgs = {});
    void stop(); // SIGTERM, then wait; returns with the process gone
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }
    int exitCode() const { return m_process.exitCode(); }
    QString configPath() const { return m_dir.filePath(QStringLiteral("config.yaml")); }
    QString stateDir() const { return m_dir.filePath(QStringLiteral("state")); }

    // Milliseconds since this object was made: the clock of Line::atMs.
    qint64 elapsed() const { return m_clock.elapsed(); }
    // Waits for a line, at or after position `from` in lines(), that contains `needle`.
    std::optional<Line> waitFor(const QByteArray &needle, int timeoutMs, qsizetype from = 0);
    qsizetype lineCount() const { return m_lines.size(); }
    const QList<Line> &lines() const { return m_lines; }
    QByteArray log() const;

    static QString binary();

private:
    void readLines();

    QTemporaryDir m_dir;
    QProcess m_process;
    QElapsedTimer m_clock;
    QByteArray m_partial;
    QList<Line> m_lines;
};

} // namespace smoothwan::test

// SPDX-License-Identifier: GPL-3.0-or-later
#include "DaemonProcess.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtTest/QTest>

namespace smoothwan::test {

DaemonProcess::DaemonProcess()
{
    m_clock.start();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, &m_process, [this] { readLines(); });
}

DaemonProcess::~DaemonProcess()
{
    stop();
}

QString DaemonProcess::binary()
{
    return QStringLiteral(SMOOTHWAN_BINARY_DIR "/app/smoothwand/smoothwand");
}

bool DaemonProcess::start(const QString &netns, const QByteArray &configYaml, const QStringList &extraArgs)
{
    QFile config(configPath());
    if (!config.open(QIODevice::WriteOnly) || config.write(configYaml) != configYaml.size())
        return false;
    config.close();
    QStringList args {QStringLiteral("--config"), configPath(), QStringLiteral("--state-dir"), stateDir()};
    args += extraArgs;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_MESSAGE_PATTERN"), QStringLiteral("%{category}: %{message}"));
    m_process.setProcessEnvironment(env);
    if (netns.isEmpty())
        m_process.start(binary(), args);
    else
        m_process.start(QStringLiteral("ip"),
                        QStringList {QStringLiteral("netns"), QStringLiteral("exec"), netns, binary()} + args);
    return m_process.waitForStarted(5000);
}

void DaemonProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    readLines();
}

void DaemonProcess::readLines()
{
    m_partial += m_process.readAll();
    const qint64 now = m_clock.elapsed();
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        m_lines.append({now, m_partial.left(newline)});
        m_partial.remove(0, newline + 1);
    }
}

std::optional<DaemonProcess::Line> DaemonProcess::waitFor(const QByteArray &needle, int timeoutMs, qsizetype from)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (qsizetype i = from; i < m_lines.size(); ++i)
            if (m_lines.at(i).text.contains(needle))
                return m_lines.at(i);
        from = std::max(from, m_lines.size());
        if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
            return std::nullopt;
        m_process.waitForReadyRead(
            static_cast<int>(std::min<qint64>(20, std::max<qint64>(1, deadline.remainingTime()))));
        readLines();
    }
}

QByteArray DaemonProcess::log() const
{
    QByteArray out;
    for (const Line &l : m_lines)
        out += QByteArray::number(l.atMs) + " " + l.text + '\n';
    return out;
}

} // namespace smoothwan::test

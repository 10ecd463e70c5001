// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QObject>
#include <QtCore/QString>

class QTimer;

namespace smoothwan {

// sd_notify(3) for a Type=notify service: READY, RELOADING, STOPPING, STATUS, and WATCHDOG
// pings every half of WatchdogSec from the event loop (so a hung loop stops the pings and
// systemd restarts us). Does nothing when not started by systemd (no NOTIFY_SOCKET).
class SystemdNotifier : public QObject
{
    Q_OBJECT

public:
    explicit SystemdNotifier(QObject *parent = nullptr);

    bool underSystemd() const { return m_enabled; }
    void ready(const QString &status);
    void reloading();
    void stopping();
    void status(const QString &status);

private:
    void notify(const QByteArray &message);
    bool m_enabled = false;
    QTimer *m_watchdog = nullptr;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "SystemdNotifier.h"

#include <QtCore/QTimer>

#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace smoothwan {

SystemdNotifier::SystemdNotifier(QObject *parent)
    : QObject(parent)
    , m_enabled(std::getenv("NOTIFY_SOCKET") != nullptr)
{
    uint64_t usec = 0;
    if (m_enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        m_watchdog = new QTimer(this);
        m_watchdog->setInterval(static_cast<int>(usec / 2000)); // half the period, in ms
        connect(m_watchdog, &QTimer::timeout, this, [this] { notify("WATCHDOG=1"); });
        m_watchdog->start();
    }
}

void SystemdNotifier::notify(const QByteArray &message)
{
    if (m_enabled)
        sd_notify(0, message.constData());
}

void SystemdNotifier::ready(const QString &text)
{
    notify("READY=1\nSTATUS=" + text.toUtf8());
}

void SystemdNotifier::reloading()
{
    notify("RELOADING=1");
}

void SystemdNotifier::stopping()
{
    notify("STOPPING=1");
    if (m_watchdog)
        m_watchdog->stop();
}

void SystemdNotifier::status(const QString &text)
{
    notify("STATUS=" + text.toUtf8());
}

} // namespace smoothwan

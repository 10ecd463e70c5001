// SPDX-License-Identifier: GPL-3.0-or-later
#include "Command.h"

#include <QtCore/QMetaObject>
#include <QtCore/QPointer>

namespace smoothwan::client {

Command::Command(const QString &type, QObject *parent)
    : QObject(parent)
    , m_type(type)
{ }

void Command::succeed(const QVariant &result)
{
    if (!m_running)
        return;
    m_succeeded = true;
    m_result = result;
    done(false);
}

void Command::fail(const QString &code, const QString &message, bool queued)
{
    if (!m_running)
        return;
    m_succeeded = false;
    m_errorCode = code;
    m_errorMessage = message;
    done(queued);
}

void Command::done(bool queued)
{
    m_running = false;
    if (!queued) {
        Q_EMIT runningChanged();
        Q_EMIT finished();
        return;
    }
    QMetaObject::invokeMethod(
        this,
        [this] {
            Q_EMIT runningChanged();
            Q_EMIT finished();
        },
        Qt::QueuedConnection);
}

} // namespace smoothwan::client

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QObject>
#include <QtCore/QVariant>
#include <QtQml/qqmlregistration.h>

namespace smoothwan::client {

// One request sent by Backend.call(): its progress and outcome. Made by Backend only; owned by
// whoever holds it (JavaScript when called from QML).
class Command : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Commands are made by Backend.call()")
    Q_PROPERTY(QString type READ type CONSTANT)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(bool succeeded READ succeeded NOTIFY finished)
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY finished)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY finished)
    Q_PROPERTY(QVariant result READ result NOTIFY finished)

public:
    explicit Command(const QString &type, QObject *parent = nullptr);

    QString type() const { return m_type; }
    bool running() const { return m_running; }
    bool succeeded() const { return m_succeeded; }
    QString errorCode() const { return m_errorCode; }
    QString errorMessage() const { return m_errorMessage; }
    QVariant result() const { return m_result; }

    // Used by Backend. finish*() emits finished() once; `queued` defers the signals to the event
    // loop (a command that fails before it was sent still lets the caller connect first).
    void succeed(const QVariant &result);
    void fail(const QString &code, const QString &message, bool queued = false);

Q_SIGNALS:
    void runningChanged();
    void finished();

private:
    void done(bool queued);

    QString m_type;
    bool m_running = true;
    bool m_succeeded = false;
    QString m_errorCode;
    QString m_errorMessage;
    QVariant m_result;
};

} // namespace smoothwan::client

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QObject>

class QSocketNotifier;

namespace smoothwan {

// Delivers SIGTERM, SIGINT and SIGHUP to the Qt event loop (self-pipe: the handler only
// writes the signal number to a socket). One instance per process.
class UnixSignals : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminateRequested(int signal); // SIGTERM or SIGINT
    void reloadRequested();              // SIGHUP

private:
    void readPending();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace smoothwan

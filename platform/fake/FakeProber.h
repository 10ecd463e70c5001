// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Prober.h"

#include <QtCore/QHash>

namespace smoothwan {

// Scripted prober for tests and simulations: the answer for (interface, target) is set by the
// test; unscripted probes time out. Answers arrive from the event loop after `delayMs` (or the
// probe's timeout when unanswered), like real ones.
class FakeProber final : public Prober
{
    Q_OBJECT

public:
    using Prober::Prober;

    void probe(const ProbeRequest &request, std::function<void(const ProbeResult &)> done) override;

    // Makes `target` answer on `interface` after rttMs (answered) or never (not answered).
    void setAnswer(const QString &interface, const QHostAddress &target, bool answered, double rttMs = 10);
    // Sets every target of `interface` at once.
    void setInterfaceAnswers(const QString &interface, bool answered, double rttMs = 10);
    int probesSent() const { return m_sent; }
    const QList<ProbeRequest> &requests() const { return m_requests; }

private:
    struct Answer
    {
        bool answered = false;
        double rttMs = 10;
    };
    QHash<QString, Answer> m_answers;          // key: interface + '|' + target
    QHash<QString, Answer> m_interfaceAnswers; // key: interface
    QList<ProbeRequest> m_requests;
    int m_sent = 0;
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeProber.h"

#include <QtCore/QTimer>

namespace smoothwan {

namespace {
QString key(const QString &interface, const QHostAddress &target)
{
    return interface + u'|' + target.toString();
}
} // namespace

void FakeProber::probe(const ProbeRequest &request, std::function<void(const ProbeResult &)> done)
{
    ++m_sent;
    m_requests.append(request);
    Answer answer;
    if (const auto it = m_answers.constFind(key(request.interface, request.target)); it != m_answers.constEnd())
        answer = *it;
    else if (const auto it2 = m_interfaceAnswers.constFind(request.interface); it2 != m_interfaceAnswers.constEnd())
        answer = *it2;
    const bool answered = answer.answered && answer.rttMs < request.timeoutMs;
    const int delay = answered ? static_cast<int>(answer.rttMs) : request.timeoutMs;
    QTimer::singleShot(delay, this, [done = std::move(done), answered, answer] {
        ProbeResult r;
        r.answered = answered;
        r.rttMs = answered ? answer.rttMs : 0;
        r.error = answered ? QString() : QStringLiteral("timeout");
        done(r);
    });
}

void FakeProber::setAnswer(const QString &interface, const QHostAddress &target, bool answered, double rttMs)
{
    m_answers.insert(key(interface, target), {answered, rttMs});
}

void FakeProber::setInterfaceAnswers(const QString &interface, bool answered, double rttMs)
{
    m_interfaceAnswers.insert(interface, {answered, rttMs});
    for (auto it = m_answers.begin(); it != m_answers.end();) {
        if (it.key().startsWith(interface + u'|'))
            it = m_answers.erase(it);
        else
            ++it;
    }
}

} // namespace smoothwan

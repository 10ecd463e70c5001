// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

#include <functional>

namespace smoothwan {

struct ProbeRequest
{
    enum class Method { Icmp, Tcp, Dns };
    Method method = Method::Icmp;
    QString interface;   // the WAN's device: the probe is bound to it (SO_BINDTODEVICE)
    QHostAddress source; // the WAN's address: the probe is sourced from it (may be null)
    QHostAddress target;
    quint16 port = 0; // TCP: port to connect to; DNS: server port (53 when 0)
    QString dnsName;  // DNS: the name to query (an A record)
    int timeoutMs = 1000;
    quint32 mark = 0; // SO_MARK, 0 for none
};

struct ProbeResult
{
    bool answered = false;
    double rttMs = 0;
    QString error; // why it did not answer, for logs ("timeout", "network unreachable", …)
};

// Contract: probe() starts one probe and returns at once; `done` is called exactly once, from
// the event loop, with the result (at the latest after timeoutMs), never from inside probe()
// itself. A probe can only leave through request.interface: when that device has no route to
// the target, it fails rather than taking another path. Destroying the Prober cancels
// outstanding probes without calling their callbacks.
class Prober : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~Prober() override = default;

    virtual void probe(const ProbeRequest &request, std::function<void(const ProbeResult &)> done) = 0;
};

} // namespace smoothwan

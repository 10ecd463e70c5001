// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Prober.h"

#include <memory>
#include <vector>

namespace smoothwan {

// Probes with real sockets, each bound to its WAN's device (SO_BINDTODEVICE) and source
// address: ICMP echo over raw sockets (needs CAP_NET_RAW), TCP connect (a refused connection
// counts as an answer: the path works), DNS A query over UDP (any response with our id counts).
// Non-blocking, driven by the Qt event loop.
class LinuxProber final : public Prober
{
    Q_OBJECT

public:
    explicit LinuxProber(QObject *parent = nullptr);
    ~LinuxProber() override;

    void probe(const ProbeRequest &request, std::function<void(const ProbeResult &)> done) override;

    class Probe;

private:
    void finished(Probe *probe);
    std::vector<std::unique_ptr<Probe>> m_active;
};

} // namespace smoothwan

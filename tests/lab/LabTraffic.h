// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <netinet/in.h>

#include <functional>
#include <vector>

namespace smoothwan::lab {

// An IPv4 socket address from dotted-quad text and a port (0.0.0.0 when the text is not one).
sockaddr_in ipv4Endpoint(const char *address, quint16 port);

// One line to a unix stream socket (a relay's control socket), one line back; empty on failure or
// when nothing comes within timeoutMs.
QByteArray unixRequest(const QString &path, const QByteArray &line, int timeoutMs = 3000);

struct UdpStreamResult
{
    int sent = 0;
    int received = 0;
    std::vector<int> missing; // the numbers of the datagrams whose echo never came
    QString describe() const; // "sent 500 received 498 missing [150 151]"
};

// A numbered UDP stream from a socket in network namespace `ns` to an echo at address:port:
// `count` datagrams of `payloadBytes`, one every `intervalMs`, each carrying its number; the
// echoes are counted by number until 1.5 s after the last. `at(i)` runs on the calling thread,
// with its event loop turning, when datagram i is due (cut a WAN at i == 150, ...).
UdpStreamResult udpStream(const QString &ns, const QString &address, quint16 port, int count,
                          const std::function<void(int)> &at = {}, int payloadBytes = 64, int intervalMs = 10);

} // namespace smoothwan::lab

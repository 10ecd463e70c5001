// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabTraffic.h"

#include "Lab.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QStringList>
#include <QtCore/QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace smoothwan::lab {

sockaddr_in ipv4Endpoint(const char *address, quint16 port)
{
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

QByteArray unixRequest(const QString &path, const QByteArray &line, int timeoutMs)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray p = path.toLocal8Bit();
    if (fd < 0 || size_t(p.size()) >= sizeof address.sun_path) {
        if (fd >= 0)
            ::close(fd);
        return {};
    }
    std::memcpy(address.sun_path, p.constData(), size_t(p.size()));
    QByteArray reply;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) {
        const QByteArray out = line + '\n';
        if (::send(fd, out.constData(), size_t(out.size()), MSG_NOSIGNAL) == out.size()) {
            char buffer[8192];
            pollfd pfd {fd, POLLIN, 0};
            while (!reply.endsWith('\n') && ::poll(&pfd, 1, timeoutMs) > 0) {
                const ssize_t n = ::read(fd, buffer, sizeof buffer);
                if (n <= 0)
                    break;
                reply.append(buffer, n);
            }
        }
    }
    ::close(fd);
    return reply.trimmed();
}

QString UdpStreamResult::describe() const
{
    QStringList numbers;
    for (int i : missing)
        numbers << QString::number(i);
    return QStringLiteral("sent %1 received %2 missing [%3]").arg(sent).arg(received).arg(numbers.join(u' '));
}

UdpStreamResult udpStream(const QString &ns, const QString &address, quint16 port, int count,
                          const std::function<void(int)> &at, int payloadBytes, int intervalMs)
{
    UdpStreamResult result;
    std::vector<std::atomic<bool>> seen(static_cast<std::size_t>(count));
    std::atomic<int> next {0};
    std::atomic<bool> failed {false};
    std::atomic<bool> finished {false};
    std::thread worker([&] {
        ThreadInNamespace in(ns);
        const int fd = in.ok() ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
        const sockaddr_in to = ipv4Endpoint(address.toLatin1().constData(), port);
        if (fd < 0 || to.sin_addr.s_addr == 0) {
            failed = true;
            next = count;
            finished = true;
            if (fd >= 0)
                ::close(fd);
            return;
        }
        std::atomic<bool> stop {false};
        std::thread receiver([&] {
            char buffer[2048];
            while (!stop) {
                pollfd p {fd, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0)
                    continue;
                const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
                if (n >= 4) {
                    quint32 v;
                    std::memcpy(&v, buffer, sizeof v);
                    v = ntohl(v);
                    if (v < quint32(count))
                        seen[v] = true;
                }
            }
        });
        std::vector<char> payload(std::max(payloadBytes, 4));
        for (int i = 0; i < count; ++i) {
            const quint32 n = htonl(quint32(i));
            std::memcpy(payload.data(), &n, sizeof n);
            ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr *>(&to), sizeof to);
            next = i + 1;
            std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // the last echoes
        stop = true;
        receiver.join();
        ::close(fd);
        finished = true;
    });
    int done = 0;
    while (done < count) {
        const int due = next;
        for (; done < due; ++done)
            if (at && !failed)
                at(done);
        QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
        QThread::msleep(2);
    }
    while (!finished) { // the last echoes: the caller's event loop keeps turning
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(20);
    }
    worker.join();
    if (failed)
        return result; // sent 0: the caller's check fails and says so
    result.sent = count;
    for (int i = 0; i < count; ++i) {
        if (seen[std::size_t(i)])
            ++result.received;
        else
            result.missing.push_back(i);
    }
    return result;
}

} // namespace smoothwan::lab

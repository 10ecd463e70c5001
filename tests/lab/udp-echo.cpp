// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-udp-echo: the lab's UDP echo server, and a client that counts the echoes.
//   smoothwan-udp-echo server [--port P] [--dns]
//   smoothwan-udp-echo client HOST PORT [--count N] [--timeout-ms T]
// With --dns the server answers every DNS query (>= 12 bytes) as a DNS server that refuses it:
// the query comes back with QR set and RCODE 5. That is all a DNS liveness probe needs.
// The client sends N numbered datagrams one after the other, waits up to T ms for each echo, prints
// "sent N received M" and exits 0 only when every datagram came back.
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int usage()
{
    std::fprintf(stderr, "usage: smoothwan-udp-echo server [--port P] [--dns]\n"
                         "       smoothwan-udp-echo client HOST PORT [--count N] [--timeout-ms T]\n");
    return 2;
}

bool parseNumber(const char *text, long min, long max, long *out)
{
    char *end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return false;
    *out = value;
    return true;
}

// Replies leave from the address the request was sent to (IP_PKTINFO): the internet namespace holds
// several addresses, and a reply from another one would not match the router's NAT entry.
int server(long port, bool dns)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        std::fprintf(stderr, "smoothwan-udp-echo: cannot bind UDP port %ld: %s\n", port, std::strerror(errno));
        return 1;
    }
    std::printf("listening on udp port %ld\n", port);
    std::fflush(stdout);
    char buffer[65536];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    for (;;) {
        sockaddr_in peer {};
        iovec data {buffer, sizeof buffer};
        msghdr message {};
        message.msg_name = &peer;
        message.msg_namelen = sizeof peer;
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd, &message, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            std::fprintf(stderr, "smoothwan-udp-echo: %s\n", std::strerror(errno));
            return 1;
        }
        for (cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                auto *info = reinterpret_cast<in_pktinfo *>(CMSG_DATA(c));
                info->ipi_spec_dst = info->ipi_addr; // answer from the address that was asked
                info->ipi_ifindex = 0;
            }
        }
        data.iov_len = size_t(n);
        if (dns) {
            if (n < 12)
                continue;
            buffer[2] = char(buffer[2] | 0x80);          // QR: a response
            buffer[3] = char((buffer[3] & 0xf0) | 0x05); // RCODE 5: refused
        }
        ::sendmsg(fd, &message, 0);
    }
}

int client(const char *host, long port, long count, long timeoutMs)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host, &address.sin_addr) != 1)
        return usage();
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        std::fprintf(stderr, "smoothwan-udp-echo: cannot reach %s:%ld: %s\n", host, port, std::strerror(errno));
        return 1;
    }
    long received = 0;
    for (long i = 0; i < count; ++i) {
        const std::string payload = "smoothwan-udp-echo " + std::to_string(i);
        if (::send(fd, payload.data(), payload.size(), 0) < 0)
            continue; // e.g. ICMP unreachable reported on the connected socket: counts as lost
        pollfd p {fd, POLLIN, 0};
        char buffer[256];
        while (::poll(&p, 1, int(timeoutMs)) > 0) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n == ssize_t(payload.size()) && std::memcmp(buffer, payload.data(), payload.size()) == 0) {
                ++received;
                break;
            }
            if (n < 0 && errno != EINTR)
                break;
        }
    }
    std::printf("sent %ld received %ld\n", count, received);
    return received == count ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc < 2)
        return usage();
    const std::string mode = argv[1];
    if (mode == "server") {
        long port = 7;
        bool dns = false;
        for (int i = 2; i < argc; ++i) {
            if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc && parseNumber(argv[i + 1], 1, 65535, &port))
                ++i;
            else if (std::strcmp(argv[i], "--dns") == 0)
                dns = true;
            else
                return usage();
        }
        return server(port, dns);
    }
    if (mode == "client" && argc >= 4) {
        long port = 0;
        long count = 10;
        long timeoutMs = 1000;
        if (!parseNumber(argv[3], 1, 65535, &port))
            return usage();
        for (int i = 4; i < argc; i += 2) {
            if (i + 1 >= argc)
                return usage();
            if (std::strcmp(argv[i], "--count") == 0 && parseNumber(argv[i + 1], 1, 1000000, &count))
                continue;
            if (std::strcmp(argv[i], "--timeout-ms") == 0 && parseNumber(argv[i + 1], 1, 60000, &timeoutMs))
                continue;
            return usage();
        }
        return client(argv[2], port, count, timeoutMs);
    }
    return usage();
}

// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-relay: carries WireGuard's UDP datagrams over every WAN (duplicate) or the best one
// (best). See docs/relay.md. One thread, epoll, non-blocking sockets, recvmmsg/sendmmsg batches
// into buffers allocated once at start; the packet path allocates nothing.
#include "Frame.h"
#include "Options.h"
#include "Session.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

using namespace smoothwan::relay;

namespace {

void logLine(int priority, const char *format, ...) __attribute__((format(printf, 2, 3)));
void logLine(int priority, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    std::fprintf(stderr, "<%d>smoothwan-relay: %s\n", priority, text);
}
constexpr int Err = 3, Warning = 4, Info = 6;

std::uint64_t nowUs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000 + std::uint64_t(ts.tv_nsec) / 1000;
}

// Outgoing datagrams of one socket, sent with one sendmmsg per batch.
struct TxBatch
{
    static constexpr int Size = 64;
    int fd = -1;
    int count = 0;
    std::uint64_t errors = 0;
    std::array<std::array<std::uint8_t, MaxFrame>, Size> buffers {};
    std::array<mmsghdr, Size> messages {};
    std::array<iovec, Size> iovs {};
    std::array<sockaddr_in, Size> addresses {};
    struct alignas(cmsghdr) Control
    {
        char bytes[CMSG_SPACE(sizeof(in_pktinfo))];
    };
    std::array<Control, Size> controls {};

    // `from`: the local address to send from (IP_PKTINFO), for a socket bound to a wildcard
    // address; INADDR_ANY lets the kernel choose.
    void push(std::span<const std::uint8_t> data, const sockaddr_in &to, in_addr from = {})
    {
        if (fd < 0 || data.size() > MaxFrame)
            return;
        if (count == Size)
            flush();
        std::memcpy(buffers[count].data(), data.data(), data.size());
        addresses[count] = to;
        iovs[count] = iovec {buffers[count].data(), data.size()};
        messages[count] = mmsghdr {};
        messages[count].msg_hdr.msg_name = &addresses[count];
        messages[count].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        messages[count].msg_hdr.msg_iov = &iovs[count];
        messages[count].msg_hdr.msg_iovlen = 1;
        if (from.s_addr != htonl(INADDR_ANY)) {
            msghdr &header = messages[count].msg_hdr;
            header.msg_control = controls[count].bytes;
            header.msg_controllen = sizeof controls[count].bytes;
            cmsghdr *cmsg = CMSG_FIRSTHDR(&header);
            cmsg->cmsg_level = IPPROTO_IP;
            cmsg->cmsg_type = IP_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo info {};
            info.ipi_spec_dst = from;
            std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
        }
        ++count;
    }
    void flush()
    {
        int done = 0;
        while (done < count) {
            const int n = ::sendmmsg(fd, messages.data() + done, unsigned(count - done), MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                ++errors; // link down, no route, buffer full: this copy is lost, others may not be
                ++done;   // skip the datagram that failed and try the rest
                continue;
            }
            done += n;
        }
        count = 0;
    }
};

// Incoming datagrams of one socket, read with recvmmsg.
struct RxBatch
{
    static constexpr int Size = 32;
    static constexpr std::size_t BufferSize = 2048; // above MaxFrame: oversized input is seen as junk
    std::array<std::array<std::uint8_t, BufferSize>, Size> buffers {};
    std::array<mmsghdr, Size> messages {};
    std::array<iovec, Size> iovs {};
    std::array<sockaddr_in, Size> addresses {};
    struct alignas(cmsghdr) Control
    {
        char bytes[CMSG_SPACE(sizeof(in_pktinfo))];
    };
    std::array<Control, Size> controls {};

    int receive(int fd)
    {
        for (int i = 0; i < Size; ++i) {
            iovs[i] = iovec {buffers[i].data(), BufferSize};
            messages[i] = mmsghdr {};
            messages[i].msg_hdr.msg_name = &addresses[i];
            messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
            messages[i].msg_hdr.msg_iov = &iovs[i];
            messages[i].msg_hdr.msg_iovlen = 1;
            messages[i].msg_hdr.msg_control = controls[i].bytes;
            messages[i].msg_hdr.msg_controllen = sizeof controls[i].bytes;
        }
        return ::recvmmsg(fd, messages.data(), Size, MSG_DONTWAIT, nullptr);
    }
    // The address the datagram was sent to (IP_PKTINFO), INADDR_ANY when unknown.
    in_addr localAddress(int i)
    {
        for (cmsghdr *cmsg = CMSG_FIRSTHDR(&messages[i].msg_hdr); cmsg;
             cmsg = CMSG_NXTHDR(&messages[i].msg_hdr, cmsg)) {
            if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO) {
                in_pktinfo info {};
                std::memcpy(&info, CMSG_DATA(cmsg), sizeof info);
                return info.ipi_addr;
            }
        }
        return in_addr {htonl(INADDR_ANY)};
    }
    std::span<const std::uint8_t> data(int i) const
    {
        const std::size_t size = messages[i].msg_hdr.msg_flags & MSG_TRUNC ? BufferSize : messages[i].msg_len;
        return {buffers[i].data(), std::min<std::size_t>(size, BufferSize)};
    }
};

enum Tag : std::uint32_t { TagSignal = 1, TagTimer, TagControl, TagControlClient, TagLocal, TagPath, TagListen };
constexpr std::uint32_t tag(Tag kind, std::uint32_t index = 0)
{
    return std::uint32_t(kind) << 16 | index;
}

struct ControlClient
{
    int fd = -1;
    std::string input;
};

bool sameAddress(const sockaddr_in &a, const sockaddr_in &b)
{
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

void bigBuffers(int fd)
{
    const int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

// Frames are up to 52 bytes larger than what WireGuard hands us: let the kernel fragment a frame
// that does not fit the WAN's MTU rather than refuse it (docs/relay.md: better, lower WireGuard's
// MTU by 52).
void allowFragments(int fd)
{
    const int dont = IP_PMTUDISC_DONT;
    ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont);
}

class Relay final : public FrameSink
{
public:
    Relay(const Options &options, const Key &key, std::uint32_t sessionId)
        : m_options(options)
        , m_session(options.server ? Role::Server : Role::Client, key, sessionId)
    {
        m_session.setMode(options.best ? Mode::Best : Mode::Duplicate);
    }
    ~Relay() override
    {
        for (auto &path : m_paths) {
            if (path.fd >= 0)
                ::close(path.fd);
        }
        for (auto &client : m_controlClients) {
            if (client.fd >= 0)
                ::close(client.fd);
        }
        for (int fd : {m_epoll, m_signal, m_timer, m_control, m_local})
            if (fd >= 0)
                ::close(fd);
        if (m_control >= 0)
            ::unlink(m_options.control.c_str());
    }

    // 0 on success, else an exit code.
    int start()
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        ::sigprocmask(SIG_BLOCK, &mask, nullptr);
        std::signal(SIGPIPE, SIG_IGN);
        m_signal = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        m_timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        itimerspec period {};
        period.it_interval.tv_nsec = 10'000'000;
        period.it_value.tv_nsec = 10'000'000;
        if (m_epoll < 0 || m_signal < 0 || m_timer < 0 || ::timerfd_settime(m_timer, 0, &period, nullptr) != 0) {
            logLine(Err, "cannot set up epoll, signals or timer: %s", std::strerror(errno));
            return 1;
        }
        watch(m_signal, tag(TagSignal));
        watch(m_timer, tag(TagTimer));

        // The local socket: WireGuard's endpoint (client) or our end towards WireGuard (server).
        m_local = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in bindTo = m_options.server ? m_options.listen : m_options.local;
        if (m_local < 0 || ::bind(m_local, reinterpret_cast<sockaddr *>(&bindTo), sizeof bindTo) != 0) {
            logLine(Err, "cannot bind %s: %s", formatEndpoint(bindTo).c_str(), std::strerror(errno));
            return 1;
        }
        bigBuffers(m_local);
        m_localTx->fd = m_local;
        if (m_options.server) {
            // The listening socket carries frames; a second one talks to WireGuard.
            m_listen = m_local;
            m_listenTx = std::move(m_localTx);
            m_localTx = std::make_unique<TxBatch>();
            m_local = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            sockaddr_in any {};
            any.sin_family = AF_INET;
            any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (m_local < 0 || ::bind(m_local, reinterpret_cast<sockaddr *>(&any), sizeof any) != 0) {
                logLine(Err, "cannot open the forward socket: %s", std::strerror(errno));
                return 1;
            }
            bigBuffers(m_local);
            m_localTx->fd = m_local;
            m_wgPeer = m_options.forward;
            m_haveWgPeer = true;
            const int on = 1;
            ::setsockopt(m_listen, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
            allowFragments(m_listen);
            watch(m_listen, tag(TagListen));
        }
        watch(m_local, tag(TagLocal));
        for (const PathSpec &path : m_options.paths) {
            std::string why;
            if (!addPath(path, why)) {
                logLine(Err, "path %u: %s", unsigned(path.id), why.c_str());
                return 1;
            }
        }
        if (!m_options.control.empty() && !openControl())
            return 1;
        logLine(Info, "%s started (%s mode, session %08x)", m_options.server ? "server" : "client",
                m_options.best ? "best" : "duplicate", m_session.sessionId());
        return 0;
    }

    int run()
    {
        std::array<epoll_event, 32> events {};
        while (!m_stop) {
            const int n = ::epoll_wait(m_epoll, events.data(), int(events.size()), -1);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                logLine(Err, "epoll_wait: %s", std::strerror(errno));
                return 1;
            }
            for (int i = 0; i < n; ++i)
                dispatch(events[i].data.u32);
            flushAll();
        }
        logLine(Info, "stopping");
        return 0;
    }

    void sendFrame(std::uint8_t pathId, std::span<const std::uint8_t> frame) override
    {
        if (m_options.server) {
            if (m_peerKnown[pathId])
                m_listenTx->push(frame, m_peers[pathId], m_peerLocal[pathId]);
        } else if (m_paths[pathId].fd >= 0) {
            m_paths[pathId].tx->push(frame, m_options.remote);
        }
    }
    void deliver(std::span<const std::uint8_t> payload) override
    {
        if (m_haveWgPeer)
            m_localTx->push(payload, m_wgPeer);
    }
    void authenticated(std::uint8_t pathId) override
    {
        if (m_options.server && m_currentSource) {
            m_peers[pathId] = *m_currentSource;
            m_peerLocal[pathId] = m_currentLocal; // answer from the address the client sent to
            m_peerKnown[pathId] = true;
        }
    }

private:
    struct PathSocket
    {
        int fd = -1;
        PathSpec spec;
        std::unique_ptr<TxBatch> tx;
        std::uint64_t junkSource = 0;
    };

    void watch(int fd, std::uint32_t data)
    {
        epoll_event event {};
        event.events = EPOLLIN;
        event.data.u32 = data;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    }

    bool addPath(const PathSpec &spec, std::string &why)
    {
        if (m_options.server) {
            why = "the server learns its paths from the client";
            return false;
        }
        if (m_session.hasPath(spec.id)) {
            why = "path id in use";
            return false;
        }
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in source {};
        source.sin_family = AF_INET;
        source.sin_addr = spec.source;
        if (fd < 0 ||
            ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, spec.device.c_str(), socklen_t(spec.device.size())) != 0 ||
            ::bind(fd, reinterpret_cast<sockaddr *>(&source), sizeof source) != 0) {
            why = "cannot bind to " + spec.device + " " + formatEndpoint(source) + ": " + std::strerror(errno);
            if (fd >= 0)
                ::close(fd);
            return false;
        }
        bigBuffers(fd);
        allowFragments(fd);
        PathSocket &path = m_paths[spec.id];
        path.fd = fd;
        path.spec = spec;
        if (!path.tx)
            path.tx = std::make_unique<TxBatch>();
        path.tx->fd = fd;
        path.tx->count = 0;
        m_session.addPath(spec.id);
        watch(fd, tag(TagPath, spec.id));
        logLine(Info, "path %u added: %s from %s", unsigned(spec.id), spec.device.c_str(),
                formatEndpoint(source).c_str());
        return true;
    }

    bool removePath(std::uint8_t id)
    {
        if (m_options.server || !m_session.hasPath(id))
            return false;
        PathSocket &path = m_paths[id];
        path.tx->flush();
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, path.fd, nullptr);
        ::close(path.fd);
        path.fd = -1;
        path.tx->fd = -1;
        m_session.removePath(id);
        logLine(Info, "path %u removed", unsigned(id));
        return true;
    }

    void dispatch(std::uint32_t data)
    {
        const std::uint32_t kind = data >> 16, index = data & 0xffff;
        switch (kind) {
        case TagSignal: {
            signalfd_siginfo info {};
            while (::read(m_signal, &info, sizeof info) == ssize_t(sizeof info))
                m_stop = true;
            break;
        }
        case TagTimer: {
            std::uint64_t expirations = 0;
            (void)!::read(m_timer, &expirations, sizeof expirations);
            m_session.tick(nowUs(), *this);
            break;
        }
        case TagControl:
            acceptControl();
            break;
        case TagControlClient:
            readControl(index);
            break;
        case TagLocal:
            readLocal();
            break;
        case TagPath:
            if (index >= 1 && index <= unsigned(MaxPaths) && m_paths[index].fd >= 0)
                readFrames(m_paths[index].fd, std::uint8_t(index));
            break;
        case TagListen:
            readFrames(m_listen, 0);
            break;
        default:
            break;
        }
    }

    void readLocal()
    {
        for (int round = 0; round < 8; ++round) {
            const int n = m_rx->receive(m_local);
            if (n <= 0)
                return;
            const std::uint64_t now = nowUs();
            for (int i = 0; i < n; ++i) {
                const sockaddr_in &from = m_rx->addresses[i];
                if (m_options.server) {
                    if (!sameAddress(from, m_options.forward))
                        continue; // only WireGuard may send through us
                } else {
                    // WireGuard's socket: the newest sender is where answers go.
                    m_wgPeer = from;
                    m_haveWgPeer = true;
                }
                m_session.sendPayload(m_rx->data(i), now, *this);
            }
            flushAll();
        }
    }

    void readFrames(int fd, std::uint8_t pathId)
    {
        for (int round = 0; round < 8; ++round) {
            const int n = m_rx->receive(fd);
            if (n <= 0)
                return;
            const std::uint64_t now = nowUs();
            for (int i = 0; i < n; ++i) {
                if (!m_options.server && !sameAddress(m_rx->addresses[i], m_options.remote)) {
                    ++m_paths[pathId].junkSource; // not from our server: never parsed
                    continue;
                }
                m_currentSource = &m_rx->addresses[i];
                if (m_options.server)
                    m_currentLocal = m_rx->localAddress(i);
                m_session.receive(m_rx->data(i), pathId, now, *this);
                m_currentSource = nullptr;
            }
            flushAll();
        }
    }

    void flushAll()
    {
        if (m_localTx && m_localTx->count)
            m_localTx->flush();
        if (m_listenTx && m_listenTx->count)
            m_listenTx->flush();
        for (auto &path : m_paths) {
            if (path.tx && path.tx->count)
                path.tx->flush();
        }
    }

    // --- control socket -------------------------------------------------------------------
    bool openControl()
    {
        m_control = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, m_options.control.c_str(), m_options.control.size());
        ::unlink(m_options.control.c_str());
        const mode_t old = ::umask(0077); // only the owner (the daemon, root) may steer the relay
        const bool ok = m_control >= 0 &&
                        ::bind(m_control, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
                        ::listen(m_control, 4) == 0;
        ::umask(old);
        if (!ok) {
            logLine(Err, "cannot listen on %s: %s", m_options.control.c_str(), std::strerror(errno));
            return false;
        }
        watch(m_control, tag(TagControl));
        return true;
    }

    void acceptControl()
    {
        const int fd = ::accept4(m_control, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        for (std::size_t i = 0; i < m_controlClients.size(); ++i) {
            if (m_controlClients[i].fd < 0) {
                m_controlClients[i].fd = fd;
                m_controlClients[i].input.clear();
                watch(fd, tag(TagControlClient, std::uint32_t(i)));
                return;
            }
        }
        ::close(fd); // too many control clients
    }

    void closeControl(ControlClient &client)
    {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, client.fd, nullptr);
        ::close(client.fd);
        client.fd = -1;
    }

    void readControl(std::uint32_t index)
    {
        if (index >= m_controlClients.size() || m_controlClients[index].fd < 0)
            return;
        ControlClient &client = m_controlClients[index];
        char buffer[1024];
        const ssize_t n = ::read(client.fd, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            closeControl(client);
            return;
        }
        if (n < 0)
            return;
        client.input.append(buffer, std::size_t(n));
        std::size_t newline;
        while (client.fd >= 0 && (newline = client.input.find('\n')) != std::string::npos) {
            const std::string line = client.input.substr(0, newline);
            client.input.erase(0, newline + 1);
            const std::string reply = command(line) + '\n';
            if (::send(client.fd, reply.data(), reply.size(), MSG_NOSIGNAL) != ssize_t(reply.size()))
                closeControl(client);
        }
        if (client.fd >= 0 && client.input.size() > 4096)
            closeControl(client); // no command is that long
    }

    std::string command(const std::string &line)
    {
        std::vector<std::string> words;
        std::size_t pos = 0;
        while (pos < line.size()) {
            const std::size_t end = line.find_first_of(" \t\r", pos);
            const std::string word = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            if (!word.empty())
                words.push_back(word);
            if (end == std::string::npos)
                break;
            pos = end + 1;
        }
        if (words.empty())
            return "error empty command";
        if (words[0] == "stats" && words.size() == 1)
            return stats();
        if (words[0] == "mode" && words.size() == 2 && (words[1] == "duplicate" || words[1] == "best")) {
            m_session.setMode(words[1] == "best" ? Mode::Best : Mode::Duplicate);
            logLine(Info, "mode %s", words[1].c_str());
            return "ok";
        }
        if (words[0] == "path" && words.size() >= 3) {
            const auto id = parsePathId(words[2]);
            if (!id)
                return "error path id must be 1..16";
            if (words[1] == "add" && words.size() == 5) {
                if (!isValidInterfaceName(words[3]))
                    return "error invalid interface name";
                const auto source = parseIpv4(words[4]);
                if (!source)
                    return "error invalid source address";
                std::string why;
                return addPath(PathSpec {*id, words[3], *source}, why) ? "ok" : "error " + why;
            }
            if (words[1] == "del" && words.size() == 3)
                return removePath(*id) ? "ok" : "error no such path";
            if ((words[1] == "up" || words[1] == "down") && words.size() == 3)
                return m_session.setAdminUp(*id, words[1] == "up") ? "ok" : "error no such path";
        }
        return "error unknown command (path add ID DEV SRCADDR | path del ID | path up|down ID | mode "
               "duplicate|best | stats)";
    }

    std::string stats() const
    {
        const std::uint64_t now = nowUs();
        const Counters &c = m_session.counters();
        char head[768];
        std::snprintf(head, sizeof head,
                      "{\"role\":\"%s\",\"mode\":\"%s\",\"session\":\"%08x\",\"active_path\":%u,\"switches\":%llu,"
                      "\"sent\":%llu,\"delivered\":%llu,\"dropped_junk\":%llu,\"dropped_forged\":%llu,"
                      "\"dropped_replay\":%llu,\"dropped_dup\":%llu,\"dropped_old\":%llu,\"dropped_oversize\":%llu,"
                      "\"paths\":[",
                      m_options.server ? "server" : "client", m_session.mode() == Mode::Best ? "best" : "duplicate",
                      m_session.sessionId(), unsigned(m_session.mode() == Mode::Best ? m_session.activePath() : 0),
                      (unsigned long long)c.switches, (unsigned long long)c.sent, (unsigned long long)c.delivered,
                      (unsigned long long)c.droppedJunk, (unsigned long long)c.droppedForged,
                      (unsigned long long)c.droppedReplay, (unsigned long long)c.droppedDup,
                      (unsigned long long)c.droppedOld, (unsigned long long)c.droppedOversize);
        std::string out = head;
        bool first = true;
        for (std::uint8_t id = 1; id <= MaxPaths; ++id) {
            if (!m_session.hasPath(id))
                continue;
            const PathStats s = m_session.pathStats(id, now);
            std::string where;
            if (m_options.server)
                where = m_peerKnown[id] ? "\"peer\":\"" + formatEndpoint(m_peers[id]) + "\"" : "\"peer\":null";
            else
                where = "\"dev\":\"" + m_paths[id].spec.device + "\"";
            char line[640];
            std::snprintf(line, sizeof line,
                          "%s{\"id\":%u,%s,\"up\":%s,\"answering\":%s,\"rtt_us\":%lld,\"jitter_us\":%lld,"
                          "\"loss_ppm\":%u,\"probe_loss_ppm\":%u,\"tx_packets\":%llu,\"tx_bytes\":%llu,"
                          "\"rx_packets\":%llu,\"rx_bytes\":%llu,\"tx_errors\":%llu,\"rx_foreign\":%llu}",
                          first ? "" : ",", unsigned(id), where.c_str(), s.adminUp ? "true" : "false",
                          s.answering ? "true" : "false", (long long)s.rttUs, (long long)s.jitterUs, s.lossPpm,
                          s.probeLossPpm, (unsigned long long)s.txPackets, (unsigned long long)s.txBytes,
                          (unsigned long long)s.rxPackets, (unsigned long long)s.rxBytes,
                          (unsigned long long)(m_paths[id].tx ? m_paths[id].tx->errors : 0),
                          (unsigned long long)m_paths[id].junkSource);
            out += line;
            first = false;
        }
        return out + "]}";
    }

    Options m_options;
    Session m_session;
    int m_epoll = -1, m_signal = -1, m_timer = -1, m_control = -1, m_local = -1, m_listen = -1;
    bool m_stop = false;
    sockaddr_in m_wgPeer {};
    bool m_haveWgPeer = false;
    const sockaddr_in *m_currentSource = nullptr;
    in_addr m_currentLocal {};
    std::array<in_addr, MaxPaths + 1> m_peerLocal {};
    std::array<sockaddr_in, MaxPaths + 1> m_peers {};
    std::array<bool, MaxPaths + 1> m_peerKnown {};
    std::array<PathSocket, MaxPaths + 1> m_paths {};
    std::array<ControlClient, 8> m_controlClients {};
    std::unique_ptr<TxBatch> m_localTx = std::make_unique<TxBatch>();
    std::unique_ptr<TxBatch> m_listenTx;
    std::unique_ptr<RxBatch> m_rx = std::make_unique<RxBatch>();
};

bool readKey(const std::string &file, Key &key)
{
    FILE *f = std::fopen(file.c_str(), "re");
    if (!f) {
        logLine(Err, "cannot read the key file %s: %s", file.c_str(), std::strerror(errno));
        return false;
    }
    struct stat info
    {
    };
    if (::fstat(::fileno(f), &info) == 0 && (info.st_mode & 0077) != 0)
        logLine(Warning, "the key file %s is readable by others (chmod 600 it)", file.c_str());
    std::array<char, 256> text {};
    const std::size_t n = std::fread(text.data(), 1, text.size(), f);
    std::fclose(f);
    const bool ok = parseKeyHex(std::span<const char>(text.data(), n), key);
    sodium_memzero(text.data(), text.size());
    if (!ok)
        logLine(Err, "the key file %s must hold 64 hex digits (32 bytes)", file.c_str());
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    std::string error;
    const auto options = parseOptions(argc, argv, error);
    if (!options) {
        logLine(Err, "%s", error.c_str());
        std::fprintf(stderr,
                     "usage: smoothwan-relay --role client --key-file FILE --local IP:PORT --server IP:PORT\n"
                     "                       --path ID=DEV,SRCADDR ... [--mode duplicate|best] [--control PATH]\n"
                     "       smoothwan-relay --role server --key-file FILE --listen IP:PORT --forward IP:PORT\n"
                     "                       [--control PATH]\n");
        return 2;
    }
    if (sodium_init() < 0) {
        logLine(Err, "libsodium cannot initialise");
        return 1;
    }
    Key key {};
    if (!readKey(options->keyFile, key))
        return 2;
    std::uint32_t session = 0;
    while (session == 0)
        session = randombytes_random();
    auto relay = std::make_unique<Relay>(*options, key, session);
    sodium_memzero(key.data(), key.size());
    if (const int code = relay->start(); code != 0)
        return code;
    return relay->run();
}

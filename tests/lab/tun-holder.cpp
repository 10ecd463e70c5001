// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-tun-holder NAME: creates the TUN interface NAME in the current network namespace and
// holds it open (so it has carrier), reading and discarding what the kernel routes into it, until
// SIGTERM or SIGINT. Plays a bonding engine's tunnel in routing tests.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {
volatile sig_atomic_t g_stop = 0;
void onSignal(int)
{
    g_stop = 1;
}
} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2 || std::strlen(argv[1]) >= IFNAMSIZ || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: smoothwan-tun-holder NAME\n");
        return 2;
    }
    const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    ifreq ifr {};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    if (fd < 0 || ::ioctl(fd, TUNSETIFF, &ifr) != 0) {
        std::fprintf(stderr, "smoothwan-tun-holder: cannot create %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    std::printf("ready\n");
    std::fflush(stdout);
    char buffer[65536];
    while (!g_stop) {
        if (::read(fd, buffer, sizeof buffer) < 0 && errno != EINTR)
            break;
    }
    ::close(fd);
    return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny supervised child for ProcessSupervisor tests (no Qt): prints lines, then exits, crashes,
// or runs until signalled, optionally ignoring SIGTERM.
//   fake-child [--lines N] [--exit CODE] [--crash] [--forever] [--ignore-term] [--sleep-ms MS]

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unistd.h>

int main(int argc, char **argv)
{
    int lines = 0;
    int exitCode = 0;
    int sleepMs = 0;
    bool crash = false;
    bool forever = false;
    bool ignoreTerm = false;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!std::strcmp(a, "--lines") && i + 1 < argc)
            lines = std::atoi(argv[++i]);
        else if (!std::strcmp(a, "--exit") && i + 1 < argc)
            exitCode = std::atoi(argv[++i]);
        else if (!std::strcmp(a, "--sleep-ms") && i + 1 < argc)
            sleepMs = std::atoi(argv[++i]);
        else if (!std::strcmp(a, "--crash"))
            crash = true;
        else if (!std::strcmp(a, "--forever"))
            forever = true;
        else if (!std::strcmp(a, "--ignore-term"))
            ignoreTerm = true;
        else if (!std::strcmp(a, "--version")) {
            std::puts("fake-child stand-in for SmoothWAN tests");
            return 0;
        }
    }
    if (ignoreTerm)
        std::signal(SIGTERM, SIG_IGN);
    for (int i = 1; i <= lines; ++i)
        std::printf("line %d of pid %d\n", i, int(getpid()));
    std::fflush(stdout);
    if (sleepMs > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
    if (crash)
        std::raise(SIGKILL); // a plain kill: SIGSEGV would make sanitizers print reports
    while (forever)
        pause();
    return exitCode;
}

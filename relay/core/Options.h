// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The relay's command line and control-protocol arguments, checked strictly (pure functions).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>

namespace smoothwan::relay {

// Same rule as platform/InterfaceName: [A-Za-z0-9][A-Za-z0-9._@-]{0,14}.
bool isValidInterfaceName(std::string_view name);
// Dotted-quad IPv4 address.
std::optional<in_addr> parseIpv4(std::string_view text);
// "A.B.C.D:PORT" with PORT 1..65535.
std::optional<sockaddr_in> parseEndpoint(std::string_view text);
// A path id: 1..16.
std::optional<std::uint8_t> parsePathId(std::string_view text);
std::string formatEndpoint(const sockaddr_in &address);

struct PathSpec
{
    std::uint8_t id = 0;
    std::string device;
    in_addr source {};
};
// "ID=DEV,SRCADDR"
std::optional<PathSpec> parsePathSpec(std::string_view text);

struct Options
{
    bool server = false;
    bool best = false;
    std::string keyFile;
    std::string control;
    sockaddr_in local {}, remote {}, listen {}, forward {};
    std::vector<PathSpec> paths;
};

// Parses argv; on failure returns nullopt and sets `error` to a message naming the argument.
std::optional<Options> parseOptions(int argc, const char *const *argv, std::string &error);

} // namespace smoothwan::relay

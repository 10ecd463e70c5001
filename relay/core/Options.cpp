// SPDX-License-Identifier: GPL-3.0-or-later
#include "Options.h"

#include "Frame.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>

namespace smoothwan::relay {

bool isValidInterfaceName(std::string_view name)
{
    if (name.empty() || name.size() > 15)
        return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    if (!alnum(name[0]))
        return false;
    for (char c : name) {
        if (!alnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
            return false;
    }
    return true;
}

std::optional<in_addr> parseIpv4(std::string_view text)
{
    if (text.empty() || text.size() > 15)
        return std::nullopt;
    char buffer[16] = {};
    std::memcpy(buffer, text.data(), text.size());
    in_addr address {};
    if (::inet_pton(AF_INET, buffer, &address) != 1)
        return std::nullopt;
    return address;
}

std::optional<sockaddr_in> parseEndpoint(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return std::nullopt;
    const auto host = parseIpv4(text.substr(0, colon));
    const std::string_view portText = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (!host || portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port == 0 ||
        port > 65535)
        return std::nullopt;
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr = *host;
    address.sin_port = htons(std::uint16_t(port));
    return address;
}

std::optional<std::uint8_t> parsePathId(std::string_view text)
{
    unsigned id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id < 1 || id > unsigned(MaxPaths))
        return std::nullopt;
    return std::uint8_t(id);
}

std::string formatEndpoint(const sockaddr_in &address)
{
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
    return std::string(host) + ':' + std::to_string(ntohs(address.sin_port));
}

std::optional<PathSpec> parsePathSpec(std::string_view text)
{
    const auto eq = text.find('='), comma = text.find(',');
    if (eq == std::string_view::npos || comma == std::string_view::npos || comma < eq)
        return std::nullopt;
    const auto id = parsePathId(text.substr(0, eq));
    const std::string_view device = text.substr(eq + 1, comma - eq - 1);
    const auto source = parseIpv4(text.substr(comma + 1));
    if (!id || !isValidInterfaceName(device) || !source)
        return std::nullopt;
    return PathSpec {*id, std::string(device), *source};
}

std::optional<Options> parseOptions(int argc, const char *const *argv, std::string &error)
{
    Options options;
    std::string role, mode = "duplicate";
    bool haveLocal = false, haveRemote = false, haveListen = false, haveForward = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) {
            error = "missing value after " + std::string(arg);
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        auto bad = [&](const char *what) {
            error = "invalid " + std::string(arg) + " '" + std::string(value) + "': expected " + what;
            return std::nullopt;
        };
        if (arg == "--role") {
            if (value != "client" && value != "server")
                return bad("client or server");
            role = value;
        } else if (arg == "--mode") {
            if (value != "duplicate" && value != "best")
                return bad("duplicate or best");
            mode = value;
        } else if (arg == "--key-file") {
            if (value.empty() || value.size() > 4096)
                return bad("a file name");
            options.keyFile = value;
        } else if (arg == "--control") {
            if (value.empty() || value.size() >= sizeof(sockaddr_un::sun_path))
                return bad("a unix socket path (at most 107 bytes)");
            options.control = value;
        } else if (arg == "--local" || arg == "--server" || arg == "--listen" || arg == "--forward") {
            const auto endpoint = parseEndpoint(value);
            if (!endpoint)
                return bad("IPV4ADDR:PORT");
            if (arg == "--local")
                options.local = *endpoint, haveLocal = true;
            else if (arg == "--server")
                options.remote = *endpoint, haveRemote = true;
            else if (arg == "--listen")
                options.listen = *endpoint, haveListen = true;
            else
                options.forward = *endpoint, haveForward = true;
        } else if (arg == "--path") {
            const auto path = parsePathSpec(value);
            if (!path)
                return bad("ID=DEV,SRCADDR with ID 1..16 and a valid interface name");
            for (const PathSpec &other : options.paths) {
                if (other.id == path->id)
                    return bad("a path id used once");
            }
            options.paths.push_back(*path);
        } else {
            error = "unknown option " + std::string(arg);
            return std::nullopt;
        }
    }
    if (role.empty()) {
        error = "--role client|server is required";
        return std::nullopt;
    }
    if (options.keyFile.empty()) {
        error = "--key-file is required";
        return std::nullopt;
    }
    options.server = role == "server";
    options.best = mode == "best";
    if (options.server && (!haveListen || !haveForward || haveLocal || haveRemote || !options.paths.empty())) {
        error = "the server role takes --listen and --forward (not --local, --server or --path)";
        return std::nullopt;
    }
    if (!options.server && (!haveLocal || !haveRemote || haveListen || haveForward)) {
        error = "the client role takes --local, --server and --path (not --listen or --forward)";
        return std::nullopt;
    }
    return options;
}

} // namespace smoothwan::relay

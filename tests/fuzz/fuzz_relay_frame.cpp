// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzz target: one datagram at the relay's port, through everything the relay does with it —
// frame parsing, the MAC check, direction, session adoption, the path and dedupe windows, probe
// replies, stats — on both a server and a client session that live for the whole run (so windows
// and sessions carry state from input to input). Must never crash, hang or leak.
//
// Input: byte 0 selects how the rest is used.
//   bit 0 clear: the rest is sent as is (junk, forged and truncated frames; the corpus's real ones)
//   bit 0 set:   the rest gets a valid MAC appended first, so the fuzzer also reaches the code
//                behind the MAC (what someone holding the key, or a replay, could send)
//   bits 1-3:    advance the clock by 2^(2*bits) ms first (probes, timeouts, session idling)
// Frames are built with the key bytes 0x00..0x1f (tests/fuzz/corpus/fuzz_relay_frame was made
// with it).
#include "Frame.h"
#include "Session.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace smoothwan::relay;

namespace {

Key fuzzKey()
{
    Key key {};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = std::uint8_t(i);
    return key;
}

struct Sink : FrameSink
{
    std::size_t bytes = 0;
    void sendFrame(std::uint8_t pathId, std::span<const std::uint8_t> frame) override
    {
        if (pathId < 1 || pathId > MaxPaths || frame.size() < Overhead)
            std::abort();
        bytes += frame.size();
    }
    void deliver(std::span<const std::uint8_t> payload) override
    {
        if (payload.size() > MaxPayload)
            std::abort();
        bytes += payload.size();
    }
};

struct World
{
    Key key = fuzzKey();
    Session server {Role::Server, key, 0};
    Session client {Role::Client, key, 0x01020304};
    Sink sink;
    std::uint64_t now = 1'000'000;
    World()
    {
        if (sodium_init() < 0)
            std::abort();
        client.addPath(1);
        client.addPath(2);
        client.setMode(Mode::Best);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static World *world = new World; // lives for the process, like the relay's session
    if (size == 0)
        return 0;
    const std::uint8_t control = data[0];
    world->now += std::uint64_t(1000) << (2 * ((control >> 1) & 7));
    std::span<const std::uint8_t> input(data + 1, size - 1);
    std::array<std::uint8_t, 4096> framed {};
    if ((control & 1) && input.size() + MacSize <= framed.size()) {
        std::memcpy(framed.data(), input.data(), input.size());
        crypto_generichash(framed.data() + input.size(), MacSize, framed.data(), input.size(), world->key.data(),
                           world->key.size());
        input = std::span<const std::uint8_t>(framed.data(), input.size() + MacSize);
    }

    // The parser alone: an accepted frame re-encodes to exactly the same bytes.
    FrameHeader header;
    std::span<const std::uint8_t> payload;
    if (decodeFrame(world->key, input, header, payload) == DecodeStatus::Ok) {
        std::array<std::uint8_t, MaxFrame> again {};
        const std::size_t n = encodeFrame(world->key, header, payload, again);
        if (n != input.size() || std::memcmp(again.data(), input.data(), n) != 0)
            std::abort();
    }

    const std::uint8_t path = std::uint8_t(1 + (control >> 4) % 2);
    world->server.receive(input, 0, world->now, world->sink);
    world->client.receive(input, path, world->now, world->sink);
    world->server.tick(world->now, world->sink);
    world->client.tick(world->now, world->sink);
    if (control & 0x80) {
        const std::uint8_t some[] = {1, 2, 3};
        world->client.sendPayload(some, world->now, world->sink);
        world->server.sendPayload(some, world->now, world->sink);
    }
    (void)world->server.pathStats(path, world->now);
    (void)world->client.pathStats(path, world->now);
    return 0;
}

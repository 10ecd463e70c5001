// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The relay's frame: a fixed header, the carried datagram, and a keyed MAC over both.
//
//   offset size
//   0      1   version (1)
//   1      1   type in bits 0-3 (1 data, 2 probe, 3 probe reply); bit 7: sent by the server
//   2      1   path id (1..MaxPaths)
//   3      1   flags: bit 0 sender is in "best" mode, bit 1 this copy went over the sender's
//              chosen path; other bits zero
//   4      4   session id (random per client start)
//   8      8   sequence (data: one counter per session and direction, equal on every copy of a
//              datagram; probe: probe number; probe reply: the number of the probe it answers)
//   16     4   path sequence (one counter per path and direction, every frame)
//   20     8   send timestamp, microseconds of the sender's clock
//   28     8   echo timestamp (probe reply: the probe's send timestamp; otherwise 0)
//   36     n   payload (data only)
//   36+n   16  MAC: keyed BLAKE2b with a 16-byte output over bytes 0 .. 36+n
// All integers are big-endian.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace smoothwan::relay {

inline constexpr std::size_t KeySize = 32;
inline constexpr std::size_t HeaderSize = 36;
inline constexpr std::size_t MacSize = 16;
inline constexpr std::size_t Overhead = HeaderSize + MacSize;
inline constexpr std::size_t MaxPayload = 1500; // larger datagrams are not carried
inline constexpr std::size_t MaxFrame = Overhead + MaxPayload;
inline constexpr std::uint8_t Version = 1;
inline constexpr int MaxPaths = 16; // path ids 1..16

using Key = std::array<std::uint8_t, KeySize>;

enum class FrameType : std::uint8_t { Data = 1, Probe = 2, ProbeReply = 3 };

namespace flags {
inline constexpr std::uint8_t BestMode = 0x01;
inline constexpr std::uint8_t Primary = 0x02;
inline constexpr std::uint8_t All = BestMode | Primary;
} // namespace flags

struct FrameHeader
{
    FrameType type = FrameType::Data;
    bool fromServer = false;
    std::uint8_t pathId = 0;
    std::uint8_t flags = 0;
    std::uint32_t session = 0;
    std::uint64_t seq = 0;
    std::uint32_t pathSeq = 0;
    std::uint64_t sendUs = 0;
    std::uint64_t echoUs = 0;
};

enum class DecodeStatus {
    Ok,
    Junk,   // too short, too long, unknown version, type or flags: not even shaped like a frame
    Forged, // shaped like a frame but the MAC does not match (wrong key or altered in transit)
};

// Writes the frame into `out` (at least Overhead + payload.size() bytes) and returns its size, or 0
// when the payload is too large or `out` too small.
std::size_t encodeFrame(const Key &key, const FrameHeader &header, std::span<const std::uint8_t> payload,
                        std::span<std::uint8_t> out);

// Checks the MAC first (in constant time), then parses. On Ok, `header` and `payload` (a view into
// `in`) are set; on anything else they are untouched.
DecodeStatus decodeFrame(const Key &key, std::span<const std::uint8_t> in, FrameHeader &header,
                         std::span<const std::uint8_t> &payload);

// Parses "64 hex digits" (surrounding whitespace allowed) into a key.
bool parseKeyHex(std::span<const char> text, Key &key);

} // namespace smoothwan::relay

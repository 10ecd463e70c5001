// SPDX-License-Identifier: GPL-3.0-or-later
#include "Frame.h"

#include <sodium.h>

#include <cstring>

namespace smoothwan::relay {

namespace {

void put32(std::uint8_t *p, std::uint32_t v)
{
    for (int i = 3; i >= 0; --i, v >>= 8)
        p[i] = std::uint8_t(v);
}

void put64(std::uint8_t *p, std::uint64_t v)
{
    for (int i = 7; i >= 0; --i, v >>= 8)
        p[i] = std::uint8_t(v);
}

std::uint32_t get32(const std::uint8_t *p)
{
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v = (v << 8) | p[i];
    return v;
}

std::uint64_t get64(const std::uint8_t *p)
{
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | p[i];
    return v;
}

void mac(const Key &key, const std::uint8_t *data, std::size_t size, std::uint8_t *out)
{
    // BLAKE2b's output length is a parameter of the hash (not a truncation of a longer tag), so a
    // 16-byte keyed BLAKE2b is a full-strength 128-bit PRF/MAC; crypto_generichash never fails
    // with these sizes.
    crypto_generichash(out, MacSize, data, size, key.data(), key.size());
}

bool sodiumReady()
{
    static const bool ready = sodium_init() >= 0;
    return ready;
}

} // namespace

std::size_t encodeFrame(const Key &key, const FrameHeader &header, std::span<const std::uint8_t> payload,
                        std::span<std::uint8_t> out)
{
    if (!sodiumReady() || payload.size() > MaxPayload || out.size() < Overhead + payload.size())
        return 0;
    std::uint8_t *p = out.data();
    p[0] = Version;
    p[1] = std::uint8_t(std::uint8_t(header.type) | (header.fromServer ? 0x80 : 0));
    p[2] = header.pathId;
    p[3] = std::uint8_t(header.flags & flags::All);
    put32(p + 4, header.session);
    put64(p + 8, header.seq);
    put32(p + 16, header.pathSeq);
    put64(p + 20, header.sendUs);
    put64(p + 28, header.echoUs);
    if (!payload.empty())
        std::memmove(p + HeaderSize, payload.data(), payload.size());
    const std::size_t body = HeaderSize + payload.size();
    mac(key, p, body, p + body);
    return body + MacSize;
}

DecodeStatus decodeFrame(const Key &key, std::span<const std::uint8_t> in, FrameHeader &header,
                         std::span<const std::uint8_t> &payload)
{
    if (in.size() < Overhead || in.size() > MaxFrame || !sodiumReady())
        return DecodeStatus::Junk;
    const std::uint8_t *p = in.data();
    const std::uint8_t type = p[1] & 0x7f;
    if (p[0] != Version || type < 1 || type > 3 || (p[3] & ~flags::All) != 0 || p[2] == 0 || p[2] > MaxPaths)
        return DecodeStatus::Junk;
    const std::size_t body = in.size() - MacSize;
    std::uint8_t expected[MacSize];
    mac(key, p, body, expected);
    if (sodium_memcmp(expected, p + body, MacSize) != 0)
        return DecodeStatus::Forged;
    if (FrameType(type) != FrameType::Data && body != HeaderSize)
        return DecodeStatus::Junk; // authentic but malformed: only a buggy peer sends it
    header.type = FrameType(type);
    header.fromServer = (p[1] & 0x80) != 0;
    header.pathId = p[2];
    header.flags = p[3];
    header.session = get32(p + 4);
    header.seq = get64(p + 8);
    header.pathSeq = get32(p + 16);
    header.sendUs = get64(p + 20);
    header.echoUs = get64(p + 28);
    payload = in.subspan(HeaderSize, body - HeaderSize);
    return DecodeStatus::Ok;
}

bool parseKeyHex(std::span<const char> text, Key &key)
{
    std::size_t begin = 0, end = text.size();
    auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (begin < end && space(text[begin]))
        ++begin;
    while (end > begin && space(text[end - 1]))
        --end;
    if (end - begin != KeySize * 2)
        return false;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    Key parsed {};
    for (std::size_t i = 0; i < KeySize; ++i) {
        const int hi = nibble(text[begin + 2 * i]), lo = nibble(text[begin + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        parsed[i] = std::uint8_t(hi << 4 | lo);
    }
    key = parsed;
    sodium_memzero(parsed.data(), parsed.size());
    return true;
}

} // namespace smoothwan::relay

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>

namespace smoothwan::relay {

// A sliding window over 64-bit sequence numbers (RFC 6479 style): remembers which of the last
// Width numbers below the highest one seen were accepted. Sequence 0 is never valid. Only frames
// whose MAC has been checked may be offered, so nobody without the key can move the window.
class ReplayWindow
{
public:
    static constexpr std::uint64_t Width = 4096;
    enum class Result { Accepted, Duplicate, TooOld };

    // Accepts `seq` (and remembers it) when it is new and not older than the window.
    Result accept(std::uint64_t seq)
    {
        if (seq == 0)
            return Result::TooOld;
        if (seq > m_top) {
            const std::uint64_t ahead = seq - m_top;
            if (ahead >= Width) {
                m_bits.fill(0);
            } else {
                // Clear the words the window slides over (bits for numbers not seen yet).
                std::uint64_t from = m_top / 64 + 1, to = seq / 64;
                for (std::uint64_t w = from; w <= to && w - from < Words; ++w)
                    m_bits[w % Words] = 0;
            }
            m_top = seq;
            set(seq);
            return Result::Accepted;
        }
        if (m_top - seq >= Width - 64) // keep a word of slack so the ring never aliases
            return Result::TooOld;
        if (test(seq))
            return Result::Duplicate;
        set(seq);
        return Result::Accepted;
    }
    std::uint64_t top() const { return m_top; }
    void reset()
    {
        m_bits.fill(0);
        m_top = 0;
    }

private:
    static constexpr std::uint64_t Words = Width / 64;
    void set(std::uint64_t seq) { m_bits[(seq / 64) % Words] |= std::uint64_t(1) << (seq % 64); }
    bool test(std::uint64_t seq) const { return (m_bits[(seq / 64) % Words] >> (seq % 64)) & 1; }

    std::array<std::uint64_t, Words> m_bits {};
    std::uint64_t m_top = 0;
};

} // namespace smoothwan::relay

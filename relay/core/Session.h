// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One end of a relay session, without any I/O or clock of its own: the caller hands it datagrams
// and the time (microseconds of a monotonic clock), and it calls back a FrameSink to send frames
// over a path or to deliver a carried datagram. Both roles use it: the client (router) owns its
// paths (one per WAN, added by the caller); the server learns them from authentic frames.
//
// Per path it measures RTT (smoothed, from probes echoed by the peer), jitter (RFC 3550 inter-
// arrival jitter of the frames it receives) and loss (gaps in the peer's path sequence, and
// unanswered probes), and decides which paths carry each datagram:
//   duplicate: every answering path, and every path that has not answered yet because it is new
//              (all usable paths when none answers);
//   best: the answering path with no recent probe loss and the lowest RTT; when the active path
//         stops answering (no probe reply for `deadAfterUs`) it switches at once, and the first
//         `switchDuplicates` datagrams after any switch go over every answering path. The server
//         answers over the path the client marks as its choice (flag Primary) while that path
//         answers: the client knows its WANs (a cut, a tier change), so both directions move
//         together, at the client's first datagram on the new path.
// Incoming frames pass, in order: MAC, direction, session, the path's replay window (path
// sequence), then for data the session's dedupe window (sequence). Nothing before the MAC check
// changes any state, so forged frames cannot move a window.

#include "Frame.h"
#include "ReplayWindow.h"

#include <array>
#include <cstdint>
#include <span>

namespace smoothwan::relay {

enum class Role { Client, Server };
enum class Mode { Duplicate, Best };

class FrameSink
{
public:
    virtual ~FrameSink() = default;
    virtual void sendFrame(std::uint8_t pathId, std::span<const std::uint8_t> frame) = 0;
    virtual void deliver(std::span<const std::uint8_t> payload) = 0;
    // An authentic, new frame arrived on this path (called before any reply is sent on it): the
    // server learns the client's address for the path here.
    virtual void authenticated(std::uint8_t pathId) { (void)pathId; }
};

struct SessionOptions
{
    std::uint64_t probeIntervalUs = 100'000;
    int missedProbes = 3;                     // K: no reply for K probe intervals (+ slack) = dead
    std::uint64_t deadSlackUs = 50'000;       // added to K * interval: T = 350 ms by default
    int switchDuplicates = 32;                // N: datagrams duplicated after a switch in best mode
    std::uint64_t recentUs = 3'000'000;       // server: a path heard within this is "used recently"
    std::uint64_t sessionIdleUs = 10'000'000; // server: accept a new session after this silence
    std::uint64_t lossEpochFrames = 200;      // inbound loss is measured over this many frames
    std::uint64_t deadAfterUs() const { return std::uint64_t(missedProbes) * probeIntervalUs + deadSlackUs; }
};

struct PathStats
{
    std::uint64_t txPackets = 0, txBytes = 0, rxPackets = 0, rxBytes = 0;
    std::int64_t rttUs = -1;        // smoothed RTT, -1 before the first probe reply
    std::int64_t rttVarUs = 0;      // RTT mean deviation (RFC 6298)
    std::int64_t jitterUs = 0;      // RFC 3550 inter-arrival jitter of received frames
    std::uint32_t lossPpm = 0;      // inbound: gaps in the peer's path sequence (last epoch)
    std::uint32_t probeLossPpm = 0; // round trip: unanswered probes among the last 32
    bool answering = false;
    bool adminUp = true;
};

struct Counters
{
    std::uint64_t droppedJunk = 0, droppedForged = 0, droppedReplay = 0, droppedDup = 0, droppedOld = 0,
                  droppedOversize = 0, delivered = 0, sent = 0, switches = 0;
};

// What receive() made of a datagram.
enum class RxVerdict {
    Junk,
    Forged,
    Replay,    // authentic but seen before (path sequence), reflected, or of another session
    Duplicate, // a fresh copy of a datagram already delivered (normal in duplicate mode)
    TooOld,
    Delivered,
    Control, // a probe or probe reply
};

class Session
{
public:
    Session(Role role, const Key &key, std::uint32_t sessionId, const SessionOptions &options = {});

    // Paths (client: the caller's WANs; the server also creates them itself on authentic frames).
    bool addPath(std::uint8_t id);
    bool removePath(std::uint8_t id);
    bool hasPath(std::uint8_t id) const { return valid(id) && m_paths[id].exists; }
    bool setAdminUp(std::uint8_t id, bool up);

    void setMode(Mode mode) { m_mode = mode; }
    Mode mode() const { return m_mode; }

    // A datagram from the local side (WireGuard): framed and sent over the scheduled paths.
    void sendPayload(std::span<const std::uint8_t> payload, std::uint64_t nowUs, FrameSink &sink);
    // A datagram from the peer that arrived on `arrivedOn` (client: the path's socket; 0 = any,
    // the server's single socket). `freshPath` is set to the frame's path id when the frame is
    // authentic and new, i.e. when the server may learn the sender's address for that path.
    RxVerdict receive(std::span<const std::uint8_t> frame, std::uint8_t arrivedOn, std::uint64_t nowUs, FrameSink &sink,
                      std::uint8_t *freshPath = nullptr);
    // Probes and path evaluation; call every few milliseconds.
    void tick(std::uint64_t nowUs, FrameSink &sink);

    std::uint8_t activePath() const { return m_active; } // best mode; 0 = none
    std::uint32_t sessionId() const { return m_session; }
    PathStats pathStats(std::uint8_t id, std::uint64_t nowUs) const;
    const Counters &counters() const { return m_counters; }
    bool usable(std::uint8_t id, std::uint64_t nowUs) const;
    bool answering(std::uint8_t id, std::uint64_t nowUs) const;

private:
    struct Probe
    {
        std::uint64_t seq = 0, sendUs = 0;
        bool pending = false; // sent, neither answered nor given up (after T) yet
    };
    struct Path
    {
        bool exists = false, adminUp = true;
        std::uint32_t txPathSeq = 0;
        std::uint64_t probeSeq = 0, lastProbeUs = 0, lastReplyUs = 0, lastHeardUs = 0;
        std::array<Probe, 16> probes {};
        std::uint32_t probeHistory = 0; // 1 bits: lost probes, newest in bit 0
        int probeOutcomes = 0;          // outcomes recorded, up to 32
        ReplayWindow rxWindow;
        std::uint32_t epochFirst = 0, epochTop = 0;
        std::uint64_t epochReceived = 0;
        bool epochStarted = false;
        std::int64_t lastTransit = 0;
        bool haveTransit = false;
        double jitter = 0;
        PathStats stats;
    };

    static bool valid(std::uint8_t id) { return id >= 1 && id <= MaxPaths; }
    void resetPath(Path &path, bool keepAdmin);
    void resetSession(std::uint32_t session);
    std::uint32_t scheduleMask(std::uint64_t nowUs);
    std::uint8_t pickBest(std::uint64_t nowUs) const;
    void evaluate(std::uint64_t nowUs);
    void sendFrame(std::uint8_t id, FrameType type, std::uint64_t seq, std::uint64_t echoUs, std::uint8_t flagBits,
                   std::span<const std::uint8_t> payload, std::uint64_t nowUs, FrameSink &sink);
    void recordProbeOutcome(Path &path, bool lost);
    void onInbound(Path &path, const FrameHeader &header, std::size_t bytes, std::uint64_t nowUs);

    Role m_role;
    Key m_key;
    SessionOptions m_options;
    Mode m_mode = Mode::Duplicate;
    std::uint32_t m_session = 0;
    std::uint64_t m_txSeq = 0;
    ReplayWindow m_dataWindow;
    std::uint64_t m_lastValidUs = 0, m_peerLastSendUs = 0;
    std::uint8_t m_active = 0;
    std::uint8_t m_peerPrimary = 0;    // server: the path the client last chose (0: none yet)
    std::uint64_t m_peerPrimaryUs = 0; // when a datagram with that choice arrived
    int m_dupRemaining = 0;
    std::array<Path, MaxPaths + 1> m_paths {};
    Counters m_counters;
    std::array<std::uint8_t, MaxFrame> m_scratch {};
};

} // namespace smoothwan::relay

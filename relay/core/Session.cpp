// SPDX-License-Identifier: GPL-3.0-or-later
#include "Session.h"

#include <bit>
#include <cmath>
#include <cstdlib>

namespace smoothwan::relay {

Session::Session(Role role, const Key &key, std::uint32_t sessionId, const SessionOptions &options)
    : m_role(role)
    , m_key(key)
    , m_options(options)
    , m_session(role == Role::Client ? sessionId : 0)
{ }

bool Session::addPath(std::uint8_t id)
{
    if (!valid(id) || m_paths[id].exists)
        return false;
    // The path sequence goes on where a removed path with this id left it: the peer's replay
    // window for the id still holds the old numbers.
    const std::uint32_t txPathSeq = m_paths[id].txPathSeq;
    resetPath(m_paths[id], false);
    m_paths[id].exists = true;
    m_paths[id].txPathSeq = txPathSeq;
    return true;
}

bool Session::removePath(std::uint8_t id)
{
    if (!hasPath(id))
        return false;
    const std::uint32_t txPathSeq = m_paths[id].txPathSeq;
    resetPath(m_paths[id], false);
    m_paths[id].txPathSeq = txPathSeq;
    if (m_active == id) {
        m_active = 0; // the next datagram picks a new path, duplicated like any switch
        m_dupRemaining = m_options.switchDuplicates;
        ++m_counters.switches;
    }
    return true;
}

bool Session::setAdminUp(std::uint8_t id, bool up)
{
    if (!hasPath(id))
        return false;
    m_paths[id].adminUp = up;
    return true;
}

void Session::resetPath(Path &path, bool keepAdmin)
{
    const bool exists = path.exists, admin = path.adminUp;
    path = Path {};
    if (keepAdmin) {
        path.exists = exists;
        path.adminUp = admin;
    }
}

void Session::resetSession(std::uint32_t session)
{
    m_session = session;
    m_dataWindow.reset();
    m_active = 0;
    m_dupRemaining = 0;
    m_peerPrimary = 0;
    m_peerPrimaryUs = 0;
    for (Path &path : m_paths)
        resetPath(path, false); // the server forgets the old session's paths
}

bool Session::answering(std::uint8_t id, std::uint64_t nowUs) const
{
    if (!hasPath(id))
        return false;
    const Path &path = m_paths[id];
    if (!path.adminUp || path.lastReplyUs == 0)
        return false;
    if (m_role == Role::Server && nowUs - path.lastHeardUs > m_options.recentUs)
        return false;
    // "Not answering": no probe reply for T = K probe intervals plus some slack.
    return nowUs < path.lastReplyUs || nowUs - path.lastReplyUs <= m_options.deadAfterUs();
}

bool Session::usable(std::uint8_t id, std::uint64_t nowUs) const
{
    if (!hasPath(id) || !m_paths[id].adminUp)
        return false;
    if (m_role == Role::Server)
        return m_paths[id].lastHeardUs != 0 && nowUs - m_paths[id].lastHeardUs <= m_options.recentUs;
    return true;
}

std::uint8_t Session::pickBest(std::uint64_t nowUs) const
{
    std::uint8_t best = 0;
    bool bestLossFree = false;
    std::int64_t bestRtt = 0;
    for (std::uint8_t id = 1; id <= MaxPaths; ++id) {
        if (!usable(id, nowUs) || !answering(id, nowUs))
            continue;
        const Path &path = m_paths[id];
        const bool lossFree = (path.probeHistory & 0xffff) == 0;
        const std::int64_t rtt = path.stats.rttUs < 0 ? INT64_MAX : path.stats.rttUs;
        if (best == 0 || (lossFree && !bestLossFree) || (lossFree == bestLossFree && rtt < bestRtt)) {
            best = id;
            bestLossFree = lossFree;
            bestRtt = rtt;
        }
    }
    return best;
}

void Session::evaluate(std::uint64_t nowUs)
{
    std::uint8_t best = pickBest(nowUs);
    // The server follows the client's recent choice while that path answers.
    const bool follow = m_role == Role::Server && m_peerPrimary != 0 &&
                        nowUs - m_peerPrimaryUs <= m_options.deadAfterUs() && usable(m_peerPrimary, nowUs) &&
                        answering(m_peerPrimary, nowUs);
    if (follow)
        best = m_peerPrimary;
    if (best == 0 || best == m_active)
        return;
    bool switchNow = follow || m_active == 0 || !usable(m_active, nowUs) || !answering(m_active, nowUs);
    if (!switchNow) {
        // Both answer: move only for a clear gain (no loss where the active path has some, or an
        // RTT lower by more than 10 % and 2 ms), so two similar paths do not flap.
        const Path &cur = m_paths[m_active], &cand = m_paths[best];
        const bool curLoss = (cur.probeHistory & 0xffff) != 0, candLoss = (cand.probeHistory & 0xffff) != 0;
        const std::int64_t curRtt = cur.stats.rttUs < 0 ? INT64_MAX / 2 : cur.stats.rttUs;
        const std::int64_t candRtt = cand.stats.rttUs;
        switchNow = (curLoss && !candLoss) ||
                    (curLoss == candLoss && candRtt >= 0 && candRtt + 2000 < curRtt && candRtt * 10 < curRtt * 9);
    }
    if (switchNow) {
        if (m_active != 0) {
            ++m_counters.switches;
            m_dupRemaining = m_options.switchDuplicates;
        }
        m_active = best;
    }
}

std::uint32_t Session::scheduleMask(std::uint64_t nowUs)
{
    std::uint32_t usableMask = 0, answeringMask = 0, newMask = 0;
    for (std::uint8_t id = 1; id <= MaxPaths; ++id) {
        if (!usable(id, nowUs))
            continue;
        usableMask |= 1u << id;
        if (answering(id, nowUs))
            answeringMask |= 1u << id;
        else if (m_paths[id].lastReplyUs == 0)
            newMask |= 1u << id; // never answered yet: a path just added (or never working)
    }
    const std::uint32_t all = answeringMask ? answeringMask : usableMask;
    if (m_mode == Mode::Duplicate)
        return all | newMask; // a new path carries copies from its first datagram on
    evaluate(nowUs);
    if (m_active == 0 || !(usableMask & (1u << m_active)))
        return all; // nothing answers yet: better every path than none
    if (m_dupRemaining > 0) {
        // Just switched: also copy to the paths that do not answer right now (the old one may only
        // be slow), so whatever the switch was wrong about, one copy gets through.
        --m_dupRemaining;
        return usableMask | (1u << m_active);
    }
    return 1u << m_active;
}

void Session::sendFrame(std::uint8_t id, FrameType type, std::uint64_t seq, std::uint64_t echoUs, std::uint8_t flagBits,
                        std::span<const std::uint8_t> payload, std::uint64_t nowUs, FrameSink &sink)
{
    Path &path = m_paths[id];
    FrameHeader header;
    header.type = type;
    header.fromServer = m_role == Role::Server;
    header.pathId = id;
    header.flags = flagBits;
    header.session = m_session;
    header.seq = seq;
    header.pathSeq = ++path.txPathSeq;
    header.sendUs = nowUs;
    header.echoUs = echoUs;
    const std::size_t size = encodeFrame(m_key, header, payload, m_scratch);
    if (size == 0)
        return;
    ++path.stats.txPackets;
    path.stats.txBytes += size;
    sink.sendFrame(id, std::span<const std::uint8_t>(m_scratch.data(), size));
}

void Session::sendPayload(std::span<const std::uint8_t> payload, std::uint64_t nowUs, FrameSink &sink)
{
    if (payload.size() > MaxPayload) {
        ++m_counters.droppedOversize;
        return;
    }
    if (m_session == 0)
        return; // a server that has not heard from a client yet has nobody to send to
    const std::uint32_t mask = scheduleMask(nowUs);
    if (mask == 0)
        return;
    const std::uint64_t seq = ++m_txSeq;
    ++m_counters.sent;
    const std::uint8_t mode = m_mode == Mode::Best ? flags::BestMode : 0;
    for (std::uint8_t id = 1; id <= MaxPaths; ++id) {
        if (mask & (1u << id))
            sendFrame(id, FrameType::Data, seq, 0, std::uint8_t(mode | (id == m_active ? flags::Primary : 0)), payload,
                      nowUs, sink);
    }
}

void Session::recordProbeOutcome(Path &path, bool lost)
{
    path.probeHistory = (path.probeHistory << 1) | (lost ? 1u : 0u);
    if (path.probeOutcomes < 32)
        ++path.probeOutcomes;
}

void Session::onInbound(Path &path, const FrameHeader &header, std::size_t bytes, std::uint64_t nowUs)
{
    path.lastHeardUs = nowUs;
    ++path.stats.rxPackets;
    path.stats.rxBytes += bytes;
    // Inbound loss: how many path sequence numbers of this epoch never arrived.
    if (!path.epochStarted || header.pathSeq < path.epochFirst) {
        path.epochStarted = true;
        path.epochFirst = header.pathSeq;
        path.epochTop = header.pathSeq;
        path.epochReceived = 0;
    }
    ++path.epochReceived;
    if (header.pathSeq > path.epochTop)
        path.epochTop = header.pathSeq;
    const std::uint64_t expected = std::uint64_t(path.epochTop - path.epochFirst) + 1;
    if (expected >= m_options.lossEpochFrames) {
        const std::uint64_t lost = expected > path.epochReceived ? expected - path.epochReceived : 0;
        path.stats.lossPpm = std::uint32_t(lost * 1'000'000 / expected);
        path.epochStarted = false;
    }
    // RFC 3550 inter-arrival jitter: needs no synchronised clocks.
    // Modular arithmetic: the peer's clock is arbitrary (and, for the fuzzer, anything at all).
    const std::int64_t transit = std::int64_t(nowUs - header.sendUs);
    if (path.haveTransit) {
        const double d = std::abs(double(std::int64_t(std::uint64_t(transit) - std::uint64_t(path.lastTransit))));
        path.jitter += (d - path.jitter) / 16.0;
        path.stats.jitterUs = std::int64_t(path.jitter);
    }
    path.lastTransit = transit;
    path.haveTransit = true;
}

RxVerdict Session::receive(std::span<const std::uint8_t> frame, std::uint8_t arrivedOn, std::uint64_t nowUs,
                           FrameSink &sink, std::uint8_t *freshPath)
{
    if (freshPath)
        *freshPath = 0;
    FrameHeader header;
    std::span<const std::uint8_t> payload;
    switch (decodeFrame(m_key, frame, header, payload)) {
    case DecodeStatus::Junk:
        ++m_counters.droppedJunk;
        return RxVerdict::Junk;
    case DecodeStatus::Forged:
        ++m_counters.droppedForged;
        return RxVerdict::Forged;
    case DecodeStatus::Ok:
        break;
    }
    // Authentic. A frame of our own direction is a reflection; a client only takes frames of its
    // session, on the path they name.
    const bool expectFromServer = m_role == Role::Client;
    if (header.fromServer != expectFromServer || (arrivedOn != 0 && arrivedOn != header.pathId)) {
        ++m_counters.droppedReplay;
        return RxVerdict::Replay;
    }
    if (header.session != m_session) {
        // Server: a new client session replaces the old one when it is newer by the client's own
        // clock, or when the old one has been silent for a while (client rebooted, clock reset).
        const bool adopt = m_role == Role::Server && (m_session == 0 || header.sendUs > m_peerLastSendUs ||
                                                      nowUs - m_lastValidUs > m_options.sessionIdleUs);
        if (!adopt) {
            ++m_counters.droppedReplay;
            return RxVerdict::Replay;
        }
        resetSession(header.session);
        m_peerLastSendUs = 0;
    }
    Path &path = m_paths[header.pathId];
    if (!path.exists) {
        if (m_role == Role::Client) {
            ++m_counters.droppedReplay; // a path we no longer have
            return RxVerdict::Replay;
        }
        resetPath(path, false);
        path.exists = true;
    }
    if (path.rxWindow.accept(std::uint64_t(header.pathSeq)) != ReplayWindow::Result::Accepted) {
        ++m_counters.droppedReplay;
        return RxVerdict::Replay;
    }
    // Authentic and new on this path: from here on the frame counts.
    if (freshPath)
        *freshPath = header.pathId;
    sink.authenticated(header.pathId);
    m_lastValidUs = nowUs;
    if (header.sendUs > m_peerLastSendUs)
        m_peerLastSendUs = header.sendUs;
    onInbound(path, header, frame.size(), nowUs);

    switch (header.type) {
    case FrameType::Probe:
        if (path.adminUp)
            sendFrame(header.pathId, FrameType::ProbeReply, header.seq, header.sendUs, 0, {}, nowUs, sink);
        return RxVerdict::Control;
    case FrameType::ProbeReply:
        for (Probe &probe : path.probes) {
            if (probe.pending && probe.seq == header.seq && probe.sendUs == header.echoUs && nowUs >= probe.sendUs) {
                probe.pending = false;
                const std::int64_t rtt = std::int64_t(nowUs - probe.sendUs);
                if (path.stats.rttUs < 0) {
                    path.stats.rttUs = rtt;
                    path.stats.rttVarUs = rtt / 2;
                } else {
                    path.stats.rttVarUs += (std::abs(rtt - path.stats.rttUs) - path.stats.rttVarUs) / 4;
                    path.stats.rttUs += (rtt - path.stats.rttUs) / 8;
                }
                path.lastReplyUs = nowUs;
                recordProbeOutcome(path, false);
                break;
            }
        }
        return RxVerdict::Control;
    case FrameType::Data:
        break;
    }
    if (m_role == Role::Server) {
        m_mode = (header.flags & flags::BestMode) ? Mode::Best : Mode::Duplicate;
        if (m_mode == Mode::Best && (header.flags & flags::Primary)) {
            m_peerPrimary = header.pathId;
            m_peerPrimaryUs = nowUs;
            evaluate(nowUs); // before the answer to this datagram is sent
        }
    }
    switch (m_dataWindow.accept(header.seq)) {
    case ReplayWindow::Result::Accepted:
        ++m_counters.delivered;
        sink.deliver(payload);
        return RxVerdict::Delivered;
    case ReplayWindow::Result::Duplicate:
        ++m_counters.droppedDup;
        return RxVerdict::Duplicate;
    case ReplayWindow::Result::TooOld:
        break;
    }
    ++m_counters.droppedOld;
    return RxVerdict::TooOld;
}

void Session::tick(std::uint64_t nowUs, FrameSink &sink)
{
    if (m_session == 0)
        return;
    for (std::uint8_t id = 1; id <= MaxPaths; ++id) {
        if (!usable(id, nowUs))
            continue;
        Path &path = m_paths[id];
        // A probe unanswered after T is lost (a reply after that is ignored).
        for (Probe &probe : path.probes) {
            if (probe.pending && nowUs - probe.sendUs > m_options.deadAfterUs()) {
                probe.pending = false;
                recordProbeOutcome(path, true);
            }
        }
        if (path.lastProbeUs != 0 && nowUs - path.lastProbeUs < m_options.probeIntervalUs)
            continue;
        Probe &slot = path.probes[path.probeSeq % path.probes.size()];
        if (slot.pending)
            recordProbeOutcome(path, true);
        slot = Probe {++path.probeSeq, nowUs, true};
        path.lastProbeUs = nowUs;
        sendFrame(id, FrameType::Probe, path.probeSeq, 0, 0, {}, nowUs, sink);
    }
    if (m_mode == Mode::Best)
        evaluate(nowUs);
}

PathStats Session::pathStats(std::uint8_t id, std::uint64_t nowUs) const
{
    if (!hasPath(id))
        return {};
    const Path &path = m_paths[id];
    PathStats stats = path.stats;
    const int n = std::min(path.probeOutcomes, 32);
    const std::uint32_t mask = n >= 32 ? 0xffffffffu : ((1u << n) - 1);
    stats.probeLossPpm = n == 0 ? 0 : std::uint32_t(std::popcount(path.probeHistory & mask) * 1'000'000ull / n);
    stats.answering = answering(id, nowUs);
    stats.adminUp = path.adminUp;
    return stats;
}

} // namespace smoothwan::relay

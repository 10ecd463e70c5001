// SPDX-License-Identifier: GPL-3.0-or-later
// The relay's core (relay/core): frame format and MAC, the dedupe/replay window, per-path stats and
// the path scheduler. Two sessions talk through a simulated network with per-path delays and
// cuts, driven by an injected clock: no sleeps, no sockets.
#include "Frame.h"
#include "Options.h"
#include "ReplayWindow.h"
#include "Session.h"

#include <QtTest/QTest>

#include <deque>
#include <map>
#include <vector>

using namespace smoothwan::relay;

namespace {

using Bytes = std::vector<std::uint8_t>;

Key makeKey(std::uint8_t seed)
{
    Key key {};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = std::uint8_t(seed + i * 7);
    return key;
}

Bytes bytes(const char *text)
{
    return Bytes(text, text + std::strlen(text));
}

// Collects what a session sends.
struct Capture : FrameSink
{
    std::vector<std::pair<std::uint8_t, Bytes>> frames;
    std::vector<Bytes> delivered;
    void sendFrame(std::uint8_t pathId, std::span<const std::uint8_t> frame) override
    {
        frames.emplace_back(pathId, Bytes(frame.begin(), frame.end()));
    }
    void deliver(std::span<const std::uint8_t> payload) override
    {
        delivered.emplace_back(payload.begin(), payload.end());
    }
};

// A client and a server joined by paths with a one-way delay each; a path can drop everything.
struct Net
{
    struct Link
    {
        std::uint64_t delayUs = 5000;
        bool dead = false;
    };
    struct InFlight
    {
        std::uint64_t at;
        bool toServer;
        std::uint8_t path;
        Bytes frame;
    };
    Key key = makeKey(1);
    SessionOptions options;
    Session client {Role::Client, key, 0x1234, options};
    Session server {Role::Server, key, 0, options};
    std::map<std::uint8_t, Link> links;
    std::deque<InFlight> flight;
    std::uint64_t now = 1'000'000;
    std::vector<Bytes> atServer, atClient;                  // delivered datagrams
    std::vector<std::pair<std::uint8_t, Bytes>> clientSent; // every frame the client sent

    struct Side : FrameSink
    {
        Side(Net *owner, bool server)
            : net(owner)
            , isServer(server)
        { }
        Net *net;
        bool isServer;
        void sendFrame(std::uint8_t pathId, std::span<const std::uint8_t> frame) override
        {
            Bytes copy(frame.begin(), frame.end());
            if (!isServer)
                net->clientSent.emplace_back(pathId, copy);
            const Link &link = net->links[pathId];
            if (!link.dead)
                net->flight.push_back({net->now + link.delayUs, !isServer, pathId, std::move(copy)});
        }
        void deliver(std::span<const std::uint8_t> payload) override
        {
            (isServer ? net->atServer : net->atClient).emplace_back(payload.begin(), payload.end());
        }
    };
    Side clientSide {this, false}, serverSide {this, true};

    void addPath(std::uint8_t id, std::uint64_t delayUs)
    {
        links[id].delayUs = delayUs;
        client.addPath(id);
    }
    // Advances the clock in 1 ms steps, delivering frames and ticking both sides.
    void run(std::uint64_t ms)
    {
        for (std::uint64_t i = 0; i < ms; ++i) {
            now += 1000;
            std::vector<InFlight> due;
            for (auto it = flight.begin(); it != flight.end();) {
                if (it->at <= now) {
                    due.push_back(std::move(*it));
                    it = flight.erase(it);
                } else {
                    ++it;
                }
            }
            for (const InFlight &f : due) { // receiving may send (probe replies): flight changes
                if (f.toServer)
                    server.receive(f.frame, 0, now, serverSide);
                else
                    client.receive(f.frame, f.path, now, clientSide);
            }
            client.tick(now, clientSide);
            server.tick(now, serverSide);
        }
    }
    void send(const Bytes &payload) { client.sendPayload(payload, now, clientSide); }
};

} // namespace

class TestRelay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void frameRoundTrip()
    {
        const Key key = makeKey(3);
        FrameHeader h;
        h.type = FrameType::Data;
        h.fromServer = true;
        h.pathId = 7;
        h.flags = flags::BestMode | flags::Primary;
        h.session = 0xdeadbeef;
        h.seq = 0x0102030405060708ull;
        h.pathSeq = 0x11223344;
        h.sendUs = 123456789;
        h.echoUs = 987654321;
        const Bytes payload = bytes("hello wireguard");
        std::array<std::uint8_t, MaxFrame> out {};
        const std::size_t size = encodeFrame(key, h, payload, out);
        QCOMPARE(size, Overhead + payload.size());
        FrameHeader d;
        std::span<const std::uint8_t> p;
        QCOMPARE(decodeFrame(key, std::span<const std::uint8_t>(out.data(), size), d, p), DecodeStatus::Ok);
        QCOMPARE(int(d.type), int(h.type));
        QVERIFY(d.fromServer);
        QCOMPARE(d.pathId, h.pathId);
        QCOMPARE(d.flags, h.flags);
        QCOMPARE(d.session, h.session);
        QCOMPARE(d.seq, h.seq);
        QCOMPARE(d.pathSeq, h.pathSeq);
        QCOMPARE(d.sendUs, h.sendUs);
        QCOMPARE(d.echoUs, h.echoUs);
        QCOMPARE(Bytes(p.begin(), p.end()), payload);
        // Too large a payload is refused, not truncated.
        Bytes huge(MaxPayload + 1, 0);
        std::array<std::uint8_t, MaxFrame + 64> big {};
        QCOMPARE(encodeFrame(key, h, huge, big), std::size_t(0));
    }

    void forgedTruncatedAndJunkAreRejected()
    {
        const Key key = makeKey(3);
        FrameHeader h;
        h.pathId = 1;
        h.session = 1;
        h.seq = 1;
        h.pathSeq = 1;
        std::array<std::uint8_t, MaxFrame> out {};
        const Bytes payload = bytes("payload");
        const std::size_t size = encodeFrame(key, h, payload, out);
        const Bytes good(out.begin(), out.begin() + std::ptrdiff_t(size));
        FrameHeader d;
        std::span<const std::uint8_t> p;
        // Another key: forged.
        QCOMPARE(decodeFrame(makeKey(4), good, d, p), DecodeStatus::Forged);
        // Any single changed bit anywhere (header, payload or MAC) is caught.
        for (std::size_t i = 0; i < good.size(); ++i) {
            Bytes bad = good;
            bad[i] ^= 0x10;
            QVERIFY2(decodeFrame(key, bad, d, p) != DecodeStatus::Ok, qPrintable(QString::number(i)));
        }
        // Truncated anywhere: junk (shorter than a frame) or forged (MAC no longer matches).
        for (std::size_t n = 0; n < good.size(); ++n)
            QVERIFY(decodeFrame(key, std::span<const std::uint8_t>(good.data(), n), d, p) != DecodeStatus::Ok);
        QCOMPARE(decodeFrame(key, Bytes(10, 0xff), d, p), DecodeStatus::Junk);
        QCOMPARE(decodeFrame(key, Bytes(MaxFrame + 1, 1), d, p), DecodeStatus::Junk);
        // Probes carry no payload, even authentic ones.
        h.type = FrameType::Probe;
        const std::size_t probe = encodeFrame(key, h, payload, out);
        QCOMPARE(decodeFrame(key, std::span<const std::uint8_t>(out.data(), probe), d, p), DecodeStatus::Junk);

        // The session counts each kind and changes nothing.
        Session server(Role::Server, key, 0);
        Capture sink;
        QCOMPARE(server.receive(Bytes(3, 0), 0, 1000, sink), RxVerdict::Junk);
        Bytes forged = good;
        forged[HeaderSize] ^= 1;
        QCOMPARE(server.receive(forged, 0, 1000, sink), RxVerdict::Forged);
        QCOMPARE(server.counters().droppedJunk, std::uint64_t(1));
        QCOMPARE(server.counters().droppedForged, std::uint64_t(1));
        QCOMPARE(server.sessionId(), std::uint32_t(0)); // a forged frame adopts no session
        QVERIFY(sink.delivered.empty());
        QCOMPARE(server.receive(good, 0, 1000, sink), RxVerdict::Delivered);
        QCOMPARE(sink.delivered.size(), std::size_t(1));
    }

    void windowAcceptsOnceAndForgetsTheOld()
    {
        ReplayWindow w;
        QCOMPARE(w.accept(0), ReplayWindow::Result::TooOld);
        QCOMPARE(w.accept(1), ReplayWindow::Result::Accepted);
        QCOMPARE(w.accept(1), ReplayWindow::Result::Duplicate);
        QCOMPARE(w.accept(3), ReplayWindow::Result::Accepted);
        QCOMPARE(w.accept(2), ReplayWindow::Result::Accepted); // late but new
        QCOMPARE(w.accept(2), ReplayWindow::Result::Duplicate);
        // Slide through many ring revolutions, one by one: each number once.
        for (std::uint64_t s = 4; s < 5 * ReplayWindow::Width; ++s) {
            QCOMPARE(w.accept(s), ReplayWindow::Result::Accepted);
            if (s % 97 == 0)
                QCOMPARE(w.accept(s - 50), ReplayWindow::Result::Duplicate);
        }
        const std::uint64_t top = w.top();
        // Just inside the window: remembered; beyond it: too old (never accepted twice).
        QCOMPARE(w.accept(top - (ReplayWindow::Width - 65)), ReplayWindow::Result::Duplicate);
        QCOMPARE(w.accept(top - ReplayWindow::Width), ReplayWindow::Result::TooOld);
        // A jump ahead of more than the window clears it; the old numbers are too old now.
        QCOMPARE(w.accept(top + 10 * ReplayWindow::Width), ReplayWindow::Result::Accepted);
        QCOMPARE(w.accept(top), ReplayWindow::Result::TooOld);
        QCOMPARE(w.accept(top + 10 * ReplayWindow::Width - 1), ReplayWindow::Result::Accepted);
        // A jump by less than the window keeps what was inside it, and the skipped numbers are new.
        const std::uint64_t t2 = w.top();
        QCOMPARE(w.accept(t2 + 1000), ReplayWindow::Result::Accepted);
        QCOMPARE(w.accept(t2 - 1), ReplayWindow::Result::Duplicate);
        QCOMPARE(w.accept(t2 + 500), ReplayWindow::Result::Accepted);
        QCOMPARE(w.accept(t2 + 500), ReplayWindow::Result::Duplicate);
        // Near the top of the 64-bit range.
        ReplayWindow high;
        QCOMPARE(high.accept(UINT64_MAX - 1), ReplayWindow::Result::Accepted);
        QCOMPARE(high.accept(UINT64_MAX), ReplayWindow::Result::Accepted);
        QCOMPARE(high.accept(UINT64_MAX - 1), ReplayWindow::Result::Duplicate);
    }

    void duplicateKeepsTheFirstCopy()
    {
        Net net;
        net.addPath(1, 5000);
        net.addPath(2, 20000);
        net.run(300); // probes answered: both paths answer
        QVERIFY(net.client.answering(1, net.now));
        QVERIFY(net.client.answering(2, net.now));
        for (int i = 0; i < 50; ++i) {
            net.send(Bytes {std::uint8_t(i), 1, 2, 3});
            net.run(10);
        }
        net.run(100);
        QCOMPARE(net.atServer.size(), std::size_t(50));
        for (int i = 0; i < 50; ++i)
            QCOMPARE(net.atServer[std::size_t(i)][0], std::uint8_t(i)); // in order, each once
        QCOMPARE(net.server.counters().droppedDup, std::uint64_t(50));  // the slow copies
        // Stats on both ends: the path RTTs are the simulated round trips.
        QVERIFY(qAbs(net.client.pathStats(1, net.now).rttUs - 10000) <= 1000);
        QVERIFY(qAbs(net.client.pathStats(2, net.now).rttUs - 40000) <= 1000);
        QCOMPARE(net.client.pathStats(1, net.now).probeLossPpm, 0u);
        QVERIFY(net.server.pathStats(1, net.now).rxPackets > 50);
        // The server answers over both paths the client used.
        for (int i = 0; i < 5; ++i)
            net.server.sendPayload(Bytes {9, std::uint8_t(i)}, net.now, net.serverSide);
        net.run(100);
        QCOMPARE(net.atClient.size(), std::size_t(5));
        QCOMPARE(net.client.counters().droppedDup, std::uint64_t(5));
    }

    void duplicateLosesNothingWhenAPathDies()
    {
        Net net;
        net.addPath(1, 5000);
        net.addPath(2, 8000);
        net.run(300);
        for (int i = 0; i < 300; ++i) {
            if (i == 100)
                net.links[1].dead = true; // cut
            if (i == 200)
                net.links[1].dead = false;
            net.send(Bytes {std::uint8_t(i), std::uint8_t(i >> 8)});
            net.run(10);
        }
        net.run(100);
        QCOMPARE(net.atServer.size(), std::size_t(300));
        QVERIFY(net.client.answering(1, net.now)); // came back
    }

    void replaysAndReflectionsAreDropped()
    {
        Net net;
        net.addPath(1, 5000);
        net.run(300);
        net.send(bytes("one"));
        net.run(20);
        QCOMPARE(net.atServer.size(), std::size_t(1));
        // Every frame the client ever sent, replayed to the server: nothing delivered again.
        const auto before = net.server.counters().droppedReplay;
        for (const auto &[path, frame] : net.clientSent)
            QCOMPARE(net.server.receive(frame, 0, net.now, net.serverSide), RxVerdict::Replay);
        QCOMPARE(net.server.counters().droppedReplay, before + net.clientSent.size());
        QCOMPARE(net.atServer.size(), std::size_t(1));
        // A client frame reflected back to the client is refused (direction bit).
        QCOMPARE(net.client.receive(net.clientSent.back().second, 1, net.now, net.clientSide), RxVerdict::Replay);
        // An authentic frame on another path's socket is refused too.
        net.server.sendPayload(bytes("back"), net.now, net.serverSide);
        QVERIFY(!net.flight.empty());
        const Bytes fromServer = net.flight.back().frame;
        QCOMPARE(net.client.receive(fromServer, 2, net.now, net.clientSide), RxVerdict::Replay);
        // An old session's frames do not displace the current one.
        Session fresh(Role::Server, net.key, 0);
        Capture sink;
        QCOMPARE(fresh.receive(net.clientSent.back().second, 0, net.now, sink), RxVerdict::Control);
        FrameHeader h;
        h.pathId = 1;
        h.session = 0x9999;
        h.seq = 1;
        h.pathSeq = 1;
        h.sendUs = 1; // older than what the current client sent
        std::array<std::uint8_t, MaxFrame> out {};
        const std::size_t n = encodeFrame(net.key, h, bytes("old"), out);
        QCOMPARE(fresh.receive(std::span<const std::uint8_t>(out.data(), n), 0, net.now + 1000, sink),
                 RxVerdict::Replay);
        QCOMPARE(fresh.sessionId(), std::uint32_t(0x1234));
        // ... unless the current one has been silent for a long time (a rebooted client).
        QCOMPARE(fresh.receive(std::span<const std::uint8_t>(out.data(), n), 0, net.now + 20'000'000, sink),
                 RxVerdict::Delivered);
        QCOMPARE(fresh.sessionId(), std::uint32_t(0x9999));
    }

    void forgedFramesNeverMoveTheWindow()
    {
        const Key key = makeKey(1);
        Session server(Role::Server, key, 0);
        Capture sink;
        auto frame = [](const Key &k, std::uint64_t seq, std::uint32_t pathSeq) {
            FrameHeader h;
            h.pathId = 1;
            h.session = 0x1234;
            h.seq = seq;
            h.pathSeq = pathSeq;
            h.sendUs = 10;
            std::array<std::uint8_t, MaxFrame> out {};
            const std::size_t n = encodeFrame(k, h, bytes("x"), out);
            return Bytes(out.begin(), out.begin() + std::ptrdiff_t(n));
        };
        QCOMPARE(server.receive(frame(key, 1, 1), 0, 1000, sink), RxVerdict::Delivered);
        // An attacker without the key jumps far ahead: refused before any window sees it.
        QCOMPARE(server.receive(frame(makeKey(2), 1'000'000, 1'000'000), 0, 2000, sink), RxVerdict::Forged);
        QCOMPARE(server.receive(frame(key, 2, 2), 0, 3000, sink), RxVerdict::Delivered);
        QCOMPARE(server.counters().droppedForged, std::uint64_t(1));
        // Late copies of old datagrams on a fresh path sequence: too old, not delivered.
        for (std::uint32_t i = 0; i < ReplayWindow::Width; ++i)
            server.receive(frame(key, 3 + i, 3 + i), 0, 4000, sink);
        QCOMPARE(server.receive(frame(key, 2, 100000), 0, 5000, sink), RxVerdict::TooOld);
        QCOMPARE(server.counters().droppedOld, std::uint64_t(1));
    }

    void inboundLossAndJitter()
    {
        Net net;
        net.options.lossEpochFrames = 100;
        net.server = Session(Role::Server, net.key, 0, net.options);
        net.addPath(1, 5000);
        net.run(10);
        // Drop every 10th frame the client sends on path 1.
        for (int i = 0; i < 400; ++i) {
            net.links[1].dead = i % 10 == 9;
            net.send(Bytes {1});
            net.run(1);
        }
        net.links[1].dead = false;
        net.run(20);
        const PathStats s = net.server.pathStats(1, net.now);
        QVERIFY2(s.lossPpm >= 80'000 && s.lossPpm <= 120'000, qPrintable(QString::number(s.lossPpm)));
        QCOMPARE(s.jitterUs, std::int64_t(0)); // constant delay
    }

    void bestPicksTheFastestAndSwitchesWithDuplicates()
    {
        Net net;
        net.addPath(1, 15000);
        net.addPath(2, 5000);
        net.addPath(3, 30000);
        net.client.setMode(Mode::Best);
        net.run(500);
        QCOMPARE(net.client.activePath(), std::uint8_t(2));
        net.clientSent.clear();
        net.send(bytes("a"));
        QCOMPARE(net.clientSent.size(), std::size_t(1)); // one copy, on path 2
        QCOMPARE(net.clientSent[0].first, std::uint8_t(2));
        net.run(50);

        // Path 2 stops answering (blackhole): the client moves to path 1 within T, at once.
        net.links[2].dead = true;
        const std::uint64_t cutAt = net.now;
        while (net.client.activePath() == 2 && net.now - cutAt < 2'000'000)
            net.run(1);
        QCOMPARE(net.client.activePath(), std::uint8_t(1));
        QVERIFY(net.now - cutAt <= net.options.deadAfterUs() + 2000);
        QCOMPARE(net.client.counters().switches, std::uint64_t(1));
        // The first N datagrams after the switch go over every path, then only over path 1.
        net.clientSent.clear();
        for (int i = 0; i < net.options.switchDuplicates + 5; ++i)
            net.send(Bytes {std::uint8_t(i)});
        std::map<std::uint8_t, int> perPath;
        for (const auto &[path, frame] : net.clientSent) {
            FrameHeader h;
            std::span<const std::uint8_t> p;
            QCOMPARE(decodeFrame(net.key, frame, h, p), DecodeStatus::Ok);
            if (h.type == FrameType::Data)
                ++perPath[path];
        }
        QCOMPARE(perPath[1], net.options.switchDuplicates + 5);
        QCOMPARE(perPath[2], net.options.switchDuplicates);
        QCOMPARE(perPath[3], net.options.switchDuplicates);

        // Path 1 gets lossy: loss-free path 3 wins although slower.
        net.run(200);
        for (int i = 0; i < 30; ++i) { // a probe lost every 300 ms, never long enough to be "dead"
            net.links[1].dead = i % 3 == 0;
            net.run(100);
            QVERIFY(net.client.answering(1, net.now));
        }
        QCOMPARE(net.client.activePath(), std::uint8_t(3));
        net.links[1].dead = false;
        // Path 2 comes back and is much faster: the client moves back once it has a clean record.
        net.links[2].dead = false;
        net.run(3000);
        QCOMPARE(net.client.activePath(), std::uint8_t(2));
    }

    // The server answers over the path the client chose, from the client's first datagram on it:
    // a WAN the client sets down (a cut it saw on netlink) moves both directions at once, without
    // waiting for the server's own T of unanswered probes.
    void serverFollowsTheClientsChoice()
    {
        Net net;
        net.addPath(1, 5000);
        net.addPath(2, 9000);
        net.client.setMode(Mode::Best);
        net.run(300);
        net.send(bytes("a"));
        net.run(50);
        QCOMPARE(net.client.activePath(), std::uint8_t(1));
        QCOMPARE(net.server.activePath(), std::uint8_t(1));
        // The client takes path 1 down: its next datagram goes over path 2, marked as its choice,
        // and the server's answer to it already goes over path 2.
        QVERIFY(net.client.setAdminUp(1, false));
        net.send(bytes("b"));
        QCOMPARE(net.client.activePath(), std::uint8_t(2));
        net.run(10); // path 2 delivers it (9 ms)
        QCOMPARE(net.server.activePath(), std::uint8_t(2));
        // And stays there while the client keeps choosing it.
        for (int i = 0; i < 10; ++i) {
            net.send(Bytes {std::uint8_t(i)});
            net.run(100);
        }
        QCOMPARE(net.server.activePath(), std::uint8_t(2));
    }

    void removingTheActivePathDuplicatesTheNextDatagrams()
    {
        Net net;
        net.addPath(1, 5000);
        net.addPath(2, 9000);
        net.client.setMode(Mode::Best);
        net.run(300);
        QCOMPARE(net.client.activePath(), std::uint8_t(1));
        QVERIFY(net.client.removePath(1));
        QVERIFY(!net.client.removePath(1));
        net.clientSent.clear();
        net.send(bytes("z"));
        QCOMPARE(net.clientSent.size(), std::size_t(1));
        QCOMPARE(net.clientSent[0].first, std::uint8_t(2));
        QCOMPARE(net.client.activePath(), std::uint8_t(2));
        // A path removed and added again under the same id still gets through the peer's window.
        net.run(300);
        net.atServer.clear();
        QVERIFY(net.client.addPath(1));
        QVERIFY(net.client.removePath(2));
        net.send(bytes("again"));
        net.run(50);
        QCOMPARE(net.atServer.size(), std::size_t(1));
        QVERIFY(net.client.addPath(2));
        QVERIFY(net.client.removePath(1));
        // An administratively downed path carries nothing.
        QVERIFY(net.client.addPath(1));
        QVERIFY(net.client.setAdminUp(1, false));
        net.client.setMode(Mode::Duplicate);
        net.run(300);
        net.clientSent.clear();
        net.send(bytes("y"));
        QCOMPARE(net.clientSent.size(), std::size_t(1));
        QCOMPARE(net.clientSent[0].first, std::uint8_t(2));
    }

    void argumentsAreCheckedStrictly()
    {
        QVERIFY(isValidInterfaceName("eth0"));
        QVERIFY(isValidInterfaceName("br-lan.100@x_1"));
        QVERIFY(!isValidInterfaceName(""));
        QVERIFY(!isValidInterfaceName("-eth0"));
        QVERIFY(!isValidInterfaceName("$(reboot)"));
        QVERIFY(!isValidInterfaceName("a234567890123456"));
        QVERIFY(parseEndpoint("127.0.0.1:51820").has_value());
        QVERIFY(!parseEndpoint("127.0.0.1:0"));
        QVERIFY(!parseEndpoint("127.0.0.1:65536"));
        QVERIFY(!parseEndpoint("127.0.0.1"));
        QVERIFY(!parseEndpoint("localhost:1"));
        QVERIFY(!parseEndpoint("1.2.3.4:5x"));
        QVERIFY(parsePathSpec("1=wan0,100.64.1.2").has_value());
        QVERIFY(!parsePathSpec("0=wan0,100.64.1.2"));
        QVERIFY(!parsePathSpec("17=wan0,100.64.1.2"));
        QVERIFY(!parsePathSpec("1=wan;0,100.64.1.2"));
        QVERIFY(!parsePathSpec("1=wan0"));
        std::string error;
        const char *good[] = {"relay",           "--role",         "client",   "--key-file",   "/k",
                              "--local",         "127.0.0.1:5000", "--server", "1.2.3.4:9000", "--path",
                              "1=wan0,10.0.0.2", "--mode",         "best"};
        const auto options = parseOptions(13, good, error);
        QVERIFY2(options.has_value(), error.c_str());
        QVERIFY(options->best);
        QCOMPARE(options->paths.size(), std::size_t(1));
        const char *dupPath[] = {"relay",        "--role",         "client",      "--key-file",   "/k",
                                 "--local",      "127.0.0.1:5000", "--server",    "1.2.3.4:9000", "--path",
                                 "1=a,10.0.0.2", "--path",         "1=b,10.0.0.3"};
        QVERIFY(!parseOptions(13, dupPath, error));
        const char *serverWithPath[] = {"relay",       "--role",       "server",    "--key-file",      "/k",
                                        "--listen",    "0.0.0.0:9000", "--forward", "127.0.0.1:51820", "--path",
                                        "1=a,10.0.0.2"};
        QVERIFY(!parseOptions(11, serverWithPath, error));
        const char *missingValue[] = {"relay", "--role"};
        QVERIFY(!parseOptions(2, missingValue, error));
        const char *noKey[] = {"relay", "--role", "server", "--listen", "0.0.0.0:9000", "--forward", "127.0.0.1:1"};
        QVERIFY(!parseOptions(7, noKey, error));
        Key key {};
        const std::string hex(64, 'a');
        QVERIFY(parseKeyHex(std::span<const char>(hex.data(), hex.size()), key));
        QCOMPARE(key[0], std::uint8_t(0xaa));
        const std::string shortHex(62, 'a'), badHex = std::string(63, 'a') + "g";
        QVERIFY(!parseKeyHex(std::span<const char>(shortHex.data(), shortHex.size()), key));
        QVERIFY(!parseKeyHex(std::span<const char>(badHex.data(), badHex.size()), key));
    }
};

QTEST_GUILESS_MAIN(TestRelay)
#include "tst_relay.moc"

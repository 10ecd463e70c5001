// SPDX-License-Identifier: GPL-3.0-or-later
// WireGuardUapi against a real wireguard-go (root, in a private network namespace): what the
// server relies on is that a configuration set through the control socket is what wireguard-go
// then reports, that keys made with libsodium are the keys WireGuard uses (two ends configured
// this way complete a handshake), that wireguard-go's refusal comes back as an error, and that
// values which could inject a line into the request never reach the socket.
#include "NetworkNamespace.h"
#include "PairingCode.h"
#include "WireGuardUapi.h"

#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtTest/QTest>

#include <functional>
#include <memory>

using namespace smoothwan;

class TestWireGuardUapi : public QObject
{
    Q_OBJECT

private:
    QString m_noRoot;
    QString m_wireguardGo;
    std::vector<std::unique_ptr<QProcess>> m_daemons;

    static bool waitFor(const std::function<bool()> &condition, int ms = 10000)
    {
        for (int waited = 0; waited < ms; waited += 50) {
            if (condition())
                return true;
            QTest::qWait(50);
        }
        return condition();
    }

    // wireguard-go in the foreground on a fresh interface (unique per run: the sockets in
    // /var/run/wireguard are shared by every namespace).
    QString startDaemon(const QString &tag)
    {
        const QString name = QStringLiteral("swu%1%2").arg(tag).arg(::getpid());
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start(m_wireguardGo, {QStringLiteral("-f"), name});
        if (!process->waitForStarted(5000))
            return {};
        m_daemons.push_back(std::move(process));
        WireGuardUapi uapi(name);
        if (!waitFor([&] { return uapi.exists(); }))
            return {};
        return name;
    }

    // Why the wireguard-go tests cannot run here, or empty. (QSKIP must be in the test function
    // itself: in a helper it would only return from the helper.)
    QString skipReason() const
    {
        if (!m_noRoot.isEmpty())
            return m_noRoot;
        if (m_wireguardGo.isEmpty())
            return QStringLiteral("needs wireguard-go (scripts/install-deps.sh)");
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_noRoot = test::enterNetworkNamespace();
        m_wireguardGo = QStandardPaths::findExecutable(QStringLiteral("wireguard-go"));
    }

    void cleanupTestCase()
    {
        for (auto &p : m_daemons) {
            p->terminate();
            if (!p->waitForFinished(5000)) {
                p->kill();
                p->waitForFinished();
            }
        }
    }

    // The request is the documented UAPI text, in order.
    void setRequestIsTheUapiText()
    {
        WireGuardUapi::Config c;
        c.privateKey = QByteArray(32, '\x01');
        c.listenPort = 51820;
        WireGuardUapi::Peer p;
        p.publicKey = QByteArray(32, '\x02');
        p.endpoint = QStringLiteral("127.0.0.1:7401");
        p.allowedIps = {QStringLiteral("10.201.0.0/24"), QStringLiteral("0.0.0.0/0")};
        p.persistentKeepalive = 25;
        c.peers = {p};
        QString error;
        const auto r = WireGuardUapi::setRequest(c, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(*r,
                 QByteArray("set=1\nprivate_key=" + QByteArray(32, '\x01').toHex() +
                            "\nlisten_port=51820\nreplace_peers=true\npublic_key=" + QByteArray(32, '\x02').toHex() +
                            "\nendpoint=127.0.0.1:7401\npersistent_keepalive_interval=25\n"
                            "replace_allowed_ips=true\nallowed_ip=10.201.0.0/24\nallowed_ip=0.0.0.0/0\n\n"));
    }

    void injectionIsRefusedBeforeSending_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("allowedIp");
        QTest::newRow("newline in endpoint") << QStringLiteral("1.2.3.4:5\nprivate_key=00") << QString();
        QTest::newRow("hostname endpoint") << QStringLiteral("example.com:51820") << QString();
        QTest::newRow("port 0") << QStringLiteral("1.2.3.4:0") << QString();
        QTest::newRow("port 70000") << QStringLiteral("1.2.3.4:70000") << QString();
        QTest::newRow("bare v6") << QStringLiteral("2001:db8::1:51820") << QString();
        QTest::newRow("newline in allowed ip") << QString() << QStringLiteral("10.0.0.0/8\nlisten_port=1");
        QTest::newRow("prefix 33") << QString() << QStringLiteral("10.0.0.0/33");
        QTest::newRow("no prefix") << QString() << QStringLiteral("10.0.0.1");
        QTest::newRow("shell") << QString() << QStringLiteral("$(reboot)/8");
    }

    void injectionIsRefusedBeforeSending()
    {
        QFETCH(QString, endpoint);
        QFETCH(QString, allowedIp);
        WireGuardUapi::Config c;
        WireGuardUapi::Peer p;
        p.publicKey = QByteArray(32, '\x02');
        p.endpoint = endpoint;
        if (!allowedIp.isEmpty())
            p.allowedIps = {allowedIp};
        c.peers = {p};
        QString error;
        QVERIFY(!WireGuardUapi::setRequest(c, &error));
        QVERIFY(!error.isEmpty());
        // A valid v6 endpoint and allowed IP pass.
        p.endpoint = QStringLiteral("[2001:db8::1]:51820");
        p.allowedIps = {QStringLiteral("2001:db8::/64")};
        c.peers = {p};
        QVERIFY(WireGuardUapi::setRequest(c, &error));
        // Keys of the wrong size never go out.
        c.privateKey = QByteArray(31, 'x');
        QVERIFY(!WireGuardUapi::setRequest(c, &error));
        // Nor does an interface name that is not one.
        WireGuardUapi bad(QStringLiteral("../../etc/x"), QStringLiteral("/tmp"));
        QVERIFY(!bad.get(&error));
        QVERIFY(error.contains(QLatin1String("invalid interface name")));
    }

    void parseGetReadsPeersAndCounters()
    {
        const QByteArray reply = "private_key=" + QByteArray(32, '\x01').toHex() +
                                 "\nlisten_port=51820\npublic_key=" + QByteArray(32, '\x02').toHex() +
                                 "\npreshared_key=" + QByteArray(32, '\0').toHex() +
                                 "\nprotocol_version=1\nendpoint=127.0.0.1:7401\nlast_handshake_time_sec=1700000000\n"
                                 "last_handshake_time_nsec=5\ntx_bytes=1000\nrx_bytes=2000\n"
                                 "persistent_keepalive_interval=25\nallowed_ip=10.201.0.0/24\nerrno=0\n\n";
        QString error;
        const auto d = WireGuardUapi::parseGet(reply, &error);
        QVERIFY2(d, qPrintable(error));
        QCOMPARE(d->listenPort, 51820);
        QCOMPARE(d->peers.size(), 1);
        QCOMPARE(d->peers[0].publicKey, QByteArray(32, '\x02'));
        QVERIFY(d->peers[0].presharedKey.isEmpty());
        QCOMPARE(d->peers[0].endpoint, QStringLiteral("127.0.0.1:7401"));
        QCOMPARE(d->peers[0].allowedIps, QStringList {QStringLiteral("10.201.0.0/24")});
        QCOMPARE(d->peers[0].rxBytes, quint64(2000));
        QCOMPARE(d->peers[0].lastHandshakeSec, qint64(1700000000));
        QVERIFY(!WireGuardUapi::parseGet("errno=22\n\n", &error));
        QVERIFY(!WireGuardUapi::parseGet("listen_port=1\n", &error)); // cut short
    }

    void setThenGetAgainstWireguardGo()
    {
        if (const QString why = skipReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString name = startDaemon(QStringLiteral("a"));
        QVERIFY(!name.isEmpty());
        WireGuardUapi uapi(name);
        const auto own = wireguard::generateKeyPair();
        const auto peer = wireguard::generateKeyPair();
        WireGuardUapi::Config c;
        c.privateKey = own.privateKey;
        c.listenPort = 0; // let it choose: no clash with anything else on the machine
        WireGuardUapi::Peer p;
        p.publicKey = peer.publicKey;
        p.presharedKey = wireguard::randomBytes(32);
        p.endpoint = QStringLiteral("127.0.0.1:9");
        p.allowedIps = {QStringLiteral("10.201.0.0/24"), QStringLiteral("2001:db8::/64")};
        p.persistentKeepalive = 7;
        c.peers = {p};
        QString error;
        QVERIFY2(uapi.set(c, &error), qPrintable(error));
        auto d = uapi.get(&error);
        QVERIFY2(d, qPrintable(error));
        QCOMPARE(d->privateKey, own.privateKey);
        QVERIFY(d->listenPort > 0);
        QCOMPARE(d->peers.size(), 1);
        QCOMPARE(d->peers[0].publicKey, peer.publicKey);
        QCOMPARE(d->peers[0].presharedKey, p.presharedKey);
        QCOMPARE(d->peers[0].endpoint, p.endpoint);
        QCOMPARE(d->peers[0].persistentKeepalive, 7);
        QStringList ips = d->peers[0].allowedIps;
        ips.sort();
        QCOMPARE(ips, (QStringList {QStringLiteral("10.201.0.0/24"), QStringLiteral("2001:db8::/64")}));
        // replace_peers: setting again with no peers leaves none.
        c.peers.clear();
        QVERIFY2(uapi.set(c, &error), qPrintable(error));
        QCOMPARE(uapi.get(&error)->peers.size(), 0);
    }

    // bringUp: the address (replacing the one before), the MTU and the link state, over
    // rtnetlink; bad input refused before anything is sent, a missing device named.
    void bringUpSetsAddressMtuAndState()
    {
        if (const QString why = skipReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString name = startDaemon(QStringLiteral("u"));
        QVERIFY(!name.isEmpty());
        WireGuardUapi uapi(name);
        QString error;
        QVERIFY2(uapi.bringUp(QStringLiteral("10.203.0.2/24"), 1368, &error), qPrintable(error));
        QVERIFY2(uapi.bringUp(QStringLiteral("10.203.0.3/24"), 1360, &error), qPrintable(error));
        QProcess ip;
        ip.start(QStringLiteral("ip"), {QStringLiteral("-o"), QStringLiteral("address"), QStringLiteral("show"),
                                        QStringLiteral("dev"), name});
        QVERIFY(ip.waitForFinished(5000));
        const QByteArray addresses = ip.readAllStandardOutput();
        QVERIFY2(addresses.contains("10.203.0.3/24"), addresses.constData());
        ip.start(QStringLiteral("ip"),
                 {QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show"), QStringLiteral("dev"), name});
        QVERIFY(ip.waitForFinished(5000));
        const QByteArray link = ip.readAllStandardOutput();
        QVERIFY2(link.contains("mtu 1360") && link.contains(",UP"), link.constData());
        for (const QString &bad : {QStringLiteral("10.203.0.2"), QStringLiteral("10.203.0.2/33"),
                                   QStringLiteral("2001:db8::1/64"), QStringLiteral("10.203.0.2/24 dev lo")}) {
            QVERIFY(!uapi.bringUp(bad, 1368, &error));
            QVERIFY2(error.contains(QLatin1String("IPv4")), qPrintable(error));
        }
        QVERIFY(!uapi.bringUp(QStringLiteral("10.203.0.2/24"), 100, &error));
        QVERIFY(!WireGuardUapi(QStringLiteral("swnosuch%1").arg(::getpid()))
                     .bringUp(QStringLiteral("10.203.0.2/24"), 1368, &error));
        QVERIFY2(error.contains(QLatin1String("no interface")), qPrintable(error));
    }

    // Two wireguard-go ends configured only through the UAPI with libsodium's keys shake hands.
    void twoEndsConfiguredThroughTheUapiShakeHands()
    {
        if (const QString why = skipReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString a = startDaemon(QStringLiteral("b")), b = startDaemon(QStringLiteral("c"));
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        QVERIFY(
            test::runIp({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}));
        const auto ka = wireguard::generateKeyPair(), kb = wireguard::generateKeyPair();
        constexpr int PortA = 51901, PortB = 51902;
        WireGuardUapi ua(a), ub(b);
        QString error;
        WireGuardUapi::Config ca;
        ca.privateKey = ka.privateKey;
        ca.listenPort = PortA;
        ca.peers = {
            {kb.publicKey, {}, QStringLiteral("127.0.0.1:%1").arg(PortB), {QStringLiteral("10.202.0.2/32")}, 1}};
        WireGuardUapi::Config cb;
        cb.privateKey = kb.privateKey;
        cb.listenPort = PortB;
        cb.peers = {{ka.publicKey, {}, {}, {QStringLiteral("10.202.0.1/32")}, 0}};
        QVERIFY2(ub.set(cb, &error), qPrintable(error));
        QVERIFY2(ua.set(ca, &error), qPrintable(error));
        for (const QString &name : {a, b})
            QVERIFY(test::runIp({QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up")}));
        QVERIFY2(waitFor(
                     [&] {
                         const auto d = ub.get(&error);
                         return d && !d->peers.isEmpty() && d->peers[0].lastHandshakeSec > 0;
                     },
                     20000),
                 "no handshake between two ends configured through the UAPI");
        const auto da = ua.get(&error);
        QVERIFY(da && da->peers[0].lastHandshakeSec > 0 && da->peers[0].rxBytes > 0);
    }

    void refusalComesBackAsAnError()
    {
        if (const QString why = skipReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString name = startDaemon(QStringLiteral("d"));
        QVERIFY(!name.isEmpty());
        WireGuardUapi uapi(name);
        QString error;
        // A port another socket holds: wireguard-go cannot bind and says so.
        WireGuardUapi::Config c;
        c.listenPort = 51903;
        QVERIFY2(uapi.set(c, &error), qPrintable(error));
        const QString other = startDaemon(QStringLiteral("e"));
        QVERIFY(!other.isEmpty());
        QVERIFY(!WireGuardUapi(other).set(c, &error));
        QVERIFY2(error.contains(QLatin1String("refused")), qPrintable(error));
        // No daemon behind the name: a clear error, no hang.
        WireGuardUapi missing(QStringLiteral("swunone%1").arg(::getpid()));
        QVERIFY(!missing.exists());
        QVERIFY(!missing.get(&error));
        QVERIFY2(error.contains(QLatin1String("is wireguard-go running")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestWireGuardUapi)
#include "tst_wireguard_uapi.moc"

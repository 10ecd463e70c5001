// SPDX-License-Identifier: GPL-3.0-or-later
// The pairing code smoothwan-server prints and the router imports: what a user checks is that a
// code read back gives exactly what the server wrote, and that a mistyped, truncated, foreign or
// hostile code is refused with a message that says so, never half-accepted.
#include "PairingCode.h"

#include <QtTest/QTest>

using namespace smoothwan;

namespace {

QByteArray pattern(int size, int seed)
{
    QByteArray b(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        b[i] = char((i * 37 + seed * 101 + 1) & 0xff);
    return b;
}

PairingCode sample(const QString &address = QStringLiteral("203.0.113.7"))
{
    PairingCode c;
    c.serverAddress = address;
    c.relayPort = 51821;
    c.shadowsocksPort = 8388;
    c.serverPublicKey = wireguard::publicKeyOf(pattern(32, 1));
    c.clientPrivateKey = pattern(32, 2);
    c.relayKey = pattern(32, 3);
    c.clientTunnelAddress = QStringLiteral("10.201.0.2");
    c.serverTunnelAddress = QStringLiteral("10.201.0.1");
    c.tunnelPrefix = 24;
    c.shadowsocksPassword = pattern(16, 4);
    return c;
}

} // namespace

class TestPairingCode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("address");
        QTest::newRow("ipv4") << QStringLiteral("203.0.113.7");
        QTest::newRow("ipv6") << QStringLiteral("2001:db8::7");
    }

    void roundTrip()
    {
        QFETCH(QString, address);
        const PairingCode c = sample(address);
        QString error;
        const QString text = c.encode(&error);
        QVERIFY2(!text.isEmpty(), qPrintable(error));
        QVERIFY(text.startsWith(QLatin1String("swpair1:")));
        const auto r = PairingCode::parse(text);
        QVERIFY2(r.code, qPrintable(r.message));
        QCOMPARE(r.error, PairingCode::Error::None);
        QCOMPARE(*r.code, c);
        // A pasted line with whitespace around it is still the same code.
        QCOMPARE(*PairingCode::parse(QStringLiteral("  ") + text + QStringLiteral("\r\n")).code, c);
        // Generated keys and secrets survive too.
        PairingCode g = c;
        const auto server = wireguard::generateKeyPair();
        g.serverPublicKey = server.publicKey;
        g.clientPrivateKey = wireguard::generateKeyPair().privateKey;
        g.relayKey = wireguard::randomBytes(32);
        g.shadowsocksPassword = wireguard::randomBytes(16);
        QCOMPARE(*PairingCode::parse(g.encode()).code, g);
    }

    void codeHoldsNoShellMetacharacters()
    {
        for (int i = 0; i < 200; ++i) {
            PairingCode c = sample(i % 2 ? QStringLiteral("2001:db8::1") : QStringLiteral("198.51.100.1"));
            c.clientPrivateKey = wireguard::randomBytes(32);
            c.relayKey = wireguard::randomBytes(32);
            c.serverPublicKey = wireguard::randomBytes(32);
            c.shadowsocksPassword = wireguard::randomBytes(16);
            const QString text = c.encode();
            QVERIFY(!text.isEmpty());
            for (QChar ch : text) {
                const bool safe =
                    ch.isLetterOrNumber() || ch == QLatin1Char('-') || ch == QLatin1Char('_') || ch == QLatin1Char(':');
                QVERIFY2(safe && ch.unicode() < 128, qPrintable(text));
            }
            // The password ss-server gets is hex: no quoting needed in its JSON configuration.
            QCOMPARE(c.shadowsocksPasswordText().size(), 32);
        }
    }

    // Any single character replaced by any other character of the alphabet is caught.
    void everySingleCharacterChangeIsDetected()
    {
        const QString text = sample().encode();
        const QString alphabet = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        int tried = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QString candidates = i < 8 ? alphabet + QStringLiteral(":2") : alphabet;
            for (QChar ch : candidates) {
                if (ch == text.at(i))
                    continue;
                QString changed = text;
                changed[i] = ch;
                const auto r = PairingCode::parse(changed);
                QVERIFY2(!r.code, qPrintable(QStringLiteral("accepted a change at %1").arg(i)));
                QVERIFY(!r.message.isEmpty());
                ++tried;
            }
        }
        QVERIFY(tried > 10000);
        // Two neighbours swapped (the other common typo).
        for (qsizetype i = 8; i + 1 < text.size(); ++i) {
            if (text.at(i) == text.at(i + 1))
                continue;
            QString swapped = text;
            std::swap(swapped[i], swapped[i + 1]);
            QVERIFY(!PairingCode::parse(swapped).code);
        }
    }

    void mistypedCodeSaysSo()
    {
        QString text = sample().encode();
        text[40] = text.at(40) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        const auto r = PairingCode::parse(text);
        QCOMPARE(r.error, PairingCode::Error::ChecksumMismatch);
        QVERIFY2(r.message.contains(QLatin1String("mistyped or truncated")), qPrintable(r.message));
    }

    void truncatedCodeIsRefused()
    {
        const QString text = sample().encode();
        for (qsizetype n = 0; n < text.size(); ++n) {
            const auto r = PairingCode::parse(text.left(n));
            QVERIFY(!r.code);
            if (n > 8)
                QVERIFY2(r.message.contains(QLatin1String("truncated")), qPrintable(r.message));
        }
        // One character too many, too.
        QVERIFY(!PairingCode::parse(text + QLatin1Char('A')).code);
    }

    void wrongVersionIsNamed()
    {
        QString text = sample().encode();
        text.replace(0, 8, QStringLiteral("swpair2:"));
        auto r = PairingCode::parse(text);
        QCOMPARE(r.error, PairingCode::Error::WrongVersion);
        QVERIFY2(r.message.contains(QLatin1String("version 2")), qPrintable(r.message));
        QVERIFY(r.message.contains(QLatin1String("update the router")));
        r = PairingCode::parse(QStringLiteral("swpair0:AAAA"));
        QCOMPARE(r.error, PairingCode::Error::WrongVersion);
    }

    void hostileStringsAreRefused_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("error");
        const QString good = sample().encode();
        const QString body = good.mid(8);
        QTest::newRow("empty") << QString() << int(PairingCode::Error::Empty);
        QTest::newRow("blank") << QStringLiteral(" \n\t ") << int(PairingCode::Error::Empty);
        QTest::newRow("other prefix") << QStringLiteral("wg://") + body << int(PairingCode::Error::BadPrefix);
        QTest::newRow("no colon") << QStringLiteral("swpair1") + body << int(PairingCode::Error::BadPrefix);
        QTest::newRow("prefix letters") << QStringLiteral("swpairX:") + body << int(PairingCode::Error::BadPrefix);
        QTest::newRow("huge version") << QStringLiteral("swpair99999999999:") + body
                                      << int(PairingCode::Error::BadPrefix);
        QTest::newRow("command") << QStringLiteral("swpair1:$(reboot)") << int(PairingCode::Error::BadCharacter);
        QTest::newRow("semicolon") << QStringLiteral("swpair1:") + body.left(100) + QStringLiteral(";rm -rf /")
                                   << int(PairingCode::Error::BadCharacter);
        QTest::newRow("inner newline") << QStringLiteral("swpair1:") + body.left(90) + QLatin1Char('\n') + body.mid(90)
                                       << int(PairingCode::Error::BadCharacter);
        QTest::newRow("inner space") << QStringLiteral("swpair1:") + body.left(90) + QLatin1Char(' ') + body.mid(91)
                                     << int(PairingCode::Error::BadCharacter);
        QTest::newRow("nul") << QStringLiteral("swpair1:") + body.left(90) + QChar(0) + body.mid(91)
                             << int(PairingCode::Error::BadCharacter);
        QTest::newRow("standard base64") << QStringLiteral("swpair1:") + body.left(90) + QLatin1Char('+') + body.mid(91)
                                         << int(PairingCode::Error::BadCharacter);
        QTest::newRow("padding") << good + QStringLiteral("==") << int(PairingCode::Error::BadCharacter);
        QTest::newRow("non-latin") << QStringLiteral("swpair1:") + body.left(90) + QChar(0x00e9) + body.mid(91)
                                   << int(PairingCode::Error::BadCharacter);
        QTest::newRow("megabyte") << QString(1 << 20, QLatin1Char('A')) << int(PairingCode::Error::TooLong);
        QTest::newRow("wrong length") << QStringLiteral("swpair1:") + QString(120, QLatin1Char('A'))
                                      << int(PairingCode::Error::BadLength);
    }

    void hostileStringsAreRefused()
    {
        QFETCH(QString, text);
        QFETCH(int, error);
        const auto r = PairingCode::parse(text);
        QVERIFY(!r.code);
        QCOMPARE(int(r.error), error);
        QVERIFY(r.message.startsWith(QLatin1String("invalid pairing code: ")));
        QVERIFY(r.message.size() < 400); // the input is never echoed back in full
    }

    // A well-formed code (right checksum) whose fields are wrong is refused naming the field.
    void badFieldsAreNamed_data()
    {
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("mentions");
        // IPv4 layout: 0 version, 1 family, 2 address, 6 relay port, 8 ss port, 10 server key,
        // 42 client key, 74 relay key, 106 client tunnel, 110 server tunnel, 114 prefix, 115 password.
        QTest::newRow("unspecified address") << 2 << QByteArray(4, '\0') << QStringLiteral("server address");
        QTest::newRow("multicast address")
            << 2 << QByteArray("\xe0\x00\x00\x01", 4) << QStringLiteral("server address");
        QTest::newRow("relay port 0") << 6 << QByteArray(2, '\0') << QStringLiteral("relay port");
        QTest::newRow("ss port 0") << 8 << QByteArray(2, '\0') << QStringLiteral("ss-server port");
        QTest::newRow("zero server key") << 10 << QByteArray(32, '\0') << QStringLiteral("public key");
        QTest::newRow("zero client key") << 42 << QByteArray(32, '\0') << QStringLiteral("private key");
        QTest::newRow("zero relay key") << 74 << QByteArray(32, '\0') << QStringLiteral("relay key");
        QTest::newRow("same tunnel addresses") << 106 << QByteArray("\x0a\xc9\x00\x01", 4) << QStringLiteral("same");
        QTest::newRow("other subnet") << 106 << QByteArray("\x0a\xca\x00\x02", 4) << QStringLiteral("not in one");
        QTest::newRow("prefix 31") << 114 << QByteArray("\x1f", 1) << QStringLiteral("prefix");
        QTest::newRow("family 5") << 1 << QByteArray("\x05", 1) << QStringLiteral("family");
        QTest::newRow("inner version 2") << 0 << QByteArray("\x02", 1) << QStringLiteral("version 2");
    }

    void badFieldsAreNamed()
    {
        QFETCH(int, offset);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, mentions);
        const QString text = sample().encode();
        QByteArray blob = QByteArray::fromBase64(text.mid(8).toLatin1(), QByteArray::Base64UrlEncoding);
        QCOMPARE(blob.size(), 135);
        blob.replace(offset, bytes.size(), bytes);
        blob.chop(4);
        // Re-sealed with a correct checksum, as a buggy or hostile server would.
        blob.append(checksumOf(blob));
        const QString resealed =
            QStringLiteral("swpair1:") +
            QString::fromLatin1(blob.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        const auto r = PairingCode::parse(resealed);
        QVERIFY(!r.code);
        QVERIFY2(r.error == PairingCode::Error::BadField || r.error == PairingCode::Error::WrongVersion,
                 qPrintable(r.message));
        QVERIFY2(r.message.contains(mentions), qPrintable(r.message));
    }

    void encodeRefusesInvalidFields()
    {
        PairingCode c = sample();
        c.serverAddress = QStringLiteral("example.com; reboot");
        QString error;
        QVERIFY(c.encode(&error).isEmpty());
        QVERIFY(error.contains(QLatin1String("server address")));
        c = sample();
        c.clientPrivateKey.chop(1);
        QVERIFY(c.encode(&error).isEmpty());
        QVERIFY(error.contains(QLatin1String("private key")));
    }

    // Keys are the ones `wg` makes: clamped private keys, public keys by X25519, 44-character base64.
    void wireGuardKeys()
    {
        const auto pair = wireguard::generateKeyPair();
        QCOMPARE(pair.privateKey.size(), 32);
        QCOMPARE(quint8(pair.privateKey[0]) & 7, 0);
        QCOMPARE(quint8(pair.privateKey[31]) & 0xc0, 0x40);
        QCOMPARE(wireguard::publicKeyOf(pair.privateKey), pair.publicKey);
        QVERIFY(wireguard::generateKeyPair().privateKey != pair.privateKey);
        // RFC 7748 section 6.1: Alice's key pair.
        const QByteArray alice =
            QByteArray::fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        QCOMPARE(wireguard::publicKeyOf(alice).toHex(),
                 QByteArray("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        const QString b64 = wireguard::toBase64(pair.publicKey);
        QCOMPARE(b64.size(), 44);
        QCOMPARE(wireguard::fromBase64(b64), pair.publicKey);
        QVERIFY(wireguard::fromBase64(b64.left(43)).isEmpty());
        QVERIFY(wireguard::fromBase64(QStringLiteral("$(reboot)")).isEmpty());
        QVERIFY(wireguard::publicKeyOf(QByteArray(31, 'x')).isEmpty());
    }

private:
    static QByteArray checksumOf(const QByteArray &payload);
};

// The same BLAKE2b-256 prefix the code uses, through QtCore's implementation: an independent
// check that the format is what the header documents.
#include <QtCore/QCryptographicHash>
QByteArray TestPairingCode::checksumOf(const QByteArray &payload)
{
    return QCryptographicHash::hash(payload, QCryptographicHash::Blake2b_256).left(4);
}

QTEST_GUILESS_MAIN(TestPairingCode)
#include "tst_pairingcode.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpeedifyParser.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {
QByteArray golden(const char *name)
{
    QFile f(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/tests/unit/golden/speedify/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing golden file %s", name);
    return f.readAll();
}

QJsonValue onlyDocument(const char *name)
{
    const auto docs = SpeedifyParser::documents(golden(name));
    if (!docs || docs->size() != 1)
        qFatal("golden file %s does not hold exactly one document", name);
    return docs->first();
}
} // namespace

class TestSpeedifyParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stateInBothFramings()
    {
        QCOMPARE(SpeedifyParser::parseState(onlyDocument("state.s.txt")), SpeedifyState::Connected);
        QCOMPARE(SpeedifyParser::parseState(onlyDocument("state.pretty.txt")), SpeedifyState::LoggedIn);
        QCOMPARE(speedifyStateName(SpeedifyState::AutoConnecting), QStringLiteral("AUTO_CONNECTING"));
        QCOMPARE(speedifyStateFromString(QStringLiteral("OVERLIMIT")), SpeedifyState::Overlimit);
        QCOMPARE(speedifyStateFromString(QStringLiteral("SOMETHING_NEW")), SpeedifyState::Unknown);
    }

    void severalPrettyDocumentsSeparatedByBlankLines()
    {
        const auto docs = SpeedifyParser::documents(golden("login_then_state.pretty.txt"));
        QVERIFY(docs);
        QCOMPARE(docs->size(), 2);
        QCOMPARE(SpeedifyParser::parseState(docs->last()), SpeedifyState::LoggedIn);
    }

    void adaptersFieldByField()
    {
        const QList<SpeedifyAdapterInfo> a = SpeedifyParser::parseAdapters(onlyDocument("adapters.pretty.txt"));
        QCOMPARE(a.size(), 2);
        QCOMPARE(a[0].adapterId, QStringLiteral("eth0"));
        QCOMPARE(a[0].name, QStringLiteral("Ethernet"));
        QCOMPARE(a[0].description, QStringLiteral("Realtek RTL8153"));
        QCOMPARE(a[0].state, QStringLiteral("connected"));
        QCOMPARE(a[0].type, QStringLiteral("Ethernet"));
        QCOMPARE(a[0].priority, QStringLiteral("automatic"));
        QCOMPARE(a[0].workingPriority, QStringLiteral("always"));
        QCOMPARE(a[0].isp, QStringLiteral("Comcast Cable"));
        QCOMPARE(a[0].rateLimitDownBps, 0);
        QCOMPARE(a[0].dataUsage.usageDaily, 123456789);
        QCOMPARE(a[0].dataUsage.usageMonthly, 9876543210LL); // beyond 32 bits
        QCOMPARE(a[0].directionalUpload, QStringLiteral("on"));
        QCOMPARE(a[1].adapterId, QStringLiteral("wwan0"));
        QCOMPARE(a[1].state, QStringLiteral("connecting"));
        QCOMPARE(a[1].priority, QStringLiteral("backup"));
        QCOMPARE(a[1].rateLimitDownBps, 5000000); // a number: both directions
        QCOMPARE(a[1].rateLimitUpBps, 5000000);
        QCOMPARE(a[1].dataUsage.overlimitRatelimit, 1000000);
        QCOMPARE(a[1].dataUsage.usageDailyBoost, 100000000);
        QCOMPARE(a[1].dataUsage.usageDailyLimit, 2000000000);
        QCOMPARE(a[1].dataUsage.usageMonthlyLimit, 30000000000LL);
        QCOMPARE(a[1].dataUsage.usageMonthlyResetDay, 15);
        QCOMPARE(a[1].directionalUpload, QStringLiteral("backup_off"));
        QCOMPARE(a[1].directionalDownload, QStringLiteral("strict_off"));
    }

    void rateLimitAsAnObject()
    {
        const QList<SpeedifyAdapterInfo> a =
            SpeedifyParser::parseAdapters(onlyDocument("adapters_ratelimit_object.s.txt"));
        QCOMPARE(a.size(), 2);
        QCOMPARE(a[0].rateLimitDownBps, 20000000);
        QCOMPARE(a[0].rateLimitUpBps, 4000000);
        QCOMPARE(a[1].rateLimitDownBps, 3000000); // the long key spelling
        QCOMPARE(a[1].rateLimitUpBps, 1000000);
        QCOMPARE(a[1].state, QStringLiteral("disconnected"));
    }

    void settingsFieldByFieldInBothFramings_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("pretty") << QStringLiteral("settings.pretty.txt");
        QTest::newRow("single-line") << QStringLiteral("settings.s.txt");
    }

    void settingsFieldByFieldInBothFramings()
    {
        QFETCH(QString, file);
        const SpeedifySettings s = SpeedifyParser::parseSettings(onlyDocument(file.toLatin1().constData()).toObject());
        QCOMPARE(s.bondingMode, QStringLiteral("redundant"));
        QCOMPARE(s.transportMode, QStringLiteral("tcp-multi"));
        QVERIFY(s.encrypted);
        QVERIFY(s.jumboPackets);
        QVERIFY(s.packetAggregation);
        QVERIFY(!s.headerCompression);
        QVERIFY(s.startupConnect);
        QVERIFY(s.enableAutomaticPriority);
        QVERIFY(s.allowChaChaEncryption);
        QCOMPARE(s.overflowThreshold, 30.5);
        QCOMPARE(s.priorityOverflowThreshold, 12.0);
        QCOMPARE(s.maxRedundant, 3);
        QCOMPARE(s.packetPoolSize, QStringLiteral("default"));
        QVERIFY(s.perConnectionEncryptionEnabled);
        QCOMPARE(s.perConnectionEncryption.size(), 2);
        QCOMPARE(s.perConnectionEncryption[1].first, QStringLiteral("wwan0"));
        QCOMPARE(s.perConnectionEncryption[1].second, false);
    }

    void serverAndServerList()
    {
        const SpeedifyServer s = SpeedifyParser::parseServer(onlyDocument("connect.s.txt").toObject());
        QCOMPARE(s.tag, QStringLiteral("us-nova-17"));
        QCOMPARE(s.country, QStringLiteral("us"));
        QCOMPARE(s.city, QStringLiteral("nova"));
        QCOMPARE(s.num, 17);
        QCOMPARE(s.friendlyName, QStringLiteral("United States - Northern Virginia #17"));
        QCOMPARE(s.dataCenter, QStringLiteral("nova-dc1"));
        QVERIFY(s.isPremium);
        QVERIFY(!s.isPrivate);
        QVERIFY(!s.torrentAllowed);
        QCOMPARE(s.publicIp, QStringList {QStringLiteral("203.0.113.17")});
        QCOMPARE(s.dnsIp, QStringList {QStringLiteral("10.202.8.8")});

        const SpeedifyServerList list = SpeedifyParser::parseServerList(onlyDocument("servers.pretty.txt").toObject());
        QCOMPARE(list.publicServers.size(), 2);
        QCOMPARE(list.publicServers[1].tag, QStringLiteral("gb-london-5"));
        QVERIFY(list.publicServers[1].torrentAllowed);
        QVERIFY(list.publicServers[1].publicIp.isEmpty());
        QCOMPARE(list.privateServers.size(), 1);
        QVERIFY(list.privateServers[0].isPrivate);
        QCOMPARE(list.privateServers[0].tag, QStringLiteral("privateus-nova-3"));
    }

    void statsStreamInBothFramings_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("pretty") << QStringLiteral("stats.pretty.txt");
        QTest::newRow("single-line") << QStringLiteral("stats.s.txt");
    }

    void statsStreamInBothFramings()
    {
        QFETCH(QString, file);
        // Fed in small chunks, as a pipe delivers it.
        const QByteArray all = golden(file.toLatin1().constData());
        QByteArray buffer;
        QList<SpeedifyStatsRecord> records;
        for (qsizetype i = 0; i < all.size(); i += 37) {
            buffer += all.mid(i, 37);
            QString error;
            for (const QJsonValue &doc : SpeedifyParser::takeDocuments(buffer, &error)) {
                const auto r = SpeedifyParser::parseStatsRecord(doc);
                QVERIFY(r);
                records.append(*r);
            }
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        QVERIFY(buffer.trimmed().isEmpty());
        QCOMPARE(records.size(), 6);
        QCOMPARE(records[0].type, SpeedifyStatsRecord::Type::State);
        QCOMPARE(records[0].state, SpeedifyState::Connected);
        QCOMPARE(records[1].type, SpeedifyStatsRecord::Type::Adapters);
        QCOMPARE(records[1].adapters.size(), 2);
        QCOMPARE(records[2].type, SpeedifyStatsRecord::Type::ConnectionStats);
        const SpeedifyConnectionStats &c = records[2].connectionStats;
        QCOMPARE(c.time, 1700000000);
        QCOMPARE(c.connections.size(), 2); // the aggregate and the proxy row are skipped
        QCOMPARE(c.connections[0].adapterId, QStringLiteral("eth0"));
        QCOMPARE(c.connections[0].connectionId, QStringLiteral("eth0%10.1.0.0/24"));
        QCOMPARE(c.connections[0].latencyMs, 23.5);
        QCOMPARE(c.connections[0].jitterMs, 1.25);
        QCOMPARE(c.connections[0].lossSend, 0.01);
        QCOMPARE(c.connections[0].lossReceive, 0.02);
        QCOMPARE(c.connections[0].receiveBps, 8000000.0);
        QCOMPARE(c.connections[0].sendBps, 900000.0);
        QVERIFY(!c.connections[0].congested);
        QVERIFY(c.connections[0].uploadCongested);
        QCOMPARE(c.connections[0].receiveEstimateMbps, 95.5);
        QCOMPARE(c.connections[1].adapterId, QStringLiteral("wwan0"));
        QVERIFY(c.connections[1].congested);
        QCOMPARE(c.connections[1].protocol, QStringLiteral("tcp"));
        QCOMPARE(records[3].type, SpeedifyStatsRecord::Type::SessionStats);
        QCOMPARE(records[3].sessionStats.totalFailoverSaves, 4);
        QCOMPARE(records[3].sessionStats.totalRedundantModeSaves, 7);
        QCOMPARE(records[3].sessionStats.totalSpeedModeSaves, 1);
        QCOMPARE(records[3].sessionStats.numFailovers, 2);
        QCOMPARE(records[4].type, SpeedifyStatsRecord::Type::StreamingStats);
        QCOMPARE(records[5].type, SpeedifyStatsRecord::Type::Unknown); // ignored, not an error
        QCOMPARE(records[5].typeName, QStringLiteral("future_record_type"));
    }

    void versionAndTests()
    {
        const SpeedifyVersion v = SpeedifyParser::parseVersion(onlyDocument("version.s.txt").toObject());
        QCOMPARE(v.toString(), QStringLiteral("14.0.0.11426"));

        const auto speed = SpeedifyParser::parseTestResults(onlyDocument("speedtest.pretty.txt"));
        QCOMPARE(speed.size(), 1);
        QCOMPARE(speed[0].type, QStringLiteral("speed"));
        QCOMPARE(speed[0].downloadBps, 95000000.5);
        QCOMPARE(speed[0].uploadBps, 12000000.25);
        QCOMPARE(speed[0].latencyMs, 23.0);
        QCOMPARE(speed[0].numConnections, 8);
        QCOMPARE(speed[0].time, 1700000100);
        QVERIFY(!speed[0].isError);

        const auto stream = SpeedifyParser::parseTestResults(onlyDocument("streamtest.s.txt"));
        QCOMPARE(stream[0].type, QStringLiteral("streaming"));
        QCOMPARE(stream[0].fps, 60.0);
        QCOMPARE(stream[0].jitterMs, 3.5);
        QCOMPARE(stream[0].loss, 0.5);
        QCOMPARE(stream[0].resolution, QStringLiteral("1080p"));

        const auto failed = SpeedifyParser::parseTestResults(onlyDocument("speedtest_disconnected.s.txt"));
        QVERIFY(failed[0].isError);
        QCOMPARE(failed[0].errorMessage, QStringLiteral("Cannot test speed while disconnected"));
    }

    void streamingBypassAndUser()
    {
        const SpeedifyBypass b = SpeedifyParser::parseBypass(onlyDocument("streamingbypass.pretty.txt").toObject());
        QVERIFY(b.domainWatchlistEnabled);
        QCOMPARE(b.domains, (QStringList {QStringLiteral("netflix.com"), QStringLiteral("example.org")}));
        QCOMPARE(b.ipv4, QStringList {QStringLiteral("198.51.100.0/24")});
        QCOMPARE(b.ipv6, QStringList {QStringLiteral("2001:db8::/32")});
        QCOMPARE(b.ports.size(), 2);
        QCOMPARE(b.ports[0].port, 3478);
        QCOMPARE(b.ports[0].protocol, QStringLiteral("udp"));
        QCOMPARE(b.ports[1].portRangeEnd, 5010);
        QCOMPARE(b.services.size(), 2);
        QCOMPARE(b.services[0].first, QStringLiteral("Netflix"));
        QVERIFY(b.services[0].second);
        QVERIFY(!b.services[1].second);

        const SpeedifyUser u = SpeedifyParser::parseUser(onlyDocument("user.s.txt").toObject());
        QCOMPARE(u.email, QStringLiteral("pat@example.com"));
        QCOMPARE(u.bytesAvailable, -1);
        QCOMPARE(u.bytesUsed, 123456);
        QCOMPARE(u.dataPeriodEnd, QStringLiteral("2026-12-01"));
        QCOMPARE(u.paymentType, QStringLiteral("monthly"));
    }

    void errorJsonOnStderr()
    {
        const auto e = SpeedifyParser::parseApiError(golden("error_rc1.stderr.txt"));
        QVERIFY(e);
        QCOMPARE(e->errorCode, 3841);
        QCOMPARE(e->errorType, QStringLiteral("Timeout waiting for result"));
        QCOMPARE(e->errorMessage, QStringLiteral("Timeout"));
        QVERIFY(!SpeedifyParser::parseApiError("Error: daemon not reachable\n"));
    }

    void malformedOutputIsAnErrorNotACrash()
    {
        QString error;
        QVERIFY(!SpeedifyParser::documents("{\"state\": \"CONNECTED\"", &error));
        QVERIFY(error.contains(QStringLiteral("ends inside")));
        QVERIFY(!SpeedifyParser::documents("{\"state\" \"CONNECTED\"}\n", &error));
        QVERIFY(error.contains(QStringLiteral("invalid JSON")));
        // Titles (-t) and stray text between documents are skipped.
        const auto docs = SpeedifyParser::documents("State:\n{\"state\":\"LOGGED_OUT\"}\n");
        QVERIFY(docs);
        QCOMPARE(SpeedifyParser::parseState(docs->first()), SpeedifyState::LoggedOut);
        // Braces inside strings do not confuse the framing.
        const auto tricky = SpeedifyParser::documents("{\"name\":\"a}b{\\\"\"}\n{\"x\":[1]}");
        QVERIFY(tricky);
        QCOMPARE(tricky->size(), 2);
        QVERIFY(!SpeedifyParser::parseStatsRecord(QJsonArray {1, 2, 3}));
    }
};

QTEST_GUILESS_MAIN(TestSpeedifyParser)
#include "tst_speedifyparser.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
// The API's building blocks alone: the argument validator and its string kinds, the protocol
// decoder, the history ring buffers and the authentication store (hashing, backoff, busy cap).
#include "AuthStore.h"
#include "Clock.h"
#include "CommandRegistry.h"
#include "HistoryBuffer.h"
#include "Protocol.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <sys/stat.h>

using namespace smoothwan;
using K = ArgSpec::Kind;

namespace {
const QStringList Hostile = {QStringLiteral("; id"),         QStringLiteral("$(reboot)"),
                             QStringLiteral("`reboot`"),     QStringLiteral("a|b"),
                             QStringLiteral("a\nb"),         QStringLiteral("--help"),
                             QString(300, QLatin1Char('a')), QStringLiteral("../../etc/shadow"),
                             QString::fromUtf8("\xff\xfe")};
}

class TestApiRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileStringsFailEveryNarrowKind()
    {
        for (K kind : {K::Name, K::InterfaceName, K::Label, K::Mac, K::Glob, K::Address, K::Prefix, K::HostPort,
                       K::PortRange, K::Any})
            for (const QString &h : Hostile)
                QVERIFY2(!checkString(h, kind, 64).isEmpty(),
                         qPrintable(QStringLiteral("%1: %2").arg(int(kind)).arg(h)));
    }

    void goodValuesPass_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("value");
        QTest::newRow("name") << int(K::Name) << QStringLiteral("lte-2_b");
        QTest::newRow("ifname") << int(K::InterfaceName) << QStringLiteral("enx00e04c68a1b2");
        QTest::newRow("vlan") << int(K::InterfaceName) << QStringLiteral("eth0.100");
        QTest::newRow("label") << int(K::Label) << QStringLiteral("Alice's laptop");
        QTest::newRow("mac") << int(K::Mac) << QStringLiteral("02:1E:10:1f:00:00");
        QTest::newRow("glob") << int(K::Glob) << QStringLiteral("*/usb1/1-1.3/*");
        QTest::newRow("v4") << int(K::Address) << QStringLiteral("192.168.1.1");
        QTest::newRow("v6") << int(K::Address) << QStringLiteral("2001:db8::1");
        QTest::newRow("prefix") << int(K::Prefix) << QStringLiteral("10.0.0.0/8");
        QTest::newRow("hostport") << int(K::HostPort) << QStringLiteral("[2606:4700::1111]:443");
        QTest::newRow("ports") << int(K::PortRange) << QStringLiteral("8000-8100");
        QTest::newRow("text") << int(K::Any) << QStringLiteral("us nyc 3");
        QTest::newRow("password") << int(K::Password) << QStringLiteral("$(not a command); `x`");
        QTest::newRow("yaml") << int(K::Yaml) << QStringLiteral("wans:\n\t- x\n");
    }
    void goodValuesPass()
    {
        QFETCH(int, kind);
        QFETCH(QString, value);
        QCOMPARE(checkString(value, K(kind), 64), QString());
    }

    void lookalikesFail()
    {
        QVERIFY(!checkString(QStringLiteral("1"), K::Address, 64).isEmpty()); // QHostAddress accepts "1"
        QVERIFY(!checkString(QStringLiteral("0x7f.1"), K::Address, 64).isEmpty());
        QVERIFY(!checkString(QStringLiteral("10.0.0.0/33"), K::Prefix, 64).isEmpty());
        QVERIFY(!checkString(QStringLiteral("1.1.1.1:70000"), K::HostPort, 64).isEmpty());
        QVERIFY(!checkString(QStringLiteral(".."), K::InterfaceName, 64).isEmpty());
        QVERIFY(!checkString(QStringLiteral("pass\x01word"), K::Password, 64).isEmpty());
    }

    void validateChecksTypesAndMembers()
    {
        CommandSpec spec {QStringLiteral("x"),
                          Role::Viewer,
                          {},
                          {ArgSpec::string(QStringLiteral("wan"), K::Name, 32),
                           ArgSpec::integer(QStringLiteral("n"), 1, 10).optional(),
                           ArgSpec::oneOf(QStringLiteral("e"), {QStringLiteral("a"), QStringLiteral("b")}).optional(),
                           ArgSpec::object(QStringLiteral("o"), 100).optional(),
                           ArgSpec::integer(QStringLiteral("z"), 1, 5).optional().orNull()},
                          {}};
        QString why;
        auto ok = [&](const QJsonObject &req) { return CommandRegistry::validate(spec, req, &why).has_value(); };
        QVERIFY(ok({{QStringLiteral("id"), 1},
                    {QStringLiteral("type"), QStringLiteral("x")},
                    {QStringLiteral("wan"), QStringLiteral("a")}}));
        QVERIFY(!ok({{QStringLiteral("id"), 1}}));
        QVERIFY(why.contains(QStringLiteral("missing")));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("extra"), 1}}));
        QVERIFY(!ok({{QStringLiteral("wan"), 5}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("n"), 11}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("n"), 1.5}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("e"), QStringLiteral("c")}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("n"), QJsonValue()}}));
        QVERIFY(ok({{QStringLiteral("wan"), QStringLiteral("a")}, {QStringLiteral("z"), QJsonValue()}}));
        QVERIFY(ok({{QStringLiteral("wan"), QStringLiteral("a")},
                    {QStringLiteral("o"), QJsonObject {{QStringLiteral("k"), QStringLiteral("v")}}}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")},
                     {QStringLiteral("o"), QJsonObject {{QStringLiteral("k"), QStringLiteral("; id")}}}}));
        QVERIFY(!ok({{QStringLiteral("wan"), QStringLiteral("a")},
                     {QStringLiteral("o"), QJsonObject {{QStringLiteral("$(x)"), 1}}}}));
    }

    void decoderAndIds()
    {
        QString why;
        QVERIFY(!protocol::decode("{", &why));
        QVERIFY(!protocol::decode("[]", &why));
        QVERIFY(protocol::decode(R"({"id":1})", &why));
        auto id = [](const char *json) { return protocol::requestId(*protocol::decode(json, nullptr)); };
        QCOMPARE(id(R"({"id":42})").value_or(0), 42);
        QVERIFY(!id(R"({"id":0})"));
        QVERIFY(!id(R"({"id":-1})"));
        QVERIFY(!id(R"({"id":1.5})"));
        QVERIFY(!id(R"({"id":"1"})"));
        QVERIFY(!id(R"({"id":1e300})"));
        QCOMPARE(protocol::roleFromName(u"operator").value_or(Role::Viewer), Role::Operator);
        QVERIFY(!protocol::roleFromName(u"root"));
    }

    void historyKeepsTenMinutes()
    {
        HistoryBuffer h;
        for (int t = 1; t <= 700; ++t)
            h.sample(QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("a")},
                                              {QStringLiteral("rxBps"), t},
                                              {QStringLiteral("latencyMs"), QJsonValue()}}},
                     t);
        const QJsonObject all = h.query({}, 600).value(QStringLiteral("a")).toObject();
        QCOMPARE(all.value(QStringLiteral("t")).toArray().size(), HistoryBuffer::Capacity);
        QCOMPARE(all.value(QStringLiteral("t")).toArray().first().toInteger(), 101);
        QCOMPARE(all.value(QStringLiteral("rxBps")).toArray().last().toDouble(), 700.0);
        QVERIFY(all.value(QStringLiteral("latencyMs")).toArray().first().isNull());
        QCOMPARE(h.query(QStringLiteral("a"), 10)
                     .value(QStringLiteral("a"))
                     .toObject()
                     .value(QStringLiteral("t"))
                     .toArray()
                     .size(),
                 10);
        // A WAN gone for ten minutes is forgotten.
        for (int t = 701; t <= 1300; ++t)
            h.sample(QJsonArray {}, t);
        QVERIFY(!h.contains(QStringLiteral("a")));
    }

    void authStoreBackoffAndBusy()
    {
        QTemporaryDir dir;
        ManualClock clock;
        AuthStore auth(clock, dir.filePath(QStringLiteral("auth")), dir.filePath(QStringLiteral("tok")), nullptr, true);
        QString error;
        QVERIFY(auth.load(&error));
        QString message;
        QVERIFY(auth.createUser(QStringLiteral("admin"), Role::Admin, QStringLiteral("short"), &message) ==
                QLatin1String("invalid_format"));
        QCOMPARE(auth.createUser(QStringLiteral("admin"), Role::Admin, QStringLiteral("long enough"), &message),
                 QString());
        QCOMPARE(auth.deleteUser(QStringLiteral("admin"), &message), QStringLiteral("conflict")); // the last admin
        QCOMPARE(auth.setRole(QStringLiteral("admin"), Role::Viewer, &message), QStringLiteral("conflict"));
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("auth/users.json"))).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QFile f(dir.filePath(QStringLiteral("auth/users.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("$argon2id$"));

        // Many logins at once: beyond the cap, busy.
        int answered = 0;
        int busy = 0;
        for (int i = 0; i < AuthStore::MaxPendingVerifications + 3; ++i)
            auth.loginWithPassword(QStringLiteral("admin"), QStringLiteral("long enough"),
                                   QStringLiteral("10.0.0.%1").arg(i), [&](const AuthStore::LoginResult &r) {
                                       ++answered;
                                       busy += r.code == QLatin1String("busy");
                                   });
        QCOMPARE(busy, 3);
        QTRY_COMPARE(answered, AuthStore::MaxPendingVerifications + 3);

        // Per-user backoff across addresses.
        int failures = 0;
        for (int i = 0; i < AuthStore::MaxFailures; ++i)
            auth.loginWithPassword(
                QStringLiteral("admin"), QStringLiteral("wrong one"), QStringLiteral("10.1.0.%1").arg(i),
                [&](const AuthStore::LoginResult &r) { failures += r.code == QLatin1String("unauthorized"); });
        QTRY_COMPARE(failures, AuthStore::MaxFailures);
        QString code;
        auth.loginWithPassword(
            QStringLiteral("admin"), QStringLiteral("long enough"), QStringLiteral("10.2.0.1"),
            [&](const AuthStore::LoginResult &r) { code = r.identity ? QStringLiteral("ok") : r.code; });
        QCOMPARE(code, QStringLiteral("rate_limited"));
        clock.advance(AuthStore::BlockMs + 1);
        code.clear();
        auth.loginWithPassword(
            QStringLiteral("admin"), QStringLiteral("long enough"), QStringLiteral("10.2.0.1"),
            [&](const AuthStore::LoginResult &r) { code = r.identity ? QStringLiteral("ok") : r.code; });
        QTRY_COMPARE(code, QStringLiteral("ok"));

        // Reloading keeps users and tokens.
        QString token;
        QCOMPARE(
            auth.createDeviceToken(QStringLiteral("phone"), QStringLiteral("admin"), Role::Operator, &token, &message),
            QString());
        AuthStore again(clock, dir.filePath(QStringLiteral("auth")), dir.filePath(QStringLiteral("tok")), nullptr,
                        true);
        QVERIFY(again.load(&error));
        QVERIFY(again.hasAdmin());
        QCOMPARE(again.loginWithToken(token, QStringLiteral("10.3.0.1")).identity->role, Role::Operator);
    }
};

QTEST_GUILESS_MAIN(TestApiRegistry)
#include "tst_api_registry.moc"

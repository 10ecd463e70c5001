// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile strings from configuration or the API never reach a shell: each is refused before
// anything runs, or reaches speedify_cli as exactly one argv element (the stand-in records argv).
#include "Clock.h"
#include "SpeedifyAdapter.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <memory>

using namespace smoothwan;

namespace {
const QString StandIn = QStringLiteral(SMOOTHWAN_FAKE_SPEEDIFY_CLI);

enum class Field { ServerTag, City, Domain, AdapterId, Service, User, Password, Ipv4, Port };
} // namespace

Q_DECLARE_METATYPE(Field)

class TestSpeedifyHostileArgs : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    QTemporaryDir m_dir;

    QList<QStringList> recordedArgv() const
    {
        QList<QStringList> out;
        QFile f(m_dir.filePath(QStringLiteral("argv.log")));
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            QStringList argv;
            for (const QJsonValue &v : QJsonDocument::fromJson(line).array())
                argv.append(v.toString());
            out.append(argv);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("SPEEDIFY_FAKE_STATE_DIR", m_dir.path().toLocal8Bit());
        qputenv("SPEEDIFY_FAKE_ADAPTERS", "lo");
        qputenv("SPEEDIFY_FAKE_TUN", "0");
        qputenv("SPEEDIFY_FAKE_ARGV_LOG", m_dir.filePath(QStringLiteral("argv.log")).toLocal8Bit());
    }

    void refusedOrOneArgument_data()
    {
        QTest::addColumn<Field>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("refused");
        const QString marker = m_dir.filePath(QStringLiteral("pwned"));
        const QString longText(300, QLatin1Char('a'));
        const QString notUtf8 = QString::fromUtf8("caf\xc3\x28\xff");
        const QList<QPair<const char *, QString>> nasty {
            {"semicolon", QStringLiteral("; id")},
            {"command substitution", QStringLiteral("$(touch %1)").arg(marker)},
            {"backticks", QStringLiteral("`touch %1`").arg(marker)},
            {"pipe", QStringLiteral("a|touch %1").arg(marker)},
            {"newline", QStringLiteral("us-nova-17\nreboot")},
            {"leading dash", QStringLiteral("-s")},
            {"leading double dash", QStringLiteral("--help")},
            {"300 bytes", longText},
            {"not UTF-8", notUtf8},
            {"empty", QString()},
            {"space", QStringLiteral("us nova")},
        };
        const QList<QPair<Field, const char *>> fields {
            {Field::ServerTag, "tag"},     {Field::City, "city"},       {Field::Domain, "domain"},
            {Field::AdapterId, "adapter"}, {Field::Service, "service"}, {Field::User, "user"},
            {Field::Ipv4, "ipv4"},         {Field::Port, "port"},
        };
        for (const auto &[field, fieldName] : fields)
            for (const auto &[what, value] : nasty)
                QTest::addRow("%s: %s", fieldName, what)
                    << field << value << !(field == Field::Service && value == QLatin1String("us nova"));
        // Values that are legitimate for their field pass, as one element each, however odd.
        // Interface names are limited to letters, digits, '.', '_', '-' and '@': shell syntax is
        // refused even where the kernel would take it.
        QTest::addRow("adapter: semicolon inside an interface name")
            << Field::AdapterId << QStringLiteral("eth0;id") << true;
        QTest::addRow("password: shell syntax") << Field::Password << QStringLiteral("; id $(reboot) `x` | y") << false;
        QTest::addRow("password: leading dash") << Field::Password << QStringLiteral("-p") << true;
        QTest::addRow("password: newline") << Field::Password << QStringLiteral("a\nb") << true;
        QTest::addRow("service: two words") << Field::Service << QStringLiteral("Amazon Prime") << false;
        QTest::addRow("domain: wildcard") << Field::Domain << QStringLiteral("*.example.com") << false;
        QTest::addRow("tag: lock") << Field::ServerTag << QStringLiteral("#us-nova-17") << false;
    }

    void refusedOrOneArgument()
    {
        QFETCH(Field, field);
        QFETCH(QString, value);
        QFETCH(bool, refused);
        SpeedifyConfig config;
        config.cliPath = StandIn;
        SpeedifyAdapter adapter(m_clock, config, SpeedifyAdapter::Options {});
        const qsizetype before = recordedArgv().size();
        bool finished = false;
        EngineResult result;
        const EngineCallback done = [&](const EngineResult &r) {
            finished = true;
            result = r;
        };
        QStringList expectedTail;
        switch (field) {
        case Field::ServerTag:
            adapter.connectServer({value}, done);
            expectedTail = {QStringLiteral("connect"), value};
            break;
        case Field::City:
            adapter.connectServer({QStringLiteral("us"), value}, done);
            expectedTail = {QStringLiteral("connect"), QStringLiteral("us"), value};
            break;
        case Field::Domain:
            adapter.editList(QStringLiteral("streamingbypass"), QStringLiteral("domains"), QStringLiteral("add"),
                             {value}, done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("domains"), QStringLiteral("add"), value};
            break;
        case Field::AdapterId:
            adapter.setAdapterPriority(value, QStringLiteral("never"), done);
            expectedTail = {QStringLiteral("adapter"), QStringLiteral("priority"), value, QStringLiteral("never")};
            break;
        case Field::Service:
            adapter.setBypassService(value, true, done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("service"), value, QStringLiteral("on")};
            break;
        case Field::User:
            adapter.login(value, QStringLiteral("pw"), done);
            expectedTail = {QStringLiteral("login"), value, QStringLiteral("pw")};
            break;
        case Field::Password:
            adapter.login(QStringLiteral("pat@example.com"), value, done);
            expectedTail = {QStringLiteral("login"), QStringLiteral("pat@example.com"), value};
            break;
        case Field::Ipv4:
            adapter.editList(QStringLiteral("streamingbypass"), QStringLiteral("ipv4"), QStringLiteral("add"), {value},
                             done);
            expectedTail = {QStringLiteral("streamingbypass"), QStringLiteral("ipv4"), QStringLiteral("add"), value};
            break;
        case Field::Port:
            adapter.editList(QStringLiteral("streaming"), QStringLiteral("ports"), QStringLiteral("add"), {value},
                             done);
            expectedTail = {QStringLiteral("streaming"), QStringLiteral("ports"), QStringLiteral("add"), value};
            break;
        }
        QTRY_VERIFY_WITH_TIMEOUT(finished, 15000);
        const QList<QStringList> argv = recordedArgv().mid(before);
        if (refused) {
            QVERIFY2(!result.ok, "a hostile value was accepted");
            QCOMPARE(result.errorKind, QStringLiteral("refused"));
            QVERIFY(!result.message.isEmpty());
            QVERIFY(argv.isEmpty()); // nothing ran
        } else {
            QVERIFY(!argv.isEmpty());
            QCOMPARE(argv.first(), QStringList {QStringLiteral("-s")} + expectedTail);
            for (const QStringList &followUp : argv.mid(1)) // the adapter re-reads the state after login/connect
                QCOMPARE(followUp, (QStringList {QStringLiteral("-s"), QStringLiteral("state")}));
        }
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("pwned"))));
        if (field == Field::Password)
            QVERIFY(!result.message.contains(value) || value.size() < 3); // a password is never echoed
    }
};

QTEST_GUILESS_MAIN(TestSpeedifyHostileArgs)
#include "tst_speedifyhostileargs.moc"

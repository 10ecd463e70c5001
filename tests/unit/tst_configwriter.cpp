// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigLoader.h"
#include "ConfigWriter.h"

#include <QtCore/QFile>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {

Config load(const QByteArray &yaml)
{
    ConfigErrors errors;
    auto c = ConfigLoader::loadString(yaml, QStringLiteral("test.yaml"), &errors);
    for (const ConfigError &e : errors)
        qWarning("%s", qPrintable(e.toString()));
    return c.value_or(Config {});
}

} // namespace

// Contract of ConfigWriter: loadString(toYaml(c)) == c for every loaded configuration.
class TestConfigWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsRoundTrip()
    {
        const Config c;
        ConfigErrors errors;
        auto back = ConfigLoader::loadString(ConfigWriter::toYaml(c), QStringLiteral("w.yaml"), &errors);
        QVERIFY2(back, qPrintable(errors.value(0).toString()));
        QVERIFY(*back == c);
    }

    void exampleRoundTrip()
    {
        QFile f(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        ConfigErrors errors;
        auto c = ConfigLoader::loadString(f.readAll(), QStringLiteral("example.yaml"), &errors);
        QVERIFY(c);
        const QByteArray yaml = ConfigWriter::toYaml(*c);
        auto back = ConfigLoader::loadString(yaml, QStringLiteral("w.yaml"), &errors);
        QVERIFY2(back, qPrintable(errors.value(0).toString() + QLatin1Char('\n') + QString::fromUtf8(yaml)));
        QVERIFY(*back == *c);
        // Writing is stable: a second round gives the same bytes.
        QCOMPARE(ConfigWriter::toYaml(*back), yaml);
    }

    void enginesAndEdgesRoundTrip()
    {
        const Config c =
            load("wans:\n"
                 "  - name: \"true\"\n    interface: eth0\n    metered: true\n"
                 "    caps: {monthly: 3 GB, action: warn}\n"
                 "  - name: b\n    match: {mac: \"02:00:00:00:00:01\", kind: vlan}\n    enabled: false\n"
                 "    probe: {method: dns, targets: [\"9.9.9.9:5353\", \"2620:fe::fe\"]}\n"
                 "routing:\n  policy: balance\n  kill_switch: true\n  bypass:\n"
                 "    - {name: r1, match: {destination: \"2001:db8::/32\", protocol: tcp, ports: 443}, "
                 "via: b}\n"
                 "engine:\n  type: tinyfec\n  tinyfec: {server: \"vpn.example.com:4096\", fec: \"1:3,20:10\"}\n"
                 "  engarde: {server: \"[2001:db8::1]:59402\", excluded_interfaces: [eth9], "
                 "web_manager: \"127.0.0.1:9001\"}\n"
                 "api: {listen: [\"192.168.1.1\"], tls: {enabled: false}}\n"
                 "ui: {blank_after: 0}\n");
        QCOMPARE(c.wans.size(), 2);
        ConfigErrors errors;
        const QByteArray yaml = ConfigWriter::toYaml(c);
        auto back = ConfigLoader::loadString(yaml, QStringLiteral("w.yaml"), &errors);
        QVERIFY2(back, qPrintable(errors.value(0).toString() + QLatin1Char('\n') + QString::fromUtf8(yaml)));
        QVERIFY(*back == c);
    }

    // A name edited over the API can hold YAML syntax; it must come back as the same string.
    void hostileStringStaysAString()
    {
        Config c = load("wans:\n  - name: a\n    interface: eth0\n");
        c.wans[0].match.devicePath.clear();
        c.routing.bypass.clear();
        c.engine.speedify.cliPath = QStringLiteral("/opt/x: [y]\n# z");
        const QByteArray yaml = ConfigWriter::toYaml(c);
        ConfigErrors errors;
        auto back = ConfigLoader::loadString(yaml, QStringLiteral("w.yaml"), &errors);
        QVERIFY2(back, qPrintable(errors.value(0).toString()));
        QCOMPARE(back->engine.speedify.cliPath, c.engine.speedify.cliPath);
    }
};

QTEST_GUILESS_MAIN(TestConfigWriter)
#include "tst_configwriter.moc"

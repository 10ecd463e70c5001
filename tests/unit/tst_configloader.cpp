// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigLoader.h"

#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {

const QString File = QStringLiteral("test.yaml");

QString dump(const ConfigErrors &errors)
{
    QStringList lines;
    for (const ConfigError &e : errors)
        lines.append(e.toString());
    return lines.join(QLatin1Char('\n'));
}

// A minimal valid prefix with two WANs, for cases that need WANs to exist.
const QByteArray TwoWans = "wans:\n"
                           "  - name: a\n"
                           "    interface: eth0\n"
                           "  - name: b\n"
                           "    interface: eth1\n";

} // namespace

class TestConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void errors_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("keyPath");
        QTest::addColumn<QString>("fragment");

        // Syntax and structure.
        QTest::newRow("syntax: unclosed flow list") << QByteArray("ui:\n  theme: dark\n  kiosk: [true\n") << 4 << 1
                                                    << QString() << "syntax error: end of sequence flow not found";
        QTest::newRow("syntax: bad indentation")
            << QByteArray("ui:\n  theme: dark\n kiosk: true\n") << 3 << 2 << QString() << "syntax error";
        QTest::newRow("syntax: unquoted glob reads as an alias")
            << QByteArray("wans:\n  - name: a\n    match: {device_path: */usb1/*}\n") << 3 << 26 << QString()
            << "a value that starts with '*' must be quoted";
        QTest::newRow("root is a list") << QByteArray("- a\n") << 1 << 1 << QString()
                                        << "expected a mapping with the keys version, wans";
        QTest::newRow("two documents") << QByteArray("ui: {}\n---\nui: {}\n") << 2 << 1 << QString()
                                       << "only one YAML document";
        QTest::newRow("duplicate key") << QByteArray("ui:\n  theme: dark\n  theme: light\n") << 3 << 3 << "ui.theme"
                                       << "duplicate key 'theme' (first given on line 2)";

        // Types.
        QTest::newRow("type: bool") << QByteArray("ui:\n  kiosk: yes\n") << 2 << 10 << "ui.kiosk"
                                    << "expected true or false; got 'yes'";
        QTest::newRow("type: list expected") << QByteArray("wans: {name: a}\n") << 1 << 7 << "wans"
                                             << "expected a list; got a mapping";
        QTest::newRow("type: integer") << TwoWans + "    weight: heavy\n"
                                       << 6 << 13 << "wans[1].weight"
                                       << "expected an integer from 1 to 1000; got 'heavy'";
        QTest::newRow("type: quoted integer") << TwoWans + "    weight: \"5\"\n"
                                              << 6 << 13 << "wans[1].weight"
                                              << "got the quoted string '5' (remove the quotes)";
        QTest::newRow("type: empty value") << QByteArray("ui:\n  theme:\n") << 2 << 3 << "ui.theme"
                                           << "expected one of dark, light; got nothing";
        QTest::newRow("range: weight") << TwoWans + "    weight: 5000\n"
                                       << 6 << 13 << "wans[1].weight"
                                       << "expected an integer from 1 to 1000; got 5000";
        QTest::newRow("range: reset day") << TwoWans + "    caps: {reset_day: 31}\n"
                                          << 6 << 23 << "wans[1].caps.reset_day"
                                          << "from 1 to 28; got 31";
        QTest::newRow("range: duration") << TwoWans + "    probe:\n      interval: 20m\n"
                                         << 7 << 17 << "wans[1].probe.interval"
                                         << "expected a duration from 100 to 600000 ms";
        QTest::newRow("range: version") << QByteArray("version: 2\n") << 1 << 10 << "version"
                                        << "unsupported version 2";

        // Unknown keys.
        QTest::newRow("unknown key, suggestion") << TwoWans + "    probe:\n      intervall: 5s\n"
                                                 << 7 << 7 << "wans[1].probe.intervall"
                                                 << "unknown key 'intervall'; did you mean 'interval'?";
        QTest::newRow("unknown top-level key") << QByteArray("wanz: []\n") << 1 << 1 << "wanz"
                                               << "did you mean 'wans'?";
        QTest::newRow("unknown key, no suggestion")
            << QByteArray("ui:\n  colour_scheme: x\n") << 2 << 3 << "ui.colour_scheme"
            << "unknown key 'colour_scheme'; expected one of kiosk, blank_after, theme";

        // WANs.
        QTest::newRow("duplicate WAN name")
            << QByteArray("wans:\n  - name: a\n    interface: eth0\n  - name: a\n    interface: eth1\n") << 4 << 11
            << "wans[1].name"
            << "duplicate WAN name 'a' (first used on line 2)";
        QTest::newRow("duplicate interface")
            << QByteArray("wans:\n  - name: a\n    interface: eth0\n  - name: b\n    interface: eth0\n") << 5 << 16
            << "wans[1].interface"
            << "interface 'eth0' is already used by WAN 'a' (line 3)";
        QTest::newRow("priority outside its set") << TwoWans + "    priority: primary\n"
                                                  << 6 << 15 << "wans[1].priority"
                                                  << "expected one of always, secondary, backup, never; got 'primary'";
        QTest::newRow("interface: slash")
            << QByteArray("wans:\n  - name: a\n    interface: eth0/x\n") << 3 << 16 << "wans[0].interface"
            << "'eth0/x' is not a valid Linux interface name";
        QTest::newRow("interface: 16 characters")
            << QByteArray("wans:\n  - name: a\n    interface: abcdefghijklmnop\n") << 3 << 16 << "wans[0].interface"
            << "'abcdefghijklmnop' is not a valid Linux interface name";
        QTest::newRow("interface: leading dash")
            << QByteArray("wans:\n  - name: a\n    interface: -x\n") << 3 << 16 << "wans[0].interface"
            << "'-x' is not a valid Linux interface name";
        QTest::newRow("interface: blank")
            << QByteArray("wans:\n  - name: a\n    interface: a b\n") << 3 << 16 << "wans[0].interface"
            << "'a b' is not a valid Linux interface name";
        QTest::newRow("interface and match")
            << QByteArray("wans:\n  - name: a\n    interface: eth0\n    match: {driver: r8152}\n") << 4 << 12
            << "wans[0].match"
            << "either 'interface' or 'match', not both";
        QTest::newRow("neither interface nor match")
            << QByteArray("wans:\n  - name: a\n    weight: 2\n") << 2 << 5 << "wans[0]"
            << "missing 'interface'";
        QTest::newRow("missing name") << QByteArray("wans:\n  - interface: eth0\n") << 2 << 5 << "wans[0]"
                                      << "missing required key 'name'";
        QTest::newRow("bad WAN name") << QByteArray("wans:\n  - name: my wan\n    interface: eth0\n") << 2 << 11
                                      << "wans[0].name"
                                      << "expected a name of 1 to 32 letters";
        QTest::newRow("empty match rule")
            << QByteArray("wans:\n  - name: a\n    match: {}\n") << 3 << 12 << "wans[0].match"
            << "a match rule needs at least one of";
        QTest::newRow("bad MAC") << QByteArray("wans:\n  - name: a\n    match: {mac: 00:11:22:33:44}\n") << 3 << 18
                                 << "wans[0].match.mac"
                                 << "expected a MAC address";

        // Probes.
        QTest::newRow("probe: bad IP") << TwoWans + "    probe:\n      targets: [1.1.1.1, 1.1.1.300]\n"
                                       << 7 << 26 << "wans[1].probe.targets[1]"
                                       << "expected an IP address; got '1.1.1.300'";
        QTest::newRow("probe: tcp needs a port") << TwoWans + "    probe: {method: tcp, targets: [1.1.1.1]}\n"
                                                 << 6 << 36 << "wans[1].probe.targets[0]"
                                                 << "the port is missing";
        QTest::newRow("probe: reliability above targets")
            << TwoWans + "    probe: {targets: [1.1.1.1], reliability: 2}\n"
            << 6 << 46 << "wans[1].probe.reliability"
            << "reliability 2 is more than the 1 target(s) given";
        QTest::newRow("probe: timeout above interval") << TwoWans + "    probe: {interval: 1s, timeout: 2s}\n"
                                                       << 6 << 36 << "wans[1].probe.timeout"
                                                       << "must not be longer than the interval";
        QTest::newRow("probe: recovery threshold looser than failure")
            << TwoWans + "    probe:\n      thresholds: {loss_fail: 10, loss_recover: 20}\n"
            << 7 << 49 << "wans[1].probe.thresholds.loss_recover"
            << "recovery is the stricter threshold";
        QTest::newRow("caps: bad size") << TwoWans + "    caps: {daily: lots}\n"
                                        << 6 << 19 << "wans[1].caps.daily"
                                        << "expected a size in bytes";

        // Routing.
        QTest::newRow("bypass via unknown WAN")
            << TwoWans + "routing:\n  bypass:\n    - name: r\n      match: {source: 192.168.1.5}\n      via: c\n"
            << 10 << 12 << "routing.bypass[0].via"
            << "unknown WAN 'c'; the WANs are a, b";
        QTest::newRow("bypass without match") << TwoWans + "routing:\n  bypass:\n    - name: r\n      via: a\n"
                                              << 8 << 7 << "routing.bypass[0]"
                                              << "a bypass rule needs a 'match'";
        QTest::newRow("bypass with an empty match")
            << TwoWans + "routing:\n  bypass:\n    - name: r\n      match: {protocol: any}\n      via: a\n"
            << 9 << 14 << "routing.bypass[0].match"
            << "a match needs at least one of";
        QTest::newRow("bypass: bad source IP")
            << TwoWans + "routing:\n  bypass:\n    - {name: r, match: {source: 10.1}, around_bond: true}\n"
            << 8 << 33 << "routing.bypass[0].match.source"
            << "not an IP address or prefix";
        QTest::newRow("bypass: host bits set")
            << TwoWans + "routing:\n  bypass:\n    - {name: r, match: {source: 10.1.2.3/24}, via: a}\n"
            << 8 << 33 << "routing.bypass[0].match.source"
            << "did you mean 10.1.2.0/24?";
        QTest::newRow("bypass: port out of range")
            << TwoWans + "routing:\n  bypass:\n    - {name: r, match: {protocol: tcp, ports: 70000}, via: a}\n"
            << 8 << 47 << "routing.bypass[0].match.ports"
            << "expected a port from 1 to 65535";
        QTest::newRow("bypass: ports without protocol")
            << TwoWans + "routing:\n  bypass:\n    - {name: r, match: {ports: 443}, via: a}\n"
            << 8 << 32 << "routing.bypass[0].match.ports"
            << "ports need 'protocol: tcp' or 'protocol: udp'";
        QTest::newRow("bypass: neither via nor around_bond")
            << TwoWans + "routing:\n  bypass:\n    - {name: r, match: {source: 10.1.2.3}}\n"
            << 8 << 7 << "routing.bypass[0]"
            << "missing 'via: <wan name>' or 'around_bond: true'";
        QTest::newRow("bonded without an engine")
            << QByteArray("routing:\n  policy: bonded\n") << 2 << 11 << "routing.policy"
            << "needs an engine";

        // Engines.
        QTest::newRow("fec: not increasing")
            << QByteArray("engine:\n  tinyfec:\n    fec: 20:10,8:6\n") << 3 << 10 << "engine.tinyfec.fec"
            << "'8:6': the data counts must increase";
        QTest::newRow("fec: zero data") << QByteArray("engine:\n  tinyfec:\n    fec: \"0:3\"\n") << 3 << 10
                                        << "engine.tinyfec.fec"
                                        << "data must be at least 1";
        QTest::newRow("fec: syntax") << QByteArray("engine:\n  tinyfec:\n    fec: 1:3;2:4\n") << 3 << 10
                                     << "engine.tinyfec.fec"
                                     << "is not data:redundant";
        QTest::newRow("tinyfec without server") << QByteArray("engine:\n  type: tinyfec\n") << 2 << 9 << "engine.type"
                                                << "needs engine.tinyfec.server";
        QTest::newRow("engarde: bad server")
            << QByteArray("engine:\n  engarde: {server: \"vpn_example:1\"}\n") << 2 << 21 << "engine.engarde.server"
            << "neither an IP address nor a host name";
        QTest::newRow("speedify: bad connect") << QByteArray("engine:\n  speedify: {connect: somewhere far away}\n")
                                               << 2 << 23 << "engine.speedify.connect"
                                               << "expected closest, public, private, p2p";
        QTest::newRow("selfhosted: unknown mode")
            << QByteArray("engine:\n  selfhosted:\n    mode: fastest\n") << 3 << 11 << "engine.selfhosted.mode"
            << "speed";
        QTest::newRow("selfhosted: mtu too big")
            << QByteArray("engine:\n  selfhosted: {mtu: 1500}\n") << 2 << 21 << "engine.selfhosted.mtu"
            << "from 1280 to 1420";
        QTest::newRow("selfhosted: hostile interface")
            << QByteArray("engine:\n  selfhosted: {interface: \"wg0;reboot\"}\n") << 2 << 27
            << "engine.selfhosted.interface"
            << "interface name";
        QTest::newRow("selfhosted: one port for both")
            << QByteArray("engine:\n  selfhosted: {relay_port: 7000, tcp_port: 7000}\n") << 2 << 44
            << "engine.selfhosted.tcp_port"
            << "must differ";
        QTest::newRow("selfhosted: unknown key")
            << QByteArray("engine:\n  selfhosted: {server: 198.51.100.7}\n") << 2 << 16 << "engine.selfhosted.server"
            << "unknown";
        QTest::newRow("speedify: relative cli path")
            << QByteArray("engine:\n  speedify: {cli_path: speedify_cli}\n") << 2 << 24 << "engine.speedify.cli_path"
            << "expected an absolute path";

        // API.
        QTest::newRow("api: bad listen IP")
            << QByteArray("api:\n  listen: [127.0.0.1, 192.168.1.300]\n") << 2 << 23 << "api.listen[1]"
            << "expected an IP address; got '192.168.1.300'";
        QTest::newRow("api: lenient IPv4 form")
            << QByteArray("api:\n  listen: [\"0x7f.1\"]\n") << 2 << 12 << "api.listen[0]"
            << "expected an IP address";
        QTest::newRow("api: IPv4 wildcard")
            << QByteArray("api:\n  listen: [127.0.0.1, 0.0.0.0]\n") << 2 << 23 << "api.listen[1]"
            << "would listen on the WANs too";
        QTest::newRow("api: IPv6 wildcard") << QByteArray("api:\n  listen: [\"::\"]\n") << 2 << 12 << "api.listen[0]"
                                            << "would listen on the WANs too";
        QTest::newRow("api: no listen address") << QByteArray("api:\n  listen: []\n") << 2 << 11 << "api.listen"
                                                << "at least one address";

        // Limits for untrusted input.
        QByteArray deepFlow = "x: " + QByteArray(40, '[') + QByteArray(40, ']') + "\n";
        QString deepPath = QStringLiteral("x");
        for (int i = 0; i < ConfigLoader::MaxDepth - 1; ++i)
            deepPath += QStringLiteral("[0]");
        QTest::newRow("too deep: flow") << deepFlow << 1 << 4 + ConfigLoader::MaxDepth - 1 << deepPath
                                        << "nested deeper than 32";
        QByteArray deepBlock;
        QStringList deepKeys;
        for (int i = 0; i < 40; ++i) {
            deepBlock += QByteArray(i, ' ') + "k" + QByteArray::number(i) + ":\n";
            if (i < ConfigLoader::MaxDepth)
                deepKeys.append(QStringLiteral("k%1").arg(i));
        }
        QTest::newRow("too deep: block") << deepBlock << 33 << 33 << deepKeys.join(QLatin1Char('.'))
                                         << "nested deeper than 32";
        QTest::newRow("alias") << QByteArray("ui: {theme: dark}\napi:\n  listen: [&p \"::1\"]\n  port: *p\n") << 4 << 9
                               << "api.port"
                               << "aliases (*name) are not allowed";
        QTest::newRow("anchor") << QByteArray("ui: &u {theme: dark}\n") << 1 << 5 << "ui"
                                << "anchors (&name) are not allowed";
        QTest::newRow("tag") << QByteArray("ui:\n  theme: !!str dark\n") << 2 << 10 << "ui.theme"
                             << "tags";
        QTest::newRow("too many nodes") << "x: [" + QByteArray("1,").repeated(ConfigLoader::MaxNodes + 1) + "1]\n"
                                        << 1 << 5 + 2 * (ConfigLoader::MaxNodes - 3)
                                        << "x[" + QString::number(ConfigLoader::MaxNodes - 3) + "]"
                                        << "more than 50000 nodes";
        QTest::newRow("too large") << QByteArray(ConfigLoader::MaxFileBytes + 1, '#') << 0 << 0 << QString()
                                   << "the limit is 1048576 bytes";
    }

    void errors()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, keyPath);
        QFETCH(QString, fragment);

        ConfigErrors errors;
        const auto config = ConfigLoader::loadString(yaml, File, &errors);
        QVERIFY(!config);
        QVERIFY(!errors.isEmpty());
        const auto found = std::find_if(errors.cbegin(), errors.cend(),
                                        [&](const ConfigError &x) { return x.message.contains(fragment); });
        QVERIFY2(found != errors.cend(), qPrintable(dump(errors)));
        const ConfigError &e = *found;
        QCOMPARE(e.file, File);
        QCOMPARE(e.keyPath, keyPath);
        QCOMPARE(e.line, line);
        QCOMPARE(e.column, column);
        QVERIFY2(errors.size() == 1 || QByteArray(QTest::currentDataTag()).startsWith("alias"),
                 qPrintable(dump(errors)));
        if (line > 0)
            QVERIFY(e.toString().startsWith(QStringLiteral("test.yaml:%1:%2: ").arg(line).arg(column)));
    }

    void reportsEveryErrorNotJustTheFirst()
    {
        const QByteArray yaml = "wans:\n"
                                "  - name: a\n"
                                "    interface: eth0\n"
                                "    priority: primary\n"
                                "  - name: a\n"
                                "    interface: eth0/x\n"
                                "ui:\n"
                                "  them: dark\n"
                                "  blank_after: -1\n";
        ConfigErrors errors;
        QVERIFY(!ConfigLoader::loadString(yaml, File, &errors));
        QStringList got;
        for (const ConfigError &e : errors)
            got.append(QStringLiteral("%1:%2 %3").arg(e.line).arg(e.column).arg(e.keyPath));
        QCOMPARE(got, QStringList({QStringLiteral("4:15 wans[0].priority"), QStringLiteral("5:11 wans[1].name"),
                                   QStringLiteral("6:16 wans[1].interface"), QStringLiteral("8:3 ui.them"),
                                   QStringLiteral("9:16 ui.blank_after")}));
    }

    void anchorAndAliasAreBothReported()
    {
        ConfigErrors errors;
        QVERIFY(!ConfigLoader::loadString("ui: &u {theme: dark}\nengine: *u\n", File, &errors));
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors.at(1).line, 2);
        QCOMPARE(errors.at(1).column, 9);
        QCOMPARE(errors.at(1).keyPath, QStringLiteral("engine"));
    }

    void anchorAndAliasCharactersInsideStringsAreFine()
    {
        ConfigErrors errors;
        const auto config = ConfigLoader::loadString(
            "wans:\n  - name: a\n    match: {device_path: \"*/usb1/*\", driver: '&drv'}\n", File, &errors);
        QVERIFY2(config, qPrintable(dump(errors)));
        QCOMPARE(config->wans.first().match.devicePath, QStringLiteral("*/usb1/*"));
        QCOMPARE(config->wans.first().match.driver, QStringLiteral("&drv"));
    }

    void errorFloodIsCapped()
    {
        QByteArray yaml = "ui:\n";
        for (int i = 0; i < 500; ++i)
            yaml += "  k" + QByteArray::number(i) + ": 1\n";
        ConfigErrors errors;
        QVERIFY(!ConfigLoader::loadString(yaml, File, &errors));
        QCOMPARE(errors.size(), ConfigLoader::MaxErrors + 1);
        QVERIFY(errors.last().message.contains(QStringLiteral("not reporting the rest")));
    }

    void emptyFileGivesDefaults()
    {
        const QByteArray empties[] = {QByteArray(), QByteArray("# only a comment\n"), QByteArray("ui:\nwans:\n")};
        for (const QByteArray &yaml : empties) {
            ConfigErrors errors;
            const auto config = ConfigLoader::loadString(yaml, File, &errors);
            QVERIFY2(config, qPrintable(dump(errors)));
            QVERIFY(errors.isEmpty());
            QCOMPARE(*config, Config());
        }
        const Config d;
        QCOMPARE(d.version, 1);
        QVERIFY(d.wans.isEmpty());
        QCOMPARE(d.routing.policy, RoutingPolicy::Failover);
        QCOMPARE(d.routing.killSwitch, false);
        QCOMPARE(d.engine.type, EngineType::None);
        QCOMPARE(d.engine.speedify.cliPath, QStringLiteral("/usr/share/speedify/speedify_cli"));
        QCOMPARE(d.engine.tinyfec.fec, QStringLiteral("20:10"));
        QCOMPARE(d.api.port, quint16(8443));
        QCOMPARE(d.api.listen,
                 QList<QHostAddress>({QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("::1"))}));
        QCOMPARE(d.api.tls.enabled, false);
        QCOMPARE(d.ui.kiosk, false);
        QCOMPARE(d.ui.blankAfterSeconds, 300);
        QCOMPARE(d.ui.theme, UiTheme::Dark);
    }

    void wanDefaultsAndResolution()
    {
        ConfigErrors errors;
        const auto config =
            ConfigLoader::loadString("wans:\n"
                                     "  - {name: a, interface: eth0}\n"
                                     "  - {name: b, interface: wwan0, metered: true}\n"
                                     "  - {name: c, interface: wwan1, metered: true, probe: {interval: 3s}}\n"
                                     "  - {name: d, interface: eth1, probe: {method: tcp, targets: [\"1.1.1.1:80\"]}}\n"
                                     "  - {name: e, interface: eth2, probe: {interval: 500}}\n",
                                     File, &errors);
        QVERIFY2(config, qPrintable(dump(errors)));
        const WanConfig &a = config->wans.at(0);
        QCOMPARE(a.priority, WanPriority::Always);
        QCOMPARE(a.weight, 1);
        QCOMPARE(a.enabled, true);
        QCOMPARE(a.metered, false);
        QCOMPARE(a.probe.method, ProbeMethod::Icmp);
        QCOMPARE(a.probe.targets.size(), 3);
        QCOMPARE(a.probe.targets.first().toString(), QStringLiteral("1.1.1.1"));
        QCOMPARE(a.probe.intervalMs, 2000);
        QCOMPARE(a.probe.timeoutMs, 1000);
        QCOMPARE(a.probe.reliability, 2);
        QCOMPARE(a.probe.downRounds, 3);
        QCOMPARE(a.probe.upRounds, 5);
        QCOMPARE(a.caps.action, CapAction::Warn);
        QVERIFY(!a.caps.dailyBytes);
        QCOMPARE(config->wans.at(1).probe.intervalMs, 10000); // metered: 5x slower by default
        QCOMPARE(config->wans.at(2).probe.intervalMs, 3000);  // an explicit interval wins
        QCOMPARE(config->wans.at(3).probe.targets.size(), 1);
        QCOMPARE(config->wans.at(3).probe.targets.first().port, quint16(80));
        QCOMPARE(config->wans.at(3).probe.reliability, 1); // default clamps to the number of targets
        QCOMPARE(config->wans.at(4).probe.intervalMs, 500);
        QCOMPARE(config->wans.at(4).probe.timeoutMs, 500); // default timeout never exceeds the interval
    }

    void valueForms()
    {
        ConfigErrors errors;
        const auto config = ConfigLoader::loadString(
            "wans:\n"
            "  - name: a\n"
            "    interface: eth0\n"
            "    caps: {daily: 1.5 GiB, monthly: 100000000000}\n"
            "    probe: {method: dns, targets: [\"9.9.9.9\", \"[2620:fe::fe]:5353\"]}\n"
            "routing:\n"
            "  bypass:\n"
            "    - {name: r, match: {destination: \"2001:db8::/32\", protocol: udp, ports: 1000-2000}, via: a}\n"
            "engine:\n"
            "  type: engarde\n"
            "  engarde: {server: \"vpn.example.org:59402\", excluded_interfaces: [wlan0]}\n"
            "  tinyfec: {fec: \"1:3, 2:4,8:6,20:10\", subnet: 10.9.8.0/24}\n"
            "  speedify: {connect: us nyc 3, transport: tcp-multi}\n"
            "  selfhosted: {mode: streaming, tcp_aggregation: false, interface: swbond1, mtu: 1300,"
            " relay_port: 7500, tcp_port: 7501}\n"
            "api:\n"
            "  listen: [\"::1\"]\n"
            "  tls: {enabled: true}\n"
            "ui: {blank_after: 90}\n",
            File, &errors);
        QVERIFY2(config, qPrintable(dump(errors)));
        const WanConfig &a = config->wans.first();
        QCOMPARE(*a.caps.dailyBytes, std::uint64_t(1610612736));
        QCOMPARE(*a.caps.monthlyBytes, std::uint64_t(100000000000));
        QCOMPARE(a.probe.targets.at(0).port, quint16(53));
        QCOMPARE(a.probe.targets.at(1).toString(), QStringLiteral("[2620:fe::fe]:5353"));
        const BypassRule &r = config->routing.bypass.first();
        QCOMPARE(r.match.destination->toString(), QStringLiteral("2001:db8::/32"));
        QCOMPARE(r.match.protocol, IpProtocol::Udp);
        QCOMPARE(r.match.ports->first, quint16(1000));
        QCOMPARE(r.match.ports->last, quint16(2000));
        QCOMPARE(config->engine.type, EngineType::Engarde);
        QCOMPARE(config->engine.engarde.server.toString(), QStringLiteral("vpn.example.org:59402"));
        QCOMPARE(config->engine.engarde.listen.toString(), QStringLiteral("127.0.0.1:59401"));
        QCOMPARE(config->engine.tinyfec.fec, QStringLiteral("1:3,2:4,8:6,20:10"));
        QCOMPARE(config->engine.tinyfec.subnet, QHostAddress(QStringLiteral("10.9.8.0")));
        QCOMPARE(config->engine.speedify.connect, QStringLiteral("us nyc 3"));
        QCOMPARE(config->engine.speedify.transport, SpeedifyTransport::TcpMulti);
        const SelfHostedConfig &own = config->engine.selfhosted;
        QCOMPARE(own.mode, SelfHostedMode::Streaming);
        QCOMPARE(own.tcpAggregation, false);
        QCOMPARE(own.interface, QStringLiteral("swbond1"));
        QCOMPARE(own.mtu, 1300);
        QCOMPARE(own.relayPort, quint16(7500));
        QCOMPARE(own.tcpPort, quint16(7501));
        QCOMPARE(config->api.tls.enabled, true);
        QCOMPARE(config->ui.blankAfterSeconds, 90);
    }

    void tlsDefaultFollowsTheListenAddresses()
    {
        ConfigErrors errors;
        auto config = ConfigLoader::loadString("api: {listen: [127.0.0.1, 192.168.1.1]}\n", File, &errors);
        QVERIFY(config);
        QCOMPARE(config->api.tls.enabled, true);
        config = ConfigLoader::loadString("api: {listen: [192.168.1.1], tls: {enabled: false}}\n", File, &errors);
        QVERIFY(config);
        QCOMPARE(config->api.tls.enabled, false);
        QVERIFY(errors.isEmpty());
    }

    void shippedExampleLoads()
    {
        const QString path = QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml");
        ConfigErrors errors;
        const auto config = ConfigLoader::loadFile(path, &errors);
        QVERIFY2(config, qPrintable(dump(errors)));
        QVERIFY(errors.isEmpty());

        QCOMPARE(config->wans.size(), 3);
        const WanConfig &wired = config->wans.at(0);
        QCOMPARE(wired.name, QStringLiteral("wired"));
        QCOMPARE(wired.interface, QStringLiteral("eth0"));
        QCOMPARE(wired.priority, WanPriority::Always);
        QCOMPARE(wired.weight, 10);
        QCOMPARE(wired.probe.intervalMs, 1000);
        QCOMPARE(wired.probe.timeoutMs, 800);
        QCOMPARE(wired.probe.thresholds.latencyFailMs, 800);
        QCOMPARE(wired.probe.thresholds.lossRecoverPercent, 5);
        QCOMPARE(wired.probe.thresholds.jitterFailMs, 200);

        const WanConfig &phone = config->wans.at(1);
        QVERIFY(phone.interface.isEmpty());
        QCOMPARE(phone.match.driver, QStringLiteral("rndis_host"));
        QCOMPARE(phone.match.devicePath, QStringLiteral("*/usb1/1-1.3/*"));
        QCOMPARE(phone.priority, WanPriority::Secondary);
        QCOMPARE(phone.probe.method, ProbeMethod::Tcp);
        QCOMPARE(phone.probe.targets.size(), 2);
        QCOMPARE(phone.probe.targets.at(1).toString(), QStringLiteral("[2606:4700:4700::1111]:443"));

        const WanConfig &lte = config->wans.at(2);
        QCOMPARE(lte.match.permanentMac, QStringLiteral("02:1e:10:1f:00:00"));
        QCOMPARE(lte.priority, WanPriority::Backup);
        QVERIFY(lte.metered);
        QCOMPARE(lte.probe.intervalMs, 10000);
        QCOMPARE(lte.probe.method, ProbeMethod::Dns);
        QCOMPARE(lte.probe.query, QStringLiteral("example.com"));
        QCOMPARE(*lte.caps.dailyBytes, std::uint64_t(2000000000));
        QCOMPARE(*lte.caps.monthlyBytes, std::uint64_t(30000000000));
        QCOMPARE(lte.caps.resetDay, 12);
        QCOMPARE(lte.caps.action, CapAction::Disable);

        QCOMPARE(config->routing.policy, RoutingPolicy::Failover);
        QCOMPARE(config->routing.bypass.size(), 2);
        const BypassRule &laptop = config->routing.bypass.at(0);
        QCOMPARE(laptop.match.source->toString(), QStringLiteral("192.168.1.50/32"));
        QCOMPARE(laptop.match.protocol, IpProtocol::Udp);
        QCOMPARE(laptop.match.ports->first, quint16(3478));
        QCOMPARE(laptop.match.ports->last, quint16(3481));
        QCOMPARE(laptop.via, QStringLiteral("wired"));
        QVERIFY(config->routing.bypass.at(1).aroundBond);

        QCOMPARE(config->engine.type, EngineType::Speedify);
        QCOMPARE(config->engine.speedify.mode, SpeedifyMode::Redundant);
        QCOMPARE(config->engine.speedify.connect, QStringLiteral("closest"));
        QCOMPARE(config->api.listen.size(), 3);
        QCOMPARE(config->api.port, quint16(8443));
        QCOMPARE(config->api.tls.enabled, true);
        QCOMPARE(config->ui.kiosk, true);
        QCOMPARE(config->ui.blankAfterSeconds, 300);
    }

    void enumNamesRoundTrip()
    {
        QCOMPARE(configName(SpeedifyTransport::TcpMulti), QStringLiteral("tcp-multi"));
        QCOMPARE(configEnumFromString<WanPriority>(u"backup"), std::optional<WanPriority>(WanPriority::Backup));
        QVERIFY(!configEnumFromString<WanPriority>(u"Backup"));
    }

    // A stand-in for the libFuzzer target until it exists: mutated examples must never crash,
    // and a result is always exactly one of "a Config" or "errors".
    void mutatedInputNeverCrashes()
    {
        QFile f(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray example = f.readAll();
        const char alphabet[] = "[]{}:,-&*!?|>'\"#% \n\t0aZ.\\";
        QRandomGenerator random(20240601);
        for (int round = 0; round < 1000; ++round) {
            QByteArray yaml = example;
            const int edits = random.bounded(1, 6);
            for (int e = 0; e < edits; ++e) {
                const int at = random.bounded(int(yaml.size()));
                const char c = alphabet[random.bounded(int(sizeof(alphabet) - 1))];
                switch (random.bounded(3)) {
                case 0:
                    yaml[at] = c;
                    break;
                case 1:
                    yaml.insert(at, c);
                    break;
                default:
                    yaml.remove(at, random.bounded(1, 40));
                    break;
                }
            }
            ConfigErrors errors;
            const auto config = ConfigLoader::loadString(yaml, File, &errors);
            QVERIFY2(bool(config) == errors.isEmpty(), qPrintable(QStringLiteral("round %1").arg(round)));
            for (const ConfigError &e : std::as_const(errors))
                QVERIFY(e.line >= 0 && e.column >= 0 && !e.message.isEmpty());
        }
    }

    void missingFile()
    {
        ConfigErrors errors;
        QVERIFY(!ConfigLoader::loadFile(QStringLiteral("/nonexistent/config.yaml"), &errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().toString(), QStringLiteral("/nonexistent/config.yaml: file not found"));
    }
};

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"

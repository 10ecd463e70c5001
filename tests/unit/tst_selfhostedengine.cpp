// SPDX-License-Identifier: GPL-3.0-or-later
// The self-hosted engine's parts that need no network: the relay's paths per WAN (stable ids,
// backup tier set down, what is left out), ss-redir's configuration, the pairing file (0600,
// damaged file named), the engine unpaired and with a program missing, live and restarting
// configuration changes, and the engine manager's pair/unpair checks. The whole engine with the
// real programs runs in tst_selfhosted_lab.
#include "Clock.h"
#include "EngineActions.h"
#include "EngineManager.h"
#include "SamplePairingCode.h"
#include "SelfHostedEngine.h"
#include "StateStore.h"
#include "WireGuardControl.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace smoothwan;

namespace {

EngineWan wan(const QString &name, const QString &interface, const char *address, bool usable = true,
              WanPriority priority = WanPriority::Always)
{
    EngineWan w;
    w.name = name;
    w.interface = interface;
    w.address = address ? QHostAddress(QLatin1String(address)) : QHostAddress();
    w.usable = usable;
    w.priority = priority;
    return w;
}

// Never there: the engine waits for it and never configures anything.
class AbsentWireGuard final : public WireGuardControl
{
public:
    bool exists() const override { return false; }
    bool set(const Config &, QString *error) override
    {
        *error = QStringLiteral("absent");
        return false;
    }
    std::optional<Device> get(QString *error) override
    {
        *error = QStringLiteral("absent");
        return std::nullopt;
    }
    bool bringUp(const QString &, int, QString *error) override
    {
        *error = QStringLiteral("absent");
        return false;
    }
};

} // namespace

class TestSelfHostedEngine : public QObject
{
    Q_OBJECT

private:
    ManualClock m_clock;
    QTemporaryDir m_dir;

    SelfHostedEngine::Options options(const QString &stateDir)
    {
        SelfHostedEngine::Options o;
        o.stateDir = stateDir;
        o.runtimeDir = m_dir.filePath(QStringLiteral("run"));
        o.wireguardGo = QStringLiteral("/nonexistent/wireguard-go");
        o.relay = QStringLiteral("/nonexistent/smoothwan-relay");
        o.ssRedir = QStringLiteral("/nonexistent/ss-redir");
        o.wireguard = [](const QString &) { return std::make_unique<AbsentWireGuard>(); };
        o.initialBackoffMs = 10;
        return o;
    }

private Q_SLOTS:
    void relayPathsOnePerWanWithStableIds()
    {
        QHash<QString, int> ids;
        QList<EngineWan> wans {wan(QStringLiteral("fibre"), QStringLiteral("eth1"), "100.64.0.2"),
                               wan(QStringLiteral("lte"), QStringLiteral("wwan0"), "100.64.1.2")};
        auto paths = SelfHostedEngine::relayPaths(wans, ids);
        QCOMPARE(paths.size(), 2);
        QCOMPARE(paths[0].id, 1);
        QCOMPARE(paths[0].device, QStringLiteral("eth1"));
        QCOMPARE(paths[0].source, QHostAddress(QStringLiteral("100.64.0.2")));
        QCOMPARE(paths[1].id, 2);
        QVERIFY(paths[0].up && paths[1].up);
        // fibre goes away and comes back: lte keeps its id, fibre gets its old one back.
        paths = SelfHostedEngine::relayPaths({wans[1]}, ids);
        QCOMPARE(paths.size(), 1);
        QCOMPARE(paths[0].id, 2);
        paths = SelfHostedEngine::relayPaths({wans[1], wans[0]}, ids);
        QCOMPARE(paths[0].id, 2);
        QCOMPARE(paths[1].id, 1);
        // A new WAN gets the lowest free id.
        ids.remove(QStringLiteral("fibre"));
        paths = SelfHostedEngine::relayPaths(
            {wans[1], wan(QStringLiteral("cable"), QStringLiteral("eth2"), "10.0.0.2")}, ids);
        QCOMPARE(paths[1].id, 1);
    }

    void relayPathsLeaveOutWhatCannotCarry()
    {
        QHash<QString, int> ids;
        EngineWan disabled = wan(QStringLiteral("off"), QStringLiteral("eth3"), "10.0.3.2");
        disabled.enabled = false;
        const QList<EngineWan> wans {
            wan(QStringLiteral("never"), QStringLiteral("eth1"), "10.0.1.2", true, WanPriority::Never),
            wan(QStringLiteral("absent"), QString(), "10.0.2.2"),
            disabled,
            wan(QStringLiteral("noaddress"), QStringLiteral("eth4"), nullptr),
            wan(QStringLiteral("v6"), QStringLiteral("eth5"), "2001:db8::2"),
            wan(QStringLiteral("ok"), QStringLiteral("eth6"), "10.0.6.2", false), // health down: still a path
        };
        const auto paths = SelfHostedEngine::relayPaths(wans, ids);
        QCOMPARE(paths.size(), 1);
        QCOMPARE(paths[0].device, QStringLiteral("eth6"));
        // At most 16 paths (the relay's limit).
        QList<EngineWan> many;
        for (int i = 0; i < 20; ++i)
            many << wan(QStringLiteral("w%1").arg(i), QStringLiteral("eth%1").arg(i),
                        qPrintable(QStringLiteral("10.1.%1.2").arg(i)));
        QHash<QString, int> manyIds;
        QCOMPARE(SelfHostedEngine::relayPaths(many, manyIds).size(), 16);
    }

    void backupWanCarriesNothingWhileABetterOneWorks()
    {
        QHash<QString, int> ids;
        QList<EngineWan> wans {
            wan(QStringLiteral("fibre"), QStringLiteral("eth1"), "100.64.0.2"),
            wan(QStringLiteral("lte"), QStringLiteral("wwan0"), "100.64.1.2", true, WanPriority::Backup)};
        auto paths = SelfHostedEngine::relayPaths(wans, ids);
        QVERIFY(paths[0].up);
        QVERIFY(!paths[1].up);
        wans[0].usable = false; // fibre down: the backup carries
        paths = SelfHostedEngine::relayPaths(wans, ids);
        QVERIFY(paths[1].up);
    }

    // A WAN whose link lost carrier (a cut, seen on netlink at once) is set down while another
    // has carrier, and up again the moment carrier is back; never every path down.
    void cutWanIsSetDownWhileAnotherHasCarrier()
    {
        QHash<QString, int> ids;
        QList<EngineWan> wans {wan(QStringLiteral("fibre"), QStringLiteral("eth1"), "100.64.0.2", false),
                               wan(QStringLiteral("cable"), QStringLiteral("eth2"), "100.64.1.2", false)};
        auto paths = SelfHostedEngine::relayPaths(wans, ids); // health unknown: both carry
        QVERIFY(paths[0].up && paths[1].up);
        wans[0].carrier = false;
        paths = SelfHostedEngine::relayPaths(wans, ids);
        QVERIFY(!paths[0].up);
        QVERIFY(paths[1].up);
        wans[1].carrier = false; // both cut: both stay up, the relay finds out what still answers
        paths = SelfHostedEngine::relayPaths(wans, ids);
        QVERIFY(paths[0].up && paths[1].up);
        wans[0].carrier = true; // fibre back (its health may still say down): it carries again
        paths = SelfHostedEngine::relayPaths(wans, ids);
        QVERIFY(paths[0].up);
        QVERIFY(!paths[1].up);
    }

    void ssRedirConfigurationComesFromTheCode()
    {
        const PairingCode code = test::samplePairingCode();
        const QJsonObject o = QJsonDocument::fromJson(SelfHostedEngine::ssRedirConfig(code, 7421)).object();
        QCOMPARE(o.value(QStringLiteral("server")).toString(), QStringLiteral("198.51.100.7"));
        QCOMPARE(o.value(QStringLiteral("server_port")).toInt(), 8388);
        QCOMPARE(o.value(QStringLiteral("local_port")).toInt(), 7421);
        QCOMPARE(o.value(QStringLiteral("password")).toString(), code.shadowsocksPasswordText());
        QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("chacha20-ietf-poly1305"));
        QCOMPARE(o.value(QStringLiteral("mode")).toString(), QStringLiteral("tcp_only"));
        QCOMPARE(o.value(QStringLiteral("no_delay")).toBool(), true);
    }

    void pairingIsKeptForTheOwnerOnly()
    {
        const QString state = m_dir.filePath(QStringLiteral("pairing-state"));
        QString error;
        QVERIFY(!SelfHostedEngine::loadPairing(state, &error));
        QVERIFY(error.isEmpty()); // none yet is not an error
        const QString text = test::samplePairingCode().encode();
        QVERIFY2(SelfHostedEngine::savePairing(state, QStringLiteral("  ") + text + QStringLiteral("\n"), &error),
                 qPrintable(error));
        QFile f(SelfHostedEngine::pairingPath(state));
        QCOMPARE(f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                    QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QCOMPARE(QFile(QFileInfo(f).absolutePath()).permissions() &
                     (QFileDevice::ReadOther | QFileDevice::ExeOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        const auto loaded = SelfHostedEngine::loadPairing(state, &error);
        QVERIFY(loaded);
        QCOMPARE(*loaded, test::samplePairingCode());
        // A damaged file is named, with what is wrong.
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text.left(40).toLatin1());
        f.close();
        QVERIFY(!SelfHostedEngine::loadPairing(state, &error));
        QVERIFY2(error.contains(f.fileName()) && error.contains(QLatin1String("pair again")), qPrintable(error));
        QVERIFY(SelfHostedEngine::removePairing(state, &error));
        QVERIFY(!f.exists());
        QVERIFY(SelfHostedEngine::removePairing(state, &error)); // nothing to remove is fine
    }

    void unpairedEngineRunsNothingAndSaysWhatToDo()
    {
        SelfHostedEngine e(m_clock, {}, options(m_dir.filePath(QStringLiteral("empty"))));
        e.start();
        const QJsonObject s = e.status();
        QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("unpaired"));
        QVERIFY(s.value(QStringLiteral("message")).toString().contains(QLatin1String("pairing code")));
        QCOMPARE(s.value(QStringLiteral("tunnelUp")).toBool(), false);
        QCOMPARE(s.value(QStringLiteral("server")).type(), QJsonValue::Null);
        QCOMPARE(s.value(QStringLiteral("pairing")).toObject().value(QStringLiteral("paired")).toBool(), false);
        for (const QJsonValue &c : s.value(QStringLiteral("components")).toArray())
            QCOMPARE(c.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
        QCOMPARE(e.tcpRedirectPort(), quint16(0));
        QVERIFY(e.serverAddress().isNull());
        QSignalSpy stopped(&e, &Engine::stopped);
        e.stop();
        QVERIFY(stopped.wait(1000));
    }

    void missingProgramSaysWhatToInstall()
    {
        const QString state = m_dir.filePath(QStringLiteral("paired"));
        QString error;
        QVERIFY(SelfHostedEngine::savePairing(state, test::samplePairingCode().encode(), &error));
        SelfHostedEngine e(m_clock, {}, options(state));
        QSignalSpy events(&e, &Engine::event);
        e.start();
        QTRY_COMPARE(e.status().value(QStringLiteral("state")).toString(), QStringLiteral("not-installed"));
        const QJsonObject s = e.status();
        QCOMPARE(s.value(QStringLiteral("installed")).toBool(), false);
        QVERIFY(s.value(QStringLiteral("installHint")).toString().contains(QLatin1String("wireguard-go")) ||
                s.value(QStringLiteral("installHint")).toString().contains(QLatin1String("smoothwan")));
        QVERIFY(!s.value(QStringLiteral("lastError")).isNull());
        QCOMPARE(s.value(QStringLiteral("server")).toString(), QStringLiteral("198.51.100.7"));
        QCOMPARE(s.value(QStringLiteral("tunnelUp")).toBool(), false);
        QVERIFY(!events.isEmpty());
        // ss-redir missing: TCP aggregation says why, the rest is unaffected.
        QVERIFY(s.value(QStringLiteral("tcpAggregation"))
                    .toObject()
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(QLatin1String("shadowsocks-libev")));
        // The relay's key is written for it, the owner's only.
        QFile key(m_dir.filePath(QStringLiteral("run/selfhosted/relay.key")));
        QVERIFY(key.exists());
        QCOMPARE(key.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        QSignalSpy stopped(&e, &Engine::stopped);
        e.stop();
        QVERIFY(stopped.wait(5000));
    }

    void modeChangesLiveOtherSettingsRestart()
    {
        SelfHostedEngine e(m_clock, {}, options(m_dir.filePath(QStringLiteral("empty"))));
        SelfHostedConfig c;
        c.mode = SelfHostedMode::Redundant;
        QVERIFY(e.setConfig(c));
        QCOMPARE(e.status().value(QStringLiteral("mode")).toString(), QStringLiteral("redundant"));
        QCOMPARE(
            e.status().value(QStringLiteral("tcpAggregation")).toObject().value(QStringLiteral("enabled")).toBool(),
            false);
        e.setMode(SelfHostedMode::Streaming);
        QCOMPARE(e.status().value(QStringLiteral("mode")).toString(), QStringLiteral("streaming"));
        c.interface = QStringLiteral("swbond9");
        QVERIFY(!e.setConfig(c)); // the device's name: a restart
        c = {};
        c.mtu = 1300;
        QVERIFY(!e.setConfig(c));
    }

    void managerChecksTheCodeBeforeKeepingIt()
    {
        StateStore store(m_clock);
        EngineManager manager(m_clock, store);
        const QString state = m_dir.filePath(QStringLiteral("manager"));
        manager.setStateDirectory(state);
        QString typo = test::samplePairingCode().encode();
        typo[20] = typo.at(20) == QLatin1Char('x') ? QLatin1Char('y') : QLatin1Char('x');
        EngineResult r = manager.pair(typo);
        QVERIFY(!r.ok);
        QCOMPARE(engineErrorCode(r.errorKind), QStringLiteral("invalid_format"));
        QVERIFY2(r.message.contains(QLatin1String("mistyped or truncated")), qPrintable(r.message));
        QVERIFY(!QFile::exists(SelfHostedEngine::pairingPath(state)));
        r = manager.pair(test::samplePairingCode().encode());
        QVERIFY(r.ok);
        QCOMPARE(r.data.toObject().value(QStringLiteral("server")).toString(), QStringLiteral("198.51.100.7"));
        QVERIFY(
            !QJsonDocument(r.data.toObject()).toJson().contains(test::samplePairingCode().relayKeyHex().toLatin1()));
        QVERIFY(QFile::exists(SelfHostedEngine::pairingPath(state)));
        r = manager.unpair();
        QVERIFY(r.ok);
        QVERIFY(!QFile::exists(SelfHostedEngine::pairingPath(state)));
    }
};

QTEST_GUILESS_MAIN(TestSelfHostedEngine)
#include "tst_selfhostedengine.moc"

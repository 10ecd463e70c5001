// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwanctl against an in-process API server: output, --json, exit codes, certificate pinning
// and the live watch view. The CLI runs as a child via QProcess with an argv list.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "ConfigLoader.h"
#include "StateStore.h"
#include "TlsIdentity.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <unistd.h>

#include <memory>

using namespace smoothwan;

namespace {

class FakeBackend final : public ApiBackend
{
public:
    Config m_config;
    const Config &config() const override { return m_config; }
    QString configPath() const override { return {}; }
    bool applyConfig(const QByteArray &yaml, ConfigErrors *errors) override
    {
        auto c = ConfigLoader::loadString(yaml, QStringLiteral("api"), errors);
        if (c)
            m_config = *c;
        return c.has_value();
    }
    QFuture<EngineActionResult> engineAction(const QString &, const QJsonObject &) override
    {
        return QtFuture::makeReadyFuture(EngineActionResult {true, QJsonObject {}, {}, {}});
    }
};

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestSmoothwanctl : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    ManualClock m_clock;
    std::unique_ptr<StateStore> m_state;
    std::unique_ptr<AuthStore> m_auth;
    FakeBackend m_backend;
    std::unique_ptr<ApiServer> m_server;
    QString m_token;
    QString m_url;

    void start(const std::optional<TlsIdentity> &tls = std::nullopt)
    {
        m_server.reset();
        m_state = std::make_unique<StateStore>(m_clock);
        m_auth = std::make_unique<AuthStore>(m_clock, m_dir.filePath(QStringLiteral("auth")),
                                             m_dir.filePath(QStringLiteral("local-token")), nullptr, true);
        QString error;
        QVERIFY(m_auth->load(&error));
        QFile f(m_dir.filePath(QStringLiteral("local-token")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_token = QString::fromLatin1(f.readAll().trimmed());
        ApiServer::Options o;
        o.coalesceMs = 0;
        o.tlsOnLoopback = tls.has_value();
        m_server = std::make_unique<ApiServer>(m_clock, *m_state, *m_auth, m_backend, o);
        registerApiCommands(m_server->commands(), m_backend, *m_auth, *m_state);
        QVERIFY(m_server->listen({QHostAddress(QHostAddress::LocalHost)}, 0, tls, &error));
        m_url = QStringLiteral("%1://127.0.0.1:%2")
                    .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                    .arg(m_server->ports().value(0));
        setWired(1250000);
    }

    void setWired(double rxBps)
    {
        m_state->setSlice(QStringLiteral("wans"),
                          QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("wired")},
                                                   {QStringLiteral("state"), QStringLiteral("up")},
                                                   {QStringLiteral("enabled"), true},
                                                   {QStringLiteral("priority"), QStringLiteral("always")},
                                                   {QStringLiteral("rxBps"), rxBps},
                                                   {QStringLiteral("txBps"), 1000},
                                                   {QStringLiteral("latencyMs"), 14},
                                                   {QStringLiteral("lossPct"), 0}}});
    }

    void configure(QProcess &p, const QString &token)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SMOOTHWAN_TOKEN"), token);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("xdg")));
        p.setProcessEnvironment(env);
        p.setProgram(QStringLiteral(SMOOTHWAN_BINARY_DIR "/app/smoothwanctl/smoothwanctl"));
    }

    Run run(const QStringList &args, const QString &token = {})
    {
        QProcess p;
        configure(p, token.isNull() ? m_token : token);
        p.setArguments(QStringList {QStringLiteral("--url"), m_url} + args);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start();
        p.closeWriteChannel();
        // Wait with the event loop running: the server is in this process.
        if (!finished.wait(20000))
            p.kill();
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private Q_SLOTS:
    void init() { start(); }

    void statusTableAndJson()
    {
        Run r = run({QStringLiteral("status")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("wired"));
        QVERIFY(r.out.contains("10 Mb/s"));
        QVERIFY(r.out.contains("14 ms"));
        r = run({QStringLiteral("--json"), QStringLiteral("status")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("wans")).toArray().size(), 1);
    }

    void exitCodes()
    {
        QCOMPARE(run({QStringLiteral("status")}, QStringLiteral("bad")).exitCode, 3);
        QCOMPARE(run({QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("call"), QStringLiteral("wan.set_weight"), QStringLiteral("wan=nope"),
                      QStringLiteral("weight=3")})
                     .exitCode,
                 1);
        // A viewer may not change WANs.
        Run t =
            run({QStringLiteral("tokens"), QStringLiteral("create"), QStringLiteral("ro"), QStringLiteral("viewer")});
        QCOMPARE(t.exitCode, 0);
        QCOMPARE(run({QStringLiteral("wan"), QStringLiteral("disable"), QStringLiteral("wired")},
                     QString::fromLatin1(t.out.trimmed()))
                     .exitCode,
                 4);
        m_server.reset();
        QCOMPARE(run({QStringLiteral("status")}).exitCode, 69);
    }

    // --token-file: the token comes from the file (and wins over SMOOTHWAN_TOKEN); a missing,
    // unreadable or empty file is a usage error (exit 2) that names the file.
    void tokenFile()
    {
        const QString good = m_dir.filePath(QStringLiteral("good-token"));
        {
            QFile f(good);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m_token.toLatin1() + "\n");
        }
        Run r = run({QStringLiteral("--token-file"), good, QStringLiteral("status")}, QStringLiteral("bad"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("wired"));

        const QString missing = m_dir.filePath(QStringLiteral("no-such-token"));
        r = run({QStringLiteral("--token-file"), missing, QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token") && r.err.contains(QFile::encodeName(missing)), r.err.constData());
        QVERIFY(r.out.isEmpty());

        const QString empty = m_dir.filePath(QStringLiteral("empty-token"));
        {
            QFile f(empty);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        r = run({QStringLiteral("--token-file"), empty, QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token"), r.err.constData());

        // A directory cannot be read as a token.
        r = run({QStringLiteral("--token-file"), m_dir.path(), QStringLiteral("status")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no token"), r.err.constData());

        // A file the CLI may not read (root reads everything, so only checked as non-root).
        const QString locked = m_dir.filePath(QStringLiteral("locked-token"));
        {
            QFile f(locked);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m_token.toLatin1());
        }
        QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
        if (::geteuid() != 0) {
            r = run({QStringLiteral("--token-file"), locked, QStringLiteral("status")});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("no token"), r.err.constData());
        }
    }

    void callAndConfig()
    {
        m_backend.m_config =
            *ConfigLoader::loadString("wans:\n  - name: wired\n    interface: eth0\n", QStringLiteral("x"), nullptr);
        Run r = run({QStringLiteral("call"), QStringLiteral("wan.set_weight"), QStringLiteral("wan=wired"),
                     QStringLiteral("weight=9")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(m_backend.m_config.wans[0].weight, 9);
        QFile bad(m_dir.filePath(QStringLiteral("bad.yaml")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("wans: [{name: a}]\n");
        bad.close();
        r = run({QStringLiteral("config"), QStringLiteral("validate"), bad.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("line 1"));
    }

    void pinsTheCertificate()
    {
        QString error;
        auto first = TlsIdentity::ensure(m_dir.filePath(QStringLiteral("a/cert.pem")),
                                         m_dir.filePath(QStringLiteral("a/key.pem")), &error);
        QVERIFY(first);
        start(first);
        Run r = run({QStringLiteral("status")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.contains("pinned"));
        QCOMPARE(run({QStringLiteral("status")}).exitCode, 0);
        // Same address, another key: refused.
        auto second = TlsIdentity::ensure(m_dir.filePath(QStringLiteral("b/cert.pem")),
                                          m_dir.filePath(QStringLiteral("b/key.pem")), &error);
        QVERIFY(second);
        const QString url = m_url;
        start(second);
        m_url = url.left(url.lastIndexOf(QLatin1Char(':'))) + QLatin1Char(':') +
                QString::number(m_server->ports().value(0));
        // The pin is per host:port, so pin the first certificate for this port first.
        QFile pins(m_dir.filePath(QStringLiteral("xdg/smoothwan/pins")));
        QVERIFY(pins.open(QIODevice::WriteOnly));
        pins.write(
            QStringLiteral("127.0.0.1:%1 %2\n").arg(m_server->ports().value(0)).arg(first->fingerprint()).toLatin1());
        pins.close();
        r = run({QStringLiteral("status")});
        QCOMPARE(r.exitCode, 5);
        QVERIFY(r.err.contains("CHANGED"));
    }

    void watchRedrawsInPlace()
    {
        QProcess p;
        configure(p, m_token);
        p.setArguments({QStringLiteral("--url"), m_url, QStringLiteral("watch")});
        p.start();
        QByteArray seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).contains("10 Mb/s"), 10000);
        setWired(2500000);
        QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).contains("20 Mb/s"), 10000);
        QVERIFY(seen.contains("\x1b[H"));
        p.kill();
        p.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestSmoothwanctl)
#include "tst_api_smoothwanctl.moc"

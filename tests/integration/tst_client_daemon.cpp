// SPDX-License-Identifier: GPL-3.0-or-later
// The UI's client (qml/client Backend + WanModel) against the real smoothwand in a lab router
// namespace (root): it reaches "ready" with the daemon's local token, holds the daemon's `wans`
// slice, and a command makes the round trip (wan.set_weight changes the configuration file and
// comes back as a delta).
#include "Backend.h"
#include "DaemonProcess.h"
#include "Lab.h"
#include "WanModel.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <unistd.h>

#include <memory>

using namespace smoothwan;
using smoothwan::lab::Lab;
using smoothwan::test::DaemonProcess;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QVariantMap wanNamed(const client::Backend &backend, const QString &name)
{
    for (const QVariant &w : backend.wans().toList()) {
        if (w.toMap().value(QStringLiteral("name")).toString() == name)
            return w.toMap();
    }
    return {};
}

} // namespace

class TestClientDaemon : public QObject
{
    Q_OBJECT

private:
    Lab m_lab;
    std::unique_ptr<DaemonProcess> m_daemon;
    std::unique_ptr<smoothwan::lab::ThreadInNamespace> m_inRouter;
    QString m_url;

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create network namespaces");
        QVERIFY2(m_lab.create(2), qPrintable(m_lab.errorString()));
        const quint16 port = quint16(20000 + (::getpid() + 7) % 20000);
        m_url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
        const QByteArray yaml = "wans:\n  - name: fibre\n    interface: wan0\n  - name: lte\n    interface: wan1\n"
                                "routing:\n  policy: failover\n"
                                "api:\n  port: " +
                                QByteArray::number(port) + "\n";
        m_daemon = std::make_unique<DaemonProcess>();
        QVERIFY(m_daemon->start(m_lab.routerNs(), yaml));
        // The client lives in the router's namespace, where the daemon listens on loopback.
        m_inRouter = std::make_unique<smoothwan::lab::ThreadInNamespace>(m_lab.routerNs());
        QVERIFY2(m_inRouter->ok(), qPrintable(m_inRouter->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_daemon->stateDir() + QStringLiteral("/local-token")), 15000);
    }

    void cleanupTestCase()
    {
        m_daemon.reset();
        m_inRouter.reset();
        m_lab.destroy();
    }

    void readyWithTheWansAndACommandRoundTrip()
    {
        client::Backend backend(nullptr);
        client::WanModel model;
        model.setBackend(&backend);
        QStringList seen;
        connect(&backend, &client::Backend::statusChanged, this, [&] { seen.append(backend.status()); });
        backend.connectLocal(m_url, m_daemon->stateDir() + QStringLiteral("/local-token"));
        QTRY_VERIFY2_WITH_TIMEOUT(backend.status() == QLatin1String("ready"), qPrintable(backend.statusMessage()),
                                  15000);
        QVERIFY(seen.contains(QStringLiteral("authenticating")));
        QVERIFY(seen.contains(QStringLiteral("syncing")));
        QVERIFY(backend.isLocal());
        QCOMPARE(backend.role(), QStringLiteral("admin"));
        QVERIFY(!backend.serverVersion().isEmpty());

        // The wans slice, as the daemon publishes it.
        QCOMPARE(backend.wans().toList().size(), 2);
        QCOMPARE(model.count(), 2);
        QCOMPARE(model.get(0).value(QStringLiteral("name")).toString(), QStringLiteral("fibre"));
        QCOMPARE(model.get(1).value(QStringLiteral("interface")).toString(), QStringLiteral("wan1"));
        QVERIFY(backend.routing().toMap().contains(QStringLiteral("policy")));
        QVERIFY(backend.system().toMap().contains(QStringLiteral("version")));
        QTRY_COMPARE_WITH_TIMEOUT(wanNamed(backend, QStringLiteral("fibre")).value(QStringLiteral("state")).toString(),
                                  QStringLiteral("up"), 20000);

        // A command round trip: the daemon writes the configuration and publishes the change.
        std::unique_ptr<client::Command> c(
            backend.call(QStringLiteral("wan.set_weight"),
                         QVariantMap {{QStringLiteral("wan"), QStringLiteral("lte")}, {QStringLiteral("weight"), 37}}));
        QSignalSpy finished(c.get(), &client::Command::finished);
        QVERIFY(finished.wait(10000));
        QVERIFY2(c->succeeded(), qPrintable(c->errorCode() + QStringLiteral(": ") + c->errorMessage()));
        QTRY_COMPARE_WITH_TIMEOUT(wanNamed(backend, QStringLiteral("lte")).value(QStringLiteral("weight")).toInt(), 37,
                                  5000);
        QVERIFY(readFile(m_daemon->configPath()).contains("weight: 37"));

        // An error comes back with its code and message.
        std::unique_ptr<client::Command> bad(backend.call(
            QStringLiteral("wan.set_weight"),
            QVariantMap {{QStringLiteral("wan"), QStringLiteral("nosuch")}, {QStringLiteral("weight"), 5}}));
        QSignalSpy badFinished(bad.get(), &client::Command::finished);
        QVERIFY(badFinished.wait(10000));
        QVERIFY(!bad->succeeded());
        QCOMPARE(bad->errorCode(), QStringLiteral("not_found"));
        QVERIFY(!bad->errorMessage().isEmpty());

        // The daemon goes away: the values stay but are stale.
        m_daemon->stop();
        QTRY_COMPARE_WITH_TIMEOUT(backend.status(), QStringLiteral("stale"), 5000);
        QVERIFY(!backend.live());
        QCOMPARE(model.count(), 2);
    }
};

QTEST_GUILESS_MAIN(TestClientDaemon)
#include "tst_client_daemon.moc"

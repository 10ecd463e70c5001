// SPDX-License-Identifier: GPL-3.0-or-later
// The UI's API client (qml/client) against a scripted server over real WebSockets on loopback:
// connection states, snapshot + deltas, resync, stale marking, reconnects, commands, the list
// models, and certificate pinning.
#include "AppSettings.h"
#include "Backend.h"
#include "EventModel.h"
#include "PinStore.h"
#include "RouterListModel.h"
#include "ScriptedApiServer.h"
#include "WanModel.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>
#include <QtQml/QQmlComponent>
#include <QtQml/QQmlEngine>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace smoothwan;
using smoothwan::client::Backend;
using smoothwan::client::Command;
using smoothwan::client::RouterListModel;
using smoothwan::test::ScriptedApiServer;

namespace {

QJsonObject wan(const QString &name, const QString &state, double rx)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("interface"), QString(QStringLiteral("eth-") + name)},
            {QStringLiteral("state"), state},
            {QStringLiteral("enabled"), true},
            {QStringLiteral("rxBps"), rx},
            {QStringLiteral("txBps"), rx / 10},
            {QStringLiteral("latencyMs"), 12.5},
            {QStringLiteral("usage"), QJsonObject {{QStringLiteral("dayBytes"), 1000}}}};
}

QJsonObject makeEvent(int id, const QString &severity, const QString &area, const QString &message)
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("time"), QStringLiteral("2026-01-01T00:00:%1Z").arg(id, 2, 10, QLatin1Char('0'))},
            {QStringLiteral("area"), area},
            {QStringLiteral("severity"), severity},
            {QStringLiteral("message"), message},
            {QStringLiteral("details"), QJsonObject()}};
}

QJsonObject document()
{
    return {
        {QStringLiteral("wans"), QJsonArray {wan(QStringLiteral("fibre"), QStringLiteral("up"), 1000),
                                             wan(QStringLiteral("lte"), QStringLiteral("up"), 2000)}},
        {QStringLiteral("candidates"), QJsonArray()},
        {QStringLiteral("routing"), QJsonObject {{QStringLiteral("policy"), QStringLiteral("failover")},
                                                 {QStringLiteral("path"), QStringLiteral("fibre")}}},
        {QStringLiteral("engine"), QJsonObject {{QStringLiteral("type"), QStringLiteral("none")}}},
        {QStringLiteral("system"), QJsonObject {{QStringLiteral("version"), QStringLiteral("0.1.0")}}},
        {QStringLiteral("events"),
         QJsonArray {makeEvent(1, QStringLiteral("info"), QStringLiteral("wan"), QStringLiteral("fibre up")),
                     makeEvent(2, QStringLiteral("warning"), QStringLiteral("wan"), QStringLiteral("lte degraded")),
                     makeEvent(3, QStringLiteral("error"), QStringLiteral("engine"), QStringLiteral("engine failed")),
                     makeEvent(4, QStringLiteral("info"), QStringLiteral("routing"), QStringLiteral("path fibre"))}}};
}

QSslConfiguration tls(const QString &name)
{
    QFile cert(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/tests/unit/data/client-tls-%1.crt").arg(name));
    QFile key(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/tests/unit/data/client-tls-%1.key").arg(name));
    if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return {};
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificate(QSslCertificate(cert.readAll(), QSsl::Pem));
    c.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec, QSsl::Pem));
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    return c;
}

QString fingerprint(const QSslConfiguration &c)
{
    return QString::fromLatin1(c.localCertificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

// A random change of the document: rates, states, WANs added and removed, events appended.
void mutate(QJsonObject &doc, QRandomGenerator &rng)
{
    QJsonArray wans = doc.value(QStringLiteral("wans")).toArray();
    const int what = static_cast<int>(rng.bounded(10));
    if (what < 6 && !wans.isEmpty()) {
        const int i = static_cast<int>(rng.bounded(wans.size()));
        QJsonObject w = wans.at(i).toObject();
        w.insert(QStringLiteral("rxBps"), static_cast<double>(rng.bounded(100000000)));
        w.insert(QStringLiteral("latencyMs"), rng.bounded(500.0));
        if (rng.bounded(4) == 0)
            w.insert(QStringLiteral("state"), rng.bounded(2) ? QStringLiteral("down") : QStringLiteral("up"));
        wans.replace(i, w);
    } else if (what < 8) {
        wans.insert(static_cast<int>(rng.bounded(wans.size() + 1)),
                    wan(QStringLiteral("w%1").arg(rng.bounded(100000)), QStringLiteral("unknown"), 0));
    } else if (!wans.isEmpty()) {
        wans.removeAt(static_cast<int>(rng.bounded(wans.size())));
    }
    doc.insert(QStringLiteral("wans"), wans);
    if (rng.bounded(3) == 0) {
        QJsonArray events = doc.value(QStringLiteral("events")).toArray();
        events.append(makeEvent(static_cast<int>(100 + rng.bounded(100000)), QStringLiteral("info"),
                                QStringLiteral("wan"), QStringLiteral("random")));
        while (events.size() > 100)
            events.removeFirst();
        doc.insert(QStringLiteral("events"), events);
    }
}

} // namespace

class TestClient : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_config;
    std::unique_ptr<ScriptedApiServer> m_server;
    std::unique_ptr<Backend> m_backend;
    QString m_url;

    // A backend connected and ready with the default document.
    bool connectReady()
    {
        m_backend->connectToRouter(m_url, QStringLiteral("test-token"));
        return QTest::qWaitFor([this] { return m_backend->status() == QLatin1String("ready"); }, 5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        // Pins, router list and UI settings go to a throw-away config directory.
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
    }

    void init()
    {
        m_server = std::make_unique<ScriptedApiServer>();
        m_server->setDocument(document());
        m_url = m_server->start();
        QVERIFY(!m_url.isEmpty());
        m_backend = std::make_unique<Backend>(nullptr);
        m_backend->setBackoff(200, 1600);
    }

    void cleanup()
    {
        m_backend.reset();
        m_server.reset();
    }

    void statusGoesConnectingAuthenticatingSyncingReady()
    {
        QStringList seen;
        connect(m_backend.get(), &Backend::statusChanged, this, [&] { seen.append(m_backend->status()); });
        QSignalSpy live(m_backend.get(), &Backend::liveChanged);
        QCOMPARE(m_backend->status(), QStringLiteral("offline"));
        QVERIFY(!m_backend->live());
        QVERIFY(connectReady());
        QCOMPARE(seen, (QStringList {QStringLiteral("connecting"), QStringLiteral("authenticating"),
                                     QStringLiteral("syncing"), QStringLiteral("ready")}));
        QVERIFY(m_backend->live());
        QCOMPARE(live.count(), 1);
        QCOMPARE(m_backend->statusMessage(), QString());
        QCOMPARE(m_backend->role(), QStringLiteral("admin"));
        QVERIFY(m_backend->canOperate());
        QVERIFY(m_backend->canAdmin());
        QCOMPARE(m_backend->serverVersion(), QStringLiteral("0.1.0-scripted"));
        QCOMPARE(m_backend->pinState(), QStringLiteral("none"));
        // The properties are exactly the state's slices.
        QCOMPARE(QJsonValue::fromVariant(m_backend->wans()), document().value(QStringLiteral("wans")));
        QCOMPARE(QJsonValue::fromVariant(m_backend->routing()), document().value(QStringLiteral("routing")));
        QCOMPARE(m_backend->wans().toList().at(1).toMap().value(QStringLiteral("name")).toString(),
                 QStringLiteral("lte"));
        QVERIFY(m_backend->lastUpdate() > 0);
    }

    void viewerRoleCannotOperate()
    {
        m_server->setRole(QStringLiteral("viewer"));
        QVERIFY(connectReady());
        QCOMPARE(m_backend->role(), QStringLiteral("viewer"));
        QVERIFY(!m_backend->canOperate());
        QVERIFY(!m_backend->canAdmin());
    }

    void deltasReproduceTheServersDocument()
    {
        QVERIFY(connectReady());
        QRandomGenerator rng(20261126);
        QJsonObject doc = document();
        for (int i = 0; i < 400; ++i) {
            mutate(doc, rng);
            m_server->setDocument(doc);
            if (i % 50 == 0)
                QTRY_COMPARE(m_backend->document(), m_server->document());
        }
        QTRY_COMPARE(m_backend->document(), m_server->document());
        QCOMPARE(QJsonValue::fromVariant(m_backend->wans()), m_server->document().value(QStringLiteral("wans")));
        QCOMPARE(QJsonValue::fromVariant(m_backend->events()), m_server->document().value(QStringLiteral("events")));
        QCOMPARE(m_server->resyncs(), 0); // all of it by deltas
        QVERIFY(m_server->deltasSent() >= 400);
        QCOMPARE(m_backend->status(), QStringLiteral("ready"));
    }

    void gapResyncsAndRecovers()
    {
        QVERIFY(connectReady());
        m_server->skipRev();
        m_server->setValue(QStringLiteral("/wans/0/rxBps"), 4242);
        QTRY_COMPARE(m_server->resyncs(), 1);
        QTRY_COMPARE(m_backend->document(), m_server->document());
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(m_backend->wans().toList().at(0).toMap().value(QStringLiteral("rxBps")).toInt(), 4242);
        // Deltas after the resync apply again.
        m_server->setValue(QStringLiteral("/wans/1/state"), QStringLiteral("down"));
        QTRY_COMPARE(m_backend->wans().toList().at(1).toMap().value(QStringLiteral("state")).toString(),
                     QStringLiteral("down"));
        QCOMPARE(m_server->resyncs(), 1);
    }

    void unappliablePatchResyncs()
    {
        QVERIFY(connectReady());
        m_server->sendPatch(QVariantList {QVariantMap {{QStringLiteral("op"), QStringLiteral("replace")},
                                                       {QStringLiteral("path"), QStringLiteral("/wans/7/rxBps")},
                                                       {QStringLiteral("value"), 1}}});
        QTRY_COMPARE(m_server->resyncs(), 1);
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(m_backend->document(), m_server->document());
        m_server->setValue(QStringLiteral("/routing/path"), QStringLiteral("lte"));
        QTRY_COMPARE(m_backend->routing().toMap().value(QStringLiteral("path")).toString(), QStringLiteral("lte"));
    }

    void serverDropMarksStaleThenReconnects()
    {
        QVERIFY(connectReady());
        const QVariant wansBefore = m_backend->wans();
        QSignalSpy wansChanged(m_backend.get(), &Backend::wansChanged);
        m_server->dropClients();
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        QVERIFY(!m_backend->live());
        QVERIFY2(m_backend->statusMessage().contains(QStringLiteral("retrying in")),
                 qPrintable(m_backend->statusMessage()));
        QCOMPARE(m_backend->wans(), wansBefore); // kept, shown as stale
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QVERIFY(m_backend->live());
        QCOMPARE(m_server->connections(), 2);
        QCOMPARE(m_backend->wans(), wansBefore);
        QCOMPARE(wansChanged.count(), 0); // the same values, no flicker
        // Resubscribed: new deltas arrive.
        m_server->setValue(QStringLiteral("/wans/0/rxBps"), 77);
        QTRY_COMPARE(m_backend->wans().toList().at(0).toMap().value(QStringLiteral("rxBps")).toInt(), 77);
    }

    void reconnectBacksOffWhileTheServerIsDown()
    {
        QVERIFY(connectReady());
        const int port = m_server->port();
        m_server->stop();
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        // 200 ms doubling to the 1600 ms cap.
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->nextRetryMs(), 1600, 5000);
        QCOMPARE(m_backend->status(), QStringLiteral("stale"));
        QVERIFY(!m_backend->live());
        QCOMPARE(m_server->start(), m_url); // a restart comes back on the same port
        QCOMPARE(m_server->port(), port);
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->status(), QStringLiteral("ready"), 5000);
        QCOMPARE(m_backend->nextRetryMs(), 200); // reset once ready
    }

    // A refused subscription (or resync) would leave the UI "syncing" forever: the client says why
    // and starts over on a new connection, and is ready once the router serves it again.
    void refusedSubscriptionReconnects()
    {
        QVERIFY(connectReady());
        m_server->setReply(QStringLiteral("subscribe"), false,
                           QVariantMap {{QStringLiteral("code"), QStringLiteral("busy")},
                                        {QStringLiteral("message"), QStringLiteral("too many subscriptions")}});
        m_server->setReply(QStringLiteral("resync"), false,
                           QVariantMap {{QStringLiteral("code"), QStringLiteral("not_found")},
                                        {QStringLiteral("message"), QStringLiteral("no such subscription")}});
        m_server->skipRev(); // the next delta has a gap: the client asks for a resync, refused
        m_server->setValue(QStringLiteral("/routing/path"), QStringLiteral("lte"));
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        QVERIFY2(m_backend->statusMessage().contains(QStringLiteral("no such subscription")),
                 qPrintable(m_backend->statusMessage()));
        // Reconnected, the subscription is refused too: still stale, saying so.
        QTRY_VERIFY2(m_backend->statusMessage().contains(QStringLiteral("too many subscriptions")),
                     qPrintable(m_backend->statusMessage()));
        QCOMPARE(m_backend->status(), QStringLiteral("stale"));
        m_server->setReply(QStringLiteral("subscribe"), true);
        m_server->setReply(QStringLiteral("resync"), true);
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(m_backend->routing().toMap().value(QStringLiteral("path")).toString(), QStringLiteral("lte"));
    }

    void silentServerIsDetected()
    {
        m_backend->setPing(100, 200);
        QVERIFY(connectReady());
        m_server->setAnswerPings(false);
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        m_server->setAnswerPings(true);
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QVERIFY(m_server->connections() >= 2);
    }

    void authFailureSaysWhy()
    {
        QStringList seen;
        connect(m_backend.get(), &Backend::statusChanged, this, [&] { seen.append(m_backend->status()); });
        m_backend->connectToRouter(m_url, QStringLiteral("wrong"));
        QTRY_COMPARE(m_backend->status(), QStringLiteral("offline"));
        QVERIFY2(m_backend->statusMessage().startsWith(QStringLiteral("Sign-in failed")),
                 qPrintable(m_backend->statusMessage()));
        QVERIFY(m_backend->statusMessage().contains(QStringLiteral("invalid user name or password")));
        QVERIFY(!seen.contains(QStringLiteral("ready")));
        QTest::qWait(600); // no retry with the same wrong token
        QCOMPARE(m_server->connections(), 1);
    }

    void passwordLoginKeepsTheSessionForReconnects()
    {
        m_server->setUser(QStringLiteral("alice"));
        m_server->setPassword(QStringLiteral("correct horse"));
        m_backend->login(m_url, QStringLiteral("alice"), QStringLiteral("correct horse"));
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(m_backend->user(), QStringLiteral("alice"));
        m_server->setPassword(QStringLiteral("changed")); // the password is not used again
        m_server->dropClients();
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
    }

    void localTokenFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("local-token"));
        m_backend->connectLocal(m_url, file); // missing: keeps trying
        QTRY_VERIFY(m_backend->statusMessage().contains(QStringLiteral("Cannot read the local token")));
        QCOMPARE(m_backend->status(), QStringLiteral("connecting"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("test-token\n");
        f.close();
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->status(), QStringLiteral("ready"), 5000);
        QVERIFY(m_backend->isLocal());
    }

    void commandSucceeds()
    {
        QVERIFY(connectReady());
        m_server->setReply(QStringLiteral("wan.set_enabled"), true, QVariantMap {{QStringLiteral("done"), true}});
        std::unique_ptr<Command> c(m_backend->call(
            QStringLiteral("wan.set_enabled"),
            QVariantMap {{QStringLiteral("wan"), QStringLiteral("lte")}, {QStringLiteral("enabled"), false}}));
        QSignalSpy finished(c.get(), &Command::finished);
        QVERIFY(c->running());
        QVERIFY(finished.wait(5000));
        QVERIFY(!c->running());
        QVERIFY(c->succeeded());
        QCOMPARE(c->result().toMap().value(QStringLiteral("done")).toBool(), true);
        const QVariantMap sent = m_server->lastRequest(QStringLiteral("wan.set_enabled"));
        QCOMPARE(sent.value(QStringLiteral("wan")).toString(), QStringLiteral("lte"));
        QCOMPARE(sent.value(QStringLiteral("enabled")).toBool(), false);
    }

    void commandFailsWithCodeAndMessage()
    {
        QVERIFY(connectReady());
        m_server->setReply(QStringLiteral("wan.set_weight"), false,
                           QVariantMap {{QStringLiteral("code"), QStringLiteral("not_found")},
                                        {QStringLiteral("message"), QStringLiteral("no such WAN")}});
        std::unique_ptr<Command> c(
            m_backend->call(QStringLiteral("wan.set_weight"),
                            QVariantMap {{QStringLiteral("wan"), QStringLiteral("x")}, {QStringLiteral("weight"), 3}}));
        QSignalSpy finished(c.get(), &Command::finished);
        QVERIFY(finished.wait(5000));
        QVERIFY(!c->succeeded());
        QCOMPARE(c->errorCode(), QStringLiteral("not_found"));
        QCOMPARE(c->errorMessage(), QStringLiteral("no such WAN"));
    }

    void commandWhileOfflineFinishesAtOnce()
    {
        std::unique_ptr<Command> c(m_backend->call(QStringLiteral("engine.connect"), {}));
        QVERIFY(!c->running());
        QVERIFY(!c->succeeded());
        QCOMPARE(c->errorCode(), QStringLiteral("offline"));
        QVERIFY(!c->errorMessage().isEmpty());
        QSignalSpy finished(c.get(), &Command::finished); // connected after call(): still delivered
        QVERIFY(finished.wait(1000));
        QVERIFY(m_server->requests().toList().isEmpty());
    }

    void lostConnectionFinishesRunningCommands()
    {
        QVERIFY(connectReady());
        m_server->ignore(QStringLiteral("speedtest.run"));
        std::unique_ptr<Command> c(m_backend->call(QStringLiteral("speedtest.run"), {}));
        QSignalSpy finished(c.get(), &Command::finished);
        QTRY_VERIFY(!m_server->lastRequest(QStringLiteral("speedtest.run")).isEmpty());
        QVERIFY(c->running());
        m_server->dropClients();
        QVERIFY(finished.wait(5000));
        QCOMPARE(c->errorCode(), QStringLiteral("offline"));
    }

    void wanModelUpdatesRowsInPlace()
    {
        client::WanModel model;
        model.setBackend(m_backend.get());
        QVERIFY(connectReady());
        QCOMPARE(model.count(), 2);
        const QHash<int, QByteArray> roles = model.roleNames();
        const int rxRole = roles.key("rxBps");
        const int nameRole = roles.key("name");
        QCOMPARE(model.data(model.index(1), nameRole).toString(), QStringLiteral("lte"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        for (int i = 1; i <= 5; ++i) {
            m_server->setValue(QStringLiteral("/wans/1/rxBps"), i * 100);
            QTRY_COMPARE(model.data(model.index(1), rxRole).toInt(), i * 100);
        }
        QCOMPARE(changed.count(), 5);
        for (const QList<QVariant> &args : std::as_const(changed)) {
            QCOMPARE(args.at(0).toModelIndex().row(), 1);
            QCOMPARE(args.at(2).value<QList<int>>(), QList<int> {rxRole}); // only the changed role
        }
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);

        // A WAN added in the middle is inserted; a WAN removed is removed.
        QJsonObject doc = m_server->document();
        QJsonArray wans = doc.value(QStringLiteral("wans")).toArray();
        wans.insert(1, wan(QStringLiteral("starlink"), QStringLiteral("unknown"), 0));
        doc.insert(QStringLiteral("wans"), wans);
        m_server->setDocument(doc);
        QTRY_COMPARE(model.count(), 3);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 1);
        QCOMPARE(model.data(model.index(1), nameRole).toString(), QStringLiteral("starlink"));
        QCOMPARE(model.get(2).value(QStringLiteral("name")).toString(), QStringLiteral("lte"));
        wans.removeAt(0);
        doc.insert(QStringLiteral("wans"), wans);
        m_server->setDocument(doc);
        QTRY_COMPARE(model.count(), 2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(model.get(0).value(QStringLiteral("name")).toString(), QStringLiteral("starlink"));
        QCOMPARE(reset.count(), 0);
    }

    void eventModelNewestFirstAndFilters()
    {
        client::EventModel model;
        model.setBackend(m_backend.get());
        QVERIFY(connectReady());
        const int messageRole = model.roleNames().key("message");
        QCOMPARE(model.count(), 4);
        QCOMPARE(model.data(model.index(0), messageRole).toString(), QStringLiteral("path fibre")); // newest
        model.setSeverityFilter(QStringLiteral("warning"));
        QCOMPARE(model.count(), 2); // warning and worse
        QCOMPARE(model.data(model.index(0), messageRole).toString(), QStringLiteral("engine failed"));
        model.setSeverityFilter(QStringLiteral("error"));
        QCOMPARE(model.count(), 1);
        model.setSeverityFilter(QString());
        model.setTextFilter(QStringLiteral("FIBRE"));
        QCOMPARE(model.count(), 2); // case-insensitive, message
        model.setTextFilter(QStringLiteral("engine"));
        QCOMPARE(model.count(), 1); // area or message
        model.setTextFilter(QString());
        // A new event appears at the top.
        QJsonObject doc = m_server->document();
        QJsonArray events = doc.value(QStringLiteral("events")).toArray();
        events.append(makeEvent(5, QStringLiteral("error"), QStringLiteral("wan"), QStringLiteral("lte down")));
        doc.insert(QStringLiteral("events"), events);
        m_server->setDocument(doc);
        QTRY_COMPARE(model.count(), 5);
        QCOMPARE(model.data(model.index(0), messageRole).toString(), QStringLiteral("lte down"));
    }

    void settingsFollowTheDaemonAndRoutersPersist()
    {
        // The singletons (what QML sees) follow the daemon's system.ui.
        client::AppSettings *settings = client::AppSettings::instance();
        settings->setDefaultBlankAfterSeconds(120);
        QCOMPARE(settings->blankAfterSeconds(), 120);
        QJsonObject doc = document();
        QJsonObject system = doc.value(QStringLiteral("system")).toObject();
        system.insert(QStringLiteral("ui"), QJsonObject {{QStringLiteral("blankAfter"), 30},
                                                         {QStringLiteral("theme"), QStringLiteral("light")}});
        doc.insert(QStringLiteral("system"), system);
        m_server->setDocument(doc);
        Backend *global = Backend::instance();
        global->connectToRouter(m_url, QStringLiteral("test-token"));
        QTRY_COMPARE(global->status(), QStringLiteral("ready"));
        QCOMPARE(settings->blankAfterSeconds(), 30);
        QCOMPARE(settings->theme(), QStringLiteral("light"));
        settings->setTheme(QStringLiteral("dark")); // the user's choice wins and is kept
        QCOMPARE(settings->theme(), QStringLiteral("dark"));
        settings->setWizardDraft(QStringLiteral("{\"step\":2}"));
        QFile local(client::AppSettings::path());
        QVERIFY(local.open(QIODevice::ReadOnly));
        const QJsonObject kept = QJsonDocument::fromJson(local.readAll()).object();
        QCOMPARE(kept.value(QStringLiteral("theme")).toString(), QStringLiteral("dark"));
        QCOMPARE(kept.value(QStringLiteral("wizardDraft")).toString(), QStringLiteral("{\"step\":2}"));
        global->disconnectFromRouter();
        QCOMPARE(global->status(), QStringLiteral("offline"));
        QCOMPARE(settings->blankAfterSeconds(), 120);

        client::RouterListModel *routers = settings->routers();
        const int row = routers->add(QStringLiteral("Home"), QStringLiteral("wss://192.168.1.1:8443"));
        routers->setLastUser(row, QStringLiteral("alice"));
        client::RouterListModel again;
        QCOMPARE(again.count(), routers->count());
        QCOMPARE(again.get(row).value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
        QCOMPARE(again.get(row).value(QStringLiteral("name")).toString(), QStringLiteral("Home"));
        routers->remove(row);
        client::RouterListModel third;
        QCOMPARE(third.count(), routers->count());
    }

    // QML's singletons are the application's instances (what app/smoothwan connects and configures).
    void qmlSeesTheApplicationsInstances()
    {
        QQmlEngine engine;
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        QQmlComponent component(&engine);
        component.setData("import QtQml\nimport SmoothWAN.Client\n"
                          "QtObject { property QtObject backend: Backend; property QtObject settings: AppSettings;"
                          " property WanModel wans: WanModel {} }",
                          QUrl::fromLocalFile(QStringLiteral("/test/singletons.qml")));
        std::unique_ptr<QObject> o(component.create());
        QVERIFY2(o, qPrintable(component.errorString()));
        QCOMPARE(o->property("backend").value<QObject *>(), Backend::instance());
        QCOMPARE(o->property("settings").value<QObject *>(), client::AppSettings::instance());
        auto *wans = o->property("wans").value<client::WanModel *>();
        QVERIFY(wans);
        QCOMPARE(wans->backend(), Backend::instance());
    }

    // Addresses as users type them, on the router list page and after --url, become one URL.
    void routerAddressesAreNormalised_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("url");
        QTest::newRow("bare address") << "192.168.1.1"
                                      << "wss://192.168.1.1:8443";
        QTest::newRow("name and port") << " router.lan:9000/ "
                                       << "wss://router.lan:9000";
        QTest::newRow("loopback is plain ws") << "localhost"
                                              << "ws://127.0.0.1:8443";
        QTest::newRow("ipv6 loopback") << "[::1]"
                                       << "ws://[::1]:8443";
        QTest::newRow("explicit scheme kept") << "WS://10.0.0.1:8443"
                                              << "ws://10.0.0.1:8443";
        QTest::newRow("ipv6 lan") << "wss://[fd00::1]"
                                  << "wss://[fd00::1]:8443";
        QTest::newRow("other scheme") << "http://192.168.1.1"
                                      << "";
        QTest::newRow("port out of range") << "192.168.1.1:70000"
                                           << "";
        QTest::newRow("shell syntax") << "192.168.1.1;reboot"
                                      << "";
        QTest::newRow("path") << "192.168.1.1/../../etc"
                              << "";
        QTest::newRow("empty") << "   "
                               << "";
    }
    void routerAddressesAreNormalised()
    {
        QFETCH(QString, typed);
        QFETCH(QString, url);
        QCOMPARE(RouterListModel::normalizeUrl(typed), url);
    }

    void pinnedOnFirstUseRefusedWhenChanged()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend in this Qt build");
        const QSslConfiguration a = tls(QStringLiteral("a"));
        const QSslConfiguration b = tls(QStringLiteral("b"));
        QVERIFY(!a.localCertificate().isNull() && !a.privateKey().isNull());
        ScriptedApiServer secure;
        secure.setDocument(document());
        const QString url = secure.startSecure(a);
        QVERIFY(url.startsWith(QStringLiteral("wss://")));
        QVERIFY(protocol::PinStore::pinned(QUrl(url)).isEmpty());

        // First use: the connection is held until the user trusts the fingerprint.
        m_backend->connectToRouter(url, QStringLiteral("test-token"));
        QTRY_COMPARE(m_backend->pinState(), QStringLiteral("unknown"));
        QTRY_COMPARE(m_backend->serverFingerprint(), fingerprint(a));
        QCOMPARE(m_backend->status(), QStringLiteral("offline"));
        QVERIFY(m_backend->statusMessage().contains(fingerprint(a)));
        QVERIFY(secure.requests().toList().isEmpty());
        QVERIFY(m_backend->document().isEmpty()); // nothing served

        m_backend->trustServer();
        QCOMPARE(m_backend->pinState(), QStringLiteral("pinned"));
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(m_backend->document(), secure.document());
        // The pins file smoothwanctl reads: "host:port FINGERPRINT".
        QFile pins(protocol::PinStore::path());
        QVERIFY(pins.open(QIODevice::ReadOnly));
        QVERIFY(pins.readAll().contains(
            QStringLiteral("127.0.0.1:%1 %2\n").arg(secure.port()).arg(fingerprint(a)).toLatin1()));

        // The router comes back with another certificate on the same address: refused.
        const int port = secure.port();
        secure.stop();
        QTRY_COMPARE(m_backend->status(), QStringLiteral("stale"));
        QVERIFY(!secure.startSecure(b, port).isEmpty());
        secure.clearRequests();
        secure.setValue(QStringLiteral("/wans/0/rxBps"), 999999);
        QTRY_COMPARE(m_backend->pinState(), QStringLiteral("mismatch"));
        QCOMPARE(m_backend->status(), QStringLiteral("offline"));
        QVERIFY(!m_backend->live());
        QVERIFY(m_backend->statusMessage().contains(fingerprint(a)));
        QVERIFY(m_backend->statusMessage().contains(fingerprint(b)));
        QTest::qWait(500);
        QVERIFY(secure.requests().toList().isEmpty()); // the token was never sent
        QVERIFY(m_backend->document() != secure.document());

        // After the user confirms, the new certificate is pinned and used.
        m_backend->trustServer();
        QTRY_COMPARE(m_backend->status(), QStringLiteral("ready"));
        QCOMPARE(protocol::PinStore::pinned(QUrl(url)), fingerprint(b));
        QCOMPARE(m_backend->document(), secure.document());
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
#include "Clock.h"
#include "JsonPatch.h"
#include "StateStore.h"

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace smoothwan;

class TestStateStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyChangeBumpsTheRevisionByOne()
    {
        ManualClock clock;
        StateStore store(clock);
        QSignalSpy spy(&store, &StateStore::changed);
        QCOMPARE(store.revision(), 0u);
        QVERIFY(store.setSlice(QStringLiteral("wans"),
                               QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("wan1")}}}));
        QCOMPARE(store.revision(), 1u);
        QVERIFY(!store.setSlice(QStringLiteral("wans"), store.slice(QStringLiteral("wans"))));
        QCOMPARE(store.revision(), 1u); // nothing changed, no revision
        QCOMPARE(spy.count(), 1);
        QVERIFY(store.setSlice(QStringLiteral("wans"), QJsonValue::Undefined));
        QCOMPARE(store.revision(), 2u);
        QVERIFY(!store.document().contains(QStringLiteral("wans")));
    }

    void patchesReproduceTheDocument()
    {
        ManualClock clock;
        StateStore store(clock);
        QJsonValue mirror = QJsonObject {};
        std::uint64_t lastRevision = 0;
        connect(&store, &StateStore::changed, this, [&](std::uint64_t rev, const QJsonArray &patch) {
            QCOMPARE(rev, lastRevision + 1);
            lastRevision = rev;
            QString error;
            QVERIFY2(protocol::JsonPatch::apply(mirror, patch, &error), qPrintable(error));
        });
        for (int i = 0; i < 300; ++i) {
            store.setSlice(QStringLiteral("routing"),
                           QJsonObject {{QStringLiteral("active"), QStringLiteral("wan%1").arg(i % 3)}});
            store.appendEvent(QStringLiteral("test"), QStringLiteral("info"), QStringLiteral("event %1").arg(i));
            clock.advance(10);
        }
        QCOMPARE(mirror, QJsonValue(store.document()));
        QCOMPARE(store.slice(QStringLiteral("events")).toArray().size(), StateStore::MaxEvents);
        QCOMPARE(store.slice(QStringLiteral("events"))
                     .toArray()
                     .last()
                     .toObject()
                     .value(QStringLiteral("message"))
                     .toString(),
                 QStringLiteral("event 299"));
    }

    void batchesPublishOnce()
    {
        ManualClock clock;
        StateStore store(clock);
        QSignalSpy spy(&store, &StateStore::changed);
        {
            StateStore::Batch outer(store);
            store.setSlice(QStringLiteral("a"), 1);
            {
                StateStore::Batch inner(store);
                store.setSlice(QStringLiteral("b"), 2);
            }
            QCOMPARE(spy.count(), 0);
            store.setSlice(QStringLiteral("a"), 3);
        }
        QCOMPARE(spy.count(), 1);
        QCOMPARE(store.revision(), 1u);
        QCOMPARE(spy.at(0).at(1).toJsonArray().size(), 2); // add a, add b
    }

    void eventsCarryTimeAndIds()
    {
        ManualClock clock;
        StateStore store(clock);
        const auto first =
            store.appendEvent(QStringLiteral("wan"), QStringLiteral("warning"), QStringLiteral("wan2 down"));
        clock.advance(1500);
        const auto second = store.appendEvent(QStringLiteral("wan"), QStringLiteral("info"), QStringLiteral("wan2 up"));
        QCOMPARE(second, first + 1);
        const QJsonArray events = store.slice(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 2);
        const QDateTime t0 =
            QDateTime::fromString(events[0].toObject().value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        const QDateTime t1 =
            QDateTime::fromString(events[1].toObject().value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        QCOMPARE(t0.msecsTo(t1), 1500);
        QCOMPARE(events[0].toObject().value(QStringLiteral("severity")).toString(), QStringLiteral("warning"));
    }
};

QTEST_GUILESS_MAIN(TestStateStore)
#include "tst_statestore.moc"

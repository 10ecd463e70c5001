// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonPatch.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

using namespace smoothwan::protocol;

namespace {
QJsonValue parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}
} // namespace

class TestJsonPatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QJsonValue>("before");
        QTest::addColumn<QJsonValue>("after");
        QTest::newRow("identical") << parse(R"({"a":1})") << parse(R"({"a":1})");
        QTest::newRow("scalar change") << parse(R"({"a":1})") << parse(R"({"a":2})");
        QTest::newRow("type change") << parse(R"({"a":1})") << parse(R"({"a":{"b":[1,2]}})");
        QTest::newRow("add and remove keys") << parse(R"({"a":1,"b":2})") << parse(R"({"b":2,"c":3})");
        QTest::newRow("nested") << parse(R"({"wans":[{"name":"a","state":"up"}]})")
                                << parse(R"({"wans":[{"name":"a","state":"down"}]})");
        QTest::newRow("array grows") << parse(R"({"x":[1,2]})") << parse(R"({"x":[1,2,3,4]})");
        QTest::newRow("array shrinks") << parse(R"({"x":[1,2,3,4]})") << parse(R"({"x":[1]})");
        QTest::newRow("ring shift") << parse(R"({"e":[1,2,3,4]})") << parse(R"({"e":[3,4,5,6]})");
        QTest::newRow("keys needing escapes") << parse(R"({"a/b":1,"c~d":2})") << parse(R"({"a/b":3,"c~d":4})");
        QTest::newRow("null values") << parse(R"({"a":null})") << parse(R"({"a":0,"b":null})");
        QTest::newRow("empty to full") << parse("{}") << parse(R"({"system":{"version":"1"},"events":[]})");
    }

    void roundTrip()
    {
        QFETCH(QJsonValue, before);
        QFETCH(QJsonValue, after);
        const QJsonArray patch = JsonPatch::diff(before, after);
        if (before == after)
            QVERIFY(patch.isEmpty());
        QJsonValue doc = before;
        QString error;
        QVERIFY2(JsonPatch::apply(doc, patch, &error), qPrintable(error));
        QCOMPARE(doc, after);
    }

    void ringShiftIsCompact()
    {
        QJsonArray before;
        for (int i = 0; i < 100; ++i)
            before.append(QJsonObject {{QStringLiteral("id"), i}});
        QJsonArray after = before;
        after.removeFirst();
        after.append(QJsonObject {{QStringLiteral("id"), 100}});
        const QJsonArray patch = JsonPatch::diff(QJsonObject {{QStringLiteral("events"), before}},
                                                 QJsonObject {{QStringLiteral("events"), after}});
        QCOMPARE(patch.size(), 2); // one removal at the front, one append
    }

    void randomDocumentsRoundTrip()
    {
        QRandomGenerator rng(42);
        const auto randomValue = [&rng](auto &&self, int depth) -> QJsonValue {
            switch (rng.bounded(depth > 2 ? 3 : 5)) {
            case 0:
                return static_cast<int>(rng.bounded(3));
            case 1:
                return QStringLiteral("s%1").arg(rng.bounded(3));
            case 2:
                return QJsonValue::Null;
            case 3: {
                QJsonObject o;
                for (int i = 0, n = static_cast<int>(rng.bounded(4)); i < n; ++i)
                    o.insert(QStringLiteral("k%1").arg(rng.bounded(5)), self(self, depth + 1));
                return o;
            }
            default: {
                QJsonArray a;
                for (int i = 0, n = static_cast<int>(rng.bounded(5)); i < n; ++i)
                    a.append(self(self, depth + 1));
                return a;
            }
            }
        };
        for (int round = 0; round < 2000; ++round) {
            const QJsonObject a {{QStringLiteral("root"), randomValue(randomValue, 0)}};
            const QJsonObject b {{QStringLiteral("root"), randomValue(randomValue, 0)}};
            QJsonValue doc = a;
            QString error;
            QVERIFY2(JsonPatch::apply(doc, JsonPatch::diff(a, b), &error), qPrintable(error));
            QCOMPARE(doc, QJsonValue(b));
        }
    }

    void badPatchesAreRefusedAndLeaveTheDocument()
    {
        const QJsonValue original = parse(R"({"a":{"b":1},"l":[1]})");
        const QList<QByteArray> bad {
            R"([{"op":"move","path":"/a","from":"/b"}])",
            R"([{"op":"replace","path":"/missing","value":1}])",
            R"([{"op":"remove","path":"/a/zz"}])",
            R"([{"op":"add","path":"/l/5","value":1}])",
            R"([{"op":"add","path":"/a/b/c","value":1}])",
            R"([{"op":"replace","path":"a","value":1}])",
            R"([{"op":"add","path":"/x"}])",
            R"([{"op":"replace","path":"/l/-1","value":1}])",
            R"([{"op":"add","path":"/ok","value":1},{"op":"remove","path":"/nope"}])",
        };
        for (const QByteArray &json : bad) {
            QJsonValue doc = original;
            QString error;
            QVERIFY2(!JsonPatch::apply(doc, QJsonDocument::fromJson(json).array(), &error), json.constData());
            QVERIFY(!error.isEmpty());
            QCOMPARE(doc, original);
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonPatch)
#include "tst_jsonpatch.moc"

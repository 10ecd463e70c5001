// SPDX-License-Identifier: GPL-3.0-or-later
// docs/protocol.md documents every command (with its role), every error code and every close
// code the server has, and nothing it doesn't. Run with SMOOTHWAN_PRINT_COMMANDS=1 to print the
// command table from the code.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "ApiServer.h"
#include "AuthStore.h"
#include "Clock.h"
#include "NullApiBackend.h"
#include "Protocol.h"
#include "StateStore.h"

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <cstdio>

using namespace smoothwan;

namespace {

QString section(const QString &doc, const QString &heading)
{
    const qsizetype start = doc.indexOf(QStringLiteral("\n## ") + heading);
    if (start < 0)
        return {};
    const qsizetype end = doc.indexOf(QStringLiteral("\n## "), start + 4);
    return doc.mid(start, end < 0 ? -1 : end - start);
}

} // namespace

class TestApiDocs : public QObject
{
    Q_OBJECT

    QString m_doc;

private Q_SLOTS:
    void initTestCase()
    {
        QFile f(QStringLiteral(SMOOTHWAN_SOURCE_DIR "/docs/protocol.md"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_doc = QString::fromUtf8(f.readAll());
    }

    void everyCommandIsDocumentedWithItsRole()
    {
        ManualClock clock;
        StateStore state(clock);
        QTemporaryDir dir;
        AuthStore auth(clock, dir.path(), QString());
        test::NullApiBackend backend;
        ApiServer server(clock, state, auth, backend, {});
        registerApiCommands(server.commands(), backend, auth, state);

        QMap<QString, QString> documented; // name -> role
        static const QRegularExpression row(QStringLiteral(R"(^\| `([a-z_.]+)` \| (viewer|operator|admin) \|)"),
                                            QRegularExpression::MultilineOption);
        auto it = row.globalMatch(section(m_doc, QStringLiteral("Commands")));
        while (it.hasNext()) {
            const auto m = it.next();
            documented.insert(m.captured(1), m.captured(2));
        }
        const bool print = qEnvironmentVariableIsSet("SMOOTHWAN_PRINT_COMMANDS");
        for (const QString &name : server.commands().names()) {
            const CommandSpec *spec = server.commands().find(name);
            if (print) {
                QStringList args;
                for (const ArgSpec &a : spec->args)
                    args.append(QStringLiteral("`%1`%2: %3")
                                    .arg(a.name, a.required ? QString() : QStringLiteral("?"), a.describe()));
                std::printf("| `%s` | %s | %s | %s |\n", qPrintable(name), qPrintable(protocol::roleName(spec->role)),
                            qPrintable(args.isEmpty() ? QStringLiteral("—") : args.join(QStringLiteral("; "))),
                            qPrintable(spec->summary));
            }
        }
        for (const QString &name : server.commands().names()) {
            const CommandSpec *spec = server.commands().find(name);
            QVERIFY2(documented.contains(name), qPrintable(name + QStringLiteral(" is not in docs/protocol.md")));
            QCOMPARE(documented.value(name), protocol::roleName(spec->role));
        }
        for (auto d = documented.constBegin(); d != documented.constEnd(); ++d)
            QVERIFY2(server.commands().find(d.key()),
                     qPrintable(d.key() + QStringLiteral(" is documented but not in the code")));
        QVERIFY(m_doc.contains(QStringLiteral("`ping`")));
    }

    // The "Engine actions" table lists every action of engine.action with its role, and nothing else.
    void everyEngineActionIsDocumentedWithItsRole()
    {
        QMap<QString, QString> documented;
        static const QRegularExpression row(QStringLiteral(R"(^\| `([a-z_]+)` \| (viewer|operator|admin) \|)"),
                                            QRegularExpression::MultilineOption);
        auto it = row.globalMatch(section(m_doc, QStringLiteral("Engine actions")));
        while (it.hasNext()) {
            const auto m = it.next();
            documented.insert(m.captured(1), m.captured(2));
        }
        QVERIFY(!documented.isEmpty());
        for (const EngineActionSpec &a : engineActions()) {
            QVERIFY2(documented.contains(a.name),
                     qPrintable(a.name + QStringLiteral(" is not in the Engine actions table")));
            QCOMPARE(documented.value(a.name), protocol::roleName(a.role));
            for (const ArgSpec &arg : a.args) // every argument is named in its row
                QVERIFY2(
                    section(m_doc, QStringLiteral("Engine actions"))
                        .contains(QRegularExpression(QStringLiteral("\\| `%1` \\|[^\n]*`%2`").arg(a.name, arg.name))),
                    qPrintable(a.name + QLatin1Char('.') + arg.name));
        }
        for (auto d = documented.constBegin(); d != documented.constEnd(); ++d)
            QVERIFY2(findEngineAction(d.key()),
                     qPrintable(d.key() + QStringLiteral(" is documented but not in the code")));
    }

    void everyErrorCodeIsDocumented()
    {
        const QString errors = section(m_doc, QStringLiteral("Error codes"));
        for (const char *code : protocol::Error::All)
            QVERIFY2(errors.contains(QStringLiteral("`%1`").arg(QLatin1String(code))), code);
        for (int close : {protocol::CloseAuthFailed, protocol::CloseAuthTimeout, protocol::CloseRateLimited,
                          protocol::CloseSlowClient, protocol::CloseTooManyConnections, protocol::CloseProtocolError})
            QVERIFY2(errors.contains(QStringLiteral("`%1`").arg(close)), qPrintable(QString::number(close)));
    }
};

QTEST_GUILESS_MAIN(TestApiDocs)
#include "tst_api_docs.moc"

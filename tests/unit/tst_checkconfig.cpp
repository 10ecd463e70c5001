// SPDX-License-Identifier: GPL-3.0-or-later
// `smoothwand --check-config FILE`, run as the real binary.
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

namespace {

const QString Smoothwand = QStringLiteral(SMOOTHWAN_BINARY_DIR "/app/smoothwand/smoothwand");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run check(const QString &file)
{
    QProcess p;
    p.start(Smoothwand, {QStringLiteral("--check-config"), file});
    Run r;
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit)
        return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace

class TestCheckConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo(Smoothwand).isExecutable())
            QSKIP("smoothwand is not built");
    }

    void exampleIsOk()
    {
        const QString example = QStringLiteral(SMOOTHWAN_SOURCE_DIR "/resources/config.example.yaml");
        const Run r = check(example);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, (example + QStringLiteral(": OK\n")).toUtf8());
        QVERIFY(!QFile::exists(example + QStringLiteral(".last-good"))); // checking writes nothing
    }

    void badFileNamesLineAndColumn()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("bad.yaml"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("wans:\n  - name: a\n    interface: eth0\n    priority: primary\n    probe: {intervall: 1s}\n");
        f.close();

        const Run r = check(file);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        const QList<QByteArray> lines = r.err.split('\n');
        QVERIFY2(lines.size() >= 3, r.err.constData());
        QCOMPARE(lines.at(0), (file + QStringLiteral(":4:15: wans[0].priority: expected one of always, secondary, "
                                                     "backup, never; got 'primary'"))
                                  .toUtf8());
        QCOMPARE(lines.at(1), (file + QStringLiteral(":5:13: wans[0].probe.intervall: unknown key 'intervall'; "
                                                     "did you mean 'interval'?"))
                                  .toUtf8());
        QCOMPARE(lines.at(2), (file + QStringLiteral(": 2 error(s)")).toUtf8());
        QVERIFY(!QFile::exists(file + QStringLiteral(".last-good")));
    }

    void missingFileFails()
    {
        const Run r = check(QStringLiteral("/nonexistent/config.yaml"));
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.startsWith("/nonexistent/config.yaml: file not found\n"));
    }
};

QTEST_GUILESS_MAIN(TestCheckConfig)
#include "tst_checkconfig.moc"

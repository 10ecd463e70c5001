// SPDX-License-Identifier: GPL-3.0-or-later
// Proves that a configuration write survives SIGKILL at any moment: the file holds the old or
// the new content, never a mix, never nothing. The test runs this same binary with --writer as
// a child that writes two large configurations in turn through ConfigStore::write, and kills it
// at random moments.
#include "ConfigLoader.h"
#include "ConfigStore.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include <cstdio>
#include <cstring>

using namespace smoothwan;

namespace {

constexpr int Kills = 50;

// ~200 KB each; the padding differs so a mix of the two is detectable anywhere in the file.
QByteArray bigConfig(char which)
{
    QByteArray out = "wans:\n  - name: wan" + QByteArray(1, which) + "\n    interface: eth0\n";
    const QByteArray padding = "# " + QByteArray(76, which) + "\n";
    for (int i = 0; i < 2600; ++i)
        out += padding;
    return out;
}

int runWriter(const QString &path)
{
    const QByteArray configs[] = {bigConfig('A'), bigConfig('B')};
    ConfigStore store(path);
    ConfigErrors errors;
    for (unsigned long n = 0;; ++n) {
        if (!store.write(configs[n % 2], &errors)) {
            for (const ConfigError &e : std::as_const(errors))
                std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
            return 1;
        }
        if (n == 0) {
            std::printf("ready\n");
            std::fflush(stdout);
        }
    }
}

} // namespace

class TestConfigCrashSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesSurviveSigkill()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        const QByteArray a = bigConfig('A');
        const QByteArray b = bigConfig('B');
        QVERIFY(a.size() > 200000);
        QVERIFY(ConfigLoader::loadString(a, path, nullptr));
        QVERIFY(ConfigLoader::loadString(b, path, nullptr));

        int sawA = 0;
        int sawB = 0;
        for (int i = 0; i < Kills; ++i) {
            QProcess writer;
            writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            writer.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--writer"), path});
            QVERIFY(writer.waitForStarted());
            QVERIFY2(writer.waitForReadyRead(30000), "the writer did not start writing");
            QCOMPARE(writer.readLine().trimmed(), QByteArray("ready"));
            QThread::msleep(QRandomGenerator::global()->bounded(1, 31));
            writer.kill(); // SIGKILL
            QVERIFY(writer.waitForFinished(10000));
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

            for (const QString &file : {path, QString(path + QStringLiteral(".last-good"))}) {
                QFile f(file);
                QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file));
                const QByteArray content = f.readAll();
                QVERIFY2(content == a || content == b,
                         qPrintable(QStringLiteral("%1 after kill %2: %3 bytes, neither A nor B")
                                        .arg(file)
                                        .arg(i)
                                        .arg(content.size())));
                if (file == path)
                    (content == a ? sawA : sawB)++;
            }
            ConfigStore store(path);
            ConfigErrors errors;
            QVERIFY(store.load(&errors));
            QVERIFY(errors.isEmpty());
        }
        qInfo("config was A after %d kills and B after %d", sawA, sawB);

        // QSaveFile writes an unnamed O_TMPFILE and links it in only to rename it over the target,
        // so a kill leaves a named temporary only inside that link-rename window. Whatever is left
        // is ignored by load(), which reads nothing but the two exact names.
        const QStringList files = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
        const QStringList extra =
            QStringList(files).filter(QRegularExpression(QStringLiteral(R"(^config\.yaml\..{6}$)")));
        qInfo("files left: %lld (%lld temporary)", static_cast<long long>(files.size()),
              static_cast<long long>(extra.size()));
        QVERIFY(files.contains(QStringLiteral("config.yaml")));
        QVERIFY(files.contains(QStringLiteral("config.yaml.last-good")));
        QCOMPARE(files.size() - extra.size(), 2);
        QVERIFY2(extra.size() <= Kills / 10, qPrintable(extra.join(u' ')));
    }
};

int main(int argc, char *argv[])
{
    if (argc == 3 && std::strcmp(argv[1], "--writer") == 0) {
        QCoreApplication app(argc, argv);
        return runWriter(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    TestConfigCrashSafety test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_config_crashsafety.moc"

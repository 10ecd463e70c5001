// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigStore.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <sys/stat.h>

using namespace smoothwan;

namespace {

const QByteArray GoodA = "wans:\n  - name: a\n    interface: eth0\n";
const QByteArray GoodB = "wans:\n  - name: b\n    interface: eth1\n    weight: 7\n";
const QByteArray Bad = "wans:\n  - name: a\n    interface: eth0\n    priority: primary\n";
const QByteArray Broken = "wans:\n  - name: a\n    interface: [eth0\n";

void put(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
}

QByteArray get(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

int modeOf(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

ino_t inodeOf(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_ino : 0;
}

} // namespace

class TestConfigStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir.reset(new QTemporaryDir);
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("config.yaml"));
    }

    void loadRefreshesTheLastGoodCopy()
    {
        put(m_path, GoodA);
        ConfigStore store(m_path);
        QSignalSpy spy(&store, &ConfigStore::changed);
        ConfigErrors errors;
        QVERIFY(store.load(&errors));
        QVERIFY(errors.isEmpty());
        QCOMPARE(store.current().wans.first().name, QStringLiteral("a"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(store.lastGoodPath(), m_path + QStringLiteral(".last-good"));
        QCOMPARE(get(store.lastGoodPath()), GoodA);
        QCOMPARE(modeOf(store.lastGoodPath()), 0600);
    }

    void reloadOfABadFileKeepsTheCurrentConfig()
    {
        put(m_path, GoodA);
        ConfigStore store(m_path);
        QVERIFY(store.load(nullptr));
        const Config before = store.current();
        QSignalSpy spy(&store, &ConfigStore::changed);

        put(m_path, Bad);
        ConfigErrors errors;
        QVERIFY(!store.reload(&errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().toString(),
                 m_path + QStringLiteral(":4:15: wans[0].priority: expected one of always, secondary, backup, never; "
                                         "got 'primary'"));
        QCOMPARE(store.current(), before);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(get(store.lastGoodPath()), GoodA); // a bad file never becomes last-good

        put(m_path, Broken);
        errors.clear();
        QVERIFY(!store.reload(&errors));
        QCOMPARE(errors.first().line, 4);
        QVERIFY(errors.first().message.startsWith(QStringLiteral("syntax error")));
        QCOMPARE(store.current(), before);

        put(m_path, GoodB);
        errors.clear();
        QVERIFY(store.reload(&errors));
        QVERIFY(errors.isEmpty());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().at(0).value<Config>(), before);
        QCOMPARE(spy.first().at(1).value<Config>().wans.first().weight, 7);
        QCOMPARE(get(store.lastGoodPath()), GoodB);
    }

    void reloadOfAnUnchangedFileIsQuiet()
    {
        put(m_path, GoodA);
        ConfigStore store(m_path);
        QVERIFY(store.load(nullptr));
        const ino_t inode = inodeOf(store.lastGoodPath());
        QSignalSpy spy(&store, &ConfigStore::changed);
        QVERIFY(store.reload(nullptr));
        QCOMPARE(spy.count(), 0);
        QCOMPARE(inodeOf(store.lastGoodPath()), inode); // not rewritten
    }

    void loadFallsBackToTheLastGoodCopy()
    {
        put(m_path, GoodA);
        QVERIFY(ConfigStore(m_path).load(nullptr));
        put(m_path, Bad);

        ConfigStore store(m_path);
        ConfigErrors errors;
        QVERIFY(store.load(&errors));
        QCOMPARE(errors.size(), 1); // the main file's error is still reported
        QCOMPARE(errors.first().file, m_path);
        QCOMPARE(errors.first().line, 4);
        QCOMPARE(store.current().wans.first().name, QStringLiteral("a"));
        QCOMPARE(get(m_path), Bad); // nothing is repaired behind the user's back
    }

    void loadOfAMissingFileUsesTheLastGoodCopy()
    {
        put(m_path + QStringLiteral(".last-good"), GoodB);
        ConfigStore store(m_path);
        ConfigErrors errors;
        QVERIFY(store.load(&errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().message, QStringLiteral("file not found"));
        QCOMPARE(store.current().wans.first().name, QStringLiteral("b"));
    }

    void loadWithNothingUsableGivesDefaults()
    {
        ConfigStore store(m_path);
        ConfigErrors errors;
        QVERIFY(!store.load(&errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().toString(), m_path + QStringLiteral(": file not found"));
        QCOMPARE(store.current(), Config());
        QVERIFY(!QFile::exists(store.lastGoodPath()));

        put(m_path, Bad);
        put(store.lastGoodPath(), Broken);
        errors.clear();
        QVERIFY(!store.load(&errors));
        QCOMPARE(errors.size(), 2); // both files' problems
        QCOMPARE(errors.at(1).file, store.lastGoodPath());
        QCOMPARE(store.current(), Config());
    }

    void loadAfterALoadWithNothingUsableResetsToDefaults()
    {
        put(m_path, GoodA);
        ConfigStore store(m_path);
        QVERIFY(store.load(nullptr));
        QVERIFY(QFile::remove(m_path));
        QVERIFY(QFile::remove(store.lastGoodPath()));
        QVERIFY(!store.load(nullptr));
        QCOMPARE(store.current(), Config());
    }

    void writeOfInvalidYamlIsRefused()
    {
        put(m_path, GoodA);
        ConfigStore store(m_path);
        QVERIFY(store.load(nullptr));
        QSignalSpy spy(&store, &ConfigStore::changed);
        const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden);

        for (const QByteArray &yaml : {Bad, Broken, QByteArray("ui: &x {}\n"), QByteArray(2 << 20, '#')}) {
            ConfigErrors errors;
            QVERIFY(!store.write(yaml, &errors));
            QVERIFY(!errors.isEmpty());
            QCOMPARE(errors.first().file, m_path);
            QCOMPARE(get(m_path), GoodA); // byte-identical
            QCOMPARE(get(store.lastGoodPath()), GoodA);
        }
        QCOMPARE(spy.count(), 0);
        QCOMPARE(store.current().wans.first().name, QStringLiteral("a"));
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden), filesBefore);
    }

    void writeReplacesTheFileAndTheLastGoodCopy()
    {
        put(m_path, GoodA);
        QVERIFY(QFile::setPermissions(m_path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        ConfigStore store(m_path);
        QVERIFY(store.load(nullptr));
        QSignalSpy spy(&store, &ConfigStore::changed);

        ConfigErrors errors;
        QVERIFY(store.write(GoodB, &errors));
        QVERIFY(errors.isEmpty());
        QCOMPARE(get(m_path), GoodB);
        QCOMPARE(get(store.lastGoodPath()), GoodB);
        QCOMPARE(modeOf(m_path), 0600);
        QCOMPARE(store.current().wans.first().name, QStringLiteral("b"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList({QStringLiteral("config.yaml"), QStringLiteral("config.yaml.last-good")}));
    }

    void writeIntoAMissingDirectoryFails()
    {
        ConfigStore store(m_dir->filePath(QStringLiteral("no/such/dir/config.yaml")));
        ConfigErrors errors;
        QVERIFY(!store.write(GoodA, &errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().line, 0);
        QCOMPARE(store.current(), Config());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

QTEST_GUILESS_MAIN(TestConfigStore)
#include "tst_configstore.moc"

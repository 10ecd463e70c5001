// SPDX-License-Identifier: GPL-3.0-or-later
#include "Clock.h"
#include "ProcessSupervisor.h"

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>

using namespace smoothwan;

namespace {
const QString FakeChild = QStringLiteral(SMOOTHWAN_FAKE_CHILD);

ProcessSupervisor::Options childOptions(QStringList args)
{
    ProcessSupervisor::Options o;
    o.name = QStringLiteral("Speedify");
    o.program = FakeChild;
    o.arguments = std::move(args);
    o.installHint = QStringLiteral("Install the speedify package");
    // Real waits are short so the test is fast; the decisions read the ManualClock.
    o.initialBackoffMs = 10;
    o.maxBackoffMs = 80;
    o.stableMs = 60000;
    o.crashLoopExits = 5;
    o.crashLoopWindowMs = 120000;
    o.stopTimeoutMs = 300;
    o.logCapacity = 50;
    return o;
}

} // namespace

class TestProcessSupervisor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingProgramIsNotInstalledWithAHint()
    {
        ManualClock clock;
        ProcessSupervisor::Options o = childOptions({});
        o.program = QStringLiteral("/nonexistent/speedify");
        ProcessSupervisor s(clock, o);
        s.start();
        QCOMPARE(s.state(), ProcessSupervisor::State::NotInstalled);
        QVERIFY(s.message().contains(QStringLiteral("not installed")));
        QVERIFY(s.message().contains(QStringLiteral("Install the speedify package")));
        QCOMPARE(ProcessSupervisor::stateName(s.state()), QStringLiteral("not-installed"));
    }

    void keepsTheLastOutputLinesBounded()
    {
        ManualClock clock;
        ProcessSupervisor s(
            clock, childOptions({QStringLiteral("--lines"), QStringLiteral("120"), QStringLiteral("--forever")}));
        s.start();
        QCOMPARE(s.state(), ProcessSupervisor::State::Running);
        QTRY_COMPARE(s.logTail(1).value(0).startsWith(QStringLiteral("line 120 ")), true);
        QCOMPARE(s.logTail().size(), 50);
        QVERIFY(s.logTail().first().startsWith(QStringLiteral("line 71 ")));
        QCOMPARE(s.logTail(3).size(), 3);
        QSignalSpy stopped(&s, &ProcessSupervisor::stateChanged);
        s.stop();
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Stopped);
        QCOMPARE(s.restartCount(), 0); // a requested stop is not a crash
    }

    void restartsWithExponentialBackoff()
    {
        ManualClock clock;
        // The waits are real timers: long enough (200 ms and up) that QTRY's 50 ms polling sees
        // every exit before the next restart, whatever the machine's speed.
        ProcessSupervisor::Options o = childOptions({QStringLiteral("--exit"), QStringLiteral("3")});
        o.initialBackoffMs = 200;
        o.maxBackoffMs = 800;
        ProcessSupervisor s(clock, o);
        QSignalSpy exits(&s, &ProcessSupervisor::exited);
        s.start();
        QVERIFY(exits.wait());
        QCOMPARE(exits.first().at(0).toInt(), 3);
        QCOMPARE(s.state(), ProcessSupervisor::State::Backoff);
        QVERIFY(s.message().contains(QStringLiteral("exited with code 3")));
        QCOMPARE(s.currentBackoffMs(), 400); // waits 200, the next wait doubles
        clock.advance(45000);                // exits spread out: no crash loop
        QTRY_COMPARE(exits.size(), 2);
        QCOMPARE(s.currentBackoffMs(), 800);
        clock.advance(45000);
        QTRY_COMPARE(exits.size(), 3);
        QCOMPARE(s.currentBackoffMs(), 800); // capped at the maximum
        clock.advance(45000);
        QTRY_COMPARE(exits.size(), 4);
        QCOMPARE(s.currentBackoffMs(), 800);
        QCOMPARE(s.restartCount(), 3);
        s.stop();
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Stopped);
    }

    void backoffResetsAfterAStableRun()
    {
        ManualClock clock;
        ProcessSupervisor s(clock, childOptions({QStringLiteral("--forever")}));
        s.start();
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Running);
        // Two quick crashes raise the backoff...
        QSignalSpy exits(&s, &ProcessSupervisor::exited);
        ::kill(pid_t(s.processId()), SIGKILL);
        QVERIFY(exits.wait());
        QCOMPARE(exits.first().at(1).toBool(), true);
        QVERIFY(s.message().contains(QStringLiteral("crashed")));
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Running);
        QTRY_VERIFY(s.processId() > 0);
        ::kill(pid_t(s.processId()), SIGKILL);
        QTRY_COMPARE(exits.size(), 2);
        QCOMPARE(s.currentBackoffMs(), 40);
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Running);
        QTRY_VERIFY(s.processId() > 0);
        // ...a run longer than a minute brings it back to the initial wait.
        clock.advance(61000);
        ::kill(pid_t(s.processId()), SIGKILL);
        QTRY_COMPARE(exits.size(), 3);
        QCOMPARE(s.currentBackoffMs(), 20);
        s.stop();
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Stopped);
    }

    void fiveQuickExitsAreACrashLoopQuotingTheLog()
    {
        ManualClock clock;
        ProcessSupervisor s(clock, childOptions({QStringLiteral("--lines"), QStringLiteral("30"),
                                                 QStringLiteral("--exit"), QStringLiteral("1")}));
        QSignalSpy exits(&s, &ProcessSupervisor::exited);
        s.start();
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::CrashLoop);
        QCOMPARE(exits.size(), 5);
        QVERIFY(s.message().startsWith(QStringLiteral("Speedify keeps crashing")));
        QVERIFY(s.message().contains(QStringLiteral("Last 20 log lines")));
        QVERIFY(s.message().contains(QStringLiteral("line 30 ")));
        QVERIFY(!s.message().contains(QStringLiteral("line 10 ")));
        QCOMPARE(ProcessSupervisor::stateName(s.state()), QStringLiteral("crash-loop"));
        // It stays down until asked; start() tries again from scratch.
        QTest::qWait(100);
        QCOMPARE(exits.size(), 5);
        s.start();
        QTRY_COMPARE(exits.size(), 10);
        QCOMPARE(s.state(), ProcessSupervisor::State::CrashLoop);
    }

    void stopKillsAChildThatIgnoresSigterm()
    {
        ManualClock clock;
        ProcessSupervisor s(clock, childOptions({QStringLiteral("--ignore-term"), QStringLiteral("--lines"),
                                                 QStringLiteral("1"), QStringLiteral("--forever")}));
        s.start();
        QTRY_COMPARE(s.logTail().size(), 1); // SIGTERM is ignored from here on
        const qint64 pid = s.processId();
        s.stop();
        QCOMPARE(s.state(), ProcessSupervisor::State::Stopping);
        QTRY_COMPARE(s.state(), ProcessSupervisor::State::Stopped);
        QCOMPARE(::kill(pid_t(pid), 0), -1); // gone
    }

    void restartRelaunchesARunningChild()
    {
        ManualClock clock;
        ProcessSupervisor s(clock, childOptions({QStringLiteral("--forever")}));
        s.start();
        QTRY_VERIFY(s.processId() > 0);
        const qint64 first = s.processId();
        s.restart();
        QTRY_VERIFY(s.state() == ProcessSupervisor::State::Running && s.processId() > 0 && s.processId() != first);
    }

    void destructorStopsTheChild()
    {
        ManualClock clock;
        qint64 pid = 0;
        {
            ProcessSupervisor s(clock, childOptions({QStringLiteral("--forever")}));
            s.start();
            QTRY_VERIFY(s.processId() > 0);
            pid = s.processId();
        }
        QCOMPARE(::kill(pid_t(pid), 0), -1);
    }
};

QTEST_GUILESS_MAIN(TestProcessSupervisor)
#include "tst_processsupervisor_engine.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
// Prints the cost of one state-store update (diff + patch) for a router with N WANs whose
// live figures change every second, the daemon's most frequent write.
#include "Clock.h"
#include "StateStore.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    smoothwan::ManualClock clock;
    for (int wans : {2, 4, 8, 16}) {
        smoothwan::StateStore store(clock);
        std::size_t patchOps = 0;
        QObject::connect(&store, &smoothwan::StateStore::changed, &app,
                         [&patchOps](std::uint64_t, const QJsonArray &patch) { patchOps += patch.size(); });
        const int rounds = 20000;
        QElapsedTimer timer;
        timer.start();
        for (int r = 0; r < rounds; ++r) {
            QJsonArray list;
            for (int w = 0; w < wans; ++w)
                list.append(QJsonObject {{QStringLiteral("name"), QStringLiteral("wan%1").arg(w)},
                                         {QStringLiteral("state"), QStringLiteral("up")},
                                         {QStringLiteral("interface"), QStringLiteral("eth%1").arg(w)},
                                         {QStringLiteral("rxBps"), r * 1000 + w},
                                         {QStringLiteral("txBps"), r * 300 + w},
                                         {QStringLiteral("latencyMs"), 20.0 + (r % 7)},
                                         {QStringLiteral("lossPct"), 0.0}});
            store.setSlice(QStringLiteral("wans"), list);
        }
        const double us = static_cast<double>(timer.nsecsElapsed()) / 1000.0 / rounds;
        std::printf("statestore: %2d WANs, %d updates: %.2f us/update, %.1f patch ops/update\n", wans, rounds, us,
                    static_cast<double>(patchOps) / rounds);
    }
    return 0;
}

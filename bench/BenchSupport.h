// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace smoothwan::bench {

// The p-th percentile (nearest rank) of `values`; NaN when there are none.
inline double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return NAN;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<qsizetype>(std::ceil(p / 100.0 * static_cast<double>(values.size()))) - 1;
    return values.at(std::clamp<qsizetype>(rank, 0, values.size() - 1));
}

// One line of figures: "what  n=…  p50=…  p95=…  max=…  note".
inline void printFigures(const char *what, const QList<double> &values, const char *unit, const QString &note = {})
{
    std::printf("  %-52s n=%-3lld p50=%8.1f %s  p95=%8.1f %s  max=%8.1f %s  %s\n", what,
                static_cast<long long>(values.size()), percentile(values, 50), unit, percentile(values, 95), unit,
                percentile(values, 100), unit, qPrintable(note));
    std::fflush(stdout);
}

} // namespace smoothwan::bench

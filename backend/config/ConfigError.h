// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

namespace smoothwan {

// One problem found in a configuration file. line and column are 1-based (0 when the
// problem is not tied to a position, e.g. a missing file). keyPath is the dotted path of
// the key ("wans[1].probe.interval"), empty for file-level problems.
struct ConfigError
{
    QString file;
    int line = 0;
    int column = 0;
    QString keyPath;
    QString message;

    // "file:line:col: keyPath: message", the form editors and CI logs understand.
    QString toString() const;
};

using ConfigErrors = QList<ConfigError>;

} // namespace smoothwan

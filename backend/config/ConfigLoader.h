// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "ConfigError.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace smoothwan {

// Parses and validates configuration YAML into a Config. Pure: touches no file except the one
// loadFile() reads, keeps no state, and is safe on untrusted input (uploads, fuzzing):
// - input over MaxFileBytes is refused before parsing;
// - collections nested deeper than MaxDepth, more than MaxNodes nodes, anchors, aliases, explicit
//   tags and more than one document are refused while parsing, before a node tree is built;
// - every problem found is appended to `errors` (up to MaxErrors), each with the file name,
//   1-based line and column, the key path ("wans[1].probe.interval") and what was expected.
// Returns the Config only when there were no errors at all.
class ConfigLoader
{
public:
    static constexpr qint64 MaxFileBytes = 1024 * 1024;
    static constexpr int MaxDepth = 32;
    static constexpr int MaxNodes = 50000;
    static constexpr int MaxErrors = 100;

    static std::optional<Config> loadString(const QByteArray &yaml, const QString &fileName, ConfigErrors *errors);

    // Reads `path` (a regular file, at most MaxFileBytes) and loads it. `content` receives the
    // bytes that were parsed, so a caller can copy exactly what it validated.
    static std::optional<Config> loadFile(const QString &path, ConfigErrors *errors, QByteArray *content = nullptr);
};

} // namespace smoothwan

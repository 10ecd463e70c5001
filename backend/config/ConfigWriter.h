// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"

#include <QtCore/QByteArray>

namespace smoothwan {

// Serialises a Config to configuration YAML (yaml-cpp emitter).
// Contract: for every Config c that ConfigLoader produced (or a default Config),
// ConfigLoader::loadString(ConfigWriter::toYaml(c)) == c. Every value is written explicitly
// (including resolved ones such as api.tls.enabled and a metered WAN's probe interval), so the
// loader's defaults and resolutions cannot change a round-trip. Strings are always quoted by the
// emitter where YAML needs it, so no value can inject structure (a stored-injection defence for
// names edited over the API). Used by the API to edit one field and re-apply the whole file.
class ConfigWriter
{
public:
    static QByteArray toYaml(const Config &config);
};

} // namespace smoothwan

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ApiBackend.h"
#include "Config.h"

#include <QtCore/QFuture>

namespace smoothwan::test {

// An ApiBackend with nothing behind it, for tests, fuzzers and benchmarks of the API server
// alone: the default configuration, every apply refused, every engine action failing.
class NullApiBackend final : public ApiBackend
{
public:
    const Config &config() const override { return m_config; }
    QString configPath() const override { return {}; }
    bool applyConfig(const QByteArray &, ConfigErrors *) override { return false; }
    QFuture<EngineActionResult> engineAction(const QString &, const QJsonObject &) override
    {
        return QtFuture::makeReadyFuture(EngineActionResult {});
    }

private:
    Config m_config;
};

} // namespace smoothwan::test

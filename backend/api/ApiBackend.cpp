// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApiBackend.h"

#include "ConfigStore.h"

namespace smoothwan {

ConfigStoreApiBackend::ConfigStoreApiBackend(ConfigStore &store)
    : m_store(store)
{ }

const Config &ConfigStoreApiBackend::config() const
{
    return m_store.current();
}

QString ConfigStoreApiBackend::configPath() const
{
    return m_store.path();
}

bool ConfigStoreApiBackend::applyConfig(const QByteArray &yaml, ConfigErrors *errors)
{
    return m_store.write(yaml, errors);
}

QFuture<EngineActionResult> ConfigStoreApiBackend::engineAction(const QString &name, const QJsonObject &args)
{
    if (m_engine)
        return m_engine(name, args);
    return QtFuture::makeReadyFuture(
        EngineActionResult {false, {}, QStringLiteral("unavailable"), QStringLiteral("no engine adapter is running")});
}

} // namespace smoothwan

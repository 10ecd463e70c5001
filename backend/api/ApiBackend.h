// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "ConfigError.h"

#include <QtCore/QFuture>
#include <QtCore/QJsonObject>
#include <QtCore/QStringList>

#include <functional>

namespace smoothwan {

class ConfigStore;

struct EngineActionResult
{
    bool ok = false;
    QJsonValue result;
    QString code = QStringLiteral("engine_error"); // on failure: an API error code
    QString message;
};

// What the API server needs from the rest of the daemon: the configuration (read, validate,
// apply) and the bonding engine's actions. An interface so the server can be tested alone.
// Contract: applyConfig() validates and, only when valid, writes the file atomically and makes it
// current without a restart (ConfigStore::write semantics). engineAction() never blocks; its
// future finishes on the caller's thread. Actions are named ("connect", "disconnect",
// "set_mode", "speedtest", "log_tail", ...) with a JSON object of arguments the API already
// validated as safe text; an unknown name finishes with code "not_found".
class ApiBackend
{
public:
    virtual ~ApiBackend() = default;
    virtual const Config &config() const = 0;
    virtual QString configPath() const = 0;
    virtual bool applyConfig(const QByteArray &yaml, ConfigErrors *errors) = 0;
    virtual QFuture<EngineActionResult> engineAction(const QString &name, const QJsonObject &args) = 0;
};

// The daemon's ApiBackend: a ConfigStore plus an engine adapter that the engine component plugs
// in with setEngineHandler() (until then every engine action is "unavailable").
class ConfigStoreApiBackend final : public ApiBackend
{
public:
    using EngineHandler = std::function<QFuture<EngineActionResult>(const QString &, const QJsonObject &)>;

    explicit ConfigStoreApiBackend(ConfigStore &store);
    void setEngineHandler(EngineHandler handler) { m_engine = std::move(handler); }

    const Config &config() const override;
    QString configPath() const override;
    bool applyConfig(const QByteArray &yaml, ConfigErrors *errors) override;
    QFuture<EngineActionResult> engineAction(const QString &name, const QJsonObject &args) override;

private:
    ConfigStore &m_store;
    EngineHandler m_engine;
};

} // namespace smoothwan

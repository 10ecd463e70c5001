// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Engine.h"

#include <QtCore/QJsonObject>

namespace smoothwan {

class EngineManager;

// The API's engine actions, by name, carried out by the active engine. Every engine answers
// "status" and "log_tail"; Speedify also "connect", "disconnect", "login", "login_auto",
// "logout", "servers", "set_mode", "set_transport", "speedtest", "streamtest", "version",
// "adapter_priority" and "reset_usage". Arguments were validated as safe text by the API; the
// adapter validates them again before they reach an argument list. An unknown action, or one the
// active engine does not have, finishes with errorKind "not_found"; no engine, "unavailable".
void runEngineAction(EngineManager &engines, const QString &name, const QJsonObject &args, EngineCallback done);

} // namespace smoothwan

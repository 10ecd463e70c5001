// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Engine.h"

#include <QtCore/QJsonObject>

namespace smoothwan {

class EngineManager;

// The API's engine actions, by name, carried out by the active engine (the table of names, roles
// and argument schemas is engineActions() in backend/api/ApiCommands.h; docs/protocol.md lists
// them). Every engine answers "status" and "log_tail"; Speedify has the rest. Engarde and
// tinyfecVPN have no settings to change at run time: they are configured through the
// configuration (config.apply), which restarts them.
// The API validated `args` against the action's schema; the adapter validates every value again
// before it reaches an argument list (never a shell). An adapter ID must name one of Speedify's
// adapters (else "not_found", before anything runs); settings SmoothWAN owns while WANs are
// configured (every adapter's priority, the daily and monthly limits of the adapters that are
// WANs) are "conflict" and name the WAN command to use. An unknown action, or one the active
// engine does not have, finishes with errorKind "not_found"; no engine, "unavailable".
void runEngineAction(EngineManager &engines, const QString &name, const QJsonObject &args, EngineCallback done);

// The API error code for an EngineResult's errorKind: not_found, unavailable and conflict pass
// through; every other failure is engine_error.
QString engineErrorCode(const QString &errorKind);

} // namespace smoothwan

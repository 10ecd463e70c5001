// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CommandRegistry.h"

#include <functional>

namespace smoothwan {

class ApiBackend;
class AuthStore;
class CommandRegistry;
class StateStore;

// Registers the domain commands of smoothwan.v1 (config.*, wan.*, routing.*, engine.*,
// speedtest.run, users.*, tokens.*, events.list) in `registry`. Each edits a copy of the current
// Config and applies it through the backend (validated, written atomically, applied without a
// restart), so every change also passes the configuration loader's checks. Engine actions go to
// ApiBackend::engineAction(); their futures continue on `auth`'s thread (the server's), whichever
// thread finishes them. The handlers keep references to the arguments, which must outlive the
// registry.
void registerApiCommands(CommandRegistry &registry, ApiBackend &backend, AuthStore &auth, StateStore &state);

// One action of `engine.action{name, args}`: the role it needs, which engines have it, and the
// schema of its `args` (checked like a command's arguments: unknown members, wrong types,
// out-of-range numbers and hostile strings are invalid_format before the engine sees anything).
// `check` adds rules that span several arguments; it returns an empty string when they hold.
struct EngineActionSpec
{
    QString name;
    Role role = Role::Admin;
    QString engines; // "all" or "speedify"
    QString summary;
    QList<ArgSpec> args;
    std::function<QString(const QJsonObject &)> check = {};
};

// Every engine action, in the order docs/protocol.md lists them.
const QList<EngineActionSpec> &engineActions();
const EngineActionSpec *findEngineAction(const QString &name);

} // namespace smoothwan

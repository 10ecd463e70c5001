// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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

} // namespace smoothwan

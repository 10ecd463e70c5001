// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzz target: one client frame through everything the server does with it before a handler
// runs — decode, request id, command lookup and argument validation for every command — plus
// applying a "patch" member as a JSON Patch (the client side of deltas). Must never crash, hang
// or leak.
#include "ApiBackend.h"
#include "ApiCommands.h"
#include "AuthStore.h"
#include "Clock.h"
#include "CommandRegistry.h"
#include "JsonPatch.h"
#include "NullApiBackend.h"
#include "Protocol.h"
#include "StateStore.h"

#include <QtCore/QJsonArray>

#include <cstdint>

using namespace smoothwan;

namespace {

struct World
{
    ManualClock clock;
    StateStore state {clock};
    AuthStore auth {clock, QString(), QString()};
    test::NullApiBackend backend;
    CommandRegistry registry;
    World() { registerApiCommands(registry, backend, auth, state); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static World *world = new World; // lives for the process, like the daemon's
    QString why;
    const auto message =
        protocol::decode(QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)), &why);
    if (!message)
        return 0;
    (void)protocol::requestId(*message);
    const QString type = message->value(QStringLiteral("type")).toString();
    if (const CommandSpec *spec = world->registry.find(type))
        (void)CommandRegistry::validate(*spec, *message, &why);
    // Also try the message against every command: the validator must hold for any shape.
    for (const QString &name : world->registry.names())
        (void)CommandRegistry::validate(*world->registry.find(name), *message, &why);
    if (message->value(QStringLiteral("patch")).isArray()) {
        QJsonValue doc = message->value(QStringLiteral("state"));
        protocol::JsonPatch::apply(doc, message->value(QStringLiteral("patch")).toArray(), &why);
    }
    return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Protocol.h"

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <functional>
#include <limits>
#include <optional>

namespace smoothwan {

using protocol::Role;

// One argument of a command: its JSON type and, for strings, what they may contain.
// Every string kind refuses non-UTF-8 input (U+FFFD after decoding), NUL and other control
// characters, and anything longer than maxBytes. The narrow kinds (Name, InterfaceName, Label,
// Mac, Glob, Address, Prefix, HostPort, PortRange) also refuse shell metacharacters, blanks where
// they make no sense, a leading '-' and "..": whatever reaches the kernel, a file name or an argv
// later on was checked here first.
struct ArgSpec
{
    enum class Type { String, Integer, Boolean, Enum, StringList, Object, Number };
    enum class Kind {
        Name,
        InterfaceName,
        Label,
        Mac,
        Glob,
        Address,
        Prefix,
        HostPort,
        PortRange,
        Password,
        Yaml,
        Any,
        Domain,     // a DNS name, optionally "*." in front (engine bypass lists)
        Ipv4Prefix, // an IPv4 address or prefix
        Ipv6Prefix, // an IPv6 address or prefix
        PortRule,   // "443/tcp" or "5000-5010/udp" (engine bypass lists)
        Server,     // an engine server: "closest", "us", "us nova 17", "us-nova-17", "#us-nova-17"
        Account     // an engine account name (an e-mail address)
    };

    QString name;
    Type type = Type::String;
    Kind kind = Kind::Name;
    bool required = true;
    bool nullable = false; // null is accepted and means "unset"
    int maxBytes = 64;
    int maxItems = 16;
    qint64 min = std::numeric_limits<qint64>::min();
    qint64 max = std::numeric_limits<qint64>::max();
    QStringList values;       // Enum
    bool nestedChecks = true; // Object: check every key and string inside as safe text

    // An object whose members the handler validates against a schema of its own (engine actions).
    ArgSpec checkedByHandler() const
    {
        ArgSpec a = *this;
        a.nestedChecks = false;
        return a;
    }

    ArgSpec optional() const
    {
        ArgSpec a = *this;
        a.required = false;
        return a;
    }
    ArgSpec orNull() const
    {
        ArgSpec a = *this;
        a.nullable = true;
        return a;
    }

    static ArgSpec string(const QString &name, Kind kind, int maxBytes = 64);
    static ArgSpec integer(const QString &name, qint64 min, qint64 max);
    static ArgSpec number(const QString &name, qint64 min, qint64 max); // any JSON number in [min, max]
    static ArgSpec boolean(const QString &name);
    static ArgSpec oneOf(const QString &name, const QStringList &values);
    static ArgSpec list(const QString &name, Kind kind, int maxItems, int maxBytes = 64);
    static ArgSpec object(const QString &name, int maxBytes = 4096);

    // A human description for docs and error messages ("string (name)", "integer 1..1000").
    QString describe() const;
};

// Checks one string against a kind; returns an empty string when valid, else why not.
QString checkString(const QString &value, ArgSpec::Kind kind, int maxBytes);

struct CommandContext
{
    quint64 connection = 0;
    qint64 requestId = 0;
    QString user; // "local" for the touchscreen's token
    Role role = Role::Viewer;
    bool local = false; // authenticated with the local token (the touchscreen, root's smoothwanctl)
    QString peer;       // the peer's address, for logs
    QJsonObject args;   // validated: only declared members, of the declared types
};

struct CommandOutcome
{
    bool ok = true;
    QJsonValue result;
    QString code;
    QString message;
    QJsonValue details;

    static CommandOutcome success(const QJsonValue &value = QJsonObject {}) { return {true, value, {}, {}, {}}; }
    static CommandOutcome failure(const QString &code, const QString &message, const QJsonValue &details = {})
    {
        return {false, {}, code, message, details};
    }
};

using CommandReply = std::function<void(const CommandOutcome &)>;
// A handler answers exactly once, now or later (e.g. when an engine action completes).
using CommandHandler = std::function<void(const CommandContext &, const CommandReply &)>;

struct CommandSpec
{
    QString name;
    Role role = Role::Admin;
    QString summary;
    QList<ArgSpec> args;
    CommandHandler handler;
};

// The table of commands: name -> role, argument schema, handler. The server looks a command up,
// enforces the role, validates the arguments against the schema (unknown members, wrong types,
// out-of-range numbers and hostile strings are invalid_format) and only then calls the handler.
// A handler therefore never sees an argument the schema did not allow.
class CommandRegistry
{
public:
    // Adds a command; a second registration of the same name replaces the first.
    void add(CommandSpec spec);
    const CommandSpec *find(const QString &name) const;
    QStringList names() const; // sorted

    // Validates the members of `request` other than "id" and "type" against `spec`. On success
    // returns the arguments; on failure returns nothing and sets *why.
    static std::optional<QJsonObject> validate(const CommandSpec &spec, const QJsonObject &request, QString *why);

private:
    QHash<QString, CommandSpec> m_commands;
};

} // namespace smoothwan

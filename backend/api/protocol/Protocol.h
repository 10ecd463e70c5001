// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <optional>

// The wire vocabulary of smoothwan.v1, shared by the server and every client (QtCore only).
// Contract: names and codes here are stable within v1; changes are additive only and clients
// ignore unknown fields. docs/protocol.md documents each of them.
namespace smoothwan::protocol {

inline constexpr char Subprotocol[] = "smoothwan.v1";
inline constexpr int ApiMinor = 2;

// WebSocket close codes (4000-4999 are for applications).
inline constexpr int CloseAuthFailed = 4401; // bad credentials, or a frame before auth
inline constexpr int CloseAuthTimeout = 4408;
inline constexpr int CloseRateLimited = 4429;
inline constexpr int CloseSlowClient = 4413; // the send queue overflowed
inline constexpr int CloseTooManyConnections = 4503;
inline constexpr int CloseProtocolError = 4400; // wrong subprotocol, or too many malformed frames

namespace Error {
inline constexpr char Unauthorized[] = "unauthorized";
inline constexpr char Forbidden[] = "forbidden";
inline constexpr char InvalidFormat[] = "invalid_format";
inline constexpr char UnknownCommand[] = "unknown_command";
inline constexpr char NotFound[] = "not_found";
inline constexpr char Conflict[] = "conflict";
inline constexpr char Busy[] = "busy";
inline constexpr char RateLimited[] = "rate_limited";
inline constexpr char EngineError[] = "engine_error";
inline constexpr char Unavailable[] = "unavailable";
inline constexpr char SetupRequired[] = "setup_required";
inline constexpr char Internal[] = "internal";
// Every code above, for documentation checks.
inline constexpr const char *All[] = {Unauthorized, Forbidden,   InvalidFormat, UnknownCommand,
                                      NotFound,     Conflict,    Busy,          RateLimited,
                                      EngineError,  Unavailable, SetupRequired, Internal};
} // namespace Error

// The roles, ordered: a role may do everything a lower one may.
enum class Role { Viewer = 0, Operator = 1, Admin = 2 };
QString roleName(Role role);
std::optional<Role> roleFromName(QStringView name);

// Envelope builders.
QJsonObject result(qint64 id, const QJsonValue &value);
QJsonObject error(qint64 id, const QString &code, const QString &message, const QJsonValue &details = {});
QByteArray encode(const QJsonObject &message);

// Decodes one text frame. Returns the object, or nothing with a reason in *why: not JSON, not an
// object, too deep. Shared by the server, the clients and the fuzzer.
std::optional<QJsonObject> decode(const QByteArray &frame, QString *why);

// A request's id: a JSON integer in [1, 2^53). Anything else is invalid_format.
std::optional<qint64> requestId(const QJsonObject &message);

} // namespace smoothwan::protocol

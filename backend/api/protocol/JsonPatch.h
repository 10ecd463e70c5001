// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

namespace smoothwan::protocol {

// A subset of JSON Patch (RFC 6902): the operations "add", "remove" and "replace", with
// JSON Pointer paths (RFC 6901). diff() produces such a patch; apply() replays it. For any
// a and b: apply(a, diff(a, b)) == b. Shared by the server (which diffs) and every client
// (which applies), so both sides agree by construction.
namespace JsonPatch {

QJsonArray diff(const QJsonValue &before, const QJsonValue &after);

// Applies `patch` to `document`. Returns false (and leaves `document` unchanged) if an
// operation does not fit the document, with a reason in *error.
bool apply(QJsonValue &document, const QJsonArray &patch, QString *error = nullptr);

QString escapeToken(const QString &token);

} // namespace JsonPatch
} // namespace smoothwan::protocol

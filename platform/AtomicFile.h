// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace smoothwan {

// Contract: writeAtomically() leaves `path` holding either its previous content or
// `data`, never a mix, even if the process is killed or the machine loses power
// part-way: the data goes to a temporary file in the same directory, is fsync'ed,
// renamed over the target, and the directory is fsync'ed so the rename is durable.
// `mode` is applied to the new file before it becomes visible (e.g. 0600 for secrets).
struct AtomicWriteResult
{
    bool ok = false;
    QString error; // human readable, names the path
};

AtomicWriteResult writeAtomically(const QString &path, const QByteArray &data, int mode = 0644);

// Makes the rename of a file inside `dir` durable. Returns false on error.
bool fsyncDirectory(const QString &dir);

} // namespace smoothwan
